// Security agents: Falco across versions, k8s-metacollector, Tetragon and its operator, Tracee.
// Each on its labelled vendor manifest (Tetragon on a manifest built from its chart's templates),
// and each setting that changes the verdict, made by editing the text.
import assert from 'node:assert/strict';
import { agentFixture, hasCall, lacksCall, replace, run, usage } from './helpers/agent-run';

describe('security agents', () => {
  describe('Falco', () => {
    const legacy = agentFixture('falco-legacy-k8s-client.yaml');
    const DS = 'DaemonSet/falco-daemonset';
    const withArgs = (image: string, args: string) => replace(replace(legacy, 'image: falcosecurity/falco:latest', `image: ${image}`), /args: \[[^\]]*\]/, `args: [${args}]`);

    it('-k/-K without --k8s-node: every node watches pods, nodes, namespaces, services and RCs cluster-wide from etcd; flagged', () => {
      const { w, flagged } = run(legacy, DS);
      assert.deepEqual(w.agents, ['Falco']);
      for (const res of ['pods', 'nodes', 'namespaces', 'services', 'replicationcontrollers']) hasCall(w.calls, { verb: 'watch', resource: res, scope: 'cluster', rv: '' });
      assert.ok(flagged.includes('per-node-cluster-list'), flagged.join());
    });

    it('--k8s-node (0.30.0+) scopes pods only: nodes and services are still watched cluster-wide, still flagged', () => {
      const { w, flagged } = run(withArgs('falcosecurity/falco:0.32.0', '"/usr/bin/falco", "-k", "https://$(KUBERNETES_SERVICE_HOST)", "--k8s-node", "$(FALCO_K8S_NODE_NAME)", "-pk"'), DS);
      hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
      lacksCall(w.calls, { resource: 'pods', scope: 'cluster' });
      hasCall(w.calls, { verb: 'watch', resource: 'services', scope: 'cluster' });
      assert.ok(flagged.includes('per-node-cluster-list'), flagged.join());
    });

    it('--k8s-node on a release before 0.30.0 does not filter', () => {
      const { w } = run(withArgs('falcosecurity/falco:0.26.2', '"/usr/bin/falco", "-k", "https://kubernetes.default", "--k8s-node", "node-a"'), DS);
      hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
    });

    it('0.37.0+ has no built-in client, whatever the args; neither has Falco without -k', () => {
      for (const text of [withArgs('falcosecurity/falco:0.37.1', '"/usr/bin/falco", "-k", "https://kubernetes.default"'), withArgs('falcosecurity/falco:0.36.2', '"/usr/bin/falco", "-pk"')]) {
        const { w, flagged } = run(text, DS);
        assert.deepEqual(w.calls, []);
        assert.deepEqual(flagged, []);
      }
    });

    it('FALCO_K8S_API in the env starts the client like -k', () => {
      const text = replace(withArgs('falcosecurity/falco:0.33.0', '"/usr/bin/falco"'), '          securityContext:', '          env:\n            - name: FALCO_K8S_API\n              value: https://kubernetes.default\n          securityContext:');
      hasCall(run(text, DS).w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
    });

    it('plugins in falco.yaml: k8smeta and container make no API calls, an unknown plugin is unmodelled', () => {
      const cm = (plugins: string) => `${withArgs('falcosecurity/falco:0.38.0', '"/usr/bin/falco"')}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: falco-config\ndata:\n  falco.yaml: |\n    load_plugins: [${plugins}]\n`;
      const known = run(cm('k8smeta, container'), DS);
      assert.deepEqual(known.w.calls, []);
      assert.deepEqual(usage(cm('k8smeta, container'), DS).unmodelled, []);
      assert.deepEqual(usage(cm('k8smeta, acme-k8s'), DS).unmodelled, ['Falco: plugin acme-k8s']);
    });
  });

  describe('k8s-metacollector', () => {
    it('one replica watches the eight kinds cluster-wide; not flagged', () => {
      const { w, flagged } = run(agentFixture('falco-metacollector.yaml'), 'Deployment/meta-collector');
      assert.equal(w.clients, 1);
      for (const res of ['pods', 'services', 'endpointslices', 'namespaces', 'replicationcontrollers', 'deployments', 'replicasets', 'daemonsets']) hasCall(w.calls, { verb: 'watch', resource: res, scope: 'cluster', rv: '0' });
      assert.deepEqual(flagged, []);
    });
  });

  describe('Tetragon', () => {
    // The chart's DaemonSet and its tetragon-config ConfigMap (install/kubernetes/tetragon/templates), rendered by hand.
    const manifest = (tag: string, k8sApi = 'true') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: tetragon-config
  namespace: kube-system
data:
  procfs: /procRoot
  enable-k8s-api: "${k8sApi}"
  enable-pod-info: "false"
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: tetragon
  namespace: kube-system
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: tetragon}
  template:
    metadata:
      labels: {app.kubernetes.io/name: tetragon}
    spec:
      serviceAccountName: tetragon
      containers:
        - name: export-stdout
          image: quay.io/cilium/hubble-export-stdout:v1.0.4
        - name: tetragon
          image: quay.io/cilium/tetragon:${tag}
          args:
            - --config-dir=/etc/tetragon/tetragon.conf.d/
          env:
            - name: NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          volumeMounts:
            - mountPath: /etc/tetragon/tetragon.conf.d/
              name: tetragon-config
      volumes:
        - name: tetragon-config
          configMap:
            name: tetragon-config
`;
    const DS = 'DaemonSet/tetragon';

    it('v1.1.0+: pods of its own node and its own Node; not flagged', () => {
      const { w, flagged } = run(manifest('v1.3.0'), DS);
      hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node', rv: '0' });
      hasCall(w.calls, { verb: 'watch', resource: 'nodes', scope: 'node' });
      lacksCall(w.calls, { resource: 'services' });
      assert.deepEqual(flagged, []);
    });

    it('v0.11.0–v1.0.x: every agent also watches all Services, which per-node-cluster-list reports', () => {
      const { r, w } = run(manifest('v1.0.0'), DS);
      hasCall(w.calls, { verb: 'watch', resource: 'services', scope: 'cluster', rv: '0' });
      hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
      // 5,000 agents listing ~5,000 Services from the watch cache at start: ~6 % of capacity, so the
      // cost model makes it a note (info), below the warning threshold.
      const f = r.findings.find((x) => x.rule === 'per-node-cluster-list');
      assert.ok(f && /services/.test(f.message), r.findings.map((x) => x.rule).join());
      assert.ok(!run(manifest('v1.1.0'), DS).r.findings.some((x) => x.rule === 'per-node-cluster-list'));
    });

    it('before v0.11.0 no services informer', () => {
      lacksCall(run(manifest('v0.10.0'), DS).w.calls, { resource: 'services' });
    });

    it('enable-k8s-api false: no API calls', () => {
      assert.deepEqual(run(manifest('v1.0.0', 'false'), DS).w.calls, []);
    });

    it('the operator watches every pod for PodInfo unless skip-pod-info-crd, from the leader with leader-election', () => {
      const op = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tetragon-operator-config\ndata:\n${data}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: tetragon-operator\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: op}\n  template:\n    metadata:\n      labels: {app: op}\n    spec:\n      containers:\n        - name: tetragon-operator\n          image: quay.io/cilium/tetragon-operator:v1.3.0\n          args: [--config-dir=/etc/tetragon/operator.conf.d/]\n      volumes:\n        - name: cfg\n          configMap:\n            name: tetragon-operator-config\n`;
      const D = 'Deployment/tetragon-operator';
      hasCall(run(op('  skip-pod-info-crd: "false"\n  leader-election: "true"\n'), D).w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: true });
      lacksCall(run(op('  skip-pod-info-crd: "true"\n  leader-election: "true"\n'), D).w.calls, { resource: 'pods' });
      const noLease = run(op('  skip-pod-info-crd: "false"\n  leader-election: "false"\n'), D);
      hasCall(noLease.w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
    });
  });

  describe('Tracee', () => {
    const text = agentFixture('tracee.yaml');

    it('each agent lists the cluster-scoped Policy CRD once at start from etcd; not flagged', () => {
      const { w, flagged } = run(text, 'DaemonSet/tracee');
      assert.deepEqual(w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope} ${c.resourceVersion ?? ''}`), ['list policies cluster ']);
      assert.deepEqual(flagged, []);
    });

    it('the operator watches policies and DaemonSets and updates the Tracee DaemonSet; --leader-elect makes it leader-only', () => {
      const { w, flagged } = run(text, 'Deployment/tracee-operator');
      hasCall(w.calls, { verb: 'watch', resource: 'policies', scope: 'cluster', leader: false });
      hasCall(w.calls, { verb: 'watch', resource: 'daemonsets', scope: 'cluster' });
      hasCall(w.calls, { verb: 'update', resource: 'daemonsets', scope: 'namespace' });
      assert.deepEqual(flagged, []);
      const leader = run(replace(text, '          - --health-probe-bind-address', '          - --leader-elect\n          - --health-probe-bind-address'), 'Deployment/tracee-operator');
      hasCall(leader.w.calls, { verb: 'watch', resource: 'policies', scope: 'cluster', leader: true });
    });
  });
});
