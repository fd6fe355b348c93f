// The one pod-name rule of the simulated cluster: names as the controllers make them, and back
// from a name to the pod's index (what a GET of a pod by name decodes).
import * as assert from 'node:assert/strict';
import { WorkloadPodNames } from '../../src/sim/podNames';

describe('sim: workload pod names', () => {
  const ds = new WorkloadPodNames({ kind: 'DaemonSet', namespace: 'telemetry', name: 'node-exporter', image: 'x:1', createdAt: -3600 });
  const deploy = new WorkloadPodNames({ kind: 'Deployment', namespace: 'monitoring', name: 'collector', image: 'y:2', createdAt: -7200 });

  it('names pods <daemonset>-<5> and <deployment>-<hash>-<5>, and index() inverts name()', () => {
    for (const i of [0, 1, 17, 4999]) {
      assert.match(ds.name(i), /^node-exporter-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.match(deploy.name(i), new RegExp(`^collector-${deploy.hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      assert.equal(ds.index(ds.name(i)), i);
      assert.equal(deploy.index(deploy.name(i)), i);
    }
  });

  it('is -1 for a name that is not one of its pods', () => {
    assert.equal(ds.index(deploy.name(3)), -1);
    assert.equal(deploy.index(`collector-${deploy.hash}-!!!!!`), -1);
    assert.equal(deploy.index('collector-abc'), -1);
    assert.equal(ds.index('node-exporter'), -1);
  });
});
