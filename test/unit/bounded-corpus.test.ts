// The bounded-call corpus (test/fixtures/bounded): shell blocks other people wrote in public runbook
// and operations repositories, each with the truth for every kubectl/helm/oc call in it — would a
// hang of this call until the step's timeout keep a branch the author wrote for its failure from
// running? Measures `unboundedCalls` against that truth at the default step timeout and lists every
// disagreement. The floors are today's numbers: they keep the check from getting worse on code it
// was not written against, and say nothing about how good it is (the README has the counts).
// heldout.yaml is a second set, from other repositories, labelled without running the check; its
// numbers are printed, not held to a floor, so that they stay an honest estimate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_STEP_TIMEOUT_MS } from '../../src/common/duration';
import { apiCalls, unboundedCalls } from '../../src/runbook/bounded';

const ROOT = join(__dirname, '../../..');
const FIXTURE = join(ROOT, 'test/fixtures/bounded/cases.yaml');
const HELDOUT = join(ROOT, 'test/fixtures/bounded/heldout.yaml');
const LICENSES = new Set(['Apache-2.0', 'MIT', 'BSD-2-Clause', 'BSD-3-Clause']);
const CLIENTS = new Set(['kubectl', 'helm', 'oc']);

/** Today's measurement, rounded down to two decimals: TP 12, FP 0, FN 0 (the README has the history). */
const PRECISION_FLOOR = 1;
const RECALL_FLOOR = 1;

interface TruthCall {
  line: number;
  client: string;
  nth?: number;
  lost: boolean;
  why: string;
}

interface Case {
  id: string;
  source: { repo: string; path: string; commit: string; license: string };
  body: string;
  calls: TruthCall[];
}

interface Verdict {
  id: string;
  line: number;
  client: string;
  nth: number;
  /** The truth; undefined when the check found a call the truth does not list. */
  lost?: boolean;
  flagged: boolean;
  why: string;
}

function load(file: string): Case[] {
  const cases = parseYaml(readFileSync(file, 'utf8')) as Case[];
  assert.ok(Array.isArray(cases), 'the fixture is a YAML list');
  return cases;
}

/** Each truth call and each call the check finds, matched by line, client and place among that client's calls on the line. */
function judge(c: Case): Verdict[] {
  const lines = c.body.split('\n');
  const flaggedCalls = new Set(unboundedCalls(c.body, DEFAULT_STEP_TIMEOUT_MS).map((p) => `${p.line}:${p.column}`));
  // A problem names its call by line and column.
  const found = new Map<string, boolean>();
  const seen = new Map<string, number>();
  for (const call of apiCalls(c.body)) {
    const k = `${call.line}:${call.client}`;
    const nth = seen.get(k) ?? 0;
    seen.set(k, nth + 1);
    found.set(`${k}:${nth}`, call.boundMs === undefined && flaggedCalls.has(`${call.line}:${call.column}`));
  }
  const verdicts: Verdict[] = [];
  const listed = new Set<string>();
  for (const t of c.calls) {
    const key = `${t.line}:${t.client}:${t.nth ?? 0}`;
    listed.add(key);
    verdicts.push({ id: c.id, line: t.line, client: t.client, nth: t.nth ?? 0, lost: t.lost, flagged: found.get(key) ?? false, why: t.why });
  }
  for (const [key, flagged] of found) {
    if (listed.has(key) || !flagged) continue;
    const [line, client, nth] = key.split(':');
    verdicts.push({ id: c.id, line: +line, client, nth: +nth, flagged, why: `not a call by the truth: ${lines[+line].trim().slice(0, 80)}` });
  }
  return verdicts;
}

