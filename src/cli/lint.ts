// `breakglass lint`: API-server load of Kubernetes manifests at each cluster profile, for people
// (text), scripts (json) and code scanning (SARIF 2.1.0); with --fix, the editor's quick fixes applied.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClusterProfile } from '../cost/model';
// The analyzer through its public API: in dist/ that is the lazy module dist/analysis.js, the
// same file the editor loads (esbuild.config.mjs, LAZY).
import {
  DEFAULT_PROFILES, MAX_FILE_BYTES, ReadCache, allRules, analyze, describeEstimate, fixFile, rankSeverity, renderAgentsMarkdown, renderRulesMarkdown, unifiedDiff,
  type AnalysisResult, type FileFixes, type Finding, type FixPlan, type Note, type Severity,
} from '../analysis';

export const LINT_USAGE = `usage: breakglass lint <files|dirs…> [--profile NAME=NODES[:PODS_PER_NODE]]… [--format text|json|sarif] [--fail-on error|warning|never] [--fix [--dry-run]] [--list-rules] [--list-agents]

Estimates what each workload in the manifests does to the Kubernetes API server at every cluster
profile, and reports the rules it breaks. Directories are searched for *.yaml and *.yml.
  --profile      a cluster profile (repeatable; replaces the defaults staging=20:30 prod-large=5000:30)
  --format       text (default), json or sarif
  --fail-on      exit 1 when a finding at or above this severity exists (default warning)
  --fix          apply the editor's preferred quick fix of each finding (one that clears it on
                 re-analysis; fixes whose edits touch wait for the next run), keep the YAML valid
                 (an edit that would break it is refused and reported), write each changed file
                 atomically and print what changed; the findings left afterwards are reported
                 and decide the exit status. Review the result: a fix that declares a workload's
                 API calls states what it should do, not what it does.
  --dry-run      with --fix: print a unified diff of the fixes and write nothing
  --list-rules   print the rules as markdown and exit
  --list-agents  print the recognised agents as markdown and exit
With --format json or sarif, --fix writes its changes (and --dry-run its diff) to stderr.
exit status: 0 clean, 1 findings at or above --fail-on (after --fix: those left), 2 unusable input`;

export interface LintIO {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

class LintUsageError extends Error {}

const TOOL_VERSION = '0.1.0';

export async function lintCommand(argv: string[], io: LintIO): Promise<number> {
  let values: { profile?: string[]; format?: string; 'fail-on'?: string; 'list-rules'?: boolean; 'list-agents'?: boolean; fix?: boolean; 'dry-run'?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string', multiple: true },
        format: { type: 'string' },
        'fail-on': { type: 'string' },
        'list-rules': { type: 'boolean' },
        'list-agents': { type: 'boolean' },
        fix: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage(io, (e as Error).message);
  }
  if (values.help) {
    io.out.write(`${LINT_USAGE}\n`);
    return 0;
  }
  if (values['list-agents']) {
    io.out.write(renderAgentsMarkdown());
    return 0;
  }
  if (values['list-rules']) {
    io.out.write(renderRulesMarkdown());
    return 0;
  }
  const format = values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) return usage(io, `--format must be text, json or sarif (got '${format}')`);
  const failOn = values['fail-on'] ?? 'warning';
  if (!['error', 'warning', 'never'].includes(failOn)) return usage(io, `--fail-on must be error, warning or never (got '${failOn}')`);
  let profiles: ClusterProfile[];
  try {
    profiles = values.profile?.length ? values.profile.map(parseProfile) : DEFAULT_PROFILES;
  } catch (e) {
    return usage(io, (e as Error).message);
  }
  if (values['dry-run'] && !values.fix) return usage(io, '--dry-run goes with --fix');
  if (!positionals.length) return usage(io, 'give at least one file or directory');

