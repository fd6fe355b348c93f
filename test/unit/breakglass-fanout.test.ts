// One break-glass step across several clusters: largest first with bounded parallelism, ids
// `<cluster>/<id>` (or `<cluster>` for a cluster that failed as a whole) so that "retry failed"
// runs exactly what failed. Against the cluster model in simulated time, and in real mode against
// a real etcd (one cluster live, one whose etcd refuses connections) through a RunSession.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { fanOutStep, headlessTimeline, orderClusters, parseAction, selectClusters, stepClusters, type ClusterOutcome, type ClusterTarget } from '../../src/breakglass';
import { clusterTargets } from '../../src/breakglass/clusters';
import { onlyFor } from '../../src/breakglass/fanout';
import type { ActionContext } from '../../src/breakglass/types';
import type { Param } from '../../src/runbook/model';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession, type Prompter, type SessionEvent } from '../../src/runbook/session';
import type { SimHost } from '../../src/runbook/simhost';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { closedPort, etcdctl, removeTempDir, startEtcd, tempDir, type EtcdServer } from './helpers/servers';

const ROOT = join(__dirname, '../../..');
const SEED = join(ROOT, 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const OVERLOAD = join(ROOT, 'runbooks/api-server-overload.md');
const AGENT = 'monitoring/telemetry-agent';

const yes: Prompter = {
  confirm: async () => true,
  confirmTargets: async () => true,
  askParam: async (_p: Param) => undefined,
};

function baseCtx(o: Partial<ActionContext> = {}): ActionContext & { lines: string[] } {
  const lines: string[] = [];
  return { mode: 'sim', runbookDir: __dirname, env: {}, signal: new AbortController().signal, dryRun: false, log: (l) => lines.push(l), lines, ...o };
}

/** A small simulated cluster of its own (its own clock), stepped by the action itself. */
function smallCluster(name: string, nodes: number): { target: ClusterTarget; sim: Simulation } {
  const sim = new Simulation(parseScenario(`name: ${name}\nclusters:\n  - name: ${name}\n    nodes: ${nodes}\n`, `${name}.yaml`));
  const cluster = sim.cluster(name)!;
  return { sim, target: { name, size: nodes, ctx: baseCtx({ sim: { cluster, timeline: headlessTimeline(sim) } }) } };
}

/** Every transition of every cluster, in the order onUpdate reported them. */
function recorder(): { updates: ClusterOutcome[][]; onUpdate(c: readonly ClusterOutcome[]): void; transitions(): string[]; maxRunning(): number } {
  const updates: ClusterOutcome[][] = [];
  return {
    updates,
    onUpdate: (c) => updates.push(c.map((x) => ({ ...x }))),
    transitions() {
      const last = new Map<string, string>();
      const out: string[] = [];
      for (const u of updates) {
        for (const c of u) {
          if (last.get(c.name) !== c.state) out.push(`${c.name}:${c.state}`);
          last.set(c.name, c.state);
        }
      }
      return out;
    },
    maxRunning: () => Math.max(0, ...updates.map((u) => u.filter((c) => c.state === 'running').length)),
  };
}

const KUBECONFIG = 'apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {}\n';

/** A RunSession in real mode on a runbook written to `dir`, collecting its events. */
function realSession(dir: string, markdown: string, clustersConfig: string, env: NodeJS.ProcessEnv = {}): { session: RunSession; events: SessionEvent[] } {
  const file = join(dir, 'rb.md');
  writeFileSync(file, markdown);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, KUBECONFIG);
  const { runbook } = parseRunbook(markdown, file);
  assert.deepEqual(runbook.diagnostics.filter((d) => d.severity === 'error'), []);
  const session = new RunSession({
    runbookPath: file,
    runbook,
    journalDir: join(dir, 'journal'),
    target: { mode: 'real', context: 'prod', kubeconfig },
    prompter: yes,
    via: 'cli',
    env: { PATH: process.env.PATH, HOME: dir, ...env },
    clustersConfig,
  });
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  return { session, events };
}

