import type { Agent } from './types';
import { parseSeconds } from '../../common/duration';
import { sdCalls } from './prometheus-sd';
import { call, result, lineIn, lineIndexOf, tryYaml, asObj, asArr, envValue } from './util';
import type { Scope } from '../../cost/model';

/**
 * OpenTelemetry collector components that talk to the API server. Only components used by a
 * pipeline (or listed in service.extensions) run.
 * - k8sattributes processor [D2]: watches pods; `filter.node_from_env_var` (or `filter.node`)
 *   restricts an agent to its own node's pods; `passthrough: true` makes no API calls.
 *   k8s.deployment.* needs ReplicaSets; namespace labels/annotations need namespaces; node
 *   labels need the node.
 * - k8s_observer extension [D3]: `node` limits discovery to one node; empty = all nodes.
 * - k8s_cluster receiver: watches most kinds cluster-wide (meant for one replica).
 * - k8sobjects receiver: `pull` LISTs every `interval` (default 1h), `watch` watches.
 * - k8s_events receiver: watches events.
 * - prometheus receiver: kubernetes_sd_configs as above.
 * - k8s_leader_elector extension: a receiver naming it (`k8s_leader_elector: <ext>`) starts
 *   only in the lease holder (its calls: one client); every collector GETs the Lease every
 *   `retry_period` (2s) and the holder renews it.
 * - kubeletstats receiver: the kubelet only; `auth_type: kubeConfig` goes through the API
 *   server's node proxy (one GET per interval); `k8s_api_config` adds volume metadata lookups.
 * - resourcedetection processor: the `k8snode` detector GETs its Node at start.
 * Components known to make no API calls are listed below; any other used component is reported
 * as unmodelled. Informers list with resourceVersion=0; the collector's client uses JSON (assumption).
 */
