// node-problem-detector [D5][D6]: writes for its own node only: Node Conditions (a status PATCH,
// forced every --k8s-exporter-heartbeat-period) and Events. ~3k of ~11k QPS in a 4,000-node test
// were such PATCHes at an older, shorter period (npd #124, REFERENCE.md).
import { parseSeconds } from '../../common/duration';
import type { Agent } from './types';
import { argLine, call, result } from './util';

const off = (v: string | undefined) => v === 'false';

export const nodeProblemDetector: Agent = {
  id: 'node-problem-detector',
  name: 'node-problem-detector',
  category: 'node',
  summary: "GETs its own Node (from the watch cache) at start, PATCHes its Node Conditions every --k8s-exporter-heartbeat-period (5m) and when they change, and writes Events for temporary problems; --enable-k8s-exporter=false makes no API calls.",
  sources: [
    "kubernetes/node-problem-detector README.md: \"temporary problems get reported as Events, and permanent problems get reported as Node Conditions\"",
    "kubernetes/node-problem-detector cmd/options/options.go@6632ca6: enable-k8s-exporter default true; k8s-exporter-heartbeat-period default 5m, \"The period at which k8s-exporter does forcibly sync with apiserver\"; k8s-exporter-update-node-conditions and k8s-exporter-write-events default true",
    "kubernetes/node-problem-detector pkg/exporters/k8sexporter/problemclient/problem_client.go@6632ca6 GetNode: Nodes().Get(nodeName, ResourceVersion \"0\"); SetConditions: Nodes().PatchStatus; pkg/exporters/k8sexporter/condition/manager.go: sync forced every heartbeat period",
  ],
  image: /node-problem-detector/i,
  infer(ctx) {
    const r = result(ctx);
    if (off(ctx.flags.get('enable-k8s-exporter'))) {
      r.notes.push('node-problem-detector --enable-k8s-exporter=false: no API calls');
      return r;
    }
    const hb = parseSeconds(ctx.flags.get('k8s-exporter-heartbeat-period') ?? '5m');
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', rv: '0', atStart: 1 }, at, 'node-problem-detector', 'its node at start (resourceVersion 0)'));
    if (!off(ctx.flags.get('k8s-exporter-update-node-conditions'))) {
      const where = ctx.flags.has('k8s-exporter-heartbeat-period') ? argLine(ctx, 'k8s-exporter-heartbeat-period') : at;
      r.calls.push(call({ verb: 'patch', resource: 'nodes', scope: 'node', interval: hb }, where, 'node-problem-detector', `node conditions every ${hb}s (--k8s-exporter-heartbeat-period) [D6]`));
    }
    if (!off(ctx.flags.get('k8s-exporter-write-events'))) r.notes.push('node-problem-detector: Events for temporary problems, at the rate problems occur (not counted)');
    return r;
  },
};
