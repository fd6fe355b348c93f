// Tabletop scenarios: YAML files in runbooks/scenarios/. Validated with errors that name the
// line and the field, never a crash.
import { isMap, isScalar, isSeq } from 'yaml';
import { readYaml } from '../common/yaml';
import { parseDuration } from '../common/duration';
import { outside } from './actions/action';
import type { ApiCall, Scope, Verb } from '../cost/model';
import { SCENARIO_ACTIONS, scenarioAction, type ActionFields, type ScenarioAction } from './actions';
import type { ScenarioCluster, ScenarioWorkload } from './scenarioTypes';

export type { ScenarioCluster, ScenarioWorkload } from './scenarioTypes';
export type { ScenarioAction } from './actions';

export interface ScenarioEvent {
  at: number; // seconds
  /** Cluster names the event applies to. */
  clusters: string[];
  spec: ScenarioAction;
  line: number;
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  durationSeconds: number;
  /** Error ratio under which the data plane counts as recovered. */
  recoveredErrorRatio: number;
  clusters: ScenarioCluster[];
  workloads: { clusters: string[]; workload: ScenarioWorkload }[];
  events: ScenarioEvent[];
  /** DNS: how long cached records stay useful once discovery stops updating (seconds). */
  dnsCacheExpirySeconds: number;
  /** Tabletop hints, revealed on demand once simulated time passed `after` seconds. */
  hints: ScenarioHint[];
}

export interface ScenarioHint {
  after: number;
  text: string;
}

export class ScenarioError extends Error {
  constructor(
    readonly problems: { line: number; message: string }[],
    readonly file = 'scenario',
  ) {
    super(problems.map((p) => `${file}:${p.line}: ${p.message}`).join('\n'));
  }
}

/**
 * The scenario's workloads, one per namespace/name, in the order they appear (those deployed at
 * T+0, then those of `deploy` events by time): what a facilitator may deploy, block or unblock.
 * A name deployed more than once stands for its last definition.
 */
export function scenarioWorkloads(s: Pick<Scenario, 'workloads' | 'events'>): ScenarioWorkload[] {
  const byKey = new Map<string, ScenarioWorkload>();
  for (const w of [...s.workloads.map((x) => x.workload), ...s.events.flatMap((e) => (e.spec.action === 'deploy' ? [e.spec.workload] : []))]) byKey.set(`${w.namespace}/${w.name}`, w);
  return [...byKey.values()];
}

