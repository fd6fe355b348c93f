// The break-glass action registry: `actionFor(name)` gives the action for a ```breakglass step's
// `action:` field. Each action parses its body, previews, and runs — really or against the
// cluster model — behind the interface in types.ts.
import { etcdDelete } from './etcd-delete';
import { exemptRequest } from './exempt-request';
import { networkBlock } from './network-block';
import { nodeExec } from './node-exec';
import { scaleApiServer } from './scale-apiserver';
import { stepClusters } from './step-clusters';
import type { ActionContext, ActionResult, BreakglassAction, ParseResult, RunOptions } from './types';

export * from './types';
export { headlessTimeline, clockTimeline } from './simtime';
export { stepClusters, selectClusters } from './step-clusters';
export { clusterTargets } from './clusters';
export { fanOutStep, failedIds, onlyFor, orderClusters, type ClusterTarget, type ClusterOutcome, type FanOutResult } from './fanout';

const ACTIONS: readonly BreakglassAction<unknown>[] = [etcdDelete, nodeExec, networkBlock, exemptRequest, scaleApiServer] as unknown as BreakglassAction<unknown>[];

export function actionFor(name: string): BreakglassAction<unknown> | undefined {
  return ACTIONS.find((a) => a.name === name);
}

export function actionNames(): string[] {
  return ACTIONS.map((a) => a.name);
}

/** Parses a whole step body (`action` + its fields) in one call. */
export function parseAction(body: unknown): ParseResult<{ action: BreakglassAction<unknown>; spec: unknown }> {
  const name = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).action : undefined;
  if (typeof name !== 'string') return { problems: [`\`action\` is required: one of ${actionNames().join(', ')}`] };
  const action = actionFor(name);
  if (!action) return { problems: [`unknown action '${name}': expected one of ${actionNames().join(', ')}`] };
  const r = action.parse(body);
  const clusters = stepClusters(body);
  const problems = typeof clusters === 'string' && clusters !== '*' ? [...r.problems, clusters] : r.problems;
  return r.spec === undefined || problems !== r.problems ? { problems } : { spec: { action, spec: r.spec }, problems };
}

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
