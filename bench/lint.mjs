// Benchmarks of the manifest load analyzer, printed as JSON lines:
//   1. `breakglass lint` on a generated corpus of 20,000 Kubernetes documents, side by side with
//      parsing the same files with `yaml` alone (parseAllDocuments + toJS); goal ratio ≤ 1.5.
//      Three corpora: a realistic mix (apps: Deployment, Service, ServiceAccount, ConfigMap, HPA,
//      PDB, NetworkPolicy, RBAC; agents: DaemonSets with their configs), RBAC everywhere (every
//      workload with its own ServiceAccount, ClusterRole and ClusterRoleBinding, plus ConfigMaps)
//      and a worst case where every document is a workload. Each run is a fresh child process that
//      reports its own wall time and peak RSS (lint and yaml alternate, medians of the rounds);
//      goal for lint: ≤ 500 MB peak.
//   2. Re-analysis of a 5,000-line file after a one-line edit (the editor, on each keystroke);
//      goal median ≤ 15 ms.
//   3. @monokle/validation 0.33 on the same realistic corpus, if installed in MONOKLE_DIR
//      (default /tmp/monokle: `npm install @monokle/validation@0.33.0` there, not in the project);
//      goal: ours ≥ 5× faster.
// usage: node bench/lint.mjs [--docs 20000] [--rounds 5] [--only realistic|rbac|workloads|keystrokes] [--per-file 200] [--keep]
//   (--keep leaves the generated corpora in the temporary directory and prints where)
//   (child mode, used by the above: --child lint|yaml --dir DIR)
import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { docs: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' }, only: { type: 'string' }, 'per-file': { type: 'string', default: '200' }, keep: { type: 'boolean' }, child: { type: 'string' }, dir: { type: 'string' } } });
const DOCS = Number(values.docs);
const ROUNDS = Number(values.rounds);
const require = createRequire(join(ROOT, 'package.json'));
const YAML = require('yaml');

// The analyzer and the CLI, bundled as the CLI bundles them.
const lib = join(ROOT, 'out/bench/lint-lib.cjs');
if (!values.child) {
  buildSync({
    stdin: {
      contents: "export { lintCommand } from './src/cli/lint'; export { analyzeDocument } from './src/analysis/analyze'; export { ReadCache } from './src/analysis/read';",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: lib,
    packages: 'external',
    logLevel: 'warning',
  });
}
const { lintCommand, analyzeDocument, ReadCache } = require(lib);

// ---- corpus -----------------------------------------------------------------------------------

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const deployment = (i, ns, app) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: shop
    app.kubernetes.io/version: "1.${i % 10}.0"
spec:
  replicas: ${1 + (i % 5)}
  selector:
    matchLabels:
      app: ${app}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 0, maxSurge: 25%}
  template:
    metadata:
      labels:
        app: ${app}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: ${app}
      securityContext:
        runAsNonRoot: true
        fsGroup: 2000
      containers:
        - name: app
          image: registry.example.com/${app}:1.${i % 10}.0
          args: ["--port=8080", "--log-level=info", "--config=/etc/app/app.properties"]
          ports:
            - containerPort: 8080
              name: http
            - containerPort: 9090
              name: metrics
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: LOG_FORMAT
              value: json
          envFrom:
            - configMapRef:
                name: ${app}-env
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          readinessProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: 10
          livenessProbe:
            httpGet: {path: /live, port: http}
            initialDelaySeconds: 15
          volumeMounts:
            - name: config
              mountPath: /etc/app
      volumes:
        - name: config
          configMap:
            name: ${app}-config
`;
const service = (ns, app) => `apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app: ${app}
spec:
  selector:
    app: ${app}
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: 9090
      targetPort: metrics
`;
const serviceAccount = (ns, app) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${app}
  namespace: ${ns}
`;
const configMap = (ns, name, i) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  app.properties: |
    server.port=8080
    feature.flags=a,b,c
    cache.ttl=${30 + (i % 60)}s
    db.pool.size=${5 + (i % 20)}
  LOG_LEVEL: info
`;
const hpa = (ns, app) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${app}
  minReplicas: 2
  maxReplicas: 20
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`;
const pdb = (ns, app) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: ${app}
`;
const netpol = (ns, app) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      app: ${app}
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ingress
      ports:
        - port: 8080
`;
const role = (ns, app) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${app}
  namespace: ${ns}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: ["get", "list", "watch"]
`;
const roleBinding = (ns, app) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${app}
  namespace: ${ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${app}
subjects:
  - kind: ServiceAccount
    name: ${app}
    namespace: ${ns}
`;
const clusterRole = (app, i) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${app}
rules:
  - apiGroups: [""]
    resources: [${i % 3 === 0 ? '"pods", "nodes"' : '"configmaps"'}]
    verbs: ["get", "list", "watch"]
`;
const clusterRoleBinding = (ns, app) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${app}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ${app}
subjects:
  - kind: ServiceAccount
    name: ${app}
    namespace: ${ns}
`;
const agent = (i, ns) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent-${i}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: agent-${i}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        app: agent-${i}
    spec:
      serviceAccountName: agent-${i}
      containers:
        - name: collector
          image: otel/opentelemetry-collector-contrib:0.${90 + (i % 20)}.0
          env:
            - name: K8S_NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          volumeMounts:
            - name: config
              mountPath: /etc/otelcol-contrib
      volumes:
        - name: config
          configMap:
            name: agent-${i}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: agent-${i}
  namespace: ${ns}
data:
  config.yaml: |
    receivers:
      otlp:
        protocols:
          grpc: {}
    processors:
      k8sattributes:
${i % 2 ? '        filter:\n          node_from_env_var: K8S_NODE_NAME\n' : ''}        extract:
          metadata: [k8s.pod.name, k8s.namespace.name]
    exporters:
      debug: {}
    service:
      pipelines:
        traces:
          receivers: [otlp]
          processors: [k8sattributes]
          exporters: [debug]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: agent-${i}
rules:
  - apiGroups: [""]
    resources: ["pods", "namespaces"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: agent-${i}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: agent-${i}
subjects:
  - kind: ServiceAccount
    name: agent-${i}
    namespace: ${ns}
`;

/** Documents of a realistic mix: apps of 5–9 documents, an agent every 40 apps. */
function realistic(n, seed = 1) {
  const r = rng(seed);
  const docs = [];
  for (let i = 0; docs.length < n; i++) {
    const ns = `team-${i % 97}`;
    const app = `app-${i}`;
    if (i % 40 === 39) {
      docs.push(...agent(i, ns).split('---\n'));
      continue;
    }
    docs.push(deployment(i, ns, app), service(ns, app), serviceAccount(ns, app), configMap(ns, `${app}-config`, i), configMap(ns, `${app}-env`, i + 1));
    if (r() < 0.7) docs.push(hpa(ns, app));
    if (r() < 0.7) docs.push(pdb(ns, app));
    if (r() < 0.5) docs.push(netpol(ns, app));
    if (r() < 0.2) docs.push(role(ns, app), roleBinding(ns, app));
  }
  return docs.slice(0, n);
}

/** RBAC everywhere: each app a Deployment with its own ServiceAccount, ClusterRole and
 *  ClusterRoleBinding; every other app also has the ConfigMap it mounts. */
function rbacEverywhere(n) {
  const docs = [];
  for (let i = 0; docs.length < n; i++) {
    const ns = `team-${i % 97}`;
    const app = `app-${i}`;
    docs.push(deployment(i, ns, app), serviceAccount(ns, app), clusterRole(app, i), clusterRoleBinding(ns, app));
    if (i % 2 === 0) docs.push(configMap(ns, `${app}-config`, i));
  }
  return docs.slice(0, n);
}

/** Worst case: every document is a workload the analyzer reads in full. */
function workloadsOnly(n) {
  const docs = [];
  for (let i = 0; docs.length < n; i++) docs.push(deployment(i, `team-${i % 97}`, `app-${i}`));
  return docs;
}

function writeCorpus(docs, perFile = Number(values['per-file'])) {
  const dir = mkdtempSync(join(tmpdir(), 'bg-lint-bench-'));
  let bytes = 0;
  let lines = 0;
  for (let f = 0; f * perFile < docs.length; f++) {
    const text = docs.slice(f * perFile, (f + 1) * perFile).join('---\n');
    bytes += text.length;
    lines += text.split('\n').length;
    writeFileSync(join(dir, `part-${String(f).padStart(4, '0')}.yaml`), text);
  }
  return { dir, bytes, lines, files: Math.ceil(docs.length / perFile) };
}

// ---- measurements -------------------------------------------------------------------------------

const sink = { write: () => true };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function runLint(dir) {
  const t = performance.now();
  const code = await lintCommand([dir, '--format', 'json', '--fail-on', 'never'], { out: sink, err: sink });
  if (code !== 0) throw new Error(`lint exited ${code}`);
  return performance.now() - t;
}

function runYaml(dir) {
  const t = performance.now();
  let n = 0;
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const lc = new YAML.LineCounter();
    for (const d of YAML.parseAllDocuments(text, { lineCounter: lc })) {
      d.toJS();
      n++;
    }
  }
  if (!n) throw new Error('no documents');
  return performance.now() - t;
}

/** One measured run in a fresh process: { ms, maxRssMB }. */
function child(what, dir) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', what, '--dir', dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

async function sideBySide(name, corpus, extra = {}) {
  const lint = [];
  const yaml = [];
  for (let i = 0; i < ROUNDS; i++) {
    lint.push(child('lint', corpus.dir));
    yaml.push(child('yaml', corpus.dir));
  }
  const ratios = lint.map((x, i) => x.ms / yaml[i].ms);
  const out = {
    bench: `lint vs yaml: ${name}`,
    docs: DOCS,
    ...extra,
    files: corpus.files,
    lines: corpus.lines,
    megabytes: +(corpus.bytes / 2 ** 20).toFixed(1),
    rounds: ROUNDS,
    lintMs: Math.round(median(lint.map((x) => x.ms))),
    yamlMs: Math.round(median(yaml.map((x) => x.ms))),
    ratio: +median(ratios).toFixed(2),
    ratioMin: +Math.min(...ratios).toFixed(2),
    ratioMax: +Math.max(...ratios).toFixed(2),
    goalRatio: 1.5,
    lintPeakMB: Math.round(median(lint.map((x) => x.maxRssMB))),
    yamlPeakMB: Math.round(median(yaml.map((x) => x.maxRssMB))),
    goalPeakMB: 500,
  };
  console.log(JSON.stringify(out));
  return out;
}

function keystrokes() {
  const shared = resolve(ROOT, '../shared/corpus/manifests');
  const parts = existsSync(shared)
    ? readdirSync(shared).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(shared, f), 'utf8'))
    : realistic(300).map((d) => d);
  let text = '';
  while (text.split('\n').length < 5000) text += `${parts.join('\n---\n')}\n---\n`;
  text = text.split('\n').slice(0, 5000).join('\n');
  const cache = new ReadCache();
  let t = performance.now();
  const first = analyzeDocument('big.yaml', text, undefined, { cache });
  const coldMs = performance.now() - t;
  const times = [];
  const r = rng(7);
  let lines = text.split('\n');
  for (let i = 0; i < 300; i++) {
    // type one character at the end of a random line (a value, a comment or a script line)
    const li = Math.floor(r() * lines.length);
    lines[li] += i % 2 ? 'x' : '';
    const edited = lines.join('\n');
    t = performance.now();
    analyzeDocument('big.yaml', edited, undefined, { cache });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const out = {
    bench: 'analyzeDocument after a one-line edit (5,000-line file, 300 edits)',
    source: existsSync(shared) ? 'the 14 corpus manifests, repeated' : 'generated',
    workloads: first.workloads.length,
    goalMedianMs: 15,
    medianMs: +times[150].toFixed(2),
    p90Ms: +times[270].toFixed(2),
    maxMs: +times[299].toFixed(2),
    coldMs: +coldMs.toFixed(1),
  };
  console.log(JSON.stringify(out));
}

async function monokle(corpus, ours) {
  const dir = process.env.MONOKLE_DIR ?? '/tmp/monokle';
  const entry = join(dir, 'node_modules/@monokle/validation/lib/node.js');
  if (!existsSync(entry)) {
    console.log(JSON.stringify({ bench: '@monokle/validation', skipped: `not installed in ${dir} (npm install @monokle/validation@0.33.0 there)` }));
    return;
  }
  const m = await import(pathToFileURL(entry).href);
  const mYaml = createRequire(join(dir, 'package.json'))('yaml');
  // Offline plugins only: kubernetes-schema fetches schemas and open-policy-agent its policy
  // WebAssembly from the network at preload; without network they validate nothing.
  const plugins = { 'yaml-syntax': true, 'resource-links': true, practices: true, 'pod-security-standards': true, metadata: true };
  const once = async () => {
    const t = performance.now();
    const resources = [];
    for (const f of readdirSync(corpus.dir).sort()) {
      const text = readFileSync(join(corpus.dir, f), 'utf8');
      const lc = new mYaml.LineCounter();
      let i = 0;
      for (const d of mYaml.parseAllDocuments(text, { lineCounter: lc })) {
        const content = d.toJS();
        if (!content || !content.kind) continue;
        const [start, , end] = d.range;
        resources.push({ id: `${f}#${i}`, fileId: f, filePath: f, fileOffset: lc.linePos(start).line - 1, name: content.metadata?.name ?? '', apiVersion: content.apiVersion ?? '', kind: content.kind, namespace: content.metadata?.namespace, content, text: text.slice(start, end) });
        i++;
      }
    }
    const v = m.createDefaultMonokleValidator();
    await v.preload({ plugins });
    const res = await v.validate({ resources });
    return { ms: performance.now() - t, results: res.runs.reduce((n, r) => n + r.results.length, 0), resources: resources.length };
  };
  const runs = [];
  for (let i = 0; i < Math.min(3, ROUNDS); i++) runs.push(await once());
  const ms = median(runs.map((r) => r.ms));
  console.log(
    JSON.stringify({
      bench: '@monokle/validation 0.33 vs lint: realistic mix',
      plugins: Object.keys(plugins),
      resources: runs[0].resources,
      results: runs[0].results,
      runs: runs.length,
      monokleMs: Math.round(ms),
      lintMs: ours.lintMs,
      speedup: +(ms / ours.lintMs).toFixed(1),
      goalSpeedup: 5,
    }),
  );
}

// Child mode: one measured run in this fresh process; prints its wall time and peak RSS.
if (values.child) {
  const ms = values.child === 'lint' ? await runLint(values.dir) : runYaml(values.dir);
  console.log(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

console.log(JSON.stringify({ date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}` }));
const want = (k) => !values.only || values.only === k;
const real = want('realistic') ? writeCorpus(realistic(DOCS)) : undefined;
const rbac = want('rbac') ? writeCorpus(rbacEverywhere(DOCS)) : undefined;
const worst = want('workloads') ? writeCorpus(workloadsOnly(DOCS)) : undefined;
try {
  let ours;
  if (want('realistic')) ours = await sideBySide('realistic mix', real);
  if (rbac) await sideBySide('RBAC for every workload', rbac, { workloads: rbacEverywhere(DOCS).filter((d) => d.includes('kind: Deployment')).length });
  if (worst) await sideBySide('workloads only (worst case)', worst);
  if (want('keystrokes')) keystrokes();
  if (!values.only) {
    await monokle(real, ours);
  }
} finally {
  for (const c of [real, rbac, worst]) {
    if (c && values.keep) console.log(JSON.stringify({ kept: c.dir }));
    else if (c) rmSync(c.dir, { recursive: true, force: true });
  }
}
