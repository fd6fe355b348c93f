import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_PROFILES, analyze, analyzeDocument, type AnalysisResult, type Finding } from '../../src/analysis/analyze';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { renderApiCallsAnnotation, steadyUsage } from '../../src/analysis/usage';
import { estimate } from '../../src/cost/model';

const ROOT = resolve(__dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/manifests');
const CORPUS = join(ROOT, '../shared/corpus/manifests');

const STAGING = DEFAULT_PROFILES[0];
const PROD = DEFAULT_PROFILES[1];

const read = (f: string) => readFileSync(f, 'utf8');
const fixture = (name: string) => read(join(FIXTURES, name));
/** Warnings and errors: what "flagged" means. */
const flagged = (r: AnalysisResult, name?: string): Finding[] => r.findings.filter((f) => f.severity !== 'info' && (name === undefined || f.workload.name === name));
const report = (r: AnalysisResult, name: string) => {
  const w = r.workloads.find((x) => x.workload.name === name);
  assert.ok(w, `no workload ${name} (have ${r.workloads.map((x) => x.workload.name).join(', ')})`);
  return w;
};

function corpus(name: string): string {
  const f = join(CORPUS, name);
  if (!existsSync(f)) throw new Error(`${f} is missing: the manifest corpus lives in shared/corpus/manifests beside the repository (CI copies shared/ there)`);
  return read(f);
}

describe('analysis: the 2024-12-11 telemetry DaemonSet', () => {
  const text = fixture('telemetry-agent.yaml');

  for (const name of ['telemetry-agent', 'telemetry-agent-script']) {
    it(`${name}: flagged at prod-large with capacityRatio ≥ 1, not at staging`, () => {
      const both = analyzeDocument('telemetry-agent.yaml', text);
      const w = report(both, name);
      assert.equal(w.source, name === 'telemetry-agent' ? 'annotation' : 'command');
      assert.equal(w.clients, 'perNode');
      const prod = w.estimates.find((e) => e.profile === 'prod-large')!;
      const staging = w.estimates.find((e) => e.profile === 'staging')!;
      assert.ok(prod.capacityRatio >= 1, `prod-large capacityRatio ${prod.capacityRatio}`);
      assert.ok(staging.capacityRatio < 0.01, `staging capacityRatio ${staging.capacityRatio}`);
      const f = flagged(both, name).find((x) => x.rule === 'per-node-cluster-list');
      assert.ok(f, 'per-node-cluster-list finding');
      assert.equal(f.severity, 'error');
      assert.deepEqual(f.profiles, ['prod-large']);
      assert.ok(f.estimates.find((e) => e.profile === 'prod-large')!.capacityRatio >= 1);
      // At staging alone nothing is flagged.
      const s = analyzeDocument('telemetry-agent.yaml', text, [STAGING]);
      assert.deepEqual(flagged(s, name).map((x) => x.rule), []);
      // And at prod-large alone it is.
      assert.ok(flagged(analyzeDocument('telemetry-agent.yaml', text, [PROD]), name).some((x) => x.rule === 'per-node-cluster-list'));
    });
  }

  it('points at the declaring line and the kubectl line', () => {
    const r = analyzeDocument('telemetry-agent.yaml', text);
    const lines = text.split('\n');
    const a = r.findings.find((f) => f.rule === 'per-node-cluster-list' && f.workload.name === 'telemetry-agent')!;
    assert.match(lines[a.line - 1], /verb: list, resource: pods, scope: cluster/);
    const b = r.findings.find((f) => f.rule === 'per-node-cluster-list' && f.workload.name === 'telemetry-agent-script')!;
    assert.match(lines[b.line - 1], /kubectl get pods -A/);
    const roll = r.findings.find((f) => f.rule === 'daemonset-rollout-unthrottled')!;
    assert.match(lines[roll.line - 1], /maxUnavailable: 100%/);
    assert.ok(r.findings.some((f) => f.rule === 'list-from-etcd' && f.workload.name === 'telemetry-agent'));
    assert.ok(r.findings.some((f) => f.rule === 'no-own-flowschema' && f.workload.name === 'telemetry-agent'));
  });

  it('both copies give the same estimates', () => {
    const r = analyzeDocument('telemetry-agent.yaml', text);
    assert.deepEqual(report(r, 'telemetry-agent').estimates, report(r, 'telemetry-agent-script').estimates);
  });

  it("agrees with the simulator's offered load within 20% at 20 and 5,000 nodes", function () {
    this.timeout(60_000);
    const r = analyzeDocument('telemetry-agent.yaml', text);
    for (const name of ['telemetry-agent', 'telemetry-agent-script']) {
      const w = report(r, name);
      // The same calls, deployed as a DaemonSet by a scenario built here.
      const calls = w.calls.map((c) => `        - {verb: ${c.verb}, resource: ${c.resource}, scope: ${c.scope}, interval: ${c.intervalSeconds}s${c.resourceVersion !== undefined ? `, resourceVersion: "${c.resourceVersion}"` : ''}${c.encoding ? `, encoding: ${c.encoding}` : ''}}`).join('\n');
      const scenario = parseScenario(`name: analyzer-agreement
duration: 10m
clusters:
  - {name: staging, nodes: ${STAGING.nodes}, podsPerNode: ${STAGING.podsPerNode}}
  - {name: prod-large, nodes: ${PROD.nodes}, podsPerNode: ${PROD.podsPerNode}}
events:
  - at: 0s
    action: deploy
    clusters: '*'
    workload:
      name: ${name}
      namespace: monitoring
      kind: DaemonSet
      serviceAccount: telemetry-agent
      rollout: 2m
      calls:
${calls}
`);
      const sim = new Simulation(scenario);
      for (let t = 0; t < 180; t++) sim.step(1); // past the 2-minute rollout
      for (const p of [STAGING, PROD]) {
        const snap = sim.cluster(p.name)!.snapshot();
        assert.equal(snap.workloadPods[`monitoring/${name}`], p.nodes, 'rollout complete');
        const load = snap.workloadLoad[`monitoring/${name}`];
        assert.ok(load, `workloadLoad of monitoring/${name} at ${p.name}`);
        const est = w.estimates.find((e) => e.profile === p.name)!;
        for (const k of ['requestsPerSecond', 'objectsPerSecond', 'bytesPerSecond'] as const) {
          const ratio = est[k] / load[k];
          assert.ok(ratio > 0.8 && ratio < 1.2, `${name} ${p.name} ${k}: analyzer ${est[k]} vs simulator ${load[k]}`);
        }
      }
    }
  });

  it('a cluster-wide pod watch from every node: analyzer steady estimate and simulator steady load agree within 5%', function () {
    this.timeout(60_000);
    // Each agent watches every pod in the cluster (an informer without a node filter).
    const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: pod-watcher
  namespace: monitoring
  annotations:
    breakglass.dev/api-calls: |
      - {verb: watch, resource: pods, scope: cluster, resourceVersion: "0"}
spec:
  selector: {matchLabels: {app: pod-watcher}}
  template:
    metadata: {labels: {app: pod-watcher}}
    spec:
      serviceAccountName: pod-watcher
      containers: [{name: agent, image: registry.example.com/pod-watcher:1.0}]
`;
    const w = report(analyzeDocument('pod-watcher.yaml', manifest), 'pod-watcher');
    assert.deepEqual(w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope} ${c.intervalSeconds}`), ['watch pods cluster 0']);
    const scenario = (withWorkload: boolean) =>
      parseScenario(`name: watch-agreement
duration: 70m
clusters:
  - {name: staging, nodes: ${STAGING.nodes}, podsPerNode: ${STAGING.podsPerNode}}
  - {name: prod-large, nodes: ${PROD.nodes}, podsPerNode: ${PROD.podsPerNode}}
events:${
        withWorkload
          ? `
  - at: 0s
    action: deploy
    clusters: '*'
    workload:
      name: pod-watcher
      namespace: monitoring
      kind: DaemonSet
      serviceAccount: pod-watcher
      rollout: 1h
      calls:
        - {verb: watch, resource: pods, scope: cluster, interval: 0s, resourceVersion: "0"}`
          : ' []'
      }
`);
    const runs = [scenario(true), scenario(false)].map((s) => {
      const sim = new Simulation(s);
      // A rollout slow enough not to overload the big cluster (a 2-minute one does: each agent's
      // initial LIST of 150,000 pods, as the start-up estimate says), then ten minutes of steady state.
      for (let t = 0; t < 70 * 60; t++) sim.step(1);
      return sim;
    });
    for (const p of [STAGING, PROD]) {
      const [on, off] = runs.map((sim) => sim.cluster(p.name)!.snapshot());
      assert.equal(on.workloadPods['monitoring/pod-watcher'], p.nodes, 'rollout complete');
      const est = w.estimates.find((e) => e.profile === p.name)!;
      // The simulator's steady CPU with the workload less without it: the watches' share.
      const simCpu = on.apiserver.cpuCoresInUse - off.apiserver.cpuCoresInUse;
      assert.ok(est.cpu > 0 && Math.abs(est.cpu / simCpu - 1) < 0.05, `${p.name} CPU: analyzer ${est.cpu} cores vs simulator ${simCpu}`);
      const load = on.workloadLoad['monitoring/pod-watcher'];
      for (const k of ['requestsPerSecond', 'bytesPerSecond'] as const) assert.ok(Math.abs(est[k] / load[k] - 1) < 0.05, `${p.name} ${k}: analyzer ${est[k]} vs simulator ${load[k]}`);
      const events = estimate(steadyUsage('pod-watcher', 'perNode', w.calls, p, w.priorityLevel), p).eventsPerSecond;
      assert.ok(events > 0 && Math.abs(events / load.eventsPerSecond! - 1) < 0.05, `${p.name} events/s: analyzer ${events} vs simulator ${load.eventsPerSecond}`);
    }
  });

  it('the node-scoped variant is orders of magnitude cheaper and not flagged', () => {
    const wide = analyzeDocument('telemetry-agent.yaml', text);
    const node = analyzeDocument('telemetry-agent-node-scoped.yaml', fixture('telemetry-agent-node-scoped.yaml'));
    for (const name of ['telemetry-agent-node', 'telemetry-agent-node-script']) {
      const w = report(node, name);
      assert.ok(w.calls.every((c) => c.scope === 'node'), `${name} calls are node-scoped`);
      assert.deepEqual(flagged(node, name), []);
      const cheap = w.estimates.find((e) => e.profile === 'prod-large')!;
      const dear = report(wide, 'telemetry-agent').estimates.find((e) => e.profile === 'prod-large')!;
      assert.ok(dear.capacityRatio / cheap.capacityRatio > 1000, `${dear.capacityRatio} vs ${cheap.capacityRatio}`);
      assert.ok(dear.objectsPerSecond / cheap.objectsPerSecond > 1000);
    }
  });

  it('a finding fix for an undeclared DaemonSet is a valid annotation', () => {
    const text2 = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: mystery
  namespace: ops
spec:
  template:
    spec:
      serviceAccountName: mystery
      containers:
        - name: c
          image: example.com/mystery:1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: mystery}
roleRef: {kind: ClusterRole, name: mystery, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: ServiceAccount, name: mystery, namespace: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mystery}
rules:
  - apiGroups: [""]
    resources: [pods, nodes, endpoints]
    verbs: [list, watch]
`;
    const r = analyzeDocument('mystery.yaml', text2);
    const f = r.findings.find((x) => x.rule === 'rbac-undeclared');
    assert.ok(f, 'rbac-undeclared');
    // RBAC reach alone is an upper bound: reported, never a warning by itself.
    assert.equal(f.severity, 'info');
    assert.deepEqual(f.profiles, []);
    assert.match(f.message, /may list\/watch pods, nodes, endpoints cluster-wide, and nothing here says what it does with that\. At most .* if every grant were used cluster-wide by every pod \(one per node\)\./);
    assert.equal(text2.split('\n')[f.line - 1].trim(), 'serviceAccountName: mystery');
    assert.ok(f.fix && f.fix.kind === 'insert-annotation');
    // Declaring what it does (node-scoped pods from the cache) clears it.
    const declared = text2.replace('  namespace: ops\nspec:', `  namespace: ops\n  annotations:\n    ${renderApiCallsAnnotation([{ verb: 'watch', resource: 'pods', scope: 'node', intervalSeconds: 0, resourceVersion: '0' }], '      ').replace('|\n', '|\n')}\nspec:`);
    const r2 = analyzeDocument('mystery.yaml', declared);
    assert.deepEqual(r2.notes.filter((n) => n.severity === 'error'), []);
    assert.equal(report(r2, 'mystery').source, 'annotation');
    assert.deepEqual(flagged(r2), []);
  });
});

describe('analysis: evidence, strongest first', () => {
  const mystery = (env: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: drainer
  namespace: ops
spec:
  template:
    spec:
      serviceAccountName: drainer
      containers:
        - name: c
          image: example.com/drainer:1
${env}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: drainer}
roleRef: {kind: ClusterRole, name: drainer, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: ServiceAccount, name: drainer, namespace: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: drainer}
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [list, watch]
`;

  it('RBAC reach alone never flags, at any size', () => {
    const r = analyzeDocument('d.yaml', mystery(''), [PROD]);
    assert.deepEqual(flagged(r), []);
    const f = r.findings.find((x) => x.rule === 'rbac-undeclared');
    assert.ok(f && f.severity === 'info' && /At most/.test(f.message));
  });

  it("its node's name handed to the container narrows the upper bound, and says so", () => {
    const env = `          env:
            - name: NODE_NAME
              valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
`;
    const wide = analyzeDocument('d.yaml', mystery(''), [PROD]).findings.find((x) => x.rule === 'rbac-undeclared');
    const r = analyzeDocument('d.yaml', mystery(env), [PROD]);
    const f = r.findings.find((x) => x.rule === 'rbac-undeclared');
    assert.ok(wide && f);
    assert.match(f.message, /c is given its node's name \(NODE_NAME from spec\.nodeName\), a sign that it reads only its own node: then at most/);
    assert.ok(f.evidence.some((e) => e.source === 'hint' && e.line === 14));
    assert.deepEqual(flagged(r), []);
  });

  it('a recognised agent with a part whose usage is unknown is not said to leave its grant unused', () => {
    // An OpenTelemetry collector whose only receiver is not one the recogniser knows.
    const text = mystery('').replace('example.com/drainer:1', 'otel/opentelemetry-collector-contrib:0.100.0').replace('      containers:', '      volumes: [{name: cfg, configMap: {name: otel}}]\n      containers:').replace('          image: otel', '          volumeMounts: [{name: cfg, mountPath: /conf}]\n          image: otel') +
      `---
apiVersion: v1
kind: ConfigMap
metadata: {name: otel, namespace: ops}
data:
  config.yaml: |
    receivers:
      someday_receiver: {}
    exporters:
      debug: {}
    service:
      pipelines:
        logs: {receivers: [someday_receiver], exporters: [debug]}
`;
    const r = analyzeDocument('o.yaml', text, [PROD]);
    const u = report(r, 'drainer');
    assert.equal(u.source, 'agent');
    const broader = r.findings.filter((x) => x.rule === 'rbac-broader-than-usage');
    const unknown = r.findings.find((x) => x.rule === 'rbac-undeclared');
    assert.deepEqual(broader, [], 'the grant is not called unused');
    assert.ok(unknown && /someday_receiver/.test(unknown.message) && /whose API usage is not known here/.test(unknown.message), unknown?.message);
    assert.ok(r.notes.some((n) => /someday_receiver.*not modelled/.test(n.message)), 'the report names the unmodelled part');
  });
});

describe('analysis: the public manifest corpus', () => {
  before(function () {
    if (!existsSync(CORPUS)) throw new Error(`${CORPUS} is missing: CI copies shared/ beside the repository; the corpus tests need shared/corpus/manifests`);
  });

  const verdicts: Record<string, { flagged: Record<string, string[]>; clean: string[] }> = {
    'otel-agent-k8sattributes-no-node-filter.yaml': { flagged: { 'otel-collector': ['per-node-cluster-list'] }, clean: [] },
    'otel-agent-k8sattributes-node-filter.yaml': { flagged: {}, clean: ['default-splunk-otel-collector-agent'] },
    'promtail.yaml': { flagged: { promtail: ['per-node-cluster-list'] }, clean: [] },
    'fluent-bit-aws-apiserver.yaml': { flagged: { 'fluent-bit-compatible': ['node-local-source'] }, clean: [] },
    'fluent-bit-aws-use-kubelet.yaml': { flagged: {}, clean: ['fluent-bit'] },
    'datadog-agent-only.yaml': { flagged: { datadog: ['per-node-cluster-list', 'fanout-proxy', 'list-from-etcd'] }, clean: [] },
    'calico-typha.yaml': { flagged: {}, clean: ['calico-node', 'calico-typha', 'calico-kube-controllers'] },
    'kube-state-metrics-standard.yaml': { flagged: {}, clean: ['kube-state-metrics'] },
    'node-exporter.yaml': { flagged: {}, clean: ['node-exporter'] },
    'node-problem-detector.yaml': { flagged: {}, clean: ['node-problem-detector'] },
    'cluster-autoscaler-aws.yaml': { flagged: {}, clean: ['cluster-autoscaler'] },
    'filebeat-kubernetes.yaml': { flagged: {}, clean: ['filebeat'] },
    'kube-proxy-windows.yaml': { flagged: {}, clean: ['kube-proxy-windows'] },
  };

  for (const [file, v] of Object.entries(verdicts)) {
    it(`${file}: ${Object.keys(v.flagged).length ? `flags ${Object.entries(v.flagged).map(([w, r]) => `${w} (${r.join(', ')})`).join('; ')}` : 'nothing flagged'}`, () => {
      const r = analyzeDocument(file, corpus(file));
      assert.deepEqual(r.notes.filter((n) => n.code === 'yaml'), [], 'parses cleanly');
      for (const [name, rules] of Object.entries(v.flagged)) {
        const got = flagged(r, name).map((f) => f.rule);
        for (const rule of rules) assert.ok(got.includes(rule), `${name} flagged by ${rule} (got ${got.join(', ') || 'nothing'})`);
        // flagged because of the largest profile, not staging
        assert.ok(flagged(r, name).some((f) => f.profiles.includes('prod-large')));
      }
      for (const name of v.clean) {
        report(r, name);
        assert.deepEqual(flagged(r, name).map((f) => `${f.rule}: ${f.message}`), [], `${name} is not flagged`);
      }
    });
  }

  it('otel: the agent with filter.node_from_env_var watches only its node', () => {
    const r = analyzeDocument('f', corpus('otel-agent-k8sattributes-node-filter.yaml'));
    const w = report(r, 'default-splunk-otel-collector-agent');
    assert.equal(w.source, 'agent');
    assert.ok(w.calls.filter((c) => c.resource === 'pods').every((c) => c.scope === 'node'));
    const wide = report(analyzeDocument('f', corpus('otel-agent-k8sattributes-no-node-filter.yaml')), 'otel-collector');
    assert.ok(wide.calls.some((c) => c.resource === 'pods' && c.scope === 'cluster'));
  });

  it('fluent-bit with Use_Kubelet gets only the RBAC note', () => {
    const r = analyzeDocument('f', corpus('fluent-bit-aws-use-kubelet.yaml'));
    assert.deepEqual(r.findings.map((f) => `${f.rule}/${f.severity}`), ['rbac-broader-than-usage/info']);
    assert.deepEqual(report(r, 'fluent-bit').calls, []);
    // The API-server variant: a GET per pod on its node when the fleet starts.
    const api = report(analyzeDocument('f', corpus('fluent-bit-aws-apiserver.yaml')), 'fluent-bit-compatible');
    const start = api.start.find((e) => e.profile === 'prod-large')!;
    assert.equal(Math.round(start.requestsPerSecond * 120), PROD.nodes * PROD.podsPerNode);
  });

  it('calico-node reads through Typha; Typha is undersized for 5,000 nodes (info)', () => {
    const r = analyzeDocument('f', corpus('calico-typha.yaml'));
    assert.deepEqual(report(r, 'calico-node').calls, []);
    const u = r.findings.find((f) => f.rule === 'fanout-undersized');
    assert.ok(u && u.severity === 'info' && /needs 25–50/.test(u.message));
    // Without Typha every Felix watches the datastore itself.
    const noTypha = corpus('calico-typha.yaml').replace('typha_service_name: "calico-typha"', 'typha_service_name: "none"');
    const r2 = analyzeDocument('f', noTypha);
    const rules = flagged(r2, 'calico-node').map((f) => f.rule);
    assert.ok(rules.includes('per-node-cluster-list') && rules.includes('fanout-proxy'), rules.join(', '));
  });

  it('kube-state-metrics: the node-sharded DaemonSet is node-scoped; its etcd start-up LIST is priced', () => {
    const text = corpus('kube-state-metrics-daemonset-sharding.yaml');
    const r = analyzeDocument('f', text);
    const shard = report(r, 'kube-state-metrics-shard');
    assert.deepEqual(shard.calls.map((c) => `${c.verb} ${c.resource} ${c.scope}`), ['watch pods node']);
    assert.ok(!flagged(r, 'kube-state-metrics-shard').some((f) => f.rule === 'per-node-cluster-list'));
    // Without --use-apiserver-cache each shard's initial LIST is a consistent read: every pod from etcd.
    assert.ok(flagged(r, 'kube-state-metrics-shard').some((f) => f.rule === 'list-from-etcd' && f.phase === 'start'));
    const cached = text.replace('- --node=$(NODE_NAME)', '- --node=$(NODE_NAME)\n            - --use-apiserver-cache');
    assert.deepEqual(flagged(analyzeDocument('f', cached), 'kube-state-metrics-shard').filter((f) => f.rule === 'list-from-etcd'), []);
    // The cluster-wide Deployment is one client: fine.
    assert.deepEqual(flagged(r, 'kube-state-metrics').filter((f) => f.rule !== 'no-own-flowschema'), []);
  });

  it('every corpus file analyses without YAML errors, all together too', () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: f, text: corpus(f) }));
    assert.equal(files.length, 14);
    const r = analyze(files);
    assert.deepEqual(r.notes.filter((n) => n.severity === 'error'), []);
    assert.ok(r.workloads.length >= 17, `${r.workloads.length} workloads`);
    for (const f of r.findings) {
      assert.ok(f.line >= 1 && f.line <= files.find((x) => x.path === f.file)!.text.split('\n').length, `${f.file}:${f.line}`);
      assert.ok(f.message.length > 10);
    }
  });
});

