// A tabletop inside the real VS Code extension host (trusted workspace): the shipped seed scenario
// served on 127.0.0.1, the workspace in SIMULATED mode on it, a runbook step from the Runbook view
// marked on the exercise's timeline, the facilitator's clock and injections, a break-glass step on
// the cluster models, the report while running and at the end, and everything closed afterwards.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { HealthStatus } from '../../src/views/healthPanel';
import type { JournalEvent } from '../../src/runbook/events';
import type { Tabletop } from '../../src/tabletop/tabletop';
import type { TabletopReportFiles, TabletopStarted } from '../../src/views/tabletopPanel';
import { api, EXT_ID, folder, waiter } from './helpers';

const SCENARIO = 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml';
const RUNBOOK = 'runbooks/api-server-overload.md';

const until = waiter(30_000, 100);

/** A DaemonSet whose every pod lists every pod in the cluster (the seed incident's shape). */
const AGENT = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: monitoring}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: example.com/agent:1.0
`;

const analyze = (uri: vscode.Uri) => vscode.commands.executeCommand<{ profiles: { name: string; nodes: number }[] } | undefined>('breakglass.analyzeManifest', uri);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function journal(tt: Tabletop): JournalEvent[] {
  return readFileSync(tt.journal.file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as JournalEvent);
}

/** Whether an HTTPS server still accepts connections at url (any answer counts; a refusal does not). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/livez`, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

