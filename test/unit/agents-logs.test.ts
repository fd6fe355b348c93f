// Log and metrics shippers: fluentd (kubernetes_metadata filter), Grafana Alloy / Agent, Vector,
// Elastic Agent and the beats. Each agent on its labelled vendor manifest, and each setting that
// changes the verdict, made by editing the manifest's text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalysisResult, type WorkloadReport } from '../../src/analysis/analyze';
import { addObject, emptyInventory } from '../../src/analysis/objects';
import { readManifests } from '../../src/analysis/read';
import { inferUsage, type InferredUsage, type UsageCall } from '../../src/analysis/usage';
import type { ClusterProfile } from '../../src/cost/model';

const ROOT = join(__dirname, '../../..');
const PROFILES: ClusterProfile[] = [
  { name: 'staging', nodes: 40, podsPerNode: 30 },
  { name: 'prod', nodes: 5000, podsPerNode: 30 },
];
const agentFixture = (f: string) => readFileSync(join(ROOT, 'test/fixtures/agents', f), 'utf8');
const sharedFixture = (f: string) => readFileSync(join(ROOT, '../shared/corpus/manifests', f), 'utf8');

interface Run {
  r: AnalysisResult;
  w: WorkloadReport;
  /** Warning/error rules that name prod (5,000 nodes). */
  flagged: string[];
}

function run(text: string, workload: string): Run {
  const r = analyze([{ path: 'm.yaml', text }], PROFILES);
  const w = r.workloads.find((x) => `${x.workload.kind}/${x.workload.name}` === workload);
  assert.ok(w, `no ${workload} (have ${r.workloads.map((x) => `${x.workload.kind}/${x.workload.name}`).join(', ')})`);
  const flagged = r.findings
    .filter((f) => f.workload.kind === w.workload.kind && f.workload.name === w.workload.name && (f.severity === 'warning' || f.severity === 'error') && (f.profiles.includes('prod') || f.profiles.length === 0))
    .map((f) => f.rule);
  return { r, w, flagged };
}

function usage(text: string, workload: string): InferredUsage {
  const inv = emptyInventory();
  for (const o of readManifests('m.yaml', text).objects) addObject(inv, o);
  const w = inv.workloads.find((x) => `${x.kind}/${x.name}` === workload);
  assert.ok(w, `no ${workload}`);
  return inferUsage(w, inv);
}

type Want = { verb: string; resource: string; scope: string; rv?: string; leader?: boolean };
const matches = (c: UsageCall, w: Want) => c.verb === w.verb && c.resource === w.resource && c.scope === w.scope && (w.rv === undefined || (c.resourceVersion ?? '') === w.rv) && (w.leader === undefined || (c.clients === 1) === w.leader);
const show = (calls: UsageCall[]) => calls.map((c) => `${c.verb} ${c.resource} ${c.scope} rv=${c.resourceVersion ?? ''}${c.clients === 1 ? ' leader' : ''}`).join('; ');
function hasCall(calls: UsageCall[], w: Want) {
  assert.ok(calls.some((c) => matches(c, w)), `expected ${JSON.stringify(w)} in: ${show(calls)}`);
}
function lacksCall(calls: UsageCall[], w: Want) {
  assert.ok(!calls.some((c) => matches(c, w)), `did not expect ${JSON.stringify(w)} in: ${show(calls)}`);
}
function replace(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  assert.notEqual(out, text, `the fixture no longer contains ${from}`);
  return out;
}

