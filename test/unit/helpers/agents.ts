// Running the analyzer on the labelled agent manifests (test/fixtures/agents, shared/corpus/manifests)
// and reading its verdicts, for the tests of the agent recognisers.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalysisResult, type WorkloadReport } from '../../../src/analysis/analyze';
import { addObject, emptyInventory } from '../../../src/analysis/objects';
import { readManifests } from '../../../src/analysis/read';
import { inferUsage, type InferredUsage } from '../../../src/analysis/usage';
import type { ClusterProfile } from '../../../src/cost/model';
import { CORPUS, ROOT } from './lint';

export const PROFILES: ClusterProfile[] = [
  { name: 'staging', nodes: 40, podsPerNode: 30 },
  { name: 'prod', nodes: 5000, podsPerNode: 30 },
];

export const fixture = (name: string) => readFileSync(join(ROOT, 'test/fixtures/agents', name), 'utf8');

export function shared(name: string): string {
  const f = join(CORPUS, name);
  if (!existsSync(f)) throw new Error(`${f} is missing: CI copies shared/ beside the repository`);
  return readFileSync(f, 'utf8');
}

export const run = (text: string, path = 'm.yaml') => analyze([{ path, text }], PROFILES);

export function report(r: AnalysisResult, ref: string): WorkloadReport {
  const [kind, name] = [ref.slice(0, ref.indexOf('/')), ref.slice(ref.indexOf('/') + 1)];
  const w = r.workloads.find((x) => x.workload.kind === kind && x.workload.name === name);
  assert.ok(w, `no ${ref} (have ${r.workloads.map((x) => `${x.workload.kind}/${x.workload.name}`).join(', ')})`);
  return w;
}

/** Rules that flag the workload at 5,000 nodes (warnings and errors naming prod, or no profile). */
export function flagged(r: AnalysisResult, ref: string): string[] {
  const w = report(r, ref);
  return r.findings
    .filter((f) => f.workload.kind === w.workload.kind && f.workload.name === w.workload.name && (f.severity === 'warning' || f.severity === 'error') && (f.profiles.includes('prod') || f.profiles.length === 0))
    .map((f) => f.rule);
}

/** The inferred usage of one workload (its notes, unmodelled parts, reach), by name. */
export function usageOf(text: string, name: string): InferredUsage {
  const inv = emptyInventory();
  for (const o of readManifests('m.yaml', text).objects) addObject(inv, o);
  const w = inv.workloads.find((x) => x.name === name);
  assert.ok(w, `no workload ${name}`);
  return inferUsage(w, inv);
}

export function replaceOnce(text: string, from: string | RegExp, to: string): string {
  assert.ok(typeof from === 'string' ? text.includes(from) : from.test(text), `fixture text lacks ${String(from)}`);
  return text.replace(from, to);
}
