// Markdown -> Runbook model. markdown-it tokenizes; front matter is YAML (with positions); fenced
// blocks whose language a step kind claims become steps (kinds/). Never throws: problems become
// diagnostics.
import type MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { readYaml } from '../common/yaml';
import { parseInfo } from './attrs';
import { DEFAULT_STEP_TIMEOUT_MS, parseDuration } from '../common/duration';
import { COMMON_ATTRS, RUNME_ONLY_ATTRS, STEP_KINDS, checkAttr, kindForLang, type BodyProblem } from './kinds';
import { markdown } from './markdown';
import type { Param, RunMode, Runbook, RunbookDiagnostic, Section, Step, StepMode } from './model';

export interface ParseResult {
  runbook: Runbook;
  /** markdown-it tokens of the body (lines relative to `runbook.bodyLine`), for the renderer. */
  tokens: Token[];
  md: MarkdownIt;
}

const RESERVED_PARAMS = new Set(['PATH', 'HOME', 'SHELL', 'USER', 'KUBECONFIG', 'PWD', 'IFS', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'NODE_OPTIONS']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface FrontMatter {
  data: Record<string, unknown>;
  bodyLine: number;
  body: string;
}

function splitFrontMatter(text: string, diags: RunbookDiagnostic[]): FrontMatter {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = src.split(/\r?\n/);
  if (lines[0]?.trimEnd() !== '---') return { data: {}, bodyLine: 0, body: src };
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === '---' || l === '...') {
      end = i;
      break;
    }
  }
  if (end < 0) {
    diags.push({ line: 0, endLine: 0, severity: 'error', code: 'front-matter-unclosed', message: 'front matter starts with `---` but is never closed by another `---` line' });
    return { data: {}, bodyLine: 0, body: src };
  }
  const yamlText = lines.slice(1, end).join('\n');
  const body = lines.slice(end + 1).join('\n');
  const { doc, errors } = readYaml(yamlText);
  for (const e of errors) {
    const l = e.line; // yaml's 1-based line inside the front matter = 0-based file line
    diags.push({ line: l, endLine: l, severity: 'error', code: 'front-matter-yaml', message: `front matter: ${e.message}` });
  }
  if (errors.length) return { data: {}, bodyLine: end + 1, body };
  const value = doc.toJS() as unknown;
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    diags.push({ line: 1, endLine: end, severity: 'error', code: 'front-matter-shape', message: 'front matter must be a YAML mapping (key: value lines)' });
    return { data: {}, bodyLine: end + 1, body };
  }
  return { data: (value ?? {}) as Record<string, unknown>, bodyLine: end + 1, body };
}

/** Line (0-based, whole file) of a top-level front-matter key, for diagnostics. */
function keyLine(text: string, key: string): number {
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trimEnd() === '---') break;
    if (lines[i].startsWith(`${key}:`)) return i;
  }
  return 0;
}

function readParams(raw: unknown, line: number, diags: RunbookDiagnostic[]): Param[] {
  const out: Param[] = [];
  const bad = (message: string) => diags.push({ line, endLine: line, severity: 'error', code: 'param', message });
  const add = (name: string, spec: unknown) => {
    if (!ENV_NAME.test(name)) return bad(`parameter '${name}' must be a valid environment variable name (letters, digits, _)`);
    if (RESERVED_PARAMS.has(name) || name.startsWith('BREAKGLASS_')) return bad(`parameter '${name}' would override a variable the runner sets; choose another name`);
    if (out.some((p) => p.name === name)) return bad(`parameter '${name}' is declared twice`);
    const p: Param = { name, required: false, secret: false };
    if (spec === null || spec === undefined) {
      p.required = true;
    } else if (typeof spec === 'string' || typeof spec === 'number' || typeof spec === 'boolean') {
      p.default = String(spec);
    } else if (typeof spec === 'object' && !Array.isArray(spec)) {
      const s = spec as Record<string, unknown>;
      if (s.default !== undefined && s.default !== null) p.default = String(s.default);
      if (typeof s.description === 'string') p.description = s.description;
      p.secret = s.secret === true;
      p.required = s.required === true || (s.required === undefined && p.default === undefined);
    } else {
      return bad(`parameter '${name}': expected a default value or a mapping (default, description, required, secret)`);
    }
    out.push(p);
  };
  if (raw === undefined || raw === null) return out;
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item === 'string') add(item, null);
      else if (item && typeof item === 'object' && typeof (item as Record<string, unknown>).name === 'string') add((item as Record<string, string>).name, item);
      else bad('each parameter in the list needs a `name`');
    }
  } else if (typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) add(k, v);
  } else {
    bad('`params` must be a list or a mapping of parameter names');
  }
  return out;
}

