// Pods: per node one pod per DaemonSet and podsPerNode-1 filler application pods; Deployment
// replicas placed round-robin. Pods beyond what the model reports running are Pending. Pod names
// follow the one pod-name rule (src/sim/podNames.ts), so a GET decodes a name to an index.
import { createHash } from 'node:crypto';
import type { Layout, Provider, ServedWorkload } from '../layout';
import { fnv32, replicaSetUid, stableUid } from '../names';
import { arraySeq, rangeSeq, type Seq } from '../seq';
import { CLUSTER_BORN, LazyObject, type Json, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, type Any, type SimResource } from './resource';
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

/** Pods of a workload (index i: a DaemonSet's pod on node i, a Deployment's replica i). */
export function workloadPodSeq(layout: Layout, g: ServedWorkload): Seq {
  return rangeSeq(g.pods, (i) => workloadPod(layout, g, i), g.podLabels);
}

export function workloadPod(layout: Layout, g: ServedWorkload, i: number): SimObject {
  const node = layout.workloadPodNode(g, i);
  const ordinal = g.kind === 'DaemonSet' ? Math.max(0, layout.daemonSets.indexOf(g)) % 16 : 200 + (i % 50);
  return podObject(layout, {
    namespace: g.namespace,
    name: g.names.name(i),
    generateName: g.kind === 'DaemonSet' ? `${g.name}-` : `${g.name}-${g.hash}-`,
    labels: g.podLabels,
    node,
    ordinal,
    created: Math.max(g.createdAt, layout.nodeCreated(node) + 30),
    image: g.image,
    container: g.name,
    serviceAccount: g.serviceAccount,
    running: i < g.running,
    owner: g.kind === 'DaemonSet' ? { apiVersion: 'apps/v1', kind: 'DaemonSet', name: g.name, uid: g.uid } : { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${g.name}-${g.hash}`, uid: replicaSetUid(g.key, g.hash) },
    rv: g.rv,
    daemon: g.kind === 'DaemonSet',
  });
}

/** Filler pod g: on node g / fillerPerNode, in app namespace g % appNamespaceCount. */
export function fillerPod(layout: Layout, g: number): SimObject {
  const j = g % layout.appNamespaceCount;
  const node = Math.floor(g / layout.fillerPerNode);
  const slot = g % layout.fillerPerNode;
  const { app, hash } = layout.fillerApp(j);
  return podObject(layout, {
    namespace: layout.appNs[j],
    name: `${app}-${hash}-${layout.fillerCodec.encode(g)}`,
    generateName: `${app}-${hash}-`,
    labels: { app, 'pod-template-hash': hash },
    node,
    ordinal: 16 + slot,
    created: CLUSTER_BORN + 86400 + (fnv32(`f${g}`) % (28 * 86400)),
    image: layout.fillerImage(j),
    container: app,
    serviceAccount: 'default',
    running: true,
    // Owned by its app's ReplicaSet (resources/replicasets.ts), as the ReplicaSet controller sets it.
    owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: replicaSetUid(`${layout.appNs[j]}/${app}`, hash) },
    rv: layout.baseRv - 3,
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

/** Where a pod name leads: replica `i` of a workload, or filler pod `filler`; undefined when no such pod. */
export type PodPlace = { g: ServedWorkload; i: number; filler?: undefined } | { filler: number; g?: undefined };

/** Decodes a pod's name (the one pod-name rule) to its place, without building anything. */
export function locatePod(layout: Layout, ns: string, name: string): PodPlace | undefined {
  for (const g of layout.workloadsByNamespace.get(ns) ?? []) {
    const i = g.names.index(name);
    if (i >= 0 && i < g.pods) return { g, i };
  }
  const j = layout.appIndex.get(ns);
  if (j !== undefined && layout.fillerPerNode > 0) {
    const { app, hash } = layout.fillerApp(j);
    const prefix = `${app}-${hash}-`;
    if (name.startsWith(prefix)) {
      const g = layout.fillerCodec.decode(name.slice(prefix.length));
      if (g >= 0 && g < layout.fillerTotal && g % layout.appNamespaceCount === j) return { filler: g };
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
  return at.g ? workloadPod(layout, at.g, at.i) : fillerPod(layout, at.filler);
}

/** The pods bound to a node (the watch cache's spec.nodeName index). */
export function podsOnNode(layout: Layout, nodeName: string): SimObject[] {
  const n = layout.nodeIndex(nodeName);
  if (n < 0) return [];
  const nodes = layout.nodeCount;
  const out: SimObject[] = [];
  for (const g of layout.daemonSets) if (n < g.pods) out.push(workloadPod(layout, g, n));
  for (const g of layout.deployments) {
    if (!nodes) continue;
    // Replica i is on node (firstNode + i) mod nodes: the first on node n, then every `nodes`-th.
    for (let i = (((n - g.firstNode) % nodes) + nodes) % nodes; i < g.pods; i += nodes) out.push(workloadPod(layout, g, i));
  }
  for (let k = 0; k < layout.fillerPerNode; k++) out.push(fillerPod(layout, n * layout.fillerPerNode + k));
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
  for (const [ns, groups] of layout.workloadsByNamespace) parts.set(ns, groups.map((g) => workloadPodSeq(layout, g)));
  // Replacements the controllers created (store.ts): a few, listed after the namespace's own.
  const made = new Map<string, SimObject[]>();
  for (const p of layout.extraPods.values()) made.set(p.namespace!, [...(made.get(p.namespace!) ?? []), p]);
  for (let j = 0; j < layout.appNamespaceCount; j++) {
    const ns = layout.appNs[j];
    const { app, hash } = layout.fillerApp(j);
    const seq = rangeSeq(layout.fillerCount(j), (i) => fillerPod(layout, j + i * layout.appNamespaceCount), { app, 'pod-template-hash': hash });
    parts.set(ns, [...(parts.get(ns) ?? []), seq]);
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
