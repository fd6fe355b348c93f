// The health panels' part of the webview protocol: what the pages accept from the extension, and
// what the extension accepts from them.
import assert from 'node:assert/strict';
import type { HealthSnapshot } from '../../src/cluster/poller';
import { MAX_COMPARED, parseHealthClusters, parseHealthSnapshot, parseHealthToHost, parseHealthToWebview } from '../../src/views/messages/health';
import { parseToHost, parseToWebview } from '../../src/views/messages/runbook';

const AT = 1_700_000_000_000;

function snapshot(over: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    at: AT,
    state: 'healthy',
    summary: 'healthy: API server ready, no rejections, latencies normal',
    cost: { requests: 5, bytes: 12_345 },
    readyz: { value: { ok: true, failed: [] }, source: '/readyz?verbose', at: AT },
    inflight: { value: 3, source: '/metrics', at: AT },
    limit: { value: 600, source: '/metrics', at: AT },
    queuedByLevel: { value: { 'global-default': 0 }, source: '/metrics', at: AT },
    rejectedPerSecondByLevel: { value: { 'global-default': 0, workload: 1.5 }, source: '/metrics', at: AT },
    readP99Seconds: { value: 0.05, source: '/metrics', at: AT },
    mutatingP99Seconds: { value: 0.1, source: '/metrics', at: AT },
    nodes: { value: 10, source: '/metrics', at: AT },
    pods: { value: 300, source: '/metrics', at: AT },
    nodesReadySample: { value: { ready: 10, sampled: 10, total: 10 }, source: 'GET /api/v1/nodes?limit=100 (a sample)', at: AT },
    dnsReadyAddresses: { value: 2, source: 'EndpointSlices of kube-system/kube-dns', at: AT },
    topClients: { value: [{ userAgent: 'kubectl/v1.31', user: 'sim-user', requestsLastMinute: 4 }], source: '/sim/v1/clients', at: AT },
    ...over,
  };
}

