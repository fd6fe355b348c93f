// Tabletop exercises: the terminal drill on the seed incident recovers the production clusters
// through the shipped runbook's break-glass steps and not without them; the report carries the
// scores and a chart. The parts: scoring, injections, the exercise's kubeconfig, its clock and
// the count of participants' own requests to a saturated API server.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseInjection } from '../../src/cli/tabletop';
import type { JournalEvent, SimClusterReading } from '../../src/runbook/events';
import { readJournal } from '../../src/runbook/journal';
import { parseScenario, scenarioWorkloads } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { renderChartSvg } from '../../src/tabletop/chart';
import { renderTabletopReport } from '../../src/tabletop/report';
import { REFERENCE_ALL_CLEAR_SECONDS, score, type Scores } from '../../src/tabletop/score';
import { Tabletop } from '../../src/tabletop/tabletop';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.js');
const SEED = join(ROOT, 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const RUNBOOK = join(ROOT, 'runbooks/api-server-overload.md');

/** kubectl on PATH; where it is the version dispatcher, a PATH whose kubectl is the real 1.31 binary. */
function kubectlPath(dir: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'kubectl');
    if (!existsSync(p)) continue;
    const v = join(dirname(realpathSync(p)), 'kubectl.1.31');
    if (!existsSync(v)) return process.env.PATH;
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(v, join(bin, 'kubectl'));
    return `${bin}${delimiter}${process.env.PATH}`;
  }
  return undefined;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => res({ code: code ?? -1, out, err }));
  });
}

const reading = (o: Partial<SimClusterReading> = {}): SimClusterReading => ({ load: 0.2, rejectedPerSecond: 0, replicasReady: 3, replicas: 3, dnsSuccess: 1, errorRatio: 0, offendingRps: 0, pending: 0, ...o });

