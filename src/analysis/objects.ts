// The Kubernetes objects the analyzer reasons about, extracted from read manifests: workloads
// with their containers, mounted ConfigMaps and update strategy; ServiceAccounts and RBAC;
// FlowSchemas and PriorityLevelConfigurations.
import { isObject, type ManifestObject, type WorkloadKind } from './read';

export interface EnvVar {
  name: string;
  value?: string;
  fieldPath?: string;
  configMapKeyRef?: { name: string; key: string };
  line: number;
}

export interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  init: boolean;
  line: number;
  /** Line of `command:` / `args:` items, for evidence. */
  commandLine: number;
  argLines: number[];
  commandLines: number[];
}

export interface ConfigMapRef {
  name: string;
  line: number;
  via: 'volume' | 'envFrom' | 'env';
}

export interface Annotation {
  key: string;
  value: string;
  line: number;
  on: 'workload' | 'template';
}

export interface Workload {
  obj: ManifestObject;
  kind: WorkloadKind;
  name: string;
  namespace: string;
  file: string;
  line: number;
  /** One client per node (DaemonSet), or this many replicas. */
  clients: number | 'perNode';
  annotations: Annotation[];
  containers: Container[];
  serviceAccount: string;
  serviceAccountLine: number;
  configMaps: ConfigMapRef[];
  updateStrategy?: { type: string; maxUnavailable?: string | number; maxSurge?: string | number; line: number };
  /** CronJob schedule. */
  schedule?: string;
  nodeSelector: Record<string, string>;
  hostNetwork: boolean;
  /** Line where a `spec:` of the pod template starts (for inserting fields). */
  podSpecLine: number;
  /** Line of metadata.annotations (or metadata) of the workload, where an annotation goes. */
  annotationsLine: number;
  annotationsIndent: number;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export interface RoleObj {
  obj: ManifestObject;
  cluster: boolean;
  name: string;
  namespace?: string;
  rules: PolicyRule[];
  aggregated: boolean;
}

export interface BindingObj {
  obj: ManifestObject;
  cluster: boolean;
  name: string;
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: { kind: string; name: string; namespace?: string }[];
}

export interface FlowSchemaObj {
  obj: ManifestObject;
  name: string;
  priorityLevel: string;
  precedence: number;
  subjects: { kind: string; name: string; namespace?: string }[];
}

export interface PriorityLevelObj {
  obj: ManifestObject;
  name: string;
  shares?: number;
  exempt: boolean;
}

export interface ConfigMapObj {
  obj: ManifestObject;
  name: string;
  namespace: string;
}

/**
 * What the analysis needs of the objects read. Apart from ConfigMaps (read when a workload mounts
 * them), the objects kept here are detached from their parsed body: their `body()` is undefined
 * and `lineOf` gives the object's own line; what the analysis uses was extracted when they were added.
 */
export interface Inventory {
  workloads: Workload[];
  serviceAccounts: Map<string, ManifestObject>;
  roles: Map<string, RoleObj>;
  bindings: BindingObj[];
  /** The bindings again, by the ServiceAccounts and Groups they name. */
  bindingIndex: BindingIndex;
  flowSchemas: FlowSchemaObj[];
  /** The FlowSchemas again, by the subjects they name. */
  flowSchemaIndex: FlowSchemaIndex;
  priorityLevels: Map<string, PriorityLevelObj>;
  configMaps: Map<string, ConfigMapObj[]>;
}

/**
 * Values listed under keys (a key is a list of parts), looked up in the order they were added.
 * `examined` counts the values the look-ups went through: what grows with the input (for tests).
 */
class KeyedLists<T> {
  private readonly lists = new Map<string, T[]>();
  private readonly order = new Map<T, number>();
  examined = 0;

  /** Adds `v` under each key (once per key). */
  add(v: T, keys: string[][]): void {
    this.order.set(v, this.order.size);
    for (const k of keys) {
      const key = k.join('\u0000');
      const l = this.lists.get(key);
      if (!l) this.lists.set(key, [v]);
      else if (l[l.length - 1] !== v) l.push(v);
    }
  }

  /** The values under any of the keys, each once, in the order they were added. */
  find(keys: string[][]): T[] {
    const found = new Set<T>();
    for (const k of keys) {
      for (const v of this.lists.get(k.join('\u0000')) ?? []) {
        this.examined++;
        found.add(v);
      }
    }
    return [...found].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}

const scopeKey = (cluster: boolean, namespace = '') => (cluster ? 'cluster' : `ns:${namespace}`);

/**
 * RBAC bindings by the workloads they can apply to: a binding is listed under each ServiceAccount
 * and Group it names, and under its scope (cluster-wide, or the namespace of a RoleBinding). A
 * workload's bindings are then a few map look-ups, whatever the number of bindings in the files.
 */
export class BindingIndex {
  private readonly lists = new KeyedLists<BindingObj>();

