// Metrics agents on their vendors' manifests (test/fixtures/agents, shared/corpus/manifests):
// the calls each recogniser reads from the configuration, the verdict at 5,000 nodes, and the
// settings that change it (edited into the fixture text here).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalysisResult, type WorkloadReport } from '../../src/analysis/analyze';
import { addObject, emptyInventory } from '../../src/analysis/objects';
import { readManifests } from '../../src/analysis/read';
import { inferUsage } from '../../src/analysis/usage';
import type { ClusterProfile } from '../../src/cost/model';

const ROOT = join(__dirname, '../../..');
const PROFILES: ClusterProfile[] = [
  { name: 'staging', nodes: 40, podsPerNode: 30 },
  { name: 'prod', nodes: 5000, podsPerNode: 30 },
];

const fixture = (name: string) => readFileSync(join(ROOT, 'test/fixtures/agents', name), 'utf8');
function shared(name: string): string {
  const f = join(ROOT, '../shared/corpus/manifests', name);
  if (!existsSync(f)) throw new Error(`${f} is missing: CI copies shared/ beside the repository`);
  return readFileSync(f, 'utf8');
}
const run = (text: string, path = 'm.yaml') => analyze([{ path, text }], PROFILES);
function report(r: AnalysisResult, ref: string): WorkloadReport {
  const [kind, name] = [ref.slice(0, ref.indexOf('/')), ref.slice(ref.indexOf('/') + 1)];
  const w = r.workloads.find((x) => x.workload.kind === kind && x.workload.name === name);
  assert.ok(w, `no ${ref} (have ${r.workloads.map((x) => `${x.workload.kind}/${x.workload.name}`).join(', ')})`);
  return w;
}
/** Rules that flag the workload at 5,000 nodes (warnings and errors naming prod, or no profile). */
const flagged = (r: AnalysisResult, ref: string) => {
  const w = report(r, ref);
  return r.findings.filter((f) => f.workload.kind === w.workload.kind && f.workload.name === w.workload.name && (f.severity === 'warning' || f.severity === 'error') && (f.profiles.includes('prod') || f.profiles.length === 0)).map((f) => f.rule);
};
/** verb resource scope[ rv][ ×clients], sorted. */
const calls = (w: WorkloadReport, opts: { rv?: boolean } = {}) => w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope}${opts.rv ? ` rv=${c.resourceVersion ?? ''}` : ''}${c.clients !== undefined ? ` ×${c.clients}` : ''}`).sort();
/** The recogniser's unmodelled parts for a workload. */
function unmodelled(text: string, name: string): string[] {
  const inv = emptyInventory();
  for (const o of readManifests('m.yaml', text).objects) addObject(inv, o);
  const w = inv.workloads.find((x) => x.name === name);
  assert.ok(w, `no workload ${name}`);
  return inferUsage(w, inv).unmodelled;
}
function replaceOnce(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `fixture text lacks ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

