// The connected cluster's live size becomes one more estimate profile (read cheaply from the
// simulated API server's apiserver_storage_objects), inside the real VS Code extension host.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BreakglassApi } from '../../src/extension';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';

async function lenses(uri: vscode.Uri): Promise<string[]> {
  const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return l.map((x) => x.command?.title ?? '');
}

describe('Manifest load analysis with a connected cluster', () => {
  let served: ServedCluster | undefined;
  after(async () => {
    await vscode.workspace.getConfiguration('breakglass').update('simulatedKubeconfig', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
    await served?.close();
  });

  it('adds the live cluster size as a profile in the CodeLens', async () => {
    const ext = vscode.extensions.getExtension<BreakglassApi>('breakglass.breakglass')!;
    if (!ext.isActive) await ext.activate();
    const sim = new Simulation(parseScenario('name: live\nclusters:\n  - name: east\n    nodes: 3000\n    podsPerNode: 20\n'));
    served = await serveCluster(sim.clusters[0]);
    await vscode.workspace.getConfiguration('breakglass').update('simulatedKubeconfig', served.kubeconfig, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
    const uri = vscode.Uri.file(join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'manifests', 'telemetry.yaml'));
    await vscode.window.showTextDocument(uri);
    const end = Date.now() + 30_000;
    let titles: string[] = [];
    while (Date.now() < end) {
      titles = await lenses(uri);
      if (titles.some((t) => /live sim/.test(t))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(titles.some((t) => /at live sim/.test(t)), `lenses: ${JSON.stringify(titles)}`);
  });
});
