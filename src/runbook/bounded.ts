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

/** Commands that talk to the API server through client-go (and so retry 429s). */
const API_CLIENTS = ['kubectl', 'helm', 'oc'];

/** Time the fallback branch needs after the bounded commands gave up (echo, a second command). */
export const FALLBACK_MARGIN_MS = 2_000;

export interface UnboundedProblem {
  /** Line in the body, from 0. */
  line: number;
  message: string;
}

interface Call {
  line: number;
  /** Where the client's name starts on its line. */
  column: number;
  client: string;
  /** The `timeout N` bound in front of it, when there is one. */
  boundMs?: number;
}

/** Does the body promise another branch when a command fails or hangs (`||`, `if … else`, `! cmd`)? */
export function hasFallback(body: string): boolean {
  // `|| exit 1` ends the step as a timeout would: it promises no other branch.
  const code = stripComments(body).replace(/\|\|\s*(exit|return)\b[^;\n]*/g, '');
  return /\|\|/.test(code) || /(^|[\s;])else([\s;]|$)/m.test(code) || /(^|[\s;])(if|until|while)\s/m.test(code);
}

/**
 * Problems of one shell step: API clients that its timeout would kill before its fallback runs.
 * `timeoutMs` is the step's timeout (its attribute, or the default that applies).
 */
export function unboundedCalls(body: string, timeoutMs: number): UnboundedProblem[] {
  if (!hasFallback(body)) return [];
  const lines = body.split('\n');
  // Only a branch that comes after the call is lost when the call hangs.
  const calls = apiCalls(body).filter((c) => hasFallback([lines[c.line].slice(c.column), ...lines.slice(c.line + 1)].join('\n')));
  if (!calls.length) return [];
  const problems: UnboundedProblem[] = [];
  const step = formatDuration(timeoutMs);
  const suggest = Math.max(1, Math.floor((timeoutMs - FALLBACK_MARGIN_MS) / 1000 / calls.length));
  for (const c of calls) {
    if (c.boundMs !== undefined) continue;
    problems.push({
      line: c.line,
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
      message:
        `the \`timeout\` bounds in this step add up to ${formatDuration(total)}, which leaves its fallback less than ` +
        `${formatDuration(FALLBACK_MARGIN_MS)} of the step's ${step} timeout: shorten them or raise the step's timeout`,
    });
  }
  return problems;
}

/** Every API-client invocation in command position, with the `timeout` bound in front of it. */
export function apiCalls(body: string): Call[] {
  const calls: Call[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const code = stripComment(lines[i]);
    // Command position: line start, or after a separator, a subshell or a keyword.
    const re = new RegExp(String.raw`(^|[;&|(\x60{!]|\$\(|\b(?:if|then|else|elif|do|while|until|exec|command)\s)\s*((?:timeout\s+(?:--?[a-zA-Z][\w-]*(?:[= ]\S+)?\s+)*(\S+)\s+)?)(${API_CLIENTS.join('|')})(?=\s|$)`, 'g');
    for (const m of code.matchAll(re)) {
      const bound = m[3] !== undefined ? parseDuration(m[3]) : undefined;
      calls.push({ line: i, column: m.index! + m[0].length - m[4].length, client: m[4], boundMs: bound });
    }
  }
  return calls;
}

function stripComments(body: string): string {
  return body.split('\n').map(stripComment).join('\n');
}

/** The line without a trailing `# comment` (a `#` that starts a word, outside quotes). */
function stripComment(line: string): string {
  let q: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === q) q = undefined;
      else if (ch === '\\' && q === '"') i++;
    } else if (ch === "'" || ch === '"') q = ch;
    else if (ch === '\\') i++;
    else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}
