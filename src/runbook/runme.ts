// Runme's execution dialect, the pure parts: which program runs a fence, how `$ ` prompts are
// removed, how a `.env` file is read, which step names become variables, and how a step's output
// is capped before it becomes `$__`. The session (session.ts) applies them; nothing here does I/O.
//
// Sources (snapshots of github.com/runmedev/runme, commit dea82115348945835f326f75db0a35c37c5a4100,
// and github.com/stateful/godotenv, commit c7bc0b812915ecf4443ba52db3c66174bdaf4580):
// - runner/client/client.go prepareCommandSeq: prompts;
// - command/command.go interpreterByLanguageID, runner/client/client_local.go newExecutable,
//   command/config_code_block.go programPath, command/command_inline_shell.go shellOptions: programs;
// - runnerv2service/execution.go opininatedEnvVarNamingRegexp, storeOutputInEnv, tailCapWriter: outputs;
// - project/project.go LoadEnvWithSource (godotenv.UnmarshalBytes), godotenv parser.go: `.env`.
import { shQuote } from '../common/shell';

/**
 * Fence languages Runme runs as shell commands (runner/shell.go IsShellLanguage, plus the empty
 * language: runner/client/client_local.go newExecutable runs `""` as a shell, "TODO(mxs): empty
 * string should return nil when guesslang model is implemented").
 */
export const RUNME_SHELL_LANGUAGES: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'ksh', 'shell', 'shellscript', '']);

/** Whether Runme treats a fence language as shell (prompts are stripped, front-matter `shell` applies). */
export function isShellLanguage(lang: string): boolean {
  return RUNME_SHELL_LANGUAGES.has(lang.trim().toLowerCase());
}

/**
 * The script with `$ ` prompts removed, as Runme does before it runs a shell cell
 * (runner/client/client.go prepareCommandSeq): each line that starts with exactly `$ ` loses those
 * two characters, whatever the other lines look like; nothing else changes (an indented `  $ x`
 * stays, and so do `$VAR` and `$(cmd)` at a line's start: until runme commit 783b85a8, "Allow
 * mixed notebooks in the CLI", any leading `$` was removed, which broke such lines). Languages that
 * are not shell are left alone.
 */
export function stripPrompts(script: string, lang = 'sh'): string {
  if (!isShellLanguage(lang)) return script;
  return script
    .split('\n')
    .map((line) => (line.startsWith('$ ') ? line.slice(2) : line))
    .join('\n');
}

export type ShellFamily = 'bash' | 'zsh' | 'ksh' | 'sh' | 'other';

/** The program a shell step runs in, and the arguments before `-c <script>`. */
export interface ShellProgram {
  /** An absolute path, or a name the spawn looks up in the step's PATH. */
  file: string;
  /** The program's own words from the front matter, then the error flags of its family. */
  args: string[];
  family: ShellFamily;
  /** The script can end with an EXIT trap that writes its environment (POSIX `trap`, `env -0`). */
  capturesEnv: boolean;
}

/** The family of a program, by its base name without extension (runme command.go shellFromShellPath). */
export function shellFamily(program: string): ShellFamily {
  const base = program.split(/[\\/]/).pop() ?? program;
  const name = base.replace(/\.[^.]*$/, '').toLowerCase();
  if (name === 'bash' || name === 'zsh' || name === 'ksh' || name === 'sh') return name;
  return 'other';
}

/**
 * Which program runs a shell fence. Without front-matter `shell`, every shell language (`sh`,
 * `bash`, `shell`, `shellscript`, the empty language) runs in /bin/bash: Runme looks `sh` and
 * `shellscript` up as bash first ("sh": {"bash", "sh"}, command/command.go interpreterByLanguageID)
 * and runs `shell` and the empty language in the user's $SHELL; Breakglass does not follow $SHELL,
 * so that a runbook behaves the same on every on-call's machine. Front-matter `shell` names the
 * program for every shell language (command/config_code_block.go programPath), its first word the
 * program and the rest its arguments (command.go normalizeProgramName); `bash` and `sh` stay
 * /bin/bash and /bin/sh, other names are looked up in PATH. The error flags follow Runme's
 * (command_inline_shell.go shellOptions): `set -e -o pipefail` for bash, zsh and ksh, `set -e` for
 * sh, none for other programs — passed as flags, so the script's line numbers stay its own.
 */
export function shellProgram(lang: string, frontMatterShell?: string): ShellProgram {
  const words = (frontMatterShell ?? '').trim().split(/\s+/).filter(Boolean);
  let file = words[0] ?? 'bash';
  const own = words.slice(1);
  if (!isShellLanguage(lang) && words.length) file = 'bash'; // the front matter applies to shell languages only
  const family = shellFamily(file);
  if (file === 'bash' || file === 'sh') file = `/bin/${file}`;
  const flags = family === 'sh' ? ['-e'] : family === 'other' ? [] : ['-e', '-o', 'pipefail'];
  return { file, args: [...own, ...flags], family, capturesEnv: family !== 'other' };
}

