// What exists in a simulated cluster, as Kubernetes objects computed on demand.
//
// A Layout is an immutable description of the cluster at one resource version: the spec
// (nodes, pods per node, namespaces, services), the workloads the model runs, and the status the
// model reports (ready nodes, running pods per workload). Every object is derived from its
// index, so listing a page of 500 pods of a 300,000-pod cluster builds 500 pods and nothing
// else, and getting one pod decodes its name instead of searching.
//
// Who lives where:
//   nodes        node-00001 … node-N
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
import { FLOW_SCHEMAS, PRIORITY_LEVELS, apfUid } from './apf';
import { ConcatSeq, EMPTY, arraySeq, concat, rangeSeq, type Seq } from './seq';
import { SuffixCodec, fnv32, hashChars, pad, stableUid } from './names';
import { WorkloadPodNames } from '../podNames';

export type Json = Record<string, unknown>;

export const KUBE_VERSION = 'v1.31.4';
/** Simulated seconds before T+0 at which the cluster itself was created. */
export const CLUSTER_BORN = -30 * 86400;

export interface SimObject {
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Simulated seconds when it was created. */
  readonly created: number;
  /** Its resourceVersion. */
  rv: number;
  /** The value of a selectable field (metadata.name, spec.nodeName, status.phase, …). */
  field(path: string): string | undefined;
  /** The full object as the API returns it. */
  build(): Json;
}

export interface Clock {
  /** Simulated seconds since T+0. */
  now(): number;
  /** RFC 3339 time of a simulated second. */
  iso(t: number): string;
}

class Obj implements SimObject {
  constructor(
    readonly resource: string,
    readonly namespace: string | undefined,
    readonly name: string,
    readonly labels: Record<string, string>,
    readonly created: number,
    public rv: number,
    private readonly fields: (path: string) => string | undefined,
    private readonly builder: (o: Obj) => Json,
  ) {}

  field(path: string): string | undefined {
    if (path === 'metadata.name') return this.name;
    if (path === 'metadata.namespace') return this.namespace;
    return this.fields(path);
  }

  build(): Json {
    return this.builder(this);
  }
}

const noFields = (): undefined => undefined;

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
}

export interface WGroup extends WorkloadInfo {
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
  offset: number;
  uid: string;
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
  baseRv: number;
}

export interface Provider {
  readonly all: ConcatSeq;
  inNamespace(ns: string): Seq;
  get(ns: string | undefined, name: string): SimObject | undefined;
}

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

let nsCache: { key: string; list: string[] } | undefined;

export class Layout {
  readonly spec: ClusterSpec;
  readonly N: number;
  /** Filler pods per node. */
  readonly f: number;
  /** Filler (app) namespaces. */
  readonly F: number;
  /** Filler pods in all. */
  readonly G: number;
  readonly appNs: string[];
  readonly appIndex = new Map<string, number>();
  readonly groups = new Map<string, WGroup>();
  readonly daemonSets: WGroup[];
  readonly deployments: WGroup[];
  readonly namespaces: string[];
  private readonly namespaceSet: Set<string>;
  readonly nodesReady: number;
  readonly apiReplicasReady: number;
  readonly baseRv: number;
  private readonly built = new Map<string, Provider>();
  private readonly fillerApps: Array<{ app: string; hash: string }> = [];
  private readonly nodeWidth: number;
  private readonly fillerCodec: SuffixCodec;
  private readonly appServices: number;
  private readonly byNsGroups = new Map<string, WGroup[]>();

