// `Breakglass: Check Break-Glass Readiness` inside the real VS Code extension host (trusted
// workspace): the preflight config in the workspace points at an etcd endpoint that refuses
// connections and at a simulated API server started here, in this process, whose `sim-breakglass`
// context lands in the exempt priority level. The command journals the result, and the open
// Runbook view's ```breakglass steps show their badges (as the page itself reports them).
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { RunbookPanel } from '../../src/views/runbookPanel';
import type { ReadinessOutcome } from '../../src/views/readiness';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { api, EXT_ID, folder, waiter, WEBVIEW_LOAD_MS } from './helpers';

const until = waiter(20_000);

/** A port on 127.0.0.1 where nothing listens. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const RUNBOOK = `---
runbook: true
title: Readiness
---
# Break-glass paths

\`\`\`breakglass {name=exempt-delete mode=real}
action: exempt-request
context: sim-breakglass
verb: delete
resource: daemonsets
namespace: monitoring
name: telemetry-agent
\`\`\`

\`\`\`breakglass {name=etcd-remove mode=real}
action: etcd-delete
keys: [/registry/daemonsets/monitoring/telemetry-agent]
\`\`\`

\`\`\`breakglass {name=stop-agents mode=real}
action: node-exec
clusters: [staging]
nodes: [10.0.0.1]
command: systemctl stop telemetry-agent
\`\`\`

\`\`\`sh {name=plain}
echo no badge here
\`\`\`
`;

describe('Break-glass readiness', function () {
  this.timeout(120_000);
  let served: ServedCluster | undefined;
  let deadPort = 0;
  let panel: RunbookPanel;
  const config = () => join(folder(), '.breakglass', 'preflight.yaml');
  const runbook = () => vscode.Uri.file(join(folder(), 'readiness.md'));

  before(async () => {
    await api();
    const sim = new Simulation(parseScenario('name: readiness\nclusters:\n  - name: staging\n    nodes: 10\n', 'readiness.yaml'));
    for (let i = 0; i < 5; i++) sim.step();
    served = await serveCluster(sim.clusters[0], { kubeconfigPath: join(folder(), '.breakglass', 'sim-kubeconfig') });
    deadPort = await closedPort();
    mkdirSync(dirname(config()), { recursive: true });
    writeFileSync(
      config(),
      `clusters:\n  - name: staging\n    etcd:\n      endpoints: [http://127.0.0.1:${deadPort}]\n    breakglass:\n      kubeconfig: sim-kubeconfig\n      context: sim-breakglass\n`,
    );
    writeFileSync(runbook().fsPath, RUNBOOK);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('breakglass').update('preflightConfig', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await served?.close();
    rmSync(config(), { force: true });
  });

  it('contributes and registers Check Break-Glass Readiness and its setting', async () => {
    const pkg = vscode.extensions.getExtension(EXT_ID)!.packageJSON as { contributes: { commands: { command: string; title: string }[]; configuration: { properties: Record<string, { default: unknown }> } } };
    assert.equal(pkg.contributes.commands.find((c) => c.command === 'breakglass.checkReadiness')?.title, 'Check Break-Glass Readiness');
    assert.equal(pkg.contributes.configuration.properties['breakglass.preflightConfig']?.default, '.breakglass/preflight.yaml');
    assert.ok((await vscode.commands.getCommands(true)).includes('breakglass.checkReadiness'));
  });

  it('before a check, the break-glass steps of an open runbook say "not checked"', async () => {
    const a = await api();
    const p = await a.openRunbook(runbook(), { resume: 'never' });
    assert.ok(p);
    panel = p;
    await until('the Runbook view to be ready', () => panel.isReady, WEBVIEW_LOAD_MS);
    const shown = await until('the page to draw the readiness of the three break-glass steps', () => (Object.keys(panel.readinessShown).length === 3 ? panel.readinessShown : undefined), 20_000, () => panel.readinessShown);
    assert.deepEqual(Object.keys(shown).sort(), ['etcd-remove', 'exempt-delete', 'stop-agents']);
    for (const [id, text] of Object.entries(shown)) assert.equal(text, 'not checked', id);
  });

  it('runs the preflight, journals it, and the steps show ready / not ready / not checked', async () => {
    const t0 = Date.now();
    const outcome = await vscode.commands.executeCommand<ReadinessOutcome>('breakglass.checkReadiness');
    assert.equal(outcome?.status, 'checked', JSON.stringify(outcome));
    assert.ok(Date.now() - t0 < 30_000, 'a refused etcd endpoint fails fast');
    const r = outcome.readiness!;
    assert.equal(r.config, config());
    const checks = r.clusters.find((c) => c.name === 'staging')!.checks;
    assert.deepEqual(checks.map((k) => [k.path, k.ok]), [['etcd', false], ['breakglass', true]]);

    // The journal: one `preflight` event in its own file, next to the run journals.
    const journal = r.journal!;
    assert.ok(journal && existsSync(journal), `journal ${journal}`);
    assert.equal(dirname(journal), join(folder(), '.breakglass', 'journal'));
    assert.match(basename(journal), /^preflight-\d{8}T\d{6}Z(-\d+)?\.jsonl$/);
    const text = readFileSync(journal, 'utf8');
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(events.length, 1);
    const ev = events[0] as { type: string; via: string; user: string; config: string; ok: boolean; clusters: { name: string; checks: { path: string; ok: boolean; detail: string }[] }[] };
    assert.equal(ev.type, 'preflight');
    assert.equal(ev.via, 'vscode');
    assert.ok(ev.user);
    assert.equal(ev.config, config());
    assert.equal(ev.ok, false);
    const etcd = ev.clusters[0].checks.find((k) => k.path === 'etcd')!;
    assert.equal(etcd.ok, false);
    assert.match(etcd.detail, new RegExp(`127\\.0\\.0\\.1:${deadPort}: connection refused`));
    const exempt = ev.clusters[0].checks.find((k) => k.path === 'breakglass')!;
    assert.equal(exempt.ok, true, exempt.detail);
    assert.ok(exempt.detail.startsWith(served!.url), exempt.detail);
    // Credentials of the break-glass context never reach the journal.
    assert.ok(!text.includes(served!.server.breakglassToken));
    assert.ok(!text.includes(served!.server.userToken));

    // The page draws each badge and says what it drew.
    const shown = await until(
      'the badges of the check',
      () => (/checked/.test(panel.readinessShown['exempt-delete'] ?? '') && /^not ready/.test(panel.readinessShown['etcd-remove'] ?? '') ? panel.readinessShown : undefined),
      20_000,
      () => panel.readinessShown,
    );
    assert.match(shown['exempt-delete'], /^ready · checked \S/);
    assert.match(shown['etcd-remove'], new RegExp(`^not ready: staging etcd: etcd is not reachable \\(settings\\): http://127\\.0\\.0\\.1:${deadPort}: connection refused .* · checked \\S`));
    assert.match(shown['stop-agents'], /^not checked: staging has no nodes path in preflight\.yaml · checked \S/);
    assert.equal(shown.plain, undefined, 'no badge on a shell step');
  });

  it('a missing preflight config: every badge says not checked, and why', async () => {
    await vscode.workspace.getConfiguration('breakglass').update('preflightConfig', '.breakglass/missing.yaml', vscode.ConfigurationTarget.Workspace);
    const outcome = await vscode.commands.executeCommand<ReadinessOutcome>('breakglass.checkReadiness');
    assert.equal(outcome?.status, 'config-error');
    assert.match(outcome.message ?? '', /missing\.yaml: not found/);
    const shown = await until('the badges to show the config error', () => (/missing\.yaml/.test(panel.readinessShown['exempt-delete'] ?? '') ? panel.readinessShown : undefined), 20_000, () => panel.readinessShown);
    for (const id of ['exempt-delete', 'etcd-remove', 'stop-agents']) assert.match(shown[id], /^not checked: .*missing\.yaml: not found/, id);
  });
});