export const otelCollector: Agent = {
  id: 'otel-collector',
  name: 'OpenTelemetry collector',
  category: 'metrics',
  summary: "Only the components a pipeline uses run: k8sattributes watches pods (its node's with `filter.node_from_env_var`), k8s_observer (node-scoped with `node`), k8s_cluster/k8sobjects/k8s_events watch cluster-wide, the prometheus receiver uses kubernetes_sd_configs.",
  sources: [
    "open-telemetry/opentelemetry-collector-contrib processor/k8sattributesprocessor/README.md, \"As an agent\": filter.node_from_env_var \"will restrict each OpenTelemetry agent to query pods running on the same node only\"",
    "open-telemetry/opentelemetry-collector-contrib extension/observer/k8sobserver/config.go: `Node` limits discovery; \"Providing no value (the default) results in discovering endpoints for all available nodes\"",
    "open-telemetry/opentelemetry-collector-contrib extension/k8sleaderelector/README.md@1a1dccf: \"The component that owns the lease becomes the leader and runs the function defined in onStartedLeading\"; lease_duration 15s, renew_deadline 10s, retry_period 2s (client-go tools/leaderelection)",
    "open-telemetry/opentelemetry-collector-contrib receiver/kubeletstatsreceiver/README.md@02a6748: \"If `extra_metadata_labels` is not set, no additional API calls is done\"; \"If `k8s_api_config` is set, the receiver will attempt to collect metadata from underlying storage resources\"; `kubeConfig` \"use API server proxy to access the kubelet API\"",
    'open-telemetry/opentelemetry-helm-charts charts/opentelemetry-collector templates/_config.tpl@0028bf0: in mode daemonset presets.clusterMetrics puts k8s_cluster behind k8s_leader_elector (since e88f859, 2025-12); earlier charts ran it on every node',
  ],
  image: /opentelemetry-collector|otelcol|otel\/|splunk-otel-collector|aws-otel-collector|dynatrace-otel-collector/i,
  infer(ctx) {
    for (const c of ctx.configs) {
      if (!/receivers\s*:/.test(c.text) || !/service\s*:/.test(c.text)) continue;
      const doc = tryYaml(c.text);
      if (!doc) continue;
      const r = result(ctx, c.line, c.file);
      const service = asObj(doc.service);
      const used = new Set<string>();
      for (const p of Object.values(asObj(service.pipelines))) {
        for (const k of ['receivers', 'processors', 'exporters']) for (const n of asArr(asObj(p)[k])) used.add(String(n));
      }
      for (const n of asArr(service.extensions)) used.add(String(n));
      const at = (re: RegExp) => ({ file: c.file, line: lineIn(c, lineIndexOf(c.text, re)) });
      const base = (n: string) => n.split('/')[0];
      /** Where a component's key is in the config. */
      const keyAt = (name: string) => at(new RegExp(`^\\s*${name.replace(/[/.]/g, '\\$&')}\\s*:`, 'm'));
      const nodeFromEnv = (v: unknown) => {
        const name = String(v);
        const e = ctx.workload.containers.flatMap((x) => x.env).find((x) => x.name === name);
        if (!e) r.notes.push(`k8sattributes filter.node_from_env_var names ${name}, which the container does not set`);
        else if (e.fieldPath !== 'spec.nodeName') r.notes.push(`${name} is not set from spec.nodeName`);
      };
      const unmodelled: string[] = [];
      const known = (kind: 'receiver' | 'processor' | 'extension', name: string) => {
        if (!used.has(name) || API_FREE[kind].has(base(name)) || MODELLED[kind].has(base(name))) return;
        unmodelled.push(`${kind} ${name}`);
      };
      for (const n of Object.keys(asObj(doc.receivers))) known('receiver', n);
      for (const n of Object.keys(asObj(doc.processors))) known('processor', n);
      for (const n of Object.keys(asObj(doc.extensions))) known('extension', n);
      // Leader electors in use: every collector polls the Lease; the holder renews it.
      const electors = new Set<string>();
      for (const [name, cfgRaw] of Object.entries(asObj(doc.extensions))) {
        if (base(name) !== 'k8s_leader_elector' || !used.has(name)) continue;
        electors.add(name);
        const cfg = asObj(cfgRaw);
        const where = keyAt(name);
        const retry = typeof cfg.retry_period === 'string' ? parseSeconds(cfg.retry_period) || 2 : 2;
        const lease = String(cfg.lease_name ?? name);
        r.calls.push(call({ verb: 'get', resource: 'leases', scope: 'namespace', interval: retry }, where, 'otel k8s_leader_elector', `every collector polls the Lease ${lease} every ${retry}s (retry_period)`));
        r.calls.push(call({ verb: 'update', resource: 'leases', scope: 'namespace', interval: retry, leaderOnly: true }, where, 'otel k8s_leader_elector', `the holder renews the Lease ${lease}`));
        r.leaderElection = true;
      }
      for (const [name, cfgRaw] of Object.entries(asObj(doc.processors))) {
        if (base(name) === 'resourcedetection' && used.has(name)) {
          const cfg = asObj(cfgRaw);
          const detectors = asArr(cfg.detectors).map(String);
          const where = keyAt(name);
          if (detectors.includes('k8snode')) r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1 }, where, 'otel resourcedetection', 'its Node at start (k8snode detector)'));
          for (const d of detectors) if (!API_FREE_DETECTORS.has(d) && d !== 'k8snode') unmodelled.push(`processor ${name} detector ${d}`);
        }
        if (base(name) !== 'k8sattributes' || !used.has(name)) continue;
        const cfg = asObj(cfgRaw);
        const where = keyAt(name);
        if (cfg.passthrough === true) {
          r.notes.push(`${name}: passthrough (no API calls) [D2]`);
          continue;
        }
        const filter = asObj(cfg.filter);
        const nodeScoped = filter.node_from_env_var !== undefined || (typeof filter.node === 'string' && filter.node !== '');
        if (filter.node_from_env_var !== undefined) nodeFromEnv(filter.node_from_env_var);
        const nsScoped = typeof filter.namespace === 'string' && filter.namespace !== '';
        const scope: Scope = nodeScoped ? 'node' : nsScoped ? 'namespace' : 'cluster';
        r.calls.push(call({ verb: 'watch', resource: 'pods', scope, rv: '0' }, where, 'otel k8sattributes', nodeScoped ? 'pods of its own node (filter.node_from_env_var) [D2]' : 'pods of every node: no filter.node_from_env_var [D2]'));
        const extract = asObj(cfg.extract);
        const meta = asArr(extract.metadata).map(String);
        if (meta.some((m) => m.startsWith('k8s.deployment.'))) r.calls.push(call({ verb: 'watch', resource: 'replicasets', scope: nsScoped ? 'namespace' : 'cluster', rv: '0' }, where, 'otel k8sattributes', 'ReplicaSets, for k8s.deployment.* [D2]'));
        const from = [...asArr(extract.labels), ...asArr(extract.annotations)].map((x) => String(asObj(x).from ?? 'pod'));
        if (from.includes('namespace')) r.calls.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' }, where, 'otel k8sattributes', 'namespaces, for namespace labels/annotations'));
        if (from.includes('node')) r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: nodeScoped ? 'node' : 'cluster', rv: '0' }, where, 'otel k8sattributes', 'nodes, for node labels'));
      }
      for (const [name, cfgRaw] of Object.entries(asObj(doc.extensions))) {
        if (base(name) !== 'k8s_observer' || !used.has(name)) continue;
        const cfg = asObj(cfgRaw);
        const where = keyAt(name);
        const node = typeof cfg.node === 'string' && cfg.node !== '';
        if (cfg.observe_pods !== false) r.calls.push(call({ verb: 'watch', resource: 'pods', scope: node ? 'node' : 'cluster', rv: '0' }, where, 'otel k8s_observer', node ? 'pods of its node (node set) [D3]' : 'pods of all nodes: node not set [D3]'));
        if (cfg.observe_nodes === true) r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: node ? 'node' : 'cluster', rv: '0' }, where, 'otel k8s_observer', 'nodes [D3]'));
        if (cfg.observe_services === true) r.calls.push(call({ verb: 'watch', resource: 'services', scope: 'cluster', rv: '0' }, where, 'otel k8s_observer', 'services'));
      }
      for (const [name, cfgRaw] of Object.entries(asObj(doc.receivers))) {
        if (!used.has(name)) continue;
        const cfg = asObj(cfgRaw);
        const where = keyAt(name);
        const from = r.calls.length;
        switch (base(name)) {
          case 'kubeletstats': {
            const interval = typeof cfg.collection_interval === 'string' ? parseSeconds(cfg.collection_interval) || 10 : 10;
            if (cfg.auth_type === 'kubeConfig') r.calls.push(call({ verb: 'get', resource: 'nodes/proxy', scope: 'node', interval }, where, 'otel kubeletstats', `its kubelet's stats through the API server's node proxy every ${interval}s (auth_type kubeConfig)`));
            else r.notes.push(`${name}: reads its kubelet, not the API server`);
            if (cfg.k8s_api_config !== undefined) unmodelled.push(`receiver ${name} k8s_api_config (volume metadata lookups)`);
            break;
          }
          case 'k8s_cluster':
            for (const res of ['pods', 'nodes', 'namespaces', 'services', 'replicasets', 'deployments', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'resourcequotas', 'replicationcontrollers']) {
              r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, where, 'otel k8s_cluster', `${res} cluster-wide`));
            }
            break;
          case 'k8sobjects':
            for (const o of asArr(cfg.objects)) {
              const x = asObj(o);
              const res = String(x.name ?? 'default');
              const nsList = asArr(x.namespaces);
              const fs = envValue(String(x.field_selector ?? ''), ctx.env);
              const scope: Scope = res === 'pods' && /spec\.nodeName\s*=/.test(fs) ? 'node' : nsList.length ? 'namespace' : 'cluster';
              const mode = String(x.mode ?? 'pull');
              const interval = typeof x.interval === 'string' ? parseSeconds(x.interval) : 3600;
              for (let i = 0; i < Math.max(1, nsList.length); i++) {
                if (mode === 'watch') r.calls.push(call({ verb: 'watch', resource: res, scope, rv: '0' }, where, 'otel k8sobjects', `watch ${res}`));
                else r.calls.push(call({ verb: 'list', resource: res, scope, interval, atStart: 1 }, where, 'otel k8sobjects', `pull ${res} every ${interval}s (LIST without resourceVersion, assumption)`));
              }
            }
            break;
          case 'k8s_events':
            r.calls.push(call({ verb: 'watch', resource: 'events', scope: asArr(cfg.namespaces).length ? 'namespace' : 'cluster', rv: '0' }, where, 'otel k8s_events', 'events'));
            break;
          case 'prometheus':
            r.calls.push(...sdCalls(asObj(cfg.config).scrape_configs, where, 'otel prometheus receiver', ctx.env));
            break;
        }
        const elector = typeof cfg.k8s_leader_elector === 'string' ? cfg.k8s_leader_elector : undefined;
        if (elector && electors.has(elector)) {
          for (let i = from; i < r.calls.length; i++) r.calls[i] = { ...r.calls[i], clients: 1, evidence: { ...r.calls[i].evidence, detail: `${r.calls[i].evidence.detail}; only the lease holder of ${elector}` } };
        } else if (elector) r.notes.push(`${name}: k8s_leader_elector ${elector} is not an extension in service.extensions: the receiver runs in every collector`);
      }
      if (unmodelled.length) r.unmodelled = unmodelled;
      return r;
    }
    return { ...result(ctx), unknown: true, notes: ['OpenTelemetry collector: its configuration is not in these files; usage unknown'] };
  },
};

