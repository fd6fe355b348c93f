// Tracee (aquasecurity/tracee): one image for the per-node agent (/tracee/tracee) and the
// operator (/tracee/tracee-operator). Calls read at 026a9d4 (chart tracee-0.22.1).
import type { Agent } from './types';
import { call, programOf, result } from './util';

export const tracee: Agent = {
  id: 'tracee',
  name: 'Tracee',
  category: 'security',
  summary: 'Each agent LISTs the cluster-scoped Policy CRD once at start (no informer; container metadata from the runtime sockets); the operator (one client) watches Policies and the Tracee DaemonSet and restarts the agents when a policy changes.',
  sources: [
    'aquasecurity/tracee pkg/cmd/cobra/cobra.go@026a9d4: "Try to get policies from kubernetes CRD, policy files and CLI in that order" (k8s.New() then GetPolicy())',
    'aquasecurity/tracee pkg/k8s/policy.go@026a9d4 GetPolicy: Get().Resource("policies") of tracee.aquasec.com/v1beta1, one request, no resourceVersion, no informer',
    'aquasecurity/tracee pkg/k8s/controller/controller.go@026a9d4: PolicyReconciler For(&v1beta1.Policy{}); Gets the Tracee DaemonSet through the cached client and Updates its pod-template annotation tracee-operator-restarted; cmd/tracee-operator/main.go: --leader-elect default false',
  ],
  image: /(^|\/)aquasec\/tracee(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.commandLines[0] ?? ctx.container.line };
    if (programOf(ctx) === 'tracee-operator') {
      const leader = ctx.flags.has('leader-elect') && ctx.flags.get('leader-elect') !== 'false';
      r.leaderElection = leader;
      r.calls.push(call({ verb: 'watch', resource: 'policies', scope: 'cluster', rv: '0', leaderOnly: leader }, at, 'tracee-operator', 'Tracee Policies (cluster-scoped CRD)'));
      r.calls.push(call({ verb: 'watch', resource: 'daemonsets', scope: 'cluster', rv: '0', leaderOnly: leader }, at, 'tracee-operator', 'DaemonSets (controller-runtime cached client, to find the Tracee DaemonSet)'));
      r.calls.push(call({ verb: 'update', resource: 'daemonsets', scope: 'namespace', leaderOnly: leader }, at, 'tracee-operator', 'the Tracee DaemonSet when a Policy changes (rolling restart of the agents)'));
      return r;
    }
    r.calls.push(call({ verb: 'list', resource: 'policies', scope: 'cluster', atStart: 1 }, at, 'tracee', 'Tracee Policies once at start (cluster-scoped CRD, no resourceVersion, no informer)'));
    r.notes.push('tracee: container metadata from the runtime sockets, no pod reads; policy changes arrive by a restart from the operator');
    return r;
  },
};
