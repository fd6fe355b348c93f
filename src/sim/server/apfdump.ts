// kube-apiserver's APF debug dump, `GET /debug/api_priority_and_fairness/dump_priority_levels`
// (k8s.io/apiserver pkg/util/flowcontrol/apf_controller_debug.go, dumpPriorityLevels): one row per
// priority level, sorted by name, cells joined by ",\t" and aligned by Go's text/tabwriter with
// minwidth 8, tabwidth 0, padding 1, padchar ' ' (tabwriter.NewWriter(w, 8, 0, 1, ' ', 0)).
//
// The numbers are the model's, as /metrics serves them (summed over the API server replicas; a
// real server dumps its own replica's): WaitingRequests its queued requests, ExecutingRequests
// its seats in use, Dispatched/Rejected its totals. ActiveQueues (queues holding a request) is
// estimated as min(queues, waiting): shuffle sharding spreads the waiting requests of many flows.
// The model does not count timeouts or cancellations per level: those columns are 0.
import type { PriorityLevelState } from '../types';
import { PRIORITY_LEVELS } from './apf';

const HEADERS = ['PriorityLevelName', 'ActiveQueues', 'IsIdle', 'IsQuiescing', 'WaitingRequests', 'ExecutingRequests', 'DispatchedRequests', 'RejectedRequests', 'TimedoutRequests', 'CancelledRequests'];

/**
 * Go's text/tabwriter over rows whose cells were joined by ",\t": every cell but a row's last is
 * tab-terminated and padded to its column's width, max(minwidth, widest cell + padding).
 */
export function tabwrite(rows: string[][], minwidth = 8, padding = 1): string {
  const widths: number[] = [];
  const cells = rows.map((r) => r.map((c, i) => (i < r.length - 1 ? `${c},` : c)));
  for (const r of cells) r.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? minwidth, c.length + padding)));
  return cells.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('') + '\n').join('');
}

export function dumpPriorityLevels(levels: Record<string, PriorityLevelState | undefined>): string {
  const rows: string[][] = [HEADERS];
  for (const pl of [...PRIORITY_LEVELS].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const s = levels[pl.name];
    const waiting = Math.round(s?.queued ?? 0);
    const executing = Math.round(s?.inflight ?? 0);
    const active = Math.min(pl.queuing?.queues ?? 0, waiting);
    rows.push([pl.name, String(active), String(waiting === 0 && executing === 0), 'false', String(waiting), String(executing), String(Math.round(s?.dispatchedTotal ?? 0)), String(Math.round(s?.rejectedTotal ?? 0)), '0', '0']);
  }
  return tabwrite(rows);
}
