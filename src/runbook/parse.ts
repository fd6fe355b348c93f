// Markdown -> Runbook model. markdown-it tokenizes; front matter is YAML (with positions); fenced
// blocks whose language a step kind claims become steps (kinds/). Never throws: problems become
// diagnostics.
import type MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { readYaml } from '../common/yaml';
import { parseInfo } from './attrs';
import { readToml } from './toml';
import { DEFAULT_STEP_TIMEOUT_MS, parseDuration } from '../common/duration';
import { COMMON_ATTRS, RUNME_ATTRS, RUNME_ATTR_NOTES, RUNME_FRONT_MATTER_NOTES, RUNME_ONLY_ATTRS, RUNME_RUN_LANGUAGES, STEP_KINDS, checkAttr, kindForLang, kindOf, type BodyProblem } from './kinds';
import { markdown } from './markdown';
import type { Param, RunMode, Runbook, RunbookDiagnostic, RunbookSettings, Section, Step, StepMode } from './model';

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
  format?: 'yaml' | 'toml';
}

// Front matter as Runme reads it (runmedev/runme document/parser_frontmatter.go and
// frontmatter.go, commit dea8211534894583): between `---` lines or `+++` lines, and whatever the
// delimiters, read as YAML, else JSON, else TOML — the first that reads wins (`parseFrontmatter`).
// So `+++` front matter is TOML, and so is TOML between `---` lines (`shell = "fish"` is no YAML
// mapping). YAML (a superset of JSON) goes through readYaml; TOML through the small reader in toml.ts.
function splitFrontMatter(text: string, diags: RunbookDiagnostic[]): FrontMatter {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = src.split(/\r?\n/);
  const delim = lines[0]?.trimEnd();
  if (delim !== '---' && delim !== '+++') return { data: {}, bodyLine: 0, body: src };
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === delim || (delim === '---' && l === '...')) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    diags.push({ line: 0, endLine: 0, severity: 'error', code: 'front-matter-unclosed', message: `front matter starts with \`${delim}\` but is never closed by another \`${delim}\` line` });
    return { data: {}, bodyLine: 0, body: src };
  }
  const fmText = lines.slice(1, end).join('\n');
  const body = lines.slice(end + 1).join('\n');
  const toml = () => readToml(fmText);
  if (delim === '+++') {
    const t = toml();
    // toml's 1-based line inside the front matter = 0-based file line
    for (const e of t.errors) diags.push({ line: e.line, endLine: e.line, severity: 'error', code: 'front-matter-toml', message: `front matter (TOML): ${e.message}` });
    return { data: t.errors.length ? {} : t.value, bodyLine: end + 1, body, format: 'toml' };
  }
  const { doc, errors } = readYaml(fmText);
  const value = errors.length ? undefined : (doc.toJS() as unknown);
  const mapping = value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
  if (!mapping && fmText.trim() !== '') {
    const t = toml();
    if (t.errors.length === 0 && Object.keys(t.value).length > 0) return { data: t.value, bodyLine: end + 1, body, format: 'toml' };
    // Not YAML's shape, and written as TOML (`key = value` lines) that does not read: TOML's problems.
    if (!errors.length && /^\s*[\w."'-]+\s*=/m.test(fmText)) {
      for (const e of t.errors) diags.push({ line: e.line, endLine: e.line, severity: 'error', code: 'front-matter-toml', message: `front matter (TOML): ${e.message}` });
      return { data: {}, bodyLine: end + 1, body };
    }
  }
  for (const e of errors) {
    const l = e.line; // yaml's 1-based line inside the front matter = 0-based file line
    diags.push({ line: l, endLine: l, severity: 'error', code: 'front-matter-yaml', message: `front matter: ${e.message}` });
  }
  if (errors.length) return { data: {}, bodyLine: end + 1, body };
  if (value !== null && value !== undefined && !mapping) {
    diags.push({ line: 1, endLine: end, severity: 'error', code: 'front-matter-shape', message: 'front matter must be a YAML mapping (key: value lines) or TOML (key = value lines)' });
    return { data: {}, bodyLine: end + 1, body };
  }
  return { data: (value ?? {}) as Record<string, unknown>, bodyLine: end + 1, body, format: 'yaml' };
}

/** Line (0-based, whole file) of a top-level front-matter key, for diagnostics. */
function keyLine(text: string, key: string): number {
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === '---' || l === '+++') break;
    if (l.startsWith(`${key}:`) || new RegExp(`^${key}\\s*=`).test(l)) return i;
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

