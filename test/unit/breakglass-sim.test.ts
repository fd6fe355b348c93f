// The break-glass actions against the cluster model, in simulated time: SSH fan-out over 5,000
// nodes at concurrency 200 within a simulated minute, and on the seed scenario the node-level stop
// (plus removing the objects from etcd) recovers the cluster, while deleting the DaemonSet alone
// leaves the agents running until the kubelets hear of it through the saturated API server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { headlessTimeline, runStep, type ActionContext } from '../../src/breakglass';
import { nodeExec, simFanOut } from '../../src/breakglass/node-exec';
import { scheduleSessions } from '../../src/breakglass/simtime';
import type { ClusterModel } from '../../src/sim/model/cluster';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import type { ClusterSnapshot } from '../../src/sim/types';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const AGENT = 'monitoring/telemetry-agent';

function seedAt(seconds: number, nodes?: number): { sim: Simulation; cluster: ClusterModel } {
  const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED), nodes ? { nodes: { 'prod-east': nodes } } : {});
  while (sim.now() < seconds) sim.step(1);
  return { sim, cluster: sim.cluster('prod-east')! };
}

function simCtx(sim: Simulation, cluster: ClusterModel, o: Partial<ActionContext> = {}): ActionContext & { lines: string[] } {
  const lines: string[] = [];
  return { mode: 'sim', runbookDir: __dirname, env: {}, signal: new AbortController().signal, dryRun: false, log: (l) => lines.push(l), sim: { cluster, timeline: headlessTimeline(sim) }, lines, ...o };
}

/** The incident's all-clear: every API server replica ready, no 429s, DNS answering, few errors. */
function recovered(s: ClusterSnapshot): boolean {
  return s.apiserver.replicasReady === s.apiserver.replicas && s.apiserver.rejectedPerSecond === 0 && s.dns.successRatio > 0.99 && s.dataPlane.errorRatio < 0.01;
}

/** Steps to `until` (simulated seconds); returns when the cluster was first recovered for good. */
function watch(sim: Simulation, cluster: ClusterModel, until: number): number | undefined {
  let since: number | undefined = recovered(cluster.snapshot()) ? sim.now() : undefined;
  while (sim.now() < until) {
    sim.step(1);
    if (recovered(cluster.snapshot())) since ??= sim.now();
    else since = undefined;
  }
  return since;
}

const STOP = {
  action: 'node-exec',
  nodes: { file: 'nodes.txt' },
  user: 'root',
  command: 'crictl ps -q --name telemetry-agent | xargs -r crictl stop',
  concurrency: 200,
  workload: AGENT,
};
const ETCD = { action: 'etcd-delete', keys: ['/registry/daemonsets/monitoring/telemetry-agent'], prefixes: ['/registry/pods/monitoring/telemetry-agent-'] };

