import type { Agent } from './types';
import { result, lineIn, lineIndexOf, tryYaml, asObj, asArr, truthy } from './util';
import { isObject } from '../read';
import { dotted, dedupeCalls, discoverNodeCall, leaseCalls, metricsetCalls, NON_API_MODULES, providerEventerCalls, enricherWatchers } from './elastic-kubernetes';

/** Input types that read files, the host or the network, never the Kubernetes API. */
const NON_API_INPUTS = new Set(['logfile', 'log', 'filestream', 'container', 'journald', 'udp', 'tcp', 'syslog', 'http_endpoint', 'winlog', 'audit/auditd', 'audit/file_integrity', 'audit/system', 'packet', 'synthetics/http', 'synthetics/tcp', 'synthetics/icmp']);

/**
 * Elastic Agent, standalone (`-c agent.yml`). Managed agents (FLEET_ENROLL) take their policy from
 * Fleet, not from these files.
 * - Dynamic provider `kubernetes`: `scope` node by default (config.go InitDefaults), pods and the
 *   node enabled by default, watched with `spec.nodeName=` / `metadata.name=` of `node`; namespaces
 *   for metadata cluster-wide (pod.go @07adab5). A `service` resource forces scope cluster.
 * - Provider `kubernetes_leaderelection` runs by default (`agent.providers.initial_default`):
 *   LeaseDuration 15s, RenewDeadline 10s, RetryPeriod 2s (7.x hard-coded, later
 *   leader_retryperiod). Inputs with `condition: ${kubernetes_leaderelection.leader} == true` run
 *   in the holder only.
 * - `kubernetes/metrics` inputs run Metricbeat's kubernetes module (elastic-kubernetes.ts).
 */
export const elasticAgent: Agent = {
  id: 'elastic-agent',
  name: 'Elastic Agent',
  category: 'logs',
  summary:
    "Standalone: the kubernetes provider watches pods and its node with scope node (the default; scope cluster watches every pod from every agent) and namespaces; every agent GETs the leader-election Lease every 2 s and only the holder runs inputs conditioned on `kubernetes_leaderelection.leader`; kubernetes/metrics inputs add Metricbeat's add_metadata watchers. Fleet-managed: the policy is not in the manifest.",
  sources: [
    'elastic/elastic-agent internal/pkg/composable/providers/kubernetes/config.go@07adab5 InitDefaults: `c.Scope = nodeScope`; "can not set scope to `node` when using resource `Service`"',
    'elastic/elastic-agent internal/pkg/composable/providers/kubernetes/pod.go@07adab5: NewNamedWatcher("agent-pod") and ("agent-node") with Node: cfg.Node; a namespace watcher without a node',
    'elastic/elastic-agent-autodiscover kubernetes/informer.go@74ef16a nodeSelector: FieldSelector = "spec.nodeName=" + opt.Node; nodes nameSelector "metadata.name="; kubernetes/util.go DiscoverKubernetesNode GETs its own pod when no node is set',
    'elastic/elastic-agent internal/pkg/composable/providers/kubernetesleaderelection: client-go LeaseLock, LeaseDuration 15s, RenewDeadline 10s, RetryPeriod 2s, identity elastic-agent-leader-<POD_NAME>',
    'elastic/beats deploy/kubernetes/elastic-agent-standalone-kubernetes.yaml@b1fdffb: input kubernetes-cluster-metrics with `condition: ${kubernetes_leaderelection.leader} == true`',
  ],
  image: /^(docker\.elastic\.co\/(beats|elastic-agent)\/elastic-agent(-complete|-wolfi|-service)?|(docker\.io\/)?elastic\/elastic-agent)(:|@)/i,
  infer(ctx) {
    const r = result(ctx);
    const name = 'elastic-agent';
    if (truthy(ctx.env.FLEET_ENROLL) || ctx.env.FLEET_URL) {
      r.notes.push('Elastic Agent enrolled in Fleet: its policy (inputs, providers) is kept in Fleet, not in these files; usage unknown');
      return { ...r, unknown: true };
    }
    const watchers = enricherWatchers(ctx.container.image);
    for (const c of ctx.configs) {
      if (!/inputs\s*:|providers/.test(c.text)) continue;
      const doc = tryYaml(c.text);
      if (!doc || (!Array.isArray(doc.inputs) && dotted(doc, 'providers') === undefined)) continue;
      const at = (re: RegExp) => ({ file: c.file, line: lineIn(c, lineIndexOf(c.text, re)) });
      const unmodelled: string[] = [];
      const initialDefault = dotted(doc, 'agent.providers.initial_default') !== false;
      const enabled = (p: unknown) => (p === undefined ? initialDefault : asObj(p).enabled !== false);
      // The kubernetes dynamic provider.
      const k8sRaw = dotted(doc, 'providers.kubernetes');
      if (enabled(k8sRaw)) {
        const k8s = asObj(k8sRaw);
        const where = at(/providers\.kubernetes\s*:|^\s*kubernetes\s*:/m);
        r.file = where.file;
        r.line = where.line;
        const res = asObj(k8s.resources);
        const on = (k: string) => asObj(res[k]).enabled;
        const none = ['pod', 'node', 'service'].every((k) => on(k) === undefined);
        const resources = [...(none || truthy(on('pod')) ? ['pods'] : []), ...(none || truthy(on('node')) ? ['nodes'] : []), ...(truthy(on('service')) ? ['services'] : [])];
        r.calls.push(...providerEventerCalls(k8s, where, name, resources));
        r.calls.push(...discoverNodeCall(k8s.node, where, name));
      }
      // Leader election.
      const leRaw = dotted(doc, 'providers.kubernetes_leaderelection');
      if (enabled(leRaw)) {
        const le = asObj(leRaw);
        r.leaderElection = true;
        r.calls.push(...leaseCalls(le.leader_retryperiod, at(/kubernetes_leaderelection/), name, String(le.leader_lease ?? 'elastic-agent-cluster-leader')));
      }
      // Inputs.
      for (const inRaw of asArr(doc.inputs).filter(isObject)) {
        const type = String(inRaw.type ?? '');
        const leader = /kubernetes_leaderelection\.leader\}?\s*==\s*true/.test(String(inRaw.condition ?? ''));
        const where = at(new RegExp(`name:\\s*${String(inRaw.name ?? type).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
        if (type === 'kubernetes/metrics') {
          // One Metricbeat per input: its streams share watchers only where the version does.
          const calls = asArr(inRaw.streams)
            .filter(isObject)
            .flatMap((s) => metricsetCalls(asArr(s.metricsets).map(String), { addMetadata: s.add_metadata === undefined || truthy(s.add_metadata), leaderOnly: leader, watchers, namespace: typeof s.namespace === 'string' ? s.namespace : undefined }, where, name, unmodelled, r.notes));
          r.calls.push(...(watchers === 'shared' ? dedupeCalls(calls) : calls));
          continue;
        }
        const module = /^(.+)\/metrics$/.exec(type)?.[1];
        if (NON_API_INPUTS.has(type) || (module && NON_API_MODULES.has(module))) continue;
        unmodelled.push(`input type ${type || '(none)'}`);
      }
      if (unmodelled.length) r.unmodelled = [...new Set(unmodelled)];
      return r;
    }
    r.notes.push('Elastic Agent: its agent.yml is not in these files; usage unknown');
    return { ...r, unknown: true };
  },
};
