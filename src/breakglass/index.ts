// The break-glass actions as one module (dist/breakglass.js, loaded by the first break-glass step
// run): `actionFor(name)` (registry.ts) gives the action for a ```breakglass step's `action:`
// field. Each action parses its body, previews, and runs — really or against the cluster model —
// behind the interface in types.ts.
import { parseAction } from './registry';
import type { ActionContext, ActionResult, RunOptions } from './types';

export * from './types';
export { actionFor, actionNames, parseAction, simBodyFor } from './registry';
export { headlessTimeline, clockTimeline } from './simtime';
export { stepClusters, selectClusters } from './step-clusters';
export { clusterTargets } from './clusters';
export { fanOutStep, failedIds, onlyFor, orderClusters, type ClusterTarget, type ClusterOutcome, type FanOutResult } from './fanout';

/** What a step body would act on with this context, in words (see BreakglassAction.where). */
export function describeWhere(body: unknown, ctx: ActionContext): string[] {
  const parsed = parseAction(body);
  if (!parsed.spec) return [`an invalid break-glass step: ${parsed.problems.join('; ')}`];
  return parsed.spec.action.where(parsed.spec.spec, ctx);
}

/**
 * Runs a step body end to end: parse, preview, then (unless dry-run) run on the previewed plan.
 * Errors become a failed result with the message, so the caller always gets an ActionResult.
 */
export async function runStep(body: unknown, ctx: ActionContext, opts: RunOptions = {}): Promise<{ preview?: ActionResult; result: ActionResult }> {
  const parsed = parseAction(body);
  if (!parsed.spec) return { result: { ok: false, summary: `invalid break-glass step: ${parsed.problems.join('; ')}`, items: [] } };
  const { action, spec } = parsed.spec;
  try {
    const preview = opts.plan === undefined && !opts.only ? await action.preview(spec, ctx) : undefined;
    if (preview && !preview.ok) return { preview, result: { ...preview, summary: `not run: ${preview.summary}` } };
    const result = await action.run(spec, ctx, { ...opts, plan: opts.plan ?? preview?.plan });
    return { preview, result };
  } catch (e) {
    return { result: { ok: false, summary: `${action.name}: ${(e as Error).message}`, items: [] } };
  }
}
