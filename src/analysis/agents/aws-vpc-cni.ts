// AWS VPC CNI (aws-node, L-IPAMD). What it caches changed from release to release, so the calls
// follow the image tag. Read from aws/amazon-vpc-cni-k8s at the tags named below.
import type { Agent } from './types';
import { call, imageVersion, olderThan, POD_CHURN_PER_SECOND, result } from './util';

const on = (v: string | undefined) => v !== undefined && /^true$/i.test(v.trim());

export const awsVpcCni: Agent = {
  id: 'aws-vpc-cni',
  name: 'AWS VPC CNI (aws-node)',
  category: 'cni',
  summary:
    'By image tag: ≤1.5 watches all pods; 1.6–1.8 only its node\'s pods; 1.9–1.18.5 a controller-runtime cache with no node filter, so reading its own Node watches every Node (and 1.13.0–1.13.2 every pod, 1.15–1.19 every CNINode with custom networking or pods\' security groups); 1.18.6+ filters Nodes to its own (MY_NODE_NAME), 1.20+ caches its CNINode only with ENABLE_POD_ENI. AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG adds an ENIConfig watch; ENABLE_POD_ENI a GET per new pod; ANNOTATE_POD_IP a PATCH per new pod.',
  sources: [
    'aws/amazon-vpc-cni-k8s pkg/k8sapi/discovery.go@v1.5.5: pod informer NewListWatchFromClient(..., "pods", NamespaceAll, fields.Everything()); commit d73d118 (v1.6/v1.7) "Scope watch on \\"pods\\" to only pods associated with the local node"',
    'aws/amazon-vpc-cni-k8s pkg/k8sapi/k8sutils.go@0055425 (v1.12.1) CreateCachedKubeClient: cache.New(restCfg, cache.Options{Scheme, Mapper}) with no selectors; pkg/ipamd/ipamd.go@0055425 isNodeNonSchedulable (pool loop, ipPoolMonitorInterval 5s) and SetNodeLabel read the own Node through cachedK8SClient.Get, which starts an informer on every Node; SetNodeLabel then cachedK8SClient.Update',
    'aws/amazon-vpc-cni-k8s pkg/ipamd/ipamd.go@0055425 l.836: eniconfig.MyENIConfig (a cached read of ENIConfigs) only "if c.useCustomNetworking"; l.1937 GetPod and l.1960 AnnotatePod use rawK8SClient',
    'aws/amazon-vpc-cni-k8s pkg/utils/eventrecorder/eventrecorder.go@v1.13.0 findMyPod: cachedK8SClient.Get of its pod (a cluster-wide pod informer); issue #2436 "10x memory usage in `1.13.2` compared to `1.12.x`"; pkg/k8sapi/k8sutils.go@v1.13.3 SelectorsByObject Pod spec.nodeName',
    'aws/amazon-vpc-cni-k8s commit 481f2e1 (v1.15.0): CNINode read through the cache (AddFeatureToCNINode); commit 0e8092b (v1.20.0, PR #3242) "only cache CNINode when SGP is in use"',
    'aws/amazon-vpc-cni-k8s pkg/k8sapi/k8sutils.go@v1.18.6 getIPAMDCacheFilters: Node metadata.name=<MY_NODE_NAME> (commit 0703d03, PR #2888 "Add byobject filter on nodes": "reduce the number of node object VPC CNI watches for to just the node it is managing"); issue #3158 (2024-12): "VpcCNI is making list calls on all nodes & CNINode in cluster and causing scalability issues on large clusters"',
  ],
  // Not amazon-k8s-cni-init (the init container, no API).
  image: /(^|\/)amazon-k8s-cni(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const img = ctx.container.image;
    const v = imageVersion(img);
    const tag = v ? `v${v.join('.')}` : 'an unknown version (assumed current)';
    const older = (x: number[]) => olderThan(img, x);
    const nodeName = ctx.env.MY_NODE_NAME !== undefined;
    const customNet = on(ctx.env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG);
    const podEni = on(ctx.env.ENABLE_POD_ENI);
    const w = (resource: string, scope: 'cluster' | 'node', why: string) => r.calls.push(call({ verb: 'watch', resource, scope, rv: '0' }, at, 'aws-node', `${why} (${tag})`));

    if (older([1, 6])) {
      w('pods', 'cluster', 'every pod of the cluster (pod informer without a field selector, ≤1.5)');
      return r;
    }
    if (older([1, 9])) {
      w('pods', 'node', "its node's pods (spec.nodeName field selector, 1.6–1.8)");
      return r;
    }
    // 1.9+: the controller-runtime cache; a node filter from 1.18.6 when MY_NODE_NAME is given.
    const nodeFiltered = !older([1, 18, 6]) && nodeName;
    w('nodes', nodeFiltered ? 'node' : 'cluster', nodeFiltered ? 'its own Node (cache filter metadata.name, 1.18.6+)' : 'every Node: its own Node is read through an unfiltered controller-runtime cache (1.9–1.18.5)');
    r.calls.push(call({ verb: 'update', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'aws-node', 'its Node labels at start (SetNodeLabel)'));
    if (!older([1, 13]) && older([1, 13, 3])) w('pods', 'cluster', 'every pod: the event recorder reads its own pod through the unfiltered cache (1.13.0–1.13.2)');
    else if (!older([1, 13, 3])) w('pods', nodeName ? 'node' : 'cluster', nodeName ? "its node's pods (cache filter spec.nodeName, 1.13.3+)" : 'every pod: no MY_NODE_NAME for the cache filter');
    if (customNet) w('eniconfigs', 'cluster', 'every ENIConfig (custom networking)');
    if (!older([1, 15]) && older([1, 20]) && (customNet || podEni)) w('cninodes', 'cluster', 'every CNINode: its own is read through the unfiltered cache (1.15–1.19, custom networking or security groups for pods)');
    if (!older([1, 20]) && podEni) w('cninodes', 'node', 'its own CNINode (1.20+, only with ENABLE_POD_ENI)');
    if (podEni) r.calls.push(call({ verb: 'get', resource: 'pods', scope: 'namespace', perPodOnNode: POD_CHURN_PER_SECOND, atStart: 0 }, at, 'aws-node', 'each new pod on its node (ENABLE_POD_ENI: security groups for pods)'));
    if (on(ctx.env.ANNOTATE_POD_IP)) r.calls.push(call({ verb: 'patch', resource: 'pods', scope: 'namespace', perPodOnNode: POD_CHURN_PER_SECOND, atStart: 0 }, at, 'aws-node', 'each new pod on its node (ANNOTATE_POD_IP: vpc.amazonaws.com/pod-ips)'));
    if (!nodeName && !older([1, 14])) r.notes.push('aws-node without MY_NODE_NAME: 1.14+ builds its cache without the node filters');
    const policyAgent = ctx.workload.containers.find((c) => !c.init && /aws-network-policy-agent|aws-eks-nodeagent/i.test(`${c.image} ${c.name}`));
    if (policyAgent) r.unmodelled = [`network policy agent container ${policyAgent.name}`];
    return r;
  },
};
