// One shared, budgeted health poller per cluster. It never becomes the load: a fixed number of
// requests per minute whatever the cluster's size (no unbounded LIST, nothing per node), a
// timeout on every request, exponential backoff with jitter on 429/5xx/timeouts that honours
// Retry-After, and no polling at all while nobody is watching.
//
// It watches the control plane through a path that survives its failure: when the ordinary path
// (the context's own identity, which API Priority and Fairness queues and rejects like anyone's)
// gets 429s or no answer, the same requests go, within the same budget, through the cluster's
// break-glass context (an identity APF exempts, verified once from the response headers) while
// the ordinary path backs off; every reading names the path it came through.
import { EXEMPT_PLC_PATH, PL_UID_HEADER } from './breakglass-context';
import { RequestTimeout, type ApiResponse, type Requester } from './connection';
import { parsePrometheusText, quantileBetween, rateBy, sum, sumBy, type Scrape } from './prom';
import { PROM_QUERIES, type PrometheusSource } from './prometheus';

export type HealthState = 'healthy' | 'degraded' | 'saturated' | 'unreachable';

/** Requests a minute one poller spends at most, on all its paths together, whatever the cluster's size. */
export const HEALTH_BUDGET_PER_MINUTE = 12;

/** A number with where it came from and when it was read. */
export interface Reading<T = number> {
  value: T;
  source: string;
  at: number;
}

export interface HealthSnapshot {
  at: number;
  state: HealthState;
  /** The state in words, for the panel's header. */
  summary: string;
  readyz?: Reading<{ ok: boolean; failed: string[] }>;
  inflight?: Reading;
  limit?: Reading;
  queuedByLevel?: Reading<Record<string, number>>;
  rejectedPerSecondByLevel?: Reading<Record<string, number>>;
  waitP99Seconds?: Reading;
  readP99Seconds?: Reading;
  mutatingP99Seconds?: Reading;
  nodes?: Reading;
  pods?: Reading;
  /** Ready nodes in one page of at most 50 (a sample), and how many nodes exist. */
  nodesReadySample?: Reading<{ ready: number; sampled: number; total: number }>;
  dnsReadyAddresses?: Reading;
  /** Share of DNS answers that are SERVFAIL (Prometheus only). */
  dnsServfailRatio?: Reading;
  /** Who loads the API server, per APF flow schema (from /metrics, any cluster). */
  loadByFlowSchema?: Reading<{ flowSchema: string; priorityLevel: string; perSecond: number; rejectedPerSecond: number }[]>;
  /** Who loads the API server (simulation: exact counts per client). */
  topClients?: Reading<{ userAgent: string; user: string; requestsLastMinute: number }[]>;
  /** Why the last poll failed, when it did (no path answered: every value shown is a leftover). */
  error?: string;
  /** The path this poll read through: the ordinary context, or the break-glass one. */
  via?: { path: string; fallback: boolean };
  /** While the poller reads through the break-glass path: how the ordinary path last failed. */
  ordinaryFailure?: { path: string; error: string; at: number };
  /** The newest answer from the API server on any path, and through which: "Last answer" everywhere. */
  lastAnswer?: { at: number; via: string };
  /** Requests and bytes this poller has spent so far. */
  cost: { requests: number; bytes: number };
}

export interface PollerOptions {
  /** Requests per minute at most (default 12). */
  budgetPerMinute?: number;
  /** Time between polls when healthy (default 15 s). */
  intervalMs?: number;
  /** Per-request timeout (default 5 s). */
  timeoutMs?: number;
  /** Longest backoff (default 120 s). */
  maxBackoffMs?: number;
  /** Also ask /sim/v1/clients (simulated clusters). */
  simClients?: boolean;
  /** A source that does not depend on the API server, used first for nodes and DNS. */
  prometheus?: PrometheusSource;
  /**
   * The same API server through the cluster's break-glass context (an identity API Priority and
   * Fairness exempts): used while the ordinary path gets 429s or no answer.
   */
  fallback?: Requester;
  now?: () => number;
  random?: () => number;
}

const READ_VERBS = ['GET', 'LIST', 'WATCH'];
const MUTATING_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY'];
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

class Backoff extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    readonly reachable: boolean,
  ) {
    super(message);
  }
}

