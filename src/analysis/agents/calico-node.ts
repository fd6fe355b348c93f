import type { Agent } from './types';
import { call, result } from './util';

export const CALICO_RESOURCES = ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'services', 'endpointslices', 'globalnetworkpolicies', 'ippools', 'hostendpoints', 'felixconfigurations', 'bgpconfigurations', 'bgppeers', 'profiles', 'clusterinformations'];

/**
 * calico-node (Felix) with the Kubernetes datastore: through Typha when FELIX_TYPHAK8SSERVICENAME
 * names a Typha service — "Typha sits in between Felix and the API server, reducing Calico's
 * load on the API server"; recommended above 50 nodes, essential above 100, one replica per
 * 100–200 nodes [D8]. Without Typha every Felix watches the datastore itself.
 */
export const calicoNode: Agent = {
  id: 'calico-node',
  name: 'calico-node',
  category: 'cni',
  summary: "Felix watches the Kubernetes datastore itself, unless FELIX_TYPHAK8SSERVICENAME points it at Typha, which fans one set of watches out to every node.",
  sources: [
    "projectcalico/calico manifests/calico-typha.yaml (comments): \"Typha sits in between Felix and the API server, reducing Calico's load on the API server\"; \"Above 100 nodes it is essential (when using the Kubernetes datastore). Use one replica for every 100-200 nodes\"",
  ],
  image: /calico\/node(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const typha = ctx.env.FELIX_TYPHAK8SSERVICENAME;
    const datastore = (ctx.env.DATASTORE_TYPE ?? 'kubernetes').toLowerCase();
    if (datastore !== 'kubernetes') {
      r.notes.push(`calico-node with datastore ${datastore}: not the Kubernetes API`);
      return r;
    }
    const at = { file: ctx.workload.file, line: ctx.container.line };
    if (typha && typha !== 'none' && !typha.includes('$(')) {
      r.notes.push(`calico-node reads the datastore through Typha (FELIX_TYPHAK8SSERVICENAME=${typha}) [D8]`);
      return r;
    }
    for (const res of CALICO_RESOURCES) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-node', `Felix watches ${res} itself (no Typha) [D8]`));
    r.hints.push({ rule: 'fanout-proxy', file: at.file, line: at.line, message: 'every calico-node (Felix) watches the datastore itself', change: 'deploy calico-typha (one replica per 100–200 nodes) and set FELIX_TYPHAK8SSERVICENAME on calico-node [D8]' });
    return r;
  },
};