/** Each case names a permissively licensed source at a commit, and its truth names real calls. */
function checkWellFormed(cases: Case[], pathPattern: RegExp): void {
  const ids = new Set<string>();
  for (const c of cases) {
    assert.ok(typeof c.id === 'string' && !ids.has(c.id), `id ${c.id} is unique`);
    ids.add(c.id);
    assert.match(c.source?.commit ?? '', /^[0-9a-f]{40}$/, `${c.id}: a 40-hex commit`);
    assert.ok(LICENSES.has(c.source.license), `${c.id}: licence ${c.source.license}`);
    assert.match(c.source.repo, /^[\w.-]+\/[\w.-]+$/, `${c.id}: owner/name`);
    assert.match(c.source.path, pathPattern, `${c.id}: source file ${c.source.path}`);
    assert.equal(typeof c.body, 'string', `${c.id}: body`);
    assert.ok(Array.isArray(c.calls) && c.calls.length > 0, `${c.id}: at least one call`);
    const lines = c.body.split('\n');
    const keys = new Set<string>();
    for (const t of c.calls) {
      const where = `${c.id} line ${t.line}`;
      assert.ok(CLIENTS.has(t.client), `${where}: client ${t.client}`);
      assert.ok(Number.isInteger(t.line) && t.line >= 0 && t.line < lines.length, `${where}: in the body`);
      const words = lines[t.line].match(new RegExp(String.raw`(?<![\w./-])${t.client}(?=\s|$|;|\))`, 'g')) ?? [];
      assert.ok(words.length > (t.nth ?? 0), `${where}: the line has ${t.client}${t.nth ? ` #${t.nth}` : ''}`);
      assert.equal(typeof t.lost, 'boolean', `${where}: lost`);
      assert.ok(typeof t.why === 'string' && t.why.length > 10, `${where}: why`);
      const key = `${t.line}:${t.client}:${t.nth ?? 0}`;
      assert.ok(!keys.has(key), `${where}: listed once`);
      keys.add(key);
    }
  }
}

interface Measurement {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  wrong: string[];
}

/** Runs the check on every case, prints the counts, precision, recall and every disagreement. */
function measure(cases: Case[]): Measurement {
  const verdicts = cases.flatMap(judge);
  const tp = verdicts.filter((v) => v.flagged && v.lost === true).length;
  const fp = verdicts.filter((v) => v.flagged && v.lost !== true).length;
  const fn = verdicts.filter((v) => !v.flagged && v.lost === true).length;
  const tn = verdicts.filter((v) => !v.flagged && v.lost === false).length;
  const precision = tp + fp ? tp / (tp + fp) : NaN;
  const recall = tp + fn ? tp / (tp + fn) : NaN;
  const wrong = verdicts
    .filter((v) => v.flagged !== (v.lost === true))
    .map((v) => `        ${v.flagged ? 'FP' : 'FN'} ${v.id} line ${v.line} ${v.client}${v.nth ? ` #${v.nth}` : ''} (truth: ${v.lost === undefined ? 'no call' : `lost ${v.lost}`}) — ${v.why}`);
  console.log(`      ${cases.length} blocks, ${verdicts.length} calls: TP ${tp} FP ${fp} FN ${fn} TN ${tn}; precision ${show(precision)}, recall ${show(recall)}`);
  if (wrong.length) console.log(wrong.join('\n'));
  return { tp, fp, fn, precision, recall, wrong };
}

function show(x: number): string {
  return Number.isNaN(x) ? 'n/a' : x.toFixed(2);
}

describe('the bounded-call corpus (shell blocks from public runbooks)', () => {
  const cases = load(FIXTURE);

  it('every case names a permissively licensed source at a commit, and its truth names real calls', () => {
    checkWellFormed(cases, /\.md$/);
    assert.ok(cases.length >= 80, `${cases.length} blocks`);
    assert.ok(new Set(cases.map((c) => c.source.repo)).size >= 5, 'from at least 5 repositories');
  });

  it(`precision and recall of unboundedCalls at the default ${DEFAULT_STEP_TIMEOUT_MS / 60_000}-minute step timeout`, () => {
    const { precision, recall, wrong } = measure(cases);
    assert.ok(precision >= PRECISION_FLOOR, `precision ${show(precision)} < ${PRECISION_FLOOR}:\n${wrong.join('\n')}`);
    assert.ok(recall >= RECALL_FLOOR, `recall ${show(recall)} < ${RECALL_FLOOR}:\n${wrong.join('\n')}`);
  });
});

describe('the held-out bounded-call set (other repositories, labelled without running the check)', () => {
  const cases = load(HELDOUT);

  it('every case names a permissively licensed source at a commit, and its truth names real calls', () => {
    // Blocks come from Markdown fences or, verbatim, from shell scripts (a function or block of at most 30 lines).
    checkWellFormed(cases, /\.(md|sh|bash)$/);
    for (const c of cases) assert.ok(c.body.split('\n').length <= 30 || c.source.path.endsWith('.md'), `${c.id}: at most 30 lines of a script`);
    const used = new Set(load(FIXTURE).map((c) => `${c.source.repo}:${c.source.path}`));
    for (const c of cases) assert.ok(!used.has(`${c.source.repo}:${c.source.path}`), `${c.id}: a file cases.yaml does not use`);
    assert.ok(cases.length >= 60, `${cases.length} blocks`);
  });

  it(`precision and recall of unboundedCalls at the default ${DEFAULT_STEP_TIMEOUT_MS / 60_000}-minute step timeout (printed, no floor)`, () => {
    const { tp, fn } = measure(cases);
    assert.ok(tp + fn > 0, 'the set has lost calls to find');
  });
});
