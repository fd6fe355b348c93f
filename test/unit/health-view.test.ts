// What the cluster-health panels show and watch: signals, targets, ages, staleness, chart series,
// and the ```health fence in the rendered runbook.
import assert from 'node:assert/strict';
import type { HealthSnapshot } from '../../src/cluster/poller';
import { parseRunbook } from '../../src/runbook/parse';
import { renderRunbookHtml } from '../../src/runbook/render';
import {
  appendSnapshot, chartCaption, chartData, chartNote, chartsFor, clusterChoices, clusterKey, describeReading, formatAge, formatCost, isStale, outages, parseSignals,
  resolveHealthTarget, STALE_AFTER_MS, type KubeconfigInfo,
} from '../../src/views/healthView';

const T0 = 1_700_000_000_000;

function snap(at: number, over: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return { at, state: 'healthy', summary: 'healthy', cost: { requests: 0, bytes: 0 }, ...over };
}

const SIM: KubeconfigInfo = { file: '/tmp/sim/kubeconfig', contexts: [{ name: 'sim', cluster: 'staging' }, { name: 'sim-breakglass', cluster: 'staging' }], current: 'sim', simulated: true };
const read = (f: string): KubeconfigInfo => {
  if (f === SIM.file) return SIM;
  if (f === '/home/me/.kube/config') return { file: f, contexts: [{ name: 'prod-east', cluster: 'prod-east' }, { name: 'prod-west', cluster: 'prod-west' }], current: 'prod-east' };
  throw new Error('ENOENT: no such file');
};

describe('health panels: what they watch', () => {
  it('SIMULATED never watches a kubeconfig that is not a simulated cluster\'s', () => {
    const real = resolveHealthTarget({ mode: 'sim', kubeconfig: '/home/me/.kube/config', trusted: true }, {}, read);
    assert.equal(real.status, 'error');
    assert.ok(real.status === 'error' && /is not a simulated cluster's kubeconfig/.test(real.message));
  });

  it('SIMULATED without a kubeconfig says so, and how to get one', () => {
    const t = resolveHealthTarget({ mode: 'sim', trusted: true }, {}, read);
    assert.equal(t.status, 'none');
    assert.ok(t.status === 'none');
    assert.match(t.message, /No simulated cluster is configured/);
    assert.match(t.message, /breakglass sim serve/);
    assert.match(t.message, /breakglass\.simulatedKubeconfig/);
  });

  it('after a tabletop ended, says the tabletop ended rather than that nothing was ever set up', () => {
    const t = resolveHealthTarget({ mode: 'sim', trusted: true, endedTabletop: 'telemetry-rollout-2024-12-11' }, {}, read);
    assert.equal(t.status, 'none');
    assert.equal(t.label, 'SIMULATED: the tabletop ended');
    assert.ok(t.status === 'none' && /^The tabletop 'telemetry-rollout-2024-12-11' has ended/.test(t.message) && /Start Tabletop/.test(t.message));
    // A simulated cluster configured since: that one is watched.
    assert.equal(resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: true, endedTabletop: 'x' }, {}, read).status, 'watching');
  });

  it('SIMULATED: the kubeconfig current context; a fence with no attributes lands on the same poller', () => {
    const panel = resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: true }, {}, read);
    const fence = resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: true }, { context: 'sim' }, read);
    assert.equal(panel.status, 'watching');
    assert.ok(panel.status === 'watching' && fence.status === 'watching');
    assert.equal(panel.key, clusterKey(SIM.file, 'sim'));
    assert.equal(fence.key, panel.key);
    assert.equal(panel.simulated, true);
    assert.match(panel.label, /SIMULATED: staging \(context sim\)/);
  });

  it('SIMULATED: another context of the kubeconfig is another cluster key; an unknown one falls back with a note', () => {
    const bg = resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: true }, { context: 'sim-breakglass' }, read);
    assert.ok(bg.status === 'watching');
    assert.equal(bg.key, clusterKey(SIM.file, 'sim-breakglass'));
    const other = resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: true }, { context: 'prod-east' }, read);
    assert.ok(other.status === 'watching');
    assert.equal(other.context, 'sim');
    assert.match(other.note ?? '', /prod-east.*not in the simulated kubeconfig/);
  });

  it('SIMULATED: a fence for another scenario cluster does not show this one', () => {
    const t = resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: true }, { cluster: 'prod-east' }, read);
    assert.equal(t.status, 'error');
    assert.ok(t.status === 'error');
    assert.match(t.message, /watches cluster 'prod-east'.*serves 'staging'/);
    assert.match(t.message, /--cluster prod-east/);
    assert.equal(resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: true }, { cluster: 'staging' }, read).status, 'watching');
  });

  it('SIMULATED: an unreadable kubeconfig is an error with the reason', () => {
    const t = resolveHealthTarget({ mode: 'sim', kubeconfig: '/nope', trusted: true }, {}, read);
    assert.ok(t.status === 'error');
    assert.match(t.message, /Cannot read the simulated kubeconfig \/nope: ENOENT/);
  });

  it('REAL: the target context, or the fence context looked up in the kubeconfig files', () => {
    const base = { mode: 'real' as const, context: 'prod-east', kubeconfig: '/home/me/.kube/config', trusted: true };
    const t = resolveHealthTarget(base, {}, read);
    assert.ok(t.status === 'watching');
    assert.equal(t.key, clusterKey('/home/me/.kube/config', 'prod-east'));
    assert.equal(t.simulated, false);
    const west = resolveHealthTarget(base, { context: 'prod-west' }, read);
    assert.ok(west.status === 'watching');
    assert.equal(west.key, clusterKey('/home/me/.kube/config', 'prod-west'));
    const elsewhere = resolveHealthTarget(base, { context: 'dr' }, read, (c) => (c === 'dr' ? '/etc/dr.yaml' : undefined));
    assert.ok(elsewhere.status === 'watching');
    assert.equal(elsewhere.kubeconfig, '/etc/dr.yaml');
    assert.equal(resolveHealthTarget(base, { context: 'missing' }, read).status, 'error');
  });

  it('in Restricted Mode nothing is watched', () => {
    const t = resolveHealthTarget({ mode: 'sim', kubeconfig: SIM.file, trusted: false }, {}, read);
    assert.equal(t.status, 'restricted');
  });

  it('signals: the fence attribute, or every signal', () => {
    assert.deepEqual(parseSignals(undefined).signals, ['readyz', 'load', 'apf', 'size', 'dns', 'clients']);
    assert.deepEqual(parseSignals('load, apf,load').signals, ['load', 'apf']);
    assert.deepEqual(parseSignals('load,cpu').unknown, ['cpu']);
    assert.deepEqual(chartsFor(parseSignals('readyz,dns').signals).map((c) => c.id), ['dns']);
    assert.deepEqual(chartsFor(parseSignals('').signals).map((c) => c.id), ['inflight', 'rejected', 'latency', 'dns', 'nodes']);
  });
});

