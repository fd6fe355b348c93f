// Break-glass readiness: which preflight path each ```breakglass step needs, and whether the last
// preflight proved that path for the clusters the step acts on. Plain data in and out (no
// vscode): `Breakglass: Check Break-Glass Readiness` (src/views/readiness.ts) runs the preflight
// and journals it, the Runbook view draws one badge per step.
//
//   etcd-delete → etcd · node-exec → nodes · network-block, scale-apiserver → controlPlane ·
//   exempt-request → breakglass   (each action's file says which: ACTION_READINESS below)
//
// A step's clusters: `clusters: [names]` in its body, or `'*'`; without one, every cluster of the
// preflight config. A badge is `ready` when every one of them passed, `not-ready` (with the
// failures) when one failed, and `not-checked` when there is no result yet, the preflight could not
// run, or a cluster (or its path) is not in the config.
import { basename } from 'node:path';
import { Masker, maskEnvSecrets } from '../common/mask';
import { ETCD_DELETE_READINESS } from './etcd-delete';
import { EXEMPT_REQUEST_READINESS } from './exempt-request';
import { NETWORK_BLOCK_READINESS } from './network-block';
import { NODE_EXEC_READINESS } from './node-exec';
import { LABEL, type PathResult, type PreflightConfig } from './preflight';
import { SCALE_APISERVER_READINESS } from './scale-apiserver';
import { stepClusters } from './step-clusters';
import type { ActionReadiness, PathName } from './types';

/**
 * The preflight path each break-glass action needs, as each action's file declares it. The
 * readiness constants alone, not the registry: the badges are drawn by the extension's main bundle,
 * which must not load the actions' code (dist/breakglass.js). The registry's unit test checks that
 * this list holds exactly the registered actions' readiness constants (registryProblems).
 */
export const ACTION_READINESS: readonly ActionReadiness[] = [ETCD_DELETE_READINESS, NODE_EXEC_READINESS, NETWORK_BLOCK_READINESS, EXEMPT_REQUEST_READINESS, SCALE_APISERVER_READINESS];

export interface ReadinessCheck {
  path: PathName;
  ok: boolean;
  /** Masked. */
  detail: string;
  ms: number;
  hosts?: { id: string; ok: boolean; detail: string }[];
}

/** The outcome of one readiness check (one preflight run), or why it could not run. */
export interface Readiness {
  /** When it finished, ms since the epoch. */
  at: number;
  /** The preflight config file. */
  config: string;
  /** Every cluster of the config, in its order, with the paths checked. */
  clusters: { name: string; checks: ReadinessCheck[] }[];
  /** The preflight did not run (config missing or invalid): nothing was checked. */
  error?: string;
  /** The journal the result was written to. */
  journal?: string;
}

export type ReadinessStatus = 'ready' | 'not-ready' | 'not-checked';

/** What a step card shows. */
export interface ReadinessBadge {
  status: ReadinessStatus;
  /** Why it is not ready or not checked, in words. */
  reason?: string;
  /** When the result it reflects was taken (ms since the epoch). */
  checkedAt?: number;
}

/** What readiness reads of a runbook step (src/runbook/model.ts, Step): its kind and parsed body. */
export interface StepLike {
  kind: string;
  spec?: unknown;
}

/** What a ```breakglass step needs proved: one path, on some clusters. */
export interface StepNeed {
  action: string;
  path: PathName;
  /** Cluster names; `*` or undefined: every cluster of the preflight config. */
  clusters?: '*' | string[];
  /** The step's `clusters` field is malformed. */
  problem?: string;
}

/** The path a ```breakglass step needs, or undefined (not a break-glass step, no known action). */
export function stepNeed(step: StepLike): StepNeed | undefined {
  if (step.kind !== 'breakglass' || typeof step.spec !== 'object' || step.spec === null) return undefined;
  const action = (step.spec as Record<string, unknown>).action;
  const known = ACTION_READINESS.find((r) => r.action === action);
  if (!known) return undefined;
  const need: StepNeed = { action: known.action, path: known.path };
  const c = stepClusters(step.spec);
  if (c === '*' || Array.isArray(c)) need.clusters = c;
  else if (typeof c === 'string') need.problem = c;
  return need;
}

/** Reasons longer than this are cut (the full details are in the journal). */
export const MAX_REASON = 2000;

function clip(s: string): string {
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s;
}

/** The badge for one need against the last readiness result (undefined: never checked). */
export function readinessBadge(need: StepNeed, r: Readiness | undefined): ReadinessBadge {
  const b = badge(need, r);
  if (b.reason !== undefined) b.reason = clip(b.reason);
  return b;
}

