// In VS Code's extension host (trusted): SIMULATED mode hands no step a real cluster, whatever the
// extension host's own environment says (KUBECONFIG at a real kubeconfig, in-cluster variables)
// and even when breakglass.simulatedKubeconfig names a real cluster's file.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, folder } from './helpers';

describe('SIMULATED mode never reaches a real cluster (in VS Code)', function () {
  this.timeout(60_000);
  const saved = { KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT: process.env.KUBERNETES_SERVICE_PORT };
  let uri: vscode.Uri;

  before(async () => {
    const file = join(folder(), 'sim-isolation.md');
    writeFileSync(
      file,
      '---\nrunbook: true\ntitle: Sim isolation\n---\n\n```bash {name=where}\necho "KC=$KUBECONFIG"\ngrep "server:" "$KUBECONFIG"\nenv | grep -E "^KUBERNETES_SERVICE" || echo "no in-cluster variables"\n```\n',
    );
    uri = vscode.Uri.file(file);
    // The extension host's environment points at a "real" cluster.
    process.env.KUBECONFIG = join(folder(), 'kubeconfig.yaml');
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '6443';
    await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await vscode.workspace.getConfiguration('breakglass').update('simulatedKubeconfig', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(uri.fsPath, { force: true });
  });

  it('a step gets the placeholder kubeconfig, not $KUBECONFIG, and no in-cluster variables', async () => {
    const a = await api();
    assert.equal(a.mode(), 'SIMULATED');
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'where'), 'succeeded');
    const out = a.stepStates(uri)!.where.output;
    assert.match(out, /KC=\S*placeholder-kubeconfig\n/);
    assert.ok(!out.includes('kubeconfig.yaml'), out);
    assert.match(out, /server: https:\/\/127\.0\.0\.1:0\n/);
    assert.match(out, /no in-cluster variables/);
  });

  it('a real cluster\'s kubeconfig in breakglass.simulatedKubeconfig is refused: the step fails and says why', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('breakglass').update('simulatedKubeconfig', join(folder(), 'kubeconfig.yaml'), vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'where'), 'failed');
    const rt = a.stepStates(uri)!.where;
    assert.match(rt.reason ?? '', /is not a simulated cluster's kubeconfig/);
    assert.ok(!/KC=/.test(rt.output), 'the step did not run');
  });
});
