// API calls made by shell commands in containers: kubectl and curl against the API server,
// inside or outside polling loops. A deliberately small reader of shell: statements split on
// unquoted ; & | and newlines, loops tracked by do/done, sleeps summed per loop.
import { parseDuration } from '../common/duration';
import type { Scope, Verb } from '../cost/model';

export interface CommandCall {
  verb: Verb;
  resource: string;
  scope: Scope;
  /** Seconds between repetitions (0 = once at start). */
  intervalSeconds: number;
  resourceVersion?: string;
  /** Index of the statement's line in the script (0-based). */
  lineIndex: number;
  text: string;
  /** The loop had no sleep we could read. */
  intervalUnknown?: boolean;
  /** A loop with no sleep at all: back to back. */
  hotLoop?: boolean;
  fieldSelector?: string;
}

/** kubectl short names and singulars -> plural resource names. */
const ALIASES: Record<string, string> = {
  po: 'pods', pod: 'pods', pods: 'pods',
  no: 'nodes', node: 'nodes', nodes: 'nodes',
  svc: 'services', service: 'services', services: 'services',
  ep: 'endpoints', endpoints: 'endpoints',
  endpointslice: 'endpointslices', endpointslices: 'endpointslices',
  ns: 'namespaces', namespace: 'namespaces', namespaces: 'namespaces',
  cm: 'configmaps', configmap: 'configmaps', configmaps: 'configmaps',
  secret: 'secrets', secrets: 'secrets',
  ev: 'events', event: 'events', events: 'events',
  deploy: 'deployments', deployment: 'deployments', deployments: 'deployments',
  ds: 'daemonsets', daemonset: 'daemonsets', daemonsets: 'daemonsets',
  rs: 'replicasets', replicaset: 'replicasets', replicasets: 'replicasets',
  sts: 'statefulsets', statefulset: 'statefulsets', statefulsets: 'statefulsets',
  lease: 'leases', leases: 'leases',
  job: 'jobs', jobs: 'jobs', cj: 'cronjobs', cronjob: 'cronjobs', cronjobs: 'cronjobs',
  sa: 'serviceaccounts', serviceaccount: 'serviceaccounts', serviceaccounts: 'serviceaccounts',
  pvc: 'persistentvolumeclaims', pv: 'persistentvolumes',
};
/** What `kubectl get all` lists. */
const ALL = ['pods', 'services', 'daemonsets', 'deployments', 'replicasets', 'statefulsets', 'jobs', 'cronjobs', 'replicationcontrollers', 'horizontalpodautoscalers'];

export function normaliseResource(r: string): string {
  const base = r.toLowerCase().split('.')[0];
  return ALIASES[base] ?? base;
}

interface Statement {
  words: string[];
  lineIndex: number;
  raw: string;
}

