// The manifest load analyzer: read files, infer each workload's API usage, price it with the
// shared cost model at every cluster profile, and run the rules.
import type { ClusterProfile } from '../cost/model';
import { addObject, emptyInventory, type Inventory, type Workload } from './objects';
import { readManifests, ReadCache, defaultReadCache, type Note } from './read';
import { profileEstimate, rank } from './load';
import { ANNOTATION_RULE, RULES } from './rules';
import type { AnalysisResult, Finding, Phase, ProfileEstimate, RuleContext, WorkloadRef, WorkloadReport } from './types';
import { inferUsage, startUsage, steadyUsage, type UsageCall } from './usage';

export const DEFAULT_PROFILES: ClusterProfile[] = [
  { name: 'staging', nodes: 20, podsPerNode: 30 },
  { name: 'prod-large', nodes: 5000, podsPerNode: 30 },
];

export type { WorkloadRef, Finding, WorkloadReport, AnalysisResult } from './types';

export interface AnalyzeOptions {
  /** Parsed documents by their text, kept across calls (the editor's); null: none kept. */
  cache?: ReadCache | null;
}

/**
 * Analyses a set of files together (RBAC, ConfigMaps and FlowSchemas link across files). Files
 * are read one at a time, in order: given a generator (and `cache: null`), only the objects the
 * analysis needs are kept, not the files' text or their parsed documents.
 */
export function analyze(files: Iterable<{ path: string; text: string }>, profiles: ClusterProfile[] = DEFAULT_PROFILES, opts: AnalyzeOptions = {}): AnalysisResult {
  const cache = opts.cache === undefined ? defaultReadCache : opts.cache;
  const inv = emptyInventory();
  const notes: Note[] = [];
  for (const f of files) {
    const r = readManifests(f.path, f.text, cache);
    notes.push(...r.notes);
    for (const o of r.objects) addObject(inv, o);
  }
  return analyzeInventory(inv, profiles, notes);
}

/** One file on its own: what the editor calls on each (debounced) change. */
export function analyzeDocument(path: string, text: string, profiles: ClusterProfile[] = DEFAULT_PROFILES, opts: AnalyzeOptions = {}): AnalysisResult {
  return analyze([{ path, text }], profiles, opts);
}

function analyzeInventory(inv: Inventory, profiles: ClusterProfile[], notes: Note[]): AnalysisResult {
  const findings: Finding[] = [];
  const workloads: WorkloadReport[] = [];
  for (const w of inv.workloads) {
    const ref: WorkloadRef = { kind: w.kind, namespace: w.namespace, name: w.name };
    const usage = inferUsage(w, inv);
    for (const n of usage.notes) {
      if (n.code === 'annotation') {
        findings.push({ rule: ANNOTATION_RULE.id, severity: 'error', file: n.file, line: n.line, workload: ref, message: n.message, estimates: [], profiles: [], evidence: [] });
      } else notes.push(n);
    }
    if (usage.unmodelled.length) {
      notes.push({ file: w.file, line: w.line, severity: 'info', code: 'assumption', message: `${w.kind} ${w.name}: ${usage.unmodelled.join('; ')}: API usage not modelled, so its estimate is a lower bound` });
    }
    const level = usage.priorityLevel;
    const est = (calls: UsageCall[], phase: Phase, clients: number | 'perNode' | ((p: ClusterProfile) => number) = w.clients): ProfileEstimate[] =>
      profiles.map((p) => {
        const c = typeof clients === 'function' ? clients(p) : clients;
        const u = phase === 'steady' ? steadyUsage(w.name, c, calls, p, level) : startUsage(w.name, c, calls, p, level);
        return profileEstimate(u, p);
      });
    const report: WorkloadReport = {
      workload: ref,
      file: w.file,
      line: w.line,
      clients: w.clients,
      serviceAccount: `${w.namespace}/${w.serviceAccount}`,
      source: usage.source,
      agents: usage.agents,
      unmodelled: usage.unmodelled,
      calls: usage.calls,
      reach: usage.reach,
      evidence: [...usage.calls.map((c) => c.evidence), ...(usage.calls.length ? [] : usage.reach.map((c) => c.evidence))],
      priorityLevel: level,
      flowSchema: usage.flowSchema?.name,
      estimates: est(usage.calls, 'steady'),
      start: est(usage.calls, 'start'),
    };
    workloads.push(report);
    const ctx: RuleContext = { workload: w, usage, profiles, inventory: inv, estimate: est };
    for (const rule of RULES) {
      let hits;
      try {
        hits = rule.check(ctx);
      } catch (e) {
        notes.push({ file: w.file, line: w.line, severity: 'warning', code: 'reference', message: `rule ${rule.id} failed on ${w.kind} ${w.name}: ${(e as Error).message}` });
        continue;
      }
      for (const h of hits) {
        findings.push({
          rule: rule.id,
          severity: h.severity,
          file: h.file ?? w.file,
          line: h.line,
          workload: ref,
          message: h.message,
          estimates: h.estimates ?? [],
          profiles: h.profiles ?? [],
          phase: h.phase,
          fix: h.fix,
          evidence: h.evidence ?? [],
        });
      }
    }
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || rank(b.severity) - rank(a.severity) || (a.rule < b.rule ? -1 : 1)));
  return { findings, workloads, notes };
}

export type { Workload };
