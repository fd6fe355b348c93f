// The facilitator panel's protocol and view data: what the page accepts from the extension, what
// the extension accepts from the page, and the pure functions both sides draw with.
import assert from 'node:assert/strict';
import { parseTabletopToHost, parseTabletopToWebview, type TabletopStateView } from '../../src/views/messages/tabletop';
import { formatElapsed as fmtDur } from '../../src/common/duration';
import { appendReading, chartSeries, clockLabel, fmtClock, INJECTION_TITLES, injectionAction, markerView, readingView, scoresView, workloadsView } from '../../src/views/tabletopView';
import type { ScenarioWorkload } from '../../src/sim/scenario';
import type { Scores } from '../../src/tabletop/score';

const reading = (simT: number, load = 0.5) => ({
  simT,
  clusters: {
    'prod-east': { load, dnsSuccess: 1, errorRatio: 0.001, offendingRps: 120, rejectedPerSecond: 0, replicasReady: 3, replicas: 3, pending: 10 },
    staging: { load: 0.01, dnsSuccess: 1, errorRatio: 0, offendingRps: 1, rejectedPerSecond: 0, replicasReady: 3, replicas: 3, pending: 0 },
  },
});

function state(over: Partial<TabletopStateView> = {}): TabletopStateView {
  return {
    scenario: 'telemetry-rollout-2024-12-11',
    description: 'Telemetry DaemonSet rolled out',
    clusters: [
      { name: 'staging', nodes: 40 },
      { name: 'prod-east', nodes: 5000 },
    ],
    focus: 'prod-east',
    durationSeconds: 15720,
    recoveredErrorRatio: 0.01,
    running: true,
    kubeconfig: '/tmp/breakglass-tabletop-x/kubeconfig',
    workloads: [
      { namespace: 'monitoring', name: 'telemetry-agent', kind: 'DaemonSet' },
      { namespace: 'backup-system', name: 'backup-operator', kind: 'Deployment' },
    ],
    clock: { t: 125, speed: 30, paused: false },
    readings: [readingView(reading(0)), readingView(reading(15, 1.7))],
    events: [
      { simT: 0, cluster: 'prod-east', kind: 'deploy', detail: 'telemetry-agent rolling out' },
      { simT: 90, cluster: 'staging', kind: 'apiserver-down', detail: 'replica killed', injectedBy: 'alice' },
    ],
    markers: [{ simT: 100, n: 1, stepId: 'readyz', state: 'succeeded', runbook: 'api-server-overload.md' }],
    hints: { revealed: [{ after: 60, text: 'Look at the APF metrics' }], available: 0, total: 2 },
    scores: {
      impactAt: 60,
      impactCluster: 'prod-east',
      timeToDetect: 40,
      detectedBy: 'step readyz',
      recovered: false,
      clusters: [{ name: 'prod-east', impactedAt: 60 }],
      requests: { total: 4, whileSaturated: 2, refused: 1, exempt: 3 },
      referenceSeconds: 15720,
    },
    ...over,
  };
}