describe('health messages', () => {
  it('a full snapshot survives the round trip unchanged', () => {
    const s = snapshot();
    assert.deepEqual(parseHealthSnapshot(JSON.parse(JSON.stringify(s))), s);
    assert.deepEqual(parseHealthToWebview({ type: 'health', panel: 'main', sentAt: AT, snapshot: s }), { type: 'health', panel: 'main', sentAt: AT, snapshot: s });
  });

  it('keeps the error of a failed poll, and a snapshot with no readings at all', () => {
    const s: HealthSnapshot = { at: AT, state: 'unreachable', summary: 'API server unreachable', error: 'no answer within 5s', cost: { requests: 0, bytes: 0 } };
    assert.deepEqual(parseHealthSnapshot(s), s);
  });

  it('drops what is not part of a snapshot, and malformed optional readings', () => {
    const raw = { ...snapshot(), extra: '<script>', inflight: { value: 'many', source: '/metrics', at: AT }, limit: { value: 600, source: 42, at: AT } };
    const s = parseHealthSnapshot(raw)!;
    assert.ok(s);
    assert.equal((s as unknown as Record<string, unknown>).extra, undefined);
    assert.equal(s.inflight, undefined);
    assert.equal(s.limit, undefined);
    assert.equal(s.readyz?.value.ok, true);
    // Nested values are rebuilt, not passed through.
    const withMore = parseHealthSnapshot({ ...snapshot(), topClients: { value: [{ userAgent: 'a', user: 'b', requestsLastMinute: 1, token: 'secret' }], source: '/sim/v1/clients', at: AT } })!;
    assert.deepEqual(withMore.topClients?.value, [{ userAgent: 'a', user: 'b', requestsLastMinute: 1 }]);
  });

  it('rejects snapshots whose core is malformed', () => {
    for (const bad of [
      null, [], 'healthy', {},
      { ...snapshot(), state: 'on fire' },
      { ...snapshot(), at: 'now' },
      { ...snapshot(), at: Number.NaN },
      { ...snapshot(), summary: 42 },
      { ...snapshot(), summary: 'x'.repeat(5000) },
      { ...snapshot(), cost: { requests: 1 } },
      { ...snapshot(), cost: undefined },
    ]) assert.equal(parseHealthSnapshot(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
  });

  it('checks the panel name, the clock and every snapshot of a history', () => {
    const ok = { type: 'healthHistory', panel: 'detect-overload', sentAt: AT, snapshots: [snapshot(), snapshot({ at: AT + 15_000 })] };
    assert.equal((parseHealthToWebview(ok) as { snapshots: unknown[] }).snapshots.length, 2);
    assert.equal(parseHealthToWebview({ ...ok, panel: '../x' }), undefined);
    assert.equal(parseHealthToWebview({ ...ok, panel: 'a b' }), undefined);
    assert.equal(parseHealthToWebview({ ...ok, sentAt: '1' }), undefined);
    assert.equal(parseHealthToWebview({ ...ok, snapshots: [snapshot(), { state: 'healthy' }] }), undefined);
    assert.equal(parseHealthToWebview({ ...ok, snapshots: new Array(1001).fill(snapshot()) }), undefined);
    assert.equal(parseHealthToWebview({ type: 'health', panel: 'main', snapshot: snapshot() }), undefined, 'sentAt is required');
  });

  it('checks what a panel watches', () => {
    const t = { type: 'healthTarget', panel: 'main', target: { status: 'watching', label: 'SIMULATED: staging (context sim)', simulated: true, budgetPerMinute: 12 } };
    assert.deepEqual(parseHealthToWebview(t), t);
    const none = { type: 'healthTarget', panel: 'main', target: { status: 'none', label: 'SIMULATED', simulated: true, message: 'No simulated cluster is configured.' } };
    assert.deepEqual(parseHealthToWebview(none), none);
    for (const bad of [
      { ...t, target: { ...t.target, status: 'polling' } },
      { ...t, target: { ...t.target, simulated: 'yes' } },
      { ...t, target: { ...t.target, message: 7 } },
      { ...t, target: { ...t.target, budgetPerMinute: 'lots' } },
      { ...t, target: undefined },
    ]) assert.equal(parseHealthToWebview(bad), undefined, JSON.stringify(bad));
  });

  it('the Runbook view accepts health messages too, through the same checks', () => {
    assert.ok(parseToWebview({ type: 'health', panel: 'step-1', sentAt: AT, snapshot: snapshot() }));
    assert.equal(parseToWebview({ type: 'health', panel: 'step-1', sentAt: AT, snapshot: { ...snapshot(), state: 'fine' } }), undefined);
    assert.equal(parseToWebview({ type: 'healthTarget', panel: 'step-1' }), undefined);
  });

  it('pages may ask to open only the Breakglass settings a panel talks about', () => {
    assert.deepEqual(parseToHost({ type: 'openSetting', setting: 'breakglass.simulatedKubeconfig' }), { type: 'openSetting', setting: 'breakglass.simulatedKubeconfig' });
    assert.deepEqual(parseHealthToHost({ type: 'openSetting', setting: 'breakglass.prometheusUrl' }), { type: 'openSetting', setting: 'breakglass.prometheusUrl' });
    for (const bad of [{ type: 'openSetting' }, { type: 'openSetting', setting: 'terminal.integrated.shell.linux' }, { type: 'openSetting', setting: 3 }]) {
      assert.equal(parseToHost(bad), undefined, JSON.stringify(bad));
    }
  });

  it('a standalone health page may not run steps', () => {
    assert.deepEqual(parseHealthToHost({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseHealthToHost({ type: 'openLink', href: 'https://kubernetes.io' }), { type: 'openLink', href: 'https://kubernetes.io' });
    for (const m of [{ type: 'run', stepId: 'a' }, { type: 'runAll' }, { type: 'cancelAll' }, { type: 'reveal', line: 1 }]) assert.equal(parseHealthToHost(m), undefined, JSON.stringify(m));
  });
});

describe('health messages: paths and the cluster picker', () => {
  it('keeps the path, the ordinary path\'s failure and the last answer of a snapshot, and drops malformed ones', () => {
    const s = parseHealthSnapshot({
      ...snapshot(),
      via: { path: 'prod-east-breakglass (exempt)', fallback: true },
      ordinaryFailure: { path: 'prod-east', error: '/readyz?verbose answered 429', at: AT - 1000 },
      lastAnswer: { at: AT, via: 'prod-east-breakglass (exempt)' },
    });
    assert.deepEqual(s?.via, { path: 'prod-east-breakglass (exempt)', fallback: true });
    assert.deepEqual(s?.ordinaryFailure, { path: 'prod-east', error: '/readyz?verbose answered 429', at: AT - 1000 });
    assert.deepEqual(s?.lastAnswer, { at: AT, via: 'prod-east-breakglass (exempt)' });
    const bad = parseHealthSnapshot({ ...snapshot(), via: { path: 3, fallback: 'yes' }, lastAnswer: { at: 'now' } });
    assert.ok(bad && bad.via === undefined && bad.lastAnswer === undefined);
  });

  it('the page may ask for one to three clusters; the list it gets is checked', () => {
    assert.deepEqual(parseHealthToHost({ type: 'healthChoose', contexts: ['staging', 'prod-east', 'staging'] }), { type: 'healthChoose', contexts: ['staging', 'prod-east'] });
    assert.equal(parseHealthToHost({ type: 'healthChoose', contexts: [] }), undefined);
    assert.equal(parseHealthToHost({ type: 'healthChoose', contexts: Array.from({ length: MAX_COMPARED + 1 }, (_, i) => `c${i}`) }), undefined);
    assert.equal(parseHealthToHost({ type: 'healthChoose', contexts: [7] }), undefined);
    const ok = { type: 'healthClusters', choices: [{ context: 'staging', cluster: 'staging' }], panels: [{ id: 'main', context: 'staging' }] };
    assert.deepEqual(parseHealthClusters(ok), ok);
    assert.equal(parseHealthClusters({ ...ok, panels: [{ id: '../x' }] }), undefined, 'panel ids are step-id-like');
    assert.equal(parseHealthClusters({ ...ok, panels: [] }), undefined);
  });
});
