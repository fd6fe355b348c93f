// etcd-delete: remove objects straight from etcd when the API server cannot take the request.
//
//   action: etcd-delete
//   keys: [/registry/daemonsets/monitoring/telemetry-agent]
//   prefixes: [/registry/pods/monitoring/telemetry-agent-]
//   expect: 5001          # optional: refuse unless the preview finds exactly this many keys
//   allowPlaintextCredentials: true   # optional: let an etcd user and password go to http://
//
// Real: the etcd3 client with etcdctl's environment (etcd-client.ts). preview() lists the keys
// with their mod revisions; run() deletes exactly those, each in its own transaction
// `if mod_revision(key) == X then delete(key)`, so a key written since the preview (say, the
// DaemonSet controller recreated a pod) is left alone and reported.
//
// Simulated: the model's keyspace is its workloads and their running pods (names as
// `breakglass sim serve` shows them). Deleting a workload's key is the model's deleteWorkload():
// the object is gone, but its running agents stop only as their kubelets hear of it — through the
// saturated API server. Deleting pod keys while their DaemonSet exists changes nothing lasting
// (the DaemonSet controller recreates them); once the DaemonSet is gone, pod keys going away
// does not reach the kubelets any faster. Stopping agents quickly takes node-exec.
import { mapPool } from '../common/pool';
import { WorkloadPodNames } from '../sim/podNames';
import type { SimTarget } from '../sim/types';
import { explainEtcdError, etcdTarget, openEtcd, plaintextCredentialsProblem, type EtcdConnection } from './etcd-client';
import { asBody, bool, int, strList, unknownFields } from './spec';
import { ActionError, simTargetOf, type ActionContext, type ActionReadiness, type ActionItem, type ActionResult, type BreakglassAction, type ParseResult, type RunOptions } from './types';

const NAME = 'etcd-delete';

/**
 * The preflight path a run needs (its readiness badge). Plain data, exported on its own: readiness.ts
 * imports only this, so the bundler leaves the action's code out of the extension's main bundle.
 */
export const ETCD_DELETE_READINESS: ActionReadiness = { action: NAME, path: 'etcd' };

export interface EtcdDeleteSpec {
  keys: string[];
  prefixes: string[];
  expect?: number;
  /** The etcd user and password may be sent to an http:// endpoint (refused otherwise). */
  allowPlaintextCredentials?: boolean;
}

export interface EtcdKeyRev {
  key: string;
  modRevision: string;
}

export interface EtcdDeletePlan {
  kind: 'etcd-delete';
  /** etcd's revision when the preview read the keys. */
  revision: string;
  keys: EtcdKeyRev[];
}

/** Keys one preview may list (pages of PAGE); more is refused: narrow the prefix. */
export const MAX_KEYS = 100_000;
const PAGE = 1000;
/** Deletion transactions in flight at once. */
const TXN_CONCURRENCY = 16;

export function parseEtcdDelete(body: unknown): ParseResult<EtcdDeleteSpec> {
  const problems: string[] = [];
  const b = asBody(body, problems);
  if (!b) return { problems };
  unknownFields(b, ['keys', 'prefixes', 'expect', 'allowPlaintextCredentials'], problems);
  const keys = strList(b, 'keys', problems) ?? [];
  const prefixes = strList(b, 'prefixes', problems) ?? [];
  const expect = int(b, 'expect', problems, { min: 0 });
  const allowPlaintextCredentials = bool(b, 'allowPlaintextCredentials', problems);
  if (!keys.length && !prefixes.length) problems.push('give `keys` and/or `prefixes` (etcd keys such as /registry/daemonsets/<namespace>/<name>)');
  for (const k of keys) if (!k.startsWith('/') || k.length < 2) problems.push(`key '${k}' must be an absolute etcd key such as /registry/daemonsets/monitoring/agent`);
  for (const p of prefixes) {
    // At least /<root>/<resource>/<something>: never every object of a resource, never everything.
    const segs = p.split('/');
    if (segs[0] !== '' || segs.length < 4 || !segs[1] || !segs[2] || !segs[3]) {
      problems.push(`prefix '${p}' is too broad: it must name at least /<root>/<resource>/<namespace or name> (e.g. /registry/pods/monitoring/telemetry-agent-)`);
    }
  }
  if (problems.length) return { problems };
  return { spec: { keys, prefixes, expect, ...(allowPlaintextCredentials !== undefined ? { allowPlaintextCredentials } : {}) }, problems };
}

