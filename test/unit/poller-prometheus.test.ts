import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthPoller } from '../../src/cluster/poller';
import { PrometheusSource } from '../../src/cluster/prometheus';
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
      assert.equal(prom.queries.length, 8);
      assert.equal(p.latest.state, 'unreachable');
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