/**
 * Runme's rule for a step name that also names its output (runnerv2service/execution.go
 * opininatedEnvVarNamingRegexp: "Only allow uppercase letters, digits and underscores, min three
 * chars", and at least one letter after the first two characters).
 */
export const OUTPUT_NAME_RE = /^[A-Z_][A-Z0-9_][A-Z0-9_]*[A-Z][A-Z0-9_]*$/;

export function isOutputName(name: string | undefined): name is string {
  return typeof name === 'string' && OUTPUT_NAME_RE.test(name);
}

/** The variable the previous step's output is in (runme command/env_shell.go StoreStdoutEnvName). */
export const LAST_OUTPUT_VAR = '__';

/**
 * How much of a step's standard output `$__` and a named output keep: the last 64 KiB. Runme keeps
 * the tail below its 128 KiB per-variable limit (session/env_store.go MaxEnvSizeInBytes,
 * tailCapWriter); Linux refuses to start a program with any one `NAME=value` longer than 128 KiB
 * (MAX_ARG_STRLEN, execve(2)), and a run keeps one `$__` plus every named output.
 */
export const OUTPUT_VAR_CAP_BYTES = 64 * 1024;

/**
 * The value a step's standard output becomes: NUL bytes removed (an environment value cannot hold
 * one; Runme removes them too, storeOutputInEnv), then the last `cap` bytes of its UTF-8, starting
 * at a whole character.
 */
export function outputValue(stdout: string, cap = OUTPUT_VAR_CAP_BYTES): string {
  const text = stdout.replace(/\0/g, '');
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= cap) return text;
  let start = buf.length - cap;
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++; // a UTF-8 continuation byte
  return buf.subarray(start).toString('utf8');
}

/** A `.env` file, read by godotenv's rules: its variables, or the reason it cannot be read. */
export type DotenvResult = { ok: true; vars: Record<string, string> } | { ok: false; error: string };

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\u0085' || c === '\u00a0';
const isKeyChar = (c: string): boolean => /[\p{L}\p{N}_.]/u.test(c);

/**
 * `$NAME`, `${NAME}` in a value become the value of NAME read earlier in the same file (nothing
 * when there is none); `\$` stays a literal `$`; `$(` loses its `$`; lower-case names are left as
 * written (godotenv parser.go expandVariables and its expression).
 */
