// Pods: per node one pod per DaemonSet and podsPerNode-1 filler application pods; Deployment
// replicas placed round-robin. Pods beyond what the model reports running are Pending. Pod names
// follow the one pod-name rule (src/sim/podNames.ts), so a GET decodes a name to an index.
import { createHash } from 'node:crypto';
import type { Layout, Provider, ServedWorkload } from '../layout';
import { fnv32, replicaSetUid, stableUid } from '../names';
import { arraySeq, rangeSeq, type Seq } from '../seq';
import { CLUSTER_BORN, LazyObject, type Json, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, type Any, type SimResource } from './resource';
import { newCount, newCreated, newRunning, oldFrom, type Rollout } from '../rollouts';
import { bool, condition, int, list, obj, podSpec, str, time, type KindSchema, type Schema } from '../schema';

/** The resources every served pod's container asks for (spec.containers[0].resources). */
export const POD_REQUESTS = { cpuMilli: 100, memoryMi: 128, memoryLimitMi: 256 };

interface PodPlan {
  namespace: string;
  name: string;
  generateName: string;
  labels: Record<string, string>;
  node: number;
  /** Slot on its node (its IP). */
  ordinal: number;
  created: number;
  image: string;
  container: string;
  serviceAccount: string;
  running: boolean;
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
  rv: number;
  /** A DaemonSet's pod (it tolerates every node condition). */
  daemon: boolean;
}

/** Which of the (up to two) pods at one index: the updated template's or the old one's (rollouts.ts). */
export type PodVersion = 'new' | 'old';

/** The versions of pod i of a workload of `total` pods that exist now, newest first. */
export function versionsAt(r: Rollout | undefined, total: number, i: number): PodVersion[] {
  if (!r) return ['new'];
  const out: PodVersion[] = [];
  if (i < newCount(r, total)) out.push('new');
  if (i >= oldFrom(r, total) && i < total) out.push('old');
  return out;
}

/** Pods of a workload (index i: a DaemonSet's pod on node i, a Deployment's replica i); during a rollout the new ones, then the old. */
export function workloadPodSeqs(layout: Layout, g: ServedWorkload): Seq[] {
  const r = layout.rollouts.get(g.key);
  if (!r) return [rangeSeq(g.pods, (i) => workloadPod(layout, g, i), g.podLabels)];
  const n = newCount(r, g.pods);
  const o = oldFrom(r, g.pods);
  return [rangeSeq(n, (i) => workloadPod(layout, g, i, 'new'), versionLabels(g, r, 'new')), rangeSeq(g.pods - o, (k) => workloadPod(layout, g, o + k, 'old'), versionLabels(g, r, 'old'))];
}

/** The labels of a workload's pods of one version. */
function versionLabels(g: ServedWorkload, r: Rollout, v: PodVersion): Record<string, string> {
  const hash = v === 'new' ? r.to : r.from;
  return g.kind === 'DaemonSet'
    ? { ...g.labels, 'controller-revision-hash': hash, 'pod-template-generation': String(v === 'new' ? r.toGeneration : r.fromGeneration) }
    : { ...g.labels, 'pod-template-hash': hash };
}