function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/**
 * How many of `keys` each of the step's keys and prefixes accounts for, in words: "1 at
 * /registry/daemonsets/monitoring/telemetry-agent, 5000 under /registry/pods/monitoring/telemetry-agent-".
 * A key named exactly is not counted again under a prefix.
 */
export function countBySelector(spec: EtcdDeleteSpec, keys: readonly string[]): string {
  const left = new Set(keys);
  const parts: string[] = [];
  for (const k of spec.keys) {
    const n = left.delete(k) ? 1 : 0;
    parts.push(`${n} at ${k}`);
  }
  for (const p of spec.prefixes) {
    let n = 0;
    for (const k of left) {
      if (k.startsWith(p)) {
        n++;
        left.delete(k);
      }
    }
    parts.push(`${n} under ${p}`);
  }
  return parts.join(', ');
}

function previewResult(spec: EtcdDeleteSpec, plan: EtcdDeletePlan, missing: string[], where: string): ActionResult {
  const items: ActionItem[] = plan.keys.map((k) => ({ id: k.key, ok: true, detail: `mod revision ${k.modRevision}` }));
  for (const m of missing) items.push({ id: m, ok: true, unchanged: true, detail: 'not found: nothing to delete' });
  const n = plan.keys.length;
  const expectOk = spec.expect === undefined || spec.expect === n;
  const summary = `${n} key(s) to delete from ${where} at revision ${plan.revision} (${countBySelector(spec, plan.keys.map((k) => k.key))})${missing.length ? `; ${missing.length} listed key(s) not found` : ''}${expectOk ? '' : `; expected ${spec.expect}: refusing to delete`}`;
  return { ok: expectOk, summary, brief: expectOk ? `${n} key(s) to delete` : `${n} key(s), expected ${spec.expect}: not deleted`, items, plan };
}

/** A dry run's answer: the preview, saying that nothing was deleted. */
function dryRunResult(p: ActionResult): ActionResult {
  return { ...p, summary: `dry run: nothing deleted; ${p.summary}`, brief: p.brief, dryRun: true };
}

/** The run's outcome in a few words: what was deleted, and what was not. */
function runBrief(deleted: number, o: { changed?: number; gone?: number; failed?: number; cancelled?: number }): string {
  const more = [o.changed ? `${o.changed} changed since the preview (kept)` : '', o.gone ? `${o.gone} already gone` : '', o.failed ? `${o.failed} failed` : '', o.cancelled ? `${o.cancelled} not attempted` : ''].filter(Boolean);
  return `${deleted} key(s) deleted${more.length ? `, ${more.join(', ')}` : ''}`;
}

function checkPlan(p: unknown): EtcdDeletePlan | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const x = p as EtcdDeletePlan;
  if (x.kind !== 'etcd-delete' || !Array.isArray(x.keys) || !x.keys.every((k) => typeof k?.key === 'string' && typeof k?.modRevision === 'string')) return undefined;
  return x;
}

// ---- real ---------------------------------------------------------------------------------------