  // Inputs.
  const files: string[] = [];
  try {
    for (const p of positionals) collect(p, files, true);
  } catch (e) {
    if (e instanceof LintUsageError) return usage(io, e.message, false);
    throw e;
  }
  if (!files.length) return usage(io, `no *.yaml or *.yml files in ${positionals.join(', ')}`, false);
  // Read one file at a time, as the analysis asks for them: a file's text is dropped once its
  // objects are extracted — unless --fix needs every text to re-analyse and edit.
  let count = 0;
  const kept: { path: string; text: string; file: string }[] = [];
  const notes: Note[] = [];
  function* read(): Generator<{ path: string; text: string }> {
    for (const f of files) {
      const shown = display(f);
      let buf: Buffer;
      try {
        const st = statSync(f);
        if (st.size > MAX_FILE_BYTES) {
          notes.push({ file: shown, line: 1, severity: 'error', code: 'too-large', message: `file is ${(st.size / 2 ** 20).toFixed(1)} MB; files above ${MAX_FILE_BYTES / 2 ** 20} MB are not analysed` });
          continue;
        }
        buf = readFileSync(f);
      } catch (e) {
        notes.push({ file: shown, line: 1, severity: 'error', code: 'unreadable', message: `cannot read: ${(e as Error).message}` });
        continue;
      }
      if (buf.subarray(0, 8192).includes(0)) {
        notes.push({ file: shown, line: 1, severity: 'error', code: 'binary', message: 'binary file (not YAML), not analysed' });
        continue;
      }
      count++;
      const input = { path: shown, text: buf.toString('utf8'), file: f };
      if (values.fix) kept.push(input);
      yield input;
    }
  }
  const cache = values.fix ? new ReadCache(Number.MAX_SAFE_INTEGER) : null;
  let result = analyze(read(), profiles, { cache });
  if (values.fix && kept.length) {
    const fixed = fixInputs(kept, result, profiles, cache!, !!values['dry-run'], format === 'text' ? io.out : io.err);
    if (fixed.failed) {
      io.err.write(`breakglass lint: ${fixed.failed}\n`);
      return 2;
    }
    result = fixed.result;
  }
  result.notes.unshift(...notes);
  if (!count) {
    for (const n of result.notes) io.err.write(`${n.file}:${n.line}: ${n.severity}: ${n.message}\n`);
    io.err.write('breakglass lint: no usable input\n');
    return 2;
  }
  // Input that could not be read completely (binary, too large, unreadable, broken YAML) fails
  // the run with 2 after the findings of the rest are shown.
  const unusable = result.notes.filter((n) => n.severity === 'error' && (n.code === 'binary' || n.code === 'too-large' || n.code === 'unreadable' || n.code === 'yaml'));

  if (format === 'json') io.out.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
  else if (format === 'sarif') io.out.write(`${JSON.stringify(toSarif(result, profiles), null, 2)}\n`);
  else writeText(io, result, profiles, count);
  if (format !== 'text') for (const n of result.notes) if (n.severity !== 'info') io.err.write(`${n.file}:${n.line}: ${n.severity}: ${n.message}\n`);

  if (unusable.length) {
    io.err.write(`breakglass lint: ${unusable.length} input problem${unusable.length === 1 ? '' : 's'} (see above): the input is not fully usable\n`);
    return 2;
  }
  if (failOn === 'never') return 0;
  const threshold = rankSeverity(failOn as Severity);
  return result.findings.some((f) => rankSeverity(f.severity) >= threshold) ? 1 : 0;
}

/**
 * --fix: the preferred quick fix of each finding, file by file (each fix re-analysed with all the
 * inputs, as lint analyses them), then written atomically, or shown as a diff with --dry-run.
 * Returns the analysis of the fixed files.
 */