describe('health panels: ages, sources and leftovers', () => {
  it('every number says where it came from and how old it is', () => {
    assert.equal(describeReading({ source: '/metrics', at: T0 }, T0 + 12_000), 'from /metrics, 12 s ago');
    assert.equal(formatAge(400), 'just now');
    assert.equal(formatAge(179_000), '2 min ago');
    assert.equal(formatAge(2 * 3600_000 + 5 * 60_000), '2 h 5 min ago');
    assert.equal(formatAge(-5000), 'just now', 'a clock slightly ahead is not "in the future"');
    assert.equal(formatCost({ requests: 1, bytes: 2048 }), '1 request, 2.0 kB so far');
  });

  it('values are greyed when the last poll failed, or when they were not refreshed for a while', () => {
    const r = { at: T0 };
    assert.equal(isStale(r, snap(T0), T0 + 1000), false);
    assert.equal(isStale(r, snap(T0 + 15_000, { state: 'unreachable', error: 'no answer within 5s' }), T0 + 16_000), true);
    assert.equal(isStale(r, snap(T0 + 15_000, { state: 'saturated', error: '/metrics answered 429' }), T0 + 16_000), true);
    assert.equal(isStale(r, snap(T0 + STALE_AFTER_MS), T0 + STALE_AFTER_MS + 1), true);
  });
});