function expandVariables(v: string, vars: Record<string, string>): string {
  return v.replace(/(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?/g, (m: string, esc?: string, _d?: string, paren?: string, name?: string) => {
    if (esc === '\\' || paren === '(') return m.slice(1);
    if (name) return Object.prototype.hasOwnProperty.call(vars, name) ? vars[name]! : '';
    return m;
  });
}

/** Double-quoted values: `\n` and `\r` become line breaks, other `\x` become `x`, `\$` stays. */
function expandEscapes(v: string): string {
  const out = v.replace(/\\./g, (m) => (m === '\\n' ? '\n' : m === '\\r' ? '\r' : m));
  return out.replace(/\\([^$])/g, '$1');
}

/**
 * Parses a `.env` file as Runme does (godotenv.UnmarshalBytes, stateful/godotenv parser.go): `#`
 * comment lines, an optional `export ` before the name, `NAME=value` or `NAME: value`; an unquoted
 * value ends at the line's end or at a ` #` comment and is trimmed; single quotes keep the text as
 * it is; double quotes may span lines and expand `\n`, `\r` and other escapes; `$NAME` and
 * `${NAME}` in unquoted and double-quoted values expand to variables read earlier in the file. A
 * name holds letters, digits, `_` and `.`; anything else, or an unterminated quote, makes the whole
 * file unreadable (godotenv returns an error and Runme loads none of it).
 */
export function parseDotenv(text: string): DotenvResult {
  const src = text.replace(/\r\n/g, '\n');
  const vars: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = 0;
  const n = src.length;
  for (;;) {
    // Statement start: skip whitespace (line breaks too) and comment lines.
    while (i < n && /\s/.test(src[i]!)) i++;
    if (i >= n) break;
    if (src[i] === '#') {
      const nl = src.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    // Name, after an optional `export ` (the prefix counts only when whitespace follows it).
    if (src.startsWith('export', i) && isSpace(src[i + 6])) {
      i += 6;
      while (isSpace(src[i])) i++;
    }
    const keyStart = i;
    let keyEnd = -1;
    for (; i < n; i++) {
      const c = src[i]!;
      if (isSpace(c)) continue;
      if (c === '=' || c === ':') {
        keyEnd = i;
        break;
      }
      if (!isKeyChar(c)) {
        const line = src.slice(keyStart, src.indexOf('\n', keyStart) < 0 ? n : src.indexOf('\n', keyStart));
        return { ok: false, error: `unexpected character ${JSON.stringify(c)} in variable name near ${JSON.stringify(line)}` };
      }
    }
    if (keyEnd < 0) break; // a name without `=` at the end of the file: godotenv stops there
    const key = src.slice(keyStart, keyEnd).replace(/\s+$/, '');
    if (key === '') break; // godotenv: an empty name ends the parse
    i = keyEnd + 1;
    while (isSpace(src[i])) i++;
    const quote = src[i];
    if (quote === '"' || quote === "'") {
      let end = -1;
      for (let j = i + 1; j < n; j++) {
        if (src[j] === quote && src[j - 1] !== '\\') {
          end = j;
          break;
        }
      }
      if (end < 0) {
        const nl = src.indexOf('\n', i);
        return { ok: false, error: `unterminated quoted value ${src.slice(i, nl < 0 ? n : nl)}` };
      }
      // godotenv trims every quote character at both ends of the value.
      let value = src.slice(i, end);
      while (value.startsWith(quote)) value = value.slice(1);
      while (value.endsWith(quote)) value = value.slice(0, -1);
      if (quote === '"') value = expandVariables(expandEscapes(value), vars);
      vars[key] = value;
      i = end + 1;
      continue;
    }
    let eol = i;
    while (eol < n && src[eol] !== '\n' && src[eol] !== '\r') eol++;
    const line = src.slice(i, eol);
    // A `#` after whitespace starts a comment; godotenv looks for the last one.
    let endOfVar = line.length;
    for (let j = line.length - 1; j > 0; j--) {
      if (line[j] === '#' && isSpace(line[j - 1])) {
        endOfVar = j;
        break;
      }
    }
    let value = '';
    if (!(line.length > 0 && endOfVar === line.length && line.startsWith('#'))) {
      value = trimSpace(line.slice(0, endOfVar));
    }
    vars[key] = expandVariables(value, vars);
    i = eol;
  }
  const out: Record<string, string> = {};
  for (const k of Object.keys(vars)) out[k] = vars[k]!;
  return { ok: true, vars: out };
}

function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a])) a++;
  while (b > a && isSpace(s[b - 1])) b--;
  return s.slice(a, b);
}

/**
 * The working directory of a step (runner/client/client.go ResolveDirectory): the runbook's
 * folder, then the front matter's `cwd` relative to it, then the step's `cwd` relative to that;
 * an absolute path replaces what came before. Unlike Runme, a directory that does not exist is not
 * skipped silently: the step then fails, saying so (executor.ts).
 */
export function resolveStepDir(runbookDir: string, frontMatterCwd: string | undefined, stepCwd: string | undefined, join: (a: string, b: string) => string, isAbsolute: (p: string) => boolean): string {
  let dir = runbookDir;
  for (const d of [frontMatterCwd, stepCwd]) {
    if (!d) continue;
    dir = isAbsolute(d) ? d : join(dir, d);
  }
  return dir;
}

/**
 * Reads the record an EXIT trap wrote: the working directory, then `env -0` (NUL-separated
 * `NAME=value` entries). Entries without `=` are left out.
 */
export function parseEnvDump(dump: string): { cwd: string; env: Map<string, string> } | undefined {
  const parts = dump.split('\0');
  if (parts.length < 2) return undefined;
  const cwd = parts[0]!;
  const env = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    env.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return { cwd, env };
}

/** Names a shell sets on its own (`_`, SHLVL, PWD, OLDPWD): never counted as a step's change. */
export const SHELL_OWN_VARS: ReadonlySet<string> = new Set(['_', 'SHLVL', 'PWD', 'OLDPWD']);

/** A name a later step's shell can read as a variable (exported functions, `BASH_FUNC_f%%`, are not). */
export function isShellVarName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}


/**
 * The line put before a step's script so that it records, when it exits, its working directory and
 * its exported variables in `file`: the same idea as Runme's ScriptEnvSetter
 * (command/env_shell.go: `trap -- "__cleanup" EXIT` running `env -0` into a file), written on
 * the script's first line so that the script's own line numbers do not move. The exit status is
 * kept, the file is made 0600 (`umask 077`), and `command -p` finds `env` even if the step changed
 * PATH. A step that sets its own EXIT trap, or `exec`s another program, records nothing.
 */
export function envDumpPrologue(file: string): string {
  const f = shQuote(file);
  return `__breakglass_env() { __bg_rc=$?; umask 077; { printf '%s\\0' "$(pwd)"; command -p env -0; } >${f} 2>/dev/null; exit $__bg_rc; }; trap __breakglass_env EXIT; `;
}
