// Node agents and cluster add-ons: kured, node-problem-detector, the AWS EBS CSI driver and the
// kubernetes-csi sidecars, the NVIDIA device plugin and GPU feature discovery, Node Feature
// Discovery, descheduler and cluster-autoscaler. Each on its labelled vendor manifest, and each
// setting that changes the verdict, made by editing the text.
import assert from 'node:assert/strict';
import { agentFixture, hasCall, lacksCall, replace, run, sharedFixture, usage } from './helpers/agent-run';

describe('node agents', () => {
  describe('kured', () => {
    const text = agentFixture('kured.yaml');

    it('GETs its lock and its own Node at start; the reboot-time drain is not a call of every pod; not flagged', () => {
      const { w, flagged } = run(text, 'DaemonSet/kured');
      hasCall(w.calls, { verb: 'get', resource: 'daemonsets', scope: 'namespace' });
      hasCall(w.calls, { verb: 'get', resource: 'nodes', scope: 'node' });
      lacksCall(w.calls, { verb: 'list' });
      lacksCall(w.calls, { verb: 'watch' });
      assert.deepEqual(flagged, []);
    });

    it('--blocking-pod-selector adds only a reboot-time note, no steady call', () => {
      const u = usage(replace(text, '            - --reboot-sentinel=/sentinel/reboot-required', '            - --reboot-sentinel=/sentinel/reboot-required\n            - --blocking-pod-selector=app=db'), 'DaemonSet/kured');
      lacksCall(u.calls, { verb: 'list' });
      assert.ok(u.notes.some((n) => /blocking-pod-selector/.test(n.message)), u.notes.map((n) => n.message).join('\n'));
    });
  });

  describe('node-problem-detector', () => {
    const text = sharedFixture('node-problem-detector.yaml');
    const D = 'DaemonSet/node-problem-detector';

    it('GETs its Node from the watch cache and PATCHes its conditions every 5m; not flagged', () => {
      const { w, flagged } = run(text, D);
      hasCall(w.calls, { verb: 'get', resource: 'nodes', scope: 'node', rv: '0' });
      hasCall(w.calls, { verb: 'patch', resource: 'nodes', scope: 'node', interval: 300 });
      assert.deepEqual(flagged, []);
    });

    it('--k8s-exporter-heartbeat-period sets the PATCH interval; --k8s-exporter-update-node-conditions=false drops it; --enable-k8s-exporter=false makes no calls', () => {
      const withFlag = (f: string) => replace(text, '        - --logtostderr', `        - --logtostderr\n        - ${f}`);
      hasCall(run(withFlag('--k8s-exporter-heartbeat-period=30s'), D).w.calls, { verb: 'patch', resource: 'nodes', scope: 'node', interval: 30 });
      lacksCall(run(withFlag('--k8s-exporter-update-node-conditions=false'), D).w.calls, { verb: 'patch' });
      assert.deepEqual(run(withFlag('--enable-k8s-exporter=false'), D).w.calls, []);
    });
  });

  describe('AWS EBS CSI driver', () => {
    it('node plugin: a short-lived watch of its own Node, a PATCH of it and a GET of its CSINode; the sidecars make no calls; not flagged', () => {
      const { w, flagged } = run(agentFixture('aws-ebs-csi-driver.yaml'), 'DaemonSet/ebs-csi-node');
      assert.deepEqual([...new Set(w.agents)].sort(), ['AWS EBS CSI driver', 'Kubernetes CSI sidecars']);
      hasCall(w.calls, { verb: 'watch', resource: 'nodes', scope: 'node' });
      hasCall(w.calls, { verb: 'patch', resource: 'nodes', scope: 'node' });
      hasCall(w.calls, { verb: 'get', resource: 'csinodes', scope: 'node' });
      lacksCall(w.calls, { scope: 'cluster' });
      assert.deepEqual(flagged, []);
    });

    const controller = agentFixture('aws-ebs-csi-controller.yaml');
    const C = 'Deployment/ebs-csi-controller';

    it('controller: the elected sidecars watch cluster-wide from one client (Topology adds Nodes and CSINodes); csi-resizer without --leader-election runs on both replicas; not flagged', () => {
      const { w, flagged } = run(controller, C);
      for (const res of ['persistentvolumeclaims', 'persistentvolumes', 'storageclasses', 'nodes', 'csinodes', 'volumeattachments', 'volumesnapshotcontents']) hasCall(w.calls, { verb: 'watch', resource: res, scope: 'cluster', leader: true });
      hasCall(w.calls, { verb: 'watch', resource: 'persistentvolumeclaims', scope: 'cluster', leader: false });
      lacksCall(w.calls, { resource: 'pods' });
      assert.deepEqual(flagged, []);
    });

    it('csi-resizer watches every pod unless --handle-volume-inuse-error=false', () => {
      hasCall(run(replace(controller, '            - --handle-volume-inuse-error=false\n', ''), C).w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
    });

    it('without --leader-election, 2 replicas each watch cluster-wide: flagged', () => {
      const { w, flagged } = run(controller.replace(/\n\s*- --leader-election=true/g, ''), C);
      hasCall(w.calls, { verb: 'watch', resource: 'persistentvolumeclaims', scope: 'cluster', leader: false });
      assert.ok(flagged.includes('replicas-without-leader-election'), flagged.join());
    });
  });

  describe('NVIDIA device plugin and GPU feature discovery', () => {
    const text = agentFixture('nvidia-device-plugin.yaml');
    const D = 'DaemonSet/nvidia-device-plugin-daemonset';

    it('the device plugin makes no API calls; not flagged', () => {
      const { w, flagged } = run(text, D);
      assert.deepEqual(w.agents, ['NVIDIA device plugin / GPU feature discovery']);
      assert.deepEqual(w.calls, []);
      assert.deepEqual(flagged, []);
    });

    it('config-manager watches its own Node; gpu-feature-discovery reads its NodeFeature every sleep-interval unless the NodeFeature API is off', () => {
      const as = (cmd: string) => replace(text, '        name: nvidia-device-plugin-ctr\n', `        name: nvidia-device-plugin-ctr\n        command: [${cmd}]\n`);
      hasCall(run(as('config-manager'), D).w.calls, { verb: 'watch', resource: 'nodes', scope: 'node' });
      hasCall(run(as('gpu-feature-discovery, --sleep-interval=30s'), D).w.calls, { verb: 'get', resource: 'nodefeatures', scope: 'node', interval: 30 });
      assert.deepEqual(run(as('gpu-feature-discovery, --use-node-feature-api=false'), D).w.calls, []);
    });
  });

  describe('Node Feature Discovery', () => {
    const text = agentFixture('node-feature-discovery.yaml');
    const D = 'DaemonSet/nfd-worker';

    it('nfd-worker GETs its NodeFeature every 60s and its own Pod once; not flagged', () => {
      const { w, flagged } = run(text, D);
      hasCall(w.calls, { verb: 'get', resource: 'nodefeatures', scope: 'node', interval: 60 });
      hasCall(w.calls, { verb: 'update', resource: 'nodefeatures', scope: 'node' });
      hasCall(w.calls, { verb: 'get', resource: 'pods', scope: 'namespace' });
      lacksCall(w.calls, { scope: 'cluster' });
      assert.deepEqual(flagged, []);
    });

    it('core.sleepInterval in nfd-worker.conf sets the interval; -oneshot makes it once; -enable-nodefeature-api=false makes no calls', () => {
      const conf = `${text.replace(/\s*$/, '')}\n      volumes:\n        - name: nfd-worker-conf\n          configMap:\n            name: nfd-worker-conf\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nfd-worker-conf\ndata:\n  nfd-worker.conf: |\n    core:\n      sleepInterval: 300s\n`;
      hasCall(run(conf, D).w.calls, { verb: 'get', resource: 'nodefeatures', scope: 'node', interval: 300 });
      const cmd = (flag: string) => replace(text, '            - "nfd-worker"', `            - "nfd-worker"\n            - "${flag}"`);
      hasCall(run(cmd('-oneshot'), D).w.calls, { verb: 'get', resource: 'nodefeatures', scope: 'node', interval: 0 });
      assert.deepEqual(run(cmd('-enable-nodefeature-api=false'), D).w.calls, []);
    });

    it('nfd-master watches the NFD CRDs and lists Nodes from one client; nfd-gc pages through NodeFeatures every -gc-interval', () => {
      const master = run(replace(text, '            - "nfd-worker"', '            - "nfd-master"'), D);
      hasCall(master.w.calls, { verb: 'watch', resource: 'nodefeatures', scope: 'cluster' });
      hasCall(master.w.calls, { verb: 'list', resource: 'nodes', scope: 'cluster' });
      hasCall(run(replace(text, '            - "nfd-worker"', '            - "nfd-gc"\n            - "-gc-interval=30m"'), D).w.calls, { verb: 'list', resource: 'nodefeatures', scope: 'cluster', interval: 1800 });
    });
  });

  describe('descheduler', () => {
    const text = agentFixture('descheduler.yaml');
    const D = 'Deployment/descheduler';

    it('v0.23.0+: one client with informers on pods, nodes, namespaces and priority classes; not flagged', () => {
      const { w, flagged } = run(text, D);
      for (const res of ['pods', 'nodes', 'namespaces', 'priorityclasses']) hasCall(w.calls, { verb: 'watch', resource: res, scope: 'cluster', rv: '0' });
      hasCall(w.calls, { verb: 'create', resource: 'pods/eviction', scope: 'namespace' });
      assert.deepEqual(flagged, []);
    });

    it('before v0.23.0: pods of each node listed from etcd every interval, a lower bound marked unmodelled', () => {
      const old = replace(text, 'descheduler:v0.28.1', 'descheduler:v0.22.1');
      const u = usage(old, D);
      hasCall(u.calls, { verb: 'list', resource: 'pods', scope: 'node', rv: '', interval: 300 });
      lacksCall(u.calls, { verb: 'watch', resource: 'pods' });
      assert.equal(u.unmodelled.length, 1);
    });

    it('--leader-elect makes its informers leader-only', () => {
      hasCall(run(replace(text, '            - "--v"', '            - "--leader-elect"\n            - "--v"'), D).w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: true });
    });
  });

  describe('cluster-autoscaler', () => {
    const text = sharedFixture('cluster-autoscaler-aws.yaml');
    const D = 'Deployment/cluster-autoscaler';

    it('its listers run on the elected leader only; not flagged', () => {
      const { w, flagged } = run(text, D);
      hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: true });
      hasCall(w.calls, { verb: 'watch', resource: 'nodes', scope: 'cluster', leader: true });
      assert.deepEqual(flagged, []);
    });

    it('--leader-elect=false with 2 replicas: both run the listers, twice the start-up cost of an elected pair', () => {
      const two = replace(text, 'replicas: 1', 'replicas: 2');
      const elected = run(two, D);
      const both = run(replace(two, '            - --v=4', '            - --v=4\n            - --leader-elect=false'), D);
      hasCall(both.w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
      const prod = (x: typeof both) => x.w.start.find((e) => e.profile === 'prod')?.capacityRatio ?? 0;
      assert.ok(Math.abs(prod(both) / prod(elected) - 2) < 0.01, `${prod(both)} vs ${prod(elected)}`);
      // Its ClusterRole may update its Lease, so the workload still counts as leader-elected
      // (replicas-without-leader-election stays quiet): the flag is read per call here.
    });
  });
});