  /** Bindings looked at by `forWorkload` so far (for tests). */
  get examined(): number {
    return this.lists.examined;
  }

  add(b: BindingObj): void {
    const scope = scopeKey(b.cluster, b.namespace ?? 'default');
    const keys: string[][] = [];
    for (const s of b.subjects) {
      if (s.kind === 'ServiceAccount') keys.push(['sa', scope, s.namespace ?? b.namespace ?? 'default', s.name]);
      else if (s.kind === 'Group') keys.push(['group', scope, s.name]);
    }
    this.lists.add(b, keys);
  }

  /**
   * The bindings that apply to a workload running as `serviceAccount` in `namespace`, in the order
   * they were added: those naming the account or a group it is in (system:serviceaccounts,
   * system:serviceaccounts:<namespace>, system:authenticated), cluster-wide or in its namespace.
   */
  forWorkload(namespace: string, serviceAccount: string): BindingObj[] {
    const keys: string[][] = [];
    for (const scope of [scopeKey(true), scopeKey(false, namespace)]) {
      keys.push(['sa', scope, namespace, serviceAccount]);
      for (const g of ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']) keys.push(['group', scope, g]);
    }
    return this.lists.find(keys);
  }
}

/** FlowSchemas by the ServiceAccounts and namespaces' service-account groups they name. */
export class FlowSchemaIndex {
  private readonly lists = new KeyedLists<FlowSchemaObj>();

  /** FlowSchemas looked at by `forWorkload` so far (for tests). */
  get examined(): number {
    return this.lists.examined;
  }

  add(f: FlowSchemaObj): void {
    const keys: string[][] = [];
    for (const s of f.subjects) {
      // A ServiceAccount subject without a namespace matches that name in every namespace.
      if (s.kind === 'ServiceAccount') keys.push(['sa', s.namespace === undefined ? 'any' : `ns:${s.namespace}`, s.name]);
      else if (s.kind === 'Group') keys.push(['group', s.name]);
    }
    this.lists.add(f, keys);
  }

