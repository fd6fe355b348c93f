// cilium-agent. The Cilium repository was not readable here: the calls come from the project's
// docs, pull requests and issues, cited below. Versions: ≤1.7 every agent watched all pods (PR
// #11249, 1.8, scoped them to its node); identities are CRDs by default since 1.6; the
// CiliumEndpointSlice mode exists from 1.11.
import type { Agent, AgentContext } from './types';
import { call, olderThan, result } from './util';

/** A cilium-config setting as the agent reads it: the mounted --config-dir file, CILIUM_<KEY> env, or --<key>. */
export function ciliumSetting(ctx: AgentContext, key: string): string | undefined {
  const flag = ctx.flags.get(key);
  if (flag !== undefined) return flag;
  const env = ctx.env[`CILIUM_${key.toUpperCase().replace(/-/g, '_')}`];
  if (env !== undefined && !env.includes('$(')) return env;
  const c = ctx.configs.find((x) => x.key === key);
  return c ? c.text.trim() : undefined;
}

/** --config-dir names a mounted ConfigMap that is not in these files: the settings are unknown (without --config-dir the defaults apply). */
export const ciliumConfigMissing = (ctx: AgentContext) => ctx.flags.has('config-dir') && !ctx.configs.some((c) => /^(identity-allocation-mode|cluster-name|tunnel|ipam|kube-proxy-replacement|enable-ipv4|debug)$/.test(c.key));

const isTrue = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v.trim());

export const cilium: Agent = {
  id: 'cilium',
  name: 'Cilium agent',
  category: 'cni',
  summary:
    'Every agent watches Services, EndpointSlices, Namespaces and network policies cluster-wide and its own node\'s pods (all pods before 1.8); with CRD identities and no kvstore it also watches every CiliumEndpoint (one per pod), CiliumIdentity and CiliumNode of the cluster. enable-cilium-endpoint-slice (1.11+) swaps CiliumEndpoints for batched CiliumEndpointSlices; a kvstore (kvstore: etcd with identity-allocation-mode: kvstore) moves endpoints, identities and nodes to etcd; disable-endpoint-crd makes it watch all pods.',
  sources: [
    'cilium/cilium#15153 (2021): "Given that all CEPs are watched by all Cilium-agents, this translates to 2*#Nodes watch event per CEP even if they are completely static"',
    'cilium/cilium PR #11249 (Cilium 1.8) "Watch for CEPs in the cluster instead of all pods": the pod watch gets fields.ParseSelectorOrDie("spec.nodeName="+nodeName), only "when running with CiliumEndpoint CRD enabled"',
    'docs.cilium.io network/kubernetes/ciliumendpointslice (1.11+, beta): "Cilium agent watches CES objects to learn about remote endpoints in this mode. API-server stress due to remote endpoint info propagation should be reduced"',
    'cilium/cilium Documentation/gettingstarted/k8s-install-external-etcd.rst@v1.8: use a kvstore "If you are running in an environment with more than 250 nodes, 5k pods, or if you observe a high overhead in state propagation caused by Kubernetes events"',
    'cilium/cilium install/kubernetes/quick-install.yaml@17aabf4 cilium-config: identity-allocation-mode "crd" (the kvstore mode "stores identities in a kvstore, etcd or consul"; "Cilium versions before 1.6 supported only the kvstore backend")',
    'cilium/cilium#26069: "cilium-agents watch all EndpointSlice objects" (service load-balancing, kube-proxy-replacement)',
  ],
  image: /(^|\/)cilium\/cilium(-dev)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const argv = [...ctx.container.command, ...ctx.container.args];
    if (argv.length && !argv.some((a) => /(^|\/)cilium-agent$/.test(a))) {
      r.notes.push(`cilium image running ${argv[0]}: not the agent, no API calls assumed`);
      return r;
    }
    if (ciliumConfigMissing(ctx)) {
      r.unknown = true;
      r.notes.push('cilium-agent without its cilium-config in these files: its API usage depends on identity-allocation-mode, kvstore and enable-cilium-endpoint-slice');
      return r;
    }
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const img = ctx.container.image;
    const identityMode = (ciliumSetting(ctx, 'identity-allocation-mode') ?? (olderThan(img, [1, 6]) ? 'kvstore' : 'crd')).toLowerCase();
    const kvstore = (ciliumSetting(ctx, 'kvstore') ?? '').trim();
    const viaKvstore = kvstore !== '' && identityMode === 'kvstore';
    const ces = isTrue(ciliumSetting(ctx, 'enable-cilium-endpoint-slice')) && !olderThan(img, [1, 11]);
    const noCep = isTrue(ciliumSetting(ctx, 'disable-endpoint-crd'));
    const allPods = noCep || olderThan(img, [1, 8]);
    const w = (resource: string, scope: 'cluster' | 'node', why: string, inherent = false) => r.calls.push(call({ verb: 'watch', resource, scope, rv: '0', inherent }, at, 'Cilium agent', why));

    w('pods', allPods ? 'cluster' : 'node', allPods ? (noCep ? 'every pod of the cluster (disable-endpoint-crd: no CiliumEndpoints)' : 'every pod of the cluster (before 1.8, PR #11249)') : 'the pods of its node (spec.nodeName field selector, 1.8+)');
    if (viaKvstore) {
      r.notes.push(`kvstore ${kvstore} with identity-allocation-mode kvstore: remote endpoints, identities and nodes come from etcd, not from CRD watches`);
    } else {
      if (!noCep) w(ces ? 'ciliumendpointslices' : 'ciliumendpoints', 'cluster', ces ? 'every CiliumEndpointSlice (remote endpoints, batched by the operator)' : 'every CiliumEndpoint of the cluster (one per pod): remote endpoints for the ipcache');
      if (identityMode === 'crd') w('ciliumidentities', 'cluster', 'every CiliumIdentity (identity-allocation-mode crd)');
      else r.notes.push(`identity-allocation-mode ${identityMode}${kvstore ? '' : ' without a kvstore configured'}`);
      w('ciliumnodes', 'cluster', 'every CiliumNode (node discovery in CRD mode)');
      if (kvstore) r.notes.push(`kvstore ${kvstore} with CRD identities: CiliumEndpoint and CiliumNode watches kept (which of them move to etcd then is not established here)`);
      if (!ces) r.hints.push({ rule: 'fanout-proxy', file: at.file, line: at.line, message: 'every Cilium agent watches every CiliumEndpoint, CiliumIdentity and CiliumNode of the cluster itself', change: 'enable-cilium-endpoint-slice: "true" (Cilium 1.11+), or a kvstore (kvstore: etcd, identity-allocation-mode: kvstore), which Cilium advises above 250 nodes or 5k pods' });
    }
    w('services', 'cluster', 'every Service (service load-balancing, as kube-proxy)', true);
    w('endpointslices', 'cluster', 'every EndpointSlice (service load-balancing, as kube-proxy)', true);
    w('namespaces', 'cluster', 'every Namespace (policy labels)');
    w('networkpolicies', 'cluster', 'every NetworkPolicy');
    w('ciliumnetworkpolicies', 'cluster', 'every CiliumNetworkPolicy');
    w('ciliumclusterwidenetworkpolicies', 'cluster', 'every CiliumClusterwideNetworkPolicy');
    r.notes.push('the agent also creates/updates the CiliumEndpoint of each pod on its node and its own CiliumNode (not counted)');
    return r;
  },
};
