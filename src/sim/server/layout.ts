// Who lives where in a simulated cluster, at one resourceVersion.
//
// A Layout is an immutable description of the cluster: the spec (nodes, pods per node,
// namespaces, services), the workloads the model runs, and the status the model reports (ready
// nodes, running pods per workload). Every object is derived from its index by the resource that
// serves it (resources/), so listing a page of 500 pods of a 300,000-pod cluster builds 500 pods
// and nothing else, and getting one pod decodes its name instead of searching.
//
// Who lives where:
//   nodes        node-00001 … node-N (NotReady ones last)
//   namespaces   default, kube-node-lease, kube-public, kube-system, app-001 … (filler), and the
//                namespaces of the model's workloads
//   pods         per node: one per DaemonSet (kube-proxy and the model's DaemonSets), plus
//                podsPerNode-1 filler application pods spread over the app namespaces; the
//                replicas of Deployments (coredns and the model's) on top, placed round-robin
//   services     default/kubernetes, kube-system/kube-dns, the rest spread over app namespaces,
//                each with its Endpoints and one EndpointSlice
//   leases       kube-node-lease/<node> for every node; leader election and apiserver
//                identity leases in kube-system
import type { ClusterSpec } from '../types';
import { WorkloadPodNames, simNodeName } from '../podNames';
import { ClusterHistory } from './history';
import { Written } from './written';
import { SuffixCodec, fnv32, hashChars, pad, stableUid } from './names';
import { CLUSTER_BORN, KUBE_VERSION, type Clock, type Json, type SimObject } from './simObject';
import { EMPTY, arraySeq, concat, type ConcatSeq, type Seq } from './seq';
import type { Rollout } from './rollouts';

/** A workload as the server sees it: the model's, or one of the cluster's own (kube-proxy, coredns). */
export interface WorkloadInfo {
  namespace: string;
  name: string;
  kind: 'DaemonSet' | 'Deployment';
  replicas: number;
  image: string;
  labels: Record<string, string>;
  serviceAccount: string;
  createdAt: number;
  /** Part of the cluster (kube-proxy, coredns) rather than of the model. */
  system: boolean;
  /** A DaemonSet: the nodes its nodeSelector matches (absent: every node). */
  nodes?: number;
}

/** A workload placed in the layout: its pods, their names, and what the model says of them. */
export interface ServedWorkload extends WorkloadInfo {
  key: string;
  /** Pods it has (a DaemonSet: one per node). */
  pods: number;
  /** Of those, Running (the rest Pending). */
  running: number;
  generation: number;
  /** resourceVersion of its last change. */
  rv: number;
  /** controller-revision-hash / pod-template-hash. */
  hash: string;
  podLabels: Record<string, string>;
  codec: SuffixCodec;
  names: WorkloadPodNames;
  /** Deployments: node of replica 0. */
  firstNode: number;
  uid: string;
  /**
   * The Deployment of app namespace `filler` (its filler pods): served by the cluster itself, not
   * the model; its pods are placed and named as filler pods, never through `names`.
   */
  filler?: number;
}

export interface LayoutInput {
  spec: ClusterSpec;
  workloads: WorkloadInfo[];
  /** Running pods per workload key (ns/name); absent: all running. */
  running: Record<string, number>;
  nodesReady: number;
  apiReplicasReady: number;
  /** Namespaces that exist besides the system, app and workload ones (a namespace outlives its workloads). */
  extraNamespaces?: string[];
  /** Carried from the previous layout: generation and resourceVersion of each workload. */
  previous?: Layout;
  /** What the server has seen over time (lease renewals, events); shared by successive layouts. */
  history?: ClusterHistory;
  /** What clients wrote over the computed objects; shared by successive layouts. */
  written?: Written;
  /** Pods the controllers created (replacements of deleted ones), by `ns/name`; shared by successive layouts. */
  extraPods?: Map<string, SimObject>;
  /** Rolling updates in progress or done, by workload key (ns/name); shared by successive layouts. */
  rollouts?: Map<string, Rollout>;
  baseRv: number;
}

/** The objects of one resource in a layout. */
export interface Provider {
  readonly all: ConcatSeq;
  inNamespace(ns: string): Seq;
  get(ns: string | undefined, name: string): SimObject | undefined;
  /** Simulated time from which what it serves changes with time alone (a new pod's first metrics scrape): it is built again then. */
  until?: number;
}

/** When the app namespaces' Deployments were created: a day after the cluster, before any of their pods. */
export const FILLER_BORN = CLUSTER_BORN + 86400 - 600;

