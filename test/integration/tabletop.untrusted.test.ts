// Restricted Mode: a tabletop serves clusters and runs steps, so Start Tabletop refuses and nothing
// is written.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BreakglassApi } from '../../src/extension';

const EXT_ID = 'breakglass.breakglass';

describe('Tabletop in an untrusted workspace', () => {
  it('Start Tabletop refuses, and nothing runs or is written', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ext = vscode.extensions.getExtension<BreakglassApi>(EXT_ID);
    assert.ok(ext);
    const a = ext.isActive ? ext.exports : await ext.activate();
    const scenario = join(ext.extensionPath, 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
    const r = await vscode.commands.executeCommand('breakglass.startTabletop', { scenario, speed: 30 });
    assert.equal(r, undefined);
    assert.equal(a.tabletop(), undefined);
    assert.equal(a.mode(), 'SIMULATED');
    assert.equal(a.facilitator().open, false);
    assert.equal(a.facilitator().terminalKubeconfig, undefined);
    const journals = join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.breakglass', 'journal');
    assert.ok(!existsSync(journals) || !readdirSync(journals).some((f) => f.startsWith('tabletop-')), 'no tabletop journal');
    assert.equal(await vscode.commands.executeCommand('breakglass.exportTabletopReport'), undefined);
  });
});