function badge(need: StepNeed, r: Readiness | undefined): ReadinessBadge {
  if (need.problem) return { status: 'not-checked', reason: need.problem };
  if (!r) return { status: 'not-checked' };
  if (r.error !== undefined) return { status: 'not-checked', reason: r.error, checkedAt: r.at };
  const file = basename(r.config);
  const names = need.clusters === undefined || need.clusters === '*' ? r.clusters.map((c) => c.name) : need.clusters;
  if (!names.length) return { status: 'not-checked', reason: `${file} lists no cluster`, checkedAt: r.at };
  const failed: string[] = [];
  const unchecked: string[] = [];
  for (const name of names) {
    const c = r.clusters.find((x) => x.name === name);
    const check = c?.checks.find((x) => x.path === need.path);
    if (!c) unchecked.push(`cluster ${name} is not in ${file}`);
    else if (!check) unchecked.push(`${name} has no ${need.path} path in ${file}`);
    else if (!check.ok) failed.push(`${name} ${LABEL[need.path]}: ${check.detail}`);
  }
  if (failed.length) return { status: 'not-ready', reason: [...failed, ...unchecked].join('; '), checkedAt: r.at };
  if (unchecked.length) return { status: 'not-checked', reason: unchecked.join('; '), checkedAt: r.at };
  return { status: 'ready', checkedAt: r.at };
}

/** Badges of every ```breakglass step with a known action, by step id. */
export function readinessBadges(steps: readonly (StepLike & { id: string })[], r: Readiness | undefined): Record<string, ReadinessBadge> {
  const out: Record<string, ReadinessBadge> = {};
  for (const s of steps) {
    const need = stepNeed(s);
    if (need) Object.defineProperty(out, s.id, { value: readinessBadge(need, r), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Values that must never reach the journal or the view: secret-named variables of the
 * environment and of each cluster's etcd `env`, and the password of an etcd `user:password`.
 */
export function preflightSecrets(cfg: PreflightConfig, env: NodeJS.ProcessEnv): string[] {
  const out = new Set(maskEnvSecrets(env));
  const password = (user: string | undefined): void => {
    const i = user?.indexOf(':') ?? -1;
    if (user && i >= 0) out.add(user.slice(i + 1));
  };
  password(env.ETCDCTL_USER);
  for (const c of cfg.clusters) {
    if (!c.etcd) continue;
    for (const v of maskEnvSecrets(c.etcd.env ?? {})) out.add(v);
    password(c.etcd.env?.ETCDCTL_USER);
    password(c.etcd.settings.user);
  }
  return [...out];
}

/** Preflight results grouped per cluster in the config's order, details masked. */
export function readinessFromResults(cfg: PreflightConfig, results: PathResult[], at: number, masker: Masker): Readiness {
  return {
    at,
    config: cfg.file,
    clusters: cfg.clusters.map((c) => ({
      name: c.name,
      checks: results
        .filter((x) => x.cluster === c.name)
        .map((x) => {
          const check: ReadinessCheck = { path: x.path, ok: x.ok, detail: masker.mask(x.detail), ms: x.ms };
          if (x.hosts) check.hosts = x.hosts.map((h) => ({ id: h.id, ok: h.ok, detail: masker.mask(h.detail) }));
          return check;
        }),
    })),
  };
}

/**
 * One readiness check of every configured break-glass path (`Breakglass: Check Break-Glass
 * Readiness`, the preflight run in VS Code), alone in its own journal (preflight-<start>.jsonl);
 * one of the journal's events (src/runbook/events.ts). Details are masked.
 */
export interface PreflightEvent {
  type: 'preflight';
  /** ISO-8601 time the check finished. */
  t: string;
  user: string;
  host: string;
  via: 'vscode' | 'cli';
  /** The preflight config file. */
  config: string;
  /** Every configured path passed. */
  ok: boolean;
  clusters: {
    name: string;
    checks: {
      path: PathName;
      ok: boolean;
      detail: string;
      ms: number;
      /** Per host (SSH paths). */
      hosts?: { id: string; ok: boolean; detail: string }[];
    }[];
  }[];
}

/** The journal event of a readiness result (its details are already masked). */
export function preflightEvent(r: Readiness, who: { user: string; host: string; via: PreflightEvent['via'] }): PreflightEvent {
  return {
    type: 'preflight',
    t: new Date(r.at).toISOString(),
    user: who.user,
    host: who.host,
    via: who.via,
    config: r.config,
    ok: r.clusters.every((c) => c.checks.every((k) => k.ok)),
    clusters: r.clusters.map((c) => ({ name: c.name, checks: c.checks.map((k) => ({ ...k })) })),
  };
}
