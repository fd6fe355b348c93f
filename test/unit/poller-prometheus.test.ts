import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthPoller } from '../../src/cluster/poller';
import { PrometheusSource } from '../../src/cluster/prometheus';
import { isStale } from '../../src/views/healthView';
import { RequestTimeout, type ApiResponse, type Requester } from '../../src/cluster/connection';

/** A Prometheus query API stand-in answering the panel's four queries. */
function prometheus(values: Record<string, number>): Promise<{ url: string; queries: string[]; close(): void }> {
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    queries.push(q);
    const key = Object.keys(values).find((k) => q.includes(k));
    const result = key === undefined ? [] : [{ metric: {}, value: [Date.now() / 1000, String(values[key])] }];
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries, close: () => server.close() })));
}

class Api implements Requester {
  readonly label = 'api';
  calls: string[] = [];
  down = false;
  get(path: string): Promise<ApiResponse> {
    this.calls.push(path);
    if (this.down) return Promise.reject(new RequestTimeout(path, 5000));
    const body = path.startsWith('/readyz') ? '[+]ping ok\nreadyz check passed\n' : path === '/metrics' ? 'apiserver_current_inflight_requests 1\n' : '{}';
    return Promise.resolve({ status: 200, headers: {}, body, bytes: body.length, ms: 1 });
  }
}

describe('health poller with Prometheus', () => {
  it('takes nodes and DNS from Prometheus first and spends no API-server request on them', async () => {
    const prom = await prometheus({ 'condition="Ready"': 4990, kube_node_info: 5000, 'rcode="SERVFAIL"': 30, 'coredns_dns_responses_total[2m]': 100 });
    try {
      const api = new Api();
      let t = 1e12;
      const p = new HealthPoller(api, { prometheus: new PrometheusSource(prom.url), now: () => t });
      const s = await p.pollOnce();
      assert.deepEqual(s.nodesReadySample?.value, { ready: 4990, sampled: 5000, total: 5000 });
      assert.match(s.nodesReadySample!.source, /^Prometheus /);
      assert.equal(s.dnsServfailRatio?.value, 0.3);
      assert.equal(s.state, 'degraded');
      assert.match(s.summary, /30% of DNS answers SERVFAIL/);
      assert.deepEqual(api.calls, ['/readyz?verbose', '/metrics'], 'no node page, no DNS endpoints from the API server');
      assert.equal(prom.queries.length, 4);
      // The API server stops answering: Prometheus still does.
      api.down = true;
      // Polls 15 s apart: nodes and DNS are read once a minute.
      for (let i = 0; i < 4; i++) {
        t += 15_000;
        await p.pollOnce();
      }
      // Nodes and DNS once a minute; and, in each poll the API server did not answer, its load.
      assert.equal(prom.queries.filter((q) => /kube_node|coredns/.test(q)).length, 8);
      assert.equal(prom.queries.filter((q) => /apiserver_/.test(q)).length, 4 * 3);
      assert.equal(p.latest.state, 'unreachable');
    } finally {
      prom.close();
    }
  });
  it('when no path to the API server answers, reads its load and 429s from Prometheus, current, and the rest as old', async () => {
    const prom = await prometheus({ 'sum(apiserver_current_inflight_requests)': 598, apiserver_flowcontrol_current_limit_seats: 600, apiserver_flowcontrol_rejected_requests_total: 850 });
    try {
      const api = new Api();
      let t = 1e12;
      const p = new HealthPoller(api, { prometheus: new PrometheusSource(prom.url), now: () => t });
      const first = await p.pollOnce();
      assert.equal(first.inflight?.source, '/metrics via api');
      api.down = true;
      t += 15_000;
      const s = await p.pollOnce();
      assert.equal(s.state, 'unreachable');
      assert.match(s.summary, /load and 429s from http:\/\/127\.0\.0\.1:/);
      assert.deepEqual([s.inflight?.value, s.limit?.value, s.rejectedPerSecondByLevel?.value], [598, 600, { 'all levels': 850 }]);
      assert.match(s.inflight!.source, /^Prometheus http:\/\/127\.0\.0\.1:\d+ \(apiserver_current_inflight_requests\)$/);
      assert.equal(isStale(s.inflight!, s, t), false, 'read in this poll from an independent source: current');
      assert.equal(isStale(s.readyz!, s, t), true, 'readyz from the earlier poll: old');
      assert.ok(s.lastAnswer && s.lastAnswer.at < s.at, 'Prometheus is not an answer from the API server');
    } finally {
      prom.close();
    }
  });

  it('falls back to the API server when Prometheus cannot answer', async () => {
    const api = new Api();
    const p = new HealthPoller(api, { prometheus: new PrometheusSource('http://127.0.0.1:1', 1000), now: () => 1e12 });
    await p.pollOnce();
    assert.ok(api.calls.some((c) => c.startsWith('/api/v1/nodes?limit=50')));
    assert.throws(() => new PrometheusSource('ftp://x'), /http/);
  });
});
