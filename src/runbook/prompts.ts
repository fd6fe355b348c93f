// Which variables a shell step asks for before it runs, by Runme's rules (runmedev/runme
// command/program_resolver.go at dea82115348945835f326f75db0a35c37c5a4100, "first run" retention,
// its default): every top-level `export NAME[=VALUE]` whose value is a plain literal is taken out of
// the script and resolved first: from the session when the variable is already set (mode `auto`),
// by asking the person, or from the script's own value (`skipPrompts`, or `promptEnv=false`). A
// value with an expansion (`$(…)`, `${…}`, `$VAR`, backquotes, arithmetic, brace expansion) is
// computed by the step and never asked for.
//
// Runme parses the script with mvdan.cc/sh; this reads only what the rule needs, line by line:
// quoted text, comments, here-documents and line continuations are skipped or joined, and an export
// counts only outside any compound command (if/for/while/until/case/select, `{ … }`, `( … )`).
import { shQuote } from '../common/shell';
import { isSecretEnvName } from '../common/mask';

/** `promptEnv`: `auto` asks for what the session has not set; `always` asks every time; `never` asks nothing. */
export type PromptMode = 'auto' | 'always' | 'never';

/** How a variable stands before the step runs (Runme's ProgramResolverStatus). */
export type PromptStatus =
  /** Known: from the session, or from the script when nothing is asked. */
  | 'resolved'
  /** `export NAME` or `export NAME=`: asked for, with nothing to suggest. */
  | 'unresolved'
  /** `export NAME=some words`: asked for, the words shown as the question's hint. */
  | 'message'
  /** `export NAME="value"` (or single quotes): asked for, the value offered as the answer. */
  | 'placeholder'
  /** A secret-looking name: asked for without echo, nothing offered. */
  | 'secret';

export interface PromptVariable {
  name: string;
  status: PromptStatus;
  /** What the script wrote after `=` (unquoted; a message's words joined by one space). */
  original: string;
  /** The value it resolves to without asking (`resolved` only). */
  value?: string;
  /** 1-based line of the export in the step's body. */
  line: number;
}

export interface PromptPlan {
  variables: PromptVariable[];
  /** The script with each resolved-or-asked export replaced by a comment (Runme's "managed env store"). */
  script: string;
}

/** Runme's `promptEnv` values (cmd/common.go resolveRequestMode): anything unknown is `auto`. */
export function promptModeOf(attr: unknown, skipPrompts = false): PromptMode {
  if (skipPrompts) return 'never';
  const v = String(attr ?? '').toLowerCase();
  if (['1', 'true', 'yes', 'always'].includes(v)) return 'always';
  if (['0', 'false', 'no', 'never'].includes(v)) return 'never';
  return 'auto';
}

const EXPORT = /^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*?))?\s*$/s;
/** Anything Runme's hasExpr counts: command or process substitution, parameter or arithmetic expansion, subshell, brace expansion. */
const EXPRESSION = /\$[({A-Za-z_0-9@*#?$!-]|`|[<>]\(|\{[^}\s]*,[^}\s]*\}/;

/** The plain value of an export, or undefined when it has an expression (not for asking). */
function literalValue(raw: string | undefined): { value: string; quoted: boolean } | undefined {
  if (raw === undefined) return { value: '', quoted: false };
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) {
    const inner = v.slice(1, -1);
    return inner.includes("'") ? undefined : { value: inner, quoted: inner.length > 0 };
  }
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    const inner = v.slice(1, -1);
    if (EXPRESSION.test(inner.replace(/\\[$`]/g, '')) || /(^|[^\\])"/.test(inner)) return undefined;
    return { value: inner.replace(/\\(["\\$`])/g, '$1'), quoted: inner.length > 0 };
  }
  const unescaped = v.replace(/\\[(){}[\]]/g, '');
  if (EXPRESSION.test(unescaped) || /["'`;&|<>(){}]/.test(unescaped)) return undefined;
  // `export A=1 B=2` sets two variables: left to the step (Runme would ask for A with the message
  // "1 2" and drop B, program_resolver.go findOriginalValue).
  if (/\s[A-Za-z_][A-Za-z0-9_]*=/.test(v)) return undefined;
  // Runme joins the words of an unquoted value with one space and undoes `\(` `\)` `\{` `\}` `\[` `\]`
  // (unescapeShellLiteral).
  return { value: v.split(/\s+/).join(' ').replace(/\\([(){}[\]])/g, '$1'), quoted: false };
}

const OPENERS = new Set(['if', 'for', 'while', 'until', 'case', 'select', '{', '(']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}', ')']);

/** A line with quoted text, `$(…)` and comments taken out (for counting compound commands). */
function bare(line: string): string {
  let out = '';
  let i = 0;
  let paren = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const end = line.indexOf(c, i + 1);
      i = end < 0 ? line.length : end + 1;
      out += ' _ ';
      continue;
    }
    if (c === '$' && line[i + 1] === '(') {
      paren++;
      i += 2;
      continue;
    }
    if (paren > 0) {
      if (c === '(') paren++;
      if (c === ')') paren--;
      i++;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) break;
    out += c;
    i++;
  }
  return out;
}

