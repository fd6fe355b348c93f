// Runs inside the real VS Code extension host with the workspace in Restricted Mode.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BreakglassApi } from '../../src/extension';

describe('Breakglass in an untrusted workspace', () => {
  it('opens the Runbook view but runs nothing and writes nothing', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ext = vscode.extensions.getExtension<BreakglassApi>('breakglass.breakglass');
    assert.ok(ext);
    const a = ext.isActive ? ext.exports : await ext.activate();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    rmSync(join(folder, 'marker-ran'), { force: true });
    const uri = vscode.Uri.file(join(folder, 'steps.md'));
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'never' });
    assert.ok(a.panelFor(uri), 'the view opens for reading');
    const state = await vscode.commands.executeCommand('breakglass.runStep', uri, 'marker');
    assert.equal(state, 'pending');
    assert.equal(await vscode.commands.executeCommand('breakglass.runAll', uri), 'cancelled');
    assert.equal(existsSync(join(folder, 'marker-ran')), false, 'the step did not execute');
    assert.equal(a.stepStates(uri)!.greet.state, 'pending');
    const jdir = join(folder, '.breakglass', 'journal');
    assert.ok(!existsSync(jdir) || readdirSync(jdir).length === 0, 'no journal written');
  });
});