describe('breakglass actions in simulation', function () {
  this.timeout(120_000);

  it('session scheduling: a worker takes the next node when free', () => {
    assert.deepEqual([...scheduleSessions(5, 2, () => 2)], [2, 2, 4, 4, 6]);
    const p = simFanOut(5000, 200);
    assert.equal(p.ids.length, 5000);
    assert.equal(p.ids[0], 'node-00001');
    assert.equal(p.ids[4999], 'node-05000');
  });

  it('node-exec over 5,000 nodes at concurrency 200 finishes within 60 simulated seconds, without waiting in real time', async () => {
    const { sim, cluster } = seedAt(60);
    const ctx = simCtx(sim, cluster);
    const t0 = Date.now();
    const start = sim.now();
    const r = await runStep(STOP, ctx);
    assert.equal(r.result.ok, true, r.result.summary);
    assert.equal(r.result.items.length, 5000);
    assert.ok(r.result.simSeconds! <= 60, `took ${r.result.simSeconds} simulated seconds`);
    assert.ok(r.result.simSeconds! >= 40, `implausibly fast: ${r.result.simSeconds} s`);
    assert.equal(sim.now() - start, r.result.simSeconds);
    assert.ok(Date.now() - t0 < 30_000, `real time ${Date.now() - t0} ms`);
    assert.equal(cluster.snapshot().workloadPods[AGENT], 0);
    assert.match(r.result.summary, /5000 node\(s\) at concurrency 200 in \d+ simulated seconds: \d+ changed/);
    // The same again: every agent is already stopped.
    const r2 = await runStep(STOP, ctx);
    assert.equal(r2.result.items.every((i) => i.unchanged), true);
  });

  it('dry run and preview estimate the duration and change nothing', async () => {
    const { sim, cluster } = seedAt(60);
    const before = sim.now();
    const p = await nodeExec.preview(nodeExec.parse(STOP).spec!, simCtx(sim, cluster));
    assert.match(p.summary, /on 5000 simulated node\(s\), 200 at a time: about \d+ simulated seconds/);
    assert.equal(sim.now(), before);
    assert.ok(cluster.snapshot().workloadPods[AGENT] > 0);
    // A preview is a plan, not a dry run: it says what would run and is not flagged as a run.
    assert.match(p.summary, /^would run `crictl ps/);
    assert.equal(p.dryRun, undefined);
    assert.match(p.brief!, /^5000 node\(s\), 200 at a time, about \d+ s$/);
    // A dry run says nothing ran, and says so in its flag.
    const d = await nodeExec.run(nodeExec.parse(STOP).spec!, simCtx(sim, cluster, { dryRun: true }));
    assert.match(d.summary, /^dry run: nothing run; would run `crictl ps/);
    assert.equal(d.dryRun, true);
    assert.equal(sim.now(), before);
  });

  it("the result is the caller's to print: the action logs no summary of its own", async () => {
    // T+10m: the agent runs on every node.
    const { sim, cluster } = seedAt(600);
    assert.equal(cluster.snapshot().workloadPods[AGENT], 5000);
    const ctx = simCtx(sim, cluster);
    const r = await runStep(STOP, ctx);
    assert.equal(r.result.ok, true);
    assert.deepEqual(ctx.lines.filter((l) => l.includes(r.result.summary)), []);
    assert.match(r.result.brief!, /^5000 agent\(s\) stopped in \d+ s$/);
  });

  it('seed scenario at T+10m: stopping the agents on the nodes and removing the objects from etcd recovers within 15 simulated minutes; deleting the DaemonSet alone is slower', async () => {
    const T = 600;
    const LIMIT = 15 * 60;
    // Break-glass path: remove the objects from etcd (nothing recreates the agents), stop the agents on every node.
    const bg = seedAt(T);
    assert.equal(recovered(bg.cluster.snapshot()), false, 'saturated at T+10m');
    const ctx = simCtx(bg.sim, bg.cluster);
    const e = await runStep(ETCD, ctx);
    assert.equal(e.result.ok, true, e.result.summary);
    assert.equal(e.result.items.length, 5001);
    const n = await runStep(STOP, ctx);
    assert.equal(n.result.ok, true, n.result.summary);
    const sshSeconds = n.result.simSeconds!;
    const bgAt = watch(bg.sim, bg.cluster, T + LIMIT);
    assert.ok(bgAt !== undefined && bgAt - T <= LIMIT, `break-glass path: recovered at ${bgAt === undefined ? 'never' : `T+10m+${bgAt - T}s`}`);
    const end = bg.cluster.snapshot();
    assert.ok(recovered(end), JSON.stringify(end.apiserver));

    // Ordinary path: the DaemonSet deleted through the API (model: deleteWorkload only).
    const del = seedAt(T);
    del.cluster.deleteWorkload('monitoring', 'telemetry-agent');
    const delAt = watch(del.sim, del.cluster, bgAt!);
    assert.equal(delAt, undefined, `deleteWorkload alone recovered by T+10m+${bgAt! - T}s`);
    assert.ok(del.cluster.snapshot().workloadPods[AGENT] > 0 || !recovered(del.cluster.snapshot()));
    const delLater = watch(del.sim, del.cluster, T + LIMIT);

    // Nothing gets through (an ordinary user's delete is rejected): no recovery at all.
    const none = seedAt(T);
    const noneAt = watch(none.sim, none.cluster, T + LIMIT);
    assert.equal(noneAt, undefined, 'without any action the cluster does not recover');

    // For the report.
    console.log(
      `      break-glass: ssh fan-out ${sshSeconds}s, recovered T+10m+${bgAt! - T}s; deleteWorkload only: ${delLater === undefined ? 'not within 15m' : `recovered T+10m+${delLater - T}s`}; no action: not within 15m`,
    );
  });

  it('network-block in simulation blocks the workload at the control-plane hosts, and lifts it', async () => {
    const { sim, cluster } = seedAt(600);
    const ctx = simCtx(sim, cluster);
    const body = { action: 'network-block', hosts: { file: 'control-plane.txt' }, workload: AGENT, port: 6443 };
    const r = await runStep(body, ctx);
    assert.equal(r.result.ok, true, r.result.summary);
    assert.equal(r.result.items.length, 3);
    assert.ok(r.result.simSeconds! <= 10);
    const at = watch(sim, cluster, 600 + 15 * 60);
    assert.ok(at !== undefined, 'blocking the clients recovers the cluster');
    assert.equal(cluster.snapshot().workloadPods[AGENT], 5000, 'the agents still run; their traffic does not arrive');
    const lift = await runStep({ ...body, lift: true }, ctx);
    assert.equal(lift.result.ok, true);
    assert.match(lift.result.summary, /lifted the block/);
  });
});
