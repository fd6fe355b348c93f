// Restricted Mode: the workspace opens untrusted and the extension still loads (it declares
// limited support for untrusted workspaces).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('untrusted workspace', () => {
  it('opens the folder in Restricted Mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
  });

  it('still loads the Breakglass extension', async () => {
    const ext = vscode.extensions.getExtension('breakglass.breakglass');
    assert.ok(ext, 'breakglass.breakglass is not installed in the untrusted host');
    await ext.activate();
    assert.equal(ext.isActive, true);
  });
});
