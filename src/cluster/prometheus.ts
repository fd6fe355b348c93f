// An optional source that does not depend on the API server at all: Prometheus's HTTP query API.
// When it answers, the health panels take node readiness and DNS failures from it first, and
// spend none of their API-server budget on them.
import * as http from 'node:http';
import * as https from 'node:https';

export interface PromVector {
  value: number;
}

export class PrometheusSource {
  requests = 0;
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    const u = new URL(baseUrl); // throws on a malformed URL: the caller reports it
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`Prometheus URL must be http(s): ${baseUrl}`);
  }

  /** One instant query; the sum of the returned vector, or undefined when it returned nothing. */
  query(expr: string): Promise<number | undefined> {
    const url = new URL('api/v1/query', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.searchParams.set('query', expr);
    this.requests++;
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).get(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { Accept: 'application/json', 'User-Agent': 'breakglass-health/0.1' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`Prometheus answered ${res.statusCode}`);
            const j = JSON.parse(body) as { status?: string; data?: { resultType?: string; result?: { value?: [number, string] }[] } };
            if (j.status !== 'success' || j.data?.resultType !== 'vector') throw new Error('Prometheus: not a vector result');
            const values = (j.data.result ?? []).map((r) => Number(r.value?.[1])).filter((v) => Number.isFinite(v));
            resolve(values.length ? values.reduce((a, b) => a + b, 0) : undefined);
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  }
}

/** The queries the panels use (kube-state-metrics and CoreDNS metric names). */
export const PROM_QUERIES = {
  nodesReady: 'sum(kube_node_status_condition{condition="Ready",status="true"})',
  nodesTotal: 'count(kube_node_info)',
  dnsServfail: 'sum(rate(coredns_dns_responses_total{rcode="SERVFAIL"}[2m]))',
  dnsTotal: 'sum(rate(coredns_dns_responses_total[2m]))',
  // The API servers' own load, as Prometheus last scraped it: read only when no path to the API
  // server answers (kube-apiserver metric names, k8s.io/apiserver pkg/endpoints/metrics and
  // pkg/util/flowcontrol/metrics).
  inflight: 'sum(apiserver_current_inflight_requests)',
  limitSeats: 'sum(apiserver_flowcontrol_current_limit_seats)',
  rejectedRate: 'sum(rate(apiserver_flowcontrol_rejected_requests_total[2m]))',
};