/** A setting of Runme's front matter (docs/RUNME.md): its value when of the right type, with a warning otherwise. */
function readSettings(data: Record<string, unknown>, text: string, diags: RunbookDiagnostic[]): RunbookSettings | undefined {
  const settings: RunbookSettings = {};
  const bad = (key: string, want: string) => {
    const l = keyLine(text, key);
    diags.push({ line: l, endLine: l, severity: 'warning', code: 'front-matter-settings', message: `\`${key}\` should be ${want}; it is not used` });
  };
  // Runme's Frontmatter struct: Shell, Cwd string; SkipPrompts bool (document/frontmatter.go).
  for (const key of ['shell', 'cwd'] as const) {
    const v = data[key];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string') settings[key] = v.trim();
    else bad(key, 'text');
  }
  if (data.skipPrompts !== undefined && data.skipPrompts !== null) {
    if (typeof data.skipPrompts === 'boolean') settings.skipPrompts = data.skipPrompts;
    else bad('skipPrompts', 'true or false');
  }
  return Object.keys(settings).length ? settings : undefined;
}

/** The `runme.session.id` of a Runme session-outputs file (Runme's RunmeMetadataSession, document/frontmatter.go), or undefined. */
function sessionOutputsId(data: Record<string, unknown>): string | undefined {
  const runme = data.runme;
  if (!runme || typeof runme !== 'object') return undefined;
  const session = (runme as Record<string, unknown>).session;
  if (!session || typeof session !== 'object') return undefined;
  const id = (session as Record<string, unknown>).id;
  return typeof id === 'string' && id.trim() !== '' ? id : undefined;
}

/**
 * Runme's boolean reading (`strconv.ParseBool` in document/block.go): 1, t, T, TRUE, true, True, 0,
 * f, F, FALSE, false, False; anything else (the empty value of a bare `{ flag }` too) is "not set".
 */
function goBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
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
  const settings = readSettings(data, text, diags);
  const recordedSession = sessionOutputsId(data);
  if (recordedSession !== undefined) {
    const l = keyLine(text, 'runme');
    diags.push({
      line: l,
      endLine: l,
      severity: 'info',
      code: 'runme-session-outputs',
      message: `this is a recorded Runme session's output (runme.session.id ${recordedSession}), not a runbook: its steps are shown with the output they had and are never run; open the runbook it was recorded from${typeof (data.runme as { document?: { relativePath?: unknown } }).document?.relativePath === 'string' ? ` (${(data.runme as { document: { relativePath: string } }).document.relativePath})` : ''}`,
    });
  }

  // Runme features this runbook uses that Breakglass does not follow: said once, in one info
  // diagnostic at the first of them (docs/RUNME.md), never per step.
  const compat: { line: number; what: string }[] = [];
  const noteCompat = (line: number, what: string) => {
    if (!compat.some((c) => c.what === what)) compat.push({ line, what });
  };
  for (const [key, note] of Object.entries(RUNME_FRONT_MATTER_NOTES)) {
    if (data[key] !== undefined && !(key === 'runme' && recordedSession !== undefined)) noteCompat(keyLine(text, key), `front matter \`${key}\` (${note})`);
  }

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
    const line = (tok.map?.[0] ?? 0) + off;
    const endLine = (tok.map?.[1] ?? 1) + off;
    // A fence without a language is a shell step, as in Runme: its CLI lists and runs it ("You can
    // omit the language, and `runme` will assume you are in shell", runmedev/runme
    // testdata/script/basic.txtar, golden-list-allow-unnamed.txt `echo-hello-2`; `--allow-unknown`
    // defaults to true, cmd/root.go), and its notebook guesses the language "with a bias towards
    // Shell" (docs.runme.dev docs/configuration/cell-level.md).
    const kind = info.lang === '' ? kindOf('shell') : kindForLang(info.lang);
    if (!kind) {
      const lang = info.lang.toLowerCase();
      if (RUNME_RUN_LANGUAGES.has(lang)) noteCompat(line, `\`${lang}\` fences (Runme runs them; here they are shown as code)`);
      continue;
    }
    // `ignore=true` or `transform=false` keeps a fence out of Runme's tasks (CodeBlock.Ignored,
    // document/block.go); `transform` decides when it reads as a boolean.
    const transform = goBool(info.attrs.transform);
    if (transform === false || (transform === undefined && goBool(info.attrs.ignore) === true)) continue;
    // A recorded session's output is shown, never run: only its shell fences become (blocked) steps.
    if (recordedSession !== undefined && kind.kind !== 'shell') continue;
    const d = (severity: RunbookDiagnostic['severity'], code: string, message: string, at = line) =>
      diags.push({ line: at, endLine: at, severity, code, message });

    for (const e of info.errors) d('error', 'attr-syntax', e);
    if (info.trailing) d('warning', 'attr-syntax', `text after the language is not an attribute block: write {key=value …} (found '${info.trailing}')`);
    if (info.after) d('warning', 'attr-syntax', `text after the attribute block is ignored (as Runme ignores it): '${info.after}'`);
    if (info.junk.length) {
      const colon = info.junk.some((j) => j.endsWith(':'));
      d('warning', 'attr-syntax', `not read as attributes: ${info.junk.map((j) => `'${j}'`).join(', ')} (Runme reads them as names without values and ignores them too)${colon ? '; write {"name":"x"} or {name=x}' : ''}`);
    }

    const known = { ...COMMON_ATTRS, ...kind.attributes };
    const attrs: Record<string, Step['attrs'][string]> = { ...info.attrs };
    for (const [k, v] of Object.entries(info.attrs)) {
      // Runme reads an empty value as "not set" (strconv.ParseBool fails, the string is empty):
      // so does Breakglass for Runme's attributes (attrs.ts refuses it for its own).
      if (info.empty.includes(k) && RUNME_ATTRS.has(k)) {
        delete attrs[k];
        continue;
      }
      const spec = known[k];
      if (!spec) {
        if (RUNME_ONLY_ATTRS.has(k)) noteCompat(line, `attribute \`${k}\` (${RUNME_ATTR_NOTES[k] ?? 'ignored'})`);
        else d('warning', 'attr-unknown', `unknown attribute '${k}' for a ${kind.title.toLowerCase()} step (known: ${Object.keys(known).join(', ')})`);
        continue;
      }
      // Runme writes its booleans as JSON strings (`"excludeFromRunAll":"true"`) and reads them
      // with strconv.ParseBool: read them the same way.
      if (spec.type === 'boolean' && RUNME_ATTRS.has(k) && typeof v !== 'boolean') {
        const b = goBool(v);
        if (b === undefined) {
          delete attrs[k];
          noteCompat(line, `attribute \`${k}=${String(v)}\` (not true or false: Runme and Breakglass read it as false)`);
        } else attrs[k] = b;
        continue;
      }
      const err = checkAttr(spec, v);
      if (err) d('error', 'attr-value', `attribute '${k}' ${err} (got '${String(v)}')`);
    }

    const n = steps.length + 1;
    let id = `step-${n}`;
    let name: string | undefined;
    if (typeof attrs.name === 'string' && checkAttr(COMMON_ATTRS.name, attrs.name) === undefined) {
      name = attrs.name;
      id = name;
      if (names.has(name)) {
        d('error', 'duplicate-name', `another step is already named '${name}'`);
        id = `${name}~${n}`;
      }
    }
    names.add(id);

    const body = tok.content.replace(/\n$/, '');
    const timeoutMs = attrs.timeout !== undefined ? parseDuration(attrs.timeout as string | number) : undefined;
    const problems: BodyProblem[] = [];
    const spec = recordedSession !== undefined ? undefined : kind.checkBody(body, problems, { timeoutMs: timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS });
    for (const p of problems) d(p.severity, p.code ?? `${kind.kind}-body`, p.message, line + 1 + p.line);

    const modeAttr = attrs.mode;
    const mode: StepMode = modeAttr === 'sim' || modeAttr === 'real' || modeAttr === 'both' ? modeAttr : 'both';
    const destructive =
      typeof attrs.destructive === 'boolean'
        ? attrs.destructive
        : kind.destructiveByDefault(body);
    const section = sections.length - 1;
    const step: Step = {
      id,
      name,
      kind: kind.kind,
      lang: info.lang,
      body,
      attrs,
      timeoutMs,
      confirm: attrs.confirm === true,
      destructive,
      mode,
      excludeFromRunAll: attrs.excludeFromRunAll === true || recordedSession !== undefined,
      line,
      endLine,
      section,
      spec,
    };
    if (recordedSession !== undefined) step.recorded = true;
    steps.push(step);
    if (section >= 0) sections[section].stepIds.push(id);
  }

  if (compat.length) {
    const at = Math.min(...compat.map((c) => c.line));
    diags.push({
      line: at,
      endLine: at,
      severity: 'info',
      code: 'attr-ignored',
      message: `Runme features Breakglass ignores or handles differently here (docs/RUNME.md): ${compat.map((c) => `${c.what} at line ${c.line + 1}`).join('; ')}`,
    });
  }

  if (isRunbook && steps.length === 0) {
    const fences = STEP_KINDS.flatMap((k) => k.languages).map((l) => `\`\`\`${l}`);
    diags.push({ line: 0, endLine: 0, severity: 'warning', code: 'no-steps', message: `this runbook has no steps (${fences.slice(0, -1).join(', ')} or ${fences[fences.length - 1]} fences)` });
  }

  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.mdx?$/i, '');
  const title = typeof data.title === 'string' && data.title.trim() ? data.title.trim() : (h1 ?? base);
  const runbook: Runbook = {
    isRunbook: isRunbook && recordedSession === undefined,
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
  if (settings) runbook.settings = settings;
  if (recordedSession !== undefined) runbook.recordedSession = recordedSession;
  return { runbook, tokens, md };
}

/** Is this markdown text a runbook? Cheap: looks at the front matter only (YAML `runbook: true`, TOML `runbook = true`). */
export function isRunbookText(text: string): boolean {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n(---|\.\.\.)\s*(\r?\n|$)/.exec(text);
  if (m) return /^runbook:\s*true\s*$/m.test(m[1]) || /^runbook\s*=\s*true\s*(#.*)?$/m.test(m[1]);
  const t = /^\uFEFF?\+\+\+\r?\n([\s\S]*?)\r?\n\+\+\+\s*(\r?\n|$)/.exec(text);
  return !!t && /^runbook\s*=\s*true\s*(#.*)?$/m.test(t[1]);
}