export const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
const APP_NAMES = ['web', 'api', 'worker', 'frontend', 'backend', 'cart', 'checkout', 'search', 'auth', 'billing', 'payments', 'catalog', 'orders', 'inventory', 'notify', 'reports'];

/** kube-proxy, and coredns scaled as cluster-proportional-autoscaler does by default (1 per 16 nodes, at least 2). */
export function systemWorkloads(spec: ClusterSpec): WorkloadInfo[] {
  const dns = Math.max(2, Math.ceil(spec.nodes / 16));
  return [
    { namespace: 'kube-system', name: 'kube-proxy', kind: 'DaemonSet', replicas: 0, image: `registry.k8s.io/kube-proxy:${KUBE_VERSION}`, labels: { 'k8s-app': 'kube-proxy' }, serviceAccount: 'kube-proxy', createdAt: CLUSTER_BORN, system: true },
    { namespace: 'kube-system', name: 'coredns', kind: 'Deployment', replicas: dns, image: 'registry.k8s.io/coredns/coredns:v1.11.3', labels: { 'k8s-app': 'kube-dns' }, serviceAccount: 'coredns', createdAt: CLUSTER_BORN, system: true },
  ];
}

let namespaceListCache: { key: string; list: string[] } | undefined;

export class Layout {
  readonly spec: ClusterSpec;
  readonly nodeCount: number;
  /** Filler (application) pods per node: podsPerNode less the kube-proxy pod. */
  readonly fillerPerNode: number;
  /** Filler (application) namespaces app-001 …. */
  readonly appNamespaceCount: number;
  /** Filler pods in all (filler pod g is on node g / fillerPerNode, in app namespace g % appNamespaceCount). */
  readonly fillerTotal: number;
  readonly appNs: string[];
  readonly appIndex = new Map<string, number>();
  readonly workloads = new Map<string, ServedWorkload>();
  readonly daemonSets: ServedWorkload[];
  readonly deployments: ServedWorkload[];
  readonly workloadsByNamespace = new Map<string, ServedWorkload[]>();
  readonly namespaces: string[];
  private readonly extraNamespaceSet: Set<string>;
  readonly nodesReady: number;
  readonly apiReplicasReady: number;
  readonly baseRv: number;
  readonly history: ClusterHistory;
  readonly written: Written;
  readonly extraPods: Map<string, SimObject>;
  readonly rollouts: Map<string, Rollout>;
  /** Services in app namespaces (all but default/kubernetes and kube-system/kube-dns). */
  readonly appServices: number;
  readonly fillerCodec: SuffixCodec;
  /** Providers built so far, by resource (most layouts serve a few resources). */
  readonly providers = new Map<string, Provider>();
  private readonly fillerApps: Array<{ app: string; hash: string }> = [];
  private readonly fillerWorkloads: ServedWorkload[] = [];
  /** resourceVersion of each app namespace's Deployment since it last changed; shared by successive layouts. */
  readonly fillerRv: number[];
  private readonly nodeWidth: number;

