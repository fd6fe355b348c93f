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
  const script = parseShell(body);
  const calls: Call[] = [];
  const walk: WalkState = { body, calls, tests: [], assigned: [], functions: functionsOf(script), expanding: new Set(), recorded: calls };
  walkScript(script, { handled: false, tail: true, loopTail: false }, walk);
  // `X=$(kubectl …)`: handled when a later test of `$X` takes a written branch on an empty value.
  for (const { name, offset, calls } of walk.assigned) {
    const ref = new RegExp(String.raw`^"?\$\{?${name}\}?"?$`);
    if (walk.tests.some((t) => t.offset > offset && t.whenEmpty((w) => ref.test(w.text)))) for (const c of calls) c.handled = true;
  }
  return walk.calls.sort((x, y) => x.offset - y.offset);
}

/** Where a status leads: a branch the author wrote, one that ends the step anyway, on past an `if` without else, or nowhere in particular. */
type Branch = 'written' | 'ends' | 'fallthrough' | 'none';

interface Walk {
  /** A failure of the command being walked is handled by a branch around it. */
  handled: boolean;
  /** Nothing runs after the command being walked. */
  tail: boolean;
  /** Nothing runs after the innermost loop around it (a `break` there ends the step). */
  loopTail: boolean;
  /** For a compound's condition: where its last command's status leads. */
  onTrue?: Branch;
  onFalse?: Branch;
  /** For a test command (`[`, `[[`, `test`): does this outcome of it lead to a written branch? */
  leadsWritten?: (outcome: boolean) => boolean;
}

interface WalkState {
  body: string;
  calls: Call[];
  /** Test commands: given which words stand for the value, does an empty value lead to a written branch? */
  tests: Array<{ offset: number; whenEmpty: (isValue: (w: Word) => boolean) => boolean }>;
  /** Variables filled from substitutions (`X=$(kubectl …)`) and the calls in them. */
  assigned: Array<{ name: string; offset: number; calls: Call[] }>;
  /** The step's shell functions, by name: their bodies. */
  functions: Map<string, Script>;
  /** Functions whose calls are being followed (a recursive one is followed once). */
  expanding: Set<string>;
  /** The calls as recorded in the step (`calls` is a probe's own list while a function is followed). */
  recorded: Call[];
}

/** The functions a script defines (`f() { … }`, `function f { … }`), at any depth. */
function functionsOf(script: Script): Map<string, Script> {
  const found = new Map<string, Script>();
  const visit = (s: Script): void => {
    for (const a of s.items) for (const p of a.pipelines) for (const c of p.commands) {
      if (c.type === 'simple') continue;
      if (c.type === 'function' && c.words[0]?.plain && c.bodies[0]) found.set(c.words[0].text, c.bodies[0]);
      c.conditions.forEach(visit);
      c.bodies.forEach(visit);
    }
  };
  visit(script);
  return found;
}

/**
 * A call of a function the step defines, whose failure a branch waits for: its status is its
 * body's, so the calls in the body whose failure that status carries are handled too (read as a
 * `{ … }` group in that place). The body's calls were recorded where it is defined; this marks them.
 */
function followFunction(name: string, st: WalkState): void {
  const body = st.functions.get(name);
  if (!body || st.expanding.has(name)) return;
  st.expanding.add(name);
  const probe: WalkState = { ...st, calls: [], tests: [], assigned: [] };
  walkScript(body, { handled: false, tail: false, loopTail: false, onTrue: 'none', onFalse: 'written' }, probe);
  for (const c of probe.calls) {
    if (!c.handled) continue;
    const recorded = st.recorded.find((x) => x.offset === c.offset);
    if (recorded) recorded.handled = true;
  }
  st.expanding.delete(name);
}

function walkScript(script: Script, w: Walk, st: WalkState): void {
  script.items.forEach((a, k) => {
    const lastItem = k === script.items.length - 1;
    // `cmd; if [ $? -ne 0 ]` or `cmd; rc=$?`: the next command reads this one's status.
    const next = script.items[k + 1];
    const statusRead = !!next && /\$\?|\$\{\?\}/.test(st.body.slice(next.offset, next.end));
    a.pipelines.forEach((p, i) => {
      // Where the pipeline's status leads: the next `&&` on true, the next `||` on false, else what
      // the and-or list's status leads to (a compound's branches when this is its condition).
      const leads = (status: boolean): Branch => {
        if (status && a.ops[i] === '&&') return endsStep(a.pipelines[i + 1], w.loopTail) ? 'ends' : 'written';
        if (!status) {
          const j = a.ops.findIndex((op, x) => x >= i && op === '||');
          if (j >= 0) return endsStep(a.pipelines[j + 1], w.loopTail) ? 'ends' : 'written';
        }
        if (!lastItem) return 'none';
        return (status ? w.onTrue : w.onFalse) ?? 'none';
      };
      const failed = leads(p.negated);
      const handled = w.handled || failed === 'written' || failed === 'fallthrough' || (statusRead && i === a.pipelines.length - 1);
      const tail = w.tail && lastItem && i === a.pipelines.length - 1;
      const leadsWritten = (outcome: boolean): boolean => leads(p.negated ? !outcome : outcome) === 'written';
      for (const c of p.commands) walkCommand(c, { handled, tail, loopTail: w.loopTail, leadsWritten: p.commands.length === 1 ? leadsWritten : undefined }, st);
    });
  });
}

