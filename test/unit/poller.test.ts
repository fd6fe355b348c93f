import assert from 'node:assert/strict';
import { HealthPoller, PollerRegistry } from '../../src/cluster/poller';
import { RequestTimeout, type ApiResponse, type Requester } from '../../src/cluster/connection';
import { EXEMPT_PLC_PATH, PL_UID_HEADER } from '../../src/cluster/breakglass-context';

/** A scripted API server: each path answers from the current script. */
class Scripted implements Requester {
  constructor(readonly label = 'test') {}
  calls: string[] = [];
  mode: 'healthy' | 'saturated' | 'down' | 'notready' = 'healthy';
  requestsTotal = 0;
  get(path: string): Promise<ApiResponse> {
    this.calls.push(path);
    this.requestsTotal++;
    const r = (status: number, body: string, headers: Record<string, string> = {}): Promise<ApiResponse> => Promise.resolve({ status, body, headers, bytes: body.length, ms: 1 });
    if (this.mode === 'down') return Promise.reject(new RequestTimeout(path, 5000));
    if (this.mode === 'saturated') return r(429, '{"kind":"Status","code":429}', { 'retry-after': '3' });
    if (path.startsWith('/readyz')) return this.mode === 'notready' ? r(500, '[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n') : r(200, '[+]ping ok\n[+]etcd ok\nreadyz check passed\n');
    if (path === '/metrics') {
      const n = this.requestsTotal;
      return r(200, `apiserver_current_inflight_requests{request_kind="readOnly"} 10\napiserver_flowcontrol_nominal_limit_seats{priority_level="global-default"} 600\napiserver_flowcontrol_rejected_requests_total{priority_level="global-default",flow_schema="global-default",reason="queue-full"} 0\napiserver_storage_objects{resource="nodes"} 5000\napiserver_storage_objects{resource="pods"} 150000\napiserver_request_duration_seconds_bucket{verb="LIST",le="0.1"} ${n}\napiserver_request_duration_seconds_bucket{verb="LIST",le="+Inf"} ${n}\n`);
    }
    if (path.startsWith('/api/v1/nodes')) return r(200, JSON.stringify({ kind: 'Table', columnDefinitions: [{ name: 'Name' }, { name: 'Status' }], rows: Array.from({ length: 100 }, (_, i) => ({ cells: [`node-${i}`, i < 97 ? 'Ready' : 'NotReady'] })), metadata: { remainingItemCount: 4900 } }));
    if (path === '/api/v1/namespaces/kube-system/services/kube-dns') return r(200, JSON.stringify({ kind: 'Service', spec: { ports: [{ port: 53 }, { port: 53 }, { port: 9153 }] } }));
    if (path.startsWith('/api/v1/namespaces/kube-system/endpoints/kube-dns')) return r(200, JSON.stringify({ kind: 'Table', columnDefinitions: [{ name: 'Name' }, { name: 'Endpoints' }], rows: [{ cells: ['kube-dns', '10.0.0.10:53,10.0.0.11:53,10.0.0.10:53 + 3 more...'] }] }));
    return r(404, '{}');
  }
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('health poller', () => {
  it('reads every signal with its source, and stays within its request budget', async () => {
    const api = new Scripted();
    const c = clock();
    const p = new HealthPoller(api, { now: c.now, random: () => 0.5 });
    let s = await p.pollOnce();
    assert.equal(s.state, 'healthy', s.summary);
    assert.deepEqual(s.nodesReadySample?.value, { ready: 97, sampled: 100, total: 5000 });
    assert.equal(s.nodesReadySample?.source, 'GET /api/v1/nodes?limit=50 (a sample) via test');
    assert.equal(s.dnsReadyAddresses?.value, 2);
    assert.equal(s.nodes?.value, 5000);
    assert.equal(s.readyz?.value.ok, true);
    // Ten minutes of polls every 15 s: never more than 12 requests in any minute.
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      c.advance(15_000);
      const before = api.calls.length;
      s = await p.pollOnce();
      for (let k = before; k < api.calls.length; k++) times.push(c.now());
    }
    for (const t of times) assert.ok(times.filter((x) => x > t - 60_000 && x <= t).length <= 12);
    assert.ok(api.calls.every((path) => !/nodes(\?|$)/.test(path) || path.includes('limit=50')), 'no unbounded LIST');
    assert.equal(s.cost.requests, api.calls.length);
  });

  it('turns saturated on 429, backs off with jitter honouring Retry-After, and recovers', async () => {
    const api = new Scripted();
    const c = clock();
    const p = new HealthPoller(api, { now: c.now, random: () => 0.5 });
    await p.pollOnce();
    api.mode = 'saturated';
    const s = await p.pollOnce();
    assert.equal(s.state, 'saturated');
    assert.match(s.summary, /429/);
    assert.equal(s.nodes?.value, 5000, 'last values are kept');
    // After a 429 the poll stops at once: one request, not the whole round.
    const before = api.calls.length;
    await p.pollOnce();
    assert.equal(api.calls.length - before, 1);
    api.mode = 'healthy';
    c.advance(60_000);
    assert.equal((await p.pollOnce()).state, 'healthy');
  });

  it('reports an unreachable API server and says what to do', async () => {
    const api = new Scripted();
    api.mode = 'down';
    const p = new HealthPoller(api, { now: clock().now });
    const s = await p.pollOnce();
    assert.equal(s.state, 'unreachable');
    assert.match(s.summary, /break-glass/);
  });

  it('says which readyz check fails', async () => {
    const api = new Scripted();
    api.mode = 'notready';
    const s = await new HealthPoller(api, { now: clock().now }).pollOnce();
    assert.equal(s.state, 'saturated');
    assert.match(s.summary, /readyz failing \(etcd\)/);
  });

  it('polls only while someone watches, and shares one poller per cluster', async () => {
    const api = new Scripted();
    const reg = new PollerRegistry();
    const make = () => new HealthPoller(api, { intervalMs: 60_000 });
    const a = reg.get('ctx', make);
    const b = reg.get('ctx', make);
    assert.equal(a, b);
    assert.equal(reg.size, 1);
    const seen: string[] = [];
    const s1 = a.subscribe((s) => seen.push(`1:${s.state}`));
    const s2 = b.subscribe((s) => seen.push(`2:${s.state}`));
    await new Promise((r) => setTimeout(r, 50));
    const calls = api.calls.length;
    assert.ok(calls >= 2 && calls <= 5, `one poll for two watchers (${calls} requests)`);
    s1.dispose();
    s2.dispose();
    assert.equal(a.watchers, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(api.calls.length, calls, 'nothing polls while nobody watches');
  });

  it('reads through the break-glass context while the ordinary one is shed, names it, and goes back when it answers', async () => {
    const EXEMPT_UID = 'uid-exempt';
    /** The same server through an identity APF exempts: every answer lands in the exempt level. */
    class Exempt extends Scripted {
      landed = EXEMPT_UID;
      override get(path: string): Promise<ApiResponse> {
        if (path === EXEMPT_PLC_PATH) {
          this.calls.push(path);
          const body = JSON.stringify({ kind: 'PriorityLevelConfiguration', metadata: { name: 'exempt', uid: EXEMPT_UID } });
          return Promise.resolve({ status: 200, body, headers: { [PL_UID_HEADER]: this.landed }, bytes: body.length, ms: 1 });
        }
        return super.get(path).then((r) => ({ ...r, headers: { ...r.headers, [PL_UID_HEADER]: this.landed } }));
      }
    }
    const api = new Scripted('prod');
    const bg = new Exempt('prod-breakglass');
    const c = clock();
    const p = new HealthPoller(api, { fallback: bg, now: c.now, random: () => 0.5 });
    let s = await p.pollOnce();
    assert.deepEqual(s.via, { path: 'prod', fallback: false });
    assert.equal(s.readyz?.source, '/readyz?verbose via prod');
    assert.equal(bg.calls.length, 0, 'the break-glass path is not used while the ordinary one answers');

    api.mode = 'saturated';
    c.advance(15_000);
    s = await p.pollOnce();
    assert.equal(s.error, undefined, 'the poll answered');
    assert.deepEqual(s.via, { path: 'prod-breakglass (exempt)', fallback: true });
    assert.equal(s.readyz?.at, s.at);
    assert.equal(s.readyz?.source, '/readyz?verbose via prod-breakglass (exempt)');
    assert.equal(s.inflight?.source, '/metrics via prod-breakglass (exempt)');
    assert.equal(s.state, 'saturated');
    assert.match(s.summary, /ordinary path prod: \/readyz\?verbose answered 429/);
    assert.equal(s.ordinaryFailure?.path, 'prod');
    assert.deepEqual(s.lastAnswer, { at: s.at, via: 'prod-breakglass (exempt)' });
    assert.ok(bg.calls.includes(EXEMPT_PLC_PATH), 'the exempt level is checked once');

    // While the ordinary path backs off (Retry-After 3 s, backoff 30 s × jitter), it is not asked.
    const ordinaryBefore = api.calls.length;
    c.advance(15_000);
    s = await p.pollOnce();
    assert.equal(api.calls.length, ordinaryBefore, 'the ordinary path is left alone while it backs off');
    assert.equal(s.via?.fallback, true);
    assert.equal(bg.calls.filter((x) => x === EXEMPT_PLC_PATH).length, 1, 'checked once only');

    // The ordinary path answers again: the next probe finds it, and the poller goes back to it.
    api.mode = 'healthy';
    for (let i = 0; i < 8 && p.latest.via?.fallback; i++) {
      c.advance(15_000);
      await p.pollOnce();
    }
    assert.deepEqual(p.latest.via, { path: 'prod', fallback: false });
    assert.equal(p.latest.state, 'healthy', p.latest.summary);
    assert.equal(p.latest.ordinaryFailure, undefined);
  });

  it('says when the break-glass context is not exempt after all, and when no path answers', async () => {
    const api = new Scripted('prod');
    api.mode = 'saturated';
    class NotExempt extends Scripted {
      override get(path: string): Promise<ApiResponse> {
        if (path === EXEMPT_PLC_PATH) {
          this.calls.push(path);
          const body = JSON.stringify({ metadata: { uid: 'uid-exempt' } });
          return Promise.resolve({ status: 200, body, headers: { [PL_UID_HEADER]: 'uid-global-default' }, bytes: body.length, ms: 1 });
        }
        return super.get(path);
      }
    }
    const bg = new NotExempt('prod-admin');
    const c = clock();
    const p = new HealthPoller(api, { fallback: bg, now: c.now, random: () => 0.5 });
    let s = await p.pollOnce();
    assert.equal(s.via?.path, 'prod-admin (break-glass, not exempt)');
    bg.mode = 'down';
    c.advance(60_000);
    s = await p.pollOnce();
    assert.equal(s.state, 'unreachable');
    assert.match(s.summary, /unreachable on every path/);
    assert.ok(s.error && /through prod-admin/.test(s.error), s.error);
    assert.ok(s.lastAnswer && s.lastAnswer.at < s.at, 'the last answer is the earlier poll');
  });

  it('takes a break-glass path given later (the setting changed) on its next poll', async () => {
    const api = new Scripted('prod');
    api.mode = 'saturated';
    const c = clock();
    const p = new HealthPoller(api, { now: c.now, random: () => 0.5 });
    assert.equal((await p.pollOnce()).error, '/readyz?verbose answered 429');
    p.setFallback(new Scripted('prod-admin'));
    c.advance(120_000);
    const s = await p.pollOnce();
    assert.equal(s.error, undefined);
    assert.equal(s.via?.fallback, true);
    assert.match(s.via?.path ?? '', /^prod-admin /);
  });
});
