import assert from 'node:assert/strict';
import { levelLimit } from '../../src/cost/constants';
import { apfSeats, callCost, estimate, type WorkloadUsage } from '../../src/cost/model';

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
});