describe('tabletop scoring', () => {
  const bad = reading({ load: 1.2, rejectedPerSecond: 40, errorRatio: 0.2, offendingRps: 300 });
  const samples = [
    { simT: 0, clusters: { a: reading(), b: reading() } },
    { simT: 60, clusters: { a: bad, b: reading() } },
    { simT: 120, clusters: { a: bad, b: reading({ errorRatio: 0.05 }) } },
    { simT: 180, clusters: { a: reading({ errorRatio: 0.03 }), b: reading() } },
    { simT: 240, clusters: { a: reading(), b: reading() } },
    { simT: 300, clusters: { a: reading(), b: reading() } },
  ];
  const requests = { total: 5, whileSaturated: 3, refused: 2, exempt: 1 };

  it('measures detect, mitigate and recover from the impact, per cluster and overall', () => {
    const s = score({ samples, activity: [{ simT: 30, what: 'too early' }, { simT: 90, what: 'step readyz' }], recoveredErrorRatio: 0.01, hasOffender: true, requests, endT: 300 });
    assert.equal(s.impactAt, 60);
    assert.equal(s.impactCluster, 'a');
    assert.equal(s.timeToDetect, 30);
    assert.equal(s.detectedBy, 'step readyz');
    assert.equal(s.mitigateAt, 180, 'the offender stopped sending at T+180');
    assert.equal(s.timeToMitigate, 120);
    assert.deepEqual(s.clusters, [
      { name: 'a', impactedAt: 60, recoveredAt: 240 },
      { name: 'b', impactedAt: 120, recoveredAt: 180 },
    ]);
    assert.equal(s.recovered, true);
    assert.equal(s.timeToRecover, 180);
    assert.equal(s.reference.allClearSeconds, REFERENCE_ALL_CLEAR_SECONDS);
    assert.deepEqual(s.requests, requests);
  });

  it('a cluster unhealthy at the end has not recovered; no impact means nothing to score', () => {
    const s = score({ samples: [...samples, { simT: 360, clusters: { a: bad, b: reading() } }], activity: [], recoveredErrorRatio: 0.01, hasOffender: true, requests, endT: 360 });
    assert.equal(s.recovered, false);
    assert.equal(s.timeToRecover, undefined);
    assert.equal(s.timeToDetect, undefined);
    assert.equal(s.mitigateAt, undefined, 'the offender is back at the end');
    const calm = score({ samples: [samples[0]], activity: [], recoveredErrorRatio: 0.01, hasOffender: true, requests, endT: 0 });
    assert.equal(calm.impactAt, undefined);
    assert.equal(calm.recovered, false);
  });

  it('the chart has one series per signal and cluster, and a marker per step', () => {
    const svg = renderChartSvg({ title: 'x <y>', samples, markers: [{ simT: 90, kind: 'step', label: 'readyz', ok: true, tag: '1' }, { simT: 150, kind: 'event', label: 'kill' }], recoveredErrorRatio: 0.01 });
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 6);
    assert.equal((svg.match(/<title>/g) ?? []).length, 4, 'two markers on each of two clusters');
    assert.match(svg, /x &lt;y&gt;/, 'text is escaped');
  });

  it('parses injections and refuses unknown clusters and shapes', () => {
    assert.deepEqual(parseInjection(['kill-apiserver', 'east'], ['east', 'west']), { action: { action: 'kill-apiserver', replicas: 1 }, clusters: ['east'] });
    assert.deepEqual(parseInjection(['block', 'monitoring/agent'], ['east']), { action: { action: 'block-client', namespace: 'monitoring', name: 'agent' }, clusters: [] });
    assert.match(parseInjection(['kill-apiserver', 'north'], ['east']) as string, /no cluster 'north'/);
    assert.match(parseInjection(['scale-apiserver', 'x'], ['east']) as string, /N from 1 to 50/);
    assert.match(parseInjection(['explode'], ['east']) as string, /^inject ACTION/);
  });

  it("parses `deploy NS/NAME [CLUSTER]`: one of the scenario's workloads, whole; other names refused", () => {
    const scenario = parseScenario(readFileSync(SEED, 'utf8'), SEED);
    const workloads = scenarioWorkloads(scenario);
    const clusters = scenario.clusters.map((c) => c.name);
    assert.deepEqual(workloads.map((w) => `${w.namespace}/${w.name}`), ['monitoring/telemetry-agent']);
    const r = parseInjection(['deploy', 'monitoring/telemetry-agent', 'staging'], clusters, workloads);
    assert.ok(typeof r !== 'string', r as string);
    assert.deepEqual(r.clusters, ['staging']);
    assert.equal(r.action.action, 'deploy');
    assert.equal(r.action.action === 'deploy' && r.action.workload, workloads[0], "the scenario's own definition: kind, calls, rollout");
    assert.deepEqual(parseInjection(['deploy', 'monitoring/telemetry-agent'], clusters, workloads), { action: { action: 'deploy', workload: workloads[0] }, clusters: [] }, 'no cluster: every cluster');
    assert.match(parseInjection(['deploy', 'monitoring/other'], clusters, workloads) as string, /^no workload 'monitoring\/other' in this scenario \(workloads: monitoring\/telemetry-agent\)/);
    assert.match(parseInjection(['deploy', 'monitoring/telemetry-agent'], clusters) as string, /no workload .* \(it has none\)/, 'without the list nothing is deployable');
    assert.match(parseInjection(['deploy'], clusters, workloads) as string, /^deploy NS\/NAME: one of the scenario's workloads \(monitoring\/telemetry-agent\)/);
    assert.match(parseInjection(['deploy', 'telemetry-agent'], clusters, workloads) as string, /^deploy NS\/NAME/);
    assert.match(parseInjection(['deploy', 'monitoring/telemetry-agent', 'north'], clusters, workloads) as string, /no cluster 'north'/);
    assert.match(parseInjection(['explode'], clusters, workloads) as string, /deploy NS\/NAME/, 'the usage names it');
  });
});

