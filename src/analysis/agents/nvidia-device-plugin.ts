// NVIDIA k8s-device-plugin and gpu-feature-discovery. The plugin talks to the kubelet's
// device-plugin socket only; the helm chart's config-manager sidecar (same image) watches its own
// Node's label; GFD publishes labels as its node's NodeFeature (NFD) or as a local file.
import { parseSeconds } from '../../common/duration';
import type { Agent } from './types';
import { call, programOf, result } from './util';

export const nvidiaDevicePlugin: Agent = {
  id: 'nvidia-device-plugin',
  name: 'NVIDIA device plugin / GPU feature discovery',
  category: 'node',
  summary: "The device plugin makes no API calls (kubelet gRPC socket); its config-manager sidecar watches only its own Node; gpu-feature-discovery with the NodeFeature API reads and updates its own node's NodeFeature every --sleep-interval (60s), otherwise writes a local file for nfd-worker.",
  sources: [
    'NVIDIA/k8s-device-plugin internal/plugin/server.go@v0.17.1: plugin.Register(kubeletSocket) sends a RegisterRequest over /var/lib/kubelet/device-plugins/kubelet.sock and serves ListAndWatch/Allocate to the kubelet; client-go is imported only by cmd/config-manager and internal/flags/kubeclient.go (gpu-feature-discovery)',
    'NVIDIA/k8s-device-plugin cmd/config-manager/main.go@v0.17.1: NewListWatchFromClient(…, "nodes", NamespaceAll, fields.OneTermEqualSelector("metadata.name", f.NodeName))',
    'NVIDIA/k8s-device-plugin internal/lm/output.go@v0.17.1: Get/Create/Update of the NodeFeature object named after its node; cmd/gpu-feature-discovery/main.go: use-node-feature-api (env GFD_USE_NODE_FEATURE_API; default false in older releases, true in later ones), sleep-interval default 60s, oneshot',
  ],
  image: /(^|\/)(nvidia\/k8s-device-plugin|nvidia\/gpu-feature-discovery)(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const prog = programOf(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    if (prog === 'config-manager') {
      r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv: '0' }, at, 'config-manager', 'its own Node (metadata.name), for the config label'));
      return r;
    }
    if (prog === 'gpu-feature-discovery' || /gpu-feature-discovery/i.test(ctx.container.image)) {
      const flag = (k: string, env: string[]) => ctx.flags.get(k) ?? env.map((e) => ctx.env[e]).find((v) => v !== undefined);
      const nf = flag('use-node-feature-api', ['GFD_USE_NODE_FEATURE_API', 'USE_NODE_FEATURE_API']);
      if (nf === 'false') {
        r.notes.push('gpu-feature-discovery without the NodeFeature API: labels go to a local file read by nfd-worker');
        return r;
      }
      const oneshot = flag('oneshot', ['GFD_ONESHOT']) === 'true';
      const sleep = oneshot ? 0 : parseSeconds(flag('sleep-interval', ['GFD_SLEEP_INTERVAL']) ?? '60s');
      if (nf === undefined) r.notes.push('gpu-feature-discovery: use-node-feature-api not set (its default changed between releases); assumed on');
      r.calls.push(call({ verb: 'get', resource: 'nodefeatures', scope: 'node', interval: sleep, atStart: 1 }, at, 'gpu-feature-discovery', `its node's NodeFeature${sleep ? ` every ${sleep}s (sleep-interval)` : ' once (oneshot)'}`));
      r.calls.push(call({ verb: 'update', resource: 'nodefeatures', scope: 'node' }, at, 'gpu-feature-discovery', "its node's NodeFeature when the labels change"));
      return r;
    }
    r.notes.push('NVIDIA device plugin: kubelet device-plugin socket only, no API calls');
    return r;
  },
};
