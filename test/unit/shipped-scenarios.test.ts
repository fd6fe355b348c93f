// The tabletop scenarios shipped in runbooks/scenarios/: each one parses cleanly, and each plays
// out in the model the way its header says it does.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseScenario, type Scenario, type ScenarioAction } from '../../src/sim/scenario';
import { Simulation, type RunResult, type Sample } from '../../src/sim/simulation';
import { selectClusters } from '../../src/cli/sim';

const DIR = join(__dirname, '../../../runbooks/scenarios');
const load = (file: string): Scenario => parseScenario(readFileSync(join(DIR, file), 'utf8'), file);

type Point = Sample['clusters'][string] & { t: number };
const series = (r: RunResult, cluster: string): Point[] => r.samples.map((s) => ({ t: s.t, ...s.clusters[cluster] }));
const at = (r: RunResult, cluster: string, t: number): Point => {
  const p = series(r, cluster).find((s) => s.t === t);
  assert.ok(p, `no sample of ${cluster} at T+${t}s`);
  return p;
};
const largest = (s: Scenario) => s.clusters.reduce((a, b) => (b.nodes > a.nodes ? b : a));
const healthy = (p: Point, recovered: number) =>
  p.apiserver.rejectedPerSecond === 0 && p.apiserver.replicasReady === 3 && p.dns.successRatio > 0.99 && p.dataPlane.errorRatio < recovered;
const eventAt = (s: Scenario, action: ScenarioAction['action']) => {
  const e = s.events.find((x) => x.spec.action === action);
  assert.ok(e, `${s.name} has a ${action} event`);
  return e;
};

