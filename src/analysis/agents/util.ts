// Helpers the agent recognisers share: building calls with their evidence, reading mounted
// configuration, flags and env.
import { parse as parseYaml } from 'yaml';
import type { Encoding, UsageCall } from '../calls';
import type { Scope, Verb } from '../../cost/model';
import { isObject } from '../read';
import type { AgentContext, AgentResult, ConfigText } from './types';

/** Pods that start or change per pod per second: 0.5 % of pods per hour (the simulator's churn assumption). */
export const POD_CHURN_PER_SECOND = 0.005 / 3600;

export type CallSpec = {
  verb: Verb;
  resource: string;
  scope: Scope;
  interval?: number;
  rv?: string;
  encoding?: Encoding;
  atStart?: number | 'podsOnNode';
  perPodOnNode?: number;
  /** Only the elected leader makes it (1 client whatever the workload's count). */
  leaderOnly?: boolean;
  /** Data-plane work every node needs, as kube-proxy's (a kube-proxy replacement's Services and EndpointSlices). */
  inherent?: boolean;
};

export function call(spec: CallSpec, ctx: { file: string; line: number }, agent: string, detail: string): UsageCall {
  const watchLike = spec.verb === 'watch' || spec.verb === 'list';
  return {
    verb: spec.verb,
    resource: spec.resource,
    scope: spec.scope,
    intervalSeconds: spec.interval ?? 0,
    resourceVersion: spec.rv,
    encoding: spec.encoding ?? 'json',
    atStart: spec.atStart ?? (watchLike ? 1 : 0),
    perPodOnNodePerSecond: spec.perPodOnNode,
    ...(spec.leaderOnly ? { clients: 1 } : {}),
    ...(spec.inherent ? { inherent: true } : {}),
    evidence: { source: 'agent', file: ctx.file, line: ctx.line, detail: `${agent}: ${detail}` },
  };
}

export const result = (ctx: AgentContext, line?: number, file?: string): AgentResult => ({ calls: [], notes: [], hints: [], line: line ?? ctx.container.line, file: file ?? ctx.workload.file });

/** Line of the n-th line (0-based) inside a config text. */
export const lineIn = (c: ConfigText, idx: number) => c.line + idx;

export function lineIndexOf(text: string, re: RegExp): number {
  const m = re.exec(text);
  if (!m) return 0;
  let n = 0;
  for (let i = 0; i < m.index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Parsed configuration texts, by text: re-analysis on each keystroke must not parse them again. */
const yamlMemo = new Map<string, Record<string, unknown> | undefined>();

export function tryYaml(text: string): Record<string, unknown> | undefined {
  if (yamlMemo.has(text)) return yamlMemo.get(text);
  let out: Record<string, unknown> | undefined;
  try {
    const v = parseYaml(text, { prettyErrors: false, uniqueKeys: false, maxAliasCount: 50, logLevel: 'silent' });
    out = isObject(v) ? v : undefined;
  } catch {
    out = undefined;
  }
  if (yamlMemo.size >= 500) yamlMemo.delete(yamlMemo.keys().next().value as string);
  yamlMemo.set(text, out);
  return out;
}

export const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(on|true|yes|1)$/i.test(v.trim()));
export const asObj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Resolves ${VAR} and $(VAR) with the container env. */
export function envValue(s: string, env: Record<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-?[^}]*)?\}|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, a, b) => env[a ?? b] ?? m);
}

/** The numeric version of an image tag (`agent:7.21.1`, `cadvisor:v0.45.0`, `agent:7.63.3-jmx`), or undefined (latest, a digest, no tag). */
export function imageVersion(image: string): number[] | undefined {
  const tag = /:([^:/@]+)(@|$)/.exec(image)?.[1];
  const m = tag ? /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(tag) : null;
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

/** Is the image's tag older than `v`? Unknown tags count as new (the current behaviour). */
export function olderThan(image: string, v: number[]): boolean {
  const have = imageVersion(image);
  if (!have) return false;
  for (let i = 0; i < v.length; i++) if ((have[i] ?? 0) !== v[i]) return (have[i] ?? 0) < v[i];
  return false;
}

/** Base names of the program a container runs: command[0], else args[0] (images whose entrypoint takes the program as first arg). */
export function programOf(ctx: AgentContext): string {
  const argv = ctx.container.command.length ? ctx.container.command : ctx.container.args;
  return (argv[0] ?? '').split('/').pop() ?? '';
}

/** The line of the first arg or command item that contains `text` (else the container's line). */
export function argLine(ctx: AgentContext, text: string): { file: string; line: number } {
  const c = ctx.container;
  const i = c.args.findIndex((a) => a.includes(text));
  const j = c.command.findIndex((a) => a.includes(text));
  return { file: ctx.workload.file, line: (i >= 0 ? c.argLines[i] : j >= 0 ? c.commandLines[j] : undefined) ?? c.line };
}