  constructor(input: LayoutInput, readonly clock: Clock) {
    const spec = (this.spec = { ...input.spec }); // the model may change its spec in place (nodes scaled)
    this.N = Math.max(0, Math.floor(spec.nodes));
    this.f = Math.max(0, Math.floor(spec.podsPerNode) - 1);
    this.F = Math.max(1, Math.floor(spec.namespaces) - SYSTEM_NAMESPACES.length);
    this.G = this.N * this.f;
    this.nodeWidth = Math.max(5, String(this.N).length);
    this.nodesReady = Math.max(0, Math.min(this.N, Math.floor(input.nodesReady)));
    this.apiReplicasReady = input.apiReplicasReady;
    this.baseRv = input.baseRv;
    this.fillerCodec = new SuffixCodec('filler', this.G);
    this.appServices = Math.max(0, Math.floor(spec.services) - 2);
    const w = Math.max(3, String(this.F).length);
    this.appNs = Array.from({ length: this.F }, (_, j) => `app-${pad(j + 1, w)}`);
    this.appNs.forEach((ns, j) => this.appIndex.set(ns, j));

    for (const wl of input.workloads) {
      const key = `${wl.namespace}/${wl.name}`;
      if (this.groups.has(key)) continue;
      const pods = wl.kind === 'DaemonSet' ? this.N : Math.max(0, Math.floor(wl.replicas));
      const prev = input.previous?.groups.get(key);
      const samePrev = prev && prev.createdAt === wl.createdAt && prev.kind === wl.kind ? prev : undefined;
      const names = new WorkloadPodNames(wl);
      const hash = names.hash;
      const run = input.running[key];
      const g: WGroup = {
        ...wl,
        key,
        pods,
        running: Math.max(0, Math.min(pods, run === undefined ? pods : Math.floor(run))),
        generation: samePrev ? samePrev.generation + (samePrev.pods !== pods && wl.kind === 'Deployment' ? 1 : 0) : 1,
        rv: samePrev?.rv ?? input.baseRv,
        hash,
        podLabels: wl.kind === 'DaemonSet' ? { ...wl.labels, 'controller-revision-hash': hash, 'pod-template-generation': '1' } : { ...wl.labels, 'pod-template-hash': hash },
        codec: names.codec,
        names,
        offset: this.N ? fnv32(key) % this.N : 0,
        uid: stableUid(`${wl.kind}/${key}/${wl.createdAt}`),
      };
      this.groups.set(key, g);
    }
    const sorted = [...this.groups.values()].sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
    this.daemonSets = sorted.filter((g) => g.kind === 'DaemonSet');
    this.deployments = sorted.filter((g) => g.kind === 'Deployment');
    for (const g of sorted) {
      const list = this.byNsGroups.get(g.namespace) ?? [];
      list.push(g);
      this.byNsGroups.set(g.namespace, list);
    }

    const extra = [...new Set([...(input.extraNamespaces ?? []), ...sorted.map((g) => g.namespace)])].filter((ns) => !SYSTEM_NAMESPACES.includes(ns) && !this.appIndex.has(ns)).sort();
    const nsKey = `${this.F}|${extra.join(',')}`;
    if (nsCache?.key !== nsKey) nsCache = { key: nsKey, list: [...SYSTEM_NAMESPACES, ...this.appNs, ...extra].sort() };
    this.namespaces = nsCache.list;
    this.namespaceSet = new Set(extra);

  }

  /** The objects of a resource (built on first use: most layouts serve a few resources). */
  provider(resource: string): Provider | undefined {
    let p = this.built.get(resource);
    if (p) return p;
    switch (resource) {
      case 'nodes':
        p = this.nodeProvider();
        break;
      case 'namespaces':
        p = this.namespaceProvider();
        break;
      case 'pods':
        p = this.podProvider();
        break;
      case 'services':
      case 'endpoints':
      case 'endpointslices':
        p = this.serviceProvider(resource);
        break;
      case 'daemonsets':
        p = this.workloadProvider(this.daemonSets, (g) => this.daemonSet(g));
        break;
      case 'deployments':
        p = this.workloadProvider(this.deployments, (g) => this.deployment(g));
        break;
      case 'replicasets':
        p = this.workloadProvider(this.deployments, (g) => this.replicaSet(g), (g) => `${g.name}-${g.hash}`);
        break;
      case 'leases':
        p = this.leaseProvider();
        break;
      case 'flowschemas':
        p = this.staticProvider(FLOW_SCHEMAS.map((fs) => this.flowSchema(fs)));
        break;
      case 'prioritylevelconfigurations':
        p = this.staticProvider(PRIORITY_LEVELS.map((pl) => this.priorityLevel(pl)));
        break;
      default:
        return undefined;
    }
    this.built.set(resource, p);
    return p;
  }

  hasNamespace(ns: string): boolean {
    return SYSTEM_NAMESPACES.includes(ns) || this.appIndex.has(ns) || this.namespaceSet.has(ns);
  }

  // --- names and addresses --------------------------------------------------------------------------------

  nodeName(i: number): string {
    return `node-${pad(i + 1, this.nodeWidth)}`;
  }

  /** Index of a node name, or -1. */
  nodeIndex(name: string): number {
    const m = /^node-(\d+)$/.exec(name);
    if (!m || m[1].length !== this.nodeWidth) return -1;
    const i = Number(m[1]) - 1;
    return i >= 0 && i < this.N ? i : -1;
  }

  nodeReady(i: number): boolean {
    return i < this.nodesReady;
  }

  private nodeIP(i: number): string {
    const m = i + 10;
    return `10.1.${(m >> 8) & 255}.${m & 255}`;
  }

  private podIP(node: number, ordinal: number): string {
    return `10.${64 + ((node >> 8) & 63)}.${node & 255}.${2 + (ordinal % 250)}`;
  }

  private meta(o: SimObject, extra: Json = {}): Json {
    const m: Json = { name: o.name };
    if (o.namespace !== undefined) m.namespace = o.namespace;
    m.uid = (extra.uid as string | undefined) ?? stableUid(`${o.resource}/${o.namespace ?? ''}/${o.name}/${o.created}`);
    m.resourceVersion = String(o.rv);
    m.creationTimestamp = this.clock.iso(o.created);
    if (Object.keys(o.labels).length) m.labels = o.labels;
    return { ...m, ...extra, uid: m.uid };
  }