/** Components whose API usage is modelled above. */
const MODELLED = {
  receiver: new Set(['k8s_cluster', 'k8sobjects', 'k8s_events', 'prometheus', 'kubeletstats']),
  processor: new Set(['k8sattributes', 'resourcedetection']),
  extension: new Set(['k8s_observer', 'k8s_leader_elector']),
};

/** Components that make no Kubernetes API calls: network listeners, host and file readers, in-pipeline transforms, local extensions. */
const API_FREE = {
  receiver: new Set(['otlp', 'jaeger', 'zipkin', 'opencensus', 'hostmetrics', 'filelog', 'journald', 'statsd', 'carbon', 'syslog', 'tcplog', 'udplog', 'fluentforward', 'prometheus_simple', 'receiver_creator', 'signalfx', 'sapm', 'splunk_hec', 'collectd', 'influxdb', 'nop', 'httpcheck', 'docker_stats', 'podman_stats', 'nginx', 'redis', 'mysql', 'postgresql', 'memcached', 'zookeeper', 'kafkametrics', 'kafka', 'awsxray', 'skywalking', 'windowseventlog', 'windowsperfcounters', 'otlpjsonfile', 'loki', 'datadog']),
  processor: new Set(['batch', 'memory_limiter', 'resource', 'attributes', 'filter', 'transform', 'probabilistic_sampler', 'tail_sampling', 'span', 'groupbyattrs', 'groupbytrace', 'metricstransform', 'cumulativetodelta', 'deltatocumulative', 'deltatorate', 'routing', 'redaction', 'metricsgeneration', 'experimental_metricsgeneration', 'logdedup', 'interval', 'sumologic', 'logstransform']),
  extension: new Set(['health_check', 'healthcheckv2', 'pprof', 'zpages', 'memory_ballast', 'file_storage', 'db_storage', 'basicauth', 'bearertokenauth', 'oauth2client', 'headers_setter', 'oidc', 'sigv4auth', 'host_observer', 'docker_observer', 'opamp']),
};

/** resourcedetection detectors that read the environment, the host or a cloud metadata service, not the API server. */
const API_FREE_DETECTORS = new Set(['env', 'system', 'docker', 'ec2', 'ecs', 'elastic_beanstalk', 'lambda', 'gcp', 'azure', 'aks', 'heroku', 'consul', 'dynatrace']);