describe('shipped scenarios', () => {
  const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

  it('include the seed incident, the operator variant and the lost control plane', () => {
    for (const f of ['telemetry-rollout-2024-12-11.yaml', 'operator-relist-loop.yaml', 'control-plane-lost.yaml']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  });

  it('give the facilitator hints for the variants, in order', () => {
    for (const f of ['operator-relist-loop.yaml', 'control-plane-lost.yaml']) {
      const hints = load(f).hints;
      assert.ok(hints.length >= 3, `${f}: ${hints.length} hints`);
      assert.deepEqual(hints.map((h) => h.after), [...hints.map((h) => h.after)].sort((a, b) => a - b), f);
    }
    // The lost control plane's first hint comes after the loss, not before it.
    const cp = load('control-plane-lost.yaml');
    assert.ok(cp.hints[0].after > eventAt(cp, 'lose-control-plane').at);
  });

  for (const f of files) {
    it(`${f} parses without problems and is a complete exercise`, () => {
      const text = readFileSync(join(DIR, f), 'utf8');
      const s = parseScenario(text, f); // throws a ScenarioError naming every problem
      assert.equal(s.name, basename(f).replace(/\.ya?ml$/, ''), 'the name is the file name');
      assert.ok(s.description.length > 0, 'a description');
      assert.match(text, /^seed: \d+$/m, 'its own seed, not the default');
      assert.match(text, /^recoveredErrorRatio: /m, 'says when the data plane counts as recovered');
      assert.ok(s.recoveredErrorRatio > 0 && s.recoveredErrorRatio <= 0.05, `recoveredErrorRatio ${s.recoveredErrorRatio}`);
      assert.ok(s.durationSeconds >= 30 * 60, `duration ${s.durationSeconds}s`);
      assert.ok(new Set(s.clusters.map((c) => c.nodes)).size >= 2, 'clusters of different sizes');
      assert.ok(s.events.length > 0, 'something happens');
      for (const e of s.events) {
        assert.ok(e.clusters.length > 0, `event at line ${e.line} names its clusters`);
        assert.ok(e.at <= s.durationSeconds, `event at line ${e.line} happens within the duration`);
      }
      assert.match(text, /^# /, 'a header comment says what it models');
      for (const h of s.hints) assert.ok(h.after <= s.durationSeconds && h.text.length > 0, `hint at ${h.after}s`);
    });
  }
});

describe('scenario operator-relist-loop', function () {
  this.timeout(30_000);
  const s = load('operator-relist-loop.yaml');
  const big = largest(s).name;
  let run: RunResult;
  before(() => {
    run = new Simulation(s).run(60 * 60);
  });

  it('rolls a Deployment of a few replicas out to every cluster at T+0', () => {
    const deploy = eventAt(s, 'deploy');
    assert.equal(deploy.at, 0);
    assert.deepEqual([...deploy.clusters].sort(), s.clusters.map((c) => c.name).sort());
    assert.ok(deploy.spec.action === 'deploy');
    const w = deploy.spec.workload;
    assert.equal(w.kind, 'Deployment');
    assert.equal(w.identity, 'serviceAccount');
    assert.ok(w.replicas !== undefined && w.replicas <= 5, `replicas ${w.replicas}`);
  });

  it('saturates the largest production cluster within 5 minutes', () => {
    assert.equal(big, 'prod-east');
    const first = series(run, big).find((p) => p.apiserver.rejectedPerSecond > 0 || p.apiserver.replicasReady < 3);
    assert.ok(first, `${big} saturates`);
    assert.ok(first.t <= 5 * 60, `first rejections or a replica down at T+${first.t}s`);
    const oom = run.events.find((e) => e.cluster === big && e.kind === 'apiserver-down' && /OOM/.test(e.detail));
    assert.ok(oom && oom.t <= 5 * 60, `an API server replica is OOM-killed early (${oom?.t})`);
  });

  it('keeps staging healthy throughout', () => {
    for (const p of series(run, 'staging')) {
      assert.ok(healthy(p, s.recoveredErrorRatio), `t=${p.t} ${JSON.stringify(p)}`);
      assert.ok(p.apiserver.readP99Seconds < 1, `t=${p.t} read p99 ${p.apiserver.readP99Seconds}`);
    }
    assert.ok(!run.events.some((e) => e.cluster === 'staging' && e.kind === 'apiserver-down'));
  });

  it('slows the mid-sized cluster without breaking it', () => {
    const west = series(run, 'prod-west');
    for (const p of west) assert.ok(healthy(p, s.recoveredErrorRatio), `t=${p.t} ${JSON.stringify(p)}`);
    // The warning sign is there: its own cluster-wide LISTs take seconds.
    assert.ok(west.some((p) => p.apiserver.readP99Seconds > 5), 'read p99 above 5 s at some point');
    assert.ok(!run.events.some((e) => e.cluster === 'prod-west' && e.kind === 'apiserver-down'));
  });

  it('does not recover by itself', () => {
    for (const p of series(run, big).filter((x) => x.t >= 25 * 60)) {
      assert.ok(p.dataPlane.errorRatio > 0.5, `t=${p.t} error ${p.dataPlane.errorRatio}`);
    }
  });

  it('breaks the largest cluster and spares the others whatever the seed', () => {
    for (const seed of [1, 7, 424242]) {
      const r = new Simulation(s, { seed }).run(10 * 60);
      const downs = (c: string) => r.events.filter((e) => e.cluster === c && e.kind === 'apiserver-down').length;
      assert.ok(downs(big) > 0, `seed ${seed}: ${big} loses replicas`);
      assert.equal(downs('prod-west'), 0, `seed ${seed}: prod-west keeps its replicas`);
      assert.equal(downs('staging'), 0, `seed ${seed}: staging keeps its replicas`);
    }
  });

  it('recovers once the operator is scaled to 0 while a replica answers', () => {
    const sim = new Simulation(selectClusters(s, big, undefined));
    const c = sim.cluster(big)!;
    while (sim.now() < 15 * 60 || c.snapshot().apiserver.replicasReady === 0) sim.step(1);
    const before = c.snapshot();
    assert.ok(before.dataPlane.errorRatio > 0.5, `broken before: ${before.dataPlane.errorRatio}`);
    assert.equal(c.scaleWorkload('backup-system', 'backup-operator', 0), true);
    const scaledAt = sim.now();
    while (sim.now() < scaledAt + 20 * 60) sim.step(1);
    const after = c.snapshot();
    assert.equal(after.workloadPods['backup-system/backup-operator'], 0);
    assert.equal(after.apiserver.replicasReady, 3);
    assert.equal(after.apiserver.rejectedPerSecond, 0);
    assert.ok(after.dns.successRatio > 0.99 && after.dataPlane.errorRatio < s.recoveredErrorRatio, JSON.stringify(after.dataPlane));
  });
});

describe('scenario control-plane-lost', function () {
  this.timeout(30_000);
  const s = load('control-plane-lost.yaml');
  const loss = eventAt(s, 'lose-control-plane');
  const restore = eventAt(s, 'restore-control-plane');
  const lost = loss.clusters[0];
  const expiry = s.dnsCacheExpirySeconds;
  let run: RunResult;
  before(() => {
    run = new Simulation(s).run(restore.at + 30 * 60);
  });

  it('loses one production cluster and restores it after the DNS caches ran out', () => {
    assert.deepEqual(loss.clusters, [lost]);
    assert.deepEqual(restore.clusters, [lost]);
    assert.notEqual(lost, 'staging');
    assert.ok(restore.at - loss.at > expiry, `restore ${restore.at - loss.at}s after the loss, expiry ${expiry}s`);
  });

  it('has no API server, and no etcd, from the loss until the restore', () => {
    for (const p of series(run, lost).filter((x) => x.t >= loss.at && x.t <= restore.at)) {
      assert.equal(p.apiserver.replicasReady, 0, `t=${p.t}`);
    }
    for (const p of series(run, lost).filter((x) => x.t < loss.at)) assert.equal(p.apiserver.replicasReady, 3, `t=${p.t}`);
    const sim = new Simulation(selectClusters(s, lost, undefined));
    const c = sim.cluster(lost)!;
    while (sim.now() < loss.at - 60) sim.step(1);
    assert.equal(c.snapshot().apiserver.etcdOk, true);
    while (sim.now() < loss.at + 60) sim.step(1);
    assert.equal(c.snapshot().apiserver.etcdOk, false);
    assert.equal(c.admit({ user: 'sim-user', groups: ['system:authenticated'], userAgent: 'kubectl', verb: 'get', resource: 'pods', objects: 1, bytes: 4096, fromCache: false }).outcome, 'reject');
  });

  it('keeps DNS answering from caches at first, and loses it only as they expire', () => {
    const dns = (t: number) => at(run, lost, t).dns.successRatio;
    assert.ok(dns(loss.at + 60) > 0.9, `a minute after the loss: ${dns(loss.at + 60)}`);
    assert.ok(dns(loss.at + 120) > 0.85, `two minutes after the loss: ${dns(loss.at + 120)}`);
    const half = series(run, lost).find((p) => p.t > loss.at && p.dns.successRatio < 0.5);
    assert.ok(half, 'DNS falls below 50 %');
    assert.ok(half.t - loss.at >= 0.4 * expiry && half.t - loss.at <= 0.6 * expiry, `below 50 % ${half.t - loss.at}s after the loss (expiry ${expiry}s)`);
    assert.ok(dns(loss.at + expiry + 60) < 0.05, `after the expiry: ${dns(loss.at + expiry + 60)}`);
  });

  it('lasts as long as the cache expiry says: twice the expiry, twice the time', () => {
    // Without the restore, so that it cannot cut either run short.
    const noRestore = { ...s, events: s.events.filter((e) => e.spec.action !== 'restore-control-plane') };
    const halfTime = (expirySeconds: number) => {
      const r = new Simulation(selectClusters({ ...noRestore, dnsCacheExpirySeconds: expirySeconds }, lost, undefined)).run(loss.at + expirySeconds);
      const half = series(r, lost).find((p) => p.t > loss.at && p.dns.successRatio < 0.5);
      assert.ok(half, `DNS falls below 50 % with a ${expirySeconds}s expiry`);
      return half.t - loss.at;
    };
    const [once, twice] = [halfTime(expiry), halfTime(2 * expiry)];
    assert.ok(twice / once > 1.7 && twice / once < 2.3, `time to 50 % DNS: ${once}s with ${expiry}s, ${twice}s with ${2 * expiry}s`);
  });

  it('raises data-plane errors during the outage, more as DNS expires', () => {
    const err = (t: number) => at(run, lost, t).dataPlane.errorRatio;
    assert.ok(err(loss.at - 60) < s.recoveredErrorRatio, `before the loss: ${err(loss.at - 60)}`);
    assert.ok(err(loss.at + 15 * 60) > err(loss.at + 3 * 60), `${err(loss.at + 3 * 60)} -> ${err(loss.at + 15 * 60)}`);
    assert.ok(err(loss.at + expiry + 60) > 0.9, `after the expiry: ${err(loss.at + expiry + 60)}`);
  });

  it('leaves the other clusters alone', () => {
    for (const c of s.clusters.filter((x) => x.name !== lost)) {
      for (const p of series(run, c.name)) assert.ok(healthy(p, s.recoveredErrorRatio), `${c.name} t=${p.t} ${JSON.stringify(p)}`);
    }
  });

  it('recovers within minutes of the restore, and stays recovered', () => {
    const after = series(run, lost).filter((p) => p.t > restore.at);
    const back = after.findIndex((p) => healthy(p, s.recoveredErrorRatio));
    assert.ok(back >= 0, 'recovers');
    assert.ok(after[back].t - restore.at <= 10 * 60, `healthy ${after[back].t - restore.at}s after the restore`);
    assert.ok(after[back].t - restore.at >= 90, 'not before the API servers have started');
    for (const p of after.slice(back)) assert.ok(healthy(p, s.recoveredErrorRatio), `t=${p.t} ${JSON.stringify(p)}`);
  });

  it('does not recover without the restore', () => {
    const r = new Simulation({ ...s, events: s.events.filter((e) => e.spec.action !== 'restore-control-plane') }).run(restore.at + 30 * 60);
    const end = series(r, lost).at(-1)!;
    assert.equal(end.apiserver.replicasReady, 0);
    assert.ok(end.dataPlane.errorRatio > 0.9, JSON.stringify(end));
  });
});
