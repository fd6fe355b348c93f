// exempt-request: one Kubernetes request through a break-glass context — one whose requests the
// API server's Priority and Fairness exempts (group system:masters, or a FlowSchema that maps it
// to the `exempt` level) — with a short deadline, verified to land in the exempt level.
//
//   action: exempt-request
//   context: prod-east-breakglass
//   verb: delete                 # get | delete
//   resource: daemonsets         # or path: /apis/apps/v1/namespaces/monitoring/daemonsets/telemetry-agent
//   namespace: monitoring
//   name: telemetry-agent
//   timeout: 10s
//   propagationPolicy: Background   # delete only
//   requireExempt: true          # default: send nothing but the check unless the context is exempt
//
// The kubeconfig is ctx.settings.kube.kubeconfig, else $KUBECONFIG, else ~/.kube/config. First a
// GET of the `exempt` PriorityLevelConfiguration through the context: its UID must equal the
// X-Kubernetes-PF-PriorityLevel-UID header of that response; then the request, whose own header
// is checked too. Dry-run sends the DELETE with dryRun=All. In simulated mode the kubeconfig is
// the one `breakglass sim serve` wrote, and a context missing from it means `sim-breakglass`.
import { breakglassContextOf } from '../cluster/breakglass-context';
import { BREAKGLASS_CONTEXT } from '../sim/server/kubeconfig';
import { PL_UID_HEADER, checkExempt, header, kubeTarget, kubeconfigPath, resourcePath, type KubeTarget } from './kube';
import { asBody, bool, duration, str, unknownFields } from './spec';
import { ActionError, type ActionContext, type ActionReadiness, type ActionItem, type ActionResult, type BreakglassAction, type ParseResult } from './types';

const NAME = 'exempt-request';

/**
 * The preflight path a run needs (its readiness badge). Plain data, exported on its own: readiness.ts
 * imports only this, so the bundler leaves the action's code out of the extension's main bundle.
 */
export const EXEMPT_REQUEST_READINESS: ActionReadiness = { action: NAME, path: 'breakglass' };

export interface ExemptRequestSpec {
  context: string;
  verb: 'get' | 'delete';
  path: string;
  timeoutMs: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  requireExempt: boolean;
}

export const DEFAULT_EXEMPT_TIMEOUT_MS = 10_000;

