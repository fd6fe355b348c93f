// @kubernetes/client-node 1.4.0 against the simulated API server, unchanged: typed lists with
// limit/continue, field selectors, a Watch, deletes, the APF headers of *WithHttpInfo calls and
// the ApiException a saturated server causes.
import * as assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { apfUid } from '../../src/sim/server/apf';
import { FakeCluster, daemonSet } from './helpers/fake-cluster';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sim server with @kubernetes/client-node', function () {
  this.timeout(30_000);
  let fake: FakeCluster;
  let served: ServedCluster;
  let kc: k8s.KubeConfig;
  let admin: k8s.KubeConfig;

  beforeEach(async () => {
    fake = new FakeCluster({ nodes: 6, podsPerNode: 5, namespaces: 8, services: 8 });
    served = await serveCluster(fake, { bookmarkIntervalMs: 150 });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(served.kubeconfig);
    admin = new k8s.KubeConfig();
    admin.loadFromFile(served.kubeconfig);
    admin.setCurrentContext('sim-breakglass');
  });
  afterEach(() => served.close());

  it('loads the kubeconfig: context sim, HTTPS verified against the CA, bearer token', () => {
    assert.equal(kc.getCurrentContext(), 'sim');
    assert.match(kc.getCurrentCluster()!.server, /^https:\/\/127\.0\.0\.1:/);
    assert.ok(kc.getCurrentCluster()!.caData);
    assert.ok(!kc.getCurrentCluster()!.skipTLSVerify);
  });

  it('CoreV1Api.listPodForAllNamespaces pages with limit and continue', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const list = await core.listPodForAllNamespaces({ limit: 10, _continue: cont });
      names.push(...list.items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`));
      cont = list.metadata?._continue;
      pages++;
    } while (cont && pages < 50);
    // 6 nodes × (kube-proxy + node-exporter + 4 filler) + coredns 2 + collector 2
    assert.equal(names.length, 6 * 6 + 4);
    assert.equal(new Set(names).size, names.length);
    assert.equal(pages, 4);
  });

  it('CoreV1Api.listNamespacedPod with fieldSelector spec.nodeName', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: 'telemetry', fieldSelector: 'spec.nodeName=node-00004' });
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0].spec!.nodeName, 'node-00004');
    assert.equal(list.items[0].status!.phase, 'Running');
    assert.ok(Number(list.metadata!.resourceVersion) > 0);
  });

  it('a Watch on pods receives ADDED, DELETED and BOOKMARK events', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const rv = (await core.listPodForAllNamespaces({ limit: 1 })).metadata!.resourceVersion;
    const events: Array<{ type: string; name?: string }> = [];
    let ended: unknown = 'open';
    const ctl = await new k8s.Watch(kc).watch(
      '/api/v1/pods',
      { allowWatchBookmarks: true, resourceVersion: rv },
      (type, obj: k8s.V1Pod) => events.push({ type, name: obj.metadata?.name }),
      (err) => {
        ended = err;
      },
    );
    try {
      await until(() => events.some((e) => e.type === 'BOOKMARK'));
      fake.deploy(daemonSet('logging', 'fluent-bit'));
      await until(() => events.filter((e) => e.type === 'ADDED').length === 6);
      assert.ok(events.filter((e) => e.type === 'ADDED').every((e) => e.name?.startsWith('fluent-bit-')));
      fake.deleteWorkload('logging', 'fluent-bit');
      await until(() => events.filter((e) => e.type === 'DELETED').length === 6);
      // An API delete is an event too.
      const victim = (await core.listNamespacedPod({ namespace: 'monitoring' })).items[0].metadata!.name!;
      await core.deleteNamespacedPod({ name: victim, namespace: 'monitoring' });
      await until(() => events.some((e) => e.type === 'DELETED' && e.name === victim));
    } finally {
      ctl.abort();
    }
    assert.notEqual(ended, 'open');
  });

  it('AppsV1Api.deleteNamespacedDaemonSet removes the workload through the model; the APF headers name the priority level', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const before = await apps.readNamespacedDaemonSetWithHttpInfo({ name: 'node-exporter', namespace: 'telemetry' });
    assert.equal(before.httpStatusCode, 200);
    assert.equal(before.data.status!.desiredNumberScheduled, 6);
    assert.equal(before.headers['x-kubernetes-pf-prioritylevel-uid'], apfUid('PriorityLevelConfiguration', 'global-default'));
    const adminApps = admin.makeApiClient(k8s.AppsV1Api);
    const res = await adminApps.deleteNamespacedDaemonSetWithHttpInfo({ name: 'node-exporter', namespace: 'telemetry', propagationPolicy: 'Background' });
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.headers['x-kubernetes-pf-prioritylevel-uid'], apfUid('PriorityLevelConfiguration', 'exempt'));
    assert.equal(res.headers['x-kubernetes-pf-flowschema-uid'], apfUid('FlowSchema', 'exempt'));
    assert.ok(!fake.workloads().some((w) => w.name === 'node-exporter'));
    const flow = admin.makeApiClient(k8s.FlowcontrolApiserverV1Api);
    const levels = await flow.listPriorityLevelConfiguration();
    const byUid = new Map(levels.items.map((l) => [l.metadata!.uid, l.metadata!.name]));
    assert.equal(byUid.get(res.headers['x-kubernetes-pf-prioritylevel-uid']), 'exempt');
    await assert.rejects(apps.readNamespacedDaemonSet({ name: 'node-exporter', namespace: 'telemetry' }), (e: k8s.ApiException<string>) => e.code === 404 && JSON.parse(e.body).reason === 'NotFound');
  });

  it('a saturated server answers client-node with ApiException 429 (no retries in client-node)', async () => {
    fake.saturated = true;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const n = fake.requests.length;
    await assert.rejects(core.listNamespacedPod({ namespace: 'telemetry' }), (e: k8s.ApiException<string>) => {
      assert.equal(e.code, 429);
      assert.equal(e.headers['retry-after'], '1');
      assert.equal(JSON.parse(e.body).reason, 'TooManyRequests');
      return true;
    });
    assert.equal(fake.requests.length, n + 1);
    const ok = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'telemetry' });
    assert.equal(ok.items.length, 6);
  });
});
