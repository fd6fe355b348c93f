// The break-glass action registry: every action, in the order they are offered, and the lookups
// by a step body's `action:`. Adding an action: its file (name, title, readiness constant, the
// hooks it needs, parse/where/preview/run) and one entry here, in names.ts (the names the runbook
// parser accepts without loading any action) and in readiness.ts (the readiness constants the
// badges read without loading any action). The check below fails at load if the registry and
// names.ts disagree; the registry's unit test runs it with readiness.ts's list too (importing
// readiness.ts here would put it, and the masking it imports, into dist/breakglass.js).
import { etcdDelete } from './etcd-delete';
import { exemptRequest } from './exempt-request';
import { BREAKGLASS_ACTIONS } from './names';
import { networkBlock } from './network-block';
import { nodeExec } from './node-exec';
import { scaleApiServer } from './scale-apiserver';
import type { Body } from './spec';
import { stepClusters } from './step-clusters';
import type { ActionReadiness, BreakglassAction, ParseResult } from './types';

export const ACTIONS: readonly BreakglassAction<unknown>[] = [etcdDelete, nodeExec, networkBlock, exemptRequest, scaleApiServer] as unknown as BreakglassAction<unknown>[];

/**
 * Problems with a registry against the names the runbook parser accepts (names.ts) and, if given,
 * the readiness constants the badges read (readiness.ts): every name has exactly one action, in
 * the same order; each action's readiness names the action and is the one readiness.ts lists.
 */
export function registryProblems(actions: readonly BreakglassAction<unknown>[], names: readonly string[], readiness?: readonly ActionReadiness[]): string[] {
  const problems: string[] = [];
  const have = actions.map((a) => a.name);
  for (const n of names) if (!have.includes(n)) problems.push(`no action for '${n}' (names.ts)`);
  for (const n of have) if (!names.includes(n)) problems.push(`action '${n}' is not in names.ts`);
  for (const n of new Set(have)) if (have.indexOf(n) !== have.lastIndexOf(n)) problems.push(`action '${n}' is registered more than once`);
  if (!problems.length && have.join() !== names.join()) problems.push(`the actions are in another order than names.ts: ${have.join(', ')}`);
  for (const a of actions) if (a.readiness.action !== a.name) problems.push(`action '${a.name}' has the readiness of '${a.readiness.action}'`);
  if (!readiness) return problems;
  for (const a of actions) if (!readiness.includes(a.readiness)) problems.push(`the readiness of '${a.name}' is not in readiness.ts`);
  for (const r of readiness) if (!actions.some((a) => a.readiness === r)) problems.push(`readiness.ts lists '${r.action}', which is no registered action's readiness`);
  return problems;
}

const problems = registryProblems(ACTIONS, BREAKGLASS_ACTIONS);
if (problems.length) throw new Error(`break-glass action registry: ${problems.join('; ')}`);

export function actionFor(name: string): BreakglassAction<unknown> | undefined {
  return ACTIONS.find((a) => a.name === name);
}

export function actionNames(): string[] {
  return ACTIONS.map((a) => a.name);
}

function actionOf(body: unknown): BreakglassAction<unknown> | undefined {
  const name = typeof body === 'object' && body !== null ? (body as Body).action : undefined;
  return typeof name === 'string' ? actionFor(name) : undefined;
}

/** Parses a whole step body (`action` + its fields) in one call. */
export function parseAction(body: unknown): ParseResult<{ action: BreakglassAction<unknown>; spec: unknown }> {
  const name = typeof body === 'object' && body !== null ? (body as Body).action : undefined;
  if (typeof name !== 'string') return { problems: [`\`action\` is required: one of ${actionNames().join(', ')}`] };
  const action = actionFor(name);
  if (!action) return { problems: [`unknown action '${name}': expected one of ${actionNames().join(', ')}`] };
  const r = action.parse(body);
  const clusters = stepClusters(body);
  const problems = typeof clusters === 'string' && clusters !== '*' ? [...r.problems, clusters] : r.problems;
  return r.spec === undefined || problems !== r.problems ? { problems } : { spec: { action, spec: r.spec }, problems };
}

/**
 * Simulated mode: the body a step runs with on one of a tabletop's clusters, or undefined when the
 * step's own body serves (see BreakglassAction.simBody).
 */
export function simBodyFor(body: unknown, cluster: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return actionOf(body)?.simBody?.(body as Body, cluster);
}
