// `breakglass lint --fix`: the same edits as the editor's quick fixes (the preferred fix of each
// finding, from the same planner), valid YAML afterwards, findings that go or shrink, --dry-run.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyze, type AnalysisResult, type Finding } from '../../src/analysis/analyze';
import { Lines, applyEdits } from '../../src/analysis/edit';
import { offeredFixes, unifiedDiff } from '../../src/analysis/fix';
import type { FixPlan, TextEdit } from '../../src/analysis/types';
import { CORPUS, FIXTURES, ROOT, lint } from './helpers/lint';

const WORKSPACE = join(ROOT, 'test/fixtures/workspace/manifests');

/** The path as lint shows it (relative to the working directory when inside it). */
function shown(f: string): string {
  const rel = relative(process.cwd(), resolve(f));
  return (rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : resolve(f)).split(sep).join('/');
}

const yamlErrors = (t: string) => parseAllDocuments(t).reduce((n, d) => n + d.errors.length, 0);
const rankOf = (s: string) => (s === 'error' ? 3 : s === 'warning' ? 2 : 1);
const same = (f: Finding) => (x: Finding) => x.rule === f.rule && x.workload.kind === f.workload.kind && x.workload.namespace === f.workload.namespace && x.workload.name === f.workload.name;
const load = (xs: Finding[]) => Math.max(0, ...xs.flatMap((x) => x.estimates.map((e) => e.capacityRatio)));
const severity = (xs: Finding[]) => Math.max(0, ...xs.map((x) => rankOf(x.severity)));

/**
 * What the editor offers for a file: the plans of its quick fixes, the preferred one per finding
 * (isPreferred), taken in finding order and left out where its edits touch an earlier one's.
 */
function editorPreferred(text: string, path: string, r: AnalysisResult): FixPlan[] {
  const L = new Lines(text);
  const findings = r.findings.filter((f) => f.file === path);
  const offered = offeredFixes(L, path, r, findings, (t) => analyze([{ path, text: t }]));
  const chosen: FixPlan[] = [];
  const taken: TextEdit[] = [];
  for (const f of findings) {
    const o = offered.find((x) => x.plan.finding === f && x.preferred);
    if (!o || o.plan.edits.some((e) => taken.some((t) => e.start <= t.end && t.start <= e.end))) continue;
    chosen.push(o.plan);
    taken.push(...o.plan.edits);
  }
  return chosen;
}

/** Applies a unified diff to a text (checks every context and removed line, and the hunks' line counts). */
function patch(text: string, diff: string): string {
  const old = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out: string[] = [];
  let at = 0;
  const lines = diff.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@$/.exec(lines[i]);
    if (!h) continue;
    let oldLeft = h[2] === undefined ? 1 : Number(h[2]);
    let newLeft = h[3] === undefined ? 1 : Number(h[3]);
    const start = oldLeft === 0 ? Number(h[1]) : Number(h[1]) - 1;
    while (at < start) out.push(old[at++]);
    while (oldLeft > 0 || newLeft > 0) {
      const l = lines[++i];
      const noEol = lines[i + 1]?.startsWith('\\ No newline');
      const full = `${l.slice(1)}${noEol ? '' : '\n'}`;
      assert.ok(/^[ +-]/.test(l), `diff line ${i + 1}: ${l}`);
      if (l[0] === ' ' || l[0] === '-') {
        assert.equal(old[at], full, `diff line ${i + 1} does not match the original line ${at + 1}`);
        at++;
        oldLeft--;
      }
      if (l[0] === ' ' || l[0] === '+') {
        out.push(full);
        newLeft--;
      }
      if (noEol) i++;
    }
  }
  while (at < old.length) out.push(old[at++]);
  return out.join('');
}

function inputs(): string[] {
  const all = [...readdirSync(FIXTURES).map((f) => join(FIXTURES, f)), ...readdirSync(WORKSPACE).map((f) => join(WORKSPACE, f))];
  if (!existsSync(CORPUS)) throw new Error(`${CORPUS} is missing (CI copies shared/ beside the repository)`);
  all.push(...readdirSync(CORPUS).map((f) => join(CORPUS, f)));
  return all.filter((f) => f.endsWith('.yaml') && !f.endsWith('malformed.yaml'));
}