describe('a workload deployed again (an injection)', () => {
  const agents = (c: { snapshot(): { workloadPods?: Record<string, number> } }): number => c.snapshot().workloadPods?.['monitoring/telemetry-agent'] ?? 0;

  it('over a running one: its agents carry on; after a stop: a second rollout from none, at its rollout pace; a network block stays', () => {
    const scenario = parseScenario(readFileSync(SEED, 'utf8'), SEED);
    const [agent] = scenarioWorkloads(scenario);
    const sim = new Simulation(scenario);
    const staging = sim.cluster('staging')!;
    const details: string[] = [];
    staging.onEvent((e) => details.push(`${e.kind}: ${e.detail}`));
    for (let i = 0; i < 180; i++) sim.step(1);
    assert.equal(agents(staging), 40, 'rolled out on every node');

    sim.apply(staging, { action: 'deploy', workload: agent });
    assert.match(details.at(-1)!, /^workload-deployed: DaemonSet monitoring\/telemetry-agent applied again \(40 pods, one per node; 40 agents running\)$/);
    sim.step(1);
    assert.equal(agents(staging), 40, 'applied again, its running agents do not vanish');

    sim.apply(staging, { action: 'stop-agents', namespace: 'monitoring', name: 'telemetry-agent' });
    for (let i = 0; i < 30; i++) sim.step(1);
    assert.equal(agents(staging), 0, 'stopped, nothing brings them back');
    sim.apply(staging, { action: 'block-client', namespace: 'monitoring', name: 'telemetry-agent' });
    sim.apply(staging, { action: 'deploy', workload: agent });
    assert.match(details.at(-1)!, /^workload-deployed: DaemonSet monitoring\/telemetry-agent deployed again \(40 pods, one per node; 0 agents running, its traffic still blocked\)$/);
    for (let i = 0; i < 60; i++) sim.step(1);
    const half = agents(staging);
    assert.ok(half >= 15 && half <= 25, `half of the 2-minute rollout after a minute: ${half}`);
    assert.equal(staging.snapshot().workloadLoad['monitoring/telemetry-agent']?.requestsPerSecond ?? 0, 0, 'blocked: none of its requests reach the API servers');
    sim.apply(staging, { action: 'unblock-client', namespace: 'monitoring', name: 'telemetry-agent' });
    for (let i = 0; i < 90; i++) sim.step(1);
    assert.equal(agents(staging), 40);
    assert.ok(staging.snapshot().workloadLoad['monitoring/telemetry-agent'].requestsPerSecond > 0, 'unblocked, the agents call the API servers again');
    // The object is there again (the simulated API server lists it).
    assert.deepEqual(staging.workloads().map((w) => `${w.namespace}/${w.name}`), ['monitoring/telemetry-agent']);
  });
});

