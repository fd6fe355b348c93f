// A simulated Kubernetes API server: the real Kubernetes HTTP API over HTTPS on 127.0.0.1, so
// that kubectl and client libraries use it unchanged, backed by a SimCluster. Every request is
// admitted (or queued, rejected, timed out) by the model through SimCluster.admit(), so a client
// feels saturation as it would in production: waits, 429 with Retry-After, 504, resets.
//
// Request path, as in kube-apiserver: authentication (bearer token) → API Priority and Fairness
// (the model's decision; APF response headers) → timeout (?timeout=) → handler.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { objectBytes } from '../../cost/model';
import type { AdmissionDecision, SimCluster, SimRequest } from '../types';
import { apfUid } from './apf';
import { generateServingCertificates } from './certs';
import { RESOURCES, apiGroup, apiGroupList, apiResourceList, apiVersions, findResource, groupVersion, versionInfo, type ResourceDef } from './discovery';
import { health, type HealthEndpoint } from './health';
import { Metrics, type RequestLabels } from './metrics';
import { parseGoDuration, stableUid } from './names';
import type { Clock, Json, SimObject } from './simObject';
import { SelectorError, parseFieldSelector, parseLabelSelector } from './selectors';
import { Store } from './store';
import { columnDefinitions, partialMetadata, tableRow, toTable, wantsPartialMetadata, wantsTable, type IncludeObject } from './table';
import { WatchStream } from './watch';

export interface SimServerOptions {
  /** TCP port on 127.0.0.1 (0 or undefined: any free port). */
  port?: number;
  /** Simulated seconds per real second (sets the default BOOKMARK interval: one per simulated minute). */
  speed?: number;
  /** Real milliseconds between BOOKMARK events of a watch (default 60 s / speed, at least 100 ms). */
  bookmarkIntervalMs?: number;
  /** Watch events kept for watches that resume from a resourceVersion (default 100,000). */
  eventCapacity?: number;
}

export interface SimUser {
  name: string;
  groups: string[];
}

type Verb = SimRequest['verb'];

interface Route {
  kind: 'resource' | 'nonresource';
  path: string;
  verb: Verb;
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  def?: ResourceDef;
  /** The URL named a resource this server does not have. */
  unknown?: boolean;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  started: number;
  client: ReturnType<Metrics['clientRequest']>;
  labels: RequestLabels;
  route: Route;
  user?: SimUser;
  recorded: boolean;
}