describe('breakglass lint --fix', () => {
  it('applies exactly the edits of the editor’s preferred quick fixes; the YAML parses; each fixed finding goes or shrinks', async function () {
    this.timeout(120_000);
    let applied = 0;
    let files = 0;
    for (const src of inputs()) {
      const dir = mkdtempSync(join(tmpdir(), 'bg-fix-'));
      const file = join(dir, src.split(sep).pop()!);
      copyFileSync(src, file);
      const text = readFileSync(file, 'utf8');
      const path = shown(file);
      const before = analyze([{ path, text }]);
      const plans = editorPreferred(text, path, before);
      const r = await lint(file, '--fix', '--fail-on', 'never');
      assert.equal(r.code, 0, `${src}: ${r.err}`);
      const now = readFileSync(file, 'utf8');
      const expected = applyEdits(
        text,
        plans.flatMap((p) => p.edits),
      );
      assert.equal(now, expected, `${src}: the file differs from the editor's edits`);
      if (!plans.length) {
        assert.equal(now, text);
        continue;
      }
      files++;
      assert.ok(yamlErrors(now) <= yamlErrors(text), `${src}: the fixed YAML does not parse`);
      const after = analyze([{ path, text: now }]);
      for (const p of plans) {
        const f = p.finding;
        assert.ok(r.out.includes(`${path}:${f.line}: fixed [${f.rule}] ${f.workload.kind} ${f.workload.namespace}/${f.workload.name}: ${p.title}\n`), `${src}: "${p.title}" is not reported:\n${r.out}`);
        const was = before.findings.filter(same(f));
        const left = after.findings.filter(same(f));
        assert.ok(left.length < was.length || severity(left) < severity(was) || load(left) < load(was), `${src}: ${f.rule} on ${f.workload.name} neither went nor shrank after "${p.title}"`);
        applied++;
      }
      // What is left is what lint reports, and it decides the exit status.
      assert.match(r.out, new RegExp(`applied ${plans.length} fix(es)? in 1 file`));
      assert.match(r.out, new RegExp(`^${after.findings.length} findings? `, 'm'));
    }
    assert.ok(files >= 8, `fixes in ${files} files`);
    assert.ok(applied >= 15, `${applied} fixes applied`);
  });

  it('the remaining findings decide the exit status (--fail-on)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-fix-exit-'));
    const file = join(dir, 'telemetry.yaml');
    copyFileSync(join(WORKSPACE, 'telemetry.yaml'), file);
    assert.equal((await lint(file)).code, 1);
    const r = await lint(file, '--fix');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^0 findings /m);
    // Fixed already: nothing more to do.
    const again = await lint(file, '--fix');
    assert.equal(again.code, 0);
    assert.match(again.out, /applied 0 fixes in 0 files/);
  });

  it('writes atomically: same mode, no temporary file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-fix-atomic-'));
    const file = join(dir, 'surge.yaml');
    copyFileSync(join(WORKSPACE, 'surge.yaml'), file);
    chmodSync(file, 0o640);
    const r = await lint(file, '--fix', '--fail-on', 'never');
    assert.equal(r.code, 0, r.err);
    assert.notEqual(readFileSync(file, 'utf8'), readFileSync(join(WORKSPACE, 'surge.yaml'), 'utf8'));
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['surge.yaml']);
  });

  it('--dry-run writes nothing and prints a unified diff of the same edits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-fix-dry-'));
    for (const name of ['telemetry.yaml', 'telemetry-script.yaml', 'otel-agent.yaml', 'fluent-bit.yaml', 'surge.yaml']) {
      const file = join(dir, name);
      copyFileSync(join(WORKSPACE, name), file);
      const text = readFileSync(file, 'utf8');
      const mtime = statSync(file).mtimeMs;
      const path = shown(file);
      const plans = editorPreferred(text, path, analyze([{ path, text }]));
      assert.ok(plans.length, name);
      const r = await lint(file, '--fix', '--dry-run', '--fail-on', 'never');
      assert.equal(r.code, 0, r.err);
      assert.equal(readFileSync(file, 'utf8'), text, `${name} was written`);
      assert.equal(statSync(file).mtimeMs, mtime);
      assert.deepEqual(readdirSync(dir).sort(), readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort());
      assert.ok(r.out.includes(`--- a/${path}\n+++ b/${path}\n@@ -`), r.out);
      assert.match(r.out, /would apply \d+ fix(es)? in 1 file(; \d+ not applied \(see above\))? \(--dry-run: nothing written\)/);
      for (const p of plans) assert.ok(r.out.includes(`: would fix [${p.finding.rule}] `));
      const diff = r.out.slice(r.out.indexOf(`--- a/${path}`));
      assert.equal(patch(text, diff), applyEdits(text, plans.flatMap((p) => p.edits)), `${name}: the diff is not the edits`);
    }
    assert.equal((await lint(join(dir, 'surge.yaml'), '--dry-run')).code, 2, '--dry-run alone is a usage error');
  });

  it('the diff marks a last line without a line break', () => {
    const text = 'a: 1\nb: 2';
    const edits = [{ start: 8, end: 9, newText: '3' }, { start: 9, end: 9, newText: '\nc: 4\n' }];
    const d = unifiedDiff('x.yaml', text, edits);
    assert.equal(d, '--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,3 @@\n a: 1\n-b: 2\n\\ No newline at end of file\n+b: 3\n+c: 4\n');
    assert.equal(patch(text, d), applyEdits(text, edits));
  });

  it('refuses, with the reason, a fix whose edit would break the YAML', async () => {
    // The annotation would go after `annotations:`, whose value is a flow mapping on the next line.
    const text = readFileSync(join(WORKSPACE, 'undeclared.yaml'), 'utf8').replace('  namespace: ops\n', '  namespace: ops\n  annotations:\n    {team: ops}\n');
    assert.equal(yamlErrors(text), 0);
    const dir = mkdtempSync(join(tmpdir(), 'bg-fix-broken-'));
    const file = join(dir, 'undeclared.yaml');
    writeFileSync(file, text);
    const path = shown(file);
    const r = await lint(file, '--fix');
    assert.equal(readFileSync(file, 'utf8'), text, 'nothing written');
    assert.match(r.out, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: not fixed \\[rbac-undeclared\\] DaemonSet ops/mystery-agent: Declare its API calls .*: the edit would break the YAML`));
    assert.match(r.out, /applied 0 fixes in 0 files; 1 not applied \(see above\)/);
    // The finding is left; RBAC reach alone is an upper bound (info), which does not fail the run.
    assert.equal(r.code, 0);
    assert.ok(r.out.includes('[rbac-undeclared]'));
  });
});