/** Splits a script into statements on unquoted separators, keeping each statement's line. */
export function statements(script: string): Statement[] {
  const out: Statement[] = [];
  let cur = '';
  let line = 0;
  let startLine = 0;
  let quote: '"' | "'" | '' = '';
  let paren = 0;
  const flush = () => {
    const raw = cur.trim();
    if (raw) out.push({ words: words(raw), lineIndex: startLine, raw });
    cur = '';
    startLine = line;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\n') {
      line++;
      if (!quote && paren === 0) {
        if (cur.endsWith('\\')) {
          cur = cur.slice(0, -1) + ' ';
          continue;
        }
        flush();
        startLine = line;
        continue;
      }
    }
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < script.length) {
        cur += c + script[++i];
        continue;
      }
      cur += c;
      continue;
    }
    if (c === '#' && (cur === '' || /\s$/.test(cur)) && paren === 0) {
      // a comment to the end of the line
      const nl = script.indexOf('\n', i);
      i = (nl < 0 ? script.length : nl) - 1;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' && cur.endsWith('$')) paren++;
    else if (c === ')' && paren > 0) paren--;
    else if (paren === 0 && (c === ';' || c === '|' || c === '&')) {
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}

function words(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  let skipNext = false;
  while ((m = re.exec(s))) {
    const w = m[1] ?? m[2] ?? m[3];
    if (skipNext) {
      skipNext = false;
      continue;
    }
    // redirections: `> file`, `2>/dev/null`, `>>log`, `< in`
    if (m[3] !== undefined && /^(\d*|&)(>>?|<)(&\d+)?/.test(m[3])) {
      if (/^(\d*|&)(>>?|<)$/.test(m[3])) skipNext = true;
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Seconds of a sleep argument; env and script variables resolved. */
function sleepSeconds(arg: string | undefined, vars: Record<string, string>): number | undefined {
  if (arg === undefined) return undefined;
  const v = arg.replace(/^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/, (_, n: string) => vars[n] ?? `$${n}`).replace(/^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/, (_, n: string) => vars[n] ?? `$${n}`);
  const ms = parseDuration(v);
  return ms === undefined ? undefined : ms / 1000;
}

const KEYWORDS = new Set(['do', 'then', 'else', '{', '(', '!', 'exec', 'time', 'command', 'nohup', 'timeout']);

/**
 * API calls in a script (or in a single argv when `argv` is true).
 * `vars` resolves $VAR in sleeps and field selectors (container env).
 */
export function callsInScript(script: string, vars: Record<string, string>): CommandCall[] {
  const sts = statements(script);
  const localVars = { ...vars };
  interface Loop {
    sleep: number;
    sleeps: number;
    unknownSleep: boolean;
    calls: CommandCall[];
    watchInterval?: number;
  }
  const loops: Loop[] = [];
  const out: CommandCall[] = [];
  let pendingLoop = false;
  const close = (l: Loop) => {
    for (const c of l.calls) {
      if (c.verb === 'watch') continue;
      if (l.sleeps === 0 && !l.unknownSleep) {
        c.intervalSeconds = 1;
        c.hotLoop = true;
      } else if (l.unknownSleep && l.sleep === 0) {
        c.intervalSeconds = 60;
        c.intervalUnknown = true;
      } else c.intervalSeconds = l.sleep;
    }
    const parent = loops[loops.length - 1];
    if (parent) {
      parent.calls.push(...l.calls);
      parent.sleep += l.sleep;
      parent.sleeps += l.sleeps;
    } else out.push(...l.calls);
  };
  for (const st of sts) {
    let w = st.words;
    if (!w.length) continue;
    if (w[0] === 'while' || w[0] === 'until' || w[0] === 'for') {
      pendingLoop = true;
      // `while true; do` usually splits here; `for x in …; do` too.
      const doAt = w.indexOf('do');
      if (doAt < 0) continue;
      w = w.slice(doAt);
    }
    if (w[0] === 'done') {
      const l = loops.pop();
      if (l) close(l);
      w = w.slice(1);
      if (!w.length) continue;
    }
    if (w[0] === 'do') {
      if (pendingLoop) {
        loops.push({ sleep: 0, sleeps: 0, unknownSleep: false, calls: [] });
        pendingLoop = false;
      }
      w = w.slice(1);
    }
    while (w.length && KEYWORDS.has(w[0])) w = w.slice(1);
    if (w.length && w[w.length - 1] === 'done') {
      w = w.slice(0, -1);
      const l = loops.pop();
      if (w.length) handle(w, st, l);
      if (l) close(l);
      continue;
    }
    if (!w.length) continue;
    handle(w, st, loops[loops.length - 1]);
  }
  while (loops.length) close(loops.pop()!);
  return out;

  function handle(w: string[], st: Statement, loop: Loop | undefined) {
    // command substitutions: X=$(kubectl get pods -A -o json)
    const joined = w.join(' ');
    if (joined.includes('$(')) {
      for (const m of joined.matchAll(/\$\(\s*((?:kubectl|oc|curl)\b[^()]*)\)/g)) (loop ? loop.calls : out).push(...callsOf(words(m[1]), st, localVars));
    }
    // assignments: NAME=value
    while (w.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0])) {
      const [n, ...v] = w[0].split('=');
      localVars[n] = v.join('=');
      w = w.slice(1);
    }
    if (!w.length) return;
    const cmd = w[0].split('/').pop() ?? w[0];
    if (cmd === 'sleep') {
      const s = sleepSeconds(w[1], localVars);
      if (loop) {
        if (s === undefined) loop.unknownSleep = true;
        else {
          loop.sleep += s;
          loop.sleeps++;
        }
      }
      return;
    }
    if (cmd === 'watch') {
      // procps watch: `watch -n 5 kubectl get pods -A` runs it every n seconds (default 2).
      let i = 1;
      let every = 2;
      while (i < w.length && w[i].startsWith('-')) {
        if ((w[i] === '-n' || w[i] === '--interval') && w[i + 1]) every = sleepSeconds(w[++i], localVars) ?? every;
        else if (w[i].startsWith('--interval=')) every = sleepSeconds(w[i].slice(11), localVars) ?? every;
        i++;
      }
      const inner = callsOf(w.slice(i), st, localVars);
      for (const c of inner) if (c.verb !== 'watch') c.intervalSeconds = every;
      (loop ? loop.calls : out).push(...inner);
      return;
    }
    const calls = callsOf(w, st, localVars);
    (loop ? loop.calls : out).push(...calls);
  }
}

function callsOf(w: string[], st: Statement, vars: Record<string, string>): CommandCall[] {
  const cmd = (w[0].split('/').pop() ?? w[0]).toLowerCase();
  if (cmd === 'kubectl' || cmd === 'oc') return kubectlCalls(w.slice(1), st, vars);
  if (cmd === 'curl' || cmd === 'wget') return curlCalls(w.slice(1), st);
  // `sh -c "…"` nested
  if ((cmd === 'sh' || cmd === 'bash' || cmd === 'ash' || cmd === 'dash') && w[1] === '-c' && w[2]) {
    return callsInScript(w[2], vars).map((c) => ({ ...c, lineIndex: st.lineIndex + c.lineIndex }));
  }
  return [];
}

function expandVars(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a, b, c) => vars[a ?? b ?? c] ?? m);
}

