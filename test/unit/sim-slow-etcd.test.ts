// The slow-etcd action: parsed from scenario files (with clear, line-numbered errors), offered on
// the facilitator panel and the terminal, and what it does to the model: each request that reads
// or writes etcd holds its APF seat longer, so the same load needs more seats, latency rises and,
// near the limit, requests are rejected; LISTs served from etcd are hit hardest. Every comparison
// is between two runs (or two requests) that differ only by slow etcd.
import assert from 'node:assert/strict';
import { ScenarioError, parseScenario } from '../../src/sim/scenario';
import { Simulation, type RunResult } from '../../src/sim/simulation';
import { ClusterModel } from '../../src/sim/model/cluster';
import { parseInjection } from '../../src/cli/tabletop';
import { parseTabletopToHost } from '../../src/views/messages/tabletop';
import { injectionAction } from '../../src/views/tabletopView';
import type { SimRequest } from '../../src/sim/types';

/** A busy Deployment: namespace LISTs (a consistent read, from etcd) and writes, every second per replica. */
const scenario = (replicas: number, event: string) => `name: slow-etcd
seed: 5
duration: 30m
clusters:
  - {name: east, nodes: 1000, apiServerReplicas: 3}
workloads:
  - name: reporter
    namespace: tools
    kind: Deployment
    replicas: ${replicas}
    rollout: 10s
    calls:
      - {verb: list, resource: pods, scope: namespace, interval: 1s}
      - {verb: patch, resource: configmaps, scope: namespace, interval: 1s}
events:
${event || '  []'}
`.replace('events:\n  []', 'events: []');

type East = RunResult['samples'][number]['clusters'][string];
const after = (r: RunResult, t: number): East[] => r.samples.filter((s) => s.t >= t).map((s) => s.clusters.east);
const mean = (xs: East[], f: (c: East) => number) => xs.reduce((a, c) => a + f(c), 0) / xs.length;

describe('slow etcd in scenario files', () => {
  it('parses latency and an optional duration', () => {
    const s = parseScenario(scenario(10, '  - {at: 5m, action: slow-etcd, latency: 200ms, duration: 10m}\n  - {at: 20m, action: slow-etcd, cluster: east, latency: 1.5s}'), 's.yaml');
    assert.deepEqual(s.events.map((e) => e.spec), [
      { action: 'slow-etcd', latency: 0.2, duration: 600 },
      { action: 'slow-etcd', latency: 1.5 },
    ]);
  });

  it('refuses a bad latency or duration, a missing latency and a stray field, each with its line', () => {
    const text = scenario(10, ['  - at: 5m', '    action: slow-etcd', '    latency: fast', '  - {at: 6m, action: slow-etcd, latency: 2m}', '  - {at: 7m, action: slow-etcd}', '  - {at: 8m, action: slow-etcd, latency: 50ms, duration: soon, replicas: 2}'].join('\n'));
    const lines = text.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    try {
      parseScenario(text, 's.yaml');
      assert.fail('parsed');
    } catch (e) {
      assert.ok(e instanceof ScenarioError);
      const has = (line: number, re: RegExp) => assert.ok(e.problems.some((p) => p.line === line && re.test(p.message)), `line ${line} ${re}:\n${e.message}`);
      has(lineOf('latency: fast'), /^events\[0\]\.latency must be a duration/);
      has(lineOf('latency: 2m'), /^events\[1\]\.latency must be from 1ms to .* \(got 2m\)/);
      has(lineOf('at: 7m'), /^events\[2\]\.latency is required/);
      has(lineOf('duration: soon'), /^events\[3\]\.duration must be a duration/);
      has(lineOf('duration: soon'), /^events\[3\]: unknown field 'replicas' \(known: at, action, cluster, clusters, latency, duration\)/);
    }
  });
});

describe('slow etcd on the facilitator panel and the terminal', () => {
  it('the panel posts latency and duration; the message check keeps them and the action follows', () => {
    const m = parseTabletopToHost({ type: 'ttInject', action: 'slow-etcd', cluster: 'east', latency: '200ms', duration: '10m', replicas: 3 });
    assert.deepEqual(m, { type: 'ttInject', action: 'slow-etcd', cluster: 'east', latency: '200ms', duration: '10m' });
    assert.ok(m?.type === 'ttInject');
    assert.deepEqual(injectionAction(m), { action: 'slow-etcd', latency: 0.2, duration: 600 });
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'slow-etcd', cluster: 'east', latency: '200ms' }), { type: 'ttInject', action: 'slow-etcd', cluster: 'east', latency: '200ms' });
    for (const bad of [{ latency: undefined }, { latency: 200 }, { latency: 'soon' }, { latency: '200ms', duration: 'later' }]) {
      assert.equal(parseTabletopToHost({ type: 'ttInject', action: 'slow-etcd', cluster: 'east', ...bad }), undefined, JSON.stringify(bad));
    }
    assert.throws(() => injectionAction({ type: 'ttInject', action: 'slow-etcd', cluster: 'east', latency: '5m' }), /latency must be from 1ms/);
  });

  it('the terminal takes `slow-etcd LATENCY [DURATION] [CLUSTER]`', () => {
    assert.deepEqual(parseInjection(['slow-etcd', '200ms', '10m', 'east'], ['east']), { action: { action: 'slow-etcd', latency: 0.2, duration: 600 }, clusters: ['east'] });
    assert.deepEqual(parseInjection(['slow-etcd', '200ms', 'east'], ['east']), { action: { action: 'slow-etcd', latency: 0.2 }, clusters: ['east'] });
    assert.deepEqual(parseInjection(['slow-etcd', '1s'], ['east']), { action: { action: 'slow-etcd', latency: 1 }, clusters: [] });
    assert.match(parseInjection(['slow-etcd'], ['east']) as string, /^slow-etcd LATENCY \[DURATION\]: LATENCY/);
    assert.match(parseInjection(['slow-etcd', '200ms', 'north'], ['east']) as string, /no cluster 'north'/);
    assert.match(parseInjection(['slow-etcd', '2m'], ['east']) as string, /latency must be from 1ms/);
  });
});