describe('analysis: rules on small manifests', () => {
  const ds = (extra: string, containers: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: ops
${extra}spec:
  template:
    spec:
      containers:
${containers}`;

  it('replicated controller without leader election', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ctl
  annotations:
    breakglass.dev/api-calls: '[{"verb":"watch","resource":"pods","scope":"cluster"}, {"verb":"list","resource":"nodes","scope":"cluster","interval":"10s"}]'
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: c
          image: example.com/ctl:1
`;
    const r = analyzeDocument('d.yaml', text);
    assert.ok(r.findings.some((f) => f.rule === 'replicas-without-leader-election'));
    const withLe = text.replace("image: example.com/ctl:1", 'image: example.com/ctl:1\n          args: ["--leader-elect=true"]');
    assert.ok(!analyzeDocument('d.yaml', withLe).findings.some((f) => f.rule === 'replicas-without-leader-election'));
  });

  it('client QPS flags set high on a DaemonSet', () => {
    const r = analyzeDocument('q.yaml', ds('', `        - name: c\n          image: example.com/a:1\n          args: ["--kube-api-qps=100", "--kube-api-burst=200"]\n`));
    const f = r.findings.find((x) => x.rule === 'client-qps-high');
    assert.ok(f);
    assert.match(f.message, /500k req\/s from 5,000 clients/);
  });

  it('a loop without a sleep is an error', () => {
    const r = analyzeDocument('l.yaml', ds('', `        - name: c\n          image: example.com/k:1\n          command: ["sh", "-c", "while true; do kubectl get pods -n x; done"]\n`));
    assert.ok(r.findings.some((f) => f.rule === 'loop-without-sleep' && f.severity === 'error'));
  });

  it('a FlowSchema of its own clears no-own-flowschema and sets the level', () => {
    const base = fixture('telemetry-agent.yaml');
    const fs = `---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: telemetry}
spec:
  priorityLevelConfiguration: {name: telemetry}
  matchingPrecedence: 500
  rules:
    - subjects:
        - kind: ServiceAccount
          serviceAccount: {name: telemetry-agent, namespace: monitoring}
`;
    const r = analyzeDocument('t.yaml', base + fs);
    assert.ok(!r.findings.some((f) => f.rule === 'no-own-flowschema'));
    assert.equal(report(r, 'telemetry-agent').flowSchema, 'telemetry');
  });

  it('an invalid annotation is a finding with its line', () => {
    const text = ds(`  annotations:\n    breakglass.dev/api-calls: |\n      - {verb: list, resource: pods, scope: everywhere}\n`, `        - name: c\n          image: example.com/a:1\n`);
    const r = analyzeDocument('a.yaml', text);
    const f = r.findings.find((x) => x.rule === 'annotation-invalid');
    assert.ok(f);
    assert.match(text.split('\n')[f.line - 1], /scope: everywhere/);
  });

  it('custom profiles are priced', () => {
    const r = analyzeDocument('telemetry-agent.yaml', fixture('telemetry-agent.yaml'), [{ name: 'mid', nodes: 1000, podsPerNode: 50 }]);
    const w = report(r, 'telemetry-agent');
    assert.equal(w.estimates.length, 1);
    assert.equal(w.estimates[0].profile, 'mid');
    assert.equal(w.estimates[0].clients, 1000);
  });
});