const VALUE_FLAGS = new Set(['-n', '--namespace', '-l', '--selector', '--field-selector', '-o', '--output', '--kubeconfig', '--context', '--server', '-s', '--request-timeout', '--chunk-size', '--sort-by', '--template', '-f', '--filename', '--token', '--user', '--cluster', '-c', '--container', '--type', '-p', '--patch', '--raw', '--for', '--timeout', '--as', '--as-group']);

function kubectlCalls(args: string[], st: Statement, vars: Record<string, string>): CommandCall[] {
  const pos: string[] = [];
  let allNs = false;
  let namespaced = false;
  let watch = false;
  let fieldSelector: string | undefined;
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('-') ? (eq > 0 ? a.slice(0, eq) : a) : '';
    const value = flag && eq > 0 ? a.slice(eq + 1) : flag && VALUE_FLAGS.has(flag) ? args[++i] : undefined;
    if (!flag) {
      pos.push(a);
      continue;
    }
    if (flag === '-A' || flag === '--all-namespaces') allNs = !(value === 'false');
    else if (flag === '-n' || flag === '--namespace') namespaced = true;
    else if (flag === '-w' || flag === '--watch' || flag === '--watch-only') watch = true;
    else if (flag === '--field-selector') fieldSelector = value ? expandVars(value, vars) : undefined;
    else if (flag === '--raw') raw = value;
  }
  if (raw) return curlCalls([raw], st);
  const sub = pos[0];
  const text = st.raw;
  const scopeOf = (resource: string): Scope => {
    if (fieldSelector && /spec\.nodeName\s*=/.test(fieldSelector) && resource === 'pods') return 'node';
    if (fieldSelector && /metadata\.name\s*=/.test(fieldSelector) && resource === 'nodes') return 'node';
    if (resource === 'nodes' || resource === 'namespaces' || resource === 'persistentvolumes') return 'cluster';
    return allNs ? 'cluster' : 'namespace';
  };
  const mk = (verb: Verb, resource: string): CommandCall => ({ verb, resource, scope: scopeOf(resource), intervalSeconds: 0, lineIndex: st.lineIndex, text, fieldSelector });
  void namespaced;
  switch (sub) {
    case 'get':
    case 'describe': {
      const spec = pos[1];
      if (!spec) return [];
      if (spec.includes('/')) {
        const [r] = spec.split('/');
        return [mk('get', normaliseResource(r))];
      }
      const resources = spec.split(',').flatMap((r) => (r === 'all' ? ALL : [normaliseResource(r)]));
      const named = pos.length > 2;
      const calls = resources.map((r) => mk(named ? 'get' : watch ? 'watch' : 'list', r));
      if (sub === 'describe') calls.push(mk('list', 'events'));
      return calls;
    }
    case 'wait':
    case 'rollout':
      return pos[1] ? [mk('watch', normaliseResource(pos[1].split('/')[0]))] : [];
    case 'logs':
      return [mk('get', 'pods')];
    case 'apply':
    case 'replace':
      return [mk('patch', 'default')];
    case 'patch':
    case 'label':
    case 'annotate':
    case 'scale':
    case 'set':
    case 'cordon':
    case 'uncordon':
    case 'taint':
      return pos[1] ? [mk('patch', normaliseResource(pos[1].split('/')[0]))] : [];
    case 'create':
      return [mk('create', pos[1] ? normaliseResource(pos[1]) : 'default')];
    case 'delete':
      return pos[1] ? [mk('delete', normaliseResource(pos[1].split('/')[0]))] : [];
    default:
      return [];
  }
}