describe('slow etcd in the model', function () {
  this.timeout(30_000);

  it('raises API-server latency and the seats in use for the same load; near the limit, requests are rejected', () => {
    const event = '  - {at: 5m, action: slow-etcd, latency: 200ms}';
    for (const replicas of [20, 1500]) {
      const base = new Simulation(parseScenario(scenario(replicas, ''), 's.yaml')).run(15 * 60);
      const slow = new Simulation(parseScenario(scenario(replicas, event), 's.yaml')).run(15 * 60);
      // Before the event the two runs are the same run.
      assert.deepEqual(slow.samples.filter((s) => s.t < 5 * 60), base.samples.filter((s) => s.t < 5 * 60));
      const b = after(base, 8 * 60);
      const s = after(slow, 8 * 60);
      const what = `${replicas} replicas`;
      assert.ok(mean(s, (c) => c.apiserver.mutatingP99Seconds) > mean(b, (c) => c.apiserver.mutatingP99Seconds), `${what}: writes wait on etcd`);
      assert.ok(mean(s, (c) => c.apiserver.readP99Seconds) > mean(b, (c) => c.apiserver.readP99Seconds), `${what}: LISTs from etcd wait on it`);
      assert.ok(mean(s, (c) => c.apiserver.inflight) > mean(b, (c) => c.apiserver.inflight), `${what}: the same rate holds more seats`);
      if (replicas === 20) assert.equal(mean(s, (c) => c.apiserver.rejectedPerSecond), 0, 'a light load still fits');
      else {
        assert.equal(mean(b, (c) => c.apiserver.rejectedPerSecond), 0, 'without slow etcd the load fits');
        assert.ok(mean(s, (c) => c.apiserver.rejectedPerSecond) > 0, 'with it the seats run out: 429s');
      }
    }
  });

  it('ends after its duration: etcd is healthy again and latency back to the run without it', () => {
    const base = new Simulation(parseScenario(scenario(20, ''), 's.yaml')).run(20 * 60);
    const sim = new Simulation(parseScenario(scenario(20, '  - {at: 5m, action: slow-etcd, latency: 300ms, duration: 5m}'), 's.yaml'));
    const r = sim.run(20 * 60);
    const slowAt = r.events.find((e) => e.kind === 'etcd-slow');
    const back = r.events.find((e) => e.kind === 'etcd-recovered');
    assert.ok(slowAt && back, JSON.stringify(r.events));
    assert.ok(back.t - slowAt.t >= 5 * 60 && back.t - slowAt.t < 5 * 60 + 2, `recovered ${back.t - slowAt.t}s later`);
    const at = (x: RunResult, t: number) => x.samples.find((s) => s.t === t)!.clusters.east.apiserver;
    assert.ok(at(r, 7 * 60).mutatingP99Seconds > at(base, 7 * 60).mutatingP99Seconds, 'slow while it lasts');
    assert.equal(at(r, 15 * 60).mutatingP99Seconds, at(base, 15 * 60).mutatingP99Seconds, 'as before once it ends');
  });

  it('LISTs served from etcd are hit hardest, writes by a round trip, reads from the watch cache not at all', () => {
    const model = new ClusterModel({ name: 'east', nodes: 1000, podsPerNode: 30, apiServerReplicas: 3, serverConcurrency: 600, apiServerMemoryGiB: 64, apiServerCores: 32, consistentListFromCache: false, backgroundUserRps: 0 }, 1, 1200);
    model.step();
    const req = (verb: SimRequest['verb'], fromCache: boolean): SimRequest => ({ user: 'admin', groups: ['system:masters'], userAgent: 'kubectl', verb, resource: 'pods', objects: verb === 'list' ? 30_000 : 1, bytes: 4096, fromCache });
    const kinds = { etcdList: req('list', false), cacheList: req('list', true), write: req('patch', false), get: req('get', true) };
    const wait = () => Object.fromEntries(Object.entries(kinds).map(([k, r]) => [k, model.admit(r).waitMs])) as Record<keyof typeof kinds, number>;
    const before = wait();
    model.slowEtcd(0.2);
    const slow = wait();
    const added = (k: keyof typeof kinds) => slow[k] - before[k];
    assert.ok(added('write') > 0, 'a write waits for its etcd transaction');
    assert.ok(added('etcdList') > 10 * added('write'), `a LIST from etcd reads it page by page: +${added('etcdList')} ms vs +${added('write')} ms`);
    assert.equal(added('cacheList'), 0, 'the watch cache does not wait on etcd');
    assert.equal(added('get'), 0);
  });
});