describe('the report of a running exercise (scores so far)', () => {
  const at = (simT: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, simT)).toISOString();
  const events: JournalEvent[] = [
    { type: 'tabletop-started', v: 1, t: at(0), scenario: 'drill', description: 'A drill', seed: 1, speed: 30, durationSeconds: 3600, recoveredErrorRatio: 0.01, clusters: [{ name: 'a', nodes: 40 }], focus: 'a', kubeconfig: '/tmp/k', user: 'alice', host: 'h', via: 'vscode' },
    { type: 'sim-sample', t: at(0), simT: 0, clusters: { a: reading() } },
    { type: 'sim-event', t: at(30), simT: 30, cluster: 'a', kind: 'apiserver-down', detail: 'API server replica 0 killed', injectedBy: 'alice' },
    { type: 'sim-sample', t: at(60), simT: 60, clusters: { a: reading({ load: 1.2, rejectedPerSecond: 5, errorRatio: 0.2 }) } },
    { type: 'sim-step', t: at(70), simT: 70, runbook: '/w/runbooks/api-server-overload.md', stepId: 'readyz', kind: 'sh', state: 'succeeded' },
  ];
  const scores: Scores = {
    impactAt: 60,
    impactCluster: 'a',
    detectAt: 70,
    detectedBy: 'step readyz',
    timeToDetect: 10,
    clusters: [{ name: 'a', impactedAt: 60 }],
    recovered: false,
    requests: { total: 2, whileSaturated: 1, refused: 1, exempt: 3 },
    reference: { allClearSeconds: REFERENCE_ALL_CLEAR_SECONDS, label: 'seed' },
  };
  const points = (svg: string): number => (/<polyline [^>]*points="([^"]*)"/.exec(svg)?.[1].split(' ').length ?? 0);

  it('shows the note and the given scores, ends its timeline with the export, and charts the latest reading', () => {
    const note = 'Scores so far: the exercise is still running (exported at T+1m35s).';
    const r = renderTabletopReport(events, { chartFile: '/r/report.svg', journalFile: '/j/t.jsonl', soFar: { simT: 95, scores, note, reading: { simT: 90, clusters: { a: reading({ load: 1.5 }) } }, at: at(95) } });
    assert.equal(r.scores, scores);
    assert.ok(r.markdown.includes(`## Scores\n\n${note}\n\n| Measure | This exercise | Seed incident |`), r.markdown);
    assert.match(r.markdown, /^\| Impact began \| T\+1m \(a\) \|/m);
    assert.match(r.markdown, /^\| Time to detect \| 10 s \(step readyz\) \|/m);
    assert.match(r.markdown, /^\| Time to recover .*\*\*not recovered\*\* by T\+1m35s \|/m);
    assert.match(r.markdown, /^\| Participants' requests to the API servers \| 2 \(1 while saturated, 1 refused or timed out\); 3 through/m);
    assert.match(r.markdown, /^\| Covered \| T\+0 to T\+1m35s of simulated time \(until 2025-01-01T12:01:35\.000Z\) \|$/m);
    const timeline = r.markdown.slice(r.markdown.indexOf('## Timeline')).trim().split('\n');
    assert.equal(timeline.at(-1), '- T+1m35s report exported; the exercise goes on');
    assert.doesNotMatch(r.markdown, /exercise ended/);
    assert.match(r.markdown, /\*\*#1 step `readyz` succeeded\*\*/);
    assert.equal(points(r.svg), 3, 'the journal\'s two samples and the latest reading');

    // A reading no newer than the journal's last sample adds nothing.
    const older = renderTabletopReport(events, { chartFile: '/r/report.svg', soFar: { simT: 95, scores, note, reading: { simT: 60, clusters: { a: reading() } } } });
    assert.equal(points(older.svg), 2);
  });

  it('without it: no scores yet while the journal has no end; the end as the journal says', () => {
    const r = renderTabletopReport(events, { chartFile: '/r/report.svg' });
    assert.match(r.markdown, /The exercise has not finished \(no scores in the journal yet\)/);
    assert.doesNotMatch(r.markdown, /report exported/);
    const done = renderTabletopReport([...events, { type: 'tabletop-finished', t: at(120), simT: 120, scores }], { chartFile: '/r/report.svg' });
    assert.match(done.markdown, /^- T\+2m exercise ended$/m);
    assert.doesNotMatch(done.markdown, /Scores so far|report exported/);
    assert.match(done.markdown, /^\| Impact began \| T\+1m \(a\) \|/m);
  });
});

describe('DNS lost and restored (an injection)', () => {
  it('no name resolves while CoreDNS is down; restarted, it answers once it could list from the API server — not while that is saturated', () => {
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    for (let i = 0; i < 600; i++) sim.step(1);
    const staging = sim.cluster('staging')!;
    const east = sim.cluster('prod-east')!;
    assert.ok(staging.snapshot().dns.successRatio > 0.99);
    sim.apply(staging, { action: 'lose-dns' });
    sim.apply(east, { action: 'lose-dns' });
    sim.step(1);
    assert.equal(staging.snapshot().dns.successRatio, 0);
    assert.ok(staging.snapshot().dataPlane.errorRatio > 0.9);
    for (let i = 0; i < 60; i++) sim.step(1);
    sim.apply(staging, { action: 'restore-dns' });
    sim.apply(east, { action: 'restore-dns' });
    sim.step(1);
    assert.ok(staging.snapshot().dns.successRatio < 0.5, 'a restarted CoreDNS has no cache');
    for (let i = 0; i < 300; i++) sim.step(1);
    assert.ok(staging.snapshot().dns.successRatio > 0.99, `staging: ${staging.snapshot().dns.successRatio}`);
    assert.ok(east.snapshot().dns.successRatio < 0.5, `prod-east, saturated: ${east.snapshot().dns.successRatio}`);
    assert.deepEqual(parseInjection(['lose-dns', 'staging'], ['staging']), { action: { action: 'lose-dns' }, clusters: ['staging'] });
  });
});

