// Admission, as kube-apiserver's filters do it before a handler runs: API Priority and Fairness
// decides (here the model, through SimCluster.admit(), from the request's work estimate) to
// serve now or after a wait in a queue, reject with 429 and Retry-After, or hold until the
// deadline (?timeout=, at most --request-timeout) and answer 504. With no API server up the
// connection is reset. Exempt requests (system:masters, the break-glass identity) are served at
// once: the model classifies them to the exempt priority level.
import { objectBytes } from '../../cost/model';
import type { AdmissionDecision, SimCluster, SimRequest } from '../types';
import { apfUid } from './apf';
import { sendJson, statusBody, type Exchange, type SimUser, type Verb } from './exchange';
import type { Metrics } from './metrics';
import { parseGoDuration } from './names';
import { storeKey } from './resources';
import { parseFieldSelector } from './selectors';
import type { Store } from './store';

/** kube-apiserver --request-timeout default. */
const REQUEST_TIMEOUT_MS = 60_000;
const MUTATING: ReadonlySet<Verb> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export class Admission {
  constructor(
    private readonly cluster: SimCluster,
    private readonly store: Store,
    private readonly metrics: Metrics,
    /** Runs the handler of an admitted request. */
    private readonly serve: (ctx: Exchange) => Promise<void>,
  ) {}

  /** The request as the model admits it, with APF's work estimate. */
  request(ctx: Exchange, user: SimUser): SimRequest {
    const { route, url } = ctx;
    const q = url.searchParams;
    const base = { user: user.name, groups: user.groups, userAgent: String(ctx.req.headers['user-agent'] ?? ''), verb: route.verb };
    if (route.kind !== 'resource' || !route.def || route.unknown) {
      const bytes = url.pathname === '/metrics' ? 20_000 : url.pathname.startsWith('/api') ? 4_000 : 300;
      return { ...base, resource: route.kind === 'resource' ? route.resource ?? '' : '', path: url.pathname, objects: 1, bytes, fromCache: true, ...this.deadline(ctx) };
    }
    const def = route.def;
    const size = objectBytes(storeKey(def));
    const rv = q.get('resourceVersion') ?? '';
    const req: SimRequest = { ...base, resource: storeKey(def), namespace: route.namespace, objects: 1, bytes: size, fromCache: rv === '0', ...this.deadline(ctx) };
    if (route.verb === 'list' || (route.verb === 'watch' && q.get('sendInitialEvents') === 'true')) {
      // k8s.io/apiserver pkg/util/flowcontrol/request/list_work_estimator.go
      const limit = Number(q.get('limit') ?? 0) || 0;
      const match = q.get('resourceVersionMatch') ?? '';
      const fromStorage =
        route.verb === 'list' &&
        ((rv === '' && !this.cluster.spec.consistentListFromCache) || !!q.get('continue') || (limit > 0 && rv !== '0') || (match !== '' && match !== 'NotOlderThan'));
      const stored = this.store.count(storeKey(def));
      let scope = { matched: stored, indexed: false };
      try {
        scope = this.store.scopeCount(storeKey(def), { namespace: route.namespace, fields: parseFieldSelector(q.get('fieldSelector') ?? '', [...def.fields, 'metadata.name', 'metadata.namespace']) }, def.namespaced);
      } catch {
        /* a bad selector is answered by the handler */
      }
      const selector = !!(q.get('fieldSelector') || q.get('labelSelector'));
      const lim = limit > 0 && limit < stored ? limit : stored;
      req.fromCache = !fromStorage;
      req.objects = !fromStorage ? (scope.indexed ? scope.matched : stored) : selector ? stored + lim : 2 * lim;
      const returned = !fromStorage && rv === '0' ? scope.matched : Math.min(scope.matched, limit > 0 ? limit : Infinity);
      req.bytes = Math.max(1, returned) * size;
      if (def.aggregated) {
        // Proxied to the aggregated server: APF has no object count for it and charges the
        // minimum seats (list_work_estimator.go, ObjectCountNotFoundErr); nothing read from etcd.
        req.objects = 1;
        req.fromCache = true;
      }
    } else if (route.verb === 'watch') {
      req.fromCache = true;
    }
    return req;
  }

  /** The client's deadline (?timeout=), seconds, for requests that are not watches. */

  private deadline(ctx: Exchange): { timeoutSeconds?: number } {
    if (ctx.route.verb === 'watch') return {};
    const ms = parseGoDuration(ctx.url.searchParams.get('timeout'));
    return ms === undefined ? {} : { timeoutSeconds: ms / 1000 };
  }

  /** Carries out the model's decision: answer now or later, 429, 504, or reset the connection. */
  apply(ctx: Exchange, request: SimRequest, d: AdmissionDecision): void {
    const { res, req } = ctx;
    res.setHeader('X-Kubernetes-PF-FlowSchema-UID', apfUid('FlowSchema', d.flowSchema));
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', apfUid('PriorityLevelConfiguration', d.priorityLevel));
    if (d.unavailable) {
      ctx.recorded = true;
      req.socket.destroy();
      return;
    }
    const wait = Math.max(0, d.waitMs || 0);
    // kube-apiserver's --request-timeout (60 s), or the client's shorter ?timeout=.
    const timeout = request.verb === 'watch' ? undefined : Math.min(REQUEST_TIMEOUT_MS, parseGoDuration(ctx.url.searchParams.get('timeout')) ?? Infinity);
    const later = (ms: number, fn: () => void): void => {
      // Node's timers cannot wait less than a millisecond: shorter service times answer at once.
      if (ms < 1) return fn();
      const t = setTimeout(fn, ms);
      res.once('close', () => clearTimeout(t));
    };
    const held = timeout !== undefined ? Math.min(wait, timeout) : wait;
    const timedOut = (): void => {
      this.metrics.wait(d.priorityLevel, d.flowSchema, false, held / 1000);
      sendJson(ctx, 504, statusBody(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {}));
    };
    if (d.outcome === 'reject') {
      later(held, () => {
        const retry = Math.max(0, Math.round(d.retryAfterSeconds ?? 1));
        this.metrics.wait(d.priorityLevel, d.flowSchema, false, held / 1000);
        sendJson(ctx, 429, statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: retry }), { 'Retry-After': String(retry) });
      });
      return;
    }
    if (d.outcome === 'timeout' || (timeout !== undefined && wait > timeout)) {
      later(held, timedOut);
      return;
    }
    later(wait, () => {
      if (res.destroyed) return;
      this.metrics.wait(d.priorityLevel, d.flowSchema, true, wait / 1000);
      const mutating = MUTATING.has(request.verb);
      if (mutating) this.metrics.inflightMutating++;
      else this.metrics.inflightReadOnly++;
      const done = (): void => {
        if (mutating) this.metrics.inflightMutating--;
        else this.metrics.inflightReadOnly--;
      };
      res.once('close', done);
      this.serve(ctx).catch((e: unknown) => {
        if (!res.headersSent) sendJson(ctx, 500, statusBody(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
        else res.destroy();
      });
    });
  }
}
