// What a scenario action is: one file per action in this folder, listed once in index.ts. A
// scenario file schedules actions (`events:`), a facilitator injects them (the tabletop panel's
// buttons, the terminal's `inject`), and the simulation applies them to a cluster model.
//
// This folder is light on purpose: the extension, the command line and the webviews import the
// registry for names, titles and validation, so nothing here imports the model, the YAML parser
// or the scenario parser at run time (type imports only; test/unit/scenario-actions.test.ts checks).
import { formatDuration, parseDuration } from '../../common/duration';
import type { ClusterModel } from '../model/cluster';
import type { ScenarioWorkload } from '../scenarioTypes';

/**
 * A scenario event's (or an injection's) own fields, read with validation. Problems are
 * recorded, not thrown: a scenario file reports each with its line; an injection the first one.
 */
export interface ActionFields {
  has(key: string): boolean;
  /** Records a problem with a field, e.g. bad('latency', 'must be at least 1ms'). */
  bad(key: string, message: string): void;
  str(key: string, def?: string): string;
  num(key: string, def: number | undefined, min: number, max: number): number;
  /** A duration (500ms, 20s, 5m, or seconds), in seconds; `within` [min, max] seconds when given. */
  dur(key: string, def?: number, within?: readonly [number, number]): number;
  /**
   * A workload: defined in place in a scenario file; in an injection, one of the scenario's
   * workloads named by `namespace` and `name` (its definition never comes from a facilitator).
   */
  workload(key: string): ScenarioWorkload | undefined;
}

/**
 * What a facilitator gives with an injection besides the cluster: each is one input of the
 * panel and one word of the terminal's `inject` (params.ts).
 */
export type InjectParam = 'replicas' | 'client' | 'workload' | 'latency' | 'duration';

export interface ScenarioActionDef<N extends string = string, S extends object = object> {
  /** Its name in scenario files (`action: …`), in the panel's messages and on the terminal. */
  readonly name: N;
  /** What the panel's button and notices call it. */
  readonly title: string;
  /** How it is written: on the terminal for injectable actions, else its fields in a scenario file. */
  readonly usage: string;
  /** Its own fields in a scenario event (besides at, action, cluster/clusters). */
  readonly fields: readonly string[];
  /**
   * Offered to a facilitator: `params` it takes (in order: panel inputs, terminal words);
   * `panelRow` is the row of the panel's Inject card its button sits in (absent: terminal only);
   * `alias` a shorter terminal word.
   */
  readonly inject?: { readonly params: readonly InjectParam[]; readonly panelRow?: string; readonly alias?: string };
  /** Reads and validates its fields; undefined when a problem was recorded. */
  parse(f: ActionFields): S | undefined;
  /** Acts on one cluster's model. */
  apply(cluster: ClusterModel, spec: S): void;
}

/** `{ action: name, ...fields }` of an action definition. */
export type SpecOf<D> = D extends ScenarioActionDef<infer N, infer S> ? { action: N } & S : never;

/**
 * Fields of an injection (from the panel's message or the terminal's words) as ActionFields.
 * `workloads` are the scenario's: the only ones a deploy may name.
 */
export function injectionFields(values: Readonly<Record<string, unknown>>, workloads: readonly ScenarioWorkload[]): ActionFields & { problems: string[] } {
  const problems: string[] = [];
  const f: ActionFields & { problems: string[] } = {
    problems,
    has: (k) => values[k] !== undefined,
    bad: (k, m) => void problems.push(`${k} ${m}`),
    str(k, def) {
      const v = values[k];
      if (v === undefined && def !== undefined) return def;
      if (typeof v !== 'string' || v === '') {
        f.bad(k, 'must be a non-empty string');
        return def ?? '';
      }
      return v;
    },
    num(k, def, min, max) {
      const v = values[k];
      if (v === undefined && def !== undefined) return def;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
        f.bad(k, `must be a number from ${min} to ${max}${v === undefined ? ' (missing)' : ` (got ${JSON.stringify(v)})`}`);
        return def ?? min;
      }
      return v;
    },
    dur(k, def, within) {
      const v = values[k];
      if (v === undefined && def !== undefined) return def;
      const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
      if (ms === undefined) {
        f.bad(k, 'must be a duration such as 200ms, 30s or 5m');
        return def ?? 0;
      }
      const problem = outside(ms / 1000, within);
      if (problem) f.bad(k, problem);
      return ms / 1000;
    },
    workload() {
      const ns = values.namespace;
      const name = values.name;
      const w = workloads.find((x) => x.namespace === ns && x.name === name);
      if (!w) {
        const known = workloads.map((x) => `${x.namespace}/${x.name}`).join(', ');
        problems.push(`no workload '${String(ns ?? '')}/${String(name ?? '')}' in this scenario (${known ? `workloads: ${known}` : 'it has none'})`);
      }
      return w;
    },
  };
  return f;
}

/** A workload named by `namespace` (default `default`) and `name`. */
export function workloadRef(f: ActionFields): { namespace: string; name: string } {
  return { namespace: f.str('namespace', 'default'), name: f.str('name') };
}

/** Why `seconds` is not within [min, max] seconds; undefined when it is. */
export function outside(seconds: number, within: readonly [number, number] | undefined): string | undefined {
  if (!within || (seconds >= within[0] && seconds <= within[1])) return undefined;
  return `must be from ${formatDuration(within[0] * 1000)} to ${formatDuration(within[1] * 1000)} (got ${formatDuration(seconds * 1000)})`;
}
