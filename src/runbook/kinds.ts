// The registry of step kinds: each kind says which fence languages it claims, which attributes it
// understands and how its body is checked. The parser knows nothing kind-specific beyond this table.
import { BREAKGLASS_ACTIONS } from '../breakglass/names';
import { yaml } from '../lazy';
import { parseDuration } from '../common/duration';
import type { AttrValue, StepKind } from './model';

export type AttrType = 'string' | 'boolean' | 'duration' | 'mode' | 'name' | 'list';

export interface AttrSpec {
  type: AttrType;
  description: string;
}

/** A problem in a step body, at a line relative to the body's first line. */
export interface BodyProblem {
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface StepKindSpec {
  kind: StepKind;
  langs: readonly string[];
  title: string;
  /** Attributes this kind adds to the common ones. */
  attrs: Record<string, AttrSpec>;
  /** Can the engine execute it in this version? (Panels only render.) */
  runnable: boolean;
  /** Changes things by default (a break-glass action does). */
  destructiveByDefault: boolean;
  /** Checks the body; returns its parsed form. */
  checkBody(body: string, problems: BodyProblem[]): unknown;
}

/** Attributes every step understands. */
export const COMMON_ATTRS: Record<string, AttrSpec> = {
  name: { type: 'name', description: 'Step name, unique in the runbook (letters, digits, `-`, `_`, `.`).' },
  timeout: { type: 'duration', description: 'Kill the step after this long (e.g. `20s`, `5m`).' },
  confirm: { type: 'boolean', description: 'Ask before running.' },
  destructive: { type: 'boolean', description: 'Changes the cluster: in real mode the context name must be typed to run it.' },
  mode: { type: 'mode', description: '`sim`, `real` or `both` (default): the modes the step may run in.' },
  excludeFromRunAll: { type: 'boolean', description: 'Leave out of Run All.' },
  cwd: { type: 'string', description: 'Working directory, relative to the runbook.' },
  description: { type: 'string', description: 'One line shown beside the step name.' },
};

/** Runme attributes that are accepted for compatibility and have no effect here. */
export const RUNME_ONLY_ATTRS = new Set([
  'id', 'interactive', 'background', 'closeTerminalOnSuccess', 'promptEnv', 'terminalRows', 'category', 'interpreter', 'transform',
]);

/** Shell constructs that change a cluster or a host: a step using one counts as destructive. */
const DESTRUCTIVE_PATTERNS: RegExp[] = [
  /\bkubectl\b[^\n|;&]*\s(delete|drain|cordon|uncordon|scale|patch|apply|replace|edit|create|label|annotate|taint|set|rollout\s+(undo|restart|pause))\b/,
  /\bhelm\s+(uninstall|delete|rollback|upgrade|install)\b/,
  /\betcdctl\b[^\n|;&]*\s(del|put|defrag|compact)\b/,
  /\b(iptables|nft)\b[^\n]*\s(-A|-I|-D|add|insert|delete)\b/,
  /\b(systemctl|service)\s+\S*\s*(stop|restart|kill|disable)\b/,
  /\b(crictl|docker|nerdctl)\s+(stop|rm|kill)\b/,
  /\brm\s+-[a-z]*[rf]/,
  /\bmv\s+\S*\/etc\/kubernetes\/manifests\b/,
];

export function looksDestructive(command: string): boolean {
  return DESTRUCTIVE_PATTERNS.some((re) => re.test(command));
}


function yamlBody(body: string, problems: BodyProblem[], required: boolean): Record<string, unknown> | undefined {
  if (body.trim() === '') {
    if (required) problems.push({ line: 0, severity: 'error', message: 'the body is empty: it must be a YAML mapping' });
    return undefined;
  }
  const doc = yaml().parseDocument(body, { prettyErrors: false });
  for (const e of doc.errors) problems.push({ line: e.linePos?.[0]?.line ? e.linePos[0].line - 1 : 0, severity: 'error', message: `YAML: ${firstLine(e.message)}` });
  if (doc.errors.length) return undefined;
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ line: 0, severity: 'error', message: 'the body must be a YAML mapping (key: value lines)' });
    return undefined;
  }
  return value as Record<string, unknown>;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

export interface CheckSpec {
  run: string;
  expect: { exitCode?: number; output?: string };
  /** Repeat until the expectation holds (wait-until) instead of asserting once. */
  until: boolean;
  intervalMs: number;
}

const shell: StepKindSpec = {
  kind: 'shell',
  langs: ['sh', 'bash', 'shell'],
  title: 'Shell',
  attrs: {},
  runnable: true,
  destructiveByDefault: false,
  checkBody(body, problems) {
    if (body.trim() === '') problems.push({ line: 0, severity: 'warning', message: 'empty shell step' });
    return undefined;
  },
};

const health: StepKindSpec = {
  kind: 'health',
  langs: ['health'],
  title: 'Cluster health panel',
  attrs: {
    cluster: { type: 'string', description: 'Cluster (scenario cluster name in simulation).' },
    context: { type: 'string', description: 'Kube context the panel watches (default: the active target).' },
    signals: { type: 'list', description: 'Signals to chart, comma-separated (readyz, load, apf, size, dns, clients).' },
    title: { type: 'string', description: 'Panel title.' },
  },
  runnable: false,
  destructiveByDefault: false,
  checkBody(body, problems) {
    return yamlBody(body, problems, false);
  },
};

