// What DaemonSets, Deployments and ReplicaSets share: one object per served workload, and the
// pod template they carry.
import type { Layout, Provider, ServedWorkload } from '../layout';
import { rangeSeq, type Seq } from '../seq';
import type { Json, SimObject } from '../simObject';
import { nodeObject } from './nodes';
import type { FieldProblem, WriteRule } from './resource';

/**
 * One object per workload, in namespace order; `nameOf` is its object's name (a ReplicaSet's has
 * the hash). `withApps`: also the Deployment (or its ReplicaSet) of every app namespace
 * (layout.fillerWorkload), one part per namespace, built only when listed or asked for.
 */
export function perWorkloadProvider(layout: Layout, workloads: ServedWorkload[], make: (g: ServedWorkload) => SimObject, nameOf: (g: ServedWorkload) => string = (g) => g.name, withApps = false): Provider {
  const parts = new Map<string, Seq[]>();
  for (const g of workloads) parts.set(g.namespace, [...(parts.get(g.namespace) ?? []), rangeSeq(1, () => make(g))]);
  if (withApps) {
    for (let j = 0; j < layout.appNamespaceCount; j++) {
      if (!layout.fillerCount(j)) continue;
      const ns = layout.appNs[j];
      parts.set(ns, [...(parts.get(ns) ?? []), rangeSeq(1, () => make(layout.fillerWorkload(j)))]);
    }
  }
  return layout.namespacedProvider(parts, (ns, name) => {
    const g = workloads.find((x) => x.namespace === ns && nameOf(x) === name);
    if (g) return make(g);
    const j = withApps ? layout.appIndex.get(ns) : undefined;
    if (j === undefined || !layout.fillerCount(j)) return undefined;
    const app = layout.fillerWorkload(j);
    return nameOf(app) === name ? make(app) : undefined;
  });
}