  constructor(input: LayoutInput, readonly clock: Clock) {
    const spec = (this.spec = { ...input.spec }); // the model may change its spec in place (nodes scaled)
    this.nodeCount = Math.max(0, Math.floor(spec.nodes));
    this.fillerPerNode = Math.max(0, Math.floor(spec.podsPerNode) - 1);
    this.appNamespaceCount = Math.max(1, Math.floor(spec.namespaces) - SYSTEM_NAMESPACES.length);
    this.fillerTotal = this.nodeCount * this.fillerPerNode;
    this.nodeWidth = Math.max(5, String(this.nodeCount).length);
    this.nodesReady = Math.max(0, Math.min(this.nodeCount, Math.floor(input.nodesReady)));
    this.apiReplicasReady = input.apiReplicasReady;
    this.baseRv = input.baseRv;
    this.history = input.history ?? input.previous?.history ?? new ClusterHistory();
    this.written = input.written ?? input.previous?.written ?? new Written();
    this.extraPods = input.extraPods ?? input.previous?.extraPods ?? new Map();
    this.rollouts = input.rollouts ?? input.previous?.rollouts ?? new Map();
    this.fillerCodec = new SuffixCodec('filler', this.fillerTotal);
    this.fillerRv = input.previous?.fillerRv ?? [];
    this.appServices = Math.max(0, Math.floor(spec.services) - 2);
    const w = Math.max(3, String(this.appNamespaceCount).length);
    this.appNs = Array.from({ length: this.appNamespaceCount }, (_, j) => `app-${pad(j + 1, w)}`);
    this.appNs.forEach((ns, j) => this.appIndex.set(ns, j));

    for (const wl of input.workloads) {
      const key = `${wl.namespace}/${wl.name}`;
      if (this.workloads.has(key)) continue;
      const run = input.running[key];
      // A DaemonSet has a pod on every node its nodeSelector matches, and keeps those of the
      // other nodes until they are gone (terminating).
      const pods =
        wl.kind === 'DaemonSet'
          ? wl.nodes === undefined
            ? this.nodeCount
            : Math.min(this.nodeCount, Math.max(Math.floor(wl.nodes), run === undefined ? 0 : Math.ceil(run)))
          : Math.max(0, Math.floor(wl.replicas));
      const prev = input.previous?.workloads.get(key);
      const samePrev = prev && prev.createdAt === wl.createdAt && prev.kind === wl.kind ? prev : undefined;
      const names = new WorkloadPodNames(wl);
      // A rolled workload's current template is its rollout's (rollouts.ts), whatever the image.
      const hash = this.rollouts.get(key)?.to ?? names.hash;
      this.workloads.set(key, {
        ...wl,
        key,
        pods,
        running: Math.max(0, Math.min(pods, run === undefined ? pods : Math.floor(run))),
        generation: samePrev ? samePrev.generation + (samePrev.pods !== pods && wl.kind === 'Deployment' ? 1 : 0) : 1,
        rv: samePrev?.rv ?? input.baseRv,
        hash,
        podLabels: wl.kind === 'DaemonSet' ? { ...wl.labels, 'controller-revision-hash': hash, 'pod-template-generation': String(this.rollouts.get(key)?.toGeneration ?? 1) } : { ...wl.labels, 'pod-template-hash': hash },
        codec: names.codec,
        names,
        firstNode: this.nodeCount ? fnv32(key) % this.nodeCount : 0,
        uid: stableUid(`${wl.kind}/${key}/${wl.createdAt}`),
      });
    }
    const sorted = [...this.workloads.values()].sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
    this.daemonSets = sorted.filter((g) => g.kind === 'DaemonSet');
    this.deployments = sorted.filter((g) => g.kind === 'Deployment');
    for (const g of sorted) {
      const list = this.workloadsByNamespace.get(g.namespace) ?? [];
      list.push(g);
      this.workloadsByNamespace.set(g.namespace, list);
    }

    const extra = [...new Set([...(input.extraNamespaces ?? []), ...sorted.map((g) => g.namespace)])].filter((ns) => !SYSTEM_NAMESPACES.includes(ns) && !this.appIndex.has(ns)).sort();
    const nsKey = `${this.appNamespaceCount}|${extra.join(',')}`;
    if (namespaceListCache?.key !== nsKey) namespaceListCache = { key: nsKey, list: [...SYSTEM_NAMESPACES, ...this.appNs, ...extra].sort() };
    this.namespaces = namespaceListCache.list;
    this.extraNamespaceSet = new Set(extra);
  }

  hasNamespace(ns: string): boolean {
    return SYSTEM_NAMESPACES.includes(ns) || this.appIndex.has(ns) || this.extraNamespaceSet.has(ns);
  }

  // --- nodes ----------------------------------------------------------------------------------------

  nodeName(i: number): string {
    return simNodeName(i, this.nodeCount);
  }

  /** Index of a node name, or -1. */
  nodeIndex(name: string): number {
    const m = /^node-(\d+)$/.exec(name);
    if (!m || m[1].length !== this.nodeWidth) return -1;
    const i = Number(m[1]) - 1;
    return i >= 0 && i < this.nodeCount ? i : -1;
  }

  nodeReady(i: number): boolean {
    return i < this.nodesReady;
  }

  nodeCreated(i: number): number {
    return CLUSTER_BORN + (fnv32(`node${i}`) % 3600);
  }

  nodeIP(i: number): string {
    const m = i + 10;
    return `10.1.${(m >> 8) & 255}.${m & 255}`;
  }

  podIP(node: number, ordinal: number): string {
    return `10.${64 + ((node >> 8) & 63)}.${node & 255}.${2 + (ordinal % 250)}`;
  }

  // --- filler applications --------------------------------------------------------------------------

  /** The application of app namespace j (its pods' and services' name, its pod-template-hash). */
  fillerApp(j: number): { app: string; hash: string } {
    return (this.fillerApps[j] ??= { app: APP_NAMES[j % APP_NAMES.length], hash: hashChars(`filler/${this.appNs[j]}`, 10) });
  }

