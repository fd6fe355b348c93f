// `slow-etcd`: every etcd request takes `latency` (a slow disk, a noisy neighbour, a defragmentation,
// an overloaded etcd) for `duration` or until the end. What it does to the API servers is in the
// model (ClusterModel.slowEtcd and the flows' etcd round trips): each request that reads or writes
// etcd holds its APF seat that much longer, so the same request rate needs more seats (Little's
// law) and the levels queue and reject sooner; LISTs served from etcd, one round trip per page,
// are hit hardest. docs/SIMULATION.md, "Slow etcd".
import type { ScenarioActionDef } from './action';

/** Bounds of `latency`: a millisecond (a healthy etcd is faster) to the 60 s --request-timeout. */
const MIN_LATENCY_S = 0.001;
const MAX_LATENCY_S = 60;
/** At most a week of simulated time. */
const MAX_DURATION_S = 7 * 86_400;

export const slowEtcd = {
  name: 'slow-etcd',
  title: 'Slow down etcd',
  usage: 'slow-etcd LATENCY [DURATION]',
  fields: ['latency', 'duration'],
  inject: { params: ['latency', 'duration'], panelRow: 'etcd' },
  parse(f) {
    if (!f.has('latency')) {
      f.bad('latency', 'is required: how long every etcd request takes while etcd is slow, e.g. 200ms');
      return undefined;
    }
    const latency = f.dur('latency', undefined, [MIN_LATENCY_S, MAX_LATENCY_S]);
    // Absent: slow until the end of the run.
    const duration = f.has('duration') ? f.dur('duration', undefined, [1, MAX_DURATION_S]) : undefined;
    return duration === undefined ? { latency } : { latency, duration };
  },
  apply(cluster, spec) {
    cluster.slowEtcd(spec.latency, spec.duration);
  },
} satisfies ScenarioActionDef<'slow-etcd', { latency: number; duration?: number }>;
