// A simulated Kubernetes API server: the real Kubernetes HTTP API over HTTPS on 127.0.0.1, so
// that kubectl and client libraries use it unchanged, backed by a SimCluster. Every request is
// admitted (or queued, rejected, timed out) by the model through SimCluster.admit(), so a client
// feels saturation as it would in production: waits, 429 with Retry-After, 504, resets.
//
// Request path, as in kube-apiserver: authentication (bearer token, here) → routing
// (routing.ts) → API Priority and Fairness, the model's decision, and the timeout (admission.ts)
// → handler (handlers.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { AdmissionDecision, SimCluster } from '../types';
import { Admission } from './admission';
import { apfUid } from './apf';
import { generateServingCertificates } from './certs';
import { sendJson, statusBody, type Exchange, type SimUser } from './exchange';
import { Handlers } from './handlers';
import { Metrics } from './metrics';
import { stableUid } from './names';
import { ANONYMOUS_PATHS, requestLabels, route } from './routing';
import type { Clock, Json } from './simObject';
import { Store } from './store';

export type { SimUser } from './exchange';

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
  private readonly handlers: Handlers;
  private readonly admission: Admission;

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
    const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? Math.max(100, 60_000 / speed);
    this.handlers = new Handlers(cluster, this.store, this.clock, this.metrics, bookmarkIntervalMs, () => `127.0.0.1:${this.port}`);
    this.admission = new Admission(cluster, this.store, this.metrics, (ctx) => this.handlers.handle(ctx));
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

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    res.setHeader('Audit-Id', randomUUID());
    res.setHeader('Cache-Control', 'no-cache, private');
    if (url.pathname.startsWith('/sim/')) return this.simEndpoint(url, res);
    const user = this.authenticate(req);
    const routed = route(req.method ?? 'GET', url.pathname, url.searchParams);
    const ua = String(req.headers['user-agent'] ?? '');
    const client = this.metrics.clientRequest(ua, user?.name ?? 'system:anonymous', this.cluster.now());
    const labels = requestLabels(routed, req.method ?? 'GET');
    const ctx: Exchange = { req, res, url, started, metrics: this.metrics, client, labels, route: routed, user, recorded: false };
    res.on('finish', () => this.record(ctx, res.statusCode));
    if (!user && !ANONYMOUS_PATHS.test(url.pathname)) {
      sendJson(ctx, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    this.store.sync();
    const request = this.admission.request(ctx, user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] });
    let decision: AdmissionDecision;
    try {
      decision = this.cluster.admit(request);
    } catch (e) {
      sendJson(ctx, 500, statusBody(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
      return;
    }
    this.admission.apply(ctx, request, decision);
  }

  private record(ctx: Exchange, code: number): void {
    if (ctx.recorded) return;
    ctx.recorded = true;
    this.metrics.request(ctx.labels, code, (performance.now() - ctx.started) / 1000);
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
