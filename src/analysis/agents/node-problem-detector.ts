import type { Agent } from './types';
import { call, result, parseIntervalSeconds } from './util';

/**
 * node-problem-detector [D5][D6]: writes for its own node, Node Conditions (a status PATCH) and
 * Events; a forced sync every --k8s-exporter-heartbeat-period (default 5m). ~3k of ~11k QPS in
 * a 4,000-node test were such PATCHes at an older, shorter period (npd #124, REFERENCE.md).
 */
export const nodeProblemDetector: Agent = {
  id: 'node-problem-detector',
  name: 'node-problem-detector',
  category: 'node',
  summary: "Writes Events and Node Conditions for its own node; forced sync every --k8s-exporter-heartbeat-period (5m).",
  sources: [
    "kubernetes/node-problem-detector README.md: \"temporary problems get reported as Events, and permanent problems get reported as Node Conditions\"",
    "kubernetes/node-problem-detector cmd/options/options.go: k8s-exporter-heartbeat-period default 5m, \"The period at which k8s-exporter does forcibly sync with apiserver\"",
  ],
  image: /node-problem-detector/i,
  infer(ctx) {
    const r = result(ctx);
    if (ctx.flags.get('enable-k8s-exporter') === 'false') return r;
    const hb = parseIntervalSeconds(ctx.flags.get('k8s-exporter-heartbeat-period') ?? '5m');
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'node-problem-detector', 'its node at start'));
    r.calls.push(call({ verb: 'patch', resource: 'nodes', scope: 'node', interval: hb }, at, 'node-problem-detector', `node conditions every ${hb}s (--k8s-exporter-heartbeat-period) [D6]`));
    return r;
  },
};
