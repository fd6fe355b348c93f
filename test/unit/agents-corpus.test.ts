// The labelled agent corpus (test/fixtures/agents): vendors' own manifests, each with the truth
// about what its pods do to the API server and whether a linter should flag it at 5,000 nodes ×
// 30 pods. Reports precision and recall of "flagged at 5,000 nodes" and checks that, where the
// truth lists the calls, the estimate is within 3× of what those calls cost.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { analyze, type AnalysisResult, type WorkloadReport } from '../../src/analysis/analyze';
import { NOTE_RATIO, profileEstimate } from '../../src/analysis/load';
import { parseApiCallsAnnotation, startUsage, steadyUsage, type UsageCall } from '../../src/analysis/usage';
import type { ClusterProfile } from '../../src/cost/model';

const ROOT = join(__dirname, '../../..');
const DIR = join(ROOT, 'test/fixtures/agents');
const SHARED = join(ROOT, '../shared/corpus/manifests');
const STAGING: ClusterProfile = { name: 'staging', nodes: 40, podsPerNode: 30 };
const PROD: ClusterProfile = { name: 'prod', nodes: 5000, podsPerNode: 30 };
const PROFILES = [STAGING, PROD];

interface Truth {
  workload: string;
  flagged: boolean;
  calls?: unknown[];
  cite: string;
}

interface Entry {
  file: string;
  path: string;
  header: Record<string, string>;
  truths: Truth[];
}

function truthOf(line: string, where: string): Truth {
  const t = parseYaml(line.slice('# truth:'.length)) as Truth;
  assert.ok(t && typeof t.workload === 'string' && /^[A-Za-z]+\/.+/.test(t.workload), `${where}: truth needs workload: Kind/name`);
  assert.equal(typeof t.flagged, 'boolean', `${where}: truth needs flagged: true|false`);
  assert.ok(typeof t.cite === 'string' && t.cite.length > 20, `${where}: truth needs a citation`);
  return t;
}

/** Every labelled manifest: the fixtures here, and the shared corpus through shared-corpus.truth. */
export function loadCorpus(): Entry[] {
  const out: Entry[] = [];
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(DIR, f), 'utf8');
    const header: Record<string, string> = {};
    const truths: Truth[] = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('#')) break;
      if (line.startsWith('# truth:')) truths.push(truthOf(line, f));
      else {
        const m = /^# ([a-z]+): (.*)$/.exec(line);
        if (m && !(m[1] in header)) header[m[1]] = m[2];
      }
    }
    out.push({ file: f, path: join(DIR, f), header, truths });
  }
  let current: Entry | undefined;
  for (const line of readFileSync(join(DIR, 'shared-corpus.truth'), 'utf8').split('\n')) {
    const m = /^# file: (\S+)/.exec(line);
    if (m) {
      current = { file: `shared/${m[1]}`, path: join(SHARED, m[1]), header: {}, truths: [] };
      out.push(current);
    } else if (line.startsWith('# truth:') && current) current.truths.push(truthOf(line, current.file));
  }
  return out;
}

const severe = (s: string) => s === 'warning' || s === 'error';

/** Flagged at a profile: a warning or error on the workload that names that profile (or names none, as non-load rules do). */
export function flaggedAt(r: AnalysisResult, w: WorkloadReport, profile: string): string[] {
  return r.findings
    .filter((f) => f.workload.kind === w.workload.kind && f.workload.name === w.workload.name && f.workload.namespace === w.workload.namespace && severe(f.severity) && (f.profiles.includes(profile) || f.profiles.length === 0))
    .map((f) => f.rule);
}

function find(r: AnalysisResult, ref: string): WorkloadReport | undefined {
  const [kind, name] = [ref.slice(0, ref.indexOf('/')), ref.slice(ref.indexOf('/') + 1)];
  return r.workloads.find((w) => w.workload.kind === kind && w.workload.name === name);
}

/** The larger of the steady and start-up share of capacity at a profile. */
function cost(calls: UsageCall[], w: WorkloadReport, p: ClusterProfile): number {
  const s = profileEstimate(steadyUsage(w.workload.name, w.clients, calls, p, w.priorityLevel), p).capacityRatio;
  const b = profileEstimate(startUsage(w.workload.name, w.clients, calls, p, w.priorityLevel), p).capacityRatio;
  return Math.max(s, b);
}

export interface Verdict {
  file: string;
  workload: string;
  truth: boolean;
  got: boolean;
  rules: string[];
  /** Estimated / truth cost at 5,000 nodes, where the truth lists calls. */
  costRatio?: number;
  truthCost?: number;
  estCost?: number;
}

