import { fmtNumber } from '../format';
import { largestProfile, perNode } from '../load';
import { planFromFix } from '../plan';
import type { Rule } from '../types';

export const clientQpsHigh: Rule = {
  id: 'client-qps-high',
  title: 'Client QPS/burst raised high',
  severity: 'warning',
  why: 'client-go limits each client to QPS 5, burst 10 by default (kubelet: 50/100). Raising it removes the brake that keeps a misbehaving client from flooding the API server; on a DaemonSet the ceiling is multiplied by the node count.',
  remediation: 'Keep client QPS near the defaults for per-node agents; if a controller needs more, give it its own FlowSchema and priority level.',
  fix: { kind: 'replace-value', title: 'Lower the client QPS', where: 'the QPS/burst flag', insert: '--kube-api-qps=5' },
  check(ctx) {
    const q = ctx.usage.qps;
    if (!q) return [];
    const w = ctx.workload;
    const qps = q.qps ?? 0;
    const burst = q.burst ?? 0;
    const high = perNode(w) ? qps > 20 || burst > 40 : qps > 100 || burst > 200;
    if (!high) return [];
    const largest = largestProfile(ctx.profiles);
    const clients = perNode(w) ? largest.nodes : (w.clients as number);
    return [
      {
        severity: 'warning',
        line: q.line,
        message: `${q.flag}${q.qps !== undefined ? ` QPS ${q.qps}` : ''}${q.burst !== undefined ? ` burst ${q.burst}` : ''}: up to ${fmtNumber(clients * Math.max(qps, 1))} req/s from ${clients.toLocaleString('en-US')} clients at ${largest.name} (client-go default QPS 5, burst 10)`,
      },
    ];
  },
  planFixes: planFromFix,
};
