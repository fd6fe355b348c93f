// Running the analyzer on an agent's manifest for the agent tests: which calls it infers and
// whether it is flagged at 5,000 nodes.
import assert from 'node:assert/strict';
import { analyze, type AnalysisResult, type WorkloadReport } from '../../../src/analysis/analyze';
import { addObject, emptyInventory } from '../../../src/analysis/objects';
import { readManifests } from '../../../src/analysis/read';
import { inferUsage, type InferredUsage, type UsageCall } from '../../../src/analysis/usage';
import { PROFILES, fixture, shared } from './agents';

// The same profiles and fixture readers as the other agent tests.
export { PROFILES };
export const agentFixture = fixture;
export const sharedFixture = shared;

export interface Run {
  r: AnalysisResult;
  w: WorkloadReport;
  /** Warning/error rules that name prod (5,000 nodes), or no profile. */
  flagged: string[];
  notes: string[];
}

export function run(text: string, workload: string): Run {
  const r = analyze([{ path: 'm.yaml', text }], PROFILES);
  const w = r.workloads.find((x) => `${x.workload.kind}/${x.workload.name}` === workload);
  assert.ok(w, `no ${workload} (have ${r.workloads.map((x) => `${x.workload.kind}/${x.workload.name}`).join(', ')})`);
  const mine = (f: { workload: { kind: string; name: string } }) => f.workload.kind === w.workload.kind && f.workload.name === w.workload.name;
  const flagged = r.findings.filter((f) => mine(f) && (f.severity === 'warning' || f.severity === 'error') && (f.profiles.includes('prod') || f.profiles.length === 0)).map((f) => f.rule);
  return { r, w, flagged, notes: [...r.notes.map((n) => n.message), ...r.findings.filter(mine).map((f) => f.message)] };
}

/** The usage inferred for one workload (unmodelled parts, leader election, notes). */
export function usage(text: string, workload: string): InferredUsage {
  const inv = emptyInventory();
  for (const o of readManifests('m.yaml', text).objects) addObject(inv, o);
  const w = inv.workloads.find((x) => `${x.kind}/${x.name}` === workload);
  assert.ok(w, `no ${workload}`);
  return inferUsage(w, inv);
}

export type Want = { verb: string; resource: string; scope: string; rv?: string; leader?: boolean; interval?: number };
const matches = (c: UsageCall, w: Want) =>
  c.verb === w.verb &&
  c.resource === w.resource &&
  c.scope === w.scope &&
  (w.rv === undefined || (c.resourceVersion ?? '') === w.rv) &&
  (w.leader === undefined || (c.clients === 1) === w.leader) &&
  (w.interval === undefined || c.intervalSeconds === w.interval);
const show = (calls: UsageCall[]) => calls.map((c) => `${c.verb} ${c.resource} ${c.scope} rv=${c.resourceVersion ?? ''} every=${c.intervalSeconds}${c.clients === 1 ? ' leader' : ''}`).join('; ');

export function hasCall(calls: UsageCall[], w: Want): void {
  assert.ok(calls.some((c) => matches(c, w)), `expected ${JSON.stringify(w)} in: ${show(calls)}`);
}
export function lacksCall(calls: UsageCall[], w: Partial<Want>): void {
  assert.ok(!calls.some((c) => Object.entries(w).every(([k, v]) => (c as unknown as Record<string, unknown>)[k] === v)), `did not expect ${JSON.stringify(w)} in: ${show(calls)}`);
}

/** The fixture text with one edit, which must apply. */
export function replace(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  assert.notEqual(out, text, `the text no longer contains ${from}`);
  return out;
}
