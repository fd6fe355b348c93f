// calico-node: Felix (policy and routes), confd (BIRD configuration), the tunnel-address allocator
// and the status reporter, with the Kubernetes datastore (KDD). Calls read from projectcalico/calico
// at 8b08738 (2022-06, the era of the corpus manifests calico.yaml and calico-typha.yaml).
import type { Agent, AgentContext } from './types';
import { call, result } from './util';

/** What Felix's syncer watches (libcalico-go felixsyncerv1.go): resource, and why. */
const FELIX: [string, string][] = [
  ['clusterinformations', 'ClusterInformation'],
  ['felixconfigurations', 'FelixConfiguration'],
  ['globalnetworkpolicies', 'GlobalNetworkPolicy'],
  ['globalnetworksets', 'GlobalNetworkSet'],
  ['ippools', 'IPPool'],
  ['nodes', 'Node: every node of the cluster'],
  ['namespaces', 'Profile (namespaces)'],
  ['serviceaccounts', 'Profile (service accounts)'],
  ['pods', 'WorkloadEndpoint: every pod of the cluster, no node field selector'],
  ['networkpolicies.crd.projectcalico.org', 'Calico NetworkPolicy'],
  ['networksets', 'NetworkSet'],
  ['hostendpoints', 'HostEndpoint'],
  ['bgpconfigurations', 'BGPConfiguration'],
  ['networkpolicies', 'Kubernetes NetworkPolicy (KDD only)'],
  ['endpointslices', 'EndpointSlice (KDD only)'],
  ['services', 'Service (KDD only)'],
];

/** What confd's BGP syncer watches (libcalico-go bgpsyncer.go). */
const CONFD: [string, string][] = [
  ['ippools', 'IPPool'],
  ['bgpconfigurations', 'BGPConfiguration'],
  ['nodes', 'Node: every node ("if the node-to-node mesh is enabled then we need to monitor all nodes")'],
  ['bgppeers', 'BGPPeer'],
];

/** The resources one copy of the Calico datastore covers: Typha serves these to every Felix and confd. */
export const CALICO_RESOURCES = [...new Set([...FELIX, ...CONFD].map(([r]) => r)), 'ipamblocks', 'blockaffinities'];

const unresolved = (v: string | undefined) => v === undefined || v.trim() === '' || v.trim() === 'none' || v.includes('$(');

/**
 * Does calico-node read the datastore through Typha? Felix, confd, the allocator and the status
 * reporter read the Typha settings with the prefixes FELIX_, CONFD_ and CALICO_ (confd config.go
 * ReadTyphaConfig([]string{"CONFD_", "FELIX_", "CALICO_"})).
 */
export function typhaSetting(env: Record<string, string>): string | undefined {
  for (const p of ['FELIX_', 'CONFD_', 'CALICO_']) {
    for (const k of ['TYPHAK8SSERVICENAME', 'TYPHAADDR']) if (!unresolved(env[p + k])) return `${p}${k}=${env[p + k]}`;
  }
  return undefined;
}

/** Calico IPAM (IPAM blocks and block affinities) unless host-local IPAM on the node's podCIDR (USE_POD_CIDR). */
export const calicoIpam = (env: Record<string, string>) => !/^true$/i.test(env.USE_POD_CIDR ?? '');

function datastore(ctx: AgentContext): string {
  return (ctx.env.DATASTORE_TYPE ?? ctx.env.CALICO_DATASTORE_TYPE ?? 'kubernetes').toLowerCase();
}

