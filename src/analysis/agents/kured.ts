// kured: the reboot daemon. It reads the API server at start and while its node reboots; the
// periodic check is a local sentinel file. Calls read from kubereboot/kured
// cmd/kured/main.go@0ad1867 (tag 1.20.0).
import { parseSeconds } from '../../common/duration';
import type { Agent } from './types';
import { call, result } from './util';

export const kured: Agent = {
  id: 'kured',
  name: 'kured',
  category: 'node',
  summary: 'At start a GET of its lock (an annotation on its own DaemonSet) and of its own Node; every --period (1h) it checks a local sentinel and calls nothing unless a reboot is due; a reboot (one node at a time, --concurrency) gets its Node, takes the lock (DaemonSet update), cordons and drains its own node (pods by spec.nodeName).',
  sources: [
    'kubereboot/kured cmd/kured/main.go@0ad1867 (1.20.0) rebootAsRequired(): first loop lock.Holding() (pkg/daemonsetlock GetDaemonSet: DaemonSets(ns).Get); taints.New GETs its own Node (pkg/taints taintExists); then every --period (default time.Minute*60, "sentinel check period") checker.RebootRequired() and `continue` when no reboot is required',
    'kubereboot/kured cmd/kured/main.go@0ad1867: when a reboot is required, Nodes().Get(nodeID), blockers (pkg/blockers/kubernetespod.go: pods with fieldSelector spec.nodeName=<node>, only with --blocking-pod-selector), lock.Acquire (DaemonSet Update), drain/uncordon of its own node (kubectl drain helper)',
  ],
  image: /(^|\/)(kubereboot|weaveworks)\/kured(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const period = parseSeconds(ctx.flags.get('period') ?? '1h');
    r.calls.push(call({ verb: 'get', resource: 'daemonsets', scope: 'namespace', atStart: 1 }, at, 'kured', `its lock at start (annotation on ${ctx.flags.get('ds-namespace') ?? 'kube-system'}/${ctx.flags.get('ds-name') ?? 'kured'})`));
    r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'kured', 'its own Node at start (taint check)'));
    const blocking = ctx.flags.has('blocking-pod-selector') ? ', a LIST of its node\'s pods (--blocking-pod-selector)' : '';
    r.notes.push(`kured: every ${period}s (--period) a local sentinel check, no API call; only while its node reboots: its Node, the lock (DaemonSet update)${blocking}, cordon and drain of its own node`);
    return r;
  },
};
