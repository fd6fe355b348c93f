// Restricted Mode: Check Break-Glass Readiness connects to clusters with the person's credentials,
// so it refuses, says why, and neither checks nor journals anything.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ReadinessOutcome } from '../../src/views/readiness';

describe('Break-glass readiness in an untrusted workspace', () => {
  it('refuses with a clear message and journals nothing', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ext = vscode.extensions.getExtension('breakglass.breakglass');
    assert.ok(ext);
    await ext.activate();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    mkdirSync(join(folder, '.breakglass'), { recursive: true });
    const config = join(folder, '.breakglass', 'preflight.yaml');
    writeFileSync(config, 'clusters:\n  - name: staging\n    etcd:\n      endpoints: [http://127.0.0.1:9]\n');
    let outcome: ReadinessOutcome | undefined;
    try {
      outcome = await vscode.commands.executeCommand<ReadinessOutcome>('breakglass.checkReadiness');
    } finally {
      rmSync(config, { force: true });
    }
    assert.equal(outcome?.status, 'untrusted');
    assert.match(outcome!.message ?? '', /Restricted Mode/);
    assert.equal(outcome!.readiness, undefined);
    const journals = join(folder, '.breakglass', 'journal');
    assert.deepEqual(existsSync(journals) ? readdirSync(journals).filter((f) => f.startsWith('preflight-')) : [], []);
  });
});
