// Quick fixes for findings: each rule plans its edits (src/analysis/rules/), and a plan is kept
// when the YAML it leaves is as valid as before and re-analysis shows it clears or reduces its
// finding. The editor offers the plans as quick fixes; `breakglass lint --fix` applies the
// preferred one of each finding, the same edits.
import type { AnalysisResult, Finding, WorkloadReport } from './analyze';
import { Lines, applyEdits, chunkAround, yamlErrors } from './edit';
import { maxRatio } from './format';
import { rank } from './load';
import { ruleById } from './rules';
import type { FixPlan, TextEdit } from './types';

/** What re-analysis says of a plan; `broken`: the YAML it leaves has more parse errors than before. */
export type Verdict = 'cleared' | 'reduced' | 'unchecked' | 'broken' | undefined;

export interface OfferedFix {
  plan: FixPlan;
  verdict: Verdict;
  /** The fix to apply for its finding (the editor marks it preferred, `lint --fix` applies it). */
  preferred: boolean;
}

const sameWorkload = (a: Finding, b: Finding) => a.rule === b.rule && a.workload.kind === b.workload.kind && a.workload.namespace === b.workload.namespace && a.workload.name === b.workload.name;

/** The report of a finding's workload. */
export const reportOf = (r: AnalysisResult, f: Finding): WorkloadReport | undefined =>
  r.workloads.find((w) => w.workload.kind === f.workload.kind && w.workload.namespace === f.workload.namespace && w.workload.name === f.workload.name);

/** The quick fixes its rule plans for a finding, on the text of the finding's file. */
export function planFixes(L: Lines, path: string, finding: Finding, report: WorkloadReport | undefined): FixPlan[] {
  return ruleById(finding.rule)?.planFixes({ lines: L, path, finding, report }) ?? [];
}

/** Did the edit help: fewer such findings, a lower severity or a lower estimated load? */
export function improves(before: Finding[], after: Finding[]): 'cleared' | 'reduced' | undefined {
  if (!after.length) return 'cleared';
  if (after.length < before.length) return 'reduced';
  const sev = (x: Finding[]) => x.reduce((m, f) => Math.max(m, rank(f.severity)), 0);
  if (sev(after) < sev(before)) return 'reduced';
  const load = (x: Finding[]) => x.reduce((m, f) => Math.max(m, maxRatio(f.estimates)), 0);
  return load(after) < load(before) * 0.999 ? 'reduced' : undefined;
}

/**
 * Checks a plan: `broken` when the YAML documents it touches get more parse errors; else, given
 * `reanalyse` (the analysis of the file's text with the edits applied), whether it clears or
 * reduces its finding; `unchecked` without it.
 */
export function checkPlan(L: Lines, p: FixPlan, before: AnalysisResult | undefined, reanalyse?: (text: string) => AnalysisResult): Verdict {
  const lo = Math.min(...p.edits.map((x) => x.start));
  const hi = Math.max(...p.edits.map((x) => x.end));
  const from = chunkAround(L, L.lineAt(lo)).start;
  const toChunk = chunkAround(L, L.lineAt(hi)).end;
  const s = L.starts[from];
  const t = toChunk < L.count ? L.starts[toChunk] : L.text.length;
  const was = L.text.slice(s, t);
  const after = applyEdits(
    was,
    p.edits.map((x) => ({ ...x, start: x.start - s, end: x.end - s })),
  );
  if (yamlErrors(after) > yamlErrors(was)) return 'broken';
  if (!reanalyse || !before) return 'unchecked';
  const next = reanalyse(applyEdits(L.text, p.edits));
  return improves(
    before.findings.filter((x) => sameWorkload(x, p.finding)),
    next.findings.filter((x) => sameWorkload(x, p.finding)),
  );
}

/**
 * The fixes offered for some findings of one file, in order, each plan once (the first finding
 * that plans it keeps it). Plans that do not help are left out; those that would break the YAML
 * are kept with the verdict `broken` (the editor leaves them out, `lint --fix` reports them).
 */