/** curl/wget against API paths: /api/v1/pods, /apis/apps/v1/namespaces/x/deployments/y, ?watch=true… */
function curlCalls(args: string[], st: Statement): CommandCall[] {
  let method = 'GET';
  const out: CommandCall[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-X' || a === '--request') method = (args[++i] ?? 'GET').toUpperCase();
    else if (a.startsWith('-X') && a.length > 2) method = a.slice(2).toUpperCase();
  }
  for (const a of args) {
    const m = /\/(?:api\/v1|apis\/[^/\s]+\/[^/\s]+)\/([^?\s"']*)(\?[^\s"']*)?/.exec(a);
    if (!m) continue;
    const parts = m[1].split('/').filter(Boolean);
    const q = new URLSearchParams((m[2] ?? '').slice(1));
    let scope: Scope = 'cluster';
    let rest = parts;
    if (parts[0] === 'namespaces' && parts.length >= 3) {
      scope = 'namespace';
      rest = parts.slice(2);
    }
    const resource = normaliseResource(rest[0] ?? 'default');
    const named = rest.length >= 2;
    const fs = q.get('fieldSelector') ?? undefined;
    if (fs && /spec\.nodeName\s*=/.test(fs) && resource === 'pods') scope = 'node';
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    let verb: Verb = named ? 'get' : watch ? 'watch' : 'list';
    if (method === 'POST') verb = 'create';
    else if (method === 'PUT') verb = 'update';
    else if (method === 'PATCH') verb = 'patch';
    else if (method === 'DELETE') verb = 'delete';
    const rv = q.get('resourceVersion');
    out.push({ verb, resource, scope, intervalSeconds: 0, resourceVersion: rv === null ? undefined : rv, lineIndex: st.lineIndex, text: st.raw, fieldSelector: fs });
  }
  return out;
}
