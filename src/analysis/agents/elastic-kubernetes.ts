// What Elastic's Kubernetes integrations ask of the API server, shared by the beats and Elastic
// Agent recognisers: the `kubernetes` module's metricsets and their metadata enrichers, the
// kubernetes autodiscover provider / dynamic provider, and Lease-based leader election.
import { parseSeconds } from '../../common/duration';
import { parse as parseYaml } from 'yaml';
import type { Scope } from '../../cost/model';
import type { UsageCall } from '../calls';
import { call, asObj, asArr, truthy } from './util';

type At = { file: string; line: number };

/** A module list file (modules.d/*.yml is a YAML sequence, which tryYaml does not return). */
export function yamlAny(text: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: false, uniqueKeys: false, maxAliasCount: 50, logLevel: 'silent' });
  } catch {
    return undefined;
  }
}

/** `a.b` as a dotted key or as nested maps (beats and Elastic Agent accept both). */
export function dotted(o: Record<string, unknown>, path: string): unknown {
  if (path in o) return o[path];
  for (let j = path.indexOf('.'); j >= 0; j = path.indexOf('.', j + 1)) {
    const head = path.slice(0, j);
    if (head in o) {
      const v = dotted(asObj(o[head]), path.slice(j + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** Major.minor of an image tag (`…:8.1.1`), if it has one. */
export function imageVersion(image: string): [number, number] | undefined {
  const m = /:v?(\d+)\.(\d+)/.exec(image);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * How the kubernetes module's metadata enrichers start their watchers, by Metricbeat version:
 * - before 8.1: each enricher watches only its metricset's resource;
 * - 8.1 (elastic/beats PR #29133, node and namespace metadata) until PR #37332 ("Share watchers
 *   between metricsets", merged 2024-04; assumed first released in 8.14): every metricset's
 *   enricher starts its own resource, node and namespace watchers
 *   (metricbeat/module/kubernetes/util/kubernetes.go getResourceMetadataWatchers; table in issue
 *   #37243);
 * - after it, one watcher per resource is shared by the metricsets.
 */
export type EnricherWatchers = 'resource-only' | 'per-metricset' | 'shared';

export function enricherWatchers(image: string): EnricherWatchers {
  const v = imageVersion(image);
  if (!v) return 'shared';
  const n = v[0] * 100 + v[1];
  return n < 801 ? 'resource-only' : n < 814 ? 'per-metricset' : 'shared';
}

/** The resource a kube-state-metrics metricset's enricher watches (state_resourcequota has none: beats #38004). */
const STATE_RESOURCE: Record<string, string | undefined> = {
  state_node: 'nodes',
  state_pod: 'pods',
  state_container: 'pods',
  state_deployment: 'deployments',
  state_replicaset: 'replicasets',
  state_statefulset: 'statefulsets',
  state_daemonset: 'daemonsets',
  state_job: 'jobs',
  state_cronjob: 'cronjobs',
  state_service: 'services',
  state_persistentvolume: 'persistentvolumes',
  state_persistentvolumeclaim: 'persistentvolumeclaims',
  state_storageclass: 'storageclasses',
  state_namespace: 'namespaces',
  state_resourcequota: undefined,
};

/** Metricsets that read the kubelet (stats/summary) and enrich with their node's objects. */
const KUBELET_RESOURCE: Record<string, string> = { node: 'nodes', pod: 'pods', container: 'pods' };

/**
 * Metricsets without an enricher (PR #37332 enrichers.md lists the ones with one): they read
 * the kubelet (system, volume) or scrape a component's own endpoint.
 */
const NO_ENRICHER = new Set(['system', 'volume', 'proxy', 'controllermanager', 'scheduler', 'apiserver']);

export interface MetricsetOptions {
  addMetadata: boolean;
  leaderOnly: boolean;
  watchers: EnricherWatchers;
  /** `namespace` set on the module: the event watcher is limited to it. */
  namespace?: string;
}

/**
 * The API calls of the `kubernetes` module's metricsets. The data of node/system/pod/container/
 * volume comes from the kubelet and of state_* from kube-state-metrics; what reaches the API
 * server is their metadata enrichers (add_metadata, default true): a watcher on the metricset's
 * resource and on nodes (both limited to its node for kubelet metricsets, cluster-wide for
 * state_*), and on namespaces (cluster-wide), as the version starts them (EnricherWatchers).
 * `event` watches events.
 */
export function metricsetCalls(metricsets: string[], o: MetricsetOptions, at: At, agent: string, unmodelled: string[], notes: string[]): UsageCall[] {
  const out: UsageCall[] = [];
  const who = o.leaderOnly ? 'the leader only: ' : '';
  const watch = (resource: string, scope: Scope, detail: string) => out.push(call({ verb: 'watch', resource, scope, rv: '0', leaderOnly: o.leaderOnly }, at, agent, `${who}${detail}`));
  for (const ms of metricsets) {
    const kubelet = KUBELET_RESOURCE[ms];
    const state = ms in STATE_RESOURCE;
    if (kubelet || state) {
      const resource = kubelet ?? STATE_RESOURCE[ms];
      if (!o.addMetadata || !resource) continue;
      const scope: Scope = kubelet ? 'node' : 'cluster';
      const src = kubelet ? 'data from the kubelet' : 'data from kube-state-metrics';
      watch(resource, scope, `kubernetes ${ms} (${src}) add_metadata: ${resource}${scope === 'node' ? ' of its node' : ' cluster-wide'}`);
      if (o.watchers === 'resource-only') continue;
      watch('nodes', scope, `kubernetes ${ms} add_metadata: node watcher${scope === 'node' ? ' (its node, metadata.name)' : ' (no node: every node)'}`);
      watch('namespaces', 'cluster', `kubernetes ${ms} add_metadata: namespace watcher (no node filter)`);
    } else if (ms === 'event') {
      watch('events', o.namespace ? 'namespace' : 'cluster', `kubernetes event: events${o.namespace ? ` of namespace ${o.namespace}` : ' of every namespace'}`);
    } else if (NO_ENRICHER.has(ms)) {
      if (ms === 'apiserver') notes.push(`${agent}: kubernetes apiserver metricset GETs the API server's /metrics${o.leaderOnly ? ' from the leader' : ''} (not a resource call)`);
    } else unmodelled.push(`kubernetes metricset ${ms}`);
  }
  return o.watchers === 'shared' ? dedupeCalls(out) : out;
}

/** One call per verb/resource/scope/leader (watchers shared in one process). */
export function dedupeCalls(calls: UsageCall[]): UsageCall[] {
  const seen = new Set<string>();
  return calls.filter((c) => {
    const k = `${c.verb} ${c.resource} ${c.scope} ${c.clients ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Lease-based leader election with client-go's LeaseLock: every candidate GETs the Lease each
 * retry period (no resourceVersion: a quorum read); the holder also UPDATEs it.
 */
export function leaseCalls(retry: unknown, at: At, agent: string, lease: string): UsageCall[] {
  const every = typeof retry === 'string' ? parseSeconds(retry) || 2 : typeof retry === 'number' ? retry : 2;
  return [
    call({ verb: 'get', resource: 'leases', scope: 'namespace', interval: every, atStart: 1 }, at, agent, `every candidate GETs Lease ${lease} every ${every}s (retry period)`),
    call({ verb: 'update', resource: 'leases', scope: 'namespace', interval: every, leaderOnly: true }, at, agent, `the holder renews Lease ${lease} every ${every}s`),
  ];
}

/** Metricbeat modules that read a host or a service endpoint, never the Kubernetes API. */
export const NON_API_MODULES = new Set(
  'system linux docker containerd redis mysql postgresql nginx apache http prometheus openmetrics jolokia kafka elasticsearch kibana logstash beat mongodb rabbitmq etcd haproxy memcached zookeeper golang uwsgi php_fpm windows traefik envoyproxy coredns couchdb couchbase ceph aerospike activemq airflow consul dropwizard graphite istio mssql munin nats oracle sql stan statsd syncgateway tomcat vsphere iis ibmmq enterprisesearch cockroachdb appsearch'.split(' '),
);

/** A module configuration's calls (`module: kubernetes` or a module that makes none). */
export function moduleCalls(m: Record<string, unknown>, o: { leaderOnly: boolean; watchers: EnricherWatchers }, at: At, agent: string, unmodelled: string[], notes: string[]): UsageCall[] {
  const name = String(m.module ?? '');
  if (name === 'kubernetes') {
    const sets = asArr(m.metricsets).map(String);
    return metricsetCalls(sets, { addMetadata: m.add_metadata === undefined || truthy(m.add_metadata), leaderOnly: o.leaderOnly, watchers: o.watchers, namespace: typeof m.namespace === 'string' ? m.namespace : undefined }, at, agent, unmodelled, notes);
  }
  if (!NON_API_MODULES.has(name)) unmodelled.push(`module ${name || '(unnamed)'}`);
  return [];
}

/**
 * A kubernetes autodiscover provider (beats) or dynamic provider (Elastic Agent) without
 * `unique`: an eventer on its resource (pods by default) limited to its node with scope node
 * (elastic-agent-autodiscover kubernetes/informer.go: pods `spec.nodeName=`, nodes
 * `metadata.name=`), plus node and namespace watchers for metadata.
 */
export function providerEventerCalls(p: Record<string, unknown>, at: At, agent: string, resources: string[]): UsageCall[] {
  const out: UsageCall[] = [];
  const service = resources.includes('services');
  const scope: Scope = p.scope === 'cluster' || service ? 'cluster' : 'node';
  const arm = asObj(p.add_resource_metadata);
  for (const r of resources) {
    out.push(call({ verb: 'watch', resource: r, scope: r === 'services' ? 'cluster' : scope, rv: '0' }, at, agent, `kubernetes provider: ${r}, scope ${scope}${scope === 'node' ? ' (its node)' : ''}`));
  }
  if (!resources.includes('nodes') && asObj(arm.node).enabled !== false) out.push(call({ verb: 'watch', resource: 'nodes', scope, rv: '0' }, at, agent, `kubernetes provider: node metadata, scope ${scope}`));
  if (asObj(arm.namespace).enabled !== false) out.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' }, at, agent, 'kubernetes provider: namespace metadata (every namespace)'));
  if (truthy(arm.deployment)) out.push(call({ verb: 'watch', resource: 'replicasets', scope: 'cluster', rv: '0' }, at, agent, 'kubernetes provider: ReplicaSets, for deployment names (add_resource_metadata.deployment)'));
  if (truthy(arm.cronjob)) out.push(call({ verb: 'watch', resource: 'jobs', scope: 'cluster', rv: '0' }, at, agent, 'kubernetes provider: Jobs, for cronjob names (add_resource_metadata.cronjob)'));
  return out;
}

/** Its node, when the config does not name it: one GET of its own pod at start (DiscoverKubernetesNode). */
export function discoverNodeCall(node: unknown, at: At, agent: string): UsageCall[] {
  if (typeof node === 'string' && node.trim() !== '') return [];
  return [call({ verb: 'get', resource: 'pods', scope: 'namespace', atStart: 1 }, at, agent, 'its own pod at start, to learn its node (no `node` set)')];
}