describe('metrics agents: Datadog', () => {
  const dca = fixture('datadog-cluster-agent.yaml');
  const only = shared('datadog-agent-only.yaml');

  it('node agents with the Cluster Agent make no API calls; the Cluster Agent is one client; nothing is flagged', () => {
    const r = run(dca);
    const ds = report(r, 'DaemonSet/datadog');
    assert.deepEqual(ds.agents, ['Datadog agent', 'Datadog agent'], 'the core agent and the trace-agent');
    assert.deepEqual(ds.calls, []);
    assert.deepEqual(flagged(r, 'DaemonSet/datadog'), []);
    const d = report(r, 'Deployment/datadog-cluster-agent');
    assert.deepEqual(d.agents, ['Datadog Cluster Agent']);
    assert.equal(d.clients, 1);
    const got = calls(d);
    for (const c of ['watch endpoints cluster', 'watch services cluster', 'watch pods cluster', 'watch nodes cluster', 'watch events cluster ×1']) assert.ok(got.includes(c), `${c} in ${got.join(', ')}`);
    // The kubernetes_state_core check has no use_apiserver_cache: its LISTs are read from etcd.
    assert.equal(d.calls.find((c) => c.resource === 'pods')?.resourceVersion, undefined);
    assert.equal(d.calls.find((c) => c.resource === 'endpoints')?.resourceVersion, '0');
    assert.deepEqual(flagged(r, 'Deployment/datadog-cluster-agent'), []);
  });

  it('the Cluster Agent: use_apiserver_cache, EndpointSlices, and replicas with leader election', () => {
    let t = replaceOnce(dca, '        - ingresses\n', '        - ingresses\n        use_apiserver_cache: true\n');
    t = replaceOnce(t, '- name: DD_KUBERNETES_USE_ENDPOINT_SLICES\n              value: "false"', '- name: DD_KUBERNETES_USE_ENDPOINT_SLICES\n              value: "true"');
    t = replaceOnce(t, '  replicas: 1\n', '  replicas: 3\n');
    const d = report(run(t), 'Deployment/datadog-cluster-agent');
    assert.equal(d.calls.find((c) => c.resource === 'pods')?.resourceVersion, '0');
    assert.ok(calls(d).includes('watch endpointslices cluster'));
    assert.deepEqual(flagged(run(t), 'Deployment/datadog-cluster-agent'), [], 'three replicas behind DD_LEADER_ELECTION are the advised setup');
  });

  it('the node agent alone (7.21.1) LISTs every Endpoints object from etcd every 60 s and is flagged', () => {
    const r = run(only);
    const w = report(r, 'DaemonSet/datadog');
    assert.deepEqual(calls(w, { rv: true }), ['get nodes node rv=', 'list endpoints cluster rv=']);
    assert.equal(w.calls.find((c) => c.resource === 'endpoints')?.intervalSeconds, 60);
    for (const rule of ['per-node-cluster-list', 'fanout-proxy', 'list-from-etcd']) assert.ok(flagged(r, 'DaemonSet/datadog').includes(rule), rule);
  });

  it('the node agent alone: 7.41+ lists from the watch cache (still flagged), DD_CLUSTER_AGENT_ENABLED and DD_KUBERNETES_COLLECT_METADATA_TAGS=false clear it', () => {
    const newer = only.replace(/datadog\/agent:7\.21\.1/g, 'datadog/agent:7.50.0');
    const r = run(newer);
    assert.deepEqual(calls(report(r, 'DaemonSet/datadog'), { rv: true }), ['get nodes node rv=', 'list endpoints cluster rv=0']);
    assert.ok(flagged(r, 'DaemonSet/datadog').includes('per-node-cluster-list'));
    assert.ok(!flagged(r, 'DaemonSet/datadog').includes('list-from-etcd'));
    const env = (name: string, value: string) => replaceOnce(only, '            - name: DD_LOG_LEVEL\n', `            - name: ${name}\n              value: "${value}"\n            - name: DD_LOG_LEVEL\n`);
    for (const t of [env('DD_CLUSTER_AGENT_ENABLED', 'true'), env('DD_KUBERNETES_COLLECT_METADATA_TAGS', 'false')]) {
      const r2 = run(t);
      assert.deepEqual(report(r2, 'DaemonSet/datadog').calls, []);
      assert.deepEqual(flagged(r2, 'DaemonSet/datadog').filter((x) => x !== 'rbac-broader-than-usage'), []);
    }
    const every = report(run(env('DD_KUBERNETES_METADATA_TAG_UPDATE_FREQ', '300')), 'DaemonSet/datadog');
    assert.equal(every.calls.find((c) => c.resource === 'endpoints')?.intervalSeconds, 300);
  });

  it('node agents electing a leader: one watches Events, every agent polls the lock', () => {
    const t = replaceOnce(only, '            - name: DD_LOG_LEVEL\n', '            - name: DD_CLUSTER_AGENT_ENABLED\n              value: "true"\n            - name: DD_LEADER_ELECTION\n              value: "true"\n            - name: DD_COLLECT_KUBERNETES_EVENTS\n              value: "true"\n            - name: DD_LOG_LEVEL\n');
    const r = run(t);
    assert.deepEqual(calls(report(r, 'DaemonSet/datadog')), ['get configmaps namespace', 'watch events cluster ×1']);
    assert.ok(!flagged(r, 'DaemonSet/datadog').includes('per-node-cluster-list'));
  });
});

