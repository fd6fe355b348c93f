// descheduler: one client that evicts pods by policy, every --descheduling-interval (Deployment)
// or once per run (CronJob/Job). v0.23.0 moved pod reads from per-node LISTs to an informer.
import { parseSeconds } from '../../common/duration';
import type { Agent } from './types';
import { argLine, call, imageVersion, olderThan, result } from './util';

export const descheduler: Agent = {
  id: 'descheduler',
  name: 'descheduler',
  category: 'controller',
  summary: 'One client: v0.23.0+ watches pods, nodes, namespaces and priority classes cluster-wide and evicts through pods/eviction every --descheduling-interval; before v0.23.0 it LISTed the pods of each node from etcd (spec.nodeName field selector) per strategy per cycle; a CronJob/Job (interval 0) re-lists everything on each run.',
  sources: [
    'kubernetes-sigs/descheduler pkg/descheduler/descheduler.go@v0.28.1: shared informers for Pods, Nodes, Namespaces, PriorityClasses; wait.NonSlidingUntil every --descheduling-interval; nodes from the node lister',
    'kubernetes-sigs/descheduler commit 08ed129 "reform ListPodsOnANode by using pod informer and indexer" (2021-12-10, first tag v0.23.0)',
    'kubernetes-sigs/descheduler pkg/descheduler/pod/pods.go@v0.22.1 ListPodsOnANodeWithFieldSelector: Pods(namespace).List with FieldSelector spec.nodeName=<node> and no resourceVersion',
    'kubernetes-sigs/descheduler cmd/descheduler/app/options/options.go@v0.28.1: --descheduling-interval (0 = run once), LeaderElect default false',
  ],
  image: /(^|\/)descheduler(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const version = imageVersion(ctx.container.image);
    const interval = parseSeconds(ctx.flags.get('descheduling-interval') ?? '0');
    const at = interval ? argLine(ctx, 'descheduling-interval') : { file: ctx.workload.file, line: ctx.container.line };
    const leader = ctx.flags.has('leader-elect') && ctx.flags.get('leader-elect') !== 'false';
    r.leaderElection = leader;
    const once = interval === 0;
    if (once) r.notes.push('descheduler without --descheduling-interval runs once: as a CronJob every run builds its informers again (a full LIST of each)');
    if (version && olderThan(ctx.container.image, [0, 23, 0])) {
      r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0', leaderOnly: leader }, at, 'descheduler', 'every Node (node informer)'));
      r.calls.push(call({ verb: 'list', resource: 'pods', scope: 'node', interval, leaderOnly: leader }, at, 'descheduler', `the pods of each node, from etcd (spec.nodeName field selector, no resourceVersion), per strategy${once ? '' : ` every ${interval}s`} (v${version.join('.')}, before v0.23.0)`));
      r.notes.push('descheduler before v0.23.0: one pod LIST per node per strategy per cycle; modelled as one per cycle, so its cost is a lower bound');
      r.unmodelled = ['pod LISTs per node (before v0.23.0): counted once per cycle, really once per node'];
    } else {
      for (const res of ['pods', 'nodes', 'namespaces', 'priorityclasses']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', leaderOnly: leader }, at, 'descheduler', `${res} cluster-wide (shared informer)`));
    }
    r.calls.push(call({ verb: 'create', resource: 'pods/eviction', scope: 'namespace' }, at, 'descheduler', 'evictions its policy chooses, each cycle'));
    return r;
  },
};
