// Cluster-health panels inside the real VS Code extension host (trusted workspace), against a
// simulated API server started here, in this process: the standalone panel reaches `healthy`,
// a ```health fence in the Runbook view shares its poller, and closing the panels stops the
// requests (counted by the server itself).
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HealthStatus } from '../../src/views/healthPanel';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { SimClock } from '../../src/sim/clock';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { api, folder, waiter, WEBVIEW_LOAD_MS } from './helpers';

const POLLER_AGENT = 'breakglass-health/0.1';

async function status(): Promise<HealthStatus> {
  const s = await vscode.commands.executeCommand<HealthStatus>('breakglass.healthStatus');
  assert.ok(s, 'breakglass.healthStatus answers');
  return s;
}

/** Waits for fn() to be truthy; the timeout error shows what the panels were doing. */
const until = waiter(30_000, 100, async () => {
  const st = await vscode.commands.executeCommand<HealthStatus>('breakglass.healthStatus');
  return st && { registrySize: st.registrySize, pollers: st.pollers.map((p) => ({ ...p, kubeconfig: undefined })), panels: st.panels.map((p) => ({ ...p, snapshot: p.snapshot && { state: p.snapshot.state, summary: p.snapshot.summary, error: p.snapshot.error } })) };
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests the panels' poller sent, as the simulated API server counted them (/sim/v1/clients). */
function pollerRequests(served: ServedCluster): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${served.url}/sim/v1/clients`, { ca: served.server.caPem, headers: { 'User-Agent': 'breakglass-integration-test' }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const clients = (JSON.parse(body) as { clients: { userAgent: string; requestsTotal: number }[] }).clients;
          resolve(clients.filter((c) => c.userAgent === POLLER_AGENT).reduce((n, c) => n + c.requestsTotal, 0));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('/sim/v1/clients did not answer')));
  });
}

async function setSimKubeconfig(file: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('breakglass').update('simulatedKubeconfig', file, vscode.ConfigurationTarget.Workspace);
  // The mode follows the setting; entering SIMULATED mode again reads it as well.
  await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
}

describe('Cluster health panels', function () {
  this.timeout(180_000);
  let served: ServedCluster | undefined;
  let clock: SimClock | undefined;
  let sizeBefore = 0;

  before(async () => {
    await api();
    sizeBefore = (await status()).registrySize;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setSimKubeconfig(undefined);
    clock?.stop();
    await served?.close();
  });

  it('says clearly when no cluster is configured, and how to get one', async () => {
    await setSimKubeconfig(undefined);
    assert.equal(await vscode.commands.executeCommand('breakglass.showClusterHealth'), 'opened');
    const main = await until('the standalone panel to say what it watches', async () => (await status()).panels.find((p) => p.where === 'standalone' && p.status));
    assert.equal(main.status, 'none');
    assert.equal(main.subscribed, false);
    assert.match(main.label ?? '', /no cluster configured/);
    assert.equal((await status()).registrySize, sizeBefore, 'no poller without a cluster');
  });

  it('the open panel follows the target to a simulated cluster and reaches healthy', async () => {
    const scenario = parseScenario('name: health-panels\nclusters:\n  - name: small\n    nodes: 10\n', 'health-panels.yaml');
    const sim = new Simulation(scenario);
    // A few simulated seconds first: the APF gauges (limit, queues) exist from the first step on.
    for (let i = 0; i < 5; i++) sim.step();
    served = await serveCluster(sim.clusters[0]);
    clock = new SimClock(sim, 1);
    clock.start();
    // The panel stays open: it follows the setting (and the mode) by itself.
    await setSimKubeconfig(served.kubeconfig);
    const main = await until('the panel to reach healthy', async () => {
      const p = (await status()).panels.find((x) => x.where === 'standalone');
      return p?.snapshot?.state === 'healthy' ? p : undefined;
    });
    assert.equal(main.status, 'watching');
    assert.equal(main.subscribed, true);
    assert.match(main.label ?? '', /^SIMULATED: small \(context sim\)$/);
    const snap = main.snapshot!;
    assert.equal(snap.readyz?.value.ok, true);
    assert.equal(snap.readyz?.source, '/readyz?verbose via sim');
    assert.ok(snap.inflight && snap.limit, `in-flight and limit read from /metrics: ${JSON.stringify(snap)}`);
    assert.equal(snap.inflight.source, '/metrics via sim');
    assert.ok(snap.nodesReadySample && snap.nodesReadySample.value.total === 10, JSON.stringify(snap.nodesReadySample));
    const st = await status();
    assert.equal(st.registrySize, sizeBefore + 1);
    const poller = st.pollers.find((p) => p.key === main.key)!;
    assert.ok(poller, 'the panel poller is in the registry');
    assert.equal(poller.kubeconfig, served.kubeconfig);
    assert.equal(poller.context, 'sim');
    assert.ok(poller.cost.requests >= 2 && poller.cost.requests <= 12, `cost of the first poll: ${JSON.stringify(poller.cost)}`);
    // The server counts the requests that reach the Kubernetes API (not its own /sim/v1/clients).
    const counted = await pollerRequests(served);
    assert.ok(counted > 0 && counted <= poller.cost.requests, `the server counted ${counted}, the poller says it sent ${poller.cost.requests}`);
  });

  it('a hidden panel unsubscribes, and subscribes again when shown', async () => {
    const column = vscode.window.tabGroups.activeTabGroup.viewColumn;
    const key = (await status()).panels.find((x) => x.where === 'standalone')!.key;
    // Another editor in the panel's group hides it.
    await vscode.window.showTextDocument(vscode.Uri.file(join(folder(), 'hello.md')), { viewColumn: column, preview: false });
    await until('the hidden panel to unsubscribe', async () => {
      const st = await status();
      const main = st.panels.find((x) => x.where === 'standalone');
      return main && !main.active && !main.subscribed && st.pollers.find((p) => p.key === key)?.watchers === 0;
    });
    assert.equal(await vscode.commands.executeCommand('breakglass.showClusterHealth'), 'revealed');
    await until('the panel, shown again, to subscribe', async () => {
      const st = await status();
      const main = st.panels.find((x) => x.where === 'standalone');
      return main?.subscribed && st.pollers.find((p) => p.key === key)?.watchers === 1;
    });
  });

  it('a ```health fence in the Runbook view subscribes to the same poller', async () => {
    const a = await api();
    const file = join(folder(), 'health-panel.md');
    writeFileSync(
      file,
      '---\nrunbook: true\ntitle: Health panel\n---\n# Health\n\n```health {name=api-health title="API server" signals=readyz,load,apf,size,dns,clients}\n```\n\n```sh {name=delete-as-breakglass}\nkubectl --context sim-breakglass get nodes\n```\n',
    );
    const uri = vscode.Uri.file(file);
    const panel = await a.openRunbook(uri, { resume: 'never' });
    assert.ok(panel);
    await until('the Runbook view to be ready', () => panel.isReady, WEBVIEW_LOAD_MS);
    const fence = await until('the fence to show a snapshot', async () => {
      const p = (await status()).panels.find((x) => x.where === 'runbook' && x.id === 'api-health');
      return p?.snapshot ? p : undefined;
    });
    const st = await status();
    const main = st.panels.find((x) => x.where === 'standalone')!;
    assert.equal(fence.page, file);
    assert.equal(fence.key, main.key, 'same cluster key as the standalone panel');
    assert.equal(st.registrySize, sizeBefore + 1, 'no second poller');
    const poller = st.pollers.find((p) => p.key === fence.key)!;
    const subscribed = st.panels.filter((p) => p.key === fence.key && p.subscribed).length;
    assert.equal(poller.watchers, subscribed, 'every visible panel of the cluster is one watcher of the one poller');
    assert.ok(subscribed >= 1);
    assert.match(panel.webviewPanel.webview.html, /class="bg-health" data-health-id="api-health"/);
    assert.match(panel.webviewPanel.webview.html, /data-breakglass-steps="delete-as-breakglass"/);
    assert.match(panel.webviewPanel.webview.html, /uPlot\.min\.css/);
  });

  it('polls while a panel is visible, and sends nothing once the panels are closed', async () => {
    assert.ok(served);
    const key = (await status()).panels.find((x) => x.where === 'standalone')!.key!;
    // While open: the next poll (15 s later) reaches the server.
    const before = await pollerRequests(served);
    await until('another poll while the panels are open', async () => (await pollerRequests(served!)) > before, 25_000);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('every panel of the cluster to unsubscribe', async () => {
      const st = await status();
      const p = st.pollers.find((x) => x.key === key);
      return p && p.watchers === 0 && !st.panels.some((x) => x.subscribed) ? st : undefined;
    });
    // A poll under way when the last panel closed may still send its remaining reads: let it end.
    await sleep(3000);
    const closedAt = await pollerRequests(served);
    // Longer than the poller's interval (15 s): an orphaned poller would have polled again.
    await sleep(20_000);
    assert.equal(await pollerRequests(served), closedAt, 'no request after the panels closed');
    const st = await status();
    assert.equal(st.pollers.find((x) => x.key === key)?.watchers, 0);
    assert.equal(st.registrySize, sizeBefore + 1);
  });
});