export class HealthPoller {
  private readonly listeners = new Set<(s: HealthSnapshot) => void>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly sent: number[] = [];
  private failures = 0;
  private polls = 0;
  private prevScrape?: { scrape: Scrape; at: number };
  private last: HealthSnapshot;
  private requests = 0;
  private bytes = 0;
  private nextDelay = 0;
  private dnsPorts?: number;
  /** When nodes, DNS and clients were last read in full (every fourth poll; the next one when the budget held one back). */
  private lastFullAt = -Infinity;
  private heldBackInPoll = false;
  /** The path of the poll under way. */
  private cur: 'ordinary' | 'fallback' = 'ordinary';
  /** The ordinary path's failures in a row, when it may be tried again, and how it last failed. */
  private ordinaryFailures = 0;
  private ordinaryRetryAt = 0;
  private ordinaryFailure?: { path: string; error: string; at: number };
  /** The break-glass path's exempt level: its UID once read, and whether responses landed in it. */
  private exemptUid?: string;
  private exemptChecked = false;
  private exempt?: boolean;
  /** A path answered in this poll. */
  private answered = false;
  readonly history: HealthSnapshot[] = [];
  private readonly opts: Required<Omit<PollerOptions, 'simClients' | 'prometheus' | 'fallback'>> & { simClients: boolean; prometheus?: PrometheusSource; fallback?: Requester };

  constructor(
    private readonly conn: Requester,
    opts: PollerOptions = {},
  ) {
    this.opts = {
      budgetPerMinute: opts.budgetPerMinute ?? HEALTH_BUDGET_PER_MINUTE,
      intervalMs: opts.intervalMs ?? 15_000,
      timeoutMs: opts.timeoutMs ?? 5_000,
      maxBackoffMs: opts.maxBackoffMs ?? 120_000,
      simClients: opts.simClients ?? false,
      prometheus: opts.prometheus,
      fallback: opts.fallback,
      now: opts.now ?? (() => Date.now()),
      random: opts.random ?? Math.random,
    };
    this.last = { at: this.opts.now(), state: 'unreachable', summary: 'not polled yet', cost: { requests: 0, bytes: 0 } };
  }

  get latest(): HealthSnapshot {
    return this.last;
  }
  get cost(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }
  get watchers(): number {
    return this.listeners.size;
  }
  /** How long the poller waits before its next poll (longer while backing off). */
  get nextDelayMs(): number {
    return this.nextDelay;
  }

