// The health poller against the simulated API server: its cost does not grow with the cluster,
// it sees saturation quickly, backs off, and recovers by itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterConnection } from '../../src/cluster/connection';
import { HealthPoller } from '../../src/cluster/poller';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { selectClusters } from '../../src/cli/sim';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

interface Client {
  userAgent: string;
  user: string;
  requestsTotal: number;
  bytesSent: number;
}

async function healthRequests(served: ServedCluster): Promise<Client | undefined> {
  const admin = await ClusterConnection.fromKubeconfig(served.kubeconfig, 'sim-breakglass');
  const r = await admin.get('/sim/v1/clients', { timeoutMs: 10_000 });
  const list = (JSON.parse(r.body) as { clients: Client[] }).clients;
  return list.find((c) => c.userAgent.startsWith('breakglass-health') && !/breakglass/.test(c.user));
}

function fakeClock() {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('health poller against the simulated API server', function () {
  this.timeout(120_000);
  const open: ServedCluster[] = [];
  after(async () => {
    for (const s of open) await s.close();
  });

  async function start(scenarioText: string | undefined, cluster?: string): Promise<{ sim: Simulation; served: ServedCluster }> {
    const base = scenarioText ? parseScenario(scenarioText, 'test.yaml') : parseScenario(readFileSync(SEED, 'utf8'), SEED);
    const scenario = cluster ? selectClusters(base, cluster, undefined) : base;
    const sim = new Simulation(scenario);
    const served = await serveCluster(sim.clusters[0]);
    open.push(served);
    return { sim, served };
  }

  it('costs the same number of requests at 10 and 10,000 nodes, at most 12 a minute, and about the same bytes', async () => {
    const cost: { requests: number; bytes: number; served: number }[] = [];
    for (const nodes of [10, 10_000]) {
      const { served } = await start(`name: size\nclusters:\n  - name: c\n    nodes: ${nodes}\n`);
      const conn = await ClusterConnection.fromKubeconfig(served.kubeconfig, 'sim');
      const clock = fakeClock();
      const poller = new HealthPoller(conn, { now: clock.now, simClients: true, random: () => 0.5 });
      // One minute of polling at the default 15 s interval.
      for (let i = 0; i < 4; i++) {
        const s = await poller.pollOnce();
        assert.equal(s.state, 'healthy', s.summary);
        clock.advance(15_000);
      }
      const counted = await healthRequests(served);
      assert.ok(counted, 'the server counted the poller');
      cost.push({ requests: poller.cost.requests, bytes: poller.cost.bytes, served: counted.requestsTotal });
    }
    const [small, large] = cost;
    assert.equal(small.served, large.served, `requests: ${JSON.stringify(cost)}`);
    assert.equal(small.requests, large.requests);
    assert.ok(large.requests <= 12, `${large.requests} requests in a minute`);
    assert.ok(large.served > 0 && large.served <= large.requests);
    assert.ok(large.bytes <= small.bytes * 1.1, `bytes ${small.bytes} -> ${large.bytes}`);
  });

  it('turns saturated within two polls, cuts its request rate at least 4x, and recovers by itself', async () => {
    const { sim, served } = await start(undefined, 'prod-west');
    const conn = await ClusterConnection.fromKubeconfig(served.kubeconfig, 'sim');
    const clock = fakeClock();
    const poller = new HealthPoller(conn, { now: clock.now, random: () => 0.5 });
    // Before the telemetry agents start their LISTs: healthy.
    const first = await poller.pollOnce();
    assert.equal(first.state, 'healthy', first.summary);
    const healthyRate = poller.cost.requests / (poller.nextDelayMs / 1000);
    for (let i = 0; i < 300; i++) sim.step(1); // five simulated minutes after the rollout
    const states: string[] = [];
    for (let i = 0; i < 2 && !states.includes('saturated'); i++) {
      clock.advance(poller.nextDelayMs);
      states.push((await poller.pollOnce()).state);
    }
    assert.ok(states.includes('saturated'), `states: ${states.join(', ')}`);
    // Who loads it, from APF metrics alone, seen through the break-glass (exempt) context while
    // ordinary users are refused: global-default, where the telemetry agents land, is rejecting.
    const admin = new HealthPoller(await ClusterConnection.fromKubeconfig(served.kubeconfig, 'sim-breakglass'), { now: clock.now, random: () => 0.5 });
    await admin.pollOnce();
    sim.step(5);
    clock.advance(15_000);
    const flows = (await admin.pollOnce()).loadByFlowSchema?.value;
    assert.ok(flows && flows.length, `load by flow schema was read: ${JSON.stringify(admin.latest).slice(0, 600)}`);
    const rejecting = flows.filter((f) => f.rejectedPerSecond > 0).map((f) => f.flowSchema);
    assert.ok(rejecting.includes('global-default'), JSON.stringify(flows));
    // Backing off: requests per second over the next polls.
    const before = poller.cost.requests;
    let waited = 0;
    for (let i = 0; i < 3; i++) {
      waited += poller.nextDelayMs;
      clock.advance(poller.nextDelayMs);
      await poller.pollOnce();
    }
    const backoffRate = (poller.cost.requests - before) / (waited / 1000);
    assert.ok(healthyRate >= 4 * backoffRate, `rate ${healthyRate.toFixed(3)}/s -> ${backoffRate.toFixed(3)}/s`);
    // The offending agents stop; the API server recovers and so does the panel, unaided.
    sim.cluster('prod-west')!.stopAgents('monitoring', 'telemetry-agent');
    for (let i = 0; i < 600; i++) sim.step(1);
    let last = '';
    for (let i = 0; i < 6 && last !== 'healthy'; i++) {
      clock.advance(poller.nextDelayMs);
      last = (await poller.pollOnce()).state;
    }
    assert.equal(last, 'healthy');
  });
});