const breakglass: StepKindSpec = {
  kind: 'breakglass',
  langs: ['breakglass'],
  title: 'Break-glass action',
  attrs: {
    dryRun: { type: 'boolean', description: 'Preview only.' },
  },
  runnable: true,
  destructiveByDefault: true,
  checkBody(body, problems) {
    const spec = yamlBody(body, problems, true);
    if (!spec) return undefined;
    const action = spec.action;
    if (typeof action !== 'string') {
      problems.push({ line: 0, severity: 'error', message: `\`action\` is required: one of ${BREAKGLASS_ACTIONS.join(', ')}` });
    } else if (!(BREAKGLASS_ACTIONS as readonly string[]).includes(action)) {
      problems.push({ line: 0, severity: 'error', message: `unknown action '${action}': expected one of ${BREAKGLASS_ACTIONS.join(', ')}` });
    }
    return spec;
  },
};

const check: StepKindSpec = {
  kind: 'check',
  langs: ['check'],
  title: 'Check',
  attrs: {
    interval: { type: 'duration', description: 'Time between attempts of a wait-until check (default 5s).' },
  },
  runnable: true,
  destructiveByDefault: false,
  checkBody(body, problems): CheckSpec | undefined {
    const spec = yamlBody(body, problems, true);
    if (!spec) return undefined;
    const known = new Set(['run', 'expect', 'until', 'interval', 'signal']);
    for (const k of Object.keys(spec)) {
      if (!known.has(k)) problems.push({ line: 0, severity: 'warning', message: `unknown check field '${k}' (known: run, expect, until, interval)` });
    }
    if (spec.signal !== undefined) {
      problems.push({ line: 0, severity: 'warning', message: 'checks on cluster signals are evaluated once a cluster is connected; this version evaluates `run` checks' });
    }
    if (typeof spec.run !== 'string' || spec.run.trim() === '') {
      problems.push({ line: 0, severity: 'error', message: '`run` (a shell command) is required' });
      return undefined;
    }
    const expect: CheckSpec['expect'] = {};
    const e = spec.expect;
    if (e !== undefined) {
      if (typeof e !== 'object' || e === null || Array.isArray(e)) {
        problems.push({ line: 0, severity: 'error', message: '`expect` must be a mapping with `exitCode` and/or `output`' });
        return undefined;
      }
      const ex = e as Record<string, unknown>;
      if (ex.exitCode !== undefined) {
        if (typeof ex.exitCode !== 'number' || !Number.isInteger(ex.exitCode)) {
          problems.push({ line: 0, severity: 'error', message: '`expect.exitCode` must be an integer' });
          return undefined;
        }
        expect.exitCode = ex.exitCode;
      }
      if (ex.output !== undefined) {
        if (typeof ex.output !== 'string') {
          problems.push({ line: 0, severity: 'error', message: '`expect.output` must be a regular expression (string)' });
          return undefined;
        }
        try {
          new RegExp(ex.output, 'm');
        } catch (err) {
          problems.push({ line: 0, severity: 'error', message: `\`expect.output\` is not a valid regular expression: ${(err as Error).message}` });
          return undefined;
        }
        expect.output = ex.output;
      }
    }
    if (expect.exitCode === undefined && expect.output === undefined) expect.exitCode = 0;
    const intervalMs = spec.interval === undefined ? 5000 : parseDuration(spec.interval as string | number);
    if (intervalMs === undefined || intervalMs <= 0) {
      problems.push({ line: 0, severity: 'error', message: '`interval` must be a duration such as 5s' });
      return undefined;
    }
    if (spec.until !== undefined && typeof spec.until !== 'boolean') {
      problems.push({ line: 0, severity: 'error', message: '`until` must be true or false' });
      return undefined;
    }
    return { run: spec.run, expect, until: spec.until === true, intervalMs };
  },
};

export const STEP_KINDS: readonly StepKindSpec[] = [shell, health, breakglass, check];

const BY_LANG = new Map<string, StepKindSpec>();
for (const k of STEP_KINDS) for (const l of k.langs) BY_LANG.set(l, k);

export function kindForLang(lang: string): StepKindSpec | undefined {
  return BY_LANG.get(lang.toLowerCase());
}

export function kindSpec(kind: StepKind): StepKindSpec {
  return STEP_KINDS.find((k) => k.kind === kind)!;
}

/** Checks one attribute value against its type; returns an error message or undefined. */
export function checkAttr(spec: AttrSpec, value: AttrValue): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'duration':
      return parseDuration(value as string | number) !== undefined ? undefined : 'must be a duration such as 20s, 5m or 1h';
    case 'mode':
      return value === 'sim' || value === 'real' || value === 'both' ? undefined : 'must be sim, real or both';
    case 'name':
      return typeof value === 'string' && /^[A-Za-z0-9][\w.-]*$/.test(value) ? undefined : 'must start with a letter or digit and use only letters, digits, -, _ and .';
    case 'string':
    case 'list':
      return typeof value === 'string' || typeof value === 'number' ? undefined : 'must be text';
  }
}