async function readKeys(conn: EtcdConnection, spec: EtcdDeleteSpec, signal: AbortSignal): Promise<{ plan: EtcdDeletePlan; missing: string[] }> {
  const kv = conn.client.kv;
  // The first answer pins the revision: every later read is of the same snapshot.
  const head = await kv.range({ key: Buffer.from(spec.keys[0] ?? spec.prefixes[0]), count_only: true });
  const revision = String(head.header.revision);
  const found = new Map<string, string>();
  const missing: string[] = [];
  for (const k of spec.keys) {
    if (signal.aborted) throw new ActionError('cancelled');
    const r = await kv.range({ key: Buffer.from(k), revision, keys_only: true });
    if (r.kvs.length) found.set(k, String(r.kvs[0].mod_revision));
    else missing.push(k);
  }
  for (const p of spec.prefixes) {
    const end = prefixEnd(Buffer.from(p));
    let from = Buffer.from(p);
    for (let page = 0; page <= MAX_KEYS / PAGE; page++) {
      if (signal.aborted) throw new ActionError('cancelled');
      const r = await kv.range({ key: from, range_end: end, revision, keys_only: true, limit: PAGE });
      for (const x of r.kvs) found.set(x.key.toString('utf8'), String(x.mod_revision));
      if (found.size > MAX_KEYS) throw new ActionError(`more than ${MAX_KEYS} keys match: narrow the prefixes`);
      if (!r.more || !r.kvs.length) break;
      from = Buffer.concat([r.kvs[r.kvs.length - 1].key, Buffer.from([0])]);
    }
  }
  const keys = [...found].map(([key, modRevision]) => ({ key, modRevision })).sort((a, b) => (a.key < b.key ? -1 : 1));
  return { plan: { kind: 'etcd-delete', revision, keys }, missing };
}

async function withEtcd<T>(spec: EtcdDeleteSpec, ctx: ActionContext, fn: (c: EtcdConnection) => Promise<T>): Promise<T> {
  const settings = ctx.settings?.etcd;
  // The opt-in may come from the step or from the cluster's config entry (settings).
  const allow = spec.allowPlaintextCredentials === true || settings?.allowPlaintextCredentials === true;
  const t = etcdTarget(ctx.env, { ...settings, allowPlaintextCredentials: allow });
  const plain = plaintextCredentialsProblem(t);
  if (plain && allow) ctx.log(`warning: ${plain} (allowed by allowPlaintextCredentials)`);
  const conn = await openEtcd(t);
  try {
    return await fn(conn);
  } catch (e) {
    throw explainEtcdError(e, t);
  } finally {
    conn.close();
  }
}

async function realPreview(spec: EtcdDeleteSpec, ctx: ActionContext): Promise<ActionResult> {
  return withEtcd(spec, ctx, async (conn) => {
    const { plan, missing } = await readKeys(conn, spec, ctx.signal);
    return previewResult(spec, plan, missing, `etcd ${conn.endpoints.join(',')}`);
  });
}

async function realRun(spec: EtcdDeleteSpec, ctx: ActionContext, opts: RunOptions): Promise<ActionResult> {
  return withEtcd(spec, ctx, async (conn) => {
    let plan = opts.plan === undefined ? undefined : checkPlan(opts.plan);
    if (opts.plan !== undefined && !plan) throw new ActionError('the plan handed to run() is not an etcd-delete preview');
    let missing: string[] = [];
    if (!plan) ({ plan, missing } = await readKeys(conn, spec, ctx.signal));
    const where = `etcd ${conn.endpoints.join(',')}`;
    if (spec.expect !== undefined && spec.expect !== plan.keys.length) {
      return { ...previewResult(spec, plan, missing, where), ok: false };
    }
    if (ctx.dryRun) return dryRunResult(previewResult(spec, plan, missing, where));
    const only = opts.only ? new Set(opts.only) : undefined;
    const todo = plan.keys.filter((k) => !only || only.has(k.key));
    const items: ActionItem[] = [];
    const deletedKeys: string[] = [];
    let deleted = 0;
    let changed = 0;
    let gone = 0;
    let failed = 0;
    const client = conn.client;
    await mapPool(todo, TXN_CONCURRENCY, async (k) => {
      try {
        const r = await client.if(k.key, 'Mod', '==', k.modRevision).then(client.delete().key(k.key)).else(client.get(k.key)).commit();
        if (r.succeeded) {
          deleted++;
          deletedKeys.push(k.key);
          items.push({ id: k.key, ok: true, detail: `deleted (mod revision ${k.modRevision})` });
        } else {
          const now = r.responses[0]?.response_range?.kvs?.[0];
          if (!now) {
            gone++;
            items.push({ id: k.key, ok: true, unchanged: true, detail: 'already gone' });
          } else {
            changed++;
            items.push({ id: k.key, ok: false, detail: `changed since the preview (mod revision ${k.modRevision} -> ${now.mod_revision}): not deleted` });
          }
        }
      } catch (e) {
        failed++;
        items.push({ id: k.key, ok: false, detail: explainEtcdError(e, conn.target).message });
      }
      ctx.progress?.({ done: items.length, total: todo.length, failed: changed + failed, current: k.key });
    }, ctx.signal);
    for (const k of todo.slice(items.length)) items.push({ id: k.key, ok: false, detail: 'cancelled: not attempted' });
    const order = new Map(todo.map((k, i) => [k.key, i]));
    items.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    const cancelled = todo.length - deleted - changed - gone - failed;
    const summary = `deleted ${deleted} of ${todo.length} key(s) from ${where} (${countBySelector(spec, deletedKeys)})${changed ? `; ${changed} changed since the preview (kept)` : ''}${gone ? `; ${gone} already gone` : ''}${failed ? `; ${failed} failed` : ''}${cancelled ? `; ${cancelled} not attempted (cancelled)` : ''}`;
    return { ok: changed + failed + cancelled === 0, summary, brief: runBrief(deleted, { changed, gone, failed, cancelled }), items, plan };
  });
}