export function offeredFixes(
  L: Lines,
  path: string,
  result: AnalysisResult,
  findings: Finding[],
  reanalyse: ((text: string) => AnalysisResult) | undefined,
  onError: (e: unknown, f: Finding) => void = () => undefined,
): OfferedFix[] {
  const out: OfferedFix[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    let plans: FixPlan[];
    try {
      plans = planFixes(L, path, f, reportOf(result, f));
    } catch (e) {
      onError(e, f);
      continue;
    }
    for (const plan of plans) {
      const key = `${plan.title}\u0000${JSON.stringify(plan.edits)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const verdict = checkPlan(L, plan, result, reanalyse);
      if (verdict === undefined) continue;
      out.push({ plan, verdict, preferred: verdict === 'cleared' && f.severity !== 'info' });
    }
  }
  return out;
}

// ---- applying fixes to a file (`breakglass lint --fix`) ----------------------------------------

export interface AppliedFix {
  plan: FixPlan;
  verdict: Verdict;
}

export interface RefusedFix {
  plan: FixPlan;
  reason: string;
}

export interface FileFixes {
  path: string;
  before: string;
  after: string;
  /** The edits applied, on the text before (non-overlapping). */
  edits: TextEdit[];
  applied: AppliedFix[];
  refused: RefusedFix[];
}

const overlaps = (a: TextEdit, b: TextEdit) => a.start <= b.end && b.start <= a.end;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * The preferred fix of each finding in one file, applied together: a fix whose edits touch those
 * of an earlier one waits for the next run, and one that would leave the YAML with more parse
 * errors is refused (with the reason).
 */
export function fixFile(text: string, path: string, result: AnalysisResult, reanalyse: (text: string) => AnalysisResult): FileFixes {
  const L = new Lines(text);
  const findings = result.findings.filter((f) => f.file === path);
  const offered = offeredFixes(L, path, result, findings, reanalyse);
  const out: FileFixes = { path, before: text, after: text, edits: [], applied: [], refused: [] };
  const baseErrors = yamlErrors(text);
  for (const f of findings) {
    const mine = offered.filter((o) => o.plan.finding === f);
    const chosen = mine.find((o) => o.preferred);
    if (!chosen) {
      for (const o of mine) if (o.verdict === 'broken') out.refused.push({ plan: o.plan, reason: 'the edit would break the YAML (it leaves more parse errors than before)' });
      continue;
    }
    if (chosen.plan.edits.some((e) => out.edits.some((x) => overlaps(e, x)))) {
      out.refused.push({ plan: chosen.plan, reason: 'its edits touch those of an earlier fix; run --fix again' });
      continue;
    }
    const edits = [...out.edits, ...chosen.plan.edits];
    const after = applyEdits(text, edits);
    const errors = yamlErrors(after);
    if (errors > baseErrors) {
      out.refused.push({ plan: chosen.plan, reason: `together with the fixes before it, the edit would break the YAML (${plural(errors - baseErrors, 'new parse error')})` });
      continue;
    }
    out.edits = edits;
    out.after = after;
    out.applied.push({ plan: chosen.plan, verdict: chosen.verdict });
  }
  out.edits.sort((a, b) => a.start - b.start);
  return out;
}

/** A unified diff (3 lines of context) of a text and the same text with non-overlapping edits applied. */
export function unifiedDiff(path: string, text: string, edits: TextEdit[], context = 3): string {
  if (!edits.length) return '';
  const L = new Lines(text);
  const split = (s: string) => s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const old = split(text);
  // Edits on the same or adjacent lines form one change: the lines it removes and those it adds.
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const changes: { at: number; del: string[]; add: string[] }[] = [];
  for (let i = 0; i < sorted.length; ) {
    const a = L.lineAt(sorted[i].start);
    let b = L.lineAt(sorted[i].end);
    let j = i + 1;
    while (j < sorted.length && L.lineAt(sorted[j].start) <= b + 1) b = Math.max(b, L.lineAt(sorted[j++].end));
    const s = L.starts[a];
    const e = b + 1 < L.count ? L.starts[b + 1] : text.length;
    const del = split(text.slice(s, e));
    const add = split(
      applyEdits(
        text.slice(s, e),
        sorted.slice(i, j).map((x) => ({ ...x, start: x.start - s, end: x.end - s })),
      ),
    );
    let p = 0;
    while (p < del.length && p < add.length && del[p] === add[p]) p++;
    let q = 0;
    while (q < del.length - p && q < add.length - p && del[del.length - 1 - q] === add[add.length - 1 - q]) q++;
    if (p < del.length - q || p < add.length - q) changes.push({ at: a + p, del: del.slice(p, del.length - q), add: add.slice(p, add.length - q) });
    i = j;
  }
  const show = (prefix: string, l: string) => `${prefix}${l.replace(/\n$/, '')}\n${l.endsWith('\n') ? '' : '\\ No newline at end of file\n'}`;
  const out = [`--- a/${path}\n`, `+++ b/${path}\n`];
  let shift = 0;
  for (let i = 0; i < changes.length; ) {
    // Changes whose contexts meet make one hunk.
    let j = i + 1;
    while (j < changes.length && changes[j].at - (changes[j - 1].at + changes[j - 1].del.length) <= 2 * context) j++;
    const first = changes[i];
    const last = changes[j - 1];
    const from = Math.max(0, first.at - context);
    const to = Math.min(old.length, last.at + last.del.length + context);
    let body = '';
    let oldLen = 0;
    let newLen = 0;
    let k = from;
    const newFrom = from + shift;
    for (const c of changes.slice(i, j)) {
      for (; k < c.at; k++, oldLen++, newLen++) body += show(' ', old[k]);
      for (const l of c.del) body += show('-', l);
      for (const l of c.add) body += show('+', l);
      k += c.del.length;
      oldLen += c.del.length;
      newLen += c.add.length;
      shift += c.add.length - c.del.length;
    }
    for (; k < to; k++, oldLen++, newLen++) body += show(' ', old[k]);
    const range = (start: number, len: number) => `${len ? start + 1 : start}${len === 1 ? '' : `,${len}`}`;
    out.push(`@@ -${range(from, oldLen)} +${range(newFrom, newLen)} @@\n`, body);
    i = j;
  }
  return out.join('');
}
