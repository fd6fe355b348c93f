// The contract of break-glass actions: typed operations that go around a saturated API server
// (etcd directly, the nodes over SSH, firewall rules on the control-plane hosts, the exempt
// priority level). Each action has a real implementation and a simulated one (against the
// cluster model) behind the same interface; the runbook engine only sees this file.
import type { SimTarget } from '../sim/types';
import type { Body } from './spec';

/** Where etcd is and how to authenticate; defaults come from etcdctl's own environment. */
export interface EtcdSettings {
  /** Client URLs (ETCDCTL_ENDPOINTS, comma-separated). */
  endpoints?: string[];
  /** CA bundle file (ETCDCTL_CACERT). */
  cacert?: string;
  /** Client certificate file (ETCDCTL_CERT). */
  cert?: string;
  /** Client key file (ETCDCTL_KEY). */
  key?: string;
  /** ETCDCTL_USER as user:password, or user with ETCDCTL_PASSWORD. */
  user?: string;
  password?: string;
  /**
   * Send the user and password even to an http:// endpoint, where anyone on the path can read
   * them. Without it, credentials and an http:// endpoint are refused before connecting.
   */
  allowPlaintextCredentials?: boolean;
  /** Connect and per-call deadline (default 3000 ms; ETCDCTL_DIAL_TIMEOUT / ETCDCTL_COMMAND_TIMEOUT). */
  timeoutMs?: number;
}

/** How to reach nodes over SSH; defaults come from the environment (see ssh.ts). */
export interface SshSettings {
  user?: string;
  port?: number;
  /** Private key file (BREAKGLASS_SSH_KEY; else the agent, else ~/.ssh/id_*). */
  identityFile?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK). */
  agentSocket?: string;
  /** known_hosts file (BREAKGLASS_KNOWN_HOSTS; else ~/.ssh/known_hosts). */
  knownHostsFile?: string;
  /** TCP connect + handshake + authentication deadline (default 10 s). */
  connectTimeoutMs?: number;
}

/** The kubeconfig that holds the break-glass context (default: $KUBECONFIG or ~/.kube/config). */
export interface KubeSettings {
  kubeconfig?: string;
}

/** Where a node inventory comes from (inventory.ts reads it): a file, a command's output, a range, a list. */
export type InventorySource = { file: string } | { command: string } | { range: string } | { hosts: string[] };

/** The break-glass paths of a cluster that `breakglass preflight` proves (preflight.ts). */
export type PathName = 'etcd' | 'nodes' | 'controlPlane' | 'breakglass';

/** An SSH path of a cluster's config entry: the hosts, and how to log in and what proves it works. */
export interface PreflightSshPath {
  inventory: InventorySource;
  user?: string;
  port?: number;
  sample: number;
  check: string;
}

/** One cluster's entry of the clusters' config (the preflight config, preflight.ts). */
export interface PreflightCluster {
  name: string;
  etcd?: { settings: EtcdSettings; env?: Record<string, string> };
  nodes?: PreflightSshPath;
  controlPlane?: PreflightSshPath;
  breakglass?: { kubeconfig?: string; context: string };
}

/** Simulated time: how a simulated action lets the cluster's clock move. */
export interface SimTimeline {
  /** Simulated seconds now. */
  now(): number;
  /**
   * Resolves once simulated time reached `t`. A headless driver steps the simulation itself; a
   * served one waits for its clock. Rejects when `signal` aborts.
   */
  until(t: number, signal: AbortSignal): Promise<void>;
}

export interface Progress {
  done: number;
  total: number;
  failed: number;
  current?: string;
}

export interface ActionContext {
  mode: 'sim' | 'real';
  /** Folder of the runbook: relative inventory files are read from here. */
  runbookDir: string;
  /** Environment the real implementations read their defaults from (etcdctl, SSH agent, …). */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Preview only: nothing is changed (run() answers what it would do). */
  dryRun: boolean;
  log(line: string): void;
  progress?(p: Progress): void;
  /** Overrides of the environment (from the preflight config or the extension's settings). */
  settings?: { etcd?: EtcdSettings; ssh?: SshSettings; kube?: KubeSettings };
  /** Simulated mode: the cluster the actions act on, and how its time moves. */
  sim?: { cluster: SimTarget; timeline?: SimTimeline };
}

export interface ActionItem {
  /** Stable id (an etcd key, a node, a host): `only` in run() takes these. */
  id: string;
  ok: boolean;
  detail: string;
  /** Nothing needed changing (an idempotent command printed nothing, a rule already there). */
  unchanged?: boolean;
}

export interface ActionResult {
  ok: boolean;
  /** The whole outcome in one sentence (the step's output, the journal, the report). */
  summary: string;
  /**
   * The outcome in a few words, counts first ("5000 agents stopped in 54 s", "5001 keys deleted"),
   * for a table cell; summary has the rest. Absent: views count the items.
   */
  brief?: string;
  /** A dry run's answer: nothing was changed; items are what a run would act on. */
  dryRun?: boolean;
  items: ActionItem[];
  /**
   * What preview() found, for run() to act on exactly that (etcd-delete: the keys and their mod
   * revisions). Plain JSON: it may be journaled and handed back.
   */
  plan?: unknown;
  /** Simulated seconds the action took (simulated mode). */
  simSeconds?: number;
}

export interface RunOptions {
  /** Act only on these item ids (retry the failed ones). */
  only?: string[];
  /** The plan of an earlier preview() of the same spec; run() acts on exactly that. */
  plan?: unknown;
}

export interface ParseResult<S> {
  spec?: S;
  problems: string[];
}

/**
 * The preflight path a run of an action needs: its readiness badge is that path's last result on
 * the clusters the step acts on (readiness.ts).
 */
export interface ActionReadiness {
  readonly action: string;
  readonly path: PathName;
}

export interface BreakglassAction<S> {
  readonly name: string;
  readonly title: string;
  /**
   * The preflight path a run needs. Each action file exports it as a constant of its own, which
   * readiness.ts (in the extension's main bundle, for the badges) imports without the action's code.
   */
  readonly readiness: ActionReadiness;
  /**
   * Real mode, a step across clusters: fills in what the step's body leaves out (a node inventory,
   * the control-plane hosts, the break-glass context) from the cluster's config entry, whose
   * inventory files are already absolute. `body` is this cluster's own copy.
   */
  forCluster?(body: Body, cluster: PreflightCluster): void;
  /**
   * Simulated mode, a tabletop's clusters: this cluster's body, or undefined when the step's own
   * body serves every cluster.
   */
  simBody?(body: Body, cluster: string): Body | undefined;
  /** Validates a step body (the YAML mapping, `action` included). */
  parse(body: unknown): ParseResult<S>;
  /**
   * What the action would act on, in words, without connecting to anything (etcd endpoints and
   * where they come from, a node inventory, a context): shown in the confirmation a person answers
   * before a real run, and journaled with the answer.
   */
  where(spec: S, ctx: ActionContext): string[];
  /** What run() would do; never changes anything. */
  preview(spec: S, ctx: ActionContext): Promise<ActionResult>;
  run(spec: S, ctx: ActionContext, opts?: RunOptions): Promise<ActionResult>;
}

/** An error whose message is meant for the person running the runbook as it is. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

/** The simulated cluster a simulated action acts on. */
export function simTargetOf(ctx: ActionContext): SimTarget {
  if (!ctx.sim?.cluster) throw new ActionError('simulated mode needs a cluster model (ctx.sim.cluster)');
  return ctx.sim.cluster;
}
