// exempt-request against the simulated API server (`serveCluster`) of the seed scenario's
// 5,000-node cluster saturated at T+10m: the break-glass context lands in the exempt priority level
// (verified by UID) and gets through; the ordinary context is not exempt, and no DELETE is sent
// through it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStep, type ActionContext } from '../../src/breakglass';
import { exemptRequest, parseExemptRequest } from '../../src/breakglass/exempt-request';
import { checkExempt, kubeTarget, resourcePath } from '../../src/breakglass/kube';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import type { ClusterModel } from '../../src/sim/model/cluster';
import { apfUid } from '../../src/sim/server/apf';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

describe('breakglass exempt-request against the simulated API server, saturated', function () {
  this.timeout(60_000);
  let cluster: ClusterModel;
  let served: ServedCluster;
  before(async () => {
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    while (sim.now() < 600) sim.step(1);
    cluster = sim.cluster('prod-east')!;
    const s = cluster.snapshot();
    assert.ok(s.apiserver.rejectedPerSecond > 100, 'saturated');
    served = await serveCluster(cluster);
  });
  after(async () => served && (await served.close()));

  const ctx = (o: Partial<ActionContext> = {}): ActionContext & { lines: string[] } => {
    const lines: string[] = [];
    return { mode: 'real', runbookDir: __dirname, env: { KUBECONFIG: served.kubeconfig }, signal: new AbortController().signal, dryRun: false, log: (l) => lines.push(l), lines, ...o };
  };
  const DS = { action: 'exempt-request', context: 'sim-breakglass', resource: 'daemonsets', namespace: 'monitoring', name: 'telemetry-agent', timeout: '10s' };

  it('builds API paths and checks its body', () => {
    assert.equal(resourcePath('daemonsets', 'monitoring', 'telemetry-agent'), '/apis/apps/v1/namespaces/monitoring/daemonsets/telemetry-agent');
    assert.equal(resourcePath('nodes', undefined, 'node-00001'), '/api/v1/nodes/node-00001');
    assert.match(parseExemptRequest({ action: 'exempt-request', context: 'c', verb: 'delete', resource: 'pods', namespace: 'x' }).problems.join(), /needs `name`/);
    assert.match(parseExemptRequest({ action: 'exempt-request', context: 'c', resource: 'widgets', name: 'x' }).problems.join(), /unknown resource/);
    assert.ok(parseExemptRequest({ action: 'exempt-request', context: 'c', path: '/api/v1/nodes' }).spec);
  });

  it('the exempt PriorityLevelConfiguration UID matches the header the break-glass context gets', async () => {
    const t = await kubeTarget(served.kubeconfig, 'sim-breakglass');
    const c = await checkExempt(t, { timeoutMs: 5000 });
    assert.equal(c.verified, true, c.detail);
    assert.equal(c.exemptUid, apfUid('PriorityLevelConfiguration', 'exempt'));
  });

  it('the ordinary context is not exempt: the DELETE is never sent through it', async () => {
    const r = await runStep({ ...DS, context: 'sim', verb: 'delete', timeout: '3s' }, ctx());
    assert.equal(r.result.ok, false);
    assert.match(r.result.summary, /not exempt|429|no answer within/);
    assert.ok(cluster.workloads().some((w) => w.name === 'telemetry-agent'), 'still there');
  });

  it('GET through the break-glass context gets through and is verified exempt', async () => {
    const r = await runStep(DS, ctx());
    assert.equal(r.result.ok, true, r.result.summary);
    assert.match(r.result.summary, /HTTP 200; exempt level verified/);
    assert.deepEqual(r.result.items.map((i) => [i.id, i.ok]), [['exempt-level', true], ['request', true], ['request-level', true]]);
  });

  it('dry-run DELETE changes nothing; the real DELETE removes the DaemonSet; again is "already gone"', async () => {
    const dry = await exemptRequest.run(parseExemptRequest({ ...DS, verb: 'delete' }).spec!, ctx({ dryRun: true }));
    assert.equal(dry.ok, true, dry.summary);
    assert.match(dry.summary, /^dry-run delete/);
    assert.ok(cluster.workloads().some((w) => w.name === 'telemetry-agent'));
    const t0 = Date.now();
    const r = await runStep({ ...DS, verb: 'delete' }, ctx());
    assert.equal(r.result.ok, true, r.result.summary);
    assert.match(r.result.summary, /^delete .* HTTP 200; exempt level verified/);
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(cluster.workloads().some((w) => w.name === 'telemetry-agent'), false);
    // Deleting the object did not stop the agents: that is node-exec's job.
    assert.ok(cluster.snapshot().workloadPods['monitoring/telemetry-agent'] > 0);
    const again = await runStep({ ...DS, verb: 'delete' }, ctx());
    assert.equal(again.result.ok, true, again.result.summary);
    assert.match(again.result.summary, /already gone/);
  });

  it('a context missing from the kubeconfig is a clear error', async () => {
    const r = await runStep({ ...DS, context: 'prod-east-breakglass' }, ctx());
    assert.match(r.result.summary, /context 'prod-east-breakglass' is not in .* \(it has: sim, sim-breakglass\)/);
    // In simulated mode it stands for the simulated cluster's break-glass context.
    const s = await runStep({ ...DS, context: 'prod-east-breakglass', verb: 'get', resource: 'nodes', namespace: undefined, name: 'node-00001' }, ctx({ mode: 'sim' }));
    assert.equal(s.result.ok, true, s.result.summary);
  });
});