describe('tabletop: the exercise', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bg-tabletop-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves every cluster with its own contexts, records injections, pauses its clock and counts participants\' requests', async () => {
    const scenario = parseScenario(readFileSync(SEED, 'utf8'), SEED);
    const tt = await Tabletop.start(scenario, { speed: 20, journalDir: join(dir, 'journal'), via: 'cli' });
    try {
      const kc = parseYaml(readFileSync(tt.kubeconfig, 'utf8')) as { contexts: { name: string; context: { cluster: string } }[]; 'current-context': string };
      const names = kc.contexts.map((c) => c.name).sort();
      assert.deepEqual(names, ['prod-east', 'prod-east-breakglass', 'prod-west', 'prod-west-breakglass', 'sim', 'sim-breakglass', 'staging', 'staging-breakglass']);
      assert.equal(kc['current-context'], 'prod-east', 'the largest cluster is the focus');
      assert.equal(kc.contexts.find((c) => c.name === 'sim-breakglass')!.context.cluster, 'prod-east');

      // Participants' requests (any client but Breakglass's own tools) are counted; exempt apart.
      const kube = (ctx: string, ua: string): Promise<void> =>
        new Promise((res) => execFile(process.execPath, ['-e', requestScript(tt.kubeconfig, ctx, ua)], { timeout: 20_000 }, () => res()));
      await kube('prod-east', 'kubectl/v1.31.0');
      await kube('prod-east', 'breakglass-health/0.1');
      await kube('prod-east-breakglass', 'kubectl/v1.31.0');
      assert.equal(tt.requests.total, 1);
      assert.equal(tt.requests.exempt, 1);

      tt.inject({ action: 'kill-apiserver', replicas: 1 }, ['prod-west']);
      tt.pause();
      const t = tt.now();
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(tt.now(), t, 'a paused clock does not move');
      tt.resume();
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(tt.now() > t, 'it moves again');
      const scores = await tt.stop();
      assert.equal(scores.requests.total, 1);
      const events = readJournal(tt.journal.file).events;
      const injected = events.filter((e) => e.type === 'sim-event' && e.injectedBy);
      assert.ok(injected.some((e) => e.type === 'sim-event' && e.cluster === 'prod-west' && /OOM|down|killed|replica/i.test(e.detail)), JSON.stringify(injected));
      assert.deepEqual(
        events.filter((e) => e.type === 'sim-clock').map((e) => (e.type === 'sim-clock' ? e.action : '')),
        ['pause', 'resume'],
      );
      assert.ok(events.some((e) => e.type === 'tabletop-finished'));
      assert.equal(existsSync(tt.kubeconfig), false, 'its temporary kubeconfig is removed');
    } finally {
      await tt.stop();
    }
  });
});

describe('tabletop: a deploy injected', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bg-tabletop-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('into staging, after its agents were stopped there: journaled as injected, and the model runs the workload again', async () => {
    const scenario = parseScenario(readFileSync(SEED, 'utf8'), SEED);
    const tt = await Tabletop.start(scenario, { speed: 1, paused: true, journalDir: join(dir, 'journal'), via: 'cli', user: 'facilitator' });
    try {
      const running = (): number => tt.sim.cluster('staging')!.snapshot().workloadPods?.['monitoring/telemetry-agent'] ?? 0;
      await tt.fastForward(150);
      assert.equal(running(), 40);
      tt.inject({ action: 'stop-agents', namespace: 'monitoring', name: 'telemetry-agent' }, ['staging']);
      await tt.fastForward(tt.now() + 30);
      assert.equal(running(), 0);
      assert.deepEqual(tt.workloads().map((w) => `${w.namespace}/${w.name}`), ['monitoring/telemetry-agent'], "the scenario's workloads");
      const west = tt.sim.cluster('prod-west')!.snapshot().workloadPods?.['monitoring/telemetry-agent'];

      tt.inject({ action: 'deploy', workload: tt.workloads()[0] }, ['staging']);
      await tt.fastForward(tt.now() + 60);
      assert.ok(running() >= 15 && running() < 40, `rolling out again on staging: ${running()} agents`);
      await tt.fastForward(tt.now() + 90);
      assert.equal(running(), 40, 'rolled out on every node of staging');
      assert.ok(tt.readings[tt.readings.length - 1].clusters.staging.offendingRps > 0, "staging's readings count its load again");
      assert.equal(tt.sim.cluster('prod-west')!.snapshot().workloadPods?.['monitoring/telemetry-agent'], west, 'prod-west untouched');
      await tt.stop();

      const events = readJournal(tt.journal.file).events;
      const deployed = events.filter((e) => e.type === 'sim-event' && e.kind === 'workload-deployed' && !!e.injectedBy);
      assert.equal(deployed.length, 1, JSON.stringify(deployed));
      const d = deployed[0];
      assert.ok(d.type === 'sim-event');
      assert.equal(d.cluster, 'staging');
      assert.equal(d.injectedBy, 'facilitator');
      assert.ok(d.simT >= 180, `at the time of the injection (T+${d.simT})`);
      assert.match(d.detail, /^DaemonSet monitoring\/telemetry-agent deployed again \(40 pods, one per node; 0 agents running\)$/);
      // The scenario's own deploy at T+0 is not an injection.
      assert.ok(events.some((e) => e.type === 'sim-event' && e.kind === 'workload-deployed' && e.simT === 0 && !e.injectedBy));
    } finally {
      await tt.stop();
    }
  });
});

