// node-exec: one command on many nodes over SSH, with a node inventory that does not need the
// API server.
//
//   action: node-exec
//   nodes: {file: nodes.txt}          # or {command: "…"}, {range: 10.0.0.1-10.0.0.50}, [a, b, …]
//   user: root
//   command: crictl ps -q --name telemetry-agent | xargs -r crictl stop
//   concurrency: 200                  # default 50
//   port: 22
//   timeout: 60s                      # per node
//   workload: monitoring/telemetry-agent   # simulation: the agent the command stops
//
// Idempotent commands are the author's job; a node where the command exits 0 and prints nothing
// is reported as "no change". run(spec, ctx, {only}) retries just the listed nodes.
//
// Simulated: the nodes are the model's nodes (node-00001…). Each session takes a few simulated
// seconds (simtime.ts); as nodes finish, their agents stop — through the model's
// stopAgentsOn(namespace, name, nodes).
import { simNodeName } from '../sim/podNames';
import { describeInventory, fillInventory, parseInventory, resolveInventory, type InventorySource, type NodeAddress } from './inventory';
import { clockTimeline, scheduleSessions, simSessionSeconds } from './simtime';
import { asBody, duration, int, str, unknownFields, workloadRef } from './spec';
import { DEFAULT_CONCURRENCY, DEFAULT_NODE_TIMEOUT_MS, MAX_CONCURRENCY, fanOut, sshAuth, type NodeResult } from './ssh';
import { ActionError, simTargetOf, type ActionContext, type ActionReadiness, type ActionItem, type ActionResult, type BreakglassAction, type ParseResult, type RunOptions } from './types';

const NAME = 'node-exec';

/**
 * The preflight path a run needs (its readiness badge). Plain data, exported on its own: readiness.ts
 * imports only this, so the bundler leaves the action's code out of the extension's main bundle.
 */
export const NODE_EXEC_READINESS: ActionReadiness = { action: NAME, path: 'nodes' };

export interface NodeExecSpec {
  /** Absent in a multi-cluster step: each cluster's inventory comes from its configuration. */
  nodes?: InventorySource;
  command: string;
  user?: string;
  concurrency: number;
  port?: number;
  timeoutMs: number;
  /** Simulation: the workload whose agents the command stops. */
  workload?: { namespace: string; name: string };
}

export function parseNodeExec(body: unknown): ParseResult<NodeExecSpec> {
  const problems: string[] = [];
  const b = asBody(body, problems);
  if (!b) return { problems };
  unknownFields(b, ['nodes', 'command', 'user', 'concurrency', 'port', 'timeout', 'workload'], problems);
  const nodes =
    b.nodes === undefined
      ? b.clusters === undefined
        ? (problems.push('`nodes` is required: {file: nodes.txt}, {command: "…"}, {range: "10.0.0.1-10.0.0.50"} or a list (a step with `clusters:` may take each cluster\'s from its configuration)'), undefined)
        : undefined
      : parseInventory(b.nodes, 'nodes', problems);
  const command = str(b, 'command', problems, { required: true });
  const user = str(b, 'user', problems);
  const concurrency = int(b, 'concurrency', problems, { min: 1, max: MAX_CONCURRENCY }) ?? DEFAULT_CONCURRENCY;
  const port = int(b, 'port', problems, { min: 1, max: 65535 });
  const timeoutMs = duration(b, 'timeout', problems) ?? DEFAULT_NODE_TIMEOUT_MS;
  const workload = workloadRef(b, 'workload', problems);
  if (problems.length || (!nodes && b.clusters === undefined) || !command) return { problems };
  return { spec: { nodes, command, user, concurrency, port, timeoutMs, workload }, problems };
}

/** Per-node results as action items (stdout tail for changes, the reason for failures). */
export function nodeItems(results: NodeResult[]): ActionItem[] {
  return results.map((r) => {
    if (!r.ok) return { id: r.id, ok: false, detail: r.reason ?? 'failed' };
    const last = r.stdoutTail.trim().split('\n').slice(-3).join(' | ');
    return r.unchanged ? { id: r.id, ok: true, unchanged: true, detail: 'exit 0, no change' } : { id: r.id, ok: true, detail: `exit 0: ${last.slice(0, 300)}` };
  });
}

export function fanOutSummary(results: NodeResult[], what: string, seconds: number): string {
  const failed = results.filter((r) => !r.ok).length;
  const unchanged = results.filter((r) => r.ok && r.unchanged).length;
  const changed = results.length - failed - unchanged;
  return `${what}: ${results.length} node(s) in ${seconds.toFixed(1)} s: ${changed} changed, ${unchanged} no change, ${failed} failed`;
}