describe('facilitator messages to the page', () => {
  it('a whole state survives the round trip unchanged', () => {
    const s = state();
    assert.deepEqual(parseTabletopToWebview(JSON.parse(JSON.stringify({ type: 'ttState', state: s }))), { type: 'ttState', state: s });
    const ended = state({ running: false, report: '/w/.breakglass/reports/r.md' });
    delete ended.kubeconfig;
    assert.deepEqual(parseTabletopToWebview({ type: 'ttState', state: ended }), { type: 'ttState', state: ended });
  });

  it('rebuilds what it accepts: nothing else travels along', () => {
    const ev = { simT: 1, cluster: 'staging', kind: 'note', detail: '<img src=x onerror=alert(1)>', html: '<script>' };
    assert.deepEqual(parseTabletopToWebview({ type: 'ttEvent', event: ev, extra: 1 }), { type: 'ttEvent', event: { simT: 1, cluster: 'staging', kind: 'note', detail: '<img src=x onerror=alert(1)>' } });
    const r = parseTabletopToWebview({ type: 'ttReading', reading: { simT: 30, clusters: { staging: reading(0).clusters.staging } } });
    assert.deepEqual(r, { type: 'ttReading', reading: { simT: 30, clusters: { staging: readingView(reading(0)).clusters.staging } } });
    assert.equal('pending' in readingView(reading(0)).clusters.staging, false);
    const w = { namespace: 'monitoring', name: 'telemetry-agent', kind: 'DaemonSet', calls: [{ verb: 'list' }], image: 'x' };
    const m = parseTabletopToWebview({ type: 'ttState', state: { ...state(), workloads: [w] } });
    assert.ok(m?.type === 'ttState');
    assert.deepEqual(m.state.workloads, [{ namespace: 'monitoring', name: 'telemetry-agent', kind: 'DaemonSet' }], 'a deployable workload travels as its name and kind only');
  });

  it('refuses malformed messages', () => {
    const bad: unknown[] = [
      null,
      'ttState',
      { type: 'ttState', state: { ...state(), clusters: 'all' } },
      { type: 'ttState', state: { ...state(), readings: [{ simT: 0, clusters: { staging: { load: NaN } } }] } },
      { type: 'ttState', state: { ...state(), events: [{ simT: 0, cluster: 'x', kind: 'k', detail: 'd'.repeat(5000) }] } },
      { type: 'ttState', state: { ...state(), workloads: [{ namespace: 'Bad NS', name: 'x', kind: 'DaemonSet' }] } },
      { type: 'ttState', state: { ...state(), workloads: [{ namespace: 'monitoring', name: 'telemetry-agent' }] } },
      { type: 'ttState', state: { ...state(), workloads: [{ namespace: 'monitoring', name: 'telemetry-agent', kind: 'StatefulSet' }] } },
      { type: 'ttState', state: { ...state(), workloads: [{ namespace: 'monitoring', name: '<b>x</b>', kind: 'DaemonSet' }] } },
      { type: 'ttState', state: { ...state(), workloads: [{ namespace: 'n'.repeat(64), name: 'x', kind: 'DaemonSet' }] } },
      { type: 'ttState', state: { ...state(), workloads: Array.from({ length: 51 }, (_, i) => ({ namespace: 'ns', name: `w${i}`, kind: 'Deployment' })) } },
      { type: 'ttState', state: { ...state(), workloads: undefined } },
      { type: 'ttClock', clock: { t: 1, speed: 30 } },
      { type: 'ttReading', reading: { simT: 1, clusters: { 'Not A Cluster': reading(0).clusters.staging } } },
      { type: 'ttMarker', marker: { simT: 1, n: 1, stepId: 'readyz', state: 'exploded', runbook: 'x.md' } },
      { type: 'ttMarker', marker: { simT: 1, n: 1, stepId: '../../etc', state: 'failed', runbook: 'x.md' } },
      { type: 'ttScores', scores: state().scores },
      { type: 'ttScores', scores: { ...state().scores, impactAt: 'soon' }, hints: state().hints },
      { type: 'ttEnded', scores: state().scores, report: 42 },
      { type: 'ttNotice', level: 'shout', message: 'x' },
      { type: 'healthTarget', panel: 'main' },
    ];
    for (const m of bad) assert.equal(parseTabletopToWebview(m), undefined, JSON.stringify(m)?.slice(0, 200));
  });
});

