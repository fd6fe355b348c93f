// Is every branch a shell step promises reachable within its timeout?
//
// A step such as `kubectl get --raw /readyz --request-timeout=10s || echo "go to section 4"` promises
// a fallback when the API server does not answer. Against a saturated API server that fallback never
// prints: client-go retries a 429 (and a 5xx carrying Retry-After) up to 10 times, sleeping for the
// Retry-After each time (k8s.io/client-go rest/request.go, with_retry.go; APF's Retry-After doubles
// up to 32 s while many requests are dropped since Kubernetes 1.28, dropped_requests_tracker.go), so
// `--request-timeout` does not bound the command, and the step's own timeout kills the whole shell —
// the `||` branch with it. Only an outer bound (`timeout 12s kubectl …`) shorter than the step's
// timeout leaves the fallback its turn. This check finds API clients in steps that have a fallback
// and are not bounded that way, or whose bounds add up to more than the step's timeout.
import { formatDuration, parseDuration } from '../common/duration';
import { type Command, lineColumn, parseShell, type Pipeline, type Script, type Word } from './shell-syntax';

/** Commands that talk to the API server through client-go (and so retry 429s). */
const API_CLIENTS = ['kubectl', 'helm', 'oc'];

/** Time the fallback branch needs after the bounded commands gave up (echo, a second command). */
export const FALLBACK_MARGIN_MS = 2_000;

export interface UnboundedProblem {
  /** Line in the body, from 0. */
  line: number;
  /** Column of the call the problem is about, on that line. */
  column: number;
  message: string;
}

export interface Call {
  line: number;
  /** Where the client's name starts on its line. */
  column: number;
  /** Where it starts in the body. */
  offset: number;
  client: string;
  /** The `timeout N` bound in front of it, when there is one. */
  boundMs?: number;
  /** A branch of the step runs when it fails (and so is lost when it hangs). */
  handled: boolean;
}

/** Does the body promise another branch when a command fails or hangs (`||`, `if … else`, a loop's condition)? */
export function hasFallback(body: string): boolean {
  let found = false;
  const visit = (script: Script): void => {
    for (const a of script.items) {
      if (a.ops.some((op, j) => op === '||' && !endsStep(a.pipelines[j + 1], false))) found = true;
      for (const p of a.pipelines) for (const c of p.commands) if (c.type !== 'simple') {
        if (c.type === 'if' || c.type === 'while' || c.type === 'until') found = true;
        c.conditions.forEach(visit);
        c.bodies.forEach(visit);
      }
    }
  };
  visit(parseShell(body));
  return found;
}

/**
 * Problems of one shell step: API clients that its timeout would kill before its fallback runs.
 * `timeoutMs` is the step's timeout (its attribute, or the default that applies).
 */
export function unboundedCalls(body: string, timeoutMs: number): UnboundedProblem[] {
  // Only a call whose failure a branch of the step waits for loses that branch when it hangs.
  const calls = apiCalls(body).filter((c) => c.handled);
  if (!calls.length) return [];
  const problems: UnboundedProblem[] = [];
  const step = formatDuration(timeoutMs);
  const suggest = Math.max(1, Math.floor((timeoutMs - FALLBACK_MARGIN_MS) / 1000 / calls.length));
  for (const c of calls) {
    if (c.boundMs !== undefined) continue;
    problems.push({
      line: c.line,
      column: c.column,
      message:
        `\`${c.client}\` is not bounded: against a saturated API server it retries 429s up to 10 times, honouring ` +
        `Retry-After (client-go rest/request.go), which --request-timeout does not bound, so the step's ${step} timeout ` +
        `kills the step before its fallback runs. Write \`timeout ${suggest}s ${c.client} …\``,
    });
  }
  const bounded = calls.filter((c) => c.boundMs !== undefined);
  const total = bounded.reduce((s, c) => s + c.boundMs!, 0);
  if (bounded.length && total + FALLBACK_MARGIN_MS > timeoutMs) {
    const last = bounded[bounded.length - 1];
    problems.push({
      line: last.line,
      column: last.column,
      message:
        `the \`timeout\` bounds in this step add up to ${formatDuration(total)}, which leaves its fallback less than ` +
        `${formatDuration(FALLBACK_MARGIN_MS)} of the step's ${step} timeout: shorten them or raise the step's timeout`,
    });
  }
  return problems;
}

/**
 * Every API-client invocation in command position (in substitutions too, not in strings, comments
 * or here-documents), with the `timeout` bound in front of it and whether a branch of the step
 * runs on its failure (`handled`):
 * - it is in a pipeline followed in its and-or list by `||` (after any `&&`s), unless what follows
 *   `||` ends the step anyway (`exit`, `return`, a `break` out of a loop nothing follows);
 * - it is in the condition of an `if`, `elif`, `while` or `until`;
 * - its exit status is read by the next command (`$?`);
 * - it fills a variable (`X=$(kubectl …)`) that the step later tests for being empty.
 * A call whose output a test reads (`for x in $(kubectl …)`, `[[ $(kubectl …) == leader ]]`) has
 * no branch written for its failure.
 */
export function apiCalls(body: string): Call[] {
  const calls: Call[] = [];
  walkScript(parseShell(body), { handled: false, tail: true, loopTail: false }, calls, body);
  return calls.sort((x, y) => x.offset - y.offset);
}