function fixInputs(
  inputs: { path: string; text: string; file: string }[],
  before: AnalysisResult,
  profiles: ClusterProfile[],
  cache: ReadCache,
  dryRun: boolean,
  out: { write(s: string): unknown },
): { result: AnalysisResult; failed?: string } {
  const fixes: FileFixes[] = [];
  for (const input of inputs) {
    if (!before.findings.some((f) => f.file === input.path)) continue;
    const reanalyse = (text: string) => analyze(inputs.map((i) => (i === input ? { path: i.path, text } : i)), profiles, { cache });
    const ff = fixFile(input.text, input.path, before, reanalyse);
    if (ff.applied.length || ff.refused.length) fixes.push(ff);
  }
  const what = (p: FixPlan) => `[${p.finding.rule}] ${p.finding.workload.kind} ${p.finding.workload.namespace}/${p.finding.workload.name}: ${p.title}`;
  let applied = 0;
  let files = 0;
  for (const ff of fixes) {
    for (const a of ff.applied) out.write(`${ff.path}:${a.plan.finding.line}: ${dryRun ? 'would fix' : 'fixed'} ${what(a.plan)}\n`);
    for (const r of ff.refused) out.write(`${ff.path}:${r.plan.finding.line}: not fixed ${what(r.plan)}: ${r.reason}\n`);
    if (!ff.applied.length) continue;
    applied += ff.applied.length;
    files++;
    if (dryRun) out.write(unifiedDiff(ff.path, ff.before, ff.edits));
    else {
      const input = inputs.find((i) => i.path === ff.path)!;
      try {
        writeAtomically(input.file, ff.after);
      } catch (e) {
        return { result: before, failed: `cannot write ${ff.path}: ${(e as Error).message}` };
      }
      input.text = ff.after;
    }
  }
  const refused = fixes.reduce((n, ff) => n + ff.refused.length, 0);
  out.write(`${dryRun ? 'would apply' : 'applied'} ${applied} fix${applied === 1 ? '' : 'es'} in ${files} file${files === 1 ? '' : 's'}${refused ? `; ${refused} not applied (see above)` : ''}${dryRun ? ' (--dry-run: nothing written)' : ''}\n`);
  if (!applied) return { result: before };
  const after = dryRun ? inputs.map((i) => ({ path: i.path, text: fixes.find((ff) => ff.path === i.path)?.after ?? i.text })) : inputs;
  return { result: analyze(after, profiles, { cache }) };
}

/** Replaces a file's content through a temporary file in its directory (same mode), so a reader never sees half of it. */
function writeAtomically(file: string, text: string): void {
  const target = realpathSync(file);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', statSync(target).mode & 0o7777);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function usage(io: LintIO, message: string, showUsage = true): number {
  io.err.write(`breakglass lint: ${message}\n`);
  if (showUsage) io.err.write(`\n${LINT_USAGE}\n`);
  return 2;
}

/** NAME=NODES[:PODS_PER_NODE] */
export function parseProfile(s: string): ClusterProfile {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(\d+)(?::(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`--profile must be NAME=NODES[:PODS_PER_NODE], e.g. prod=5000:30 (got '${s}')`);
  const nodes = Number(m[2]);
  const podsPerNode = m[3] === undefined ? 30 : Number(m[3]);
  if (nodes < 1 || nodes > 1_000_000) throw new Error(`--profile ${m[1]}: nodes must be from 1 to 1,000,000`);
  if (podsPerNode < 1 || podsPerNode > 1000) throw new Error(`--profile ${m[1]}: pods per node must be from 1 to 1,000`);
  return { name: m[1], nodes, podsPerNode };
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.svn', '.hg']);

function collect(p: string, out: string[], top: boolean): void {
  let st;
  try {
    st = statSync(p);
  } catch {
    if (top) throw new LintUsageError(`no such file or directory: ${p}`);
    return;
  }
  if (st.isDirectory()) {
    let entries: string[];
    try {
      entries = readdirSync(p).sort();
    } catch (e) {
      if (top) throw new LintUsageError(`cannot read directory ${p}: ${(e as Error).message}`);
      return;
    }
    for (const e of entries) {
      if (SKIP_DIRS.has(e)) continue;
      const child = join(p, e);
      let cst;
      try {
        cst = statSync(child);
      } catch {
        continue;
      }
      if (cst.isDirectory()) collect(child, out, false);
      else if (/\.ya?ml$/i.test(e)) out.push(child);
    }
  } else if (top || /\.ya?ml$/i.test(p)) out.push(p);
}

/** Paths as shown and in SARIF: relative to the working directory when inside it, with /. */
function display(f: string): string {
  const abs = resolve(f);
  const rel = relative(process.cwd(), abs);
  const p = rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : abs;
  return p.split(sep).join('/');
}

// ---- output ---------------------------------------------------------------------------------

export interface JsonFinding {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  workload: { kind: string; namespace: string; name: string };
  message: string;
  estimates: { profile: string; nodes: number; requestsPerSecond: number; objectsPerSecond: number; bytesPerSecond: number; capacityRatio: number }[];
}

const round = (x: number, digits = 4) => {
  if (!Number.isFinite(x)) return x;
  const m = 10 ** digits;
  return Math.round(x * m) / m;
};

export function toJson(r: AnalysisResult): { findings: JsonFinding[] } {
  return {
    findings: r.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      workload: { kind: f.workload.kind, namespace: f.workload.namespace, name: f.workload.name },
      message: f.message,
      estimates: f.estimates.map((e) => ({
        profile: e.profile,
        nodes: e.nodes,
        requestsPerSecond: round(e.requestsPerSecond),
        objectsPerSecond: round(e.objectsPerSecond),
        bytesPerSecond: round(e.bytesPerSecond),
        capacityRatio: round(e.capacityRatio, 6),
      })),
    })),
  };
}

