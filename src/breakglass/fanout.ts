// One break-glass step across several clusters at once: the incident hit most large clusters
// together. Clusters run with bounded parallelism, largest first (the size comes from the
// configuration, the node inventory or the cluster model: never from the API server that may be
// down), each with its own context (etcd endpoints, node inventory, simulated model). Item ids
// are `<cluster>/<id>`; a cluster whose action failed as a whole has the item `<cluster>`, so
// "retry failed" can run again exactly what failed, across clusters.
import { mapPool } from '../common/pool';
import { parseAction } from './registry';
import type { ActionContext, ActionItem, ActionResult, Progress } from './types';

export interface ClusterTarget {
  name: string;
  /** Nodes (for the order: largest first); undefined sorts last. */
  size?: number;
  /** The context the action runs with on this cluster. */
  ctx: ActionContext;
  /** This cluster's own body (fields filled from its configuration), else the step's. */
  body?: unknown;
}

export interface ClusterOutcome {
  name: string;
  size?: number;
  state: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  preview?: ActionResult;
  result?: ActionResult;
  progress?: Progress;
}

export interface FanOutOptions {
  /** Clusters acted on at once (default 2). */
  parallel?: number;
  /** Retry: `<cluster>/<id>` items, or `<cluster>` for a cluster that failed as a whole. */
  only?: string[];
  /** Called whenever a cluster's state or progress changes (the whole table, for a view). */
  onUpdate?(clusters: readonly ClusterOutcome[]): void;
  signal?: AbortSignal;
}

export interface FanOutResult extends ActionResult {
  clusters: ClusterOutcome[];
}

/** Largest first; unknown sizes last; ties by name (a stable, predictable order). */
export function orderClusters<T extends { name: string; size?: number }>(targets: T[]): T[] {
  return [...targets].sort((a, b) => (b.size ?? -1) - (a.size ?? -1) || a.name.localeCompare(b.name));
}

/** Splits retry ids by cluster: undefined = the whole cluster, [] = nothing to do there. */
export function onlyFor(only: string[] | undefined, cluster: string): string[] | undefined | null {
  if (!only) return undefined;
  if (only.includes(cluster)) return undefined;
  const prefix = `${cluster}/`;
  const ids = only.filter((x) => x.startsWith(prefix)).map((x) => x.slice(prefix.length));
  return ids.length ? ids : null;
}

/** The ids "retry failed" should run again after this result. */
export function failedIds(r: ActionResult): string[] {
  return r.items.filter((i) => !i.ok).map((i) => i.id);
}

export async function fanOutStep(body: unknown, targets: ClusterTarget[], o: FanOutOptions = {}): Promise<{ preview?: ActionResult; result: FanOutResult }> {
  const parsed = parseAction(body);
  if (!parsed.spec && !targets.some((t) => t.body !== undefined)) {
    const result: FanOutResult = { ok: false, summary: `invalid break-glass step: ${parsed.problems.join('; ')}`, items: [], clusters: [] };
    return { result };
  }
  const name = parsed.spec?.action.name ?? String((body as { action?: unknown })?.action ?? 'break-glass step');
  const ordered = orderClusters(targets);
  const table: ClusterOutcome[] = ordered.map((t) => ({ name: t.name, size: t.size, state: 'pending' }));
  const update = (): void => o.onUpdate?.(table.map((c) => ({ ...c })));
  update();
  const parallel = Math.max(1, o.parallel ?? 2);
  const one = async (i: number): Promise<void> => {
    const t = ordered[i];
    const row = table[i];
    const only = onlyFor(o.only, t.name);
    if (only === null) {
      row.state = 'skipped';
      update();
      return;
    }
    if (o.signal?.aborted) {
      row.state = 'cancelled';
      update();
      return;
    }
    row.state = 'running';
    update();
    const ctx: ActionContext = {
      ...t.ctx,
      log: (line) => t.ctx.log(`[${t.name}] ${line}`),
      progress: (p) => {
        row.progress = p;
        t.ctx.progress?.(p);
        update();
      },
    };
    try {
      const mine = t.body === undefined ? parsed : parseAction(t.body);
      if (!mine.spec) throw new Error(`invalid break-glass step for ${t.name}: ${mine.problems.join('; ')}`);
      const { action, spec } = mine.spec;
      const preview = only === undefined ? await action.preview(spec, ctx) : undefined;
      row.preview = preview;
      // The plan is known before anything runs: views show it now.
      if (preview) update();
      if (preview && !preview.ok) {
        row.result = { ...preview, summary: `not run: ${preview.summary}` };
      } else {
        row.result = await action.run(spec, ctx, { only, plan: preview?.plan });
      }
    } catch (e) {
      row.result = { ok: false, summary: `${name}: ${(e as Error).message}`, items: [] };
    }
    row.state = ctx.signal.aborted ? 'cancelled' : row.result.ok ? 'succeeded' : 'failed';
    update();
  };
  await mapPool(ordered, parallel, (_t, i) => one(i));

  const items: ActionItem[] = [];
  for (const row of table) {
    if (!row.result) continue;
    for (const it of row.result.items) items.push({ ...it, id: `${row.name}/${it.id}` });
    // A cluster that failed before acting on any item is retried as a whole.
    if (!row.result.ok && !row.result.items.some((it) => !it.ok)) items.push({ id: row.name, ok: false, detail: row.result.summary });
  }
  const ran = table.filter((r) => r.result);
  const failed = table.filter((r) => r.state === 'failed' || r.state === 'cancelled');
  const simSeconds = ran.some((r) => r.result?.simSeconds !== undefined) ? Math.max(...ran.map((r) => r.result?.simSeconds ?? 0)) : undefined;
  const summary =
    `${name} on ${ran.length} cluster(s) (largest first): ` +
    table.map((r) => `${r.name}${r.size !== undefined ? ` (${r.size} nodes)` : ''} ${r.state}`).join(', ') +
    (failed.length ? `; failed: ${failed.map((r) => `${r.name}: ${r.result?.summary ?? r.state}`).join('; ')}` : '');
  // The step's reason when it fails: which clusters failed; why is in their rows and under Details.
  const brief = `${name} on ${ran.length} cluster(s): ${failed.length ? `${failed.map((r) => `${r.name} ${r.state}`).join(', ')}` : 'all succeeded'}`;
  const result: FanOutResult = { ok: failed.length === 0, summary, brief, items, clusters: table, simSeconds };
  return { result };
}