describe('metrics agents: New Relic', () => {
  const nr = fixture('newrelic-infrastructure.yaml');

  it('v2: every node LISTs all pods by label from etcd hourly and GETs its Node; flagged', () => {
    const r = run(nr);
    const w = report(r, 'DaemonSet/newrelic-infra');
    assert.equal(w.source, 'agent');
    assert.deepEqual(calls(w, { rv: true }), ['get nodes node rv=', 'list pods cluster rv=', 'list services cluster rv= ×1']);
    assert.equal(w.calls.find((c) => c.resource === 'pods')?.intervalSeconds, 3600);
    assert.equal(w.calls.find((c) => c.resource === 'nodes')?.intervalSeconds, 300);
    const rules = flagged(r, 'DaemonSet/newrelic-infra');
    assert.ok(rules.includes('per-node-cluster-list') && rules.includes('list-from-etcd'), rules.join(', '));
    assert.ok(!rules.includes('rbac-undeclared'));
  });

  const withEnv = (name: string, value: string) => replaceOnce(nr, '            - name: "NRIA_DISPLAY_NAME"\n', `            - name: "${name}"\n              value: "${value}"\n            - name: "NRIA_DISPLAY_NAME"\n`);

  it('v2: DISABLE_KUBE_STATE_METRICS drops the pod LIST (not flagged); KUBE_STATE_METRICS_NAMESPACE narrows it to a namespace', () => {
    const off = run(withEnv('DISABLE_KUBE_STATE_METRICS', 'true'));
    assert.deepEqual(calls(report(off, 'DaemonSet/newrelic-infra')), ['get nodes node']);
    assert.deepEqual(flagged(off, 'DaemonSet/newrelic-infra'), []);
    const ns = report(run(withEnv('KUBE_STATE_METRICS_NAMESPACE', 'kube-system')), 'DaemonSet/newrelic-infra');
    assert.equal(ns.calls.find((c) => c.resource === 'pods')?.scope, 'namespace');
    const ttl = report(run(withEnv('DISCOVERY_CACHE_TTL', '6h')), 'DaemonSet/newrelic-infra');
    assert.equal(ttl.calls.find((c) => c.resource === 'pods')?.intervalSeconds, 6 * 3600);
  });

  it('v3: the kubelet DaemonSet watches every Node from every node (flagged); the ksm Deployment is one client', () => {
    const v3 = nr.replace(/newrelic\/infrastructure-k8s:2\.10\.0/g, 'newrelic/nri-kubernetes:3.29.0').replace('        - name: newrelic-infra\n          image:', '        - name: kubelet\n          image:');
    const r = run(v3);
    assert.deepEqual(calls(report(r, 'DaemonSet/newrelic-infra')), ['watch nodes cluster']);
    assert.ok(flagged(r, 'DaemonSet/newrelic-infra').includes('per-node-cluster-list'));
    const ksm = run(v3.replace('kind: DaemonSet', 'kind: Deployment').replace('- name: kubelet\n', '- name: ksm\n'));
    assert.deepEqual(calls(report(ksm, 'Deployment/newrelic-infra')), ['watch endpointslices namespace', 'watch services cluster']);
    assert.deepEqual(flagged(ksm, 'Deployment/newrelic-infra'), []);
  });
});