  /** The first subscriber starts polling; the last one to leave stops it. */
  subscribe(listener: (s: HealthSnapshot) => void): { dispose(): void } {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    else listener(this.last);
    return {
      dispose: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.stop();
      },
    };
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  private stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pollOnce(), ms);
    this.timer.unref?.();
  }

  /** A sliding window: never more than the budget in any 60 s. */
  private take(): boolean {
    const now = this.opts.now();
    while (this.sent.length && this.sent[0] <= now - 60_000) this.sent.shift();
    if (this.sent.length >= this.opts.budgetPerMinute) return false;
    this.sent.push(now);
    return true;
  }

  /** Another break-glass path (the setting changed): its exempt level is checked afresh. */
  setFallback(fallback: Requester | undefined): void {
    this.opts.fallback = fallback;
    this.exemptChecked = false;
    this.exemptUid = undefined;
    this.exempt = undefined;
    if (!fallback) this.ordinaryRetryAt = 0;
  }

  /** The path in words: the context, and for the break-glass one whether it is exempt. */
  pathLabel(which: 'ordinary' | 'fallback' = this.cur): string {
    if (which === 'ordinary' || !this.opts.fallback) return this.conn.label;
    const fb = this.opts.fallback.label;
    return this.exempt === true ? `${fb} (exempt)` : this.exempt === false ? `${fb} (break-glass, not exempt)` : `${fb} (break-glass)`;
  }

  /** A reading's source: what was read, and through which path. */
  private src(what: string): string {
    return `${what} via ${this.pathLabel()}`;
  }

  /**
   * One GET within the budget through the poll's path. When the ordinary path sheds it or does
   * not answer and there is a break-glass path, that path backs off and the same GET (budget
   * permitting) and the rest of the poll go through the break-glass one.
   */
  private async request(path: string, accept?: string): Promise<ApiResponse | undefined> {
    if (!this.take()) return this.heldBack(); // over budget: this signal waits for a later poll
    try {
      return await this.send(this.cur, path, accept);
    } catch (e) {
      if (!(e instanceof Backoff) || this.cur !== 'ordinary' || !this.opts.fallback) throw e;
      this.ordinaryFailed(e);
      this.cur = 'fallback';
      await this.checkExempt();
      if (!this.take()) return this.heldBack();
      return await this.send('fallback', path, accept);
    }
  }

  private heldBack(): undefined {
    this.heldBackInPoll = true;
    return undefined;
  }

  /** How long until the budget has room for `n` more requests (0: now). */
  private msUntilFree(n: number): number {
    const now = this.opts.now();
    while (this.sent.length && this.sent[0] <= now - 60_000) this.sent.shift();
    const over = this.sent.length - (this.opts.budgetPerMinute - n);
    if (over <= 0) return 0;
    return Math.max(0, this.sent[over - 1] + 60_000 - now + 1);
  }

  private async send(which: 'ordinary' | 'fallback', path: string, accept?: string): Promise<ApiResponse> {
    const conn = which === 'fallback' ? this.opts.fallback! : this.conn;
    this.requests++;
    let res: ApiResponse;
    try {
      res = await conn.get(path, { timeoutMs: this.opts.timeoutMs, accept });
    } catch (e) {
      throw new Backoff(e instanceof RequestTimeout ? `no answer within ${this.opts.timeoutMs / 1000}s` : `unreachable: ${(e as Error).message}`, 0, false);
    }
    this.bytes += res.bytes;
    if (which === 'fallback' && this.exemptUid) {
      // Every answer says which priority level it was served in: it must stay the exempt one.
      const landed = headerValue(res.headers[PL_UID_HEADER]);
      if (landed) this.exempt = landed === this.exemptUid;
    }
    if (res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers['retry-after']);
      // /readyz answers 500 when a check fails: that is an answer, not a reason to back off.
      if (!(res.status === 500 && path.startsWith('/readyz'))) throw new Backoff(`${path} answered ${res.status}`, Number.isFinite(ra) ? ra * 1000 : 0, true);
    }
    this.answered = true;
    return res;
  }

  /** The ordinary path failed: it waits (exponentially longer, honouring Retry-After) before it is tried again. */
  private ordinaryFailed(e: Backoff): void {
    const now = this.opts.now();
    this.ordinaryFailures++;
    const backoff = Math.min(this.opts.maxBackoffMs, this.opts.intervalMs * 2 ** this.ordinaryFailures);
    this.ordinaryRetryAt = now + Math.max(e.retryAfterMs, backoff * (0.5 + this.opts.random()));
    this.ordinaryFailure = { path: this.conn.label, error: e.message, at: now };
  }

  /**
   * Once, on the first use of the break-glass path: GET the exempt PriorityLevelConfiguration
   * through it and compare its UID with the priority level the answer was served in.
   */
  private async checkExempt(): Promise<void> {
    if (this.exemptChecked || !this.opts.fallback || !this.take()) return;
    this.exemptChecked = true;
    this.requests++;
    try {
      const r = await this.opts.fallback.get(EXEMPT_PLC_PATH, { timeoutMs: this.opts.timeoutMs });
      this.bytes += r.bytes;
      if (r.status !== 200) {
        // 429: shed like anyone's; other statuses (403: may not read it) leave it unverified.
        if (r.status === 429) this.exempt = false;
        return;
      }
      this.answered = true;
      const uid = (JSON.parse(r.body) as { metadata?: { uid?: string } }).metadata?.uid;
      const landed = headerValue(r.headers[PL_UID_HEADER]);
      if (uid && landed) {
        this.exemptUid = uid;
        this.exempt = landed === uid;
      }
    } catch {
      this.exemptChecked = false; // no answer: try again on a later poll
    }
  }

  /**
   * One poll: readyz and metrics every time; a node sample, DNS and clients once a minute (every
   * fourth poll, or the next one when the budget held one of them back).
   */
  async pollOnce(): Promise<HealthSnapshot> {
    const at = this.opts.now();
    const full = at - this.lastFullAt >= 3.5 * this.opts.intervalMs;
    this.heldBackInPoll = false;
    this.polls++;
    const snap: HealthSnapshot = { ...this.last, at, error: undefined, cost: this.cost };
    let nextMs = this.opts.intervalMs;
    // The ordinary path while it answers; the break-glass one while the ordinary one backs off.
    this.cur = this.opts.fallback && at < this.ordinaryRetryAt ? 'fallback' : 'ordinary';
    if (this.cur === 'fallback') await this.checkExempt();
    this.answered = false;
    // Prometheus first: it answers even when the API server does not.
    const fromProm = full && this.opts.prometheus ? await this.readPrometheus(snap, at) : false;
    try {
      const ready = await this.request('/readyz?verbose');
      if (ready) {
        const failed = [...ready.body.matchAll(/^\[-\]([^\s]+)/gm)].map((m) => m[1]);
        snap.readyz = { value: { ok: ready.status === 200, failed }, source: this.src('/readyz?verbose'), at };
      }
      const metrics = await this.request('/metrics', 'text/plain');
      // The ordinary path answered /metrics (readyz proves nothing: API Priority and Fairness
      // exempts it through the FlowSchema `probes`): it is the one to read through again.
      if (metrics && this.cur === 'ordinary') {
        this.ordinaryFailures = 0;
        this.ordinaryRetryAt = 0;
        this.ordinaryFailure = undefined;
      }
      if (metrics && metrics.status === 200) this.readMetrics(snap, parsePrometheusText(metrics.body), at);
      if (full && !fromProm) {
        // A Table without objects: a row per node is a few dozen bytes.
        const nodes = await this.request('/api/v1/nodes?limit=50&includeObject=None', TABLE);
        if (nodes && nodes.status === 200) readNodeSample(snap, nodes.body, at, this.src('GET /api/v1/nodes?limit=50 (a sample)'));
        // One GET of one object, as a Table row: its size does not grow with the number of DNS
        // replicas (kubectl's printer shows three endpoints and "+ N more..."). The Service's port
        // count, read once, turns endpoint pairs into addresses. A label-selected LIST would read
        // every EndpointSlice from etcd instead.
        if (this.dnsPorts === undefined) {
          const svc = await this.request('/api/v1/namespaces/kube-system/services/kube-dns');
          if (svc && svc.status === 200) this.dnsPorts = dnsPortCount(svc.body);
        }
        const dns = await this.request('/api/v1/namespaces/kube-system/endpoints/kube-dns?includeObject=None', TABLE);
        if (dns && dns.status === 200) readDns(snap, dns.body, this.dnsPorts ?? 1, at, this.src('Endpoints kube-system/kube-dns'));
      }
      if (full) {
        if (this.opts.simClients) {
          const c = await this.request('/sim/v1/clients');
          if (c && c.status === 200) readClients(snap, c.body, at, this.src('/sim/v1/clients'));
        }
      }
      this.failures = 0;
      if (full && !this.heldBackInPoll) this.lastFullAt = at;
      this.describePath(snap, at);
      const { state, summary } = classify(snap, undefined);
      snap.state = state;
      snap.summary = summary;
    } catch (e) {
      if (!(e instanceof Backoff)) throw e;
      this.failures++;
      const backoff = Math.min(this.opts.maxBackoffMs, this.opts.intervalMs * 2 ** (this.failures + 1));
      nextMs = Math.max(e.retryAfterMs, backoff * (0.5 + this.opts.random()));
      snap.error = this.cur === 'fallback' ? `${e.message} (through ${this.pathLabel()}; ${this.ordinaryFailure ? `${this.ordinaryFailure.path}: ${this.ordinaryFailure.error}` : 'the ordinary path backs off'})` : e.message;
      this.describePath(snap, at);
      const { state, summary } = classify(snap, e);
      snap.state = state;
      snap.summary = summary;
      // No path to the API server answered: its load as Prometheus last scraped it, if it can say.
      if (this.opts.prometheus && (await this.readPrometheusLoad(snap, at))) snap.summary += `; load and 429s from ${this.opts.prometheus.baseUrl}`;
    }
    snap.cost = this.cost;
    this.last = snap;
    this.history.push(snap);
    if (this.history.length > 240) this.history.shift();
    for (const l of this.listeners) {
      try {
        l(snap);
      } catch {
        /* a broken view must not stop the poller */
      }
    }
    // The next poll waits, if need be, until the budget has room for readyz and /metrics.
    nextMs = Math.max(nextMs, this.msUntilFree(2));
    this.nextDelay = nextMs;
    this.schedule(nextMs);
    return snap;
  }

  /** The path of this poll, the ordinary path's failure while it is not used, the last answer. */
  private describePath(snap: HealthSnapshot, at: number): void {
    snap.via = { path: this.pathLabel(), fallback: this.cur === 'fallback' };
    snap.ordinaryFailure = this.cur === 'fallback' ? this.ordinaryFailure : undefined;
    if (this.answered) snap.lastAnswer = { at, via: this.pathLabel() };
  }

  /** In-flight, limit and 429s from Prometheus (all levels together); false when it cannot answer. */
  private async readPrometheusLoad(snap: HealthSnapshot, at: number): Promise<boolean> {
    const prom = this.opts.prometheus!;
    try {
      const [inflight, limit, rejected] = await Promise.all([prom.query(PROM_QUERIES.inflight), prom.query(PROM_QUERIES.limitSeats), prom.query(PROM_QUERIES.rejectedRate)]);
      const src = (metric: string) => `Prometheus ${prom.baseUrl} (${metric})`;
      if (inflight !== undefined) snap.inflight = { value: inflight, source: src('apiserver_current_inflight_requests'), at };
      if (limit !== undefined) snap.limit = { value: limit, source: src('apiserver_flowcontrol_current_limit_seats'), at };
      if (rejected !== undefined) snap.rejectedPerSecondByLevel = { value: { 'all levels': rejected }, source: src('apiserver_flowcontrol_rejected_requests_total'), at };
      return inflight !== undefined || limit !== undefined || rejected !== undefined;
    } catch {
      return false;
    }
  }

  /** Nodes and DNS from Prometheus; false (and the API server is asked) when it cannot answer. */
  private async readPrometheus(snap: HealthSnapshot, at: number): Promise<boolean> {
    const prom = this.opts.prometheus!;
    try {
      const [ready, total, servfail, answers] = await Promise.all([
        prom.query(PROM_QUERIES.nodesReady),
        prom.query(PROM_QUERIES.nodesTotal),
        prom.query(PROM_QUERIES.dnsServfail),
        prom.query(PROM_QUERIES.dnsTotal),
      ]);
      if (ready === undefined || total === undefined) return false;
      const src = `Prometheus ${prom.baseUrl}`;
      snap.nodesReadySample = { value: { ready, sampled: total, total }, source: `${src} (kube_node_status_condition)`, at };
      if (servfail !== undefined && answers !== undefined && answers > 0) snap.dnsServfailRatio = { value: servfail / answers, source: `${src} (coredns_dns_responses_total)`, at };
      return true;
    } catch {
      return false;
    }
  }

  private readMetrics(snap: HealthSnapshot, scrape: Scrape, at: number): void {
    const src = this.src('/metrics');
    const r = <T>(value: T | undefined): Reading<T> | undefined => (value === undefined ? undefined : { value, source: src, at });
    snap.inflight = r(sum(scrape, 'apiserver_current_inflight_requests')) ?? snap.inflight;
    snap.limit = r(sum(scrape, 'apiserver_flowcontrol_current_limit_seats') ?? sum(scrape, 'apiserver_flowcontrol_nominal_limit_seats')) ?? snap.limit;
    snap.queuedByLevel = r(sumBy(scrape, 'apiserver_flowcontrol_current_inqueue_requests', 'priority_level'));
    snap.nodes = r(sum(scrape, 'apiserver_storage_objects', { resource: 'nodes' })) ?? snap.nodes;
    snap.pods = r(sum(scrape, 'apiserver_storage_objects', { resource: 'pods' })) ?? snap.pods;
    const prev = this.prevScrape;
    if (prev && at > prev.at) {
      const secs = (at - prev.at) / 1000;
      snap.rejectedPerSecondByLevel = r(rateBy(prev.scrape, scrape, 'apiserver_flowcontrol_rejected_requests_total', 'priority_level', secs));
      snap.waitP99Seconds = r(quantileBetween(prev.scrape, scrape, 'apiserver_flowcontrol_request_wait_duration_seconds', 0.99));
      snap.readP99Seconds = r(maxQuantile(prev.scrape, scrape, READ_VERBS));
      snap.mutatingP99Seconds = r(maxQuantile(prev.scrape, scrape, MUTATING_VERBS));
      // Who loads it, on any cluster: requests dispatched and rejected per APF flow schema.
      const dispatched = rateBy(prev.scrape, scrape, 'apiserver_flowcontrol_dispatched_requests_total', 'flow_schema', secs);
      const rejected = rateBy(prev.scrape, scrape, 'apiserver_flowcontrol_rejected_requests_total', 'flow_schema', secs);
      const levelOf = new Map<string, string>();
      for (const x of scrape.get('apiserver_flowcontrol_dispatched_requests_total') ?? []) levelOf.set(x.labels.flow_schema ?? '', x.labels.priority_level ?? '');
      const rows = Object.keys({ ...dispatched, ...rejected })
        .map((fs) => ({ flowSchema: fs, priorityLevel: levelOf.get(fs) ?? '', perSecond: (dispatched[fs] ?? 0) + (rejected[fs] ?? 0), rejectedPerSecond: rejected[fs] ?? 0 }))
        .filter((x) => x.perSecond > 0)
        .sort((a, b) => b.perSecond - a.perSecond)
        .slice(0, 5);
      if (rows.length) snap.loadByFlowSchema = r(rows);
    }
    this.prevScrape = { scrape, at };
  }
}