describe('analysis: agent configurations', () => {
  const agent = (kind: string, image: string, key: string, config: string, extra = '') => `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: agent
  namespace: obs
spec:
${kind === 'Deployment' ? '  replicas: 1\n' : ''}  template:
    spec:
      containers:
        - name: c
          image: ${image}
${extra}          volumeMounts:
            - {name: config, mountPath: /etc/agent}
      volumes:
        - name: config
          configMap:
            name: agent-config
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: agent-config
  namespace: obs
data:
  ${key}: |
${config
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
  const otelCluster = `receivers:\n  k8s_cluster: {}\n  k8sobjects:\n    objects:\n      - {name: events, mode: watch}\n      - {name: pods, mode: pull, interval: 15m}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    metrics:\n      receivers: [k8s_cluster, k8sobjects]\n      exporters: [debug]`;

  it('OTel k8s_cluster/k8sobjects: fine in one Deployment, flagged in a DaemonSet', () => {
    const dep = analyzeDocument('o.yaml', agent('Deployment', 'otel/opentelemetry-collector-contrib:0.100.0', 'config.yaml', otelCluster));
    const w = report(dep, 'agent');
    assert.ok(w.calls.some((c) => c.resource === 'nodes' && c.verb === 'watch'));
    assert.ok(w.calls.some((c) => c.resource === 'pods' && c.verb === 'list' && c.intervalSeconds === 900));
    assert.deepEqual(flagged(dep), []);
    const ds = analyzeDocument('o.yaml', agent('DaemonSet', 'otel/opentelemetry-collector-contrib:0.100.0', 'config.yaml', otelCluster));
    assert.ok(flagged(ds).some((f) => f.rule === 'per-node-cluster-list' && f.severity === 'error'));
  });

  it('OTel components not used by a pipeline make no calls', () => {
    const unused = otelCluster.replace('receivers: [k8s_cluster, k8sobjects]', 'receivers: [otlp]').replace('receivers:\n', 'receivers:\n  otlp: {}\n');
    const r = analyzeDocument('o.yaml', agent('DaemonSet', 'otel/opentelemetry-collector-contrib:0.100.0', 'config.yaml', unused));
    assert.deepEqual(report(r, 'agent').calls, []);
  });

  it('promtail with a spec.nodeName selector is node-scoped', () => {
    const cfg = `scrape_configs:\n  - job_name: pods\n    kubernetes_sd_configs:\n      - role: pod\n        selectors:\n          - role: pod\n            field: spec.nodeName=$HOSTNAME`;
    const r = analyzeDocument('p.yaml', agent('DaemonSet', 'grafana/promtail:2.9.0', 'promtail.yml', cfg));
    assert.deepEqual(report(r, 'agent').calls.map((c) => `${c.resource} ${c.scope}`), ['pods node']);
    assert.deepEqual(flagged(r), []);
  });

  it('filebeat add_kubernetes_metadata with scope: cluster is flagged', () => {
    const cfg = `processors:\n  - add_kubernetes_metadata:\n      scope: cluster`;
    const r = analyzeDocument('f.yaml', agent('DaemonSet', 'docker.elastic.co/beats/filebeat:8.12.0', 'filebeat.yml', cfg));
    assert.ok(report(r, 'agent').calls.some((c) => c.resource === 'pods' && c.scope === 'cluster'));
    assert.ok(flagged(r).some((f) => f.rule === 'per-node-cluster-list'));
  });

  it('a mounted script run by the container is read', () => {
    const script = '#!/bin/sh\nwhile true; do\n  kubectl get endpoints -A -o json > /tmp/ep.json\n  sleep 20\ndone';
    const text = agent('DaemonSet', 'example.com/tools:1', 'poll.sh', script, '          command: ["/bin/sh", "/etc/agent/poll.sh"]\n');
    const r = analyzeDocument('s.yaml', text);
    const w = report(r, 'agent');
    assert.deepEqual(w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope} ${c.intervalSeconds}`), ['list endpoints cluster 20']);
    assert.match(text.split('\n')[w.calls[0].evidence.line - 1], /kubectl get endpoints -A/);
  });
});
