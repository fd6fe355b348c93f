// Tetragon operator: installs the CRDs and, with PodInfo, reconciles every pod into a PodInfo.
import type { Agent } from './types';
import { configDirOption } from './tetragon';
import { call, result } from './util';

export const tetragonOperator: Agent = {
  id: 'tetragon-operator',
  name: 'Tetragon operator',
  category: 'security',
  summary: 'One Deployment: creates or updates the Tetragon CRDs at start; unless skip-pod-info-crd (the chart sets it unless tetragonOperator.podInfo.enabled) it also watches every pod, from one client (leader-elected with leader-election).',
  sources: [
    'cilium/tetragon operator/cmd/serve/serve.go@4fbfe2d: --leader-election default false (controller-runtime manager: controllers run on the leader); the PodInfo controller starts unless SkipPodInfoCRD (operator/cmd/common/common.go: skip-pod-info-crd default false)',
    'cilium/tetragon install/kubernetes/tetragon/templates/operator_configmap.yaml@4fbfe2d: skip-pod-info-crd = not tetragonOperator.podInfo.enabled, leader-election = failoverLease.enabled (keys of its --config-dir)',
  ],
  image: /(^|\/)cilium\/tetragon-operator(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.calls.push(call({ verb: 'get', resource: 'customresourcedefinitions', scope: 'cluster', atStart: 1 }, at, 'Tetragon operator', 'its CRDs at start (create or update)'));
    const skip = configDirOption(ctx, 'skip-pod-info-crd');
    if (skip.value === undefined && ctx.flags.has('config-dir') && !ctx.configs.length) return { ...r, unknown: true, notes: ['Tetragon operator: its --config-dir ConfigMap is not in these files; usage unknown'] };
    r.leaderElection = configDirOption(ctx, 'leader-election').value === 'true';
    // skip-pod-info-crd defaults to false in the binary: the PodInfo controller runs unless told not to.
    if (skip.value !== 'true') {
      r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'cluster', rv: '0', leaderOnly: r.leaderElection }, skip, 'Tetragon operator', 'every pod, to keep a PodInfo per pod (PodInfo controller)'));
    }
    return r;
  },
};