export function parseRunbook(text: string, fileName = 'runbook.md'): ParseResult {
  const diags: RunbookDiagnostic[] = [];
  const fm = splitFrontMatter(text, diags);
  const data = fm.data;
  const off = fm.bodyLine;

  const isRunbook = data.runbook === true;
  if (data.runbook !== undefined && typeof data.runbook !== 'boolean') {
    const l = keyLine(text, 'runbook');
    diags.push({ line: l, endLine: l, severity: 'warning', code: 'front-matter-runbook', message: '`runbook` should be true or false' });
  }
  let defaultMode: RunMode = 'sim';
  if (data.mode !== undefined) {
    if (data.mode === 'sim' || data.mode === 'real') defaultMode = data.mode;
    else {
      const l = keyLine(text, 'mode');
      diags.push({ line: l, endLine: l, severity: 'error', code: 'front-matter-mode', message: '`mode` must be sim or real' });
    }
  }
  const params = readParams(data.params, keyLine(text, 'params'), diags);

  const md = markdown();
  let tokens: Token[];
  try {
    tokens = md.parse(fm.body, {});
  } catch (e) {
    diags.push({ line: off, endLine: off, severity: 'error', code: 'markdown', message: `markdown could not be read: ${(e as Error).message}` });
    tokens = [];
  }

  const sections: Section[] = [];
  const steps: Step[] = [];
  const names = new Set<string>();
  let h1: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.type === 'heading_open') {
      const inline = tokens[i + 1];
      const title = inline?.type === 'inline' ? inline.content : '';
      const level = Number(tok.tag.slice(1));
      if (level === 1 && h1 === undefined) h1 = title;
      sections.push({ title, level, line: (tok.map?.[0] ?? 0) + off, stepIds: [] });
      continue;
    }
    if (tok.type !== 'fence') continue;
    const info = parseInfo(tok.info);
    const kind = kindForLang(info.lang);
    if (!kind) continue;
    const line = (tok.map?.[0] ?? 0) + off;
    const endLine = (tok.map?.[1] ?? 1) + off;
    const d = (severity: RunbookDiagnostic['severity'], code: string, message: string, at = line) =>
      diags.push({ line: at, endLine: at, severity, code, message });

    for (const e of info.errors) d('error', 'attr-syntax', e);
    if (info.trailing) d('warning', 'attr-syntax', `text after the language is not an attribute block: write {key=value …} (found '${info.trailing}')`);

    const known = { ...COMMON_ATTRS, ...kind.attributes };
    for (const [k, v] of Object.entries(info.attrs)) {
      const spec = known[k];
      if (!spec) {
        if (RUNME_ONLY_ATTRS.has(k)) d('info', 'attr-ignored', `attribute '${k}' is a Runme attribute that Breakglass ignores`);
        else d('warning', 'attr-unknown', `unknown attribute '${k}' for a ${kind.title.toLowerCase()} step (known: ${Object.keys(known).join(', ')})`);
        continue;
      }
      const err = checkAttr(spec, v);
      if (err) d('error', 'attr-value', `attribute '${k}' ${err} (got '${String(v)}')`);
    }

    const n = steps.length + 1;
    let id = `step-${n}`;
    let name: string | undefined;
    if (typeof info.attrs.name === 'string' && checkAttr(COMMON_ATTRS.name, info.attrs.name) === undefined) {
      name = info.attrs.name;
      id = name;
      if (names.has(name)) {
        d('error', 'duplicate-name', `another step is already named '${name}'`);
        id = `${name}~${n}`;
      }
    }
    names.add(id);

    const body = tok.content.replace(/\n$/, '');
    const timeoutMs = info.attrs.timeout !== undefined ? parseDuration(info.attrs.timeout as string | number) : undefined;
    const problems: BodyProblem[] = [];
    const spec = kind.checkBody(body, problems, { timeoutMs: timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS });
    for (const p of problems) d(p.severity, p.code ?? `${kind.kind}-body`, p.message, line + 1 + p.line);

    const modeAttr = info.attrs.mode;
    const mode: StepMode = modeAttr === 'sim' || modeAttr === 'real' || modeAttr === 'both' ? modeAttr : 'both';
    const destructive =
      typeof info.attrs.destructive === 'boolean'
        ? info.attrs.destructive
        : kind.destructiveByDefault(body);
    const section = sections.length - 1;
    const step: Step = {
      id,
      name,
      kind: kind.kind,
      lang: info.lang,
      body,
      attrs: info.attrs,
      timeoutMs,
      confirm: info.attrs.confirm === true,
      destructive,
      mode,
      excludeFromRunAll: info.attrs.excludeFromRunAll === true,
      line,
      endLine,
      section,
      spec,
    };
    steps.push(step);
    if (section >= 0) sections[section].stepIds.push(id);
  }

  if (isRunbook && steps.length === 0) {
    const fences = STEP_KINDS.flatMap((k) => k.languages).map((l) => `\`\`\`${l}`);
    diags.push({ line: 0, endLine: 0, severity: 'warning', code: 'no-steps', message: `this runbook has no steps (${fences.slice(0, -1).join(', ')} or ${fences[fences.length - 1]} fences)` });
  }

  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.md$/i, '');
  const title = typeof data.title === 'string' && data.title.trim() ? data.title.trim() : (h1 ?? base);
  const runbook: Runbook = {
    isRunbook,
    title,
    severity: data.severity === undefined ? undefined : String(data.severity),
    params,
    defaultMode,
    sections,
    steps,
    diagnostics: diags.sort((a, b) => a.line - b.line),
    bodyLine: off,
    frontMatter: data,
  };
  return { runbook, tokens, md };
}

/** Is this markdown text a runbook? Cheap: looks at the front matter only. */
export function isRunbookText(text: string): boolean {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n(---|\.\.\.)\s*(\r?\n|$)/.exec(text);
  return !!m && /^runbook:\s*true\s*$/m.test(m[1]);
}
