// The served store reads the model again only when something changed: a model step, an event the
// server passes on (invalidate()), or a change the store makes itself. Every request calls sync(),
// so a stale skip would serve an old cluster and a missing skip costs each GET a model read.
import * as assert from 'node:assert/strict';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { Store } from '../../src/sim/server/store';

function setup(): { sim: Simulation; store: Store; reads: () => number } {
  const sim = new Simulation(parseScenario('name: t\nclusters:\n  - name: c\n    nodes: 50\n'));
  const cluster = sim.clusters[0];
  let reads = 0;
  const workloads = cluster.workloads.bind(cluster);
  cluster.workloads = () => {
    reads++;
    return workloads();
  };
  const store = new Store(cluster, { now: () => cluster.now(), iso: (t) => new Date(Date.UTC(2024, 11, 11) + t * 1000).toISOString() });
  return { sim, store, reads: () => reads };
}

describe('sim serve: the store syncs with the model only when something changed', () => {
  it('does not read the model again for syncs in which nothing changed', () => {
    const { store, reads } = setup();
    const before = reads();
    const layout = store.layout;
    for (let i = 0; i < 200; i++) store.sync();
    // The snapshot is also renewed every 20 ms of wall time; 200 syncs take far less on any machine.
    assert.ok(reads() - before < 10, `${reads() - before} model reads for 200 syncs`);
    assert.equal(store.layout, layout);
  });

  it('sees a model step at once', () => {
    const { sim, store, reads } = setup();
    store.sync();
    const t = store.clock.now();
    const before = reads();
    sim.step(5);
    store.sync();
    assert.equal(reads(), before + 1);
    assert.equal(store.snapshot().t, t + 5);
  });

  it('sees what the store changes itself at once: a system Deployment scaled and deleted, a namespace made', () => {
    const { store } = setup();
    store.sync();
    assert.equal(store.scale('kube-system', 'coredns', 7), 'ok');
    assert.equal(store.layout.workloads.get('kube-system/coredns')?.pods, 7);
    assert.ok(store.deleteWorkload('deployments', 'kube-system', 'coredns'));
    assert.equal(store.layout.workloads.has('kube-system/coredns'), false);
    assert.equal(store.layout.hasNamespace('team-x'), false);
    store.addNamespace('team-x');
    assert.equal(store.layout.hasNamespace('team-x'), true);
  });

  it('sees a model change once told of it (the server invalidates on every model event)', () => {
    const { sim, store } = setup();
    store.sync();
    const ok = sim.clusters[0].applyWorkload({ namespace: 'default', name: 'web', kind: 'Deployment', pods: 3, image: 'nginx:1.27', labels: { app: 'web' }, serviceAccount: 'default', change: 'created' });
    assert.ok(ok);
    store.invalidate();
    store.sync();
    assert.equal(store.layout.workloads.get('default/web')?.kind, 'Deployment');
  });
});