  /** The FlowSchema that takes a workload's requests: of those naming its account (or `*`) or its namespace's group, the lowest matchingPrecedence, the first of equals. */
  forWorkload(namespace: string, serviceAccount: string): FlowSchemaObj | undefined {
    const keys = [['group', `system:serviceaccounts:${namespace}`]];
    for (const ns of [`ns:${namespace}`, 'any']) for (const name of [serviceAccount, '*']) keys.push(['sa', ns, name]);
    const matches = this.lists.find(keys);
    matches.sort((a, b) => a.precedence - b.precedence);
    return matches[0];
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const strs = (v: unknown): string[] => arr(v).map(str).filter((x): x is string => x !== undefined);

export const roleKey = (cluster: boolean, name: string, namespace?: string) => (cluster ? `ClusterRole/${name}` : `Role/${namespace ?? 'default'}/${name}`);
export const saKey = (namespace: string, name: string) => `${namespace}/${name}`;

export function emptyInventory(): Inventory {
  return {
    workloads: [],
    serviceAccounts: new Map(),
    roles: new Map(),
    bindings: [],
    bindingIndex: new BindingIndex(),
    flowSchemas: [],
    flowSchemaIndex: new FlowSchemaIndex(),
    priorityLevels: new Map(),
    configMaps: new Map(),
  };
}

/** The object without its parsed body: what the inventory keeps once the analysis has what it needs. */
function detached(o: ManifestObject): ManifestObject {
  const { file, kind, apiVersion, name, namespace, line, index, skipped } = o;
  return { file, kind, apiVersion, name, namespace, line, index, skipped, body: () => undefined, lineOf: () => line };
}

/** Adds one object to the inventory. */
export function addObject(inv: Inventory, o: ManifestObject): void {
  if (o.skipped) return;
  switch (o.kind) {
    case 'DaemonSet':
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'Job':
    case 'CronJob':
    case 'Pod': {
      const w = workloadOf(o);
      if (w) inv.workloads.push(w);
      return;
    }
    case 'ServiceAccount':
      inv.serviceAccounts.set(saKey(o.namespace ?? 'default', o.name), detached(o));
      return;
    case 'Role':
    case 'ClusterRole': {
      const b = o.body() ?? {};
      const cluster = o.kind === 'ClusterRole';
      inv.roles.set(roleKey(cluster, o.name, o.namespace), {
        obj: detached(o),
        cluster,
        name: o.name,
        namespace: o.namespace,
        aggregated: isObject(b.aggregationRule),
        rules: arr(b.rules).map((r) => {
          const x = obj(r);
          return { apiGroups: strs(x.apiGroups), resources: strs(x.resources), verbs: strs(x.verbs), resourceNames: strs(x.resourceNames), nonResourceURLs: strs(x.nonResourceURLs) };
        }),
      });
      return;
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const b = o.body() ?? {};
      const ref = obj(b.roleRef);
      const binding: BindingObj = {
        obj: detached(o),
        cluster: o.kind === 'ClusterRoleBinding',
        name: o.name,
        namespace: o.namespace,
        roleRef: { kind: str(ref.kind) ?? 'ClusterRole', name: str(ref.name) ?? '' },
        subjects: arr(b.subjects).map((s) => {
          const x = obj(s);
          return { kind: str(x.kind) ?? '', name: str(x.name) ?? '', namespace: str(x.namespace) };
        }),
      };
      inv.bindings.push(binding);
      inv.bindingIndex.add(binding);
      return;
    }
    case 'FlowSchema': {
      const spec = obj(o.body()?.spec);
      const subjects: FlowSchemaObj['subjects'] = [];
      for (const r of arr(spec.rules)) {
        for (const s of arr(obj(r).subjects)) {
          const x = obj(s);
          const kind = str(x.kind) ?? '';
          if (kind === 'ServiceAccount') {
            const sa = obj(x.serviceAccount);
            subjects.push({ kind, name: str(sa.name) ?? '', namespace: str(sa.namespace) });
          } else if (kind === 'Group') subjects.push({ kind, name: str(obj(x.group).name) ?? '' });
          else if (kind === 'User') subjects.push({ kind, name: str(obj(x.user).name) ?? '' });
        }
      }
      const fs: FlowSchemaObj = {
        obj: detached(o),
        name: o.name,
        priorityLevel: str(obj(spec.priorityLevelConfiguration).name) ?? '',
        precedence: typeof spec.matchingPrecedence === 'number' ? spec.matchingPrecedence : 1000,
        subjects,
      };
      inv.flowSchemas.push(fs);
      inv.flowSchemaIndex.add(fs);
      return;
    }
    case 'PriorityLevelConfiguration': {
      const spec = obj(o.body()?.spec);
      const limited = obj(spec.limited);
      const shares = limited.nominalConcurrencyShares ?? limited.assuredConcurrencyShares;
      inv.priorityLevels.set(o.name, { obj: detached(o), name: o.name, shares: typeof shares === 'number' ? shares : undefined, exempt: spec.type === 'Exempt' });
      return;
    }
    case 'ConfigMap': {
      const ns = o.namespace ?? 'default';
      const list = inv.configMaps.get(o.name) ?? [];
      list.push({ obj: o, name: o.name, namespace: ns });
      inv.configMaps.set(o.name, list);
      return;
    }
  }
}

export function configMapData(c: ConfigMapObj): Record<string, string> {
  const data = obj(c.obj.body()?.data);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    const s = str(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** The pod template of a workload kind, and the metadata that carries its annotations. */
function templateOf(kind: WorkloadKind, body: Record<string, unknown>): { meta: Record<string, unknown>; spec: Record<string, unknown>; specParent: Record<string, unknown> } | undefined {
  if (kind === 'Pod') return { meta: obj(body.metadata), spec: obj(body.spec), specParent: body };
  let spec = obj(body.spec);
  if (kind === 'CronJob') spec = obj(obj(spec.jobTemplate).spec);
  const t = spec.template;
  if (!isObject(t)) return undefined;
  return { meta: obj(t.metadata), spec: obj(t.spec), specParent: t };
}

function workloadOf(o: ManifestObject): Workload | undefined {
  const body = o.body();
  if (!body) return undefined;
  const kind = o.kind as WorkloadKind;
  const t = templateOf(kind, body);
  const spec = obj(body.spec);
  const podSpec = t?.spec ?? {};
  const annotations: Annotation[] = [];
  const meta = obj(body.metadata);
  const annObj = obj(meta.annotations);
  for (const [k, v] of Object.entries(annObj)) annotations.push({ key: k, value: str(v) ?? '', line: o.lineOf(annObj, k), on: 'workload' });
  if (t && kind !== 'Pod') {
    const ta = obj(t.meta.annotations);
    for (const [k, v] of Object.entries(ta)) annotations.push({ key: k, value: str(v) ?? '', line: o.lineOf(ta, k), on: 'template' });
  }
  const containers: Container[] = [];
  // The parsed containers, read here and not kept (the workload holds only what was extracted).
  const raws: Record<string, unknown>[] = [];
  const addContainers = (list: unknown, init: boolean) => {
    const items = arr(list);
    items.forEach((c, i) => {
      const x = obj(c);
      const env: EnvVar[] = [];
      const envList = arr(x.env);
      envList.forEach((e, j) => {
        const ev = obj(e);
        const vf = obj(ev.valueFrom);
        const cmr = obj(vf.configMapKeyRef);
        env.push({
          name: str(ev.name) ?? '',
          value: str(ev.value),
          fieldPath: str(obj(vf.fieldRef).fieldPath),
          configMapKeyRef: isObject(vf.configMapKeyRef) ? { name: str(cmr.name) ?? '', key: str(cmr.key) ?? '' } : undefined,
          line: o.lineOf(envList, j),
        });
      });
      const command = arr(x.command).map((v) => str(v) ?? '');
      const args = arr(x.args).map((v) => str(v) ?? '');
      containers.push({
        name: str(x.name) ?? `#${i}`,
        image: str(x.image) ?? '',
        command,
        args,
        env,
        init,
        line: o.lineOf(items, i),
        commandLine: o.lineOf(x, x.command !== undefined ? 'command' : x.args !== undefined ? 'args' : undefined),
        commandLines: command.map((_, k) => o.lineOf(x.command, k)),
        argLines: args.map((_, k) => o.lineOf(x.args, k)),
      });
      raws.push(x);
    });
  };
  addContainers(podSpec.containers, false);
  addContainers(podSpec.initContainers, true);
  const configMaps: ConfigMapRef[] = [];
  const vols = arr(podSpec.volumes);
  vols.forEach((v, i) => {
    const x = obj(v);
    if (isObject(x.configMap)) configMaps.push({ name: str(x.configMap.name) ?? '', line: o.lineOf(vols, i), via: 'volume' });
    if (isObject(x.projected)) {
      for (const s of arr(x.projected.sources)) {
        const cm = obj(s).configMap;
        if (isObject(cm)) configMaps.push({ name: str(cm.name) ?? '', line: o.lineOf(vols, i), via: 'volume' });
      }
    }
  });
  containers.forEach((c, i) => {
    for (const e of arr(raws[i].envFrom)) {
      const r = obj(e).configMapRef;
      if (isObject(r)) configMaps.push({ name: str(r.name) ?? '', line: c.line, via: 'envFrom' });
    }
    for (const e of c.env) if (e.configMapKeyRef) configMaps.push({ name: e.configMapKeyRef.name, line: e.line, via: 'env' });
  });
  let clients: number | 'perNode' = 1;
  if (kind === 'DaemonSet') clients = 'perNode';
  else if (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet') clients = typeof spec.replicas === 'number' ? Math.max(0, spec.replicas) : 1;
  else if (kind === 'Job') clients = typeof spec.parallelism === 'number' ? Math.max(0, spec.parallelism) : 1;
  else if (kind === 'CronJob') {
    const js = obj(obj(spec.jobTemplate).spec);
    clients = typeof js.parallelism === 'number' ? Math.max(0, js.parallelism) : 1;
  }
  let updateStrategy: Workload['updateStrategy'];
  const us = kind === 'Deployment' ? spec.strategy : spec.updateStrategy;
  if (isObject(us)) {
    const ru = obj(us.rollingUpdate);
    updateStrategy = {
      type: str(us.type) ?? 'RollingUpdate',
      maxUnavailable: typeof ru.maxUnavailable === 'number' || typeof ru.maxUnavailable === 'string' ? ru.maxUnavailable : undefined,
      maxSurge: typeof ru.maxSurge === 'number' || typeof ru.maxSurge === 'string' ? ru.maxSurge : undefined,
      line: o.lineOf(isObject(us.rollingUpdate) ? us.rollingUpdate : us, isObject(us.rollingUpdate) ? (ru.maxUnavailable !== undefined ? 'maxUnavailable' : ru.maxSurge !== undefined ? 'maxSurge' : undefined) : undefined),
    };
  }
  const sa = str(podSpec.serviceAccountName) ?? str(podSpec.serviceAccount) ?? 'default';
  const nodeSelector: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(podSpec.nodeSelector))) nodeSelector[k] = str(v) ?? '';
  const annotationsLine = isObject(meta.annotations) ? o.lineOf(meta, 'annotations') : isObject(body.metadata) ? o.lineOf(body, 'metadata') : o.line;
  return {
    obj: detached(o),
    kind,
    name: o.name,
    namespace: o.namespace ?? 'default',
    file: o.file,
    line: o.line,
    clients,
    annotations,
    containers,
    serviceAccount: sa,
    serviceAccountLine: o.lineOf(podSpec, podSpec.serviceAccountName !== undefined ? 'serviceAccountName' : podSpec.serviceAccount !== undefined ? 'serviceAccount' : undefined),
    configMaps,
    updateStrategy,
    schedule: kind === 'CronJob' ? str(spec.schedule) : undefined,
    nodeSelector,
    hostNetwork: podSpec.hostNetwork === true,
    podSpecLine: t ? o.lineOf(t.specParent, 'spec') : o.line,
    annotationsLine,
    annotationsIndent: 2,
  };
}
