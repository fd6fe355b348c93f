// Discovery documents (legacy, non-aggregated format: kubectl and client-go fall back to it when
// the server answers plain application/json) and the resource table the router uses.
import type { Json } from './objects';
import { KUBE_VERSION } from './objects';

export interface ResourceDef {
  name: string;
  singularName: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Fields a field selector may use besides metadata.name and metadata.namespace. */
  fields: string[];
  subresources: Array<{ name: string; kind: string; group?: string; version?: string; verbs: string[] }>;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS = (kind: string): ResourceDef['subresources'][number] => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const SCALE = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

export const RESOURCES: ResourceDef[] = [
  { name: 'namespaces', singularName: 'namespace', kind: 'Namespace', group: '', version: 'v1', namespaced: false, shortNames: ['ns'], fields: ['status.phase'], subresources: [STATUS('Namespace')] },
  { name: 'nodes', singularName: 'node', kind: 'Node', group: '', version: 'v1', namespaced: false, shortNames: ['no'], fields: ['spec.unschedulable'], subresources: [STATUS('Node')] },
  {
    name: 'pods',
    singularName: 'pod',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    fields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
    subresources: [STATUS('Pod')],
  },
  { name: 'services', singularName: 'service', kind: 'Service', group: '', version: 'v1', namespaced: true, shortNames: ['svc'], categories: ['all'], fields: ['spec.clusterIP', 'spec.type'], subresources: [STATUS('Service')] },
  { name: 'endpoints', singularName: 'endpoints', kind: 'Endpoints', group: '', version: 'v1', namespaced: true, shortNames: ['ep'], fields: [], subresources: [] },
  { name: 'daemonsets', singularName: 'daemonset', kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true, shortNames: ['ds'], categories: ['all'], fields: [], subresources: [STATUS('DaemonSet')] },
  { name: 'deployments', singularName: 'deployment', kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true, shortNames: ['deploy'], categories: ['all'], fields: [], subresources: [SCALE, STATUS('Deployment')] },
  { name: 'replicasets', singularName: 'replicaset', kind: 'ReplicaSet', group: 'apps', version: 'v1', namespaced: true, shortNames: ['rs'], categories: ['all'], fields: [], subresources: [STATUS('ReplicaSet')] },
  { name: 'leases', singularName: 'lease', kind: 'Lease', group: 'coordination.k8s.io', version: 'v1', namespaced: true, fields: [], subresources: [] },
  { name: 'endpointslices', singularName: 'endpointslice', kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', namespaced: true, fields: [], subresources: [] },
  { name: 'flowschemas', singularName: 'flowschema', kind: 'FlowSchema', group: 'flowcontrol.apiserver.k8s.io', version: 'v1', namespaced: false, fields: [], subresources: [STATUS('FlowSchema')] },
  { name: 'prioritylevelconfigurations', singularName: 'prioritylevelconfiguration', kind: 'PriorityLevelConfiguration', group: 'flowcontrol.apiserver.k8s.io', version: 'v1', namespaced: false, fields: [], subresources: [STATUS('PriorityLevelConfiguration')] },
];

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function findResource(group: string, version: string, name: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

function groups(): string[] {
  return [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
}

export function versionInfo(): Json {
  const [major, minor] = KUBE_VERSION.slice(1).split('.');
  return {
    major,
    minor,
    gitVersion: KUBE_VERSION,
    gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b',
    gitTreeState: 'clean',
    buildDate: '2024-12-10T11:36:01Z',
    goVersion: 'go1.22.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): Json {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(g: string): Json {
  const gv = { groupVersion: `${g}/v1`, version: 'v1' };
  return { name: g, versions: [gv], preferredVersion: gv };
}

export function apiGroupList(): Json {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(groupEntry) };
}

export function apiGroup(g: string): Json | undefined {
  return groups().includes(g) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) } : undefined;
}

export function apiResourceList(group: string, version: string): Json | undefined {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!defs.length) return undefined;
  const resources: Json[] = [];
  for (const r of defs) {
    resources.push({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: RW,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      resources.push({ name: `${r.name}/${s.name}`, singularName: '', namespaced: r.namespaced, ...(s.group ? { group: s.group, version: s.version } : {}), kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}