describe('health panels: chart series', () => {
  it('one point per poll that read the signal afresh; leftovers are not plotted twice, a poll no path answered is a gap', () => {
    const s1 = snap(T0, { inflight: { value: 3, source: '/metrics', at: T0 }, limit: { value: 600, source: '/metrics', at: T0 } });
    // The API server did not answer: the poller keeps the old readings (old `at`).
    const s2 = snap(T0 + 15_000, { state: 'unreachable', error: 'x', inflight: s1.inflight, limit: s1.limit });
    const s3 = snap(T0 + 30_000, { inflight: { value: 9, source: '/metrics', at: T0 + 30_000 } });
    const d = chartData('inflight', [s1, s2, s3]);
    assert.deepEqual(d.x, [T0 / 1000, (T0 + 15_000) / 1000, (T0 + 30_000) / 1000]);
    assert.deepEqual(d.series, [
      { label: 'in-flight', values: [3, null, 9] },
      { label: 'limit', values: [600, null, null] },
    ]);
  });

  it('429/s gets one series per priority level that rejected anything, else one line at zero', () => {
    const quiet = snap(T0 - 15_000, { rejectedPerSecondByLevel: { value: { exempt: 0, 'global-default': 0, workload: 0 }, source: '/metrics', at: T0 - 15_000 } });
    assert.deepEqual(chartData('rejected', [quiet]).series, [{ label: 'all levels', values: [0] }]);
    const a = snap(T0, { rejectedPerSecondByLevel: { value: { exempt: 0, 'global-default': 2 }, source: '/metrics', at: T0 } });
    const b = snap(T0 + 15_000, { rejectedPerSecondByLevel: { value: { exempt: 0, 'global-default': 5, workload: 1 }, source: '/metrics', at: T0 + 15_000 } });
    const d = chartData('rejected', [quiet, a, b]);
    assert.deepEqual(d.series.map((s) => s.label), ['global-default', 'workload']);
    assert.deepEqual(d.series[0].values, [0, 2, 5]);
    assert.deepEqual(d.series[1].values, [0, 0, 1]);
    assert.match(chartCaption('rejected', b), /^6\.0\/s rejected \(global-default 5\.0, workload 1\.0\)$/);
  });

  it('nodes ready from the sample, and captions in words', () => {
    const s = snap(T0, { nodesReadySample: { value: { ready: 37, sampled: 40, total: 5000 }, source: 'GET /api/v1/nodes?limit=100 (a sample)', at: T0 } });
    assert.deepEqual(chartData('nodes', [s]).series.map((x) => x.values[0]), [37, 40]);
    assert.equal(chartCaption('nodes', s), '37 of 40 sampled ready (5000 nodes)');
    assert.equal(chartCaption('latency', snap(T0)), 'no percentile yet (needs two scrapes of /metrics)');
    assert.equal(chartCaption('latency', snap(T0, { readP99Seconds: { value: 0.25, source: '/metrics', at: T0 }, mutatingP99Seconds: { value: 2.5, source: '/metrics', at: T0 } })), 'read 250 ms, mutating 2.50 s');
  });

  it('a panel history replaces a repeated snapshot, ignores older ones and is bounded', () => {
    const h: HealthSnapshot[] = [];
    appendSnapshot(h, snap(T0));
    appendSnapshot(h, snap(T0, { state: 'degraded' }));
    assert.equal(h.length, 1);
    assert.equal(h[0].state, 'degraded');
    appendSnapshot(h, snap(T0 - 1));
    assert.equal(h.length, 1);
    for (let i = 1; i <= 10; i++) appendSnapshot(h, snap(T0 + i), 5);
    assert.equal(h.length, 5);
    assert.equal(h[4].at, T0 + 10);
  });
});

describe('health panels in the rendered runbook', () => {
  const text = `---
runbook: true
title: Overload
---
# Overload

\`\`\`health {name=watch title="API <servers>" signals=load,apf context=sim}
\`\`\`

\`\`\`sh {name=delete-as-breakglass}
kubectl --context sim-breakglass -n monitoring delete ds telemetry-agent
\`\`\`

\`\`\`breakglass {name=etcd}
action: etcd-delete
keys: [/registry/daemonsets/monitoring/telemetry-agent]
\`\`\`
`;

  it('a ```health fence becomes a live panel frame with its attributes and the break-glass steps', () => {
    const html = renderRunbookHtml(parseRunbook(text, '/x/overload.md'));
    assert.doesNotMatch(html, /bg-panel-placeholder/);
    const m = /<div class="bg-health" ([^>]*)>/.exec(html);
    assert.ok(m, html);
    assert.match(m[1], /data-health-id="watch"/);
    assert.match(m[1], /data-title="API &lt;servers&gt;"/);
    assert.match(m[1], /data-signals="load,apf"/);
    assert.match(m[1], /data-breakglass-steps="delete-as-breakglass etcd"/);
    assert.doesNotMatch(html, /<servers>/);
  });
});