function clusterEvents(events: SessionEvent[], stepId: string): ClusterOutcome[][] {
  return events.flatMap((e) => (e.type === 'clusters' && e.stepId === stepId ? [e.clusters] : []));
}

describe('breakglass fan-out: order and parallelism', function () {
  this.timeout(60_000);

  it('orders clusters largest first, unknown sizes last, ties by name', () => {
    const got = orderClusters([{ name: 'b', size: 10 }, { name: 'z' }, { name: 'a', size: 10 }, { name: 'huge', size: 5000 }, { name: 'empty', size: 0 }, { name: 'c' }]);
    assert.deepEqual(
      got.map((c) => c.name),
      ['huge', 'a', 'b', 'empty', 'c', 'z'],
    );
    // The input is not reordered in place.
    const input = [{ name: 'x', size: 1 }, { name: 'y', size: 2 }];
    orderClusters(input);
    assert.deepEqual(input.map((c) => c.name), ['x', 'y']);
  });

  it('splits retry ids by cluster', () => {
    assert.equal(onlyFor(undefined, 'a'), undefined);
    assert.equal(onlyFor(['a'], 'a'), undefined, 'the whole cluster');
    assert.deepEqual(onlyFor(['a/n1', 'b/n2', 'a/n3'], 'a'), ['n1', 'n3']);
    assert.equal(onlyFor(['b/n2'], 'a'), null, 'nothing to do there');
    assert.equal(onlyFor(['ab/n1'], 'a'), null, 'a prefix of another cluster name is not this cluster');
  });

  it('runs at most `parallel` clusters at once, starting them largest first, on simulated clusters', async () => {
    const sizes: [string, number][] = [['c3', 12], ['c1', 30], ['c5', 4], ['c2', 20], ['c4', 8]];
    const clusters = sizes.map(([n, s]) => smallCluster(n, s));
    const rec = recorder();
    const body = { action: 'node-exec', clusters: '*', command: 'true', concurrency: 2 };
    const { result } = await fanOutStep(
      body,
      clusters.map((c) => c.target),
      { parallel: 2, onUpdate: rec.onUpdate },
    );
    assert.equal(result.ok, true, result.summary);
    // Every update lists the clusters largest first.
    for (const u of rec.updates) assert.deepEqual(u.map((c) => c.name), ['c1', 'c2', 'c3', 'c4', 'c5']);
    const started = rec.transitions().filter((t) => t.endsWith(':running')).map((t) => t.split(':')[0]);
    assert.deepEqual(started, ['c1', 'c2', 'c3', 'c4', 'c5']);
    assert.equal(rec.maxRunning(), 2, 'two at a time, and really two at once');
    // Each cluster's model was acted on: every node in the items, ids `<cluster>/<node>`.
    assert.equal(result.items.length, 12 + 30 + 4 + 20 + 8);
    assert.ok(result.items.some((i) => i.id === 'c1/node-00030'));
    assert.deepEqual(result.clusters.map((c) => c.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    assert.match(result.summary, /^node-exec on 5 cluster\(s\) \(largest first\): c1 \(30 nodes\) succeeded, c2 \(20 nodes\) succeeded/);
    // Per-node progress reaches the table.
    assert.ok(rec.updates.some((u) => u.some((c) => c.name === 'c1' && c.state === 'running' && c.progress && c.progress.done > 0 && c.progress.done < 30)));

    // One at a time: never two running together.
    const one = recorder();
    await fanOutStep(body, sizes.map(([n, s]) => smallCluster(n, s).target), { parallel: 1, onUpdate: one.onUpdate });
    assert.equal(one.maxRunning(), 1);
    // Three at a time.
    const three = recorder();
    await fanOutStep(body, sizes.map(([n, s]) => smallCluster(n, s).target), { parallel: 3, onUpdate: three.onUpdate });
    assert.equal(three.maxRunning(), 3);
  });

  it('retry with `only` runs exactly the listed clusters and items; others are skipped', async () => {
    const a = smallCluster('a', 10);
    const b = smallCluster('b', 6);
    const rec = recorder();
    const body = { action: 'node-exec', clusters: '*', command: 'true' };
    const { result } = await fanOutStep(body, [b.target, a.target], { only: ['b/node-00002', 'b/node-00005'], onUpdate: rec.onUpdate });
    assert.equal(result.ok, true, result.summary);
    assert.deepEqual(result.items.map((i) => i.id), ['b/node-00002', 'b/node-00005']);
    assert.deepEqual(result.clusters.map((c) => [c.name, c.state]), [['a', 'skipped'], ['b', 'succeeded']]);
    assert.equal(a.sim.now(), 0, 'the skipped cluster was not touched');
  });
});

describe('breakglass fan-out: `clusters` validation', () => {
  const ETCD = { action: 'etcd-delete', keys: ['/registry/daemonsets/monitoring/telemetry-agent'] };

  it('stepClusters: * , a name, a list; bad shapes are a problem naming `clusters`', () => {
    assert.equal(stepClusters({ ...ETCD }), undefined);
    assert.equal(stepClusters({ ...ETCD, clusters: null }), undefined);
    assert.equal(stepClusters({ ...ETCD, clusters: '*' }), '*');
    assert.deepEqual(stepClusters({ ...ETCD, clusters: 'prod-east' }), ['prod-east']);
    assert.deepEqual(stepClusters({ ...ETCD, clusters: [' prod-east ', 'prod-west'] }), ['prod-east', 'prod-west']);
    for (const bad of [5, true, [], [''], ['  '], [1, 2], ['a', null], { a: 1 }, '']) {
      const r = stepClusters({ ...ETCD, clusters: bad });
      assert.equal(typeof r, 'string', JSON.stringify(bad));
      assert.match(r as string, /`clusters` must be '\*' \(every cluster\) or a list of cluster names/, JSON.stringify(bad));
    }
    assert.equal(stepClusters('not a body'), undefined);
  });

  it('parseAction refuses a bad `clusters`, and accepts good ones', () => {
    for (const bad of [5, [], [''], { a: 1 }]) {
      const r = parseAction({ ...ETCD, clusters: bad });
      assert.equal(r.spec, undefined, JSON.stringify(bad));
      assert.ok(r.problems.some((p) => /`clusters`/.test(p)), r.problems.join('; '));
    }
    for (const good of ['*', 'prod-east', ['prod-east', 'prod-west']]) {
      const r = parseAction({ ...ETCD, clusters: good });
      assert.ok(r.spec, `${JSON.stringify(good)}: ${r.problems.join('; ')}`);
      assert.deepEqual(r.problems, []);
    }
    // The action's own problems are kept beside the `clusters` one.
    const both = parseAction({ action: 'etcd-delete', clusters: 7 });
    assert.equal(both.spec, undefined);
    assert.ok(both.problems.some((p) => /keys/.test(p)) && both.problems.some((p) => /`clusters`/.test(p)), both.problems.join('; '));
  });

  it('selectClusters: every one, the named ones, the fallback; unknown names list the known ones', () => {
    const known = [{ name: 'staging' }, { name: 'prod-east' }, { name: 'prod-west' }];
    const fallback = [known[1]];
    assert.deepEqual(selectClusters({ ...ETCD }, known, fallback), { clusters: fallback });
    assert.deepEqual(selectClusters({ ...ETCD, clusters: '*' }, known, fallback).clusters, known);
    assert.deepEqual(selectClusters({ ...ETCD, clusters: ['prod-west', 'staging'] }, known, fallback).clusters.map((c) => c.name), ['staging', 'prod-west']);
    const unknown = selectClusters({ ...ETCD, clusters: ['prod-east', 'prod-north', 'dev'] }, known, fallback);
    assert.deepEqual(unknown.clusters, []);
    assert.equal(unknown.problem, 'unknown cluster(s) prod-north, dev (known: staging, prod-east, prod-west)');
    assert.match(selectClusters({ ...ETCD, clusters: ['x'] }, [], []).problem!, /known: none/);
    const bad = selectClusters({ ...ETCD, clusters: 3 }, known, fallback);
    assert.deepEqual(bad.clusters, []);
    assert.match(bad.problem!, /`clusters`/);
  });

  it('a RunSession fails a step naming an unknown cluster, saying which are known, and acts on nothing', async () => {
    const dir = tempDir('bg-fanout-unknown-');
    try {
      const cfg = join(dir, 'preflight.yaml');
      writeFileSync(cfg, 'clusters:\n  - name: east\n    etcd: {endpoints: [http://127.0.0.1:1]}\n  - name: west\n    etcd: {endpoints: [http://127.0.0.1:1]}\n');
      const md = "---\nrunbook: true\ntitle: T\n---\n\n```breakglass {name=rm}\naction: etcd-delete\nclusters: [east, north]\nkeys: [/registry/a/b/c]\n```\n";
      const { session, events } = realSession(dir, md, cfg);
      assert.equal(await session.runStep('rm'), 'failed');
      assert.match(session.states.get('rm')!.reason ?? '', /unknown cluster\(s\) north \(known: east, west\)/);
      assert.deepEqual(clusterEvents(events, 'rm'), []);
      session.dispose();
    } finally {
      removeTempDir(dir);
    }
  });
});

describe('breakglass fan-out: real clusters from the preflight config', function () {
  this.timeout(90_000);
  let dir: string;
  let east: EtcdServer | undefined;
  let west: EtcdServer | undefined;

  before(() => {
    dir = tempDir('bg-fanout-');
  });
  after(async () => {
    await east?.stop();
    await west?.stop();
    if (dir) removeTempDir(dir);
  });

  const DS = '/registry/daemonsets/monitoring/telemetry-agent';
  const POD = (s: string) => `/registry/pods/monitoring/telemetry-agent-${s}`;
  const keys = (s: EtcdServer, prefix: string) => etcdctl(s, ['get', '--prefix', '--keys-only', prefix]).split('\n').filter(Boolean).sort();
  const seed = (s: EtcdServer) => {
    for (const k of [DS, POD('aaaaa'), POD('bbbbb'), POD('ccccc'), '/registry/pods/monitoring/other-1', '/registry/daemonsets/kube-system/kube-proxy']) etcdctl(s, ['put', k, 'v']);
  };
  const config = (eastUrl: string, westUrl: string) => `clusters:\n  - name: west\n    etcd:\n      endpoints: [${westUrl}]\n  - name: east\n    etcd:\n      endpoints: [${eastUrl}]\n`;
  const RB = `---\nrunbook: true\ntitle: Remove the agent everywhere\n---\n\n\`\`\`breakglass {name=remove-from-etcd}\naction: etcd-delete\nclusters: '*'\nkeys: [${DS}]\nprefixes: [/registry/pods/monitoring/telemetry-agent-]\n\`\`\`\n`;

  it('etcd-delete on every cluster: deletes exactly the keys on the live one, the unreachable one fails fast; retry failed runs only that one', async () => {
    east = await startEtcd();
    seed(east);
    const deadPort = await closedPort();
    const cfg = join(dir, 'preflight.yaml');
    writeFileSync(cfg, config(east.endpoint, `http://127.0.0.1:${deadPort}`));
    // The process's own etcdctl environment must not decide where a cluster's etcd is.
    const { session, events } = realSession(dir, RB, cfg, { ETCDCTL_ENDPOINTS: `http://127.0.0.1:${deadPort}` });

    const t0 = Date.now();
    assert.equal(await session.runStep('remove-from-etcd'), 'failed');
    assert.ok(Date.now() - t0 < 15_000, `an unreachable etcd fails fast (${Date.now() - t0} ms)`);
    // East: exactly the agent's keys are gone.
    assert.deepEqual(keys(east, '/registry/'), ['/registry/daemonsets/kube-system/kube-proxy', '/registry/pods/monitoring/other-1']);
    const rt = session.states.get('remove-from-etcd')!;
    // The reason names the failed cluster; why it failed is in its row and in the output.
    assert.equal(rt.reason, 'etcd-delete on 2 cluster(s): west failed');
    assert.match(rt.output, /failed: west: etcd-delete: .*127\.0\.0\.1:\d+: connection refused/);
    assert.match(rt.output, /\[east\] succeeded: deleted 4 of 4 key\(s\)/);
    assert.match(rt.output, new RegExp(`\\[west\\] failed: etcd-delete: .*http://127\\.0\\.0\\.1:${deadPort}: connection refused`));
    assert.deepEqual(session.failedOf('remove-from-etcd'), ['west']);

    // The table: east and west (no sizes: by name), west failed with its reason.
    const table = clusterEvents(events, 'remove-from-etcd');
    assert.ok(table.length >= 4, `${table.length} clusters events`);
    for (const t of table) assert.deepEqual(t.map((c) => c.name), ['east', 'west']);
    const last = table[table.length - 1];
    assert.deepEqual(last.map((c) => c.state), ['succeeded', 'failed']);
    assert.equal(last[0].result?.items.length, 4);
    assert.match(last[1].result?.summary ?? '', /connection refused/);
    assert.equal(table[0].every((c) => c.state === 'pending'), true, 'the first event is the table before anything ran');

    // Meanwhile a new agent pod appears on east; west comes up with its own keys.
    etcdctl(east, ['put', POD('late1'), 'v']);
    west = await startEtcd();
    seed(west);
    writeFileSync(cfg, config(east.endpoint, west.endpoint));
    events.length = 0;
    assert.equal(await session.retryFailed('remove-from-etcd'), 'succeeded');
    assert.deepEqual(keys(west, '/registry/'), ['/registry/daemonsets/kube-system/kube-proxy', '/registry/pods/monitoring/other-1']);
    assert.deepEqual(keys(east, '/registry/pods/monitoring/telemetry-agent-'), [POD('late1')], 'east was not run again');
    const retry = clusterEvents(events, 'remove-from-etcd');
    assert.deepEqual(retry[retry.length - 1].map((c) => [c.name, c.state]), [['east', 'skipped'], ['west', 'succeeded']]);
    assert.equal(retry.some((t) => t[0].state === 'running'), false, 'east never ran');
    assert.deepEqual(session.failedOf('remove-from-etcd'), []);
    session.dispose();
  });

  it('node inventories of different lengths order the clusters; a dry run contacts no node', async () => {
    // Something listens where the inventories point: it counts any connection.
    let connections = 0;
    const servers: net.Server[] = [];
    const ports: number[] = [];
    for (let i = 0; i < 7; i++) {
      const server = net.createServer((s) => {
        connections++;
        s.destroy();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      ports.push((server.address() as net.AddressInfo).port);
    }
    try {
      const sub = join(dir, 'inv');
      mkdirSync(sub, { recursive: true });
      const inv = (n: number) => ports.slice(0, n).map((p, i) => `127.0.0.1:${p}   # node ${i}`).join('\n') + '\n';
      writeFileSync(join(sub, 'small.txt'), inv(2));
      writeFileSync(join(sub, 'big.txt'), inv(7));
      writeFileSync(join(sub, 'mid.txt'), `# comments and blank lines do not count\n\n${inv(4)}`);
      const cfg = join(sub, 'preflight.yaml');
      writeFileSync(
        cfg,
        'clusters:\n' +
          '  - name: small\n    nodes: {inventory: {file: small.txt}, user: root}\n' +
          '  - name: nosize\n    etcd: {endpoints: [http://127.0.0.1:1]}\n' +
          '  - name: big\n    nodes: {inventory: {file: big.txt}, user: root}\n' +
          '  - name: mid\n    nodes: {inventory: {file: mid.txt}, user: root}\n',
      );
      const body = { action: 'node-exec', clusters: '*', command: 'systemctl stop telemetry-agent' };
      const targets = await clusterTargets(cfg, body, { ...baseCtx(), mode: 'real' });
      assert.deepEqual(Object.fromEntries(targets.map((t) => [t.name, t.size])), { small: 2, nosize: undefined, big: 7, mid: 4 });
      assert.deepEqual(orderClusters(targets).map((t) => t.name), ['big', 'mid', 'small', 'nosize']);
      // The step leaves `nodes` out: each cluster's inventory fills it (a path beside the config).
      const big = targets.find((t) => t.name === 'big')!.body as Record<string, unknown>;
      assert.deepEqual(big.nodes, { file: join(sub, 'big.txt') });
      assert.equal(big.user, 'root');
      assert.equal(big.clusters, undefined);

      // Through a session, as a dry run: the table and the output say largest first; nothing is contacted.
      const md = "---\nrunbook: true\ntitle: T\n---\n\n```breakglass {name=stop dryRun=true}\naction: node-exec\nclusters: [small, big, mid]\ncommand: systemctl stop telemetry-agent\n```\n";
      const { session, events } = realSession(sub, md, cfg, { SSH_AUTH_SOCK: join(sub, 'no-agent.sock') });
      assert.equal(await session.runStep('stop'), 'succeeded');
      const rt = session.states.get('stop')!;
      assert.match(rt.output, /clusters, largest first: big \(7 nodes\), mid \(4 nodes\), small \(2 nodes\)/);
      assert.match(rt.output, /\[big\] succeeded: dry run: nothing run; would run `systemctl stop telemetry-agent` as root on 7 node\(s\)/);
      const table = clusterEvents(events, 'stop');
      assert.ok(table.length > 0);
      for (const t of table) assert.deepEqual(t.map((c) => [c.name, c.size]), [['big', 7], ['mid', 4], ['small', 2]]);
      assert.deepEqual(table[table.length - 1].map((c) => c.state), ['succeeded', 'succeeded', 'succeeded']);
      session.dispose();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(connections, 0, 'a dry run connects to no node');
    } finally {
      for (const s of servers) s.close();
    }
  });
});

describe('breakglass fan-out: simulation across clusters (seed scenario)', function () {
  this.timeout(120_000);

  it('the runbook stops the agents on every production cluster and removes the DaemonSet objects, largest first', async () => {
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    while (sim.now() < 600) sim.step(1);
    const east = sim.cluster('prod-east')!;
    const west = sim.cluster('prod-west')!;
    assert.equal(east.snapshot().workloadPods[AGENT], 5000);
    assert.equal(west.snapshot().workloadPods[AGENT], 2500);
    const stepEvents: string[] = [];
    const host: SimHost = {
      clusters: () => sim.clusters.map((m) => ({ name: m.spec.name, nodes: m.spec.nodes, model: m })),
      focus: () => 'prod-east',
      timeline: () => headlessTimeline(sim),
      speed: () => 1,
      stepEvent: (e) => stepEvents.push(`${e.stepId}:${e.state}`),
    };
    const text = readFileSync(OVERLOAD, 'utf8');
    const { runbook } = parseRunbook(text, OVERLOAD);
    const dir = tempDir('bg-fanout-sim-');
    const events: SessionEvent[] = [];
    const session = new RunSession({ runbookPath: OVERLOAD, runbook, journalDir: join(dir, 'journal'), target: { mode: 'sim' }, prompter: yes, via: 'cli', env: { PATH: process.env.PATH }, sim: () => host });
    session.onEvent((e) => events.push(e));
    try {
      const t0 = sim.now();
      assert.equal(await session.runStep('stop-agents-on-nodes'), 'succeeded', session.states.get('stop-agents-on-nodes')!.output);
      assert.ok(sim.now() - t0 <= 120, `the node-level stop took ${sim.now() - t0} simulated seconds`);
      assert.equal(east.snapshot().workloadPods[AGENT], 0);
      assert.equal(west.snapshot().workloadPods[AGENT], 0);
      assert.equal(await session.runStep('remove-from-etcd'), 'succeeded', session.states.get('remove-from-etcd')!.output);
      for (const c of sim.clusters) assert.equal(c.workloads().some((w) => `${w.namespace}/${w.name}` === AGENT), false, `${c.spec.name}: the DaemonSet object is gone`);

      for (const stepId of ['stop-agents-on-nodes', 'remove-from-etcd']) {
        const table = clusterEvents(events, stepId);
        assert.ok(table.length > 0, stepId);
        for (const t of table) assert.deepEqual(t.map((c) => c.name), ['prod-east', 'prod-west', 'staging'], stepId);
        const firstRunning = table.find((t) => t.some((c) => c.state === 'running'))!;
        assert.deepEqual(firstRunning.filter((c) => c.state === 'running').map((c) => c.name)[0], 'prod-east', stepId);
        assert.deepEqual(table[table.length - 1].map((c) => c.state), ['succeeded', 'succeeded', 'succeeded'], stepId);
      }
      // Node progress of the largest cluster reached the table while it ran.
      const stopTable = clusterEvents(events, 'stop-agents-on-nodes');
      assert.ok(stopTable.some((t) => t[0].state === 'running' && t[0].progress && t[0].progress.total === 5000 && t[0].progress.done > 0 && t[0].progress.done < 5000));
      const out = session.states.get('stop-agents-on-nodes')!.output;
      assert.match(out, /clusters, largest first: prod-east \(5000 nodes\), prod-west \(2500 nodes\), staging \(40 nodes\)/);
      const times = (text: string, s: string) => text.split(s).length - 1;
      for (const [c, n] of [['prod-east', 5000], ['prod-west', 2500], ['staging', 40]] as const) {
        // Each cluster's plan is a plan (not a "dry run"), printed before its progress; its result once.
        const plan = out.indexOf(`[${c}] plan: would run \`crictl ps -q --name telemetry-agent | xargs -r crictl stop\` on ${n} simulated node(s)`);
        assert.ok(plan >= 0 && plan < out.indexOf(`[${c}] progress:`), `${c}: plan before progress\n${out.slice(0, 2000)}`);
        assert.equal(times(out, `[${c}] succeeded: node-exec (simulated): ${n} node(s)`), 1, `${c}: its result once`);
        assert.equal(times(out, `${n} agent(s) of monitoring/telemetry-agent stopped`), 1, `${c}: its result once`);
        // Its nodes are listed under its name.
        assert.match(out, new RegExp(`^\\[${c}\\] ✔ node-0+1: exit 0: stopped telemetry-agent$`, 'm'));
      }
      assert.doesNotMatch(out, /dry run/);
      // After the agents were stopped: the etcd step counts the pods' prefix and says none is running.
      const etcdOut = session.states.get('remove-from-etcd')!.output;
      for (const [c, n] of [['prod-east', 5000], ['prod-west', 2500], ['staging', 40]] as const) {
        assert.equal(times(etcdOut, `[${c}] plan: ${n + 1} key(s) to delete from simulated etcd of ${c} at revision 1 (1 at /registry/daemonsets/monitoring/telemetry-agent, ${n} under /registry/pods/monitoring/telemetry-agent-)`), 1);
        assert.equal(
          times(etcdOut, `[${c}] succeeded: deleted ${n + 1} of ${n + 1} key(s) from simulated etcd of ${c} (1 at /registry/daemonsets/monitoring/telemetry-agent, ${n} under /registry/pods/monitoring/telemetry-agent-); monitoring/telemetry-agent gone from the API, none of its agents is running\n`),
          1,
          etcdOut.slice(0, 3000),
        );
        // Keys shown as the cluster's, never glued to its name.
        assert.match(etcdOut, new RegExp(`^\\[${c}\\] ✔ /registry/daemonsets/monitoring/telemetry-agent: deleted$`, 'm'));
      }
      assert.doesNotMatch(etcdOut, /\/\/registry|still running|until kubelets/);
      // The table's cells: the counts in a few words, the whole sentence as the detail.
      const last = clusterEvents(events, 'remove-from-etcd').at(-1)!;
      assert.deepEqual(last.map((c) => c.result?.brief), ['5001 key(s) deleted', '2501 key(s) deleted', '41 key(s) deleted']);
      assert.deepEqual(stepEvents, ['stop-agents-on-nodes:running', 'stop-agents-on-nodes:succeeded', 'remove-from-etcd:running', 'remove-from-etcd:succeeded']);
    } finally {
      session.dispose();
      removeTempDir(dir);
    }
  });
});