// ---- simulated ----------------------------------------------------------------------------------

const SIM_REVISION = '1';

interface SimKey {
  key: string;
  workload: string;
  kind: 'DaemonSet' | 'Deployment' | 'Pod';
}

/**
 * The model's keyspace: each workload's object and its pod objects (running, or stopped on their
 * nodes), named as sim serve names them.
 */
export function simKeyspace(cluster: SimTarget): SimKey[] {
  const out: SimKey[] = [];
  for (const w of cluster.workloads()) {
    const k = `${w.namespace}/${w.name}`;
    out.push({ key: `/registry/${w.kind === 'DaemonSet' ? 'daemonsets' : 'deployments'}/${k}`, workload: k, kind: w.kind });
    const names = new WorkloadPodNames(w);
    // Pods whose agents were stopped on their nodes are still objects in etcd.
    const n = cluster.podObjects(w.namespace, w.name);
    for (let i = 0; i < n; i++) out.push({ key: `/registry/pods/${w.namespace}/${names.name(i)}`, workload: k, kind: 'Pod' });
  }
  return out;
}

function simMatch(spec: EtcdDeleteSpec, cluster: SimTarget): { plan: EtcdDeletePlan; missing: string[]; index: Map<string, SimKey> } {
  const space = simKeyspace(cluster);
  const index = new Map(space.map((k) => [k.key, k]));
  const found = new Set<string>();
  const missing: string[] = [];
  for (const k of spec.keys) (index.has(k) ? found.add(k) : missing.push(k));
  for (const p of spec.prefixes) for (const k of space) if (k.key.startsWith(p)) found.add(k.key);
  const keys = [...found].sort().map((key) => ({ key, modRevision: SIM_REVISION }));
  return { plan: { kind: 'etcd-delete', revision: SIM_REVISION, keys }, missing, index };
}

