// A pod a controller makes in place of a deleted one has no metrics until metrics-server has
// scraped it at least 10 s after it started, on its 15 s scrape grid
// (kubernetes-sigs/metrics-server pkg/storage/pod.go): `kubectl top` says "not available yet" for
// those seconds, as it does on a real cluster.
import * as assert from 'node:assert/strict';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { Store } from '../../src/sim/server/store';
import { METRICS } from '../../src/sim/server/resources/podmetrics';

const FRESH_CONTAINER_MIN_SECONDS = METRICS.freshContainerMinSeconds;
const METRIC_RESOLUTION_SECONDS = METRICS.resolutionSeconds;

describe('sim serve: a new pod is measured from the first scrape 10 s after it started', () => {
  it('no PodMetrics while Running but not yet scraped; from that scrape on, its usage', () => {
    const sim = new Simulation(parseScenario('name: t\nclusters:\n  - name: c\n    nodes: 50\n'));
    const cluster = sim.clusters[0];
    const store = new Store(cluster, { now: () => cluster.now(), iso: (t) => new Date(Date.UTC(2024, 11, 11) + t * 1000).toISOString() });
    store.sync();
    const coredns = store.list('pods', { namespace: 'kube-system', labels: [], fields: [], limit: 0, start: 0 }, true).items.map((o) => o.name).filter((n) => n.startsWith('coredns-'));
    assert.ok(coredns.length > 0);
    assert.ok(store.get('pods.metrics.k8s.io', 'kube-system', coredns[0]), 'a pod that ran from the start is measured');
    assert.ok(store.deleteObject('pods', 'kube-system', coredns[0]));
    assert.equal(store.get('pods.metrics.k8s.io', 'kube-system', coredns[0]), undefined, 'the deleted pod goes from the metrics');
    // Step until the replacement runs.
    let made: string | undefined;
    let runningAt = -1;
    for (let i = 0; i < 600 && runningAt < 0; i++) {
      sim.step(1);
      store.sync();
      for (const o of store.list('pods', { namespace: 'kube-system', labels: [], fields: [], limit: 0, start: 0 }, true).items) {
        if (!o.name.startsWith('coredns-') || coredns.includes(o.name)) continue;
        made = o.name;
        if (o.field('status.phase') === 'Running') runningAt = store.clock.now();
      }
    }
    assert.ok(made && runningAt >= 0, 'a replacement coredns pod runs');
    const firstScrape = Math.ceil((runningAt + FRESH_CONTAINER_MIN_SECONDS) / METRIC_RESOLUTION_SECONDS) * METRIC_RESOLUTION_SECONDS;
    assert.ok(firstScrape - runningAt >= FRESH_CONTAINER_MIN_SECONDS && firstScrape - runningAt < FRESH_CONTAINER_MIN_SECONDS + METRIC_RESOLUTION_SECONDS);
    const seen: Array<[number, boolean]> = [];
    while (store.clock.now() < firstScrape + 5) {
      seen.push([store.clock.now(), !!store.get('pods.metrics.k8s.io', 'kube-system', made!)]);
      sim.step(1);
      store.sync();
    }
    for (const [t, measured] of seen) assert.equal(measured, t >= firstScrape, `T+${t}s (running since T+${runningAt}s, first scrape T+${firstScrape}s)`);
    const listed = store.list('pods.metrics.k8s.io', { namespace: 'kube-system', labels: [], fields: [], limit: 0, start: 0 }, true).items.map((o) => o.name);
    assert.ok(listed.includes(made!), 'listed once scraped');
  });
});
