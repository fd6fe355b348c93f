import assert from 'node:assert/strict';
import { ClusterConnection } from '../../src/cluster/connection';
import { liveClusterSize } from '../../src/cluster/size';
import { serveCluster } from '../../src/cli/sim-serve';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import type { ApiResponse, Requester } from '../../src/cluster/connection';

describe('live cluster size', function () {
  this.timeout(30_000);
  it('reads nodes and pods from apiserver_storage_objects of the simulated API server', async () => {
    const sim = new Simulation(parseScenario('name: s\nclusters:\n  - name: c\n    nodes: 3000\n    podsPerNode: 20\n'));
    const served = await serveCluster(sim.clusters[0]);
    try {
      const conn = await ClusterConnection.fromKubeconfig(served.kubeconfig, 'sim');
      const size = await liveClusterSize(conn);
      assert.equal(size?.nodes, 3000);
      assert.ok(size && size.pods >= 3000 * 20, `pods ${size?.pods}`);
      assert.equal(size?.source, 'apiserver_storage_objects');
      assert.ok(conn.requests === 1, 'one request');
    } finally {
      await served.close();
    }
  });
  it('falls back to one-item pages, and gives up quietly when unreachable', async () => {
    const calls: string[] = [];
    const fake: Requester = {
      label: 'x',
      async get(path: string): Promise<ApiResponse> {
        calls.push(path);
        const body = path === '/metrics' ? '' : JSON.stringify({ items: [{}], metadata: { remainingItemCount: path.includes('nodes') ? 41 : 999 } });
        return { status: path === '/metrics' ? 403 : 200, headers: {}, body, bytes: body.length, ms: 1 };
      },
    };
    assert.deepEqual(await liveClusterSize(fake), { nodes: 42, pods: 1000, source: 'limit=1 + remainingItemCount' });
    assert.deepEqual(calls, ['/metrics', '/api/v1/nodes?limit=1', '/api/v1/pods?limit=1']);
    const down: Requester = { label: 'y', get: () => Promise.reject(new Error('ECONNREFUSED')) };
    assert.equal(await liveClusterSize(down), undefined);
  });
});
