import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScenarioError, parseScenario } from '../../src/sim/scenario';
import { Simulation, type RunResult } from '../../src/sim/simulation';
import { selectClusters } from '../../src/cli/sim';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const seedScenario = () => parseScenario(readFileSync(SEED, 'utf8'), SEED);

const at = (r: RunResult, minute: number) => r.samples.find((s) => s.t === minute * 60)!;
const series = (r: RunResult, cluster: string) => r.samples.map((s) => ({ t: s.t, ...s.clusters[cluster] }));

describe('cluster model on the seed scenario', function () {
  this.timeout(20_000);
  let run: RunResult;
  before(() => {
    run = new Simulation(seedScenario()).run(90 * 60);
  });

  it('keeps the staging cluster healthy throughout', () => {
    for (const s of series(run, 'staging')) {
      assert.equal(s.apiserver.rejectedPerSecond, 0, `t=${s.t}`);
      assert.ok(s.apiserver.readP99Seconds < 1, `t=${s.t} read p99 ${s.apiserver.readP99Seconds}`);
      assert.equal(s.apiserver.replicasReady, 3);
      assert.ok(s.dns.successRatio > 0.999 && s.dataPlane.errorRatio < 0.01);
    }
  });

  it('saturates the 5,000-node cluster within 5 minutes of the rollout', () => {
    const saturated = series(run, 'prod-east').find((s) => s.apiserver.rejectedPerSecond > 0 && s.apiserver.readP99Seconds > 1);
    assert.ok(saturated, 'prod-east saturates');
    assert.ok(saturated.t <= 5 * 60, `saturated at T+${saturated.t}s`);
    assert.ok(run.events.some((e) => e.cluster === 'prod-east' && e.kind === 'apiserver-down' && /OOM/.test(e.detail)), 'replicas run out of memory');
  });

  it('DNS fails only as cached records expire, and data-plane errors follow', () => {
    const east = series(run, 'prod-east');
    const sat = east.find((s) => s.apiserver.rejectedPerSecond > 0)!.t;
    // Right after saturation discovery still answers from caches…
    assert.ok(at(run, Math.ceil(sat / 60) + 1).clusters['prod-east'].dns.successRatio > 0.85);
    // …and loses most of them only after the cache expiry (20 minutes).
    const lowDns = east.find((s) => s.dns.successRatio < 0.5)!;
    assert.ok(lowDns.t - sat >= 8 * 60, `DNS below 50% at T+${lowDns.t}s, saturated at T+${sat}s`);
    assert.ok(at(run, 25).clusters['prod-east'].dns.successRatio < 0.3);
    // The user-visible error rate is an output: it tracks discovery.
    assert.ok(at(run, 2).clusters['prod-east'].dataPlane.errorRatio < 0.25);
    assert.ok(at(run, 25).clusters['prod-east'].dataPlane.errorRatio > 0.6);
  });

  it('does not recover by itself while the workload runs', () => {
    for (const s of series(run, 'prod-east').filter((x) => x.t >= 30 * 60)) {
      assert.ok(s.dataPlane.errorRatio > 0.3, `t=${s.t} error ${s.dataPlane.errorRatio}`);
    }
  });

  it('recovers once the offending traffic stops', () => {
    const s = seedScenario();
    s.events.push({ at: 30 * 60, clusters: ['prod-east'], spec: { action: 'stop-agents', namespace: 'monitoring', name: 'telemetry-agent' }, line: 0 });
    const r = new Simulation(selectClusters(s, 'prod-east', undefined)).run(60 * 60);
    const before = at(r, 29).clusters['prod-east'];
    const after = at(r, 45).clusters['prod-east'];
    assert.ok(before.dataPlane.errorRatio > 0.5);
    assert.equal(after.apiserver.rejectedPerSecond, 0);
    assert.equal(after.apiserver.replicasReady, 3);
    assert.ok(after.dns.successRatio > 0.99 && after.dataPlane.errorRatio < s.recoveredErrorRatio, JSON.stringify(after));
  });

  it('deleting the DaemonSet through a saturated API server stops the agents only slowly', () => {
    const s = selectClusters(seedScenario(), 'prod-east', undefined);
    const sim = new Simulation(s);
    for (let i = 0; i < 600; i++) sim.step(1);
    const c = sim.cluster('prod-east')!;
    assert.equal(c.deleteWorkload('monitoring', 'telemetry-agent'), true);
    sim.step(1);
    assert.ok(c.snapshot().workloadPods['monitoring/telemetry-agent'] > 4000, 'most agents still run right after the delete');
  });

  it('same seed, same timeline; another seed, another timeline', () => {
    const a = JSON.stringify(new Simulation(seedScenario()).run(20 * 60));
    const b = JSON.stringify(new Simulation(seedScenario()).run(20 * 60));
    const c = JSON.stringify(new Simulation(seedScenario(), { seed: 99 }).run(20 * 60));
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it('scales to 10,000 nodes without per-node work', () => {
    const s = selectClusters(seedScenario(), 'prod-east', 10_000);
    const r = new Simulation(s).run(10 * 60);
    assert.deepEqual(r.clusters, [{ name: 'prod-east', nodes: 10_000 }]);
    assert.equal(r.samples.length, 11);
  });
});

describe('scenario validation', () => {
  const bad = (text: string) => {
    try {
      parseScenario(text, 'x.yaml');
    } catch (e) {
      assert.ok(e instanceof ScenarioError, String(e));
      return e.problems;
    }
    assert.fail('expected a ScenarioError');
  };
  it('names the line and field of each problem', () => {
    const p = bad(`name: x
clusters:
  - name: a
    nodes: -3
  - name: Bad_Name
    nodes: 10
    colour: red
events:
  - at: soon
    action: deploy
    workload: {name: w, calls: [{verb: fetch, resource: pods}]}
  - at: 1m
    action: explode
  - at: 2m
    action: scale-nodes
    cluster: nope
    nodes: 3
`);
    const lines = p.map((x) => `${x.line}: ${x.message}`);
    assert.ok(lines.some((l) => /^4: clusters\[0\]\.nodes must be a number from 1/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^5: clusters\[1\]\.name must be a DNS-style name/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^7: clusters\[1\]: unknown field 'colour'/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^9: events\[0\]\.at must be a duration/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^11: .*verb must be one of/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^13: events\[1\]\.action must be one of/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^16: events\[2\]: no cluster named 'nope'/.test(l)), lines.join('\n'));
  });
  it('reports broken YAML and wrong shapes without throwing anything else', () => {
    assert.match(bad('name: [x\n')[0].message, /YAML/);
    assert.match(bad('- a\n- b\n')[0].message, /mapping/);
    assert.match(bad('name: x\nclusters: []\n')[0].message, /non-empty list/);
  });
  it('accepts the shipped scenarios', () => {
    const s = seedScenario();
    assert.deepEqual(s.clusters.map((c) => c.name), ['staging', 'prod-east', 'prod-west']);
    assert.equal(s.durationSeconds, 4 * 3600 + 22 * 60);
    assert.equal(s.events[0].spec.action, 'deploy');
  });
});
