import assert from 'node:assert/strict';
import { parsePrometheusText, quantileBetween, rate, rateBy, sum, sumBy } from '../../src/cluster/prom';

const scrape1 = `# HELP apiserver_request_total Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",resource="pods",verb="LIST"} 100
apiserver_request_total{code="429",resource="pods",verb="LIST"} 10
apiserver_request_total{code="200",resource="nodes",verb="GET"} 50
# TYPE apiserver_request_duration_seconds histogram
apiserver_request_duration_seconds_bucket{verb="GET",le="0.1"} 90
apiserver_request_duration_seconds_bucket{verb="GET",le="1"} 100
apiserver_request_duration_seconds_bucket{verb="GET",le="+Inf"} 100
apiserver_request_duration_seconds_sum{verb="GET"} 5
apiserver_request_duration_seconds_count{verb="GET"} 100
apiserver_request_duration_seconds_bucket{verb="LIST",le="0.1"} 0
apiserver_request_duration_seconds_bucket{verb="LIST",le="1"} 10
apiserver_request_duration_seconds_bucket{verb="LIST",le="+Inf"} 10
apiserver_flowcontrol_current_inqueue_requests{flow_schema="global-default",priority_level="global-default"} 7
weird{path="C:\\\\DIR\\"x\\"\\nnext"} 1.5e3 1395066363000
broken{a="b" 3
process_resident_memory_bytes 2.5e+09
`;
const scrape2 = scrape1
  .replace('verb="LIST"} 100', 'verb="LIST"} 160')
  .replace('code="429",resource="pods",verb="LIST"} 10', 'code="429",resource="pods",verb="LIST"} 70')
  .replace('{verb="LIST",le="0.1"} 0', '{verb="LIST",le="0.1"} 0')
  .replace('{verb="LIST",le="1"} 10', '{verb="LIST",le="1"} 20')
  .replace('{verb="LIST",le="+Inf"} 10', '{verb="LIST",le="+Inf"} 110');

describe('Prometheus text format', () => {
  it('parses samples, labels with escapes, exponents and skips broken lines', () => {
    const s = parsePrometheusText(scrape1);
    assert.equal(sum(s, 'apiserver_request_total'), 160);
    assert.equal(sum(s, 'apiserver_request_total', { verb: 'LIST' }), 110);
    assert.deepEqual(sumBy(s, 'apiserver_request_total', 'code'), { '200': 150, '429': 10 });
    assert.deepEqual(s.get('weird'), [{ labels: { path: 'C:\\DIR"x"\nnext' }, value: 1500 }]);
    assert.equal(s.get('broken'), undefined);
    assert.equal(sum(s, 'process_resident_memory_bytes'), 2.5e9);
    assert.equal(sum(s, 'absent'), undefined);
  });
  it('computes rates and quantiles from two scrapes', () => {
    const a = parsePrometheusText(scrape1);
    const b = parsePrometheusText(scrape2);
    assert.equal(rate(a, b, 'apiserver_request_total', 10, { code: '429' }), 6);
    assert.deepEqual(rateBy(a, b, 'apiserver_request_total', 'code', 10, { verb: 'LIST' }), { '200': 6, '429': 6 });
    // Between the scrapes LIST saw 100 requests: 10 under 1 s, 90 over it.
    assert.equal(quantileBetween(a, b, 'apiserver_request_duration_seconds', 0.99, { verb: 'LIST' }), 1);
    assert.equal(quantileBetween(a, b, 'apiserver_request_duration_seconds', 0.05, { verb: 'LIST' }), 0.55);
    // Nothing new for GET: no quantile.
    assert.equal(quantileBetween(a, b, 'apiserver_request_duration_seconds', 0.99, { verb: 'GET' }), undefined);
    // From a single scrape: since the server started.
    assert.ok(Math.abs(quantileBetween(undefined, a, 'apiserver_request_duration_seconds', 0.5, { verb: 'GET' })! - 0.0556) < 0.001);
  });
  it('treats a counter reset as a restart from zero', () => {
    const a = parsePrometheusText('x_total 100\n');
    const b = parsePrometheusText('x_total 30\n');
    assert.equal(rate(a, b, 'x_total', 10), 3);
  });
});
