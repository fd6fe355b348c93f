// meta.k8s.io/v1 Tables, as kube-apiserver's printers (pkg/printers/internalversion) make them
// for `kubectl get`: the same columns, priority 1 for the `-o wide` ones, cells computed on the
// server (AGE included, from the simulated clock).
import type { Json } from './objects';
import { humanDuration } from './names';
import { formatLabels } from './selectors';

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  description: string;
  priority?: number;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" };
const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.' };
const col = (name: string, type: Column['type'], description: string, priority = 0): Column => ({ name, type, description, priority });

const COLUMNS: Record<string, Column[]> = {
  pods: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'string', "NodeName is a request to schedule this pod onto a specific node.", 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  nodes: [
    NAME,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of internal IPs associated with the node.', 1),
    col('External-IP', 'string', 'List of external IPs associated with the node.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  namespaces: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
  daemonsets: [
    NAME,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    AGE,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1),
  ],
  deployments: [
    NAME,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  replicasets: [
    NAME,
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    AGE,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
  ],
  services: [
    NAME,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'List of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  endpoints: [NAME, col('Endpoints', 'string', 'Endpoints of the service'), AGE],
  endpointslices: [
    NAME,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    AGE,
  ],
  leases: [NAME, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE],
  flowschemas: [
    NAME,
    col('PriorityLevel', 'string', 'priorityLevelConfiguration should reference a PriorityLevelConfiguration in the cluster.'),
    col('MatchingPrecedence', 'string', 'matchingPrecedence is used to choose among the FlowSchemas that match a given request.'),
    col('DistinguisherMethod', 'string', 'distinguisherMethod defines how to compute the flow distinguisher for requests that match this schema.'),
    AGE,
    col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  prioritylevelconfigurations: [
    NAME,
    col('Type', 'string', 'type indicates whether this priority level is subject to limitation on request execution.'),
    col('NominalConcurrencyShares', 'string', 'nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
    col('Queues', 'string', 'queues is the number of queues for this priority level.'),
    col('HandSize', 'string', 'handSize is a small positive number that configures the shuffle sharding of requests into queues.'),
    col('QueueLengthLimit', 'string', 'queueLengthLimit is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time.'),
    AGE,
  ],
};

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function containers(o: Any): [string, string] {
  const cs = (o.spec?.template?.spec?.containers ?? []) as Any[];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

function ports(list: Any[] | undefined, withPort: (p: Any) => string): string {
  return list && list.length ? list.map(withPort).join(',') : '<none>';
}

/** "10.0.0.1:53,10.0.0.2:53 + 4 more..." as kubectl formats Endpoints. */
function endpointsCell(o: Any): string {
  const out: string[] = [];
  let total = 0;
  for (const s of (o.subsets ?? []) as Any[]) {
    for (const p of (s.ports?.length ? s.ports : [{}]) as Any[]) {
      for (const a of (s.addresses ?? []) as Any[]) {
        total++;
        if (out.length < 3) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      }
    }
  }
  if (!total) return '<none>';
  return total > 3 ? `${out.join(',')} + ${total - 3} more...` : out.join(',');
}

function cells(resource: string, o: Any, age: string): unknown[] {
  switch (resource) {
    case 'pods': {
      const cs = (o.status?.containerStatuses ?? []) as Any[];
      const ready = cs.filter((c) => c.ready).length;
      let status = o.status?.phase ?? 'Unknown';
      const waiting = cs.find((c) => c.state?.waiting)?.state.waiting.reason;
      if (waiting) status = waiting;
      if (o.metadata?.deletionTimestamp) status = 'Terminating';
      const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      return [o.metadata.name, `${ready}/${(o.spec?.containers ?? []).length}`, status, String(restarts), age, o.status?.podIP ?? '<none>', o.spec?.nodeName ?? '<none>', '<none>', '<none>'];
    }
    case 'nodes': {
      const ready = ((o.status?.conditions ?? []) as Any[]).find((c) => c.type === 'Ready');
      let status = ready?.status === 'True' ? 'Ready' : 'NotReady';
      if (o.spec?.unschedulable) status += ',SchedulingDisabled';
      const roles = Object.keys(o.metadata?.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length));
      const addr = (t: string): string => ((o.status?.addresses ?? []) as Any[]).find((a) => a.type === t)?.address ?? '<none>';
      const info = o.status?.nodeInfo ?? {};
      return [o.metadata.name, status, roles.length ? roles.sort().join(',') : '<none>', age, info.kubeletVersion, addr('InternalIP'), addr('ExternalIP'), info.osImage, info.kernelVersion, info.containerRuntimeVersion];
    }
    case 'namespaces':
      return [o.metadata.name, o.status?.phase ?? 'Active', age];
    case 'daemonsets': {
      const s = o.status ?? {};
      const [c, i] = containers(o);
      return [o.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0, formatLabels(o.spec?.template?.spec?.nodeSelector), age, c, i, formatLabels(o.spec?.selector?.matchLabels)];
    }
    case 'deployments': {
      const s = o.status ?? {};
      const [c, i] = containers(o);
      return [o.metadata.name, `${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age, c, i, formatLabels(o.spec?.selector?.matchLabels)];
    }
    case 'replicasets': {
      const s = o.status ?? {};
      const [c, i] = containers(o);
      return [o.metadata.name, o.spec?.replicas ?? 0, s.replicas ?? 0, s.readyReplicas ?? 0, age, c, i, formatLabels(o.spec?.selector?.matchLabels)];
    }
    case 'services':
      return [o.metadata.name, o.spec?.type, o.spec?.clusterIP ?? '<none>', '<none>', ports(o.spec?.ports, (p) => `${p.port}/${p.protocol}`), age, o.spec?.selector ? formatLabels(o.spec.selector) : '<none>'];
    case 'endpoints':
      return [o.metadata.name, endpointsCell(o), age];
    case 'endpointslices': {
      const eps = ((o.endpoints ?? []) as Any[]).flatMap((e) => e.addresses ?? []) as string[];
      const epCell = eps.length ? (eps.length > 3 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',')) : '<unset>';
      return [o.metadata.name, o.addressType, ports(o.ports, (p) => String(p.port)), epCell, age];
    }
    case 'leases':
      return [o.metadata.name, o.spec?.holderIdentity ?? '', age];
    case 'flowschemas':
      return [o.metadata.name, o.spec.priorityLevelConfiguration.name, String(o.spec.matchingPrecedence), o.spec.distinguisherMethod?.type ?? '<none>', age, 'False'];
    case 'prioritylevelconfigurations': {
      const l = o.spec.limited;
      const q = l?.limitResponse?.queuing;
      return [o.metadata.name, o.spec.type, l ? String(l.nominalConcurrencyShares) : '<none>', q ? String(q.queues) : '<none>', q ? String(q.handSize) : '<none>', q ? String(q.queueLengthLimit) : '<none>', age];
    }
    default:
      return [o.metadata.name, age];
  }
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function partialMetadata(o: Json): Json {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function columnDefinitions(resource: string): Json[] {
  return (COLUMNS[resource] ?? [NAME, AGE]).map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 }));
}

/** One row; `ageSeconds` turns a creationTimestamp into an age on the simulated clock. */
export function tableRow(resource: string, o: Json, ageSeconds: (creationTimestamp: string) => number, include: IncludeObject): Json {
  const m = o.metadata as { creationTimestamp: string };
  const row: Json = { cells: cells(resource, o, humanDuration(ageSeconds(m.creationTimestamp))) };
  if (include === 'Metadata') row.object = partialMetadata(o);
  else if (include === 'Object') row.object = o;
  return row;
}

/** A Table of objects. */
export function toTable(resource: string, objects: Json[], ageSeconds: (creationTimestamp: string) => number, include: IncludeObject, listMeta: Json): Json {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columnDefinitions(resource),
    rows: objects.map((o) => tableRow(resource, o, ageSeconds, include)),
  };
}

/** Does an Accept header ask for a Table (as=Table;g=meta.k8s.io)? */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function wantsPartialMetadata(accept: string | undefined): 'list' | 'object' | undefined {
  if (!accept) return undefined;
  if (/as=PartialObjectMetadataList/.test(accept)) return 'list';
  if (/as=PartialObjectMetadata\b/.test(accept)) return 'object';
  return undefined;
}