const VERBS: Verb[] = ['list', 'watch', 'get', 'create', 'update', 'patch', 'delete'];
const SCOPES: Scope[] = ['cluster', 'namespace', 'node'];
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Parses and validates a scenario; throws ScenarioError listing every problem with its line. */
export function parseScenario(text: string, file = 'scenario.yaml'): Scenario {
  const { doc, errors, lineOf } = readYaml(text);
  const problems: { line: number; message: string }[] = errors.map((e) => ({ line: e.line, message: `YAML: ${e.message}` }));
  if (problems.length) throw new ScenarioError(problems, file);
  const root = doc.contents;
  if (!isMap(root)) throw new ScenarioError([{ line: 1, message: 'a scenario is a YAML mapping with name, clusters and events' }], file);
  const bad = (node: unknown, message: string) => problems.push({ line: lineOf(node), message });

  type Obj = { node: unknown; get(k: string): unknown; node_(k: string): unknown; keys: string[] };
  const obj = (node: unknown, where: string): Obj | undefined => {
    if (!isMap(node)) {
      bad(node, `${where} must be a mapping`);
      return undefined;
    }
    const js = node.toJSON() as Record<string, unknown>;
    return { node, get: (k) => js[k], node_: (k) => node.get(k, true) ?? node, keys: Object.keys(js) };
  };
  const str = (o: Obj, k: string, where: string, def?: string): string => {
    const v = o.get(k);
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'string' || v === '') {
      bad(o.node_(k), `${where}.${k} must be a non-empty string`);
      return def ?? '';
    }
    return v;
  };
  const num = (o: Obj, k: string, where: string, def: number | undefined, min: number, max: number): number => {
    const v = o.get(k);
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      bad(o.node_(k), `${where}.${k} must be a number from ${min} to ${max}${v === undefined ? ' (missing)' : ` (got ${JSON.stringify(v)})`}`);
      return def ?? min;
    }
    return v;
  };
  const dur = (o: Obj, k: string, where: string, def?: number, within?: readonly [number, number]): number => {
    const v = o.get(k);
    if (v === undefined && def !== undefined) return def;
    const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
    if (ms === undefined) {
      bad(o.node_(k), `${where}.${k} must be a duration such as 30s, 5m or 4h22m`);
      return def ?? 0;
    }
    const problem = outside(ms / 1000, within);
    if (problem) bad(o.node_(k), `${where}.${k} ${problem}`);
    return ms / 1000;
  };
  const unknownKeys = (o: Obj, allowed: string[], where: string) => {
    for (const k of o.keys) if (!allowed.includes(k)) bad(o.node_(k), `${where}: unknown field '${k}' (known: ${allowed.join(', ')})`);
  };

  const top = obj(root, 'the scenario')!;
  unknownKeys(top, ['name', 'description', 'seed', 'duration', 'recoveredErrorRatio', 'dnsCacheExpiry', 'clusters', 'workloads', 'events', 'hints'], 'scenario');
  const name = str(top, 'name', 'scenario');
  const description = typeof top.get('description') === 'string' ? (top.get('description') as string) : '';
  const seed = num(top, 'seed', 'scenario', 1, 0, 2 ** 31);
  const durationSeconds = dur(top, 'duration', 'scenario', 4 * 3600 + 22 * 60);
  const recoveredErrorRatio = num(top, 'recoveredErrorRatio', 'scenario', 0.01, 0, 1);
  const dnsCacheExpirySeconds = dur(top, 'dnsCacheExpiry', 'scenario', 1200);
  if (dnsCacheExpirySeconds < 1) bad(top.node_('dnsCacheExpiry'), 'scenario.dnsCacheExpiry must be at least 1s');

  const clusters: ScenarioCluster[] = [];
  const clustersNode = top.node_('clusters');
  if (!isSeq(clustersNode) || clustersNode.items.length === 0) bad(clustersNode, 'scenario.clusters must be a non-empty list');
  else {
    clustersNode.items.forEach((item, i) => {
      const w = `clusters[${i}]`;
      const o = obj(item, w);
      if (!o) return;
      unknownKeys(o, ['name', 'nodes', 'podsPerNode', 'namespaces', 'services', 'apiServerReplicas', 'serverConcurrency', 'apiServerMemoryGiB', 'apiServerCores', 'consistentListFromCache', 'backgroundUserRps'], w);
      const c: ScenarioCluster = {
        name: str(o, 'name', w),
        nodes: num(o, 'nodes', w, undefined, 1, 100_000),
        podsPerNode: num(o, 'podsPerNode', w, 30, 1, 250),
        namespaces: o.get('namespaces') === undefined ? undefined : num(o, 'namespaces', w, undefined, 1, 100_000),
        services: o.get('services') === undefined ? undefined : num(o, 'services', w, undefined, 1, 1_000_000),
        apiServerReplicas: num(o, 'apiServerReplicas', w, 3, 1, 50),
        serverConcurrency: num(o, 'serverConcurrency', w, 600, 1, 100_000),
        apiServerMemoryGiB: num(o, 'apiServerMemoryGiB', w, 64, 1, 4096),
        apiServerCores: num(o, 'apiServerCores', w, 32, 1, 1024),
        consistentListFromCache: o.get('consistentListFromCache') === true,
        backgroundUserRps: num(o, 'backgroundUserRps', w, 20, 0, 100_000),
      };
      if (c.name && !NAME.test(c.name)) bad(o.node_('name'), `${w}.name must be a DNS-style name (lowercase letters, digits, -)`);
      if (clusters.some((x) => x.name === c.name)) bad(o.node_('name'), `cluster '${c.name}' is declared twice`);
      clusters.push(c);
    });
  }
  const clusterNames = clusters.map((c) => c.name);
  const target = (o: Obj, where: string): string[] => {
    const v = o.get('cluster') ?? o.get('clusters') ?? '*';
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x !== 'string')) {
      bad(o.node_('clusters'), `${where}.clusters must be a cluster name, a list of names, or '*'`);
      return [];
    }
    if (list.includes('*')) return clusterNames;
    for (const n of list as string[]) if (!clusterNames.includes(n)) bad(o.node_(o.get('cluster') !== undefined ? 'cluster' : 'clusters'), `${where}: no cluster named '${n}' (clusters: ${clusterNames.join(', ')})`);
    return list as string[];
  };

  const workload = (node: unknown, where: string): ScenarioWorkload | undefined => {
    const o = obj(node, where);
    if (!o) return undefined;
    unknownKeys(o, ['name', 'namespace', 'kind', 'replicas', 'image', 'serviceAccount', 'identity', 'calls', 'rollout', 'retries', 'cluster', 'clusters'], where);
    const identity = o.get('identity') ?? 'serviceAccount';
    if (identity !== 'serviceAccount' && identity !== 'node' && identity !== 'user') bad(o.node_('identity'), `${where}.identity must be serviceAccount, node or user`);
    const kind = o.get('kind') ?? 'DaemonSet';
    if (kind !== 'DaemonSet' && kind !== 'Deployment') bad(o.node_('kind'), `${where}.kind must be DaemonSet or Deployment`);
    const wname = str(o, 'name', where);
    if (wname && !NAME.test(wname)) bad(o.node_('name'), `${where}.name must be a DNS-style name`);
    const calls: ApiCall[] = [];
    const callsNode = o.node_('calls');
    if (o.get('calls') !== undefined) {
      if (!isSeq(callsNode)) bad(callsNode, `${where}.calls must be a list`);
      else
        callsNode.items.forEach((cn, j) => {
          const cw = `${where}.calls[${j}]`;
          const c = obj(cn, cw);
          if (!c) return;
          unknownKeys(c, ['verb', 'resource', 'scope', 'interval', 'resourceVersion', 'encoding'], cw);
          const verb = c.get('verb');
          if (!VERBS.includes(verb as Verb)) bad(c.node_('verb'), `${cw}.verb must be one of ${VERBS.join(', ')}`);
          const scope = c.get('scope') ?? 'cluster';
          if (!SCOPES.includes(scope as Scope)) bad(c.node_('scope'), `${cw}.scope must be one of ${SCOPES.join(', ')}`);
          const rv = c.get('resourceVersion');
          if (rv !== undefined && rv !== '0' && rv !== '' && rv !== 0) bad(c.node_('resourceVersion'), `${cw}.resourceVersion must be "0" (watch cache) or "" (etcd)`);
          const enc = c.get('encoding');
          if (enc !== undefined && enc !== 'json' && enc !== 'protobuf') bad(c.node_('encoding'), `${cw}.encoding must be json or protobuf`);
          calls.push({
            verb: verb as Verb,
            resource: str(c, 'resource', cw),
            scope: scope as Scope,
            intervalSeconds: dur(c, 'interval', cw),
            resourceVersion: rv === undefined ? undefined : String(rv),
            encoding: enc as 'json' | 'protobuf' | undefined,
          });
        });
    }
    const w: ScenarioWorkload = {
      name: wname,
      namespace: str(o, 'namespace', where, 'default'),
      kind: kind as 'DaemonSet' | 'Deployment',
      replicas: kind === 'Deployment' ? num(o, 'replicas', where, 1, 0, 100_000) : undefined,
      image: str(o, 'image', where, `example.com/${wname || 'workload'}:latest`),
      serviceAccount: str(o, 'serviceAccount', where, wname || 'default'),
      calls,
      rolloutSeconds: dur(o, 'rollout', where, 120),
      retries: num(o, 'retries', where, 10, 0, 100),
      identity: identity as ScenarioWorkload['identity'],
    };
    return w;
  };

  const workloads: Scenario['workloads'] = [];
  const wn = top.node_('workloads');
  if (top.get('workloads') !== undefined) {
    if (!isSeq(wn)) bad(wn, 'scenario.workloads must be a list');
    else
      wn.items.forEach((item, i) => {
        const w = workload(item, `workloads[${i}]`);
        const o = obj(item, `workloads[${i}]`);
        if (w && o) workloads.push({ clusters: target(o, `workloads[${i}]`), workload: w });
      });
  }

  const events: ScenarioEvent[] = [];
  const en = top.node_('events');
  if (top.get('events') !== undefined) {
    if (!isSeq(en)) bad(en, 'scenario.events must be a list');
    else
      en.items.forEach((item, i) => {
        const w = `events[${i}]`;
        const o = obj(item, w);
        if (!o) return;
        const at = dur(o, 'at', w);
        const action = o.get('action');
        const line = lineOf(item);
        const clustersFor = target(o, w);
        const def = typeof action === 'string' ? scenarioAction(action) : undefined;
        if (!def) {
          bad(o.node_('action'), `${w}.action must be one of ${SCENARIO_ACTIONS.map((a) => a.name).join(', ')}${action === undefined ? ' (missing)' : ` (got ${JSON.stringify(action)})`}`);
          return;
        }
        unknownKeys(o, ['at', 'action', 'cluster', 'clusters', ...def.fields], w);
        const fields: ActionFields = {
          has: (k) => o.get(k) !== undefined,
          bad: (k, message) => bad(o.node_(k), `${w}.${k} ${message}`),
          str: (k, d) => str(o, k, w, d),
          num: (k, d, min, max) => num(o, k, w, d, min, max),
          dur: (k, d, within) => dur(o, k, w, d, within),
          workload: (k) => workload(o.node_(k), `${w}.${k}`),
        };
        const parsed = def.parse(fields);
        const spec = parsed && ({ action: def.name, ...parsed } as ScenarioAction);
        if (spec) events.push({ at, clusters: clustersFor, spec, line });
      });
  }
  const hints: ScenarioHint[] = [];
  const hintsNode = top.node_('hints');
  if (top.get('hints') !== undefined && top.get('hints') !== null) {
    if (!isSeq(hintsNode)) bad(hintsNode, 'scenario.hints must be a list of {after: 10m, text: …} (or of texts)');
    else
      hintsNode.items.forEach((item, i) => {
        const w = `hints[${i}]`;
        if (isScalar(item) && typeof item.value === 'string' && item.value.trim()) {
          hints.push({ after: 0, text: (item.value as string).trim() });
          return;
        }
        const o = obj(item, w);
        if (!o) return;
        unknownKeys(o, ['after', 'text'], w);
        const text = str(o, 'text', w);
        hints.push({ after: dur(o, 'after', w, 0), text });
      });
  }
  if (problems.length) throw new ScenarioError(problems.sort((a, b) => a.line - b.line), file);
  events.sort((a, b) => a.at - b.at || a.line - b.line);
  hints.sort((a, b) => a.after - b.after);
  return { name, description, seed, durationSeconds, recoveredErrorRatio, clusters, workloads, events, dnsCacheExpirySeconds, hints };
}