function walkCommand(c: Command, w: Walk, st: WalkState): void {
  const unhandled: Walk = { handled: false, tail: false, loopTail: w.loopTail };
  if (c.type === 'simple') {
    const call = clientOf(c.words);
    if (call) {
      const { line, column } = lineColumn(st.body, call.word.offset);
      st.calls.push({ line, column, offset: call.word.offset, client: call.client, boundMs: call.boundMs, handled: w.handled });
    } else if (w.handled && c.words[0]?.plain) followFunction(c.words[0].text, st);
    // A test of a substitution's output (`[ -z "$(kubectl …)" ]`) that takes a written branch when
    // the output is empty, as it is when the call fails.
    const test = c.words[0]?.plain && ['[', '[[', 'test'].includes(c.words[0].text) && w.leadsWritten ? w.leadsWritten : undefined;
    if (test) st.tests.push({ offset: c.words[0].offset, whenEmpty: (isValue) => emptyOutcomes(c.words.slice(1), isValue).some(test) });
    const emptyTested = (word: Word): boolean => !!test && emptyOutcomes(c.words.slice(1), (x) => x === word).some(test);
    // `X=$(kubectl …)`: a bare assignment's status is the substitution's (with local/export/declare
    // it is the builtin's, always 0); a later test of `$X` may be a branch for the call failing.
    const declares = c.words.length > 0 && c.words[0].plain && /^(local|export|declare|readonly|typeset)$/.test(c.words[0].text);
    const assignments = !c.words.length ? c.assigns : declares ? c.words.slice(1) : [];
    for (const a of assignments) {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(a.text)?.[1];
      const before = st.calls.length;
      for (const s of a.subs) walkScript(s, { ...unhandled, handled: !declares && w.handled }, st);
      if (name) st.assigned.push({ name, offset: a.offset, calls: st.calls.slice(before) });
    }
    const others = !c.words.length ? [] : declares ? [...c.assigns, c.words[0]] : [...c.assigns, ...c.words];
    for (const word of others) for (const s of word.subs) walkScript(s, { ...unhandled, handled: emptyTested(word) }, st);
    return;
  }
  // `(( $(kubectl …) > 3 ))`: a failed call leaves the expression empty (an error) or 0, so the
  // command's false status, where a branch waits for it, is the call failing.
  const subsHandled = c.type === 'arith' && w.handled;
  for (const word of c.words) for (const s of word.subs) walkScript(s, { ...unhandled, handled: subsHandled }, st);
  const loop = c.type === 'while' || c.type === 'until' || c.type === 'for';
  const loopTail = loop ? w.tail : w.loopTail;
  if (c.type === 'if') {
    // Each condition's true leads to its body; false to the next elif, the else, or on past the fi.
    c.conditions.forEach((cond, k) => {
      const next = k + 1 < c.conditions.length ? 'written' : c.bodies.length > c.conditions.length ? bodyBranch(c.bodies[c.bodies.length - 1], loopTail) : 'fallthrough';
      walkScript(cond, { handled: w.handled, tail: false, loopTail, onTrue: bodyBranch(c.bodies[k], loopTail), onFalse: next }, st);
    });
  } else {
    // A loop's condition: another round is written (the body), ending the loop goes on past it.
    const round: Branch = 'written';
    const past: Branch = 'fallthrough';
    for (const cond of c.conditions) walkScript(cond, { handled: w.handled, tail: false, loopTail, onTrue: c.type === 'until' ? past : round, onFalse: c.type === 'until' ? round : past }, st);
  }
  for (const b of c.bodies) walkScript(b, { handled: w.handled, tail: w.tail && !loop, loopTail }, st);
}

/** A branch's body: does it end the step at once (`exit`, `return`, a final `break`), or is it written? */
function bodyBranch(body: Script | undefined, loopTail: boolean): Branch {
  const first = body?.items[0]?.pipelines[0];
  if (!first) return 'fallthrough';
  return endsStep(first, loopTail) ? 'ends' : 'written';
}

/** Does this pipeline end the step as a timeout would (`exit`, `return`, a `break` with nothing after its loop)? */
function endsStep(p: Pipeline | undefined, loopTail: boolean): boolean {
  const c = p?.commands[0];
  if (!c || c.type !== 'simple' || !c.words.length || !c.words[0].plain) return false;
  const name = c.words[0].text;
  return name === 'exit' || name === 'return' || (name === 'break' && loopTail);
}

/**
 * The outcomes of a test expression (`[ … ]`, `[[ … ]]`, `test …` without its name) when the words
 * `isValue` picks are empty: `-z V` true, `-n V` and a bare `V` false, `V = lit` / `V != lit` by
 * the literal, `!` negates. Only the forms whose outcome an empty value decides.
 */
function emptyOutcomes(words: Word[], isValue: (w: Word) => boolean): boolean[] {
  const out: boolean[] = [];
  const text = words.map((w) => w.text);
  const operands = text.filter((t) => t !== ']' && t !== ']]').length;
  const literal = (t: string): string | undefined => (/^(["']?)([^"'$`\\]*)\1$/.exec(t) ?? [])[2];
  words.forEach((w, k) => {
    if (!isValue(w)) return;
    const negated = text[k - 1] === '!' || (text[k - 2] === '!' && /^-[zn]$/.test(text[k - 1] ?? ''));
    let v: boolean | undefined;
    if (text[k - 1] === '-z') v = true;
    else if (text[k - 1] === '-n') v = false;
    else if (['=', '==', '!='].includes(text[k + 1] ?? '') && literal(text[k + 2] ?? '') !== undefined) v = (literal(text[k + 2]) === '') === (text[k + 1] !== '!=');
    else if (['=', '==', '!='].includes(text[k - 1] ?? '') && literal(text[k - 2] ?? '') !== undefined) v = (literal(text[k - 2]) === '') === (text[k - 1] !== '!=');
    else if (operands === 1 || (operands === 2 && text[0] === '!')) v = false;
    if (v !== undefined) out.push(negated ? !v : v);
  });
  return out;
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
