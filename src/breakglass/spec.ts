// Small readers for action bodies: each returns a value or records a problem, never throws.
import { parseDuration } from '../common/duration';

export type Body = Record<string, unknown>;

export function asBody(body: unknown, problems: string[]): Body | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push('the body must be a YAML mapping');
    return undefined;
  }
  return body as Body;
}

/** Warns about fields the action does not know (typos must not pass silently). */
export function unknownFields(b: Body, known: readonly string[], problems: string[]): void {
  const all = new Set(['action', 'clusters', ...known]);
  for (const k of Object.keys(b)) if (!all.has(k)) problems.push(`unknown field '${k}' (known: ${known.join(', ')})`);
}

export function str(b: Body, k: string, problems: string[], opts: { required?: boolean } = {}): string | undefined {
  const v = b[k];
  if (v === undefined || v === null) {
    if (opts.required) problems.push(`\`${k}\` is required`);
    return undefined;
  }
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v.trim() === '') {
    problems.push(`\`${k}\` must be text`);
    return undefined;
  }
  return v;
}

export function int(b: Body, k: string, problems: string[], opts: { min?: number; max?: number } = {}): number | undefined {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    problems.push(`\`${k}\` must be an integer${opts.min !== undefined ? ` from ${opts.min}` : ''}${opts.max !== undefined ? ` to ${opts.max}` : ''}`);
    return undefined;
  }
  return n;
}

export function bool(b: Body, k: string, problems: string[]): boolean | undefined {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    problems.push(`\`${k}\` must be true or false`);
    return undefined;
  }
  return v;
}

/** A duration in milliseconds (`30s`, `2m`, or a number of seconds). */
export function duration(b: Body, k: string, problems: string[]): number | undefined {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
  if (ms === undefined || ms <= 0) {
    problems.push(`\`${k}\` must be a duration such as 30s or 2m`);
    return undefined;
  }
  return ms;
}

/** A list of strings (a YAML list, or one string). */
export function strList(b: Body, k: string, problems: string[]): string[] | undefined {
  const v = b[k];
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' || typeof x === 'number')) {
    problems.push(`\`${k}\` must be a list of text`);
    return undefined;
  }
  return list.map(String);
}

/** `namespace/name` of a workload (simulation). */
export function workloadRef(b: Body, k: string, problems: string[]): { namespace: string; name: string } | undefined {
  const v = str(b, k, problems);
  if (v === undefined) return undefined;
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(v);
  if (!m) {
    problems.push(`\`${k}\` must be namespace/name, e.g. monitoring/telemetry-agent`);
    return undefined;
  }
  return { namespace: m[1], name: m[3] };
}