describe('metrics agents: Dynatrace', () => {
  const dt = fixture('dynatrace-oneagent.yaml');

  it('operator, webhook and CSI driver: roles from the first argument; none flagged', () => {
    const r = run(dt);
    assert.deepEqual(calls(report(r, 'DaemonSet/dynatrace-oneagent-csi-driver')), ['watch dynakubes namespace']);
    assert.deepEqual(calls(report(r, 'Deployment/dynatrace-operator')), ['watch daemonsets namespace ×1', 'watch dynakubes namespace ×1', 'watch nodes cluster ×1', 'watch statefulsets namespace ×1']);
    assert.deepEqual(calls(report(r, 'Deployment/dynatrace-webhook')), ['watch dynakubes namespace']);
    for (const w of ['DaemonSet/dynatrace-oneagent-csi-driver', 'Deployment/dynatrace-operator', 'Deployment/dynatrace-webhook']) assert.deepEqual(flagged(r, w), [], w);
  });

  it('the OneAgent DaemonSet makes no calls; an ActiveGate is unmodelled; an unknown role is unknown', () => {
    const oneagent = dt.replace(/quay\.io\/dynatrace\/dynatrace-operator:snapshot-feature-readd-manifests/g, 'docker.io/dynatrace/oneagent:1.300.0');
    assert.deepEqual(report(run(oneagent), 'DaemonSet/dynatrace-oneagent-csi-driver').calls, []);
    const ag = dt.replace(/quay\.io\/dynatrace\/dynatrace-operator:snapshot-feature-readd-manifests/g, 'public.ecr.aws/dynatrace/dynatrace-activegate:1.300.0');
    assert.match(unmodelled(ag, 'dynatrace-operator').join(), /kubernetes-monitoring/);
    const odd = replaceOnce(dt, '            - webhook-server\n', '            - something-new\n');
    assert.equal(report(run(odd), 'Deployment/dynatrace-webhook').source, 'none');
  });
});

