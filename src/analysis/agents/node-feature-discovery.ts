// Node Feature Discovery: one image, four programs (nfd-worker per node, nfd-master and nfd-gc one
// each, nfd-topology-updater per node). Calls read from kubernetes-sigs/node-feature-discovery
// @040f31c (worker) and @76e6cc8 (master, gc, topology-updater).
import { parseSeconds } from '../../common/duration';
import type { Agent } from './types';
import { argLine, asObj, call, programOf, result, tryYaml } from './util';

export const nodeFeatureDiscovery: Agent = {
  id: 'node-feature-discovery',
  name: 'Node Feature Discovery',
  category: 'node',
  summary: 'nfd-worker GETs the NodeFeature of its own node every core.sleepInterval (60s) and updates it only when features change; nfd-topology-updater applies its node\'s NodeResourceTopology every -sleep-interval; nfd-master (one client) watches the NFD CRDs and lists every Node when rules change; nfd-gc watches Node metadata and pages through NodeFeatures every -gc-interval (1h).',
  sources: [
    'kubernetes-sigs/node-feature-discovery pkg/nfd-worker/nfd-worker.go@040f31c: core.sleepInterval default 60 * time.Second; updateNodeFeatureObject() Gets NodeFeatures(namespace).Get(nodename), Creates it if missing, Updates only if !apiequality.Semantic.DeepEqual; setOwnerReference() Gets its own Pod once',
    'kubernetes-sigs/node-feature-discovery pkg/nfd-master/nfd-api-controller.go@76e6cc8: informers on NodeFeatures, NodeFeatureRules, NodeFeatureGroups; namespace-lister.go: namespaces informer; nfd-master.go getNodes: Nodes().List without resourceVersion (nfdAPIUpdateAllNodes, NodeFeatureGroup updates); -enable-leader-election',
    'kubernetes-sigs/node-feature-discovery pkg/nfd-gc/nfd-gc.go@76e6cc8: metadata informer on Nodes; every -gc-interval (cmd/nfd-gc/main.go default 1h) lists NodeFeatures and NodeResourceTopologies in pages (Limit: -list-size)',
    'kubernetes-sigs/node-feature-discovery pkg/nfd-topology-updater/nfd-topology-updater.go@76e6cc8: NodeResourceTopologies().Apply for its node; cmd/nfd-topology-updater/main.go -sleep-interval default 60s',
  ],
  image: /(^|\/)node-feature-discovery(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const prog = programOf(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.commandLines[0] ?? ctx.container.line };
    if (prog === 'nfd-worker') {
      if (ctx.flags.get('enable-nodefeature-api') === 'false') {
        r.notes.push('nfd-worker -enable-nodefeature-api=false: labels go to nfd-master over gRPC, no API calls');
        return r;
      }
      const conf = ctx.configs.find((c) => c.key === 'nfd-worker.conf');
      const raw = asObj(asObj(conf ? tryYaml(conf.text) : undefined).core).sleepInterval;
      const sleep = raw === undefined ? 60 : parseSeconds(String(raw));
      const oneshot = ctx.flags.has('oneshot') && ctx.flags.get('oneshot') !== 'false';
      const interval = oneshot || sleep <= 0 ? 0 : sleep;
      const where = conf ? { file: conf.file, line: conf.line } : at;
      r.calls.push(call({ verb: 'get', resource: 'nodefeatures', scope: 'node', interval, atStart: 1 }, where, 'nfd-worker', interval ? `the NodeFeature of its node every ${interval}s (core.sleepInterval)` : 'the NodeFeature of its node once (-oneshot or sleepInterval <= 0)'));
      r.calls.push(call({ verb: 'update', resource: 'nodefeatures', scope: 'node' }, where, 'nfd-worker', 'its NodeFeature, only when the features change'));
      r.calls.push(call({ verb: 'get', resource: 'pods', scope: 'namespace', atStart: 1 }, at, 'nfd-worker', 'its own Pod at start (owner reference)'));
      return r;
    }
    if (prog === 'nfd-topology-updater') {
      const sleep = parseSeconds(ctx.flags.get('sleep-interval') ?? '60s');
      r.calls.push(call({ verb: 'patch', resource: 'noderesourcetopologies', scope: 'node', interval: sleep > 0 ? sleep : 0, atStart: 1 }, at, 'nfd-topology-updater', `its node's NodeResourceTopology (server-side apply) every ${sleep}s (-sleep-interval) and on kubelet state changes`));
      return r;
    }
    if (prog === 'nfd-master') {
      const leader = ctx.flags.has('enable-leader-election') && ctx.flags.get('enable-leader-election') !== 'false';
      r.leaderElection = leader;
      for (const res of ['nodefeatures', 'nodefeaturerules', 'nodefeaturegroups', 'namespaces']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', leaderOnly: leader }, at, 'nfd-master', `${res} cluster-wide`));
      r.calls.push(call({ verb: 'list', resource: 'nodes', scope: 'cluster', atStart: 1, leaderOnly: leader }, at, 'nfd-master', 'every Node without resourceVersion, at start and when NodeFeatureRules or NodeFeatureGroups change (then label PATCHes per node)'));
      return r;
    }
    if (prog === 'nfd-gc') {
      const gc = parseSeconds(ctx.flags.get('gc-interval') ?? '1h');
      r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0' }, at, 'nfd-gc', 'Node metadata cluster-wide (metadata informer)'));
      for (const res of ['nodefeatures', 'noderesourcetopologies']) r.calls.push(call({ verb: 'list', resource: res, scope: 'cluster', interval: gc }, argLine(ctx, 'gc-interval'), 'nfd-gc', `every ${res.slice(0, -1)} in pages every ${gc}s (-gc-interval), to delete those of gone nodes`));
      return r;
    }
    return { ...r, unknown: true, notes: [`node-feature-discovery image running ${prog || 'its default entrypoint'}: usage unknown`] };
  },
};