// ---- real ---------------------------------------------------------------------------------------

export async function selectNodes(src: InventorySource | undefined, ctx: ActionContext, only?: string[]): Promise<NodeAddress[]> {
  if (!src) throw new ActionError('no inventory: give it in the step, or in this cluster\'s entry of the clusters\' configuration (nodes.inventory / controlPlane.inventory)');
  const all = await resolveInventory(src, { runbookDir: ctx.runbookDir, env: ctx.env, signal: ctx.signal });
  if (!all.length) throw new ActionError(`the inventory (${describeInventory(src)}) lists no nodes`);
  if (!only) return all;
  const want = new Set(only);
  const picked = all.filter((n) => want.has(n.id));
  const unknown = only.filter((id) => !all.some((n) => n.id === id));
  if (unknown.length) throw new ActionError(`not in the inventory: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`);
  return picked;
}

async function realPreview(spec: NodeExecSpec, ctx: ActionContext): Promise<ActionResult> {
  const nodes = await selectNodes(spec.nodes, ctx);
  const auth = sshAuth(ctx.env, ctx.settings?.ssh, { user: spec.user, port: spec.port });
  return {
    ok: true,
    summary: `would run \`${spec.command}\` as ${auth.user} on ${nodes.length} node(s) from ${describeInventory(spec.nodes!)}, ${Math.min(spec.concurrency, nodes.length)} at a time, ${auth.describe}`,
    brief: `${nodes.length} node(s), ${Math.min(spec.concurrency, nodes.length)} at a time`,
    items: nodes.map((n) => ({ id: n.id, ok: true, detail: 'to run' })),
  };
}

async function realRun(spec: NodeExecSpec, ctx: ActionContext, opts: RunOptions): Promise<ActionResult> {
  if (ctx.dryRun) {
    const p = await realPreview(spec, ctx);
    return { ...p, summary: `dry run: nothing run; ${p.summary}`, brief: `would run on ${p.brief}`, dryRun: true };
  }
  const nodes = await selectNodes(spec.nodes, ctx, opts.only);
  const auth = sshAuth(ctx.env, ctx.settings?.ssh, { user: spec.user, port: spec.port });
  ctx.log(`node-exec: ${nodes.length} node(s), ${Math.min(spec.concurrency, nodes.length)} at a time, as ${auth.user} (${auth.describe})`);
  const t0 = performance.now();
  const results = await fanOut(nodes, spec.command, auth, {
    concurrency: spec.concurrency,
    timeoutMs: spec.timeoutMs,
    signal: ctx.signal,
    progress: ctx.progress,
    onResult: (r) => {
      if (!r.ok) ctx.log(`${r.id}: ${r.reason}`);
    },
  });
  const summary = fanOutSummary(results, 'node-exec', (performance.now() - t0) / 1000);
  return { ok: results.every((r) => r.ok), summary, items: nodeItems(results) };
}

// ---- simulated ----------------------------------------------------------------------------------


export interface SimFanOutPlan {
  ids: string[];
  /** Finish time of each node, simulated seconds from the start. */
  finish: Float64Array;
  seconds: number;
}

/** The model's nodes (or the `only` ones) and when each session finishes at this concurrency. */
export function simFanOut(total: number, concurrency: number, only?: string[], salt = 0): SimFanOutPlan {
  let idx: number[];
  if (only) {
    const want = new Set(only);
    idx = [];
    for (let i = 0; i < total; i++) if (want.has(simNodeName(i, total))) idx.push(i);
  } else idx = Array.from({ length: total }, (_, i) => i);
  const finish = scheduleSessions(idx.length, concurrency, (k) => simSessionSeconds(idx[k], salt));
  let seconds = 0;
  for (const f of finish) seconds = Math.max(seconds, f);
  return { ids: idx.map((i) => simNodeName(i, total)), finish, seconds };
}

/** What a simulated run would do: the preview, and (nothing run) a dry run's answer. */
function simPlanResult(spec: NodeExecSpec, plan: SimFanOutPlan): ActionResult {
  const n = plan.ids.length;
  const at = Math.min(spec.concurrency, n);
  const seconds = plan.seconds.toFixed(0);
  return {
    ok: true,
    summary: `would run \`${spec.command}\` on ${n} simulated node(s), ${at} at a time: about ${seconds} simulated seconds`,
    brief: `${n} node(s), ${at} at a time, about ${seconds} s`,
    items: plan.ids.map((id) => ({ id, ok: true, detail: 'to run' })),
    simSeconds: plan.seconds,
  };
}