/**
 * Reads `text` as the shell quotes it: where a `# comment` starts outside quotes (its length when
 * none does), and whether a quote is still open at the end (the statement goes on to the next line).
 */
function quoting(text: string): { commentAt: number; open: boolean } {
  let q: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '\\' && q !== "'") i++;
      else if (c === q) q = undefined;
    } else if (c === '\\') i++;
    else if (c === "'" || c === '"') q = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) return { commentAt: i, open: false };
  }
  return { commentAt: text.length, open: q !== undefined };
}

const withoutComment = (text: string): string => text.slice(0, quoting(text).commentAt).trimEnd();
const openQuote = (text: string): boolean => quoting(text).open;

/**
 * The exports a step would ask for, and the script without them. `env` is the session's environment
 * (what is already set); `mode` Runme's promptEnv. Variables come in the script's order.
 */
export function planPrompts(script: string, env: Readonly<Record<string, string | undefined>>, mode: PromptMode): PromptPlan {
  const lines = script.split('\n');
  const out: string[] = [];
  const variables: PromptVariable[] = [];
  let depth = 0;
  let heredoc: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (heredoc !== undefined) {
      out.push(lines[i]);
      if (lines[i].replace(/^\t+/, '') === heredoc) heredoc = undefined;
      continue;
    }
    // One statement: continuation lines and open quotes join the next line.
    const start = i;
    let text = lines[i];
    // A backslash at the end of a line joins the next (bash removes the pair); an open quote keeps the newline.
    while ((text.endsWith('\\') || openQuote(text)) && i + 1 < lines.length) text = openQuote(text) ? `${text}\n${lines[++i]}` : `${text.slice(0, -1)}${lines[++i]}`;
    const whole = lines.slice(start, i + 1);
    const m = depth === 0 ? EXPORT.exec(withoutComment(text)) : null;
    const lit = m ? literalValue(m[2]) : undefined;
    if (m && lit && !/[;&|]/.test(bare(text).replace(/^\s*export\s+\S+/, ''))) {
      const name = m[1];
      const secret = isSecretEnvName(name);
      const known = env[name];
      const v: PromptVariable = { name, status: 'unresolved', original: lit.value, line: start + 1 };
      if (mode === 'never') Object.assign(v, { status: 'resolved', value: known ?? lit.value });
      else if (mode === 'always') v.status = secret ? 'secret' : known !== undefined || lit.quoted ? 'placeholder' : lit.value ? 'message' : 'unresolved';
      else if (known !== undefined) Object.assign(v, { status: 'resolved', value: known });
      else v.status = secret ? 'secret' : lit.quoted ? 'placeholder' : lit.value ? 'message' : 'unresolved';
      if (mode === 'always' && known !== undefined && !secret) v.value = known;
      variables.push(v);
      out.push('#', `# ${name} set in managed env store`, ...whole.map((l) => `# ${l}`));
      continue;
    }
    out.push(...whole);
    const b = bare(text);
    const here = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(b.includes('<<') ? text : '');
    if (here) heredoc = here[2];
    for (const word of b.split(/[\s;&|]+/)) {
      if (OPENERS.has(word)) depth++;
      else if (CLOSERS.has(word)) depth = Math.max(0, depth - 1);
    }
  }
  return { variables, script: out.join('\n') };
}

/** Shell text that sets each variable, quoted so no value can run as code: `export NAME='it'\''s'`. */
export function exportLines(values: ReadonlyArray<{ name: string; value: string }>): string {
  return values.map(({ name, value }) => `export ${name}=${shQuote(value)}\n`).join('');
}