export const calicoNode: Agent = {
  id: 'calico-node',
  name: 'calico-node',
  category: 'cni',
  summary:
    'Without Typha every calico-node watches the whole Kubernetes datastore itself: Felix all pods, nodes, namespaces, service accounts, policies, Services, EndpointSlices and IPAM blocks, confd all nodes, BGP peers and block affinities; with FELIX_TYPHAK8SSERVICENAME (or TYPHAADDR) it reads them from Typha instead. USE_POD_CIDR=true drops the IPAM watches; DATASTORE_TYPE=etcdv3 uses etcd.',
  sources: [
    "projectcalico/calico manifests/calico-typha.yaml (comments): \"Typha sits in between Felix and the API server, reducing Calico's load on the API server\"; \"Above 100 nodes it is essential (when using the Kubernetes datastore). Use one replica for every 100-200 nodes\"",
    'projectcalico/calico libcalico-go/lib/backend/syncersv1/felixsyncer/felixsyncerv1.go@8b08738: ClusterInformation, FelixConfiguration; as the active Felix GlobalNetworkPolicy, GlobalNetworkSet, IPPool, Node, Profile, WorkloadEndpoint, NetworkPolicy, NetworkSet, HostEndpoint, BGPConfiguration; with DatastoreType Kubernetes also Kubernetes NetworkPolicies, EndpointSlices and Services; "if !cfg.K8sUsePodCIDR" IPAM blocks',
    'projectcalico/calico libcalico-go/lib/backend/syncersv1/bgpsyncer/bgpsyncer.go@8b08738: IPPool, BGPConfiguration, Node, BGPPeer, and BlockAffinityListOptions{Host: node} unless K8sUsePodCIDR; libcalico-go/lib/backend/k8s/resources/ipam_affinity.go Watch uses fields.Everything() (the host is filtered client-side)',
    'projectcalico/calico libcalico-go/lib/backend/k8s/resources/workloadendpoint.go@8b08738 Watch: a field selector only when a single name is asked, so Felix watches every pod',
    'projectcalico/calico libcalico-go/lib/backend/syncersv1/watchersyncer/watchercache.go@8b08738: LIST then WATCH, starting at revision "0"',
    'projectcalico/calico felix/config/config_params.go@8b08738: TyphaAddr, TyphaK8sServiceName, TyphaK8sNamespace (default kube-system); confd/pkg/config/config.go ReadTyphaConfig([]string{"CONFD_", "FELIX_", "CALICO_"})',
    'projectcalico/calico libcalico-go/lib/apiconfig/apiconfig.go: K8sUsePodCIDR `envconfig:"USE_POD_CIDR"`, "set to true when using host-local IPAM"',
    'projectcalico/calico calico/getting-started/kubernetes/self-managed-onprem/onpremises.md@8b08738: calico.yaml is "Kubernetes API datastore, 50 nodes or less"; more than 50 nodes uses Typha',
  ],
  image: /(^|\/)calico\/node(-windows)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    // `calico-node -init` (the mount-bpffs init container) only prepares the host.
    if (ctx.flags.has('init')) {
      r.notes.push('calico-node -init: prepares the host, no datastore access');
      return r;
    }
    const store = datastore(ctx);
    if (store !== 'kubernetes') {
      r.notes.push(`calico-node with datastore ${store}: not the Kubernetes API`);
      return r;
    }
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const typha = typhaSetting(ctx.env);
    if (typha) {
      r.notes.push(`calico-node reads the datastore through Typha (${typha}) [D8]; left out as negligible: its start-up GET/UPDATE of its own Node, the Typha Endpoints lookup on (re)connect, and the CNI plugin's GET pod/namespace and PATCH pods/status per pod it sets up`);
      return r;
    }
    const ipam = calicoIpam(ctx.env);
    for (const [res, what] of FELIX) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-node', `Felix watches ${what} itself (no Typha)`));
    if (ipam) r.calls.push(call({ verb: 'watch', resource: 'ipamblocks', scope: 'cluster', rv: '0' }, at, 'calico-node', 'Felix watches every IPAM block (Calico IPAM)'));
    // confd runs only with the BIRD backend (CALICO_NETWORKING_BACKEND bird, the default).
    const backend = (ctx.env.CALICO_NETWORKING_BACKEND ?? 'bird').toLowerCase();
    if (backend === 'bird') {
      for (const [res, what] of CONFD) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-node', `confd watches ${what} itself (no Typha)`));
      if (ipam) r.calls.push(call({ verb: 'watch', resource: 'blockaffinities', scope: 'cluster', rv: '0' }, at, 'calico-node', 'confd watches every block affinity (filtered to its host client-side)'));
    } else r.notes.push(`CALICO_NETWORKING_BACKEND=${backend}: no confd/BIRD`);
    r.hints.push({ rule: 'fanout-proxy', file: at.file, line: at.line, message: 'every calico-node (Felix, confd) watches the datastore itself', change: 'deploy calico-typha (one replica per 100–200 nodes) and set FELIX_TYPHAK8SSERVICENAME on calico-node [D8]' });
    return r;
  },
};