describe('health panels: paths, old values, gaps and the cluster picker', () => {
  /** A tabletop's kubeconfig: a context and its break-glass twin per cluster, and `sim` for the focus. */
  const TABLETOP: KubeconfigInfo = {
    file: '/tmp/tt/kubeconfig',
    simulated: true,
    current: 'prod-east',
    contexts: [
      ...['staging', 'prod-east', 'prod-west'].flatMap((c) => [
        { name: c, cluster: c, user: `${c}-user` },
        { name: `${c}-breakglass`, cluster: c, user: `${c}-breakglass` },
      ]),
      { name: 'sim', cluster: 'prod-east', user: 'prod-east-user' },
      { name: 'sim-breakglass', cluster: 'prod-east', user: 'prod-east-breakglass' },
    ],
  };
  const readTt = (f: string): KubeconfigInfo => (f === TABLETOP.file ? TABLETOP : read(f));

  it("offers each of a tabletop's clusters once, without the break-glass twins or the `sim` alias", () => {
    assert.deepEqual(clusterChoices(TABLETOP).map((c) => c.context), ['staging', 'prod-east', 'prod-west']);
    assert.deepEqual(clusterChoices(SIM).map((c) => c.context), ['sim']);
  });

  it("falls back on the cluster's break-glass context: the `-breakglass` twin, or the one configured", () => {
    const t = resolveHealthTarget({ mode: 'sim', kubeconfig: TABLETOP.file, trusted: true }, { context: 'staging' }, readTt);
    assert.ok(t.status === 'watching' && t.breakglassContext === 'staging-breakglass', JSON.stringify(t));
    const d = resolveHealthTarget({ mode: 'sim', kubeconfig: TABLETOP.file, trusted: true }, {}, readTt);
    assert.ok(d.status === 'watching' && d.context === 'prod-east' && d.breakglassContext === 'prod-east-breakglass');
    const real = resolveHealthTarget({ mode: 'real', context: 'prod-east', kubeconfig: '/home/me/.kube/config', trusted: true }, {}, read, undefined, { 'prod-east': 'prod-west' });
    assert.ok(real.status === 'watching' && real.breakglassContext === 'prod-west', 'a configured one that is in the kubeconfig');
    const none = resolveHealthTarget({ mode: 'real', context: 'prod-east', kubeconfig: '/home/me/.kube/config', trusted: true }, {}, read);
    assert.ok(none.status === 'watching' && none.breakglassContext === undefined, 'no twin, none configured: nothing to fall back on');
  });

  it('an old value reads as old, not as current', () => {
    assert.equal(describeReading({ source: '/readyz?verbose via prod-east', at: T0 }, T0 + 300_000, true), 'last read 5 min ago, from /readyz?verbose via prod-east');
  });

  it('a poll no path answered is a gap in the lines, and the note says when, in a whole sentence', () => {
    const r = (at: number, v: number) => ({ value: v, source: '/metrics via x', at });
    const ok1 = snap(T0, { inflight: r(T0, 10), limit: r(T0, 600), lastAnswer: { at: T0, via: 'x' } });
    const down = snap(T0 + 15_000, { error: 'no answer', state: 'unreachable', inflight: r(T0, 10), limit: r(T0, 600), lastAnswer: { at: T0, via: 'x' } });
    const ok2 = snap(T0 + 75_000, { inflight: r(T0 + 75_000, 12), limit: r(T0 + 75_000, 600), lastAnswer: { at: T0 + 75_000, via: 'x' } });
    const d = chartData('inflight', [ok1, down, ok2]);
    assert.deepEqual(d.series[0].values, [10, null, 12], 'the line breaks where no path answered');
    assert.deepEqual(outages([ok1, down, ok2]), [{ from: T0 + 15_000, to: T0 + 15_000 }]);
    const clock = (ms: number) => `T+${(ms - T0) / 1000}s`;
    assert.equal(chartNote('inflight', [ok1, down, ok2], clock), 'Gaps in the lines: no path answered at T+15s.');
    assert.equal(chartNote('inflight', [ok1, ok2], clock), '');
    assert.match(chartNote('rejected', [ok1], clock), /^A rate needs two scrapes of \/metrics; .*\.$/);
    assert.match(chartNote('inflight', [snap(T0, { error: 'no answer', state: 'unreachable' })], clock), /^No path to the API server has answered this panel yet; .*\.$/);
  });
});