/** kube-apiserver --request-timeout default. */
const REQUEST_TIMEOUT_MS = 60_000;
const ANONYMOUS_PATHS = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;
const MUTATING: ReadonlySet<Verb> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export function statusBody(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function qualified(def: ResourceDef): string {
  return def.group ? `${def.name}.${def.group}` : def.name;
}

function notFound(def: ResourceDef, name: string): Json {
  return statusBody(404, 'NotFound', `${qualified(def)} "${name}" not found`, { name, ...(def.group ? { group: def.group } : {}), kind: def.name });
}

const HTTP_VERB: Record<Verb, string> = { get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE' };

export class SimApiServer {
  readonly store: Store;
  readonly metrics = new Metrics();
  readonly caPem: string;
  /** Bearer token → user. */
  readonly tokens = new Map<string, SimUser>();
  readonly userToken: string;
  readonly breakglassToken: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly clock: Clock;
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  private syncQueued = false;
  private port = 0;
  private readonly bookmarkIntervalMs: number;

  constructor(
    readonly cluster: SimCluster,
    private readonly opts: SimServerOptions = {},
  ) {
    const t0Wall = Date.now() - cluster.now() * 1000;
    this.clock = {
      now: () => cluster.now(),
      iso: (t) => new Date(Math.round(t0Wall + t * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    this.store = new Store(cluster, this.clock, { eventCapacity: opts.eventCapacity });
    const speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? Math.max(100, 60_000 / speed);
    this.userToken = randomBytes(24).toString('hex');
    this.breakglassToken = randomBytes(24).toString('hex');
    this.tokens.set(this.userToken, { name: 'sim-user', groups: ['system:authenticated'] });
    this.tokens.set(this.breakglassToken, { name: 'breakglass-admin', groups: ['system:masters', 'system:authenticated'] });
    const certs = generateServingCertificates(cluster.spec.name);
    this.caPem = certs.caPem;
    this.server = createServer({ key: certs.keyPem, cert: certs.certPem, keepAliveTimeout: 30_000 }, (req, res) => this.onRequest(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', () => undefined);
    this.unsubscribe = cluster.onEvent((e) => {
      this.store.history.record(e);
      this.store.invalidate();
      this.queueSync();
    });
    this.timer = setInterval(() => this.store.sync(), 250);
    this.timer.unref();
  }

  private queueSync(): void {
    if (this.syncQueued) return;
    this.syncQueued = true;
    setImmediate(() => {
      this.syncQueued = false;
      this.store.sync();
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    clearInterval(this.timer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  // --- request path ---------------------------------------------------------------------------------

  private authenticate(req: IncomingMessage): SimUser | undefined {
    const h = req.headers.authorization;
    if (!h || !h.startsWith('Bearer ')) return undefined;
    return this.tokens.get(h.slice(7).trim());
  }

  private route(method: string, path: string, q: URLSearchParams): Route {
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const verbOf = (hasName: boolean, watch: boolean): Verb => {
      switch (method) {
        case 'GET':
        case 'HEAD':
          return watch ? 'watch' : hasName ? 'get' : 'list';
        case 'POST':
          return 'create';
        case 'PUT':
          return 'update';
        case 'PATCH':
          return 'patch';
        case 'DELETE':
          return hasName ? 'delete' : 'deletecollection';
        default:
          return 'get';
      }
    };
    const nonResource: Route = { kind: 'nonresource', path, verb: 'get', group: '', version: '' };
    let rest: string[];
    let group = '';
    let version: string;
    if (seg[0] === 'api' && seg.length >= 3) {
      version = seg[1];
      rest = seg.slice(2);
    } else if (seg[0] === 'apis' && seg.length >= 4) {
      group = seg[1];
      version = seg[2];
      rest = seg.slice(3);
    } else return nonResource;
    let watch = q.get('watch') === 'true' || q.get('watch') === '1';
    if (rest[0] === 'watch') {
      watch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    let resource: string;
    let name: string | undefined;
    let subresource: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
      namespace = rest[1];
      [resource, name, subresource] = rest.slice(2);
      if (rest.length > 5) return { ...nonResource, kind: 'resource', unknown: true, group, version };
    } else {
      [resource, name, subresource] = rest;
      if (rest.length > 3) return { ...nonResource, kind: 'resource', unknown: true, group, version };
    }
    const def = findResource(group, version, resource);
    const unknown = !def || (namespace !== undefined && !def.namespaced) || (subresource !== undefined && !def.subresources.some((s) => s.name === subresource));
    return { kind: 'resource', path, verb: verbOf(name !== undefined, watch), group, version, namespace, resource, name, subresource, def, unknown };
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    res.setHeader('Audit-Id', randomUUID());
    res.setHeader('Cache-Control', 'no-cache, private');
    if (url.pathname.startsWith('/sim/')) return this.simEndpoint(url, res);
    const user = this.authenticate(req);
    const route = this.route(req.method ?? 'GET', url.pathname, url.searchParams);
    const ua = String(req.headers['user-agent'] ?? '');
    const client = this.metrics.clientRequest(ua, user?.name ?? 'system:anonymous', this.cluster.now());
    const labels: RequestLabels = {
      verb: route.kind === 'resource' ? HTTP_VERB[route.verb] : req.method ?? 'GET',
      group: route.group,
      version: route.version,
      resource: route.kind === 'resource' ? route.resource ?? '' : '',
      subresource: route.subresource ?? '',
      scope: route.kind !== 'resource' ? '' : route.name !== undefined ? 'resource' : route.namespace !== undefined ? 'namespace' : 'cluster',
    };
    const ctx: Ctx = { req, res, url, started, client, labels, route, user, recorded: false };
    res.on('finish', () => this.record(ctx, res.statusCode));
    if (!user && !ANONYMOUS_PATHS.test(url.pathname)) {
      this.sendJson(ctx, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    this.store.sync();
    const request = this.simRequest(ctx, user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] });
    let decision: AdmissionDecision;
    try {
      decision = this.cluster.admit(request);
    } catch (e) {
      this.sendJson(ctx, 500, statusBody(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
      return;
    }
    this.admitted(ctx, request, decision);
  }

  private simRequest(ctx: Ctx, user: SimUser): SimRequest {
    const { route, url } = ctx;
    const q = url.searchParams;
    const base = { user: user.name, groups: user.groups, userAgent: String(ctx.req.headers['user-agent'] ?? ''), verb: route.verb };
    if (route.kind !== 'resource' || !route.def || route.unknown) {
      const bytes = url.pathname === '/metrics' ? 20_000 : url.pathname.startsWith('/api') ? 4_000 : 300;
      return { ...base, resource: route.kind === 'resource' ? route.resource ?? '' : '', path: url.pathname, objects: 1, bytes, fromCache: true, ...this.deadline(ctx) };
    }
    const def = route.def;
    const size = objectBytes(def.name);
    const rv = q.get('resourceVersion') ?? '';
    const req: SimRequest = { ...base, resource: def.name, namespace: route.namespace, objects: 1, bytes: size, fromCache: rv === '0', ...this.deadline(ctx) };
    if (route.verb === 'list' || (route.verb === 'watch' && q.get('sendInitialEvents') === 'true')) {
      // k8s.io/apiserver pkg/util/flowcontrol/request/list_work_estimator.go
      const limit = Number(q.get('limit') ?? 0) || 0;
      const match = q.get('resourceVersionMatch') ?? '';
      const fromStorage =
        route.verb === 'list' &&
        ((rv === '' && !this.cluster.spec.consistentListFromCache) || !!q.get('continue') || (limit > 0 && rv !== '0') || (match !== '' && match !== 'NotOlderThan'));
      const stored = this.store.count(def.name);
      let scope = { matched: stored, indexed: false };
      try {
        scope = this.store.scopeCount(def.name, { namespace: route.namespace, fields: parseFieldSelector(q.get('fieldSelector') ?? '', [...def.fields, 'metadata.name', 'metadata.namespace']) }, def.namespaced);
      } catch {
        /* a bad selector is answered by the handler */
      }
      const selector = !!(q.get('fieldSelector') || q.get('labelSelector'));
      const lim = limit > 0 && limit < stored ? limit : stored;
      req.fromCache = !fromStorage;
      req.objects = !fromStorage ? (scope.indexed ? scope.matched : stored) : selector ? stored + lim : 2 * lim;
      const returned = !fromStorage && rv === '0' ? scope.matched : Math.min(scope.matched, limit > 0 ? limit : Infinity);
      req.bytes = Math.max(1, returned) * size;
    } else if (route.verb === 'watch') {
      req.fromCache = true;
    }
    return req;
  }

  /** The client's deadline (?timeout=), seconds, for requests that are not watches. */
  private deadline(ctx: Ctx): { timeoutSeconds?: number } {
    if (ctx.route.verb === 'watch') return {};
    const ms = parseGoDuration(ctx.url.searchParams.get('timeout'));
    return ms === undefined ? {} : { timeoutSeconds: ms / 1000 };
  }

  private admitted(ctx: Ctx, request: SimRequest, d: AdmissionDecision): void {
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
      this.sendJson(ctx, 504, statusBody(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {}));
    };
    if (d.outcome === 'reject') {
      later(held, () => {
        const retry = Math.max(0, Math.round(d.retryAfterSeconds ?? 1));
        this.metrics.wait(d.priorityLevel, d.flowSchema, false, held / 1000);
        this.sendJson(ctx, 429, statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: retry }), { 'Retry-After': String(retry) });
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
      this.handle(ctx).catch((e: unknown) => {
        if (!res.headersSent) this.sendJson(ctx, 500, statusBody(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
        else res.destroy();
      });
    });
  }

  private record(ctx: Ctx, code: number): void {
    if (ctx.recorded) return;
    ctx.recorded = true;
    this.metrics.request(ctx.labels, code, (performance.now() - ctx.started) / 1000);
  }

  // --- responses --------------------------------------------------------------------------------------

  private send(ctx: Ctx, code: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
    const { res } = ctx;
    if (res.headersSent || res.destroyed) return;
    const buf = Buffer.from(body);
    this.metrics.clientBytes(ctx.client, buf.length);
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': String(buf.length), ...headers });
    res.end(ctx.req.method === 'HEAD' ? undefined : buf);
  }

  private sendJson(ctx: Ctx, code: number, body: Json, headers: Record<string, string> = {}): void {
    this.send(ctx, code, JSON.stringify(body), 'application/json', headers);
  }

  private ageSeconds = (iso: string): number => {
    const wallNow = Date.parse(this.clock.iso(this.clock.now()));
    return (wallNow - Date.parse(iso)) / 1000;
  };

  private includeObject(q: URLSearchParams): IncludeObject {
    const v = q.get('includeObject');
    return v === 'None' || v === 'Object' ? v : 'Metadata';
  }

  /** One object as the client asked for it (JSON, Table or PartialObjectMetadata). */
  private present(ctx: Ctx, def: ResourceDef, obj: Json): Json {
    const accept = ctx.req.headers.accept;
    if (wantsTable(accept)) return toTable(def.name, [obj], this.ageSeconds, this.includeObject(ctx.url.searchParams), { resourceVersion: (obj.metadata as Json).resourceVersion });
    if (wantsPartialMetadata(accept)) return partialMetadata(obj);
    return obj;
  }

  // --- handlers -----------------------------------------------------------------------------------------

  private async handle(ctx: Ctx): Promise<void> {
    const { route } = ctx;
    this.store.sync();
    if (route.kind === 'nonresource') return this.nonResource(ctx);
    if (route.unknown || !route.def) {
      this.sendJson(ctx, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
      return;
    }
    const def = route.def;
    switch (route.verb) {
      case 'get':
        return this.get(ctx, def);
      case 'list':
        return this.list(ctx, def);
      case 'watch':
        return this.watch(ctx, def);
      case 'delete':
        return this.delete(ctx, def);
      case 'patch':
      case 'update':
        return this.update(ctx, def);
      default:
        this.sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the simulated API server does not support ${route.verb} on ${qualified(def)}`, { kind: def.name }));
    }
  }

  private nonResource(ctx: Ctx): void {
    const path = ctx.url.pathname.replace(/\/$/, '') || '/';
    const seg = path.split('/').filter(Boolean);
    const json = (body: Json | undefined): void => (body ? this.sendJson(ctx, 200, body) : this.send(ctx, 404, '404 page not found\n', 'text/plain; charset=utf-8'));
    if (path === '/version') return json(versionInfo());
    if (path === '/api') return json(apiVersions(`127.0.0.1:${this.port}`));
    if (path === '/apis') return json(apiGroupList());
    if (seg[0] === 'api' && seg.length === 2) return json(apiResourceList('', seg[1]));
    if (seg[0] === 'apis' && seg.length === 2) return json(apiGroup(seg[1]));
    if (seg[0] === 'apis' && seg.length === 3) return json(apiResourceList(seg[1], seg[2]));
    if (seg[0] === 'healthz' || seg[0] === 'livez' || seg[0] === 'readyz') {
      const h = health(seg[0] as HealthEndpoint, this.store.snapshot(), ctx.url.searchParams, seg.slice(1).join('/') || undefined);
      this.send(ctx, h.code, h.body, 'text/plain; charset=utf-8', { 'X-Content-Type-Options': 'nosniff' });
      return;
    }
    if (path === '/metrics') {
      const counts: Record<string, number> = {};
      for (const r of RESOURCES) counts[r.name] = this.store.count(r.name);
      this.send(ctx, 200, this.metrics.render(this.store.snapshot(), counts), 'text/plain; version=0.0.4; charset=utf-8');
      return;
    }
    this.send(ctx, 404, '404 page not found\n', 'text/plain; charset=utf-8');
  }

  private get(ctx: Ctx, def: ResourceDef): void {
    const { route } = ctx;
    const obj = this.store.get(def.name, route.namespace, route.name!);
    if (!obj) return this.sendJson(ctx, 404, notFound(def, route.name!));
    this.etcd('get', def, ctx);
    if (route.subresource === 'scale') return this.sendJson(ctx, 200, this.scaleObject(obj));
    this.sendJson(ctx, 200, this.present(ctx, def, obj.build()));
  }

  private etcd(op: string, def: ResourceDef, ctx: Ctx): void {
    if (ctx.url.searchParams.get('resourceVersion') === '0' && op !== 'delete' && op !== 'update') return;
    this.metrics.etcdRequest(op, `/registry/${def.name}`, (performance.now() - ctx.started) / 1000);
  }

  private selectors(ctx: Ctx, def: ResourceDef): { labels: ReturnType<typeof parseLabelSelector>; fields: ReturnType<typeof parseFieldSelector> } | undefined {
    const q = ctx.url.searchParams;
    try {
      return {
        labels: parseLabelSelector(q.get('labelSelector') ?? ''),
        fields: parseFieldSelector(q.get('fieldSelector') ?? '', [...def.fields, 'metadata.name', 'metadata.namespace']),
      };
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      this.sendJson(ctx, 400, statusBody(400, 'BadRequest', e.message));
      return undefined;
    }
  }

  private async list(ctx: Ctx, def: ResourceDef): Promise<void> {
    const q = ctx.url.searchParams;
    const sel = this.selectors(ctx, def);
    if (!sel) return;
    let start = 0;
    const token = q.get('continue');
    if (token) {
      let parsed: { rv?: number; start?: number } | undefined;
      try {
        parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { rv?: number; start?: number };
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed.start !== 'number' || typeof parsed.rv !== 'number') {
        return this.sendJson(ctx, 400, statusBody(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'));
      }
      if (parsed.rv < this.store.log.compactedRv) {
        return this.sendJson(
          ctx,
          410,
          statusBody(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          ),
        );
      }
      start = parsed.start;
    }
    const rv = q.get('resourceVersion') ?? '';
    // The watch cache answers resourceVersion=0 whole, ignoring limit (KEP-3157).
    const limit = rv === '0' && !token ? 0 : Math.max(0, Number(q.get('limit') ?? 0) || 0);
    const fromEtcd = !(rv === '0' || (rv === '' && this.cluster.spec.consistentListFromCache && !token));
    const accept = ctx.req.headers.accept;
    const include = this.includeObject(q);
    const table = wantsTable(accept);
    const partial = wantsPartialMetadata(accept);
    const listRv = this.store.rv;
    const head = table
      ? { kind: 'Table', apiVersion: 'meta.k8s.io/v1' }
      : partial
        ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' }
        : { kind: `${def.kind}List`, apiVersion: groupVersion(def.group, def.version) };
    const encode = (o: SimObject): Json => {
      const obj = o.build();
      if (table) return tableRow(def.name, obj, this.ageSeconds, include);
      if (partial) return partialMetadata(obj);
      delete obj.kind; // items of a list carry no kind/apiVersion, as kube-apiserver encodes them
      delete obj.apiVersion;
      return obj;
    };
    const listMeta = (end: { next?: number; remaining?: number }): Json => {
      const m: Json = { resourceVersion: String(listRv) };
      if (end.next !== undefined) {
        m.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRv, start: end.next })).toString('base64');
        if (end.remaining !== undefined) m.remainingItemCount = end.remaining;
      }
      return m;
    };
    const columns = table ? `,"columnDefinitions":${JSON.stringify(columnDefinitions(def.name))}` : '';
    const key = table ? 'rows' : 'items';
    const scan = this.store.scan(def.name, { namespace: ctx.route.namespace, labels: sel.labels, fields: sel.fields, limit, start }, def.namespaced);
    if (limit > 0 && limit <= 5000) {
      // A page: one buffer with Content-Length.
      const items: Json[] = [];
      let r = scan.next();
      for (; !r.done; r = scan.next()) items.push(encode(r.value));
      const body = `{"kind":"${head.kind}","apiVersion":"${head.apiVersion}","metadata":${JSON.stringify(listMeta(r.value))}${columns},"${key}":${JSON.stringify(items)}}`;
      if (fromEtcd) this.etcd('list', def, ctx);
      return this.send(ctx, 200, body, 'application/json');
    }
    // A whole list (possibly hundreds of MB): streamed, objects built as they are written.
    await this.stream(ctx, function* () {
      const known = limit === 0; // no continue token: metadata is known before the items
      yield `{"kind":"${head.kind}","apiVersion":"${head.apiVersion}"${known ? `,"metadata":${JSON.stringify(listMeta({}))}` : ''}${columns},"${key}":[`;
      let first = true;
      let r = scan.next();
      for (; !r.done; r = scan.next()) {
        yield (first ? '' : ',') + JSON.stringify(encode(r.value));
        first = false;
      }
      yield `]${known ? '' : `,"metadata":${JSON.stringify(listMeta(r.value))}`}}`;
    });
    if (fromEtcd) this.etcd('list', def, ctx);
  }

  /** Writes a body from string pieces with backpressure (chunked encoding). */
  private async stream(ctx: Ctx, pieces: () => Generator<string>): Promise<void> {
    const { res } = ctx;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let buf: string[] = [];
    let size = 0;
    for (const p of pieces()) {
      buf.push(p);
      size += p.length;
      if (size < 256 * 1024) continue;
      const chunk = buf.join('');
      buf = [];
      size = 0;
      this.metrics.clientBytes(ctx.client, Buffer.byteLength(chunk));
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
    const last = buf.join('');
    this.metrics.clientBytes(ctx.client, Buffer.byteLength(last));
    res.end(last);
  }

  private watch(ctx: Ctx, def: ResourceDef): void {
    const q = ctx.url.searchParams;
    const sel = this.selectors(ctx, def);
    if (!sel) return;
    // A watch on a named object (the legacy /watch/…/NAME path) is a watch with metadata.name=NAME.
    if (ctx.route.name !== undefined) sel.fields.push({ field: 'metadata.name', op: 'eq', value: ctx.route.name });
    const rvParam = q.get('resourceVersion') ?? '';
    if (rvParam !== '' && !/^\d+$/.test(rvParam)) return this.sendJson(ctx, 400, statusBody(400, 'BadRequest', `invalid resource version: ${rvParam}`));
    const sendInitial = q.get('sendInitialEvents') === 'true';
    const fromNow = rvParam === '' || rvParam === '0' || sendInitial;
    const ns = ctx.route.namespace;
    const query = { namespace: ns, labels: sel.labels, fields: sel.fields };
    const table = wantsTable(ctx.req.headers.accept);
    const include = this.includeObject(q);
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
    const timeoutMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : (1800 + Math.random() * 1800) * 1000;
    const { res } = ctx;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    new WatchStream(res, this.store, {
      match: (o) => o.resource === def.name && (ns === undefined || o.namespace === ns) && this.matches(o, sel),
      initial: fromNow ? this.store.iterate(def.name, query, def.namespaced) : undefined,
      initialEventsEnd: sendInitial && q.get('allowWatchBookmarks') === 'true',
      sinceRv: fromNow ? this.store.rv : Number(rvParam),
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      bookmarkIntervalMs: this.bookmarkIntervalMs,
      timeoutMs,
      kind: def.kind,
      apiVersion: groupVersion(def.group, def.version),
      encode: (type, o) => {
        const obj = o.build();
        if (type === 'DELETED') (obj.metadata as Json).resourceVersion = String(o.rv);
        return table ? toTable(def.name, [obj], this.ageSeconds, include, { resourceVersion: String(o.rv) }) : obj;
      },
      onBytes: (n) => this.metrics.clientBytes(ctx.client, n),
    });
  }

  private matches(o: SimObject, sel: { labels: ReturnType<typeof parseLabelSelector>; fields: ReturnType<typeof parseFieldSelector> }): boolean {
    for (const f of sel.fields) {
      const v = o.field(f.field) ?? '';
      if ((f.op === 'eq') !== (v === f.value)) return false;
    }
    for (const r of sel.labels) {
      const v = o.labels[r.key];
      const ok =
        r.op === 'eq' ? v === r.value : r.op === 'neq' ? v !== r.value : r.op === 'in' ? v !== undefined && r.values.includes(v) : r.op === 'notin' ? v === undefined || !r.values.includes(v) : r.op === 'exists' ? v !== undefined : v === undefined;
      if (!ok) return false;
    }
    return true;
  }

  private async body(ctx: Ctx): Promise<Json | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of ctx.req) {
      size += (c as Buffer).length;
      if (size > 3 * 1024 * 1024) throw new Error('request entity too large');
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (!text) return undefined;
    return JSON.parse(text) as Json;
  }

  private async delete(ctx: Ctx, def: ResourceDef): Promise<void> {
    const { route } = ctx;
    const q = ctx.url.searchParams;
    let opts: Json = {};
    try {
      opts = (await this.body(ctx)) ?? {};
    } catch (e) {
      return this.sendJson(ctx, 400, statusBody(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`));
    }
    if (route.subresource) return this.sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    const policy = String(opts.propagationPolicy ?? q.get('propagationPolicy') ?? '');
    if (policy && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
      return this.sendJson(ctx, 422, statusBody(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`, { kind: 'DeleteOptions', group: 'meta.k8s.io' }));
    }
    const dryRun = q.getAll('dryRun').includes('All') || (Array.isArray(opts.dryRun) && (opts.dryRun as string[]).includes('All'));
    if (!['pods', 'daemonsets', 'deployments'].includes(def.name)) {
      return this.sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the simulated API server does not delete ${qualified(def)}`, { kind: def.name }));
    }
    const existing = this.store.get(def.name, route.namespace, route.name!);
    if (!existing) return this.sendJson(ctx, 404, notFound(def, route.name!));
    const before = existing.build();
    const headers: Record<string, string> = {};
    if (!dryRun) {
      const gone = def.name === 'pods' ? this.store.deleteObject('pods', route.namespace, route.name!) : this.store.deleteWorkload(def.name as 'daemonsets' | 'deployments', route.namespace!, route.name!);
      if (!gone) return this.sendJson(ctx, 409, statusBody(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${route.name}": the simulated cluster refused the deletion`, { name: route.name!, kind: def.name }));
      this.etcd('delete', def, ctx);
      if (policy === 'Orphan' && def.name !== 'pods') headers.Warning = '299 - "the simulated cluster removes the pods of a deleted workload also with propagationPolicy=Orphan"';
    }
    const meta = before.metadata as Json;
    meta.deletionTimestamp = this.clock.iso(this.clock.now());
    meta.deletionGracePeriodSeconds = 0;
    if (policy === 'Foreground') meta.finalizers = ['foregroundDeletion'];
    this.sendJson(ctx, 200, before, headers);
  }

  private scaleObject(obj: SimObject): Json {
    const o = obj.build() as { metadata: Json; spec: { replicas?: number; selector?: { matchLabels?: Record<string, string> } }; status?: { replicas?: number } };
    const sel = Object.entries(o.spec.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas: o.spec.replicas ?? 0 },
      status: { replicas: o.status?.replicas ?? 0, selector: sel },
    };
  }

  /** PATCH and PUT: spec.replicas of a Deployment (through /scale or the Deployment itself). */
  private async update(ctx: Ctx, def: ResourceDef): Promise<void> {
    const { route } = ctx;
    let body: Json | undefined;
    try {
      body = await this.body(ctx);
    } catch (e) {
      return this.sendJson(ctx, 400, statusBody(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`));
    }
    // spec.replicas of a Deployment: GET/PUT/PATCH on /scale, or PATCH on the Deployment (kubectl patch).
    const scaleTarget = def.name === 'deployments' && (route.subresource === 'scale' || (route.subresource === undefined && route.verb === 'patch'));
    if (!scaleTarget) {
      return this.sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the simulated API server does not ${route.verb} ${qualified(def)}${route.subresource ? `/${route.subresource}` : ''}`, { kind: def.name }));
    }
    const obj = this.store.get(def.name, route.namespace, route.name!);
    if (!obj) return this.sendJson(ctx, 404, notFound(def, route.name!));
    const ct = String(ctx.req.headers['content-type'] ?? '');
    let replicas: unknown;
    let other = false;
    if (ct.includes('json-patch')) {
      for (const op of (Array.isArray(body) ? body : []) as Array<{ op: string; path: string; value?: unknown }>) {
        if ((op.op === 'replace' || op.op === 'add') && op.path === '/spec/replicas') replicas = op.value;
        else if (op.op !== 'test') other = true;
      }
    } else if (ct.includes('apply-patch')) {
      return this.sendJson(ctx, 415, statusBody(415, 'UnsupportedMediaType', `the simulated API server does not support server-side apply`));
    } else {
      const spec = (body?.spec ?? {}) as Json;
      replicas = spec.replicas;
      other = route.subresource === undefined && route.verb === 'patch' && (Object.keys(body ?? {}).some((k) => k !== 'spec' && k !== 'metadata') || Object.keys(spec).some((k) => k !== 'replicas'));
    }
    if (other || replicas === undefined) {
      return this.sendJson(ctx, 422, statusBody(422, 'Invalid', `${def.kind}.apps "${route.name}" is invalid: the simulated API server only changes spec.replicas`, { name: route.name!, group: 'apps', kind: def.kind }));
    }
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      const kind = route.subresource === 'scale' ? 'Scale.autoscaling' : 'Deployment.apps';
      return this.sendJson(ctx, 422, statusBody(422, 'Invalid', `${kind} "${route.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, { name: route.name!, kind: def.name, causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: must be greater than or equal to 0', field: 'spec.replicas' }] }));
    }
    if (!ctx.url.searchParams.getAll('dryRun').includes('All')) {
      const r = this.store.scale(route.namespace!, route.name!, replicas);
      if (r === 'missing') return this.sendJson(ctx, 404, notFound(def, route.name!));
      if (r === 'refused') return this.sendJson(ctx, 409, statusBody(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${route.name}": the simulated cluster refused to scale it`, { name: route.name!, group: 'apps', kind: 'deployments' }));
      this.etcd('update', def, ctx);
    }
    const now = this.store.get(def.name, route.namespace, route.name!) ?? obj;
    if (route.subresource === 'scale') {
      const s = this.scaleObject(now);
      (s.spec as Json).replicas = replicas;
      return this.sendJson(ctx, 200, s);
    }
    const d = now.build();
    (d.spec as Json).replicas = replicas;
    this.sendJson(ctx, 200, this.present(ctx, def, d));
  }

  // --- the simulator's own endpoints ----------------------------------------------------------

  private simEndpoint(url: URL, res: ServerResponse): void {
    const send = (code: number, body: Json): void => {
      const s = JSON.stringify(body);
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(s)) });
      res.end(s);
    };
    if (url.pathname === '/sim/v1/clients') {
      send(200, { clock: 'simulated', now: this.cluster.now(), clients: this.metrics.clientStats(this.cluster.now()) });
      return;
    }
    send(404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
  }
}

/** A stable UID for a name (exported for tests that compare response headers). */
export { apfUid, stableUid };