describe('facilitator intents from the page', () => {
  it('accepts the intents, rebuilt', () => {
    for (const type of ['ready', 'ttPlay', 'ttPause', 'ttRevealHint', 'ttEnd', 'ttExport', 'ttOpenReport'] as const) assert.deepEqual(parseTabletopToHost({ type, junk: 1 }), { type });
    assert.deepEqual(parseTabletopToHost({ type: 'ttSpeed', speed: 60 }), { type: 'ttSpeed', speed: 60 });
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'kill-apiserver', cluster: 'prod-east', replicas: 9 }), { type: 'ttInject', action: 'kill-apiserver', cluster: 'prod-east' });
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'lose-control-plane', cluster: '*' }), { type: 'ttInject', action: 'lose-control-plane', cluster: '*' });
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'scale-apiserver', cluster: 'staging', replicas: 5 }), { type: 'ttInject', action: 'scale-apiserver', cluster: 'staging', replicas: 5 });
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'block-client', cluster: 'staging', namespace: 'monitoring', name: 'telemetry-agent' }), {
      type: 'ttInject',
      action: 'block-client',
      cluster: 'staging',
      namespace: 'monitoring',
      name: 'telemetry-agent',
    });
    // A deploy names one of the scenario's workloads; the workload's definition never comes from the page.
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'deploy', cluster: '*', namespace: 'monitoring', name: 'telemetry-agent', workload: { calls: [] }, replicas: 3 }), {
      type: 'ttInject',
      action: 'deploy',
      cluster: '*',
      namespace: 'monitoring',
      name: 'telemetry-agent',
    });
    assert.deepEqual(parseTabletopToHost({ type: 'ttDrawn', drawn: { cluster: 'prod-east', clock: 'T+2m05s', points: 9, markers: 1, events: 4, workloads: 2 } }), {
      type: 'ttDrawn',
      drawn: { cluster: 'prod-east', clock: 'T+2m05s', points: 9, markers: 1, events: 4, workloads: 2 },
    });
  });

  it('refuses anything else', () => {
    const bad: unknown[] = [
      undefined,
      { type: 'run', stepId: 'readyz' },
      { type: 'ttSpeed', speed: 2 },
      { type: 'ttSpeed', speed: '60' },
      { type: 'ttInject', action: 'delete-workload', cluster: 'staging' },
      { type: 'ttInject', action: 'kill-apiserver', cluster: 'prod east; rm -rf /' },
      { type: 'ttInject', action: 'kill-apiserver' },
      { type: 'ttInject', action: 'scale-apiserver', cluster: 'staging', replicas: 0 },
      { type: 'ttInject', action: 'scale-apiserver', cluster: 'staging', replicas: 2.5 },
      { type: 'ttInject', action: 'block-client', cluster: 'staging', namespace: 'monitoring' },
      { type: 'ttInject', action: 'unblock-client', cluster: 'staging', namespace: 'Monitoring', name: 'x' },
      { type: 'ttInject', action: 'deploy', cluster: 'staging' },
      { type: 'ttInject', action: 'deploy', cluster: 'staging', workload: { namespace: 'monitoring', name: 'telemetry-agent' } },
      { type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'monitoring' },
      { type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'monitoring', name: 'x/../y' },
      { type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'n'.repeat(64), name: 'x' },
      { type: 'ttInject', action: 'deploy', cluster: 'Prod', namespace: 'monitoring', name: 'telemetry-agent' },
      { type: 'ttDrawn', drawn: { cluster: 'x', clock: 'T+0', points: -1, markers: 0, events: 0, workloads: 0 } },
      { type: 'ttDrawn', drawn: { cluster: 'x', clock: 'T+0', points: 1, markers: 0, events: 0 } },
    ];
    for (const m of bad) assert.equal(parseTabletopToHost(m), undefined, JSON.stringify(m));
  });
});

