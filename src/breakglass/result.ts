// Words for an action's result that every front-end shares (the Runbook view's clusters table, the
// command line's line per cluster). Types only: the views load this without the actions.
import type { ActionResult } from './types';

/** An item a cancelled run never reached (the actions' own words). */
export const NOT_ATTEMPTED = /^cancelled: not attempted/;

/**
 * A result in a few words: the action's own, else its items counted, else its summary (cut short
 * by the caller). A plan's items are what would be done: not counted as changes.
 */
export function briefOf(r: ActionResult, plan = false): string {
  if (r.brief) return r.brief;
  if (!r.items.length || plan) return r.summary;
  if (r.dryRun) return `${r.items.length} to act on`;
  const notAttempted = r.items.filter((i) => !i.ok && NOT_ATTEMPTED.test(i.detail)).length;
  const failed = r.items.filter((i) => !i.ok).length - notAttempted;
  const unchanged = r.items.filter((i) => i.ok && i.unchanged).length;
  const changed = r.items.length - failed - notAttempted - unchanged;
  return [changed ? `${changed} changed` : '', unchanged ? `${unchanged} no change` : '', failed ? `${failed} failed` : '', notAttempted ? `${notAttempted} not attempted` : ''].filter(Boolean).join(', ');
}