const sarifLevel = (s: Severity) => (s === 'info' ? 'note' : s);

export function toSarif(r: AnalysisResult, profiles: ClusterProfile[]): Record<string, unknown> {
  const rules = allRules();
  const index = new Map(rules.map((x, i) => [x.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'breakglass',
            version: TOOL_VERSION,
            informationUri: 'https://github.com/breakglass/breakglass',
            rules: rules.map((x) => ({
              id: x.id,
              name: x.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: x.title },
              fullDescription: { text: x.why },
              help: { text: `${x.remediation}\nQuick fix: ${x.fix.title} (${x.fix.where}).`, markdown: `${x.remediation}\n\n*Quick fix:* ${x.fix.title} — ${x.fix.where}.` },
              defaultConfiguration: { level: sarifLevel(x.severity) },
              properties: { tags: ['kubernetes', 'api-server-load'] },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: r.notes
              .filter((n) => n.severity !== 'info')
              .map((n) => ({
                level: sarifLevel(n.severity),
                message: { text: n.message },
                locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(n.file) }, region: { startLine: Math.max(1, n.line) } } }],
              })),
          },
        ],
        results: r.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule) ?? 0,
          level: sarifLevel(f.severity),
          message: { text: `${f.workload.kind} ${f.workload.namespace}/${f.workload.name}: ${f.message}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.file) }, region: { startLine: Math.max(1, f.line) } } }],
          partialFingerprints: { 'breakglass/v1': `${f.rule}:${f.workload.kind}/${f.workload.namespace}/${f.workload.name}` },
          properties: { profiles: f.profiles, estimates: toJson({ findings: [f], workloads: [], notes: [] }).findings[0].estimates, clusterProfiles: profiles.map((p) => `${p.name}=${p.nodes}:${p.podsPerNode}`) },
        })),
      },
    ],
  };
}

function writeText(io: LintIO, r: AnalysisResult, profiles: ClusterProfile[], fileCount: number): void {
  for (const n of r.notes) if (n.severity !== 'info') io.err.write(`${n.file}:${n.line}: ${n.severity}: ${n.message}\n`);
  for (const f of r.findings) {
    io.out.write(`${f.file}:${f.line}: ${f.severity} [${f.rule}] ${f.workload.kind} ${f.workload.namespace}/${f.workload.name}: ${f.message}\n`);
    const shown = f.estimates.filter((e) => !f.message.includes(`at ${e.profile} (`));
    for (const e of shown) io.out.write(`    ${describeEstimate(e)}\n`);
  }
  const count = (s: Severity) => r.findings.filter((f: Finding) => f.severity === s).length;
  io.out.write(
    `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} (${count('error')} error, ${count('warning')} warning, ${count('info')} info) in ${r.workloads.length} workload${r.workloads.length === 1 ? '' : 's'} of ${fileCount} file${fileCount === 1 ? '' : 's'}; profiles ${profiles.map((p) => `${p.name}=${p.nodes}:${p.podsPerNode}`).join(', ')}\n`,
  );
}