function maxQuantile(prev: Scrape, cur: Scrape, verbs: string[]): number | undefined {
  let m: number | undefined;
  for (const verb of verbs) {
    const q = quantileBetween(prev, cur, 'apiserver_request_duration_seconds', 0.99, { verb });
    if (q !== undefined) m = Math.max(m ?? 0, q);
  }
  return m;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function readNodeSample(snap: HealthSnapshot, body: string, at: number, source: string): void {
  try {
    const t = JSON.parse(body) as { kind?: string; columnDefinitions?: { name: string }[]; rows?: { cells: unknown[] }[]; items?: { status?: { conditions?: { type: string; status: string }[] } }[]; metadata?: { remainingItemCount?: number } };
    let ready = 0;
    let sampled = 0;
    if (t.kind === 'Table' && t.columnDefinitions && t.rows) {
      const col = t.columnDefinitions.findIndex((c) => c.name.toLowerCase() === 'status');
      for (const row of t.rows) {
        sampled++;
        const s = String(row.cells[col] ?? '');
        if (/(^|,)Ready(,|$)/.test(s)) ready++;
      }
    } else if (t.items) {
      for (const n of t.items) {
        sampled++;
        if (n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready++;
      }
    }
    const total = sampled + (t.metadata?.remainingItemCount ?? 0);
    snap.nodesReadySample = { value: { ready, sampled, total }, source, at };
  } catch {
    /* not JSON: keep the previous reading */
  }
}

function dnsPortCount(body: string): number {
  try {
    const svc = JSON.parse(body) as { spec?: { ports?: unknown[] } };
    return Math.max(1, svc.spec?.ports?.length ?? 1);
  } catch {
    return 1;
  }
}

/** Ready addresses from an Endpoints Table row: "a:53,b:53,c:53 + N more..." lists address × port pairs. */
function readDns(snap: HealthSnapshot, body: string, ports: number, at: number, source: string): void {
  try {
    const t = JSON.parse(body) as { kind?: string; columnDefinitions?: { name: string }[]; rows?: { cells: unknown[] }[]; subsets?: { addresses?: unknown[] }[] };
    let ready = 0;
    if (t.kind === 'Table' && t.columnDefinitions && t.rows?.length) {
      const col = t.columnDefinitions.findIndex((c) => c.name.toLowerCase() === 'endpoints');
      const cell = String(t.rows[0].cells[col] ?? '');
      if (cell && cell !== '<none>') {
        const m = / \+ (\d+) more\.\.\.$/.exec(cell);
        const listed = cell.replace(/ \+ \d+ more\.\.\.$/, '').split(',').filter(Boolean).length;
        ready = Math.round((listed + (m ? Number(m[1]) : 0)) / ports);
      }
    } else {
      for (const sub of t.subsets ?? []) ready += sub.addresses?.length ?? 0;
    }
    snap.dnsReadyAddresses = { value: ready, source, at };
  } catch {
    /* keep the previous reading */
  }
}

function readClients(snap: HealthSnapshot, body: string, at: number, source: string): void {
  try {
    const c = JSON.parse(body) as { clients?: { userAgent: string; user: string; requestsLastMinute: number }[] };
    const top = [...(c.clients ?? [])].sort((a, b) => b.requestsLastMinute - a.requestsLastMinute).slice(0, 5);
    snap.topClients = { value: top.map((x) => ({ userAgent: x.userAgent, user: x.user, requestsLastMinute: x.requestsLastMinute })), source, at };
  } catch {
    /* keep the previous reading */
  }
}

/** The state in one word and one line. */
export function classify(s: HealthSnapshot, failure: Backoff | undefined): { state: HealthState; summary: string } {
  const through = s.via?.fallback ? ` (through ${s.via.path})` : '';
  if (failure && !failure.reachable) return { state: 'unreachable', summary: `API server unreachable on every path (${failure.message})${through}; last values shown greyed with their age — use the runbook's break-glass steps` };
  if (failure) return { state: 'saturated', summary: `API server is shedding load (${failure.message})${through}; backing off` };
  const reasons: string[] = [];
  const rejected = Object.values(s.rejectedPerSecondByLevel?.value ?? {}).reduce((a, b) => a + b, 0);
  const queued = Object.values(s.queuedByLevel?.value ?? {}).reduce((a, b) => a + b, 0);
  if (s.readyz && !s.readyz.value.ok) reasons.push(`readyz failing (${s.readyz.value.failed.join(', ') || 'unknown check'})`);
  if (rejected > 0) reasons.push(`rejecting ${rejected.toFixed(1)} req/s (429)`);
  if (s.inflight && s.limit && s.limit.value > 0 && s.inflight.value >= 0.9 * s.limit.value) reasons.push(`in-flight ${Math.round(s.inflight.value)} of ${Math.round(s.limit.value)}`);
  // Read through the break-glass path because ordinary requests were shed or not answered.
  if (s.via?.fallback && s.ordinaryFailure) reasons.push(`ordinary path ${s.ordinaryFailure.path}: ${s.ordinaryFailure.error}`);
  if (reasons.length) return { state: 'saturated', summary: `saturated: ${reasons.join('; ')}${through}` };
  const soft: string[] = [];
  if ((s.readP99Seconds?.value ?? 0) > 1) soft.push(`read p99 ${s.readP99Seconds!.value.toFixed(1)}s`);
  if ((s.mutatingP99Seconds?.value ?? 0) > 1) soft.push(`write p99 ${s.mutatingP99Seconds!.value.toFixed(1)}s`);
  if (queued > 0 && (s.waitP99Seconds?.value ?? 0) > 0.5) soft.push(`${Math.round(queued)} queued, wait p99 ${s.waitP99Seconds!.value.toFixed(1)}s`);
  if (s.dnsReadyAddresses && s.dnsReadyAddresses.value === 0) soft.push('no ready DNS endpoints');
  if (s.dnsServfailRatio && s.dnsServfailRatio.value > 0.05) soft.push(`${(s.dnsServfailRatio.value * 100).toFixed(0)}% of DNS answers SERVFAIL`);
  const ns = s.nodesReadySample?.value;
  if (ns && ns.sampled > 0 && ns.ready < 0.9 * ns.sampled) soft.push(`${ns.sampled - ns.ready} of ${ns.sampled} sampled nodes NotReady`);
  if (soft.length) return { state: 'degraded', summary: `degraded: ${soft.join('; ')}` };
  return { state: 'healthy', summary: 'healthy: API server ready, no rejections, latencies normal' };
}

/** One poller per cluster, shared by every view that shows it. */
export class PollerRegistry {
  private readonly pollers = new Map<string, HealthPoller>();
  get(key: string, make: () => HealthPoller): HealthPoller {
    let p = this.pollers.get(key);
    if (!p) {
      p = make();
      this.pollers.set(key, p);
    }
    return p;
  }
  get size(): number {
    return this.pollers.size;
  }
}