async function simRun(spec: NodeExecSpec, ctx: ActionContext, opts: RunOptions, previewOnly = false): Promise<ActionResult> {
  const cluster = simTargetOf(ctx);
  const total = cluster.spec.nodes;
  const plan = simFanOut(total, spec.concurrency, opts.only);
  const key = spec.workload ? `${spec.workload.namespace}/${spec.workload.name}` : undefined;
  if (spec.workload && !(key! in cluster.snapshot().workloadPods)) throw new ActionError(`no workload ${key} in the simulated cluster ${cluster.spec.name}`);
  if (previewOnly) return simPlanResult(spec, plan);
  if (ctx.dryRun) {
    const p = simPlanResult(spec, plan);
    return { ...p, summary: `dry run: nothing run; ${p.summary}`, brief: `would run on ${p.brief}`, dryRun: true };
  }
  const timeline = ctx.sim?.timeline ?? clockTimeline(cluster);
  const start = timeline.now();
  const runningAtStart = key ? (cluster.snapshot().workloadPods[key] ?? 0) : 0;
  // Nodes that still have a running agent: the first `runningAtStart` of the model's nodes.
  const hadAgent = (id: string): boolean => Number(id.slice(5)) <= runningAtStart;
  const order = Array.from(plan.ids.keys()).sort((a, b) => plan.finish[a] - plan.finish[b]);
  const items: ActionItem[] = plan.ids.map((id) => ({ id, ok: false, detail: 'cancelled: not attempted' }));
  let done = 0;
  let stoppedSoFar = 0;
  let k = 0;
  try {
    // Whole simulated seconds: the nodes that finished by then take effect together.
    for (let sec = 1; k < order.length; sec++) {
      await timeline.until(start + sec, ctx.signal);
      let batch = 0;
      while (k < order.length && plan.finish[order[k]] <= sec) {
        const i = order[k++];
        const id = plan.ids[i];
        const changed = key !== undefined && hadAgent(id);
        items[i] = changed ? { id, ok: true, detail: `exit 0: stopped ${spec.workload!.name}` } : { id, ok: true, unchanged: true, detail: 'exit 0, no change' };
        // The agent is stopped (or kept from starting) on every node the command ran on.
        batch++;
        done++;
      }
      // The model says how many of those nodes had an agent running.
      if (batch && key) stoppedSoFar += cluster.stopAgentsOn(spec.workload!.namespace, spec.workload!.name, batch);
      ctx.progress?.({ done, total: plan.ids.length, failed: 0, current: k > 0 ? plan.ids[order[k - 1]] : undefined });
    }
  } catch (e) {
    if ((e as Error).message !== 'cancelled') throw e;
  }
  const simSeconds = timeline.now() - start;
  const failed = items.filter((i) => !i.ok).length;
  const unchanged = items.filter((i) => i.ok && i.unchanged).length;
  const summary = `node-exec (simulated): ${plan.ids.length} node(s) at concurrency ${spec.concurrency} in ${simSeconds.toFixed(0)} simulated seconds: ${done - unchanged} changed, ${unchanged} no change, ${failed} not attempted${key ? `; ${stoppedSoFar} agent(s) of ${key} stopped` : ''}`;
  const counts = key ? `${stoppedSoFar} agent(s) stopped` : `${done - unchanged} changed, ${unchanged} no change`;
  const brief = `${counts}${failed ? `, ${failed} not attempted` : ''} in ${simSeconds.toFixed(0)} s`;
  return { ok: failed === 0, summary, brief, items, simSeconds };
}

export const nodeExec: BreakglassAction<NodeExecSpec> = {
  name: NAME,
  title: 'Run a command on nodes over SSH',
  readiness: NODE_EXEC_READINESS,
  forCluster(body, cluster) {
    fillInventory(body, 'nodes', cluster.nodes);
  },
  parse: parseNodeExec,
  where(spec, ctx) {
    if (ctx.mode === 'sim') return [`the nodes of the simulated cluster ${ctx.sim?.cluster.spec.name ?? '?'}`];
    return [`nodes: ${spec.nodes ? describeInventory(spec.nodes) : 'none given'}, over SSH as ${spec.user ?? ctx.settings?.ssh?.user ?? 'the default user'}`];
  },
  async preview(spec, ctx) {
    if (ctx.mode === 'sim') return simRun(spec, ctx, {}, true);
    return realPreview(spec, ctx);
  },
  run(spec, ctx, opts = {}) {
    return ctx.mode === 'sim' ? simRun(spec, ctx, opts) : realRun(spec, ctx, opts);
  },
};