  private staticProvider(items: SimObject[]): Provider {
    const all = concat([arraySeq(items)]);
    return { all, inNamespace: () => EMPTY, get: (_ns, name) => items.find((o) => o.name === name) };
  }

  /** A provider from per-namespace parts, in namespace order. */
  private nsProvider(parts: Map<string, Seq[]>, get: (ns: string, name: string) => SimObject | undefined): Provider {
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

  // --- nodes and namespaces -------------------------------------------------------------------

  private nodeProvider(): Provider {
    const all = concat([rangeSeq(this.N, (i) => this.node(i))]);
    return {
      all,
      inNamespace: () => EMPTY,
      get: (_ns, name) => {
        const i = this.nodeIndex(name);
        return i < 0 ? undefined : this.node(i);
      },
    };
  }

  nodeCreated(i: number): number {
    return CLUSTER_BORN + (fnv32(`node${i}`) % 3600);
  }

  node(i: number): SimObject {
    const name = this.nodeName(i);
    const zone = `zone-${'abc'[i % 3]}`;
    const labels = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'm5.4xlarge',
      'topology.kubernetes.io/region': 'sim-1',
      'topology.kubernetes.io/zone': zone,
    };
    const ready = this.nodeReady(i);
    return new Obj('nodes', undefined, name, labels, this.nodeCreated(i), this.baseRv - 1, (p) => (p === 'spec.unschedulable' ? 'false' : undefined), (o) => {
      const now = this.clock.now();
      const hb = this.clock.iso(ready ? now - (i % 10) : Math.min(now, 0) - 60);
      const since = this.clock.iso(o.created + 30);
      const cond = (type: string, status: string, reason: string, message: string): Json => ({ type, status, lastHeartbeatTime: hb, lastTransitionTime: since, reason, message });
      const unknown = (type: string): Json => cond(type, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.');
      const cidr = `10.${64 + ((i >> 8) & 63)}.${i & 255}.0/24`;
      const spec: Json = { podCIDR: cidr, podCIDRs: [cidr], providerID: `sim://${zone}/${name}` };
      if (!ready) {
        spec.taints = [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: hb },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: hb },
        ];
      }
      return {
        kind: 'Node',
        apiVersion: 'v1',
        metadata: this.meta(o, { annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } }),
        spec,
        status: {
          capacity: { cpu: '16', 'ephemeral-storage': '203056560Ki', memory: '65023572Ki', pods: String(Math.max(110, this.spec.podsPerNode)) },
          allocatable: { cpu: '15890m', 'ephemeral-storage': '186161014123', memory: '62285396Ki', pods: String(Math.max(110, this.spec.podsPerNode)) },
          conditions: ready
            ? [
                cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
                cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
                cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
                cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
              ]
            : ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map(unknown),
          addresses: [
            { type: 'InternalIP', address: this.nodeIP(i) },
            { type: 'Hostname', address: name },
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: {
            machineID: stableUid(`machine/${name}`).replace(/-/g, ''),
            systemUUID: stableUid(`system/${name}`),
            bootID: stableUid(`boot/${name}`),
            kernelVersion: '6.1.0-28-cloud-amd64',
            osImage: 'Debian GNU/Linux 12 (bookworm)',
            containerRuntimeVersion: 'containerd://1.7.24',
            kubeletVersion: KUBE_VERSION,
            kubeProxyVersion: KUBE_VERSION,
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      };
    });
  }

  private namespaceProvider(): Provider {
    const index = new Map(this.namespaces.map((ns, i) => [ns, i]));
    const all = concat([rangeSeq(this.namespaces.length, (i) => this.namespace(this.namespaces[i]))]);
    return { all, inNamespace: () => EMPTY, get: (_ns, name) => (index.has(name) ? this.namespace(name) : undefined) };
  }

  private namespace(name: string): SimObject {
    const created = SYSTEM_NAMESPACES.includes(name) || this.appIndex.has(name) ? CLUSTER_BORN : Math.min(...(this.byNsGroups.get(name) ?? []).map((g) => g.createdAt), 0);
    return new Obj('namespaces', undefined, name, { 'kubernetes.io/metadata.name': name }, created, this.baseRv - 2, (p) => (p === 'status.phase' ? 'Active' : undefined), (o) => ({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: this.meta(o),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    }));
  }

  // --- pods -------------------------------------------------------------------------------------

  /** Pods of a workload (index i: a DaemonSet's pod on node i, a Deployment's replica i). */
  workloadPodSeq(g: WGroup): Seq {
    return rangeSeq(g.pods, (i) => this.workloadPod(g, i), g.podLabels);
  }

  workloadPodName(g: WGroup, i: number): string {
    return g.names.name(i);
  }

  workloadPodNode(g: WGroup, i: number): number {
    return g.kind === 'DaemonSet' ? i : this.N ? (g.offset + i) % this.N : 0;
  }

  workloadPod(g: WGroup, i: number): SimObject {
    const node = this.workloadPodNode(g, i);
    const ordinal = g.kind === 'DaemonSet' ? Math.max(0, this.daemonSets.indexOf(g)) % 16 : 200 + (i % 50);
    return this.pod({
      namespace: g.namespace,
      name: this.workloadPodName(g, i),
      generateName: g.kind === 'DaemonSet' ? `${g.name}-` : `${g.name}-${g.hash}-`,
      labels: g.podLabels,
      node,
      ordinal,
      created: Math.max(g.createdAt, this.nodeCreated(node) + 30),
      image: g.image,
      container: g.name,
      serviceAccount: g.serviceAccount,
      running: i < g.running,
      owner: g.kind === 'DaemonSet' ? { apiVersion: 'apps/v1', kind: 'DaemonSet', name: g.name, uid: g.uid } : { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${g.name}-${g.hash}`, uid: stableUid(`ReplicaSet/${g.key}/${g.hash}`) },
      rv: g.rv,
      daemon: g.kind === 'DaemonSet',
    });
  }

  private fillerApp(j: number): { app: string; hash: string } {
    return (this.fillerApps[j] ??= { app: APP_NAMES[j % APP_NAMES.length], hash: hashChars(`filler/${this.appNs[j]}`, 10) });
  }

  /** Filler pods in app namespace j: g = j, j+F, j+2F, … (g / f is the node, g % f the slot). */
  private fillerCount(j: number): number {
    return j < this.G ? Math.floor((this.G - 1 - j) / this.F) + 1 : 0;
  }

  /** Filler pods on nodes [from, to). */
  fillerRange(fromNode: number, toNode: number): Seq {
    return rangeSeq((toNode - fromNode) * this.f, (i) => this.fillerPod(fromNode * this.f + i));
  }

  nodeLease(i: number): SimObject {
    const name = this.nodeName(i);
    return this.lease('kube-node-lease', name, name, 40, {}, this.nodeReady(i), this.nodeCreated(i), i);
  }

  fillerPod(g: number): SimObject {
    const j = g % this.F;
    const node = Math.floor(g / this.f);
    const slot = g % this.f;
    const { app, hash } = this.fillerApp(j);
    return this.pod({
      namespace: this.appNs[j],
      name: `${app}-${hash}-${this.fillerCodec.encode(g)}`,
      generateName: `${app}-${hash}-`,
      labels: { app, 'pod-template-hash': hash },
      node,
      ordinal: 16 + slot,
      created: CLUSTER_BORN + 86400 + (fnv32(`f${g}`) % (28 * 86400)),
      image: `registry.example.com/${app}:1.${j % 7}.${g % 3}`,
      container: app,
      serviceAccount: 'default',
      running: true,
      rv: this.baseRv - 3,
      daemon: false,
    });
  }

  private pod(p: {
    namespace: string;
    name: string;
    generateName: string;
    labels: Record<string, string>;
    node: number;
    ordinal: number;
    created: number;
    image: string;
    container: string;
    serviceAccount: string;
    running: boolean;
    owner?: { apiVersion: string; kind: string; name: string; uid: string };
    rv: number;
    daemon: boolean;
  }): SimObject {
    const nodeName = this.nodeName(p.node);
    const phase = p.running ? 'Running' : 'Pending';
    const podIP = p.running ? this.podIP(p.node, p.ordinal) : '';
    const fields = (path: string): string | undefined => {
      switch (path) {
        case 'spec.nodeName':
          return nodeName;
        case 'status.phase':
          return phase;
        case 'spec.restartPolicy':
          return 'Always';
        case 'spec.schedulerName':
          return 'default-scheduler';
        case 'spec.serviceAccountName':
          return p.serviceAccount;
        case 'status.podIP':
          return podIP;
        case 'status.nominatedNodeName':
          return '';
        default:
          return undefined;
      }
    };
    return new Obj('pods', p.namespace, p.name, p.labels, p.created, p.rv, fields, (o) => {
      const ready = p.running && this.nodeReady(p.node);
      const started = this.clock.iso(o.created + 5);
      const t = this.clock.iso(o.created);
      const cond = (type: string, ok: boolean): Json => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: ok ? started : t });
      const hostIP = this.nodeIP(p.node);
      const status: Json = {
        phase,
        conditions: [cond('PodReadyToStartContainers', p.running), cond('Initialized', true), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', true)],
        hostIP,
        hostIPs: [{ ip: hostIP }],
        startTime: t,
        containerStatuses: [
          {
            name: p.container,
            state: p.running ? { running: { startedAt: started } } : { waiting: { reason: 'ContainerCreating' } },
            lastState: {},
            ready,
            restartCount: 0,
            image: p.image,
            imageID: p.running ? `${p.image.split(':')[0]}@sha256:${hashChars(p.image, 10).padEnd(64, '0')}` : '',
            ...(p.running ? { containerID: `containerd://${stableUid(`${p.namespace}/${p.name}`).replace(/-/g, '')}` } : {}),
            started: p.running,
          },
        ],
        qosClass: 'Burstable',
      };
      if (p.running) {
        status.podIP = podIP;
        status.podIPs = [{ ip: podIP }];
      }
      const tolerations: Json[] = p.daemon
        ? ['not-ready', 'unreachable', 'disk-pressure', 'memory-pressure', 'pid-pressure', 'unschedulable'].map((k) => ({ key: `node.kubernetes.io/${k}`, operator: 'Exists', effect: k === 'not-ready' || k === 'unreachable' ? 'NoExecute' : 'NoSchedule' }))
        : [
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
            { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
          ];
      const metadata = this.meta(o, { generateName: p.generateName });
      if (p.owner) metadata.ownerReferences = [{ ...p.owner, controller: true, blockOwnerDeletion: true }];
      return {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata,
        spec: {
          containers: [
            {
              name: p.container,
              image: p.image,
              resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          serviceAccountName: p.serviceAccount,
          serviceAccount: p.serviceAccount,
          nodeName,
          securityContext: {},
          schedulerName: 'default-scheduler',
          tolerations,
          priority: 0,
          enableServiceLinks: true,
          preemptionPolicy: 'PreemptLowerPriority',
        },
        status,
      };
    });
  }

  private podProvider(): Provider & { byNode(node: string): SimObject[] } {
    const parts = new Map<string, Seq[]>();
    for (const [ns, groups] of this.byNsGroups) parts.set(ns, groups.map((g) => this.workloadPodSeq(g)));
    for (let j = 0; j < this.F; j++) {
      const ns = this.appNs[j];
      const { app, hash } = this.fillerApp(j);
      const seq = rangeSeq(this.fillerCount(j), (i) => this.fillerPod(j + i * this.F), { app, 'pod-template-hash': hash });
      parts.set(ns, [...(parts.get(ns) ?? []), seq]);
    }
    const base = this.nsProvider(parts, (ns, name) => this.getPod(ns, name));
    return { ...base, byNode: (node) => this.podsOnNode(node) };
  }

  private getPod(ns: string, name: string): SimObject | undefined {
    for (const g of this.byNsGroups.get(ns) ?? []) {
      if (!name.startsWith(`${g.name}-`)) continue;
      const rest = name.slice(g.name.length + 1);
      let suffix = rest;
      if (g.kind === 'Deployment') {
        if (!rest.startsWith(`${g.hash}-`)) continue;
        suffix = rest.slice(11);
      }
      const i = g.codec.decode(suffix);
      if (i >= 0 && i < g.pods) return this.workloadPod(g, i);
    }
    const j = this.appIndex.get(ns);
    if (j !== undefined && this.f > 0) {
      const { app, hash } = this.fillerApp(j);
      const prefix = `${app}-${hash}-`;
      if (name.startsWith(prefix)) {
        const g = this.fillerCodec.decode(name.slice(prefix.length));
        if (g >= 0 && g < this.G && g % this.F === j) return this.fillerPod(g);
      }
    }
    return undefined;
  }

  /** The pods bound to a node (the watch cache's spec.nodeName index). */
  podsOnNode(nodeName: string): SimObject[] {
    const n = this.nodeIndex(nodeName);
    if (n < 0) return [];
    const out: SimObject[] = [];
    for (const g of this.daemonSets) if (n < g.pods) out.push(this.workloadPod(g, n));
    for (const g of this.deployments) {
      if (!this.N) continue;
      for (let i = (((n - g.offset) % this.N) + this.N) % this.N; i < g.pods; i += this.N) out.push(this.workloadPod(g, i));
    }
    for (let k = 0; k < this.f; k++) out.push(this.fillerPod(n * this.f + k));
    return out;
  }

  /** Pods on a node, counted without building them. */
  podCountOnNode(nodeName: string): number {
    const n = this.nodeIndex(nodeName);
    if (n < 0) return 0;
    let c = this.f;
    for (const g of this.daemonSets) if (n < g.pods) c++;
    for (const g of this.deployments) if (this.N) c += Math.floor(g.pods / this.N) + ((((n - g.offset) % this.N) + this.N) % this.N < g.pods % this.N ? 1 : 0);
    return c;
  }

  // --- services, endpoints, endpoint slices ---------------------------------------------------

  private serviceProvider(resource: 'services' | 'endpoints' | 'endpointslices'): Provider {
    const parts = new Map<string, Seq[]>();
    parts.set('default', [rangeSeq(1, () => this.service(resource, -2))]);
    parts.set('kube-system', [rangeSeq(1, () => this.service(resource, -1))]);
    for (let j = 0; j < this.F; j++) {
      const c = j < this.appServices ? Math.floor((this.appServices - 1 - j) / this.F) + 1 : 0;
      parts.set(this.appNs[j], [rangeSeq(c, (i) => this.service(resource, j + i * this.F))]);
    }
    return this.nsProvider(parts, (ns, name) => {
      let svcName = name;
      if (resource === 'endpointslices') {
        const m = /^(.*)-[a-z0-9]{5}$/.exec(name);
        if (!m) return undefined;
        svcName = m[1];
      }
      let s: number | undefined;
      if (ns === 'default' && svcName === 'kubernetes') s = -2;
      else if (ns === 'kube-system' && svcName === 'kube-dns') s = -1;
      else {
        const j = this.appIndex.get(ns);
        if (j === undefined) return undefined;
        const { app } = this.fillerApp(j);
        const m = new RegExp(`^${app}(?:-(\\d+))?$`).exec(svcName);
        if (!m) return undefined;
        const k = m[1] === undefined ? 0 : Number(m[1]);
        if (m[1] !== undefined && k < 1) return undefined;
        const idx = j + k * this.F;
        if (idx >= this.appServices) return undefined;
        s = idx;
      }
      const o = this.service(resource, s);
      return o.name === name ? o : undefined;
    });
  }

  /** Service s (-2: default/kubernetes, -1: kube-system/kube-dns, else an app service). */
  private service(resource: 'services' | 'endpoints' | 'endpointslices', s: number): SimObject {
    let ns: string;
    let name: string;
    let selector: Record<string, string> | undefined;
    let clusterIP: string;
    let ports: Array<{ name?: string; port: number; targetPort: number; protocol: string }>;
    let labels: Record<string, string> = {};
    let backends: Array<{ ip: string; node?: string; pod?: SimObject }>;
    if (s === -2) {
      ns = 'default';
      name = 'kubernetes';
      clusterIP = '10.96.0.1';
      ports = [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }];
      labels = { component: 'apiserver', provider: 'kubernetes' };
      backends = Array.from({ length: Math.max(0, this.apiReplicasReady) }, (_, r) => ({ ip: `172.20.0.${10 + r}` }));
    } else if (s === -1) {
      ns = 'kube-system';
      name = 'kube-dns';
      clusterIP = '10.96.0.10';
      selector = { 'k8s-app': 'kube-dns' };
      labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
      ports = [
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' },
      ];
      const dns = this.groups.get('kube-system/coredns');
      backends = dns ? Array.from({ length: dns.running }, (_, i) => this.workloadPod(dns, i)).map((p) => ({ ip: String(p.field('status.podIP')), node: p.field('spec.nodeName'), pod: p })) : [];
    } else {
      const j = s % this.F;
      const k = Math.floor(s / this.F);
      const { app } = this.fillerApp(j);
      ns = this.appNs[j];
      name = k === 0 ? app : `${app}-${k}`;
      selector = { app };
      labels = { app };
      clusterIP = `10.${96 + ((s + 11) >> 16)}.${((s + 11) >> 8) & 255}.${(s + 11) & 255}`;
      ports = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
      const c = Math.min(3, this.fillerCount(j));
      backends = Array.from({ length: c }, (_, i) => this.fillerPod(j + i * this.F)).map((p) => ({ ip: String(p.field('status.podIP')), node: p.field('spec.nodeName'), pod: p }));
    }
    const created = s < 0 ? CLUSTER_BORN : CLUSTER_BORN + 3600 + (s % 86400);
    if (resource === 'services') {
      return new Obj('services', ns, name, labels, created, this.baseRv - 4, (p) => (p === 'spec.clusterIP' ? clusterIP : p === 'spec.type' ? 'ClusterIP' : undefined), (o) => ({
        kind: 'Service',
        apiVersion: 'v1',
        metadata: this.meta(o),
        spec: {
          clusterIP,
          clusterIPs: [clusterIP],
          internalTrafficPolicy: 'Cluster',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          ports,
          ...(selector ? { selector } : {}),
          sessionAffinity: 'None',
          type: 'ClusterIP',
        },
        status: { loadBalancer: {} },
      }));
    }
    const epRv = s === -1 ? Math.max(this.baseRv - 4, this.groups.get('kube-system/coredns')?.rv ?? 0) : this.baseRv - 4;
    const targetRef = (b: { pod?: SimObject }): Json | undefined => (b.pod ? { kind: 'Pod', namespace: ns, name: b.pod.name, uid: stableUid(`pods/${ns}/${b.pod.name}/${b.pod.created}`) } : undefined);
    if (resource === 'endpoints') {
      return new Obj('endpoints', ns, name, labels, created, epRv, noFields, (o) => ({
        kind: 'Endpoints',
        apiVersion: 'v1',
        metadata: this.meta(o),
        subsets: backends.length
          ? [{ addresses: backends.map((b) => ({ ip: b.ip, ...(b.node ? { nodeName: b.node } : {}), ...(b.pod ? { targetRef: targetRef(b) } : {}) })), ports: ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })) }]
          : undefined,
      }));
    }
    const sliceName = `${name}-${hashChars(`slice/${ns}/${name}`, 5)}`;
    const sliceLabels = { ...labels, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': name };
    return new Obj('endpointslices', ns, sliceName, sliceLabels, created, epRv, noFields, (o) => ({
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: this.meta(o, {
        generateName: `${name}-`,
        ownerReferences: s === -2 ? undefined : [{ apiVersion: 'v1', kind: 'Service', name, uid: stableUid(`services/${ns}/${name}/${created}`), controller: true, blockOwnerDeletion: true }],
      }),
      addressType: 'IPv4',
      endpoints: backends.map((b) => ({
        addresses: [b.ip],
        conditions: { ready: true, serving: true, terminating: false },
        ...(b.node ? { nodeName: b.node } : {}),
        ...(b.pod ? { targetRef: targetRef(b) } : {}),
      })),
      ports: ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
    }));
  }

  // --- workloads ----------------------------------------------------------------------------------

  private workloadProvider(groups: WGroup[], make: (g: WGroup) => SimObject, nameOf: (g: WGroup) => string = (g) => g.name): Provider {
    const parts = new Map<string, Seq[]>();
    for (const g of groups) parts.set(g.namespace, [...(parts.get(g.namespace) ?? []), rangeSeq(1, () => make(g))]);
    return this.nsProvider(parts, (ns, name) => {
      const g = groups.find((x) => x.namespace === ns && nameOf(x) === name);
      return g ? make(g) : undefined;
    });
  }

  private template(g: WGroup, labels: Record<string, string>): Json {
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

  daemonSet(g: WGroup): SimObject {
    return new Obj('daemonsets', g.namespace, g.name, g.labels, g.createdAt, g.rv, noFields, (o) => {
      const status: Json = {
        currentNumberScheduled: g.pods,
        numberMisscheduled: 0,
        desiredNumberScheduled: g.pods,
        numberReady: g.running,
        observedGeneration: 1,
        updatedNumberScheduled: g.pods,
        numberAvailable: g.running,
      };
      if (g.pods > g.running) status.numberUnavailable = g.pods - g.running;
      return {
        kind: 'DaemonSet',
        apiVersion: 'apps/v1',
        metadata: this.meta(o, { uid: g.uid, generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } }),
        spec: {
          selector: { matchLabels: g.labels },
          template: this.template(g, g.labels),
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
          revisionHistoryLimit: 10,
        },
        status,
      };
    });
  }

  deployment(g: WGroup): SimObject {
    return new Obj('deployments', g.namespace, g.name, g.labels, g.createdAt, g.rv, noFields, (o) => {
      const t = this.clock.iso(g.createdAt);
      const available = g.running > 0 || g.pods === 0;
      const status: Json = { observedGeneration: g.generation, replicas: g.pods, updatedReplicas: g.pods, readyReplicas: g.running, availableReplicas: g.running };
      if (g.pods > g.running) status.unavailableReplicas = g.pods - g.running;
      if (!g.running) {
        delete status.readyReplicas;
        delete status.availableReplicas;
      }
      status.conditions = [
        { type: 'Available', status: available ? 'True' : 'False', lastUpdateTime: t, lastTransitionTime: t, reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
        { type: 'Progressing', status: 'True', lastUpdateTime: t, lastTransitionTime: t, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${g.name}-${g.hash}" has successfully progressed.` },
      ];
      return {
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        metadata: this.meta(o, { uid: g.uid, generation: g.generation, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
        spec: {
          replicas: g.pods,
          selector: { matchLabels: g.labels },
          template: this.template(g, g.labels),
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
        status,
      };
    });
  }

  replicaSet(g: WGroup): SimObject {
    const labels = { ...g.labels, 'pod-template-hash': g.hash };
    return new Obj('replicasets', g.namespace, `${g.name}-${g.hash}`, labels, g.createdAt, g.rv, noFields, (o) => ({
      kind: 'ReplicaSet',
      apiVersion: 'apps/v1',
      metadata: this.meta(o, {
        uid: stableUid(`ReplicaSet/${g.key}/${g.hash}`),
        generation: g.generation,
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(g.pods), 'deployment.kubernetes.io/max-replicas': String(g.pods + Math.ceil(g.pods / 4)), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: g.name, uid: g.uid, controller: true, blockOwnerDeletion: true }],
      }),
      spec: { replicas: g.pods, selector: { matchLabels: labels }, template: this.template(g, labels) },
      status: { replicas: g.pods, fullyLabeledReplicas: g.pods, readyReplicas: g.running, availableReplicas: g.running, observedGeneration: g.generation },
    }));
  }

  // --- leases --------------------------------------------------------------------------------------

  private leaseProvider(): Provider {
    const system: SimObject[] = [];
    for (let r = 0; r < Math.max(1, this.spec.apiServerReplicas); r++) {
      const id = `apiserver-${hashChars(`apiserver${r}`, 26).toLowerCase()}`;
      system.push(this.lease('kube-system', id, `${id}_${stableUid(`apiserver-holder${r}`)}`, 3600, { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': `control-plane-${r + 1}` }, r < this.apiReplicasReady));
    }
    system.push(this.lease('kube-system', 'kube-controller-manager', `control-plane-1_${stableUid('kcm')}`, 15, {}, true));
    system.push(this.lease('kube-system', 'kube-scheduler', `control-plane-1_${stableUid('sched')}`, 15, {}, true));
    system.sort((a, b) => (a.name < b.name ? -1 : 1));
    const parts = new Map<string, Seq[]>([
      ['kube-node-lease', [rangeSeq(this.N, (i) => this.nodeLease(i))]],
      ['kube-system', [arraySeq(system)]],
    ]);
    return this.nsProvider(parts, (ns, name) => {
      if (ns === 'kube-node-lease') {
        const i = this.nodeIndex(name);
        return i < 0 ? undefined : this.nodeLease(i);
      }
      return ns === 'kube-system' ? system.find((o) => o.name === name) : undefined;
    });
  }

  private lease(ns: string, name: string, holder: string, duration: number, labels: Record<string, string>, live: boolean, created = CLUSTER_BORN, jitter = 0): SimObject {
    return new Obj('leases', ns, name, labels, created, this.baseRv - 5, noFields, (o) => {
      const now = this.clock.now();
      const renew = live ? now - (jitter % 10) : Math.min(now, 0) - 60;
      const ownerRef = ns === 'kube-node-lease' ? [{ apiVersion: 'v1', kind: 'Node', name, uid: stableUid(`nodes//${name}/${created}`) }] : undefined;
      return {
        kind: 'Lease',
        apiVersion: 'coordination.k8s.io/v1',
        metadata: this.meta(o, { ownerReferences: ownerRef }),
        spec: { holderIdentity: holder, leaseDurationSeconds: duration, renewTime: this.clock.iso(renew).replace('Z', '.000000Z') },
      };
    });
  }

  // --- flow control -------------------------------------------------------------------------------

  private flowSchema(fs: (typeof FLOW_SCHEMAS)[number]): SimObject {
    return new Obj('flowschemas', undefined, fs.name, {}, CLUSTER_BORN, this.baseRv - 6, noFields, (o) => ({
      kind: 'FlowSchema',
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      metadata: this.meta(o, { uid: apfUid('FlowSchema', fs.name), generation: 1, annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' } }),
      spec: {
        priorityLevelConfiguration: { name: fs.priorityLevel },
        matchingPrecedence: fs.precedence,
        ...(fs.distinguisher ? { distinguisherMethod: { type: fs.distinguisher } } : {}),
        rules: [
          {
            subjects: fs.subjects.map((s) => (s.kind === 'Group' ? { kind: 'Group', group: { name: s.name } } : s.kind === 'User' ? { kind: 'User', user: { name: s.name } } : { kind: 'ServiceAccount', serviceAccount: { name: s.name, namespace: s.namespace } })),
            ...(fs.nonResourceURLs
              ? { nonResourceRules: [{ verbs: ['get'], nonResourceURLs: fs.nonResourceURLs }] }
              : { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }),
          },
        ],
      },
      status: { conditions: [{ type: 'Dangling', status: 'False', lastTransitionTime: this.clock.iso(CLUSTER_BORN), reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${fs.priorityLevel}" and it exists` }] },
    }));
  }

  private priorityLevel(pl: (typeof PRIORITY_LEVELS)[number]): SimObject {
    return new Obj('prioritylevelconfigurations', undefined, pl.name, {}, CLUSTER_BORN, this.baseRv - 6, noFields, (o) => ({
      kind: 'PriorityLevelConfiguration',
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      metadata: this.meta(o, { uid: apfUid('PriorityLevelConfiguration', pl.name), generation: 1, annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' } }),
      spec: pl.exempt
        ? { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }
        : {
            type: 'Limited',
            limited: {
              nominalConcurrencyShares: pl.shares,
              lendablePercent: pl.lendablePercent,
              limitResponse: pl.queuing ? { type: 'Queue', queuing: pl.queuing } : { type: 'Reject' },
            },
          },
      status: {},
    }));
  }
}