async function simRun(spec: EtcdDeleteSpec, ctx: ActionContext, opts: RunOptions): Promise<ActionResult> {
  const cluster = simTargetOf(ctx);
  const { plan: fresh, missing, index } = simMatch(spec, cluster);
  const given = opts.plan === undefined ? undefined : checkPlan(opts.plan);
  if (opts.plan !== undefined && !given) throw new ActionError('the plan handed to run() is not an etcd-delete preview');
  const plan = given ?? fresh;
  const where = `simulated etcd of ${cluster.spec.name}`;
  if (spec.expect !== undefined && spec.expect !== plan.keys.length) return { ...previewResult(spec, plan, missing, where), ok: false };
  if (ctx.dryRun) return dryRunResult(previewResult(spec, plan, missing, where));
  const only = opts.only ? new Set(opts.only) : undefined;
  const todo = plan.keys.filter((k) => !only || only.has(k.key));
  const items: ActionItem[] = [];
  const deletedKeys: string[] = [];
  const workloadsDeleted = new Set<string>();
  const podsByWorkload = new Map<string, number>();
  for (const k of todo) {
    const s = index.get(k.key);
    if (!s) {
      items.push({ id: k.key, ok: true, unchanged: true, detail: 'already gone' });
      continue;
    }
    items.push({ id: k.key, ok: true, detail: 'deleted' });
    deletedKeys.push(k.key);
    if (s.kind === 'Pod') podsByWorkload.set(s.workload, (podsByWorkload.get(s.workload) ?? 0) + 1);
    else workloadsDeleted.add(s.workload);
  }
  // One transaction per key against a local etcd: about a millisecond each.
  const simSeconds = Math.max(1, Math.ceil(todo.length / 1000));
  const timeline = ctx.sim?.timeline;
  if (timeline) await timeline.until(timeline.now() + simSeconds, ctx.signal);
  for (const w of workloadsDeleted) {
    const [ns, name] = w.split('/');
    cluster.deleteWorkload(ns, name);
  }
  // What the model says now: agents stopped on their nodes are not running, whatever etcd held.
  const runningNow = (w: string): number => Math.round(cluster.snapshot().workloadPods[w] ?? 0);
  const agents = (w: string): string => {
    const n = runningNow(w);
    return n ? `${n} of its agents still running until their kubelets hear of it through the API server` : 'none of its agents is running';
  };
  for (const w of workloadsDeleted) cluster.emit('etcd-delete', `${w}: object removed from etcd; ${agents(w)}`);
  for (const [w, n] of podsByWorkload) {
    const ownerGone = workloadsDeleted.has(w) || !cluster.workloads().some((x) => `${x.namespace}/${x.name}` === w);
    const running = runningNow(w);
    cluster.emit(
      'etcd-delete',
      ownerGone
        ? `${n} pod object(s) of ${w} removed from etcd; ${running ? `${running} of their containers keep running until each kubelet hears of it through the API server` : 'none of their agents is running'}`
        : `${n} pod object(s) of ${w} removed from etcd; the ${workloadKind(cluster, w)} controller recreates them${running ? ' and the agents keep running' : ''}`,
    );
  }
  const deleted = deletedKeys.length;
  const gone = items.length - deleted;
  const states = [...workloadsDeleted].map((w) => `${w} gone from the API, ${agents(w)}`);
  const summary = `deleted ${deleted} of ${todo.length} key(s) from ${where} (${countBySelector(spec, deletedKeys)})${gone ? `; ${gone} already gone` : ''}${states.length ? `; ${states.join('; ')}` : ''}`;
  return { ok: true, summary, brief: runBrief(deleted, { gone }), items, plan, simSeconds };
}

function workloadKind(cluster: SimTarget, w: string): string {
  return cluster.workloads().find((x) => `${x.namespace}/${x.name}` === w)?.kind ?? 'workload';
}

export const etcdDelete: BreakglassAction<EtcdDeleteSpec> = {
  name: NAME,
  title: 'Delete keys from etcd',
  readiness: ETCD_DELETE_READINESS,
  parse: parseEtcdDelete,
  where(_spec, ctx) {
    if (ctx.mode === 'sim') return [`the simulated etcd of ${ctx.sim?.cluster.spec.name ?? '?'}`];
    try {
      const t = etcdTarget(ctx.env, ctx.settings?.etcd);
      return [`etcd ${t.endpoints.join(', ')} (from ${t.source})`];
    } catch (e) {
      return [`etcd: ${(e as Error).message}`];
    }
  },
  async preview(spec, ctx) {
    if (ctx.mode === 'sim') {
      const { plan, missing } = simMatch(spec, simTargetOf(ctx));
      return previewResult(spec, plan, missing, `simulated etcd of ${ctx.sim!.cluster.spec.name}`);
    }
    return realPreview(spec, ctx);
  },
  run(spec, ctx, opts = {}) {
    return ctx.mode === 'sim' ? simRun(spec, ctx, opts) : realRun(spec, ctx, opts);
  },
};