export function parseExemptRequest(body: unknown): ParseResult<ExemptRequestSpec> {
  const problems: string[] = [];
  const b = asBody(body, problems);
  if (!b) return { problems };
  unknownFields(b, ['context', 'verb', 'path', 'resource', 'namespace', 'name', 'timeout', 'propagationPolicy', 'requireExempt'], problems);
  const context = str(b, 'context', problems, { required: b.clusters === undefined });
  const verb = (str(b, 'verb', problems) ?? 'get').toLowerCase();
  if (verb !== 'get' && verb !== 'delete') problems.push('`verb` must be get or delete');
  let path = str(b, 'path', problems);
  const resource = str(b, 'resource', problems);
  const namespace = str(b, 'namespace', problems);
  const name = str(b, 'name', problems);
  if (path && resource) problems.push('give `path` or `resource` (with namespace and name), not both');
  if (path && !/^\/(api|apis)\/[\w./-]+$/.test(path)) problems.push('`path` must be an API path such as /apis/apps/v1/namespaces/monitoring/daemonsets/telemetry-agent');
  if (!path && resource) {
    try {
      path = resourcePath(resource, namespace, name);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (!path && !resource) problems.push('give `path`, or `resource` with `namespace` and `name`');
  if (verb === 'delete' && path && !resource && path.split('/').length < 5) problems.push('a delete needs the path of one object');
  if (verb === 'delete' && resource && !name) problems.push('a delete needs `name`');
  const timeoutMs = duration(b, 'timeout', problems) ?? DEFAULT_EXEMPT_TIMEOUT_MS;
  const pp = str(b, 'propagationPolicy', problems);
  if (pp !== undefined && !['Background', 'Foreground', 'Orphan'].includes(pp)) problems.push('`propagationPolicy` must be Background, Foreground or Orphan');
  const requireExempt = bool(b, 'requireExempt', problems) ?? true;
  if (problems.length || !path) return { problems };
  return { spec: { context: context ?? '', verb: verb as 'get' | 'delete', path, timeoutMs, propagationPolicy: pp as ExemptRequestSpec['propagationPolicy'], requireExempt }, problems };
}

async function open(spec: ExemptRequestSpec, ctx: ActionContext): Promise<KubeTarget> {
  const file = kubeconfigPath(ctx.env, ctx.settings?.kube?.kubeconfig);
  if (!spec.context && ctx.mode === 'real') throw new ActionError("no break-glass context: give `context` in the step, or this cluster's `breakglass.context` in the clusters' configuration");
  if (ctx.mode === 'sim') {
    try {
      return await kubeTarget(file, spec.context);
    } catch (e) {
      if (!/is not in/.test((e as Error).message)) throw e;
      ctx.log(`simulated mode: context '${spec.context}' is not in ${file}; using ${BREAKGLASS_CONTEXT}`);
      return kubeTarget(file, BREAKGLASS_CONTEXT);
    }
  }
  return kubeTarget(file, spec.context);
}

async function exec(spec: ExemptRequestSpec, ctx: ActionContext, previewOnly: boolean): Promise<ActionResult> {
  const t = await open(spec, ctx);
  const o = { timeoutMs: spec.timeoutMs, signal: ctx.signal };
  const check = await checkExempt(t, o);
  const items: ActionItem[] = [{ id: 'exempt-level', ok: check.verified, detail: check.detail }];
  ctx.log(`${t.context} @ ${t.server}: ${check.detail} (${Math.round(check.ms)} ms)`);
  const mutating = spec.verb === 'delete';
  if (!check.verified && spec.requireExempt && mutating) {
    return { ok: false, summary: `not sent: ${check.detail}`, items: [...items, { id: 'request', ok: false, detail: 'not sent (requireExempt)' }] };
  }
  let method: 'GET' | 'DELETE' = spec.verb === 'get' ? 'GET' : 'DELETE';
  let path = spec.path;
  let body: unknown;
  const dry = previewOnly || ctx.dryRun;
  if (mutating) {
    if (dry && previewOnly) method = 'GET'; // preview: does the object exist?
    else if (dry) path += `${path.includes('?') ? '&' : '?'}dryRun=All`;
    if (method === 'DELETE') body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: spec.propagationPolicy ?? 'Background', ...(dry ? { dryRun: ['All'] } : {}) };
  }
  const r = await t.request(method, path, { ...o, body });
  const landed = header(r.headers, PL_UID_HEADER);
  const sameLevel = check.exemptUid !== undefined && landed === check.exemptUid;
  let ok = r.status >= 200 && r.status < 300;
  let detail = `${method} ${path}: HTTP ${r.status} in ${Math.round(r.ms)} ms; priority level uid ${landed ?? '(none)'}${sameLevel ? ' (exempt)' : ''}`;
  let unchanged = false;
  if (r.status === 404 && mutating) {
    ok = true;
    unchanged = true;
    detail += previewOnly ? ': not found, nothing to delete' : ': already gone';
  } else if (!ok) detail += `: ${statusMessage(r.body)}`;
  items.push({ id: 'request', ok, detail, unchanged });
  if (check.exemptUid) items.push({ id: 'request-level', ok: sameLevel, detail: sameLevel ? 'the request itself landed in the exempt level' : `the request landed in priority level uid ${landed ?? '(none)'}, not exempt` });
  const allOk = items.every((i) => i.ok);
  const verb = previewOnly ? (mutating ? `would ${spec.verb}` : 'read') : dry ? `dry-run ${spec.verb}` : spec.verb;
  const summary = `${verb} ${spec.path} through '${t.context}': HTTP ${r.status}${unchanged ? ' (already gone)' : ''}; ${check.verified && sameLevel ? 'exempt level verified' : 'exempt level NOT verified'}`;
  return { ok: allOk, summary, items, ...(dry && !previewOnly ? { dryRun: true } : {}) };
}

function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string };
    return s.message ?? s.reason ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

export const exemptRequest: BreakglassAction<ExemptRequestSpec> = {
  name: NAME,
  title: 'One request through the break-glass (exempt) context',
  readiness: EXEMPT_REQUEST_READINESS,
  forCluster(body, cluster) {
    // The cluster's kubeconfig, if it names one, is the context's setting (settings.kube, see
    // clusterTargets): a body has no `kubeconfig` field.
    if (body.context === undefined && cluster.breakglass) body.context = cluster.breakglass.context;
  },
  // A tabletop's kubeconfig has a break-glass context per cluster: `<cluster>-breakglass`.
  simBody(body, cluster) {
    return { ...body, context: breakglassContextOf(cluster) };
  },
  parse: parseExemptRequest,
  where(spec, ctx) {
    if (ctx.mode === 'sim') return [`the simulated API server of ${ctx.sim?.cluster.spec.name ?? '?'}`];
    return [`context ${spec.context} in ${kubeconfigPath(ctx.env, ctx.settings?.kube?.kubeconfig)}: ${spec.verb.toUpperCase()} ${spec.path}`];
  },
  async preview(spec, ctx) {
    return exec(spec, ctx, true);
  },
  async run(spec, ctx) {
    return exec(spec, ctx, false);
  },
};