interface Walk {
  /** A failure of the command being walked is handled by a branch around it. */
  handled: boolean;
  /** Nothing runs after the command being walked. */
  tail: boolean;
  /** Nothing runs after the innermost loop around it (a `break` there ends the step). */
  loopTail: boolean;
}

function walkScript(script: Script, w: Walk, out: Call[], body: string): void {
  script.items.forEach((a, k) => {
    const lastItem = k === script.items.length - 1;
    // `cmd; if [ $? -ne 0 ]` or `cmd; rc=$?`: the next command reads this one's status.
    const next = script.items[k + 1];
    const statusRead = !!next && /\$\?|\$\{\?\}/.test(body.slice(next.offset, next.end));
    a.pipelines.forEach((p, i) => {
      const orAfter = a.ops.some((op, j) => j >= i && op === '||' && !endsStep(a.pipelines[j + 1], w.loopTail));
      const handled = w.handled || orAfter || (statusRead && i === a.pipelines.length - 1);
      const tail = w.tail && lastItem && i === a.pipelines.length - 1;
      for (const c of p.commands) walkCommand(c, { handled, tail, loopTail: w.loopTail }, out, body, a.end);
    });
  });
}

function walkCommand(c: Command, w: Walk, out: Call[], body: string, end: number): void {
  const unhandled: Walk = { handled: false, tail: false, loopTail: w.loopTail };
  if (c.type === 'simple') {
    const call = clientOf(c.words);
    if (call) {
      const { line, column } = lineColumn(body, call.word.offset);
      out.push({ line, column, offset: call.word.offset, client: call.client, boundMs: call.boundMs, handled: w.handled });
    }
    // `X=$(kubectl …)` (also after local/export/declare/readonly): the assignment's status is the
    // substitution's, and a later `-z "$X"` test is a branch for the call having failed.
    const declares = !c.words.length || (c.words[0].plain && /^(local|export|declare|readonly|typeset)$/.test(c.words[0].text));
    const assignments = declares ? [...c.assigns, ...c.words.slice(1)] : [];
    for (const a of assignments) {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(a.text)?.[1];
      const tested = !!name && testsEmpty(body.slice(end), name);
      for (const s of a.subs) walkScript(s, { ...unhandled, handled: w.handled || tested }, out, body);
    }
    const others = declares ? c.words.slice(0, 1) : [...c.assigns, ...c.words];
    for (const word of others) for (const s of word.subs) walkScript(s, unhandled, out, body);
    return;
  }
  for (const word of c.words) for (const s of word.subs) walkScript(s, unhandled, out, body);
  const loop = c.type === 'while' || c.type === 'until' || c.type === 'for';
  for (const cond of c.conditions) walkScript(cond, { handled: true, tail: false, loopTail: loop ? w.tail : w.loopTail }, out, body);
  for (const b of c.bodies) walkScript(b, { handled: w.handled, tail: w.tail && !loop, loopTail: loop ? w.tail : w.loopTail }, out, body);
}

/** Does this pipeline end the step as a timeout would (`exit`, `return`, a `break` with nothing after its loop)? */
function endsStep(p: Pipeline | undefined, loopTail: boolean): boolean {
  const c = p?.commands[0];
  if (!c || c.type !== 'simple' || !c.words.length || !c.words[0].plain) return false;
  const name = c.words[0].text;
  return name === 'exit' || name === 'return' || (name === 'break' && loopTail);
}

/** Is `$name` tested for being empty (or set) in this text: `[ -z "$X" ]`, `test -n "$X"`, `[[ "$X" == "" ]]`, `[ ! "$X" ]`? */
function testsEmpty(text: string, name: string): boolean {
  const v = String.raw`"?\$\{?${name}\}?"?`;
  const open = String.raw`(?:\[\[?|\btest)\s+(?:!\s+)?`;
  return new RegExp(String.raw`${open}-[zn]\s+${v}(?![\w}])|${open}${v}\s*!?==?\s*(""|'')|${open}(""|'')\s*!?==?\s*${v}(?![\w}])|${open}${v}\s*\]`).test(text);
}

/** Commands that run the command after them (and their options that take a value). */
const WRAPPERS: Record<string, RegExp> = {
  sudo: /^-[ugChpr]$/,
  command: /^$/,
  exec: /^-a$/,
  nohup: /^$/,
  time: /^$/,
  env: /^-[uC]$/,
  xargs: /^-[IinLPdEsa]$/,
};

/** The API client a simple command runs, through `timeout`, `sudo`, `env`, `xargs` and the like. */
function clientOf(words: Word[]): { word: Word; client: string; boundMs?: number } | undefined {
  let boundMs: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const name = w.plain ? w.text.replace(/^.*\//, '') : '';
    if (API_CLIENTS.includes(name)) return { word: w, client: name, boundMs };
    if (name === 'timeout') {
      // timeout [-k DURATION] [-s SIGNAL] [--long[=value]] DURATION command
      for (i++; i < words.length && words[i].text.startsWith('-'); i++) if (/^-[ks]$/.test(words[i].text)) i++;
      const d = words[i] ? parseDuration(words[i].text) : undefined;
      boundMs = boundMs === undefined ? d : d === undefined ? boundMs : Math.min(boundMs, d);
      continue;
    }
    const takesValue = WRAPPERS[name];
    if (!takesValue) return undefined;
    for (i++; i < words.length && (words[i].text.startsWith('-') || (name === 'env' && /^[A-Za-z_]\w*=/.test(words[i].text))); i++) if (takesValue.test(words[i].text)) i++;
    i--;
  }
  return undefined;
}