export function podTemplate(g: ServedWorkload, labels: Record<string, string>): Json {
  return {
    metadata: { creationTimestamp: null, labels },
    spec: {
      containers: [{ name: g.name, image: g.image, resources: { requests: { cpu: '100m', memory: '128Mi' } }, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: g.serviceAccount,
      serviceAccount: g.serviceAccount,
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
}

// ---- writes ----------------------------------------------------------------------------------------

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const path = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), o);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Nodes whose labels match a nodeSelector (every node without one), as the scheduler and the daemon set controller read it. */
export function nodesMatching(layout: Layout, selector: Record<string, string> | undefined): number {
  const want = Object.entries(selector ?? {});
  if (!want.length) return layout.nodeCount;
  let n = 0;
  for (let i = 0; i < layout.nodeCount; i++) {
    const labels = layout.written.view(nodeObject(layout, i)).labels;
    if (want.every(([k, v]) => labels[k] === v)) n++;
  }
  return n;
}

/**
 * Validation kube-apiserver runs on a Deployment or DaemonSet (pkg/apis/apps/validation): a
 * selector that matches the template's labels, containers with a name and an image, replicas ≥ 0;
 * spec.selector is immutable in apps/v1.
 */
function validateWorkload(next: Json, prev: Json | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  const selector = path(next, 'spec', 'selector', 'matchLabels');
  const labels = path(next, 'spec', 'template', 'metadata', 'labels');
  if (!isMap(path(next, 'spec', 'selector'))) out.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
  else if (!isMap(selector) || !Object.keys(selector).length) out.push({ field: 'spec.selector', message: 'Invalid value: "null": empty selector is invalid for deployment' });
  else if (!isMap(labels) || Object.entries(selector).some(([k, v]) => labels[k] !== v)) {
    out.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\`` });
  }
  const containers = path(next, 'spec', 'template', 'spec', 'containers');
  if (!Array.isArray(containers) || !containers.length) out.push({ field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  else
    containers.forEach((c, i) => {
      if (!isMap(c) || typeof c.name !== 'string' || !c.name) out.push({ field: `spec.template.spec.containers[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' });
      if (!isMap(c) || typeof c.image !== 'string' || !c.image) out.push({ field: `spec.template.spec.containers[${i}].image`, message: 'Required value', reason: 'FieldValueRequired' });
    });
  const replicas = path(next, 'spec', 'replicas');
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    out.push({ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` });
  }
  if (prev && !same(path(prev, 'spec', 'selector'), path(next, 'spec', 'selector'))) {
    out.push({ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(path(next, 'spec', 'selector'))}: field is immutable` });
  }
  return out;
}

/** Sets `o[k]` when it is absent. */
function def(o: Json, k: string, v: unknown): void {
  if (o[k] === undefined) o[k] = v;
}

/**
 * kube-apiserver's defaults for a pod template (pkg/apis/core/v1/defaults.go: SetDefaults_PodSpec,
 * SetDefaults_Container, SetDefaults_ContainerPort): what `get -o yaml` shows that nobody wrote.
 */
export function defaultPodTemplate(template: unknown): void {
  if (!isMap(template)) return;
  def(template, 'metadata', {});
  const spec = template.spec;
  if (!isMap(spec)) return;
  def(spec, 'restartPolicy', 'Always');
  def(spec, 'terminationGracePeriodSeconds', 30);
  def(spec, 'dnsPolicy', 'ClusterFirst');
  def(spec, 'securityContext', {});
  def(spec, 'schedulerName', 'default-scheduler');
  if (typeof spec.serviceAccountName === 'string') def(spec, 'serviceAccount', spec.serviceAccountName);
  for (const c of [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])]) {
    if (!isMap(c)) continue;
    def(c, 'terminationMessagePath', '/dev/termination-log');
    def(c, 'terminationMessagePolicy', 'File');
    // Always for an image without a tag or tagged :latest (SetDefaults_Container).
    const image = String(c.image ?? '');
    const tag = image.includes('@') ? 'digest' : /:[^/]+$/.exec(image)?.[0].slice(1);
    def(c, 'imagePullPolicy', !tag || tag === 'latest' ? 'Always' : 'IfNotPresent');
    def(c, 'resources', {});
    if (Array.isArray(c.ports)) for (const p of c.ports) if (isMap(p)) def(p, 'protocol', 'TCP');
  }
}

/** SetDefaults_Deployment / SetDefaults_DaemonSet (pkg/apis/apps/v1/defaults.go). */
function defaultWorkload(kind: 'DaemonSet' | 'Deployment', o: Json): void {
  const spec = o.spec;
  if (!isMap(spec)) return;
  defaultPodTemplate(spec.template);
  def(spec, 'revisionHistoryLimit', 10);
  if (kind === 'Deployment') {
    def(spec, 'replicas', 1);
    def(spec, 'progressDeadlineSeconds', 600);
    def(spec, 'strategy', {});
    const st = spec.strategy as Json;
    def(st, 'type', 'RollingUpdate');
    if (st.type === 'RollingUpdate') {
      def(st, 'rollingUpdate', {});
      def(st.rollingUpdate as Json, 'maxUnavailable', '25%');
      def(st.rollingUpdate as Json, 'maxSurge', '25%');
    }
  } else {
    def(spec, 'updateStrategy', {});
    const st = spec.updateStrategy as Json;
    def(st, 'type', 'RollingUpdate');
    if (st.type === 'RollingUpdate') {
      def(st, 'rollingUpdate', {});
      def(st.rollingUpdate as Json, 'maxUnavailable', 1);
      def(st.rollingUpdate as Json, 'maxSurge', 0);
    }
  }
}

/** A DaemonSet's or Deployment's writes: stored, and handed to the model (its pod count, image). */
export function workloadWriteRule(kind: 'DaemonSet' | 'Deployment'): WriteRule {
  return {
    create: true,
    defaults: (o) => defaultWorkload(kind, o),
    revisions: true,
    validate: (next, prev) => validateWorkload(next, prev),
    apply(ctx, next, prev) {
      if (ctx.system) {
        // kube-proxy, coredns: the cluster's own; the write is kept, and a Deployment's replicas count.
        if (kind === 'Deployment' && prev && path(prev, 'spec', 'replicas') !== path(next, 'spec', 'replicas')) ctx.scaleSystem(Number(path(next, 'spec', 'replicas') ?? 1));
        return undefined;
      }
      const meta = next.metadata as Json;
      const template = path(next, 'spec', 'template', 'spec') as Json;
      const containers = (template.containers as Json[]) ?? [];
      const selector = path(next, 'spec', 'template', 'spec', 'nodeSelector') as Record<string, string> | undefined;
      const pods = kind === 'DaemonSet' ? nodesMatching(ctx.layout, selector) : Number(path(next, 'spec', 'replicas') ?? 1);
      const changes: string[] = [];
      if (!prev) changes.push('created');
      if (prev && !same(path(prev, 'spec', 'template', 'spec', 'nodeSelector'), selector)) {
        changes.push(`nodeSelector ${selector && Object.keys(selector).length ? Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',') : 'removed'}: ${pods} of ${ctx.layout.nodeCount} nodes`);
      }
      if (prev && kind === 'Deployment' && path(prev, 'spec', 'replicas') !== path(next, 'spec', 'replicas')) changes.push(`replicas ${String(path(prev, 'spec', 'replicas'))} → ${pods}`);
      if (prev && !changes.length && !same(path(prev, 'spec', 'template'), path(next, 'spec', 'template'))) changes.push('pod template changed');
      const ok = ctx.cluster.applyWorkload({
        namespace: String(meta.namespace),
        name: String(meta.name),
        kind,
        pods,
        image: String(containers[0]?.image ?? ''),
        labels: (path(next, 'spec', 'selector', 'matchLabels') as Record<string, string>) ?? {},
        serviceAccount: String(template.serviceAccountName ?? template.serviceAccount ?? 'default'),
        change: changes.join('; ') || 'metadata changed',
      });
      return ok ? undefined : `the simulated cluster refused the change (a ${kind} of that name is still being removed)`;
    },
  };
}
