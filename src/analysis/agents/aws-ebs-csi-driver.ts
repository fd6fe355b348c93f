// AWS EBS CSI driver: one image for the node plugin (DaemonSet, first arg `node`) and the
// controller plugin (Deployment, `controller`; no mode = both). Calls read from
// kubernetes-sigs/aws-ebs-csi-driver at v1.46.0.
import type { Agent } from './types';
import { argLine, call, result } from './util';

export const awsEbsCsiDriver: Agent = {
  id: 'aws-ebs-csi-driver',
  name: 'AWS EBS CSI driver',
  category: 'node',
  summary: "Node plugin: at start a short-lived informer on its own Node (removes the agent-not-ready taint by a PATCH) and a GET of its own CSINode; instance metadata from IMDS (its Node only if IMDS fails); the controller plugin calls the EC2 API, not the API server.",
  sources: [
    'kubernetes-sigs/aws-ebs-csi-driver pkg/driver/node.go@v1.46.0 startNotReadyTaintWatcher(): Node informer with FieldSelector "metadata.name=" + nodeName, stopped after taintWatcherDuration = 1 * time.Minute; removeNotReadyTaint: JSON PATCH of its own Node; checkAllocatable: GET of its own CSINode',
    'kubernetes-sigs/aws-ebs-csi-driver pkg/cloud/metadata/metadata.go@v1.46.0: DefaultMetadataSources = imds, kubernetes (k8s.go GETs its own Node only when IMDS is unavailable)',
    'kubernetes-sigs/aws-ebs-csi-driver cmd/hooks/prestop.go@v1.46.0: the preStop hook watches VolumeAttachments only when its node carries a drain taint',
  ],
  image: /(^|\/)aws-ebs-csi-driver(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const mode = ctx.container.args[0] && !ctx.container.args[0].startsWith('-') ? ctx.container.args[0] : 'all';
    if (mode === 'controller') {
      r.notes.push('EBS CSI controller plugin: creates and attaches volumes through the EC2 API; its Kubernetes side is the csi-* sidecars');
      return r;
    }
    const at = mode === 'node' ? argLine(ctx, 'node') : { file: ctx.workload.file, line: ctx.container.line };
    r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv: '0' }, at, 'EBS CSI node', 'its own Node for a minute after start (metadata.name field selector), to remove the agent-not-ready taint'));
    r.calls.push(call({ verb: 'patch', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'EBS CSI node', 'its own Node: removes the ebs.csi.aws.com/agent-not-ready taint'));
    r.calls.push(call({ verb: 'get', resource: 'csinodes', scope: 'node', atStart: 1 }, at, 'EBS CSI node', 'its own CSINode (allocatable volume count)'));
    const sources = ctx.flags.get('metadata-sources');
    if (sources && !/imds/.test(sources) && /kubernetes/.test(sources)) r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1 }, argLine(ctx, 'metadata-sources'), 'EBS CSI node', 'its own Node for instance metadata (--metadata-sources without imds)'));
    r.notes.push('EBS CSI node: the preStop hook lists VolumeAttachments cluster-wide only while its node is drained');
    return r;
  },
};
