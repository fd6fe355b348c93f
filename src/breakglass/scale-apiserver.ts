// scale-apiserver: more API server capacity on the control-plane hosts, without the API server.
//
//   action: scale-apiserver
//   hosts: {file: control-plane.txt}    # the control-plane hosts (or, with `clusters:`, from the config)
//   command: mv /etc/kubernetes/standby/kube-apiserver.yaml /etc/kubernetes/manifests/
//   replicas: 5                          # simulation: the replica count to reach
//   user: root
//
// Real: `command` runs on each host over SSH exactly as node-exec runs it (verified host keys,
// bounded concurrency, per-host results, retry of the failed hosts): what starts another
// kube-apiserver there (a standby static-pod manifest moved into place, a systemd unit, a larger
// --max-requests-inflight) is the cluster's own. Simulated: the model's API server replicas are
// scaled to `replicas`; each new replica starts and fills its watch cache before it serves
// (apiServerRestartSeconds), so capacity arrives minutes later — while the offending load, if it
// still runs, fills it again.
import { nodeExec, type NodeExecSpec } from './node-exec';
import { fillInventory, parseInventory } from './inventory';
import { asBody, int, str, unknownFields, duration } from './spec';
import { ActionError, simTargetOf, type ActionContext, type ActionReadiness, type ActionResult, type BreakglassAction, type ParseResult, type RunOptions } from './types';

const NAME = 'scale-apiserver';

/**
 * The preflight path a run needs (its readiness badge). Plain data, exported on its own: readiness.ts
 * imports only this, so the bundler leaves the action's code out of the extension's main bundle.
 */
export const SCALE_APISERVER_READINESS: ActionReadiness = { action: NAME, path: 'controlPlane' };

export interface ScaleApiServerSpec {
  exec?: NodeExecSpec;
  replicas?: number;
}

export function parseScaleApiServer(body: unknown): ParseResult<ScaleApiServerSpec> {
  const problems: string[] = [];
  const b = asBody(body, problems);
  if (!b) return { problems };
  unknownFields(b, ['hosts', 'command', 'replicas', 'user', 'port', 'concurrency', 'timeout'], problems);
  const replicas = int(b, 'replicas', problems, { min: 1, max: 50 });
  const command = str(b, 'command', problems);
  const hosts = b.hosts === undefined ? undefined : parseInventory(b.hosts, 'hosts', problems);
  if (replicas === undefined && command === undefined) problems.push('give `command` (what starts another API server on a control-plane host) and/or `replicas` (the count to reach, for the simulation)');
  if (hosts === undefined && command !== undefined && b.clusters === undefined) problems.push('`hosts` (the control-plane hosts) is required with `command`');
  const user = str(b, 'user', problems);
  const port = int(b, 'port', problems, { min: 1, max: 65535 });
  const concurrency = int(b, 'concurrency', problems, { min: 1, max: 500 }) ?? 10;
  const timeoutMs = duration(b, 'timeout', problems) ?? 60_000;
  if (problems.length) return { problems };
  const exec: NodeExecSpec | undefined = command ? { nodes: hosts, command, user, port, concurrency, timeoutMs } : undefined;
  return { spec: { exec, replicas }, problems };
}

async function sim(spec: ScaleApiServerSpec, ctx: ActionContext, previewOnly: boolean): Promise<ActionResult> {
  const cluster = simTargetOf(ctx);
  if (spec.replicas === undefined) throw new ActionError('simulated mode needs `replicas`: the API server replica count to reach');
  const before = cluster.snapshot().apiserver.replicas;
  const where = `simulated control plane of ${cluster.spec.name}`;
  if (previewOnly || ctx.dryRun) {
    const would = `would scale the API servers of ${where} from ${before} to ${spec.replicas} replicas (new ones serve once started)`;
    const items = [{ id: 'apiserver', ok: true, detail: `${before} -> ${spec.replicas}` }];
    return previewOnly ? { ok: true, summary: would, items } : { ok: true, summary: `dry run: nothing changed; ${would}`, items, dryRun: true };
  }
  if (before === spec.replicas) return { ok: true, summary: `${where}: already ${before} API server replicas`, items: [{ id: 'apiserver', ok: true, unchanged: true, detail: 'no change' }] };
  cluster.scaleApiServers(spec.replicas);
  // One SSH session per host to put the manifest in place.
  const timeline = ctx.sim?.timeline;
  if (timeline) await timeline.until(timeline.now() + 3, ctx.signal);
  return { ok: true, summary: `${where}: API server replicas ${before} -> ${spec.replicas}; new replicas serve once they have started and filled their watch caches`, items: [{ id: 'apiserver', ok: true, detail: `${before} -> ${spec.replicas}` }], simSeconds: 3 };
}

function needExec(spec: ScaleApiServerSpec): NodeExecSpec {
  if (!spec.exec) throw new ActionError('real mode needs `command`: what starts another API server on a control-plane host');
  return spec.exec;
}

export const scaleApiServer: BreakglassAction<ScaleApiServerSpec> = {
  name: NAME,
  title: 'Add API server capacity on the control-plane hosts',
  readiness: SCALE_APISERVER_READINESS,
  forCluster(body, cluster) {
    fillInventory(body, 'hosts', cluster.controlPlane);
  },
  parse: parseScaleApiServer,
  where(spec, ctx) {
    if (ctx.mode === 'sim') return [`the API servers of the simulated cluster ${ctx.sim?.cluster.spec.name ?? '?'}`];
    return spec.exec ? nodeExec.where(spec.exec, ctx).map((w) => w.replace(/^nodes:/, 'control-plane hosts:')) : ['no command to run'];
  },
  preview(spec, ctx) {
    return ctx.mode === 'sim' ? sim(spec, ctx, true) : nodeExec.preview(needExec(spec), ctx);
  },
  run(spec, ctx, opts: RunOptions = {}) {
    if (ctx.mode === 'sim') return sim(spec, ctx, false);
    return nodeExec.run(needExec(spec), ctx, opts);
  },
};