describe('agents: fluentd with the kubernetes_metadata filter', () => {
  const text = agentFixture('fluentd-kubernetes-metadata.yaml');
  const ds = 'DaemonSet/fluentd';

  it('the daemonset manifest (K8S_NODE_NAME set): pods of its node and every namespace, from the watch cache; not flagged', () => {
    const { w, flagged } = run(text, ds);
    assert.equal(w.source, 'agent');
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node', rv: '0' });
    hasCall(w.calls, { verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' });
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
    assert.deepEqual(flagged, []);
  });

  it('without K8S_NODE_NAME (manifests before ce5b9135) every fluentd watches all pods: flagged', () => {
    const old = replace(text, /          - name: K8S_NODE_NAME\n            valueFrom:\n              fieldRef:\n                fieldPath: spec.nodeName\n/, '');
    const { w, flagged } = run(old, ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', rv: '0' });
    assert.ok(flagged.includes('per-node-cluster-list'), flagged.join(', '));
  });

  it('FLUENT_KUBERNETES_WATCH=false: GETs per pod of its node instead of watches', () => {
    const t = replace(text, '          - name:  FLUENT_ELASTICSEARCH_HOST', '          - name: FLUENT_KUBERNETES_WATCH\n            value: "false"\n          - name:  FLUENT_ELASTICSEARCH_HOST');
    const { w, flagged } = run(t, ds);
    hasCall(w.calls, { verb: 'get', resource: 'pods', scope: 'namespace', rv: '0' });
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
    assert.deepEqual(flagged, []);
  });

  it('FLUENT_KUBERNETES_METADATA_SKIP_NAMESPACE_METADATA=true drops the namespace watch', () => {
    const t = replace(text, '          - name:  FLUENT_ELASTICSEARCH_HOST', '          - name: FLUENT_KUBERNETES_METADATA_SKIP_NAMESPACE_METADATA\n            value: "true"\n          - name:  FLUENT_ELASTICSEARCH_HOST');
    lacksCall(run(t, ds).w.calls, { verb: 'watch', resource: 'namespaces', scope: 'cluster' });
  });

  it('a mounted fluentd config: the <filter> section is read (watch false, skip_namespace_metadata), on any fluentd image', () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata: {name: fluentd-config, namespace: kube-system}
data:
  fluent.conf: |
    <filter kubernetes.**>
      @type kubernetes_metadata
      watch "#{ENV['WATCH'] || 'false'}"
      skip_namespace_metadata true
    </filter>
---
`;
    let t = cm + replace(text, 'image: fluent/fluentd-kubernetes-daemonset:v1-debian-elasticsearch', 'image: fluent/fluentd:v1.16-1');
    t = replace(t, '      volumes:\n', '      volumes:\n      - name: config\n        configMap: {name: fluentd-config}\n');
    const { w } = run(t, ds);
    hasCall(w.calls, { verb: 'get', resource: 'pods', scope: 'namespace' });
    lacksCall(w.calls, { verb: 'get', resource: 'namespaces', scope: 'cluster' });
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
  });
});

describe('agents: Grafana Alloy and Grafana Agent', () => {
  const text = agentFixture('grafana-alloy.yaml');
  const ds = 'DaemonSet/alloy';

  it('discovery.kubernetes role "pod" with no namespaces or selectors: every pod watches all pods; flagged', () => {
    const { w, flagged } = run(text, ds);
    assert.equal(w.source, 'agent');
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', rv: '0' });
    assert.ok(flagged.includes('per-node-cluster-list'), flagged.join(', '));
  });

  it('selectors { field = "spec.nodeName=" + sys.env("HOSTNAME") } limits it to its node: not flagged', () => {
    const t = replace(text, '      role = "pod"\n    }', '      role = "pod"\n      // only this node\n      selectors {\n        role  = "pod"\n        field = "spec.nodeName=" + sys.env("HOSTNAME")\n      }\n    }');
    const { w, flagged } = run(t, ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
    assert.deepEqual(flagged, []);
  });

  it('a namespaces block: one informer per namespace', () => {
    const t = replace(text, '      role = "pod"\n    }', '      role = "pod"\n      namespaces {\n        names = ["a", "b"]\n      }\n    }');
    const { w } = run(t, ds);
    assert.equal(w.calls.filter((c) => c.resource === 'pods' && c.scope === 'namespace').length, 2);
  });

  it('role "endpoints" also watches services and pods; attach_metadata node watches nodes', () => {
    const t = replace(text, '      role = "pod"\n    }', '      role = "endpoints"\n      attach_metadata {\n        node = true\n      }\n    }');
    const { w } = run(t, ds);
    for (const res of ['endpoints', 'services', 'pods', 'nodes']) hasCall(w.calls, { verb: 'watch', resource: res, scope: 'cluster' });
  });

  it('each discovery.kubernetes component has its own informers', () => {
    const t = replace(text, '    discovery.kubernetes "custom_pods" {', '    discovery.kubernetes "other" {\n      role = "pod"\n    }\n    discovery.kubernetes "custom_pods" {');
    assert.equal(run(t, ds).w.calls.filter((c) => c.resource === 'pods').length, 2);
  });

  it('components that reach the API server otherwise (loki.source.kubernetes) are unmodelled', () => {
    const t = replace(text, '    discovery.kubernetes "custom_pods" {', '    loki.source.kubernetes "pods" {\n      targets = discovery.kubernetes.custom_pods.targets\n      forward_to = []\n    }\n    discovery.kubernetes "custom_pods" {');
    assert.deepEqual(usage(t, ds).unmodelled, ['Grafana Alloy: component loki.source.kubernetes "pods"']);
  });

  it('Grafana Agent flow mode reads the same River config', () => {
    const t = replace(text, 'image: docker.io/grafana/alloy:v1.8.0', 'image: grafana/agent:v0.40.0');
    const u = usage(t, ds);
    assert.deepEqual(u.agents, ['Grafana Agent']);
    hasCall(u.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
  });

  it('Grafana Agent static mode: kubernetes_sd_configs in its YAML, as promtail', () => {
    const staticCfg = `  agent.yaml: |
    metrics:
      configs:
        - name: integrations
          scrape_configs:
            - job_name: pods
              kubernetes_sd_configs:
                - role: pod
                  selectors:
                    - role: pod
                      field: spec.nodeName=\${HOSTNAME}
    logs:
      configs:
        - name: default
          scrape_configs:
            - job_name: pod-logs
              kubernetes_sd_configs:
                - role: pod
    integrations:
      eventhandler:
        cache_path: /etc/eventhandler/cache
`;
    let t = replace(text, /  config\.alloy: \|-\n(    .*\n)+/, staticCfg);
    t = replace(t, 'image: docker.io/grafana/alloy:v1.8.0', 'image: grafana/agent:v0.39.0');
    t = replace(t, '            - run\n            - /etc/alloy/config.alloy\n', '            - -config.file=/etc/alloy/agent.yaml\n');
    const { w, flagged } = run(t, ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
    assert.ok(flagged.includes('per-node-cluster-list'));
    assert.deepEqual(usage(t, ds).unmodelled, ['Grafana Agent: integration eventhandler']);
  });
});

describe('agents: Vector (kubernetes_logs)', () => {
  const manifest = (config: string, env = '            - name: VECTOR_SELF_NODE_NAME\n              valueFrom:\n                fieldRef:\n                  fieldPath: spec.nodeName\n') => `apiVersion: v1
kind: ConfigMap
metadata: {name: vector, namespace: vector}
data:
${config}---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: vector, namespace: vector}
spec:
  selector: {matchLabels: {app: vector}}
  template:
    metadata: {labels: {app: vector}}
    spec:
      serviceAccountName: vector
      containers:
        - name: vector
          image: timberio/vector:0.39.0-distroless-libc
          args: [--config-dir, /etc/vector/]
          env:
${env}            - name: PROCFS_ROOT
              value: /host/proc
          volumeMounts:
            - {name: config, mountPath: /etc/vector/}
      volumes:
        - name: config
          configMap: {name: vector}
`;
  const yaml = (extra = '') => `  agent.yaml: |
    data_dir: /vector-data-dir
    sources:
      kubernetes_logs:
        type: kubernetes_logs${extra}
      host_metrics:
        type: host_metrics
    sinks:
      out:
        type: console
        inputs: [kubernetes_logs]
        encoding: {codec: json}
`;
  const ds = 'DaemonSet/vector';

  it('pods of its node, every namespace and its Node; without use_apiserver_cache each LIST reads etcd: flagged at 5,000 nodes', () => {
    const { w, flagged } = run(manifest(yaml()), ds);
    assert.equal(w.source, 'agent');
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node', rv: '' });
    hasCall(w.calls, { verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '' });
    hasCall(w.calls, { verb: 'watch', resource: 'nodes', scope: 'node', rv: '' });
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
    assert.ok(flagged.includes('list-from-etcd'), flagged.join(', '));
  });

  it('use_apiserver_cache: true lists from the watch cache: not flagged', () => {
    const { w, flagged } = run(manifest(yaml('\n        use_apiserver_cache: true')), ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node', rv: '0' });
    assert.deepEqual(flagged, []);
  });

  it('reads TOML configs too', () => {
    const toml = `  vector.toml: |
    [sources.k8s]
    type = "kubernetes_logs"
    use_apiserver_cache = true # served by the watch cache
`;
    hasCall(run(manifest(toml), ds).w.calls, { verb: 'watch', resource: 'pods', scope: 'node', rv: '0' });
  });

  it('without VECTOR_SELF_NODE_NAME (or self_node_name) the source does not start: no calls, and a note says why', () => {
    const u = usage(manifest(yaml(), ''), ds);
    assert.deepEqual(u.calls, []);
    assert.ok(u.notes.some((n) => /VECTOR_SELF_NODE_NAME/.test(n.message)));
  });

  it('a Vector aggregator without kubernetes_logs makes no API calls', () => {
    const cfg = `  agent.yaml: |
    sources:
      in: {type: vector, address: 0.0.0.0:6000}
    sinks:
      out: {type: console, inputs: [in], encoding: {codec: json}}
`;
    const u = usage(manifest(cfg), ds);
    assert.deepEqual(u.calls, []);
    assert.equal(u.source, 'agent');
  });
});

describe('agents: Elastic Agent (standalone)', () => {
  const text = agentFixture('elastic-agent-standalone.yaml');
  const ds = 'DaemonSet/elastic-agent';

  it('the 7.17 standalone manifest: node-scoped provider, a Lease poll, cluster metrics from the leader only; not flagged', () => {
    const { w, flagged } = run(text, ds);
    assert.equal(w.source, 'agent');
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node', rv: '0', leader: false });
    hasCall(w.calls, { verb: 'watch', resource: 'nodes', scope: 'node', rv: '0', leader: false });
    hasCall(w.calls, { verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' });
    const lease = w.calls.find((c) => c.verb === 'get' && c.resource === 'leases');
    assert.ok(lease && lease.scope === 'namespace' && lease.intervalSeconds === 2 && lease.clients === undefined, show(w.calls));
    hasCall(w.calls, { verb: 'update', resource: 'leases', scope: 'namespace', leader: true });
    // The cluster-wide enrichers and the event watch of kubernetes-cluster-metrics: one client.
    hasCall(w.calls, { verb: 'watch', resource: 'events', scope: 'cluster', leader: true });
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: true });
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
    assert.deepEqual(usage(text, ds).unmodelled, []);
    assert.deepEqual(flagged, []);
  });

  it('providers.kubernetes scope: cluster watches every pod from every agent: flagged', () => {
    const t = replace(text, '      node: ${NODE_NAME}\n      scope: node', '      node: ${NODE_NAME}\n      scope: cluster');
    const { w, flagged } = run(t, ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
    assert.ok(flagged.includes('per-node-cluster-list'), flagged.join(', '));
  });

  it('the cluster-metrics input without its leader condition runs its enrichers on every node: flagged', () => {
    const t = replace(text, '        condition: ${kubernetes_leaderelection.leader} == true\n', '');
    const { w, flagged } = run(t, ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
    hasCall(w.calls, { verb: 'watch', resource: 'events', scope: 'cluster', leader: false });
    assert.ok(flagged.includes('per-node-cluster-list'), flagged.join(', '));
  });

  it('leader election disabled: no Lease calls', () => {
    const t = replace(text, '    providers.kubernetes:\n', '    providers.kubernetes_leaderelection:\n      enabled: false\n    providers.kubernetes:\n');
    lacksCall(run(t, ds).w.calls, { verb: 'get', resource: 'leases', scope: 'namespace' });
  });

  it('an input type it does not know is unmodelled', () => {
    const t = replace(text, '      - name: system-logs\n        type: logfile', '      - name: k8s-audit\n        type: kubernetes/audit\n      - name: system-logs\n        type: logfile');
    assert.deepEqual(usage(t, ds).unmodelled, ['Elastic Agent: input type kubernetes/audit']);
  });

  it('enrolled in Fleet: the policy is not in the manifest, usage unknown', () => {
    const t = replace(text, '            - name: ES_USERNAME\n', '            - name: FLEET_ENROLL\n              value: "1"\n            - name: ES_USERNAME\n');
    const u = usage(t, ds);
    assert.deepEqual(u.calls, []);
    assert.ok(u.notes.some((n) => /Fleet/.test(n.message)));
  });
});

describe('agents: beats (metricbeat and filebeat)', () => {
  const text = agentFixture('metricbeat-kubernetes.yaml');
  const ds = 'DaemonSet/metricbeat';

  it('metricbeat with a unique provider: no pod eventer, a Lease poll every 2 s, state_* enrichers in the leader only; not flagged', () => {
    const { w, flagged } = run(text, ds);
    assert.equal(w.source, 'agent');
    const lease = w.calls.find((c) => c.verb === 'get' && c.resource === 'leases');
    assert.ok(lease && lease.scope === 'namespace' && lease.intervalSeconds === 2 && lease.clients === undefined, show(w.calls));
    hasCall(w.calls, { verb: 'update', resource: 'leases', scope: 'namespace', leader: true });
    // scope: cluster is ignored with unique: the pods the leader watches are its state_* enrichers'.
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: true });
    hasCall(w.calls, { verb: 'watch', resource: 'deployments', scope: 'cluster', leader: true });
    // kubelet metricsets' enrichers: its node's pods and Node, every namespace.
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node', rv: '0', leader: false });
    hasCall(w.calls, { verb: 'watch', resource: 'nodes', scope: 'node', rv: '0', leader: false });
    hasCall(w.calls, { verb: 'watch', resource: 'namespaces', scope: 'cluster', leader: false });
    assert.deepEqual(usage(text, ds).unmodelled, []);
    assert.deepEqual(flagged, []);
  });

  it('enricher watchers by version: resource only before 8.1, one set per metricset in 8.1, shared from 8.14', () => {
    const count = (image: string, resource: string) => run(text.replace('metricbeat:8.1.1', image), ds).w.calls.filter((c) => c.resource === resource && c.clients === undefined).length;
    // node, pod and container have enrichers; system and volume have none.
    assert.equal(count('metricbeat:8.1.1', 'namespaces'), 3);
    assert.equal(count('metricbeat:8.1.1', 'nodes'), 4);
    assert.equal(count('metricbeat:8.15.0', 'namespaces'), 1);
    assert.equal(count('metricbeat:8.15.0', 'nodes'), 1);
    assert.equal(count('metricbeat:7.17.3', 'namespaces'), 0);
    assert.equal(count('metricbeat:7.17.3', 'pods'), 2);
  });

  it('without unique the provider (scope cluster) watches every pod from every node: flagged', () => {
    const t = replace(text, '          unique: true\n', '');
    const { w, flagged } = run(t, ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', leader: false });
    lacksCall(w.calls, { verb: 'get', resource: 'leases', scope: 'namespace' });
    assert.ok(flagged.includes('per-node-cluster-list'), flagged.join(', '));
  });

  it('a provider without unique and with scope node: pods and its node only', () => {
    let t = replace(text, '          unique: true\n', '');
    t = replace(t, '          scope: cluster\n', '');
    t = replace(t, /          templates:\n(            .*\n|                .*\n)+/, '');
    const { w } = run(t, ds);
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node', leader: false });
    lacksCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
  });

  it('providers and modules it does not know are unmodelled; docker autodiscover is not the API server', () => {
    let t = replace(text, '        - type: kubernetes\n          scope: cluster', '        - type: nomad\n        - type: docker\n        - type: kubernetes\n          scope: cluster');
    t = replace(t, '    - module: kubernetes\n      metricsets:\n        - proxy', '    - module: kubevirt\n      metricsets: [vm]\n    - module: kubernetes\n      metricsets:\n        - proxy');
    assert.deepEqual(usage(t, ds).unmodelled.sort(), ['Elastic beats: autodiscover provider nomad', 'Elastic beats: module kubevirt']);
  });

  it('an unknown kubernetes metricset is unmodelled; add_metadata: false drops its enrichers', () => {
    let t = replace(text, '        - volume\n      period: 10s', '        - volume\n        - state_magic\n      add_metadata: false\n      period: 10s');
    const u = usage(t, ds);
    assert.deepEqual(u.unmodelled, ['Elastic beats: kubernetes metricset state_magic']);
    lacksCall(u.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
    t = replace(t, '      add_metadata: false\n', '');
    hasCall(usage(t, ds).calls, { verb: 'watch', resource: 'pods', scope: 'node' });
  });

  it('filebeat with add_kubernetes_metadata (shared corpus) keeps its calls and stays clean', () => {
    const { w, flagged } = run(sharedFixture('filebeat-kubernetes.yaml'), 'DaemonSet/filebeat');
    hasCall(w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
    hasCall(w.calls, { verb: 'watch', resource: 'nodes', scope: 'node' });
    hasCall(w.calls, { verb: 'watch', resource: 'namespaces', scope: 'cluster' });
    hasCall(w.calls, { verb: 'watch', resource: 'replicasets', scope: 'cluster' });
    assert.deepEqual(flagged, []);
  });
});

describe('agents: promtail and fluent-bit, as the vendors ship them', () => {
  it('promtail (tools/promtail.sh) watches pods cluster-wide; with the helm chart\'s spec.nodeName selector it is node-scoped', () => {
    const text = sharedFixture('promtail.yaml');
    const before = run(text, 'DaemonSet/promtail');
    hasCall(before.w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster', rv: '0' });
    assert.ok(before.flagged.includes('per-node-cluster-list'));
    const chart = text.replace(/( +)- role: pod\n/g, (_m, sp: string) => `${sp}- role: pod\n${sp}  selectors:\n${sp}  - role: pod\n${sp}    field: spec.nodeName=\${HOSTNAME}\n`);
    const after = run(chart, 'DaemonSet/promtail');
    lacksCall(after.w.calls, { verb: 'watch', resource: 'pods', scope: 'cluster' });
    hasCall(after.w.calls, { verb: 'watch', resource: 'pods', scope: 'node' });
    assert.deepEqual(after.flagged, []);
  });

  it('fluent-bit keeps its verdicts: Use_Kubelet clean, API-server lookups flagged', () => {
    assert.deepEqual(run(sharedFixture('fluent-bit-aws-use-kubelet.yaml'), 'DaemonSet/fluent-bit').flagged, []);
    assert.ok(run(sharedFixture('fluent-bit-aws-apiserver.yaml'), 'DaemonSet/fluent-bit-compatible').flagged.length > 0);
  });
});
