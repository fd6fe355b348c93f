// The editor the suites run in: the expected VS Code, the fixture workspace, this extension.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'breakglass.breakglass';

describe('integration host', () => {
  it('is VS Code 1.100', () => {
    assert.match(vscode.version, /^1\.100\./);
  });

  it('has the fixture workspace open, with hello.md in it', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, `workspace folders: ${folders.map((f) => f.uri.toString()).join(', ')}`);
    const hello = vscode.Uri.joinPath(folders[0].uri, 'hello.md');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(hello));
    assert.match(text, /^runbook: true$/m);
    assert.match(text, /echo hello/);
  });

  it('runs with the workspace trusted', () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });

  it('has the Breakglass extension under development installed, and it activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among ${vscode.extensions.all.length} extensions`);
    const repoRoot = path.resolve(__dirname, '../../..');
    assert.equal(fs.realpathSync(ext.extensionPath), fs.realpathSync(repoRoot));
    assert.equal(ext.packageJSON.name, 'breakglass');
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('declares limited support for untrusted workspaces and the Open Runbook command', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    assert.equal(pkg?.capabilities?.untrustedWorkspaces?.supported, 'limited');
    const commands: { command: string }[] = pkg?.contributes?.commands ?? [];
    assert.ok(commands.some((c) => c.command === 'breakglass.openRunbook'), 'breakglass.openRunbook is not contributed');
  });
});
