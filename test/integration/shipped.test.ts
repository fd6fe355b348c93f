// The walkthrough's links name shipped runbooks by relative path: in a workspace without them,
// Breakglass copies its sample runbooks and scenarios into runbooks/ (never overwriting) and opens
// the runbook from there.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BreakglassApi } from '../../src/extension';

describe('Shipped runbooks', () => {
  it('Open Runbook with a relative name copies the samples into the workspace, keeping what is there', async () => {
    const ext = vscode.extensions.getExtension<BreakglassApi>('breakglass.breakglass')!;
    if (!ext.isActive) await ext.activate();
    const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const mine = join(ws, 'runbooks', 'getting-started.md');
    const existed = existsSync(mine);
    if (!existed) {
      mkdirSync(join(ws, 'runbooks'), { recursive: true });
      writeFileSync(mine, '# my own notes\n');
    }
    const before = readFileSync(mine, 'utf8');
    const uri = await vscode.commands.executeCommand<string>('breakglass.openRunbook', 'api-server-overload.md');
    assert.equal(uri, vscode.Uri.file(join(ws, 'runbooks', 'api-server-overload.md')).toString());
    assert.ok(existsSync(join(ws, 'runbooks', 'scenarios', 'telemetry-rollout-2024-12-11.yaml')), 'the scenarios came too');
    assert.equal(readFileSync(mine, 'utf8'), before, 'an existing file is not overwritten');
    assert.equal(await vscode.commands.executeCommand('breakglass.openRunbook', 'no-such-runbook.md'), undefined);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
