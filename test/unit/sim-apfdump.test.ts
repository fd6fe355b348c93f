// kube-apiserver's /debug/api_priority_and_fairness/dump_priority_levels as the simulated server
// writes it: Go text/tabwriter alignment, one row per priority level, the model's numbers.
import assert from 'node:assert/strict';
import { dumpPriorityLevels, tabwrite } from '../../src/sim/server/apfdump';

describe('sim serve: the APF priority-level dump', () => {
  it('aligns cells as Go tabwriter (minwidth 8, padding 1) does: the Kubernetes docs example', () => {
    // https://kubernetes.io/docs/concepts/cluster-administration/flow-control/ (Debug endpoints).
    const out = tabwrite([
      ['PriorityLevelName', 'ActiveQueues', 'IsIdle', 'IsQuiescing', 'WaitingRequests', 'ExecutingRequests'],
      ['workload-low', '0', 'true', 'false', '0', '0'],
      ['global-default', '0', 'true', 'false', '0', '0'],
    ]);
    assert.equal(
      out,
      'PriorityLevelName, ActiveQueues, IsIdle, IsQuiescing, WaitingRequests, ExecutingRequests\n' +
        'workload-low,      0,            true,   false,       0,               0\n' +
        'global-default,    0,            true,   false,       0,               0\n',
    );
  });

  it('one row per default priority level, sorted; a saturated level shows its queue, seats and rejections', () => {
    const level = (o: Partial<{ limit: number; inflight: number; queued: number; rejectedTotal: number; dispatchedTotal: number }>) => ({ limit: 100, inflight: 0, queued: 0, rejectedPerSecond: 0, rejectedTotal: 0, dispatchedTotal: 0, waitP99Seconds: 0, ...o });
    const out = dumpPriorityLevels({ 'workload-low': level({ inflight: 245.4, queued: 6400, rejectedTotal: 91234, dispatchedTotal: 5e5 }), system: level({ inflight: 3, dispatchedTotal: 1200 }) });
    const rows = out.trim().split('\n').map((l) => l.split(/,\s*/));
    assert.deepEqual(rows.map((r) => r[0]), ['PriorityLevelName', 'catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
    assert.deepEqual(rows.find((r) => r[0] === 'workload-low'), ['workload-low', '128', 'false', 'false', '6400', '245', '500000', '91234', '0', '0']);
    assert.deepEqual(rows.find((r) => r[0] === 'system')!.slice(1, 7), ['0', 'false', 'false', '0', '3', '1200']);
    assert.deepEqual(rows.find((r) => r[0] === 'catch-all')!.slice(1, 3), ['0', 'true']);
  });
});