describe('metrics agents: Sysdig', () => {
  const manifest = (image: string, dragent: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: sysdig-agent
  namespace: sysdig
spec:
  selector:
    matchLabels: {app: sysdig-agent}
  template:
    metadata:
      labels: {app: sysdig-agent}
    spec:
      serviceAccountName: sysdig-agent
      containers:
        - name: sysdig
          image: ${image}
          volumeMounts:
            - {name: config, mountPath: /opt/draios/etc/kubernetes/config}
      volumes:
        - name: config
          configMap:
            name: sysdig-agent
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: sysdig-agent
  namespace: sysdig
data:
  dragent.yaml: |
${dragent
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: sysdig-agent
rules:
  - apiGroups: [""]
    resources: [pods, nodes, services, endpoints, events, namespaces]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: sysdig-agent
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sysdig-agent}
subjects:
  - {kind: ServiceAccount, name: sysdig-agent, namespace: sysdig}
`;
  const chart = 'k8s_cluster_name: prod\nnew_k8s: true\nk8s_delegation_election: true\nk8s_coldstart:\n  enabled: true\n  enforce_leader_election: true';

  it('12.x with delegation: node-scoped pods on every node, cluster-wide watches from two delegated agents; not flagged', () => {
    const r = run(manifest('quay.io/sysdig/agent:12.20.0', chart));
    const w = report(r, 'DaemonSet/sysdig-agent');
    const got = calls(w);
    assert.ok(got.includes('watch pods node'));
    assert.ok(got.includes('watch pods cluster ×2') && got.includes('watch nodes cluster ×2'), got.join(', '));
    assert.deepEqual(flagged(r, 'DaemonSet/sysdig-agent'), []);
    assert.match(unmodelled(manifest('quay.io/sysdig/agent:12.20.0', chart), 'sysdig-agent').join(), /non-delegated/);
  });

  it('cointerface_enabled: false makes no calls; an old agent without new_k8s is unknown: its RBAC reach is reported as an upper bound, not flagged', () => {
    assert.deepEqual(report(run(manifest('quay.io/sysdig/agent:12.20.0', 'cointerface_enabled: false')), 'DaemonSet/sysdig-agent').calls, []);
    const old = run(manifest('sysdig/agent:10.5.0', 'k8s_cluster_name: prod'));
    assert.equal(report(old, 'DaemonSet/sysdig-agent').source, 'rbac');
    assert.deepEqual(flagged(old, 'DaemonSet/sysdig-agent'), []);
    const bound = old.findings.find((f) => f.rule === 'rbac-undeclared' && f.workload.name === 'sysdig-agent');
    assert.ok(bound && bound.severity === 'info' && /At most/.test(bound.message), bound?.message);
    // 11.3+ with new_k8s keeps the delegated model.
    assert.ok(calls(report(run(manifest('sysdig/agent:11.4.0', 'new_k8s: true')), 'DaemonSet/sysdig-agent')).includes('watch pods node'));
  });
});

describe('metrics agents: OpenTelemetry collector', () => {
  const leader = fixture('otel-k8s-cluster-daemonset-leader.yaml');

  it('k8s_cluster behind k8s_leader_elector: the holder watches (one client), every agent polls the Lease; not flagged', () => {
    const r = run(leader);
    const w = report(r, 'DaemonSet/example-opentelemetry-collector-agent');
    const got = calls(w);
    assert.ok(got.includes('get leases namespace') && got.includes('update leases namespace ×1'), got.join(', '));
    assert.ok(got.includes('watch pods cluster ×1') && got.includes('watch nodes cluster ×1'));
    assert.equal(w.calls.find((c) => c.verb === 'get' && c.resource === 'leases')?.intervalSeconds, 2);
    assert.deepEqual(flagged(r, 'DaemonSet/example-opentelemetry-collector-agent'), []);
    assert.deepEqual(unmodelled(leader, 'example-opentelemetry-collector-agent'), [], 'jaeger, zipkin, otlp, batch, memory_limiter, health_check are API-free');
  });

  it('without the leader elector (older charts) every agent runs k8s_cluster: flagged', () => {
    const t = replaceOnce(leader, '        k8s_leader_elector: k8s_leader_elector/k8s_cluster\n', '');
    const r = run(t);
    assert.ok(calls(report(r, 'DaemonSet/example-opentelemetry-collector-agent')).includes('watch pods cluster'));
    assert.ok(flagged(r, 'DaemonSet/example-opentelemetry-collector-agent').includes('per-node-cluster-list'));
    // An elector that is not started (not in service.extensions) elects nobody.
    const unused = replaceOnce(leader, '      - k8s_leader_elector/k8s_cluster\n', '');
    assert.ok(flagged(run(unused), 'DaemonSet/example-opentelemetry-collector-agent').includes('per-node-cluster-list'));
  });

  it('kubeletstats reads the kubelet; auth_type kubeConfig goes through the API server; unknown components are unmodelled', () => {
    const withKubelet = replaceOnce(leader, '      otlp:\n        protocols:', '      kubeletstats:\n        collection_interval: 20s\n        endpoint: ${env:K8S_NODE_IP}:10250\n      otlp:\n        protocols:').replace('          - prometheus\n          - k8s_cluster\n', '          - prometheus\n          - k8s_cluster\n          - kubeletstats\n');
    assert.ok(!calls(report(run(withKubelet), 'DaemonSet/example-opentelemetry-collector-agent')).some((c) => c.includes('nodes/proxy')));
    const proxied = withKubelet.replace('        collection_interval: 20s\n', '        collection_interval: 20s\n        auth_type: kubeConfig\n');
    const w = report(run(proxied), 'DaemonSet/example-opentelemetry-collector-agent');
    assert.equal(w.calls.find((c) => c.resource === 'nodes/proxy')?.intervalSeconds, 20);
    const mystery = replaceOnce(withKubelet, '      otlp:\n        protocols:', '      acme_cluster_scraper: {}\n      otlp:\n        protocols:').replace('          - kubeletstats\n', '          - kubeletstats\n          - acme_cluster_scraper\n');
    assert.deepEqual(unmodelled(mystery, 'example-opentelemetry-collector-agent'), ['OpenTelemetry collector: receiver acme_cluster_scraper']);
  });

  it('the shared otel agents keep their verdicts', () => {
    const wide = run(shared('otel-agent-k8sattributes-no-node-filter.yaml'));
    assert.ok(flagged(wide, 'DaemonSet/otel-collector').includes('per-node-cluster-list'));
    const node = run(shared('otel-agent-k8sattributes-node-filter.yaml'));
    assert.deepEqual(flagged(node, 'DaemonSet/default-splunk-otel-collector-agent'), []);
  });
});

describe('metrics agents: cAdvisor, metrics-server, kube-state-metrics', () => {
  it('cAdvisor: recognised, no API calls, not flagged', () => {
    const r = run(fixture('cadvisor.yaml'));
    const w = report(r, 'DaemonSet/cadvisor');
    assert.equal(w.source, 'agent');
    assert.deepEqual(w.calls, []);
    assert.deepEqual(flagged(r, 'DaemonSet/cadvisor'), []);
  });

  it('metrics-server: watches nodes and running pods from one replica; not flagged', () => {
    const text = fixture('metrics-server.yaml');
    const r = run(text);
    assert.deepEqual(calls(report(r, 'Deployment/metrics-server'), { rv: true }), ['watch nodes cluster rv=0', 'watch pods cluster rv=0']);
    assert.deepEqual(flagged(r, 'Deployment/metrics-server'), []);
    // Run on every node it would watch every Node and pod from each: flagged.
    const ds = run(text.replace('kind: Deployment', 'kind: DaemonSet'));
    assert.ok(flagged(ds, 'DaemonSet/metrics-server').includes('per-node-cluster-list'));
  });

  const ks = fixture('kube-state-metrics-autosharding.yaml');

  it('kube-state-metrics automated sharding: its own Pod and StatefulSet, every kind from etcd; sharded replicas are not a missing leader election', () => {
    const r = run(ks);
    const w = report(r, 'StatefulSet/kube-state-metrics');
    const got = calls(w, { rv: true });
    for (const c of ['get pods namespace rv=', 'get statefulsets namespace rv=', 'watch statefulsets namespace rv=', 'watch pods cluster rv=', 'watch nodes cluster rv=']) assert.ok(got.includes(c), c);
    assert.deepEqual(flagged(r, 'StatefulSet/kube-state-metrics'), []);
    // --use-apiserver-cache: every LIST from the watch cache.
    const cached = report(run(replaceOnce(ks, '        - --pod-namespace=$(POD_NAMESPACE)\n', '        - --pod-namespace=$(POD_NAMESPACE)\n        - --use-apiserver-cache\n')), 'StatefulSet/kube-state-metrics');
    assert.ok(cached.calls.filter((c) => c.verb === 'watch').every((c) => c.resourceVersion === '0'));
  });

  it('kube-state-metrics: replicas without sharding are flagged; --shard/--total-shards are sharding', () => {
    const plain = replaceOnce(ks, '        - --pod=$(POD_NAME)\n        - --pod-namespace=$(POD_NAMESPACE)\n', '        - --port=8080\n');
    assert.ok(flagged(run(plain), 'StatefulSet/kube-state-metrics').includes('replicas-without-leader-election'));
    const horizontal = replaceOnce(ks, '        - --pod=$(POD_NAME)\n        - --pod-namespace=$(POD_NAMESPACE)\n', '        - --shard=0\n        - --total-shards=2\n');
    const r = run(horizontal);
    assert.deepEqual(flagged(r, 'StatefulSet/kube-state-metrics'), []);
    assert.ok(!calls(report(r, 'StatefulSet/kube-state-metrics')).includes('get statefulsets namespace'));
  });

  it('the shared kube-state-metrics manifests keep their verdicts', () => {
    const std = run(shared('kube-state-metrics-standard.yaml'));
    assert.deepEqual(flagged(std, 'Deployment/kube-state-metrics').filter((x) => x !== 'no-own-flowschema'), []);
    const ds = run(shared('kube-state-metrics-daemonset-sharding.yaml'));
    assert.ok(flagged(ds, 'DaemonSet/kube-state-metrics-shard').includes('list-from-etcd'));
    assert.ok(!flagged(ds, 'DaemonSet/kube-state-metrics-shard').includes('per-node-cluster-list'));
  });
});