/** Pod i of a workload: the newest that exists at i unless `version` says which. */
export function workloadPod(layout: Layout, g: ServedWorkload, i: number, version?: PodVersion): SimObject {
  const node = layout.workloadPodNode(g, i);
  const ordinal = g.kind === 'DaemonSet' ? Math.max(0, layout.daemonSets.indexOf(g)) % 16 : 200 + (i % 50);
  const born = Math.max(g.createdAt, layout.nodeCreated(node) + 30);
  const r = layout.rollouts.get(g.key);
  const v = version ?? (r ? versionsAt(r, g.pods, i)[0] ?? 'new' : 'new');
  const hash = !r ? g.hash : v === 'new' ? r.to : r.from;
  const codec = !r ? g.codec : v === 'new' ? r.toCodec : r.fromCodec;
  const rolled = !!r && v === 'new';
  return podObject(layout, {
    namespace: g.namespace,
    name: g.kind === 'DaemonSet' ? `${g.name}-${codec.encode(i)}` : `${g.name}-${hash}-${codec.encode(i)}`,
    generateName: g.kind === 'DaemonSet' ? `${g.name}-` : `${g.name}-${hash}-`,
    labels: r ? versionLabels(g, r, v) : g.podLabels,
    node,
    ordinal,
    created: rolled ? newCreated(r, i) : born,
    image: !r ? g.image : v === 'new' ? r.toImage : r.fromImage,
    container: g.name,
    serviceAccount: g.serviceAccount,
    running: i < g.running && (!rolled || newRunning(r, i)),
    owner: g.kind === 'DaemonSet' ? { apiVersion: 'apps/v1', kind: 'DaemonSet', name: g.name, uid: g.uid } : { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${g.name}-${hash}`, uid: replicaSetUid(g.key, hash) },
    rv: Math.max(g.rv, r?.rv ?? 0),
    daemon: g.kind === 'DaemonSet',
  });
}

/** The rollout of app namespace j's Deployment, if its template was changed. */
function fillerRollout(layout: Layout, j: number): Rollout | undefined {
  return layout.rollouts.size ? layout.rollouts.get(`${layout.appNs[j]}/${layout.fillerApp(j).app}`) : undefined;
}

/** Filler pod g: on node g / fillerPerNode, in app namespace g % appNamespaceCount (the newest at its index unless `version` says which). */
export function fillerPod(layout: Layout, g: number, version?: PodVersion): SimObject {
  const j = g % layout.appNamespaceCount;
  const node = Math.floor(g / layout.fillerPerNode);
  const slot = g % layout.fillerPerNode;
  const { app } = layout.fillerApp(j);
  const r = fillerRollout(layout, j);
  const i = Math.floor(g / layout.appNamespaceCount);
  const v = version ?? (r ? versionsAt(r, layout.fillerCount(j), i)[0] ?? 'new' : 'new');
  const hash = !r ? layout.fillerApp(j).hash : v === 'new' ? r.to : r.from;
  const codec = !r ? layout.fillerCodec : v === 'new' ? r.toCodec : r.fromCodec;
  const rolled = !!r && v === 'new';
  return podObject(layout, {
    namespace: layout.appNs[j],
    name: `${app}-${hash}-${codec.encode(g)}`,
    generateName: `${app}-${hash}-`,
    labels: { app, 'pod-template-hash': hash },
    node,
    ordinal: 16 + slot,
    created: rolled ? newCreated(r, i) : CLUSTER_BORN + 86400 + (fnv32(`f${g}`) % (28 * 86400)),
    image: !r ? layout.fillerImage(j) : v === 'new' ? r.toImage : r.fromImage,
    container: app,
    serviceAccount: 'default',
    running: !rolled || newRunning(r, i),
    // Owned by its app's ReplicaSet (resources/replicasets.ts), as the ReplicaSet controller sets it.
    owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: replicaSetUid(`${layout.appNs[j]}/${app}`, hash) },
    rv: Math.max(layout.baseRv - 3, r?.rv ?? 0),
    daemon: false,
  });
}

/** Filler pods on nodes [fromNode, toNode). */
export function fillerRange(layout: Layout, fromNode: number, toNode: number): Seq {
  return rangeSeq((toNode - fromNode) * layout.fillerPerNode, (i) => fillerPod(layout, fromNode * layout.fillerPerNode + i));
}

function podObject(layout: Layout, p: PodPlan): SimObject {
  const nodeName = layout.nodeName(p.node);
  const phase = p.running ? 'Running' : 'Pending';
  const podIP = p.running ? layout.podIP(p.node, p.ordinal) : '';
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
  const clock = layout.clock;
  return new LazyObject('pods', p.namespace, p.name, p.labels, p.created, p.rv, fields, (o) => {
    const ready = p.running && layout.nodeReady(p.node);
    const started = clock.iso(o.created + 5);
    const t = clock.iso(o.created);
    const cond = (type: string, ok: boolean): Json => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: ok ? started : t });
    const hostIP = layout.nodeIP(p.node);
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
          // A registry digest is 64 lowercase hex; a stable one per image reference.
          imageID: p.running ? `${p.image.split(':')[0]}@sha256:${createHash('sha256').update(p.image).digest('hex')}` : '',
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
    const metadata = layout.meta(o, { generateName: p.generateName });
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
            resources: { limits: { memory: `${POD_REQUESTS.memoryLimitMi}Mi` }, requests: { cpu: `${POD_REQUESTS.cpuMilli}m`, memory: `${POD_REQUESTS.memoryMi}Mi` } },
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

/** Where a pod name leads: replica `i` of a workload, or filler pod `filler` (of `version` during a rollout); undefined when no such pod. */
export type PodPlace = { g: ServedWorkload; i: number; filler?: undefined; version?: PodVersion } | { filler: number; g?: undefined; version?: PodVersion };

/** Decodes a pod's name (the one pod-name rule) to its place, without building anything. */
export function locatePod(layout: Layout, ns: string, name: string): PodPlace | undefined {
  for (const g of layout.workloadsByNamespace.get(ns) ?? []) {
    const r = layout.rollouts.get(g.key);
    if (!r) {
      const i = g.names.index(name);
      if (i >= 0 && i < g.pods) return { g, i };
      continue;
    }
    for (const [version, hash, codec] of [['new', r.to, r.toCodec], ['old', r.from, r.fromCodec]] as const) {
      const prefix = g.kind === 'DaemonSet' ? `${g.name}-` : `${g.name}-${hash}-`;
      if (!name.startsWith(prefix)) continue;
      const i = codec.decode(name.slice(prefix.length));
      if (i >= 0 && versionsAt(r, g.pods, i).includes(version)) return { g, i, version };
    }
  }
  const j = layout.appIndex.get(ns);
  if (j !== undefined && layout.fillerPerNode > 0) {
    const { app, hash } = layout.fillerApp(j);
    const r = fillerRollout(layout, j);
    for (const [version, h, codec] of r ? ([['new', r.to, r.toCodec], ['old', r.from, r.fromCodec]] as const) : ([['new', hash, layout.fillerCodec]] as const)) {
      const prefix = `${app}-${h}-`;
      if (!name.startsWith(prefix)) continue;
      const g = codec.decode(name.slice(prefix.length));
      if (g < 0 || g >= layout.fillerTotal || g % layout.appNamespaceCount !== j) continue;
      if (!r) return { filler: g };
      if (versionsAt(r, layout.fillerCount(j), Math.floor(g / layout.appNamespaceCount)).includes(version)) return { filler: g, version };
    }
  }
  return undefined;
}

/** A pod by name: a replacement a controller made (layout.extraPods), else the one its name decodes to. */
export function getPod(layout: Layout, ns: string, name: string): SimObject | undefined {
  const made = layout.extraPods.get(`${ns}/${name}`);
  if (made) return made;
  const at = locatePod(layout, ns, name);
  if (!at) return undefined;
  return at.g ? workloadPod(layout, at.g, at.i, at.version) : fillerPod(layout, at.filler, at.version);
}

/** The pods bound to a node (the watch cache's spec.nodeName index). */
export function podsOnNode(layout: Layout, nodeName: string): SimObject[] {
  const n = layout.nodeIndex(nodeName);
  if (n < 0) return [];
  const nodes = layout.nodeCount;
  const out: SimObject[] = [];
  const at = (g: ServedWorkload, i: number): void => {
    for (const v of versionsAt(layout.rollouts.get(g.key), g.pods, i)) out.push(workloadPod(layout, g, i, v));
  };
  for (const g of layout.daemonSets) if (n < g.pods) at(g, n);
  for (const g of layout.deployments) {
    if (!nodes) continue;
    // Replica i is on node (firstNode + i) mod nodes: the first on node n, then every `nodes`-th.
    for (let i = (((n - g.firstNode) % nodes) + nodes) % nodes; i < g.pods; i += nodes) at(g, i);
  }
  for (let k = 0; k < layout.fillerPerNode; k++) {
    const f = n * layout.fillerPerNode + k;
    const j = f % layout.appNamespaceCount;
    const r = fillerRollout(layout, j);
    if (!r) out.push(fillerPod(layout, f));
    else for (const v of versionsAt(r, layout.fillerCount(j), Math.floor(f / layout.appNamespaceCount))) out.push(fillerPod(layout, f, v));
  }
  for (const p of layout.extraPods.values()) if (p.field('spec.nodeName') === nodeName) out.push(p);
  return out;
}

/** Pods on a node, counted without building them. */
export function podCountOnNode(layout: Layout, nodeName: string): number {
  const n = layout.nodeIndex(nodeName);
  if (n < 0) return 0;
  const nodes = layout.nodeCount;
  let c = layout.fillerPerNode;
  for (const g of layout.daemonSets) if (n < g.pods) c++;
  for (const p of layout.extraPods.values()) if (p.field('spec.nodeName') === nodeName) c++;
  for (const g of layout.deployments) if (nodes) c += Math.floor(g.pods / nodes) + ((((n - g.firstNode) % nodes) + nodes) % nodes < g.pods % nodes ? 1 : 0);
  return c;
}

function provider(layout: Layout): Provider {
  const parts = new Map<string, Seq[]>();
  for (const [ns, groups] of layout.workloadsByNamespace) parts.set(ns, groups.flatMap((g) => workloadPodSeqs(layout, g)));
  // Replacements the controllers created (store.ts): a few, listed after the namespace's own.
  const made = new Map<string, SimObject[]>();
  for (const p of layout.extraPods.values()) made.set(p.namespace!, [...(made.get(p.namespace!) ?? []), p]);
  for (let j = 0; j < layout.appNamespaceCount; j++) {
    const ns = layout.appNs[j];
    const { app, hash } = layout.fillerApp(j);
    const A = layout.appNamespaceCount;
    const r = fillerRollout(layout, j);
    const count = layout.fillerCount(j);
    const seqs = r
      ? [
          rangeSeq(newCount(r, count), (i) => fillerPod(layout, j + i * A, 'new'), { app, 'pod-template-hash': r.to }),
          rangeSeq(count - oldFrom(r, count), (k) => fillerPod(layout, j + (oldFrom(r, count) + k) * A, 'old'), { app, 'pod-template-hash': r.from }),
        ]
      : [rangeSeq(count, (i) => fillerPod(layout, j + i * A), { app, 'pod-template-hash': hash })];
    parts.set(ns, [...(parts.get(ns) ?? []), ...seqs]);
  }
  for (const [ns, list] of made) parts.set(ns, [...(parts.get(ns) ?? []), arraySeq(list)]);
  return layout.namespacedProvider(parts, (ns, name) => getPod(layout, ns, name));
}

const containerState = (description: string): Schema =>
  obj(description, {
    waiting: obj('Details about a waiting container.', { reason: str('(brief) reason the container is not yet running.'), message: str('Message regarding why the container is not yet running.') }),
    running: obj('Details about a running container.', { startedAt: time('Time at which the container was last (re-)started.') }),
    terminated: obj('Details about a terminated container.', {
      exitCode: int('Exit status from the last termination of the container.'),
      reason: str('(brief) reason from the last termination of the container.'),
      message: str('Message regarding the last termination of the container.'),
      startedAt: time('Time at which previous execution of the container started.'),
      finishedAt: time('Time at which the container last terminated.'),
    }),
  });

// https://kubernetes.io/docs/reference/kubernetes-api/ (pods).
const schema: KindSchema = {
  description: 'Pod is a collection of containers that can run on a host.',
  properties: {
    spec: podSpec,
    status: obj('Most recently observed status of the pod.', {
      phase: str('The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle. Pending, Running, Succeeded, Failed or Unknown.'),
      conditions: condition('Current service state of pod.', { lastProbeTime: time('Last time we probed the condition.') }),
      hostIP: str('hostIP holds the IP address of the host to which the pod is assigned.'),
      hostIPs: list('hostIPs holds the IP addresses allocated to the host.', obj('HostIP represents a single IP address allocated to the host.', { ip: str('IP is the IP address assigned to the host.') })),
      podIP: str('podIP address allocated to the pod.'),
      podIPs: list('podIPs holds the IP addresses allocated to the pod.', obj('PodIP represents a single IP address allocated to the pod.', { ip: str('IP is the IP address assigned to the pod.') })),
      startTime: time('RFC 3339 date and time at which the object was acknowledged by the Kubelet.'),
      qosClass: str('The Quality of Service (QOS) classification assigned to the pod based on resource requirements.'),
      containerStatuses: list(
        'The list has one entry per container in the manifest.',
        obj('ContainerStatus contains details for the current status of this container.', {
          name: str('Name is a DNS_LABEL representing the unique name of the container.'),
          image: str('Image is the name of container image that the container is running.'),
          imageID: str("ImageID is the image ID of the container's image."),
          containerID: str("ContainerID is the ID of the container in the format '<type>://<container_id>'."),
          ready: bool('Ready specifies whether the container is currently passing its readiness check.'),
          started: bool('Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.'),
          restartCount: int('RestartCount holds the number of times the container has been restarted.'),
          state: containerState('State holds details about the container\'s current condition.'),
          lastState: containerState("LastTerminationState holds the last termination state of the container."),
        }),
      ),
    }),
  },
};

export const pods: SimResource = {
  name: 'pods',
  singularName: 'pod',
  kind: 'Pod',
  group: '',
  version: 'v1',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  fields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  subresources: [
    STATUS('Pod'),
    // pods.log.ts: simulated logs; exec, attach and portforward are refused with a Status.
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    // pods.eviction.ts. Discovery names its group version, which kubectl drain reads to choose
    // the Eviction it posts (k8s.io/kubectl/pkg/drain CheckEvictionSupport).
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  ],
  schema,
  // Labels and annotations are kept and served (kubectl label, annotate); the spec of a pod is
  // immutable but for a few fields, as kube-apiserver's ValidatePodUpdate says.
  write: {
    validate: (next, prev) =>
      prev && JSON.stringify(next.spec) !== JSON.stringify(prev.spec)
        ? [{ field: 'spec', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative) (the simulated cluster changes none of them)' }]
        : [],
  },
  columns: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'string', 'NodeName is a request to schedule this pod onto a specific node.', 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  cells: (o, age) => {
    const cs = (o.status?.containerStatuses ?? []) as Any[];
    const ready = cs.filter((c) => c.ready).length;
    let status = o.status?.phase ?? 'Unknown';
    const waiting = cs.find((c) => c.state?.waiting)?.state.waiting.reason;
    if (waiting) status = waiting;
    if (o.metadata?.deletionTimestamp) status = 'Terminating';
    const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
    return [o.metadata.name, `${ready}/${(o.spec?.containers ?? []).length}`, status, String(restarts), age, o.status?.podIP ?? '<none>', o.spec?.nodeName ?? '<none>', '<none>', '<none>'];
  },
  provider,
  index: { field: 'spec.nodeName', objects: podsOnNode, count: podCountOnNode },
};
