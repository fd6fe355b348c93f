// The per-cluster table of a break-glass step run across clusters, as the Runbook view draws it:
// rows from the session's `clusters` events (largest first, as the fan-out orders them), and a
// throttle so that a 5,000-node fan-out does not post a message per node. No vscode here.
import type { ClusterOutcome } from '../breakglass/fanout';
import { NOT_ATTEMPTED, briefOf } from '../breakglass/result';
import { MAX_CLUSTERS, type ClusterRowView } from './messages/runbook';

const MAX_SUMMARY = 1000;
/** A table cell's text: a few words; the rest goes to the row's detail (shown on demand). */
const MAX_BRIEF = 100;

function clip(s: string, max = MAX_SUMMARY): string {
  const one = s.replace(/\s*\n\s*/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

const count = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.min(Math.round(n), 1e9) : undefined);

/** The table's rows, in the order given (the fan-out's: largest first); `mask` hides secrets in summaries. */
export function clusterRows(clusters: readonly ClusterOutcome[], mask: (s: string) => string = (s) => s): ClusterRowView[] {
  return clusters.slice(0, MAX_CLUSTERS).map((c) => {
    const row: ClusterRowView = { name: c.name.slice(0, 200) || '?', state: c.state };
    const size = count(c.size);
    if (size !== undefined) row.size = size;
    const dryRun = c.result?.dryRun === true && c.state === 'succeeded';
    if (dryRun) {
      // Nothing ran: no progress to show, and the row does not say it succeeded at anything.
      row.state = 'dry-run';
    } else if (c.result?.items.length) {
      // Finished: the result's items are the final word (progress may have stopped short).
      row.total = c.result.items.length;
      row.done = c.result.items.filter((i) => i.ok || !NOT_ATTEMPTED.test(i.detail)).length;
      row.failed = c.result.items.filter((i) => !i.ok).length;
    } else if (c.progress) {
      const done = count(c.progress.done);
      const total = count(c.progress.total);
      const failed = count(c.progress.failed);
      if (done !== undefined) row.done = done;
      if (total !== undefined) row.total = total;
      if (failed !== undefined) row.failed = failed;
    }
    // While it runs, the cell shows the plan, saying so: a preview is not a result.
    const shown = c.result ? { brief: briefOf(c.result), whole: c.result.summary } : c.state === 'running' && c.preview ? { brief: `plan: ${briefOf(c.preview, true)}`, whole: `plan: ${c.preview.summary}` } : undefined;
    if (shown) {
      row.summary = clip(mask(shown.brief), MAX_BRIEF);
      const whole = clip(mask(shown.whole));
      if (whole !== row.summary) row.detail = whole;
    }
    return row;
  });
}

/** Nothing will change any more: every cluster finished (or was skipped). */
export function tableFinished(rows: readonly { state: string }[]): boolean {
  return rows.every((r) => r.state !== 'pending' && r.state !== 'running');
}

/**
 * At most one post per step every `intervalMs`; the latest table always gets through (a trailing
 * post), and a finished table or `flush()` posts at once.
 */
export class ClusterTableThrottle {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, ClusterRowView[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The latest table of each step (what a page that loads again is sent). */
  readonly latest = new Map<string, ClusterRowView[]>();

  constructor(
    private readonly post: (stepId: string, rows: ClusterRowView[]) => void,
    private readonly intervalMs = 200,
    private readonly now: () => number = Date.now,
  ) {}

  update(stepId: string, rows: ClusterRowView[]): void {
    this.latest.set(stepId, rows);
    this.pending.set(stepId, rows);
    const since = this.now() - (this.last.get(stepId) ?? -Infinity);
    if (tableFinished(rows) || since >= this.intervalMs) {
      this.flush(stepId);
      return;
    }
    if (!this.timers.has(stepId)) this.timers.set(stepId, setTimeout(() => this.flush(stepId), this.intervalMs - since));
  }

  /** Posts the step's pending table now (if any). */
  flush(stepId: string): void {
    const t = this.timers.get(stepId);
    if (t) clearTimeout(t);
    this.timers.delete(stepId);
    const rows = this.pending.get(stepId);
    if (!rows) return;
    this.pending.delete(stepId);
    this.last.set(stepId, this.now());
    this.post(stepId, rows);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }
}