describe('facilitator view data', () => {
  it('formats simulated time and durations', () => {
    assert.equal(fmtClock(0), 'T+0m00s');
    assert.equal(fmtClock(125.7), 'T+2m05s');
    assert.equal(fmtClock(3600 + 2 * 60 + 13), 'T+1h02m13s');
    assert.equal(fmtDur(undefined), '—');
    assert.equal(fmtDur(42), '42 s');
    assert.equal(fmtDur(185), '3 m 05 s');
    assert.equal(fmtDur(4 * 3600 + 22 * 60), '4 h 22 m');
    assert.equal(clockLabel({ t: 65, speed: 30, paused: false }), 'Tabletop T+1m05s ×30');
    assert.equal(clockLabel({ t: 65, speed: 30, paused: true }), 'Tabletop T+1m05s paused');
  });

  it("draws the chosen cluster's series, load capped, a missing cluster as a gap", () => {
    const s = chartSeries([readingView(reading(0)), readingView(reading(15, 3)), { simT: 30, clusters: {} }], 'prod-east');
    assert.deepEqual(s.x, [0, 15, 30]);
    assert.deepEqual(s.load, [0.5, 1.5, null]);
    assert.deepEqual(s.dns, [1, 1, null]);
    assert.deepEqual(s.errors, [0.001, 0.001, null]);
  });

  it('keeps readings in time order, one per simulated time', () => {
    const list = [readingView(reading(0)), readingView(reading(30))];
    appendReading(list, readingView(reading(45)));
    appendReading(list, readingView(reading(45, 0.9)));
    appendReading(list, readingView(reading(15)));
    assert.deepEqual(list.map((r) => r.simT), [0, 15, 30, 45]);
    assert.equal(list[3].clusters['prod-east'].load, 0.9);
  });

  it('markers are finished steps, numbered; injections map to scenario actions', () => {
    const base = { type: 'sim-step' as const, t: '', simT: 10, runbook: '/w/runbooks/api-server-overload.md', stepId: 'readyz', kind: 'sh' };
    assert.equal(markerView({ ...base, state: 'running' }, 1), undefined);
    assert.deepEqual(markerView({ ...base, state: 'failed' }, 2), { simT: 10, n: 2, stepId: 'readyz', state: 'failed', runbook: 'api-server-overload.md' });
    assert.deepEqual(injectionAction({ type: 'ttInject', action: 'kill-apiserver', cluster: 'x' }), { action: 'kill-apiserver', replicas: 1 });
    assert.deepEqual(injectionAction({ type: 'ttInject', action: 'scale-apiserver', cluster: 'x', replicas: 5 }), { action: 'scale-apiserver', replicas: 5 });
    assert.deepEqual(injectionAction({ type: 'ttInject', action: 'unblock-client', cluster: 'x', namespace: 'monitoring', name: 'agent' }), { action: 'unblock-client', namespace: 'monitoring', name: 'agent' });
    assert.deepEqual(injectionAction({ type: 'ttInject', action: 'restore-control-plane', cluster: '*' }), { action: 'restore-control-plane' });
  });

  it("a deploy stands for one of the scenario's workloads, whole; any other name is refused", () => {
    const agent: ScenarioWorkload = { name: 'telemetry-agent', namespace: 'monitoring', kind: 'DaemonSet', image: 'registry.example.com/telemetry-agent:1.0.0', serviceAccount: 'telemetry-agent', calls: [{ verb: 'list', resource: 'pods', scope: 'cluster', intervalSeconds: 30 }], rolloutSeconds: 120, retries: 10, identity: 'user' };
    const operator: ScenarioWorkload = { ...agent, name: 'backup-operator', namespace: 'backup-system', kind: 'Deployment', replicas: 3 };
    const workloads = [agent, operator];
    assert.deepEqual(injectionAction({ type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'backup-system', name: 'backup-operator' }, workloads), { action: 'deploy', workload: operator });
    assert.throws(() => injectionAction({ type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'monitoring', name: 'other' }, workloads), /no workload 'monitoring\/other' in this scenario \(workloads: monitoring\/telemetry-agent, backup-system\/backup-operator\)/);
    assert.throws(() => injectionAction({ type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'monitoring', name: 'telemetry-agent' }), /it has none/);
    assert.equal(INJECTION_TITLES.deploy, 'Deploy a workload');
    // What the page gets: names and kinds, and it passes the page's check.
    const view = workloadsView(workloads);
    assert.deepEqual(view, [
      { namespace: 'monitoring', name: 'telemetry-agent', kind: 'DaemonSet' },
      { namespace: 'backup-system', name: 'backup-operator', kind: 'Deployment' },
    ]);
    const m = parseTabletopToWebview({ type: 'ttState', state: state({ workloads: view }) });
    assert.ok(m?.type === 'ttState');
    assert.deepEqual(m.state.workloads, view);
  });

  it('scores as the page gets them: what happened, nothing undefined, and they pass the page check', () => {
    const scores: Scores = {
      impactAt: 60,
      impactCluster: 'prod-east',
      clusters: [{ name: 'prod-east', impactedAt: 60 }],
      recovered: false,
      requests: { total: 1, whileSaturated: 1, refused: 0, exempt: 0 },
      reference: { allClearSeconds: 15720, label: 'seed' },
    };
    const v = scoresView(scores);
    assert.deepEqual(v, { impactAt: 60, impactCluster: 'prod-east', clusters: [{ name: 'prod-east', impactedAt: 60 }], recovered: false, requests: scores.requests, referenceSeconds: 15720 });
    assert.ok(Object.values(v).every((x) => x !== undefined));
    assert.deepEqual(parseTabletopToWebview({ type: 'ttScores', scores: v, hints: { revealed: [], available: 0, total: 0 } }), { type: 'ttScores', scores: v, hints: { revealed: [], available: 0, total: 0 } });
  });
});