  /** Filler pods in app namespace j: filler pods j, j + appNamespaceCount, j + 2 × appNamespaceCount, …. */
  fillerCount(j: number): number {
    return j < this.fillerTotal ? Math.floor((this.fillerTotal - 1 - j) / this.appNamespaceCount) + 1 : 0;
  }

  /** Filler pods of app namespace j among filler pods 0 … total-1. */
  private fillerBelow(total: number, j: number): number {
    return j < total ? Math.floor((total - 1 - j) / this.appNamespaceCount) + 1 : 0;
  }

  /** The image of app namespace j's pods (one per Deployment: its pod template has one). */
  fillerImage(j: number): string {
    return `registry.example.com/${this.fillerApp(j).app}:1.${j % 7}.${j % 3}`;
  }

  /**
   * The Deployment that owns app namespace j's filler pods (through its ReplicaSet
   * `<app>-<hash>`): replicas its filler pods, ready those on Ready nodes (a pod on a NotReady
   * node is not Ready, pods.ts). Built on first use; a layout of 500 app namespaces that nobody
   * asks about builds none.
   */
  fillerWorkload(j: number): ServedWorkload {
    const had = this.fillerWorkloads[j];
    if (had) return had;
    const { app } = this.fillerApp(j);
    const namespace = this.appNs[j];
    const key = `${namespace}/${app}`;
    const hash = this.rollouts.get(key)?.to ?? this.fillerApp(j).hash;
    const pods = this.fillerCount(j);
    const info: WorkloadInfo = { namespace, name: app, kind: 'Deployment', replicas: pods, image: this.rollouts.get(key)?.toImage ?? this.fillerImage(j), labels: { app }, serviceAccount: 'default', createdAt: FILLER_BORN, system: true };
    const w: ServedWorkload = {
      ...info,
      key,
      pods,
      running: this.fillerBelow(this.nodesReady * this.fillerPerNode, j),
      generation: 1,
      rv: this.fillerRv[j] ?? this.baseRv - 3,
      hash,
      podLabels: { app, 'pod-template-hash': hash },
      codec: this.fillerCodec,
      names: new WorkloadPodNames(info),
      firstNode: 0,
      uid: stableUid(`Deployment/${key}/${FILLER_BORN}`),
      filler: j,
    };
    this.fillerWorkloads[j] = w;
    return w;
  }

  /** The app namespace Deployment of that namespace and name, if there is one. */
  fillerWorkloadNamed(ns: string, name: string): ServedWorkload | undefined {
    const j = this.appIndex.get(ns);
    return j !== undefined && this.fillerCount(j) > 0 && this.fillerApp(j).app === name ? this.fillerWorkload(j) : undefined;
  }

  /** Node of a workload's pod i: a DaemonSet's pod i is on node i, a Deployment's replicas go round-robin. */
  workloadPodNode(g: ServedWorkload, i: number): number {
    return g.kind === 'DaemonSet' ? i : this.nodeCount ? (g.firstNode + i) % this.nodeCount : 0;
  }

  // --- object helpers -------------------------------------------------------------------------------

  /** ObjectMeta of an object (uid, resourceVersion, creationTimestamp, labels) with extra fields. */
  meta(o: SimObject, extra: Json = {}): Json {
    const m: Json = { name: o.name };
    if (o.namespace !== undefined) m.namespace = o.namespace;
    m.uid = (extra.uid as string | undefined) ?? stableUid(`${o.resource}/${o.namespace ?? ''}/${o.name}/${o.created}`);
    m.resourceVersion = String(o.rv);
    m.creationTimestamp = this.clock.iso(o.created);
    if (Object.keys(o.labels).length) m.labels = o.labels;
    return { ...m, ...extra, uid: m.uid };
  }

  /** A provider of cluster-scoped objects held in a small array. */
  staticProvider(items: SimObject[]): Provider {
    const all = concat([arraySeq(items)]);
    return { all, inNamespace: () => EMPTY, get: (_ns, name) => items.find((o) => o.name === name) };
  }

  /** A provider from per-namespace parts, in namespace order. */
  namespacedProvider(parts: Map<string, Seq[]>, get: (ns: string, name: string) => SimObject | undefined): Provider {
    const all = concat(this.namespaces.flatMap((ns) => parts.get(ns) ?? []));
    const cache = new Map<string, Seq>();
    return {
      all,
      inNamespace: (ns) => {
        let s = cache.get(ns);
        if (!s) {
          s = concat(parts.get(ns) ?? []);
          if (cache.size < 64) cache.set(ns, s);
        }
        return s;
      },
      get: (ns, name) => (ns === undefined ? undefined : get(ns, name)),
    };
  }
}
