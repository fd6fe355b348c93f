import assert from 'node:assert/strict';
import { levelLimit } from '../../src/cost/constants';
import { apfSeats, callCost, churnPerSecond, estimate, watchLoad, type ApiCall, type WorkloadUsage } from '../../src/cost/model';

const telemetry: WorkloadUsage = {
  name: 'telemetry-agent',
  clients: 'perNode',
  calls: [{ verb: 'list', resource: 'pods', scope: 'cluster', intervalSeconds: 60 }],
};
const staging = { name: 'staging', nodes: 20, podsPerNode: 30 };
const prod = { name: 'prod-large', nodes: 5000, podsPerNode: 30 };

describe('shared cost model', () => {
  it('priority level limits follow the default shares', () => {
    // ceil(600 × 100 / 245) = 245; ceil(600 × 30 / 245) = 74
    assert.equal(levelLimit('workload-low', 600), 245);
    assert.equal(levelLimit('system', 600), 74);
    assert.equal(levelLimit('exempt', 600), Infinity);
  });

  it('APF charges one seat per 100 objects, 1 to 10', () => {
    assert.equal(apfSeats(0), 1);
    assert.equal(apfSeats(100), 1);
    assert.equal(apfSeats(101), 2);
    assert.equal(apfSeats(150_000), 10);
  });

  it('a per-node cluster-wide LIST costs quadratically more in the big cluster', () => {
    const s = estimate(telemetry, staging);
    const p = estimate(telemetry, prod);
    const nodeRatio = prod.nodes / staging.nodes; // 250
    assert.ok(Math.abs(p.requestsPerSecond / s.requestsPerSecond - nodeRatio) < 1e-9, 'requests grow with nodes');
    assert.ok(Math.abs(p.objectsPerSecond / s.objectsPerSecond - nodeRatio * nodeRatio) < 1e-6, 'objects grow with nodes²');
    assert.ok(s.shareOfPriorityLevel < 0.01, `staging share ${s.shareOfPriorityLevel}`);
    assert.ok(p.shareOfPriorityLevel > 1, `prod share ${p.shareOfPriorityLevel} saturates workload-low`);
    assert.equal(p.perCall[0].servedFrom, 'etcd');
    assert.equal(p.maxSeatsPerRequest, 10);
  });

  it('a node field selector with resourceVersion=0 makes the cost flat per node', () => {
    const fixed: WorkloadUsage = { ...telemetry, calls: [{ verb: 'list', resource: 'pods', scope: 'node', intervalSeconds: 60, resourceVersion: '0' }] };
    const s = estimate(fixed, staging);
    const p = estimate(fixed, prod);
    assert.ok(Math.abs(p.objectsPerSecond / s.objectsPerSecond - 250) < 1e-6, 'objects grow only linearly');
    assert.equal(p.perCall[0].servedFrom, 'cache');
    assert.equal(p.perCall[0].objectsPerRequest, 30, 'the nodeName index reads only the node’s pods');
    assert.ok(p.shareOfPriorityLevel < 0.01);
  });

  it('a node field selector without resourceVersion still reads every pod from etcd', () => {
    const c = callCost({ verb: 'list', resource: 'pods', scope: 'node', intervalSeconds: 60 }, prod);
    assert.equal(c.servedFrom, 'etcd');
    assert.equal(c.objectsPerRequest, 150_000);
    assert.equal(c.returnedPerRequest, 30);
    assert.equal(c.seatsPerRequest, 10);
  });

  it('the KEP-2340 fit reproduces its measurements', () => {
    // 1 LIST/s over 300k × 1 KB objects, nothing returned: 6.92 cores from etcd, 0.63 from cache.
    const profile = { name: 'kep', nodes: 10_000, podsPerNode: 30 }; // 300k pods
    const etcd = callCost({ verb: 'list', resource: 'pods', scope: 'node', intervalSeconds: 1 }, profile);
    const perObjectBytes = 4096;
    const cpuAt1KB = etcd.cpuSecondsPerRequest - 30 * perObjectBytes * 15e-9 - 300_000 * (perObjectBytes - 1000) * 10.4e-9;
    assert.ok(Math.abs(cpuAt1KB - 6.92) < 0.05, `etcd path ${cpuAt1KB}`);
  });

  describe('watches in steady state', () => {
    const small = { name: 'small', nodes: 40, podsPerNode: 30 };
    const podsWide: ApiCall = { verb: 'watch', resource: 'pods', scope: 'cluster', intervalSeconds: 0, resourceVersion: '0' };
    const podsNode: ApiCall = { ...podsWide, scope: 'node', encoding: 'protobuf' };
    const fanout = (call: ApiCall, p: { name: string; nodes: number; podsPerNode: number }) => watchLoad(callCost(call, p), p.nodes).fanout;
    const exponent = (call: ApiCall, k: 'cpuCores' | 'eventsPerSecond' | 'bytesPerSecond') => Math.log(fanout(call, prod)[k] / fanout(call, small)[k]) / Math.log(prod.nodes / small.nodes);

    it('churn grows with the cluster: pods and endpoints with pods, node status and leases with nodes', () => {
      for (const r of ['pods', 'nodes', 'leases', 'endpointslices', 'events']) {
        const ratio = churnPerSecond(r, prod) / churnPerSecond(r, small);
        assert.ok(Math.abs(ratio / (prod.nodes / small.nodes) - 1) < 0.01, `${r}: churn ×${ratio}`);
      }
      // 150,000 pods replaced at 0.5 %/h, 8 events each: 1.67 events/s; 5,000 nodes reporting every 5 min plus pod-driven updates.
      assert.ok(Math.abs(churnPerSecond('pods', prod) - (150_000 * 0.005 / 3600) * 8) < 1e-9);
      assert.ok(Math.abs(churnPerSecond('leases', prod) - 500) < 1e-9);
    });

    it('the event fan-out of a cluster-wide watch from every node grows ~quadratically with nodes, a node-scoped one ~linearly', () => {
      for (const k of ['cpuCores', 'eventsPerSecond', 'bytesPerSecond'] as const) {
        const wide = exponent(podsWide, k);
        const node = exponent(podsNode, k);
        assert.ok(wide > 1.9 && wide < 2.01, `cluster-wide ${k} grows as nodes^${wide.toFixed(3)}`);
        assert.ok(node > 0.99 && node < 1.01, `node-scoped ${k} grows as nodes^${node.toFixed(3)}`);
      }
      const kubeProxy: ApiCall = { verb: 'watch', resource: 'endpointslices', scope: 'cluster', intervalSeconds: 0, resourceVersion: '0', encoding: 'protobuf' };
      assert.ok(exponent(kubeProxy, 'eventsPerSecond') > 1.99, 'every kube-proxy gets every EndpointSlice change');
    });

    it('a node-scoped pod watch receives only its node’s events (the spec.nodeName trigger index)', () => {
      const c = callCost(podsNode, prod);
      assert.ok(c.watch);
      assert.ok(Math.abs(c.watch.eventsPerSecond - churnPerSecond('pods', prod) / prod.nodes) < 1e-12);
      assert.equal(c.watch.checkedPerSecond, c.watch.eventsPerSecond, 'indexed: no other node’s events are checked');
      const nodes = callCost({ verb: 'watch', resource: 'nodes', scope: 'node', intervalSeconds: 0 }, prod);
      assert.equal(nodes.watch!.checkedPerSecond, churnPerSecond('nodes', prod), 'no index for nodes: every event is checked');
    });

    it('counts requests and events apart, and holds no APF seat for the events', () => {
      const e = estimate({ name: 'agent', clients: 'perNode', calls: [podsWide] }, prod);
      const l = watchLoad(e.perCall[0], prod.nodes);
      // Requests: re-established watches every 5–10 min (mean 450 s) plus relists (0.1 per hour).
      assert.ok(Math.abs(e.requestsPerSecond - prod.nodes * (1 / 450 + 0.1 / 3600)) < 1e-9, `${e.requestsPerSecond} req/s`);
      assert.ok(Math.abs(e.eventsPerSecond - prod.nodes * churnPerSecond('pods', prod)) < 1e-6, `${e.eventsPerSecond} events/s`);
      // Seats come only from the requests (re-establishing, relisting), not from the events.
      const seatsFromRequests = l.rewatch.requestsPerSecond * l.rewatch.latencySeconds + l.relistPerSecond * e.perCall[0].seatsPerRequest * e.perCall[0].latencySeconds;
      assert.ok(Math.abs(e.seatsInUse - seatsFromRequests) < 1e-9);
      assert.ok(e.apiServerCores > l.fanout.cpuCores && l.fanout.cpuCores > 0, 'the events cost CPU');
      assert.ok(e.bytesPerSecond >= l.fanout.bytesPerSecond && l.fanout.bytesPerSecond > 0, 'and bandwidth');
    });

    it('the watch of every Node by every node is a bandwidth hazard at 5,000 nodes', () => {
      const e = estimate({ name: 'agent', clients: 'perNode', calls: [{ verb: 'watch', resource: 'nodes', scope: 'cluster', intervalSeconds: 0, resourceVersion: '0' }] }, prod);
      // ~17 Node updates/s × 15 KB × 5,000 watchers ≈ 1.3 GB/s: a third of three 10 Gbit/s replicas.
      assert.ok(e.bytesPerSecond > 1e9, `${e.bytesPerSecond} B/s`);
      assert.ok(e.capacityRatio > 0.25, `capacityRatio ${e.capacityRatio}`);
    });
  });
});