describe('Tabletop in VS Code', function () {
  this.timeout(120_000);
  let tt: Tabletop;
  let started: TabletopStarted;
  let exported: string | undefined;
  const runbook = () => vscode.Uri.file(join(folder(), RUNBOOK));

  before(async () => {
    const root = vscode.extensions.getExtension(EXT_ID)!.extensionPath;
    for (const f of [SCENARIO, RUNBOOK]) {
      mkdirSync(dirname(join(folder(), f)), { recursive: true });
      copyFileSync(join(root, f), join(folder(), f));
    }
    // Start from an empty window of one editor group, whatever earlier suites left open.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closeAllGroups');
  });

  after(async () => {
    const a = await api();
    if (a.tabletop()) await vscode.commands.executeCommand('breakglass.stopTabletop');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('contributes its commands', async () => {
    await api();
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['breakglass.startTabletop', 'breakglass.stopTabletop', 'breakglass.exportTabletopReport', 'breakglass.showFacilitator']) assert.ok(cmds.includes(c), `${c} is registered`);
    const pkg = vscode.extensions.getExtension(EXT_ID)!.packageJSON as { contributes: { commands: { command: string; title: string; category: string }[] } };
    const title = (id: string) => pkg.contributes.commands.find((c) => c.command === id);
    assert.equal(title('breakglass.startTabletop')?.title, 'Start Tabletop');
    assert.equal(title('breakglass.stopTabletop')?.title, 'End Tabletop');
    assert.equal(title('breakglass.exportTabletopReport')?.title, 'Export Tabletop Report');
    assert.equal(title('breakglass.showFacilitator')?.title, 'Show Facilitator Panel');
    assert.equal(title('breakglass.startTabletop')?.category, 'Breakglass');
  });

  it('refuses a malformed scenario and shows its problems with their lines', async () => {
    const a = await api();
    const file = join(folder(), 'runbooks', 'scenarios', 'broken-scenario.yaml');
    writeFileSync(file, 'name: broken\ndescription: x\nclusters:\n  - name: Bad_Name\n    nodes: -5\nevents: nope\n');
    const r = await vscode.commands.executeCommand('breakglass.startTabletop', { scenario: file, speed: 30 });
    assert.equal(r, undefined);
    assert.equal(a.tabletop(), undefined);
    const diags = await until('scenario diagnostics', () => {
      const d = vscode.languages.getDiagnostics(vscode.Uri.file(file));
      return d.length ? d : undefined;
    });
    assert.deepEqual(diags.map((d) => d.range.start.line).sort(), [3, 4, 5]);
    assert.ok(diags.every((d) => d.source === 'breakglass' && d.severity === vscode.DiagnosticSeverity.Error));
    assert.ok(diags.some((d) => /nodes must be a number/.test(d.message)), diags.map((d) => d.message).join('; '));
  });

  it('starts on the seed scenario: SIMULATED mode on its kubeconfig, the facilitator panel, terminals', async () => {
    const a = await api();
    const r = await vscode.commands.executeCommand<TabletopStarted>('breakglass.startTabletop', { scenario: SCENARIO, speed: 30 });
    assert.ok(r, 'Start Tabletop returns what it started');
    started = r;
    tt = a.tabletop()!;
    assert.ok(tt, 'a tabletop runs');
    assert.equal(r.scenario, 'telemetry-rollout-2024-12-11');
    assert.deepEqual([...r.clusters].sort(), ['prod-east', 'prod-west', 'staging']);
    assert.equal(r.focus, 'prod-east', 'the largest cluster is the current context');
    assert.equal(r.kubeconfig, tt.kubeconfig);
    assert.ok(existsSync(r.kubeconfig));
    assert.equal(a.mode(), 'SIMULATED');
    assert.ok(r.journal.startsWith(join(folder(), '.breakglass', 'journal')), r.journal);

    const f = await until('the facilitator panel to load and show the exercise', () => {
      const s = a.facilitator();
      return s.open && s.ready && s.drawn && s.state?.scenario === r.scenario ? s : undefined;
    });
    assert.equal(f.terminalKubeconfig, tt.kubeconfig, 'new terminals get the tabletop kubeconfig');
    assert.equal(f.state!.running, true);
    assert.ok(f.state!.events.some((e) => e.kind && e.simT === 0), 'the T+0 events are shown');
    assert.ok(journal(tt).some((e) => e.type === 'sim-activity' && e.activity === 'facilitator-panel-opened'));

    // The manifest analyzer prices workloads at the exercise's clusters, by their names and sizes.
    const manifest = vscode.Uri.file(join(folder(), 'tabletop-agent.yaml'));
    writeFileSync(manifest.fsPath, AGENT);
    const analysed = await until("the analyzer to use the tabletop's clusters", async () => {
      const x = await analyze(manifest);
      return x && x.profiles.map((p) => p.name).sort().join() === 'prod-east,prod-west,staging' ? x : undefined;
    });
    assert.deepEqual(Object.fromEntries(analysed.profiles.map((p) => [p.name, p.nodes])), { staging: 40, 'prod-west': 2500, 'prod-east': 5000 });

    // One at a time.
    const again = await vscode.commands.executeCommand('breakglass.startTabletop', { scenario: SCENARIO, speed: 30 });
    assert.equal(again, undefined);
    assert.equal(a.tabletop(), tt);
  });

  it("runs a step from the workspace's Runbook view against the tabletop and marks it on the timeline", async () => {
    const a = await api();
    const panel = await a.openRunbook(runbook(), { resume: 'never' });
    assert.ok(panel);
    // The tabletop's layout: the runbook and the facilitator side by side, neither hiding the other.
    const shown = () => Object.fromEntries(vscode.window.tabGroups.all.map((g) => [g.viewColumn, g.activeTab?.label ?? '']));
    await until('the runbook in the second column, the facilitator in the third', () => {
      const v = shown();
      return /^Runbook:/.test(v[2] ?? '') && /^Facilitator:/.test(v[3] ?? '') ? v : undefined;
    }, 10_000, shown);
    assert.equal(panel.currentSession.target.mode, 'sim');
    assert.equal(panel.currentSession.target.kubeconfig, tt.kubeconfig, 'the Runbook view runs on the tabletop kubeconfig');
    assert.equal(panel.currentSession.target.context, 'prod-east');
    const before = tt.requests.total + tt.requests.exempt;
    // Through the break-glass context (exempt from API Priority and Fairness): it answers even
    // once the agents saturate prod-east, which at ×30 happens within seconds.
    // Even the exempt level needs a replica that is up: at ×30 prod-east's replicas crash-loop, and
    // the step says so and fails; run it again as its message says, as a person would.
    let state: unknown;
    for (let i = 0; i < 6 && state !== 'succeeded'; i++) {
      if (i) await new Promise((r) => setTimeout(r, 1000));
      state = await vscode.commands.executeCommand('breakglass.runStep', runbook(), 'apf-rejections');
      if (state !== 'succeeded') assert.match(a.stepStates(runbook())!['apf-rejections'].output, /no API server replica answered/);
    }
    assert.equal(state, 'succeeded', JSON.stringify(a.stepStates(runbook())!['apf-rejections']));
    const out = a.stepStates(runbook())!['apf-rejections'].output;
    assert.match(out, /^apiserver_flowcontrol_/m, 'the metrics of the simulated API server');
    assert.ok(tt.requests.total + tt.requests.exempt > before, `kubectl in the step reached the tabletop's API server (${JSON.stringify(tt.requests)})`);
    const marker = journal(tt).find((e) => e.type === 'sim-step' && e.stepId === 'apf-rejections' && e.state === 'succeeded');
    assert.ok(marker, 'the step is a sim-step marker in the journal');
    assert.equal(marker.type === 'sim-step' && basename(marker.runbook), 'api-server-overload.md');
    await until('the marker on the facilitator chart', () => {
      const s = a.facilitator();
      return s.state?.markers.some((m) => m.stepId === 'apf-rejections') && (s.drawn?.markers ?? 0) >= 1;
    });

    // Looking at the cluster's health during the exercise counts as diagnosis.
    // The runbook's own ```health panel came into view with the Runbook view…
    await until("the runbook's health panel as activity", () => journal(tt).some((e) => e.type === 'sim-activity' && e.activity === 'health-panel-opened' && /health panel\(s\)/.test(e.detail ?? ''))).catch((e: Error) => {
      const acts = journal(tt).filter((x) => x.type === 'sim-activity');
      throw new Error(`${e.message}; activity so far: ${JSON.stringify(acts)}; panel: ${JSON.stringify((panel as unknown as { ready: boolean; health: unknown[] }).ready)} ${(panel as unknown as { health: unknown[] }).health.length} bindings, visible ${(panel as unknown as { panel: vscode.WebviewPanel }).panel.visible}`);
    });
    // …and the standalone panel counts too.
    await vscode.commands.executeCommand('breakglass.showClusterHealth');
    await until('the health panel as activity', () => journal(tt).some((e) => e.type === 'sim-activity' && e.activity === 'health-panel-opened' && e.detail === 'Breakglass: Show Cluster Health'));
    // It offers every cluster of the exercise (to compare side by side), shows the focus cluster
    // first, and its poller falls back on that cluster's exempt break-glass context.
    const hs = await until('the standalone page to offer the clusters', async () => {
      const st = await vscode.commands.executeCommand<HealthStatus>('breakglass.healthStatus');
      return st?.standalone?.choices.length ? st : undefined;
    });
    assert.deepEqual(hs.standalone, { choices: ['staging', 'prod-east', 'prod-west'], shown: ['prod-east'] });
    const main = hs.panels.find((p) => p.where === 'standalone' && p.id === 'main');
    const poller = hs.pollers.find((p) => p.key === main?.key);
    assert.equal(poller?.context, 'prod-east');
    assert.equal(poller?.fallback, 'prod-east-breakglass');
  });

  it('pausing the clock stops simulated time; play starts it again', async () => {
    const a = await api();
    assert.equal(await a.facilitatorIntent({ type: 'ttPause' }), true);
    assert.equal(tt.clock.state.paused, true);
    const t1 = tt.now();
    await sleep(1500);
    assert.equal(tt.now(), t1, 'simulated time stands still while paused');
    await until('the panel to show the clock paused', () => a.facilitator().state?.clock.paused);
    assert.ok(journal(tt).some((e) => e.type === 'sim-clock' && e.action === 'pause'));
    assert.equal(await a.facilitatorIntent({ type: 'ttPlay' }), true);
    await until('simulated time to move again', () => tt.now() > t1);
  });

  it('an injected API-server kill is journaled as injected and shown in the panel', async () => {
    const a = await api();
    assert.equal(await a.facilitatorIntent({ type: 'ttInject', action: 'rm -rf', cluster: 'prod-east' }), false, 'an unknown injection is refused');
    assert.equal(await a.facilitatorIntent({ type: 'ttInject', action: 'kill-apiserver', cluster: 'nope' }), true, 'well-formed, but no such cluster: refused by the host');
    assert.ok(!journal(tt).some((e) => e.type === 'sim-event' && !!e.injectedBy));
    // staging is healthy (prod-east's replicas may all be down already under the agents' load).
    assert.equal(await a.facilitatorIntent({ type: 'ttInject', action: 'kill-apiserver', cluster: 'staging' }), true);
    const ev = journal(tt).find((e) => e.type === 'sim-event' && e.cluster === 'staging' && !!e.injectedBy);
    assert.ok(ev, 'an injected sim-event for staging');
    await until('the injected event in the panel', () => a.facilitator().state?.events.some((e) => e.cluster === 'staging' && e.injectedBy));
    await until('the page to draw it', () => (a.facilitator().drawn?.events ?? 0) > 0);
  });

  it("an injected deploy of one of the scenario's workloads: offered on the page, other names refused, journaled as injected", async () => {
    const a = await api();
    assert.deepEqual(a.facilitator().state?.workloads, [{ namespace: 'monitoring', name: 'telemetry-agent', kind: 'DaemonSet' }], "the scenario's workloads, posted with the state");
    await until('the page to offer it', () => a.facilitator().drawn?.workloads === 1);
    const deployed = () => journal(tt).filter((e) => e.type === 'sim-event' && e.kind === 'workload-deployed' && !!e.injectedBy);
    assert.equal(await a.facilitatorIntent({ type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'monitoring', name: 'other-agent' }), true, 'well-formed, but not in the scenario: refused by the host');
    assert.equal(await a.facilitatorIntent({ type: 'ttInject', action: 'deploy', cluster: 'staging' }), false, 'a deploy without a workload is not even an intent');
    assert.equal(deployed().length, 0);

    assert.equal(await a.facilitatorIntent({ type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'monitoring', name: 'telemetry-agent' }), true);
    const ev = deployed();
    assert.equal(ev.length, 1, JSON.stringify(ev));
    assert.ok(ev[0].type === 'sim-event');
    assert.equal(ev[0].cluster, 'staging', 'staging only');
    assert.match(ev[0].detail, /^DaemonSet monitoring\/telemetry-agent (applied|deployed) again \(40 pods, one per node; \d+ agents running/);
    await until('the injected deploy in the panel', () => a.facilitator().state?.events.some((e) => e.kind === 'workload-deployed' && e.cluster === 'staging' && e.injectedBy));
    // The agents keep running on staging (a deploy again does not stop them).
    await until("staging's agents running", () => (tt.readings[tt.readings.length - 1]?.clusters.staging?.offendingRps ?? 0) > 0);
  });

  it("a break-glass step acts on the tabletop's models: the focus cluster's offending load drops", async () => {
    const a = await api();
    const offending = () => tt.readings[tt.readings.length - 1]?.clusters['prod-east']?.offendingRps ?? 0;
    const loaded = await until('the agents to load prod-east', () => offending() > 0 && offending(), 60_000);
    const state = await vscode.commands.executeCommand('breakglass.runStep', runbook(), 'stop-agents-on-nodes');
    assert.equal(state, 'succeeded', a.stepStates(runbook())!['stop-agents-on-nodes'].output.slice(-2000));
    await until(`prod-east's offending load to drop from ${loaded} req/s`, () => offending() < loaded * 0.05, 30_000);
    assert.ok(journal(tt).some((e) => e.type === 'sim-step' && e.stepId === 'stop-agents-on-nodes' && e.state === 'succeeded'));
  });

  it('exports the report while running: the scores so far and the SVG chart', async () => {
    const files = await vscode.commands.executeCommand<TabletopReportFiles>('breakglass.exportTabletopReport');
    assert.ok(files, 'the export returns its files');
    assert.equal(files.final, false);
    assert.equal(dirname(files.report), join(folder(), '.breakglass', 'reports'));
    assert.match(basename(files.report), /^tabletop-telemetry-rollout-2024-12-11-\d{8}T\d{6}Z(-\d+)?\.md$/);
    const md = readFileSync(files.report, 'utf8');
    assert.match(md, /## Scores/);
    assert.match(md, /\| Measure \| This exercise \| Seed incident \|/);
    assert.match(md, /Scores so far: the exercise is still running/);
    assert.match(md.trimEnd().split('\n').pop()!, /^- T\+\S+ report exported; the exercise goes on$/, 'the timeline ends with the export');
    assert.doesNotMatch(md, /exercise ended/);
    assert.match(md, /`stop-agents-on-nodes` succeeded/);
    assert.ok(md.includes(`](${basename(files.chart)})`), 'the markdown embeds the chart');
    assert.ok(existsSync(files.chart));
    assert.match(readFileSync(files.chart, 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
    exported = files.report;
  });

  it('ends the tabletop: report written, mode back, terminals and servers closed', async () => {
    const a = await api();
    const urls = [...readFileSync(tt.kubeconfig, 'utf8').matchAll(/server: "?(https:\/\/127\.0\.0\.1:\d+)"?$/gm)].map((m) => m[1]);
    assert.equal(urls.length, 3);
    assert.ok(await answers(urls[0]), 'the servers answer while the exercise runs');
    const kubeconfig = tt.kubeconfig;
    const files = await vscode.commands.executeCommand<TabletopReportFiles>('breakglass.stopTabletop');
    assert.ok(files, 'End Tabletop returns the report');
    assert.equal(files.final, true);
    assert.equal(files.report, exported, 'one report per exercise: the end rewrites the exported one');
    assert.deepEqual(readdirSync(dirname(files.report)).filter((f) => f.endsWith('.md') && f.startsWith('tabletop-telemetry-rollout')), [basename(files.report)]);
    const md = readFileSync(files.report, 'utf8');
    assert.match(md, /\| Measure \| This exercise \| Seed incident \|/);
    assert.doesNotMatch(md, /Scores so far/);
    assert.ok(existsSync(files.chart));

    assert.equal(a.tabletop(), undefined);
    assert.equal(tt.isStopped, true);
    assert.equal(a.mode(), 'SIMULATED');
    assert.notEqual(a.panelFor(runbook())!.currentSession.target.kubeconfig, kubeconfig, 'the Runbook view left the tabletop');
    const f = a.facilitator();
    assert.equal(f.terminalKubeconfig, undefined, 'new terminals no longer get the tabletop kubeconfig');
    assert.equal(f.state?.running, false);
    for (const u of urls) assert.equal(await answers(u), false, `${u} is closed`);
    assert.equal(existsSync(kubeconfig), false, 'the kubeconfig is removed');
    const events = journal(tt);
    assert.equal(events[events.length - 1].type, 'tabletop-finished');
    assert.equal(started.journal, tt.journal.file);

    // After the end the report can still be exported (final), and a break-glass step is refused again.
    const again = await vscode.commands.executeCommand<TabletopReportFiles>('breakglass.exportTabletopReport');
    assert.equal(again?.final, true);
    assert.equal(again?.report, files.report, 'the same report, again');
    const after = await until('the default profiles back', async () => {
      const x = await analyze(vscode.Uri.file(join(folder(), 'tabletop-agent.yaml')));
      return x && !x.profiles.some((p) => p.name === 'prod-east') ? x : undefined;
    });
    assert.ok(after.profiles.length >= 2);
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', runbook(), 'remove-from-etcd'), 'failed');
    assert.match(a.stepStates(runbook())!['remove-from-etcd'].reason ?? '', /start one/);
  });
});