/** A one-request client (Node's https, the kubeconfig's CA and token) with a given User-Agent. */
function requestScript(kubeconfig: string, context: string, ua: string): string {
  return `
const yaml = require(${JSON.stringify(require.resolve('yaml'))});
const kc = yaml.parse(require('fs').readFileSync(${JSON.stringify(kubeconfig)}, 'utf8'));
const ctx = kc.contexts.find((c) => c.name === ${JSON.stringify(context)}).context;
const cl = kc.clusters.find((c) => c.name === ctx.cluster).cluster;
const user = kc.users.find((u) => u.name === ctx.user).user;
const u = new URL(cl.server + '/api/v1/namespaces/default/pods?limit=1');
require('https').get(u, { ca: Buffer.from(cl['certificate-authority-data'], 'base64'), headers: { authorization: 'Bearer ' + user.token, 'user-agent': ${JSON.stringify(ua)} } }, (r) => { r.resume(); r.on('end', () => process.exit(0)); }).on('error', () => process.exit(1));
`;
}

describe('breakglass tabletop (facilitated from a terminal)', function () {
  this.timeout(120_000);
  it('takes commands from stdin: pause, hint, inject, score, end; then writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-tt-i-'));
    try {
      const child = spawn(process.execPath, [CLI, 'tabletop', SEED, '--runbook', RUNBOOK, '--speed', '5', '--report', join(dir, 'r.md')], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const waitFor = async (re: RegExp): Promise<void> => {
        for (let i = 0; i < 200 && !re.test(err + out); i++) await new Promise((r) => setTimeout(r, 100));
        assert.match(err + out, re);
      };
      await waitFor(/^commands: /m);
      child.stdin.write('pause\nhint\ninject kill-apiserver prod-west\ninject deploy monitoring/telemetry-agent staging\ninject deploy monitoring/nope\ninject explode\nscore\n');
      await waitFor(/participants' requests/);
      child.stdin.write('end\n');
      const code = await new Promise<number | null>((r) => child.on('close', r));
      assert.equal(code, 0, err);
      assert.match(err, /paused at T\+/);
      assert.match(err, /no hint available yet|hint: /);
      assert.match(err, /^inject ACTION/m, 'a bad injection is answered with the usage');
      assert.match(err, /^no workload 'monitoring\/nope' in this scenario/m);
      const md = readFileSync(join(dir, 'r.md'), 'utf8');
      assert.match(md, /prod-west: .*— \*\*injected\*\*/);
      assert.match(md, /staging: DaemonSet monitoring\/telemetry-agent applied again \(40 pods, one per node; \d+ agents running\) — \*\*injected\*\*/);
      assert.match(md, /clock: pause/);
      assert.ok(existsSync(join(dir, 'r.svg')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('breakglass tabletop --auto (the drill)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'bg-drill-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers the production clusters through the shipped runbook, and does not when its break-glass steps are skipped', async function () {
    const PATH = kubectlPath(dir);
    if (!PATH) this.skip();
    const env = { ...process.env, PATH };
    mkdirSync(join(dir, 'with'));
    mkdirSync(join(dir, 'without'));
    // Side by side: each takes about a minute of real time.
    const [withBg, without] = await Promise.all([
      run(['tabletop', SEED, '--runbook', RUNBOOK, '--auto', '--report', join(dir, 'with', 'report.md')], join(dir, 'with'), env),
      run(['tabletop', SEED, '--runbook', RUNBOOK, '--auto', '--skip-breakglass', '--report', join(dir, 'without', 'report.md')], join(dir, 'without'), env),
    ]);

    assert.equal(withBg.code, 0, withBg.err.slice(-3000));
    const md = readFileSync(join(dir, 'with', 'report.md'), 'utf8');
    const row = (name: RegExp): string => md.split('\n').find((l) => name.test(l)) ?? '';
    assert.match(row(/^\| Time to detect/), /\d+ (m|s)/);
    assert.match(row(/^\| Time to mitigate/), /\d+ (m|s)/);
    const recover = row(/^\| Time to recover/);
    assert.match(recover, /\| \d+ m \d+ s \| 4 h 22 m \|/, recover);
    assert.match(md, /!\[[^\]]*\]\(report\.svg\)/, 'the chart is embedded');
    const svg = readFileSync(join(dir, 'with', 'report.svg'), 'utf8');
    assert.match(svg, /<polyline /);
    assert.match(md, /step `stop-agents-on-nodes` succeeded/);
    assert.match(md, /prod-east \| T\+\S+ \| T\+/, 'prod-east recovered');
    assert.match(md, /prod-west \| T\+\S+ \| T\+/, 'prod-west recovered');
    // The ordinary path kept failing while the cluster was saturated.
    assert.match(withBg.out + withBg.err, /the ordinary path failed|TooManyRequests|timed out|Timeout/);
    const journal = readdirSync(join(dir, 'with', '.breakglass', 'journal')).find((f) => f.startsWith('tabletop-'))!;
    const fin = readJournal(join(dir, 'with', '.breakglass', 'journal', journal)).events.find((e) => e.type === 'tabletop-finished');
    const s = (fin as { scores: { timeToRecover: number; recovered: boolean; recoverAt: number } }).scores;
    assert.equal(s.recovered, true);
    assert.ok(s.timeToRecover < 3600, `recovered within the hour, not ${s.timeToRecover} s`);
    // Within minutes of the break-glass steps.
    const marks = readJournal(join(dir, 'with', '.breakglass', 'journal', journal)).events.flatMap((e) => (e.type === 'sim-step' ? [e] : []));
    const stopped = marks.find((m) => m.stepId === 'stop-agents-on-nodes' && m.state === 'succeeded')!;
    assert.ok(stopped, 'the node-level stop ran');
    assert.ok(s.recoverAt - stopped.simT <= 10 * 60, `recovered ${s.recoverAt - stopped.simT} simulated seconds after the node-level stop`);
    const ordinary = marks.find((m) => m.stepId === 'ordinary-delete' && m.state !== 'running')!;
    // The ordinary delete reaches one of its branches within the step's (scaled) timeout: the
    // DELETE lands when a replica is up and global-default has room (the model's writes are cheap;
    // the agents' LISTs fill workload-low), else kubectl is cut off and the fallback is printed.
    // Either way the DaemonSet's pods stay until the kubelets hear of it, which is why the
    // node-level stop is what recovers the cluster (the run without it does not recover, below).
    const runJournal = readdirSync(join(dir, 'with', '.breakglass', 'journal')).find((f) => f.startsWith('api-server-overload-'))!;
    const said = readJournal(join(dir, 'with', '.breakglass', 'journal', runJournal)).events.flatMap((e) => (e.type === 'output' && e.stepId === 'ordinary-delete' ? [e.text] : [])).join('');
    assert.equal(ordinary.state, 'succeeded', `ordinary delete: ${ordinary.state}; said: ${said}`);
    assert.match(said, /the ordinary path failed|deleted through the API server/);

    assert.equal(without.code, 1, without.err.slice(-3000));
    const md2 = readFileSync(join(dir, 'without', 'report.md'), 'utf8');
    assert.match(md2, /\*\*not recovered\*\*/);
    assert.match(md2, /step `stop-agents-on-nodes` skipped/);
  });
});