export function score(entries: Entry[]): Verdict[] {
  const out: Verdict[] = [];
  for (const e of entries) {
    const r = analyze([{ path: e.file, text: readFileSync(e.path, 'utf8') }], PROFILES);
    for (const t of e.truths) {
      const w = find(r, t.workload);
      assert.ok(w, `${e.file}: no workload ${t.workload} (have ${r.workloads.map((x) => `${x.workload.kind}/${x.workload.name}`).join(', ')})`);
      const rules = flaggedAt(r, w, PROD.name);
      const v: Verdict = { file: e.file, workload: t.workload, truth: t.flagged, got: rules.length > 0, rules };
      if (Array.isArray(t.calls)) {
        // A truth's watch is an informer: its LIST asks for resourceVersion "0" (client-go reflector).
        const calls = t.calls.map((c) => (typeof c === 'object' && c !== null && (c as { verb?: string }).verb === 'watch' && !('resourceVersion' in c) ? { ...c, resourceVersion: '0' } : c));
        const parsed = parseApiCallsAnnotation(JSON.stringify(calls), 1, e.file);
        // A write listed without an interval happens once (at start): negligible, and the annotation asks for an interval.
        const problems = parsed.notes.filter((n) => !/needs an interval/.test(n.message));
        assert.deepEqual(problems, [], `${e.file}: truth calls of ${t.workload} must read as the annotation does`);
        const truthCost = cost(parsed.calls, w, PROD);
        const estCost = cost(w.calls, w, PROD);
        v.truthCost = truthCost;
        v.estCost = estCost;
        const floor = NOTE_RATIO; // below this share of capacity the linter says nothing: both are "nothing"
        v.costRatio = Math.max(estCost, floor) / Math.max(truthCost, floor);
      }
      out.push(v);
    }
  }
  return out;
}

describe('the labelled agent corpus', function () {
  this.timeout(60_000);
  let entries: Entry[] = [];
  let verdicts: Verdict[] = [];

  before(function () {
    if (!existsSync(SHARED)) throw new Error(`${SHARED} is missing: CI copies shared/ beside the repository`);
    entries = loadCorpus();
  });

  it('every vendor manifest names its source, commit and licence, and has a truth', () => {
    for (const e of entries) {
      assert.ok(e.truths.length > 0, `${e.file}: no # truth: line`);
      if (e.file.startsWith('shared/')) continue;
      for (const k of ['source', 'repo', 'path', 'commit', 'licence']) assert.ok(e.header[k], `${e.file}: header lacks # ${k}:`);
      assert.match(e.header.commit, /^[0-9a-f]{40}$/, `${e.file}: commit must be 40 hex digits`);
      assert.match(e.header.licence, /Apache-2\.0|MIT|BSD/, `${e.file}: licence`);
    }
  });

  it('precision and recall of "flagged at 5,000 nodes" are both at least 0.9', () => {
    verdicts = score(entries);
    const tp = verdicts.filter((v) => v.truth && v.got).length;
    const fp = verdicts.filter((v) => !v.truth && v.got).length;
    const fn = verdicts.filter((v) => v.truth && !v.got).length;
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / Math.max(1, tp + fn);
    const wrong = verdicts.filter((v) => v.truth !== v.got).map((v) => `  ${v.file} ${v.workload}: truth ${v.truth ? 'flagged' : 'clean'}, got ${v.got ? `flagged (${v.rules.join(', ')})` : 'clean'}`);
    console.log(`      ${entries.length} manifests, ${verdicts.length} labelled workloads: TP ${tp} FP ${fp} FN ${fn} TN ${verdicts.length - tp - fp - fn}; precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)}`);
    if (wrong.length) console.log(wrong.join('\n'));
    assert.ok(precision >= 0.9 && recall >= 0.9, `precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)}:\n${wrong.join('\n')}`);
  });

  it('where the truth lists the calls, the estimate at 5,000 nodes is within 3× of their cost', () => {
    if (!verdicts.length) verdicts = score(entries);
    const off = verdicts.filter((v) => v.costRatio !== undefined && (v.costRatio > 3 || v.costRatio < 1 / 3));
    const fmt = (x?: number) => (x === undefined ? '-' : x.toExponential(2));
    assert.deepEqual(off.map((v) => `${v.file} ${v.workload}: estimate ${fmt(v.estCost)} vs truth ${fmt(v.truthCost)} of capacity (×${v.costRatio?.toFixed(2)})`), []);
  });

  it('there are at least 40 labelled manifests', () => {
    assert.ok(entries.length >= 40, `${entries.length} manifests`);
  });
});
