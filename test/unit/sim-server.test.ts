// The simulated API server over real HTTPS: TLS and kubeconfig, discovery, objects, lists and
// selectors, watch, admission (429 / 504 / reset, APF headers), health, metrics and the clients
// endpoint, against the FakeCluster test double.
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { parse as parseYaml } from 'yaml';
import { Writable } from 'node:stream';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { selectClusters, serve } from '../../src/cli/sim';
import { parseScenario } from '../../src/sim/scenario';
import { apfUid } from '../../src/sim/server/apf';
import { SuffixCodec, humanDuration, parseGoDuration } from '../../src/sim/server/names';
import { matchLabels, parseFieldSelector, parseLabelSelector } from '../../src/sim/server/selectors';
import { FakeCluster, daemonSet } from './helpers/fake-cluster';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface Kubeconfig {
  clusters: Array<{ name: string; cluster: { server: string; 'certificate-authority-data': string } }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
  users: Array<{ name: string; user: { token: string } }>;
  'current-context': string;
}

function readKubeconfig(path: string): Kubeconfig {
  return parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
}

/** A client for one context of a kubeconfig (HTTPS, verifying the server against the CA). */
function client(kubeconfig: string, context = 'sim') {
  const kc = readKubeconfig(kubeconfig);
  const ctx = kc.contexts.find((c) => c.name === context)!.context;
  const server = kc.clusters.find((c) => c.name === ctx.cluster)!.cluster;
  const token = kc.users.find((u) => u.name === ctx.user)!.user.token;
  const ca = Buffer.from(server['certificate-authority-data'], 'base64');
  return (path: string, o: { method?: string; headers?: Record<string, string>; body?: string; anonymous?: boolean } = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, server.server);
      const req = httpsRequest(
        url,
        {
          method: o.method ?? 'GET',
          ca,
          headers: {
            ...(o.anonymous ? {} : { Authorization: `Bearer ${token}` }),
            'User-Agent': 'sim-server-test',
            ...(o.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(o.body)) } : {}),
            ...(o.headers ?? {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
          });
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sim server: names and selectors', () => {
  it('suffix codec is a bijection on the indexes it serves', () => {
    const c = new SuffixCodec('x');
    const seen = new Set<string>();
    for (let i = 0; i < 20000; i += 7) {
      const s = c.encode(i);
      assert.equal(s.length, 5);
      assert.match(s, /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(c.decode(s), i);
      assert.ok(!seen.has(s));
      seen.add(s);
    }
    assert.equal(new SuffixCodec('y', 20_000_000).width, 6);
    assert.equal(c.decode('aaaaa'), -1);
  });

  it('parses label selectors (equality, set, existence) and field selectors', () => {
    const reqs = parseLabelSelector('app=web,tier in (a, b),!legacy,env!=prod,owner');
    assert.ok(matchLabels(reqs, { app: 'web', tier: 'b', owner: 'x' }));
    assert.ok(!matchLabels(reqs, { app: 'web', tier: 'c', owner: 'x' }));
    assert.ok(!matchLabels(reqs, { app: 'web', tier: 'a', owner: 'x', legacy: '1' }));
    assert.ok(!matchLabels(reqs, { app: 'web', tier: 'a' }));
    assert.ok(!matchLabels(reqs, { app: 'web', tier: 'a', owner: 'x', env: 'prod' }));
    assert.ok(matchLabels(parseLabelSelector('tier notin (a)'), {}));
    assert.deepEqual(parseFieldSelector('spec.nodeName=node-00001,status.phase!=Running', ['spec.nodeName', 'status.phase']), [
      { field: 'spec.nodeName', op: 'eq', value: 'node-00001' },
      { field: 'status.phase', op: 'neq', value: 'Running' },
    ]);
    assert.throws(() => parseFieldSelector('spec.foo=bar', ['spec.nodeName']), /field label not supported: spec.foo/);
  });

  it('formats ages as kubectl does and parses Go durations', () => {
    assert.equal(humanDuration(59), '59s');
    assert.equal(humanDuration(150), '2m30s');
    assert.equal(humanDuration(7200), '120m');
    assert.equal(humanDuration(5 * 3600 + 60), '5h1m');
    assert.equal(humanDuration(30 * 86400), '30d');
    assert.equal(parseGoDuration('5s'), 5000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('250ms'), 250);
  });
});

describe('sim server: HTTPS, kubeconfig, discovery and reads', function () {
  this.timeout(30_000);
  let fake: FakeCluster;
  let served: ServedCluster;
  let get: ReturnType<typeof client>;

  before(async () => {
    fake = new FakeCluster({ nodes: 5, podsPerNode: 4, namespaces: 7, services: 6 });
    served = await serveCluster(fake, { bookmarkIntervalMs: 200 });
    get = client(served.kubeconfig);
  });
  after(() => served.close());

  it('writes a 0600 kubeconfig with contexts sim and sim-breakglass on one cluster, CA included', () => {
    assert.equal(statSync(served.kubeconfig).mode & 0o777, 0o600);
    const kc = readKubeconfig(served.kubeconfig);
    assert.equal(kc['current-context'], 'sim');
    assert.deepEqual(kc.contexts.map((c) => c.name).sort(), ['sim', 'sim-breakglass']);
    assert.equal(new Set(kc.contexts.map((c) => c.context.cluster)).size, 1);
    assert.match(kc.clusters[0].cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(kc.users[0].user.token, kc.users[1].user.token);
    const ca = new X509Certificate(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64'));
    assert.ok(ca.ca);
  });

  it('answers 401 without a token, but /version and /readyz anonymously', async () => {
    const r = await get('/api/v1/pods', { anonymous: true });
    assert.equal(r.status, 401);
    assert.equal(r.json().kind, 'Status');
    assert.equal(r.json().reason, 'Unauthorized');
    assert.equal((await get('/version', { anonymous: true })).json().gitVersion, 'v1.31.4');
    const ready = await get('/readyz', { anonymous: true });
    assert.equal(ready.status, 200);
    assert.equal(ready.body, 'ok');
  });

  it('serves legacy discovery for every group it has', async () => {
    assert.deepEqual((await get('/api')).json().versions, ['v1']);
    const groups = (await get('/apis')).json().groups.map((g: { name: string }) => g.name);
    for (const g of ['apps', 'coordination.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io']) assert.ok(groups.includes(g), g);
    const core = (await get('/api/v1')).json().resources.map((r: { name: string }) => r.name);
    for (const r of ['nodes', 'namespaces', 'pods', 'services', 'endpoints']) assert.ok(core.includes(r), r);
    const apps = (await get('/apis/apps/v1')).json().resources;
    const scale = apps.find((r: { name: string }) => r.name === 'deployments/scale');
    assert.equal(scale.group, 'autoscaling');
    assert.equal(scale.kind, 'Scale');
    assert.equal((await get('/apis/nope.example.com/v1')).status, 404);
  });

  it('materialises the cluster: nodes, DaemonSet pods on every node, Deployments, filler, kube-dns', async () => {
    const nodes = (await get('/api/v1/nodes')).json();
    assert.equal(nodes.kind, 'NodeList');
    assert.deepEqual(nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name), ['node-00001', 'node-00002', 'node-00003', 'node-00004', 'node-00005']);
    assert.equal(nodes.items[0].kind, undefined, 'list items carry no kind, as kube-apiserver encodes them');
    const pods = (await get('/api/v1/pods')).json().items as Array<{ metadata: { name: string; namespace: string }; spec: { nodeName: string } }>;
    // Per node: kube-proxy + node-exporter + 3 filler (podsPerNode 4 - kube-proxy); plus coredns 2 and collector 2.
    assert.equal(pods.length, 5 * (1 + 1 + 3) + 2 + 2);
    const exporters = pods.filter((p) => p.metadata.namespace === 'telemetry');
    assert.equal(exporters.length, 5);
    assert.deepEqual(new Set(exporters.map((p) => p.spec.nodeName)).size, 5);
    for (const p of exporters) assert.match(p.metadata.name, /^node-exporter-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const one = (await get(`/api/v1/namespaces/telemetry/pods/${exporters[2].metadata.name}`)).json();
    assert.equal(one.kind, 'Pod');
    assert.equal(one.spec.nodeName, exporters[2].spec.nodeName);
    assert.equal(one.metadata.ownerReferences[0].kind, 'DaemonSet');
    const ds = (await get('/apis/apps/v1/daemonsets')).json().items.map((d: { metadata: { name: string } }) => d.metadata.name);
    assert.deepEqual(ds, ['kube-proxy', 'node-exporter']);
    const svc = (await get('/api/v1/namespaces/kube-system/services/kube-dns')).json();
    assert.equal(svc.spec.clusterIP, '10.96.0.10');
    const ep = (await get('/api/v1/namespaces/kube-system/endpoints/kube-dns')).json();
    assert.equal(ep.subsets[0].addresses.length, 2);
    const slices = (await get('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io/service-name%3Dkube-dns')).json();
    assert.equal(slices.items.length, 1);
    const leases = (await get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases')).json();
    assert.equal(leases.items.length, 5);
    const ns = (await get('/api/v1/namespaces')).json().items.map((n: { metadata: { name: string } }) => n.metadata.name);
    for (const n of ['default', 'kube-system', 'kube-node-lease', 'kube-public', 'telemetry', 'monitoring']) assert.ok(ns.includes(n), n);
    const services = (await get('/api/v1/services')).json().items;
    assert.equal(services.length, 6);
  });

  it('answers 404 with a Status for a missing object, and for an unknown resource', async () => {
    const r = await get('/api/v1/namespaces/telemetry/pods/nope');
    assert.equal(r.status, 404);
    assert.deepEqual({ kind: r.json().kind, reason: r.json().reason, message: r.json().message }, { kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' });
    const ds = await get('/apis/apps/v1/namespaces/telemetry/daemonsets/nope');
    assert.equal(ds.json().message, 'daemonsets.apps "nope" not found');
    assert.equal((await get('/api/v1/widgets')).status, 404);
    assert.equal((await get('/api/v1/widgets')).json().kind, 'Status');
  });

  it('pages with limit/continue and remainingItemCount; selects by field and label', async () => {
    const names: string[] = [];
    let token = '';
    let pages = 0;
    let firstRemaining: number | undefined;
    do {
      const r = (await get(`/api/v1/pods?limit=7${token ? `&continue=${encodeURIComponent(token)}` : ''}`)).json();
      names.push(...r.items.map((p: { metadata: { name: string } }) => p.metadata.name));
      if (pages === 0) firstRemaining = r.metadata.remainingItemCount;
      token = r.metadata.continue ?? '';
      pages++;
    } while (token && pages < 20);
    assert.equal(names.length, 29);
    assert.equal(new Set(names).size, 29);
    assert.equal(pages, 5);
    assert.equal(firstRemaining, 22);
    const onNode = (await get('/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-00003')).json().items;
    assert.ok(onNode.length >= 5);
    assert.ok(onNode.every((p: { spec: { nodeName: string } }) => p.spec.nodeName === 'node-00003'));
    const nsOnNode = (await get('/api/v1/namespaces/telemetry/pods?fieldSelector=spec.nodeName%3Dnode-00003')).json().items;
    assert.equal(nsOnNode.length, 1);
    const byLabel = (await get('/api/v1/pods?labelSelector=app%20in%20(node-exporter,collector)')).json().items;
    assert.equal(byLabel.length, 7);
    const notRunning = (await get('/api/v1/pods?fieldSelector=status.phase!%3DRunning')).json().items;
    assert.equal(notRunning.length, 0);
    const byName = (await get('/api/v1/nodes?fieldSelector=metadata.name%3Dnode-00002')).json().items;
    assert.equal(byName.length, 1);
    const bad = await get('/api/v1/pods?fieldSelector=spec.color%3Dred');
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /field label not supported: spec.color/);
  });

  it('reports Pending pods and NotReady nodes from the model', async () => {
    fake.running['telemetry/node-exporter'] = 3;
    fake.nodesReady = 4;
    try {
      await new Promise((r) => setTimeout(r, 30));
      const pending = (await get('/api/v1/namespaces/telemetry/pods?fieldSelector=status.phase%3DPending')).json().items;
      assert.equal(pending.length, 2);
      const ds = (await get('/apis/apps/v1/namespaces/telemetry/daemonsets/node-exporter')).json();
      assert.equal(ds.status.numberReady, 3);
      const node = (await get('/api/v1/nodes/node-00005')).json();
      assert.equal(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'Unknown');
    } finally {
      delete fake.running['telemetry/node-exporter'];
      fake.nodesReady = 5;
    }
  });

  it('answers kubectl-style Table requests, with -o wide columns at priority 1', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const t = (await get('/api/v1/pods?limit=500', { headers: { Accept: accept } })).json();
    assert.equal(t.kind, 'Table');
    assert.deepEqual(
      t.columnDefinitions.filter((c: { priority: number }) => c.priority === 0).map((c: { name: string }) => c.name),
      ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
    );
    assert.ok(t.columnDefinitions.some((c: { name: string; priority: number }) => c.name === 'Node' && c.priority === 1));
    assert.equal(t.rows.length, 29);
    assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
    const nodes = (await get('/api/v1/nodes', { headers: { Accept: accept } })).json();
    assert.deepEqual(nodes.rows[0].cells.slice(0, 3), ['node-00001', 'Ready', '<none>']);
  });

  it('watches: ADDED and DELETED from the model, BOOKMARKs, increasing resourceVersions', async () => {
    const rv = (await get('/api/v1/pods?limit=1')).json().metadata.resourceVersion;
    const events: Array<{ type: string; object: { metadata: { name: string; resourceVersion: string } } }> = [];
    const kc = readKubeconfig(served.kubeconfig);
    const token = kc.users.find((u) => u.name === 'sim-user')!.user.token;
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
    const req = httpsRequest(new URL(`/api/v1/namespaces/logging/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=10`, served.url), {
      ca,
      headers: { Authorization: `Bearer ${token}` },
    });
    let buf = '';
    req.on('response', (res) =>
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
      }),
    );
    req.end();
    try {
      await until(() => events.some((e) => e.type === 'BOOKMARK'));
      fake.deploy(daemonSet('logging', 'fluent-bit'));
      await until(() => events.filter((e) => e.type === 'ADDED').length === 5);
      fake.deleteWorkload('logging', 'fluent-bit');
      await until(() => events.filter((e) => e.type === 'DELETED').length === 5);
      const rvs = events.filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.object.metadata.resourceVersion));
      assert.deepEqual([...rvs].sort((a, b) => a - b), rvs, 'resourceVersions increase');
      assert.ok(rvs[0] > Number(rv));
    } finally {
      req.destroy();
    }
  });
});

describe('sim server: compaction', function () {
  this.timeout(20_000);
  it('a watch or a continue token from before the compacted resourceVersion gets 410 Expired', async () => {
    const fake = new FakeCluster();
    const served = await serveCluster(fake, { eventCapacity: 4 });
    try {
      const get = client(served.kubeconfig);
      const first = (await get('/api/v1/pods?limit=3')).json();
      fake.deploy(daemonSet('logging', 'fluent-bit')); // namespace, DaemonSet, 5 pods: more than the log keeps
      await new Promise((r) => setTimeout(r, 50));
      fake.deleteWorkload('logging', 'fluent-bit');
      await new Promise((r) => setTimeout(r, 50));
      const w = await get(`/api/v1/pods?watch=1&resourceVersion=${first.metadata.resourceVersion}&timeoutSeconds=2`);
      assert.equal(w.status, 200);
      const ev = JSON.parse(w.body.split('\n')[0]);
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
      assert.match(ev.object.message, /^too old resource version: \d+ \(\d+\)$/);
      const next = await get(`/api/v1/pods?limit=3&continue=${encodeURIComponent(first.metadata.continue)}`);
      assert.equal(next.status, 410);
      assert.equal(next.json().reason, 'Expired');
      // A watch without resourceVersion starts with the current state.
      const fresh = await get('/api/v1/namespaces/telemetry/pods?watch=1&timeoutSeconds=1');
      const types = fresh.body.trim().split('\n').map((l) => JSON.parse(l).type);
      assert.deepEqual(types, ['ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED']);
    } finally {
      await served.close();
    }
  });
});

describe('sim server: the cluster changes under a watch', function () {
  this.timeout(20_000);
  it('nodes scaled up and down: nodes, their DaemonSet and filler pods come and go as events', async () => {
    const fake = new FakeCluster({ nodes: 3, podsPerNode: 3 });
    const served = await serveCluster(fake);
    try {
      const get = client(served.kubeconfig);
      const rv = (await get('/api/v1/nodes')).json().metadata.resourceVersion;
      fake.scaleNodes(5);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await get('/api/v1/nodes')).json().items.length, 5);
      fake.scaleNodes(4);
      await new Promise((r) => setTimeout(r, 50));
      const nodes = (await get(`/api/v1/nodes?watch=1&resourceVersion=${rv}&timeoutSeconds=1`)).body.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(nodes.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED node-00004', 'ADDED node-00005', 'DELETED node-00005']);
      const pods = (await get(`/api/v1/pods?watch=1&resourceVersion=${rv}&timeoutSeconds=1`)).body.trim().split('\n').map((l) => JSON.parse(l));
      const added = pods.filter((e) => e.type === 'ADDED').map((e) => e.object.spec.nodeName);
      const deleted = pods.filter((e) => e.type === 'DELETED').map((e) => e.object.spec.nodeName);
      // per node: kube-proxy, node-exporter, 2 filler
      assert.equal(added.length, 8);
      assert.ok(added.every((n) => n === 'node-00004' || n === 'node-00005'));
      assert.deepEqual(new Set(deleted), new Set(['node-00005']));
      assert.equal(deleted.length, 4);
      assert.equal((await get('/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-00005')).json().items.length, 0);
    } finally {
      await served.close();
    }
  });
});

describe('sim server: admission through the model', function () {
  this.timeout(30_000);
  let fake: FakeCluster;
  let served: ServedCluster;
  let sim: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;

  beforeEach(async () => {
    fake = new FakeCluster();
    served = await serveCluster(fake);
    sim = client(served.kubeconfig, 'sim');
    admin = client(served.kubeconfig, 'sim-breakglass');
  });
  afterEach(() => served.close());

  it('passes each request to admit() with user, groups, verb, resource and APF estimates', async () => {
    await sim('/api/v1/pods?limit=5');
    const onNode = (await sim('/api/v1/pods?resourceVersion=0&fieldSelector=spec.nodeName%3Dnode-00001')).json().items.length;
    await sim('/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-00001');
    await admin('/apis/apps/v1/namespaces/telemetry/daemonsets/node-exporter?timeout=7s');
    const [page, cached, storage, get] = fake.requests.slice(-4);
    assert.deepEqual({ user: page.user, verb: page.verb, resource: page.resource, fromCache: page.fromCache, objects: page.objects }, { user: 'sim-user', verb: 'list', resource: 'pods', fromCache: false, objects: 10 });
    assert.deepEqual({ fromCache: cached.fromCache, objects: cached.objects }, { fromCache: true, objects: onNode }, 'from the watch cache, the nodeName index: only that node');
    assert.ok(onNode >= 5 && onNode < 29);
    // list_work_estimator.go: from etcd with a selector, stored objects + limit (no limit: all).
    assert.equal(storage.objects, 29 + 29, 'from etcd a field selector reads every pod');
    assert.equal(storage.fromCache, false);
    assert.deepEqual({ user: get.user, groups: get.groups, verb: get.verb, resource: get.resource, namespace: get.namespace, timeoutSeconds: get.timeoutSeconds }, {
      user: 'breakglass-admin',
      groups: ['system:masters', 'system:authenticated'],
      verb: 'get',
      resource: 'daemonsets',
      namespace: 'telemetry',
      timeoutSeconds: 7,
    });
    assert.equal(page.userAgent, 'sim-server-test');
    assert.ok(page.bytes > 0);
  });

  it('under saturation: 429 with Retry-After and a Status for sim-user; system:masters is served, exempt', async () => {
    fake.saturated = true;
    fake.retryAfterSeconds = 2;
    const r = await sim('/api/v1/namespaces/telemetry/pods');
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '2');
    assert.deepEqual({ kind: r.json().kind, reason: r.json().reason, message: r.json().message, code: r.json().code }, { kind: 'Status', reason: 'TooManyRequests', message: 'Too many requests, please try again later.', code: 429 });
    assert.equal(r.headers['x-kubernetes-pf-prioritylevel-uid'], apfUid('PriorityLevelConfiguration', 'global-default'));
    assert.ok(r.headers['audit-id']);
    const ok = await admin('/api/v1/namespaces/telemetry/pods');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-kubernetes-pf-prioritylevel-uid'], apfUid('PriorityLevelConfiguration', 'exempt'));
    assert.equal(ok.headers['x-kubernetes-pf-flowschema-uid'], apfUid('FlowSchema', 'exempt'));
    // The UIDs are those of the served PriorityLevelConfiguration objects.
    const pl = (await admin('/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations/exempt')).json();
    assert.equal(pl.metadata.uid, ok.headers['x-kubernetes-pf-prioritylevel-uid']);
  });

  it('times out with 504 at the client deadline when the model holds a request', async () => {
    fake.saturated = true;
    fake.saturation = 'timeout';
    fake.holdMs = 20_000;
    const t0 = Date.now();
    const r = await sim('/api/v1/pods?timeout=1s');
    assert.equal(r.status, 504);
    assert.equal(r.json().reason, 'Timeout');
    assert.ok(Date.now() - t0 >= 900 && Date.now() - t0 < 10_000);
  });

  it('resets the connection when no API server replica is up', async () => {
    fake.unavailable = true;
    await assert.rejects(sim('/api/v1/pods'), /socket hang up|ECONNRESET/);
  });

  it('derives /readyz from the snapshot, in kube-apiserver text', async () => {
    const ok = await sim('/readyz?verbose');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /^\[\+\]ping ok$/m);
    assert.match(ok.body, /^\[\+\]etcd ok$/m);
    assert.match(ok.body, /readyz check passed\n$/);
    fake.etcdOk = false;
    await new Promise((r) => setTimeout(r, 30));
    const bad = await sim('/readyz');
    assert.equal(bad.status, 500);
    assert.match(bad.body, /^\[-\]etcd failed: reason withheld$/m);
    assert.match(bad.body, /readyz check failed\n$/);
    assert.equal((await sim('/livez/etcd')).status, 500);
    assert.equal((await sim('/livez/ping')).body, 'ok');
  });

  it('serves /metrics with kube-apiserver metric names', async () => {
    await sim('/api/v1/pods');
    fake.saturated = true;
    await sim('/api/v1/pods');
    const m = (await admin('/metrics')).body;
    for (const name of [
      'apiserver_current_inflight_requests{request_kind="readOnly"}',
      'apiserver_current_inflight_requests{request_kind="mutating"}',
      'apiserver_flowcontrol_current_inqueue_requests{flow_schema="global-default",priority_level="global-default"}',
      'apiserver_flowcontrol_rejected_requests_total{flow_schema="global-default",priority_level="global-default",reason="queue-full"}',
      'apiserver_flowcontrol_request_wait_duration_seconds_bucket{execute="false",flow_schema="global-default",priority_level="global-default",le="0"}',
      'apiserver_flowcontrol_nominal_limit_seats{priority_level="global-default"} 60',
      'apiserver_request_duration_seconds_bucket{verb="LIST",',
      'apiserver_storage_objects{resource="pods"} 29',
      'etcd_request_duration_seconds_count{operation="list",type="/registry/pods"}',
      'process_resident_memory_bytes 2100000000',
    ]) {
      assert.ok(m.includes(name), name);
    }
    assert.match(m, /apiserver_request_total\{verb="LIST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="cluster",component="apiserver",code="429"\} 1/);
  });

  it('/sim/v1/clients counts requests per User-Agent and user, rejected ones included', async () => {
    await sim('/api/v1/nodes');
    fake.saturated = true;
    for (let i = 0; i < 3; i++) await sim('/api/v1/nodes');
    const r = (await sim('/sim/v1/clients')).json();
    const me = r.clients.find((c: { userAgent: string; user: string }) => c.userAgent === 'sim-server-test' && c.user === 'sim-user');
    assert.equal(me.requestsTotal, 4);
    assert.equal(me.requestsLastMinute, 4);
    assert.ok(me.bytesSent > 0);
    assert.equal(r.clock, 'simulated');
  });

  it('deletes and scales through the model; refuses what it does not simulate with a Status', async () => {
    const del = await sim('/apis/apps/v1/namespaces/telemetry/daemonsets/node-exporter', { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: '{"propagationPolicy":"Foreground"}' });
    assert.equal(del.status, 200);
    assert.ok(del.json().metadata.deletionTimestamp);
    assert.ok(!fake.workloads().some((w) => w.name === 'node-exporter'));
    assert.equal((await sim('/api/v1/namespaces/telemetry/pods')).json().items.length, 0);
    const scale = await sim('/apis/apps/v1/namespaces/monitoring/deployments/collector/scale', { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":4}}' });
    assert.equal(scale.status, 200);
    assert.equal(scale.json().spec.replicas, 4);
    assert.equal(fake.workloads().find((w) => w.name === 'collector')!.replicas, 4);
    assert.equal((await sim('/api/v1/namespaces/monitoring/pods')).json().items.length, 4);
    const bad = await sim('/apis/apps/v1/namespaces/monitoring/deployments/collector/scale', { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":-1}}' });
    assert.equal(bad.status, 422);
    assert.equal((await sim('/api/v1/nodes/node-00001', { method: 'DELETE' })).status, 405);
    assert.equal((await sim('/api/v1/namespaces/default/pods', { method: 'POST', body: '{}' })).status, 405);
    const gone = await sim('/apis/apps/v1/namespaces/telemetry/daemonsets/node-exporter', { method: 'DELETE' });
    assert.equal(gone.status, 404);
  });
});

describe('sim server: a large cluster stays lazy', function () {
  this.timeout(60_000);
  it('10,000 nodes × 30 pods: pages of 500, a node index, a get by name, without materialising the cluster', async () => {
    const before = process.memoryUsage().heapUsed;
    const fake = new FakeCluster({ nodes: 10_000, podsPerNode: 30, namespaces: 1000, services: 3000 });
    const served = await serveCluster(fake);
    try {
      const get = client(served.kubeconfig);
      const page = (await get('/api/v1/pods?limit=500')).json();
      assert.equal(page.items.length, 500);
      assert.ok(page.metadata.remainingItemCount > 300_000 - 1000);
      const next = (await get(`/api/v1/pods?limit=500&continue=${encodeURIComponent(page.metadata.continue)}`)).json();
      assert.equal(next.items.length, 500);
      assert.notEqual(next.items[0].metadata.name, page.items[0].metadata.name);
      const onNode = (await get('/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-07777')).json().items;
      // kube-proxy, node-exporter, 29 filler, and maybe a coredns or collector replica
      assert.ok(onNode.length >= 31 && onNode.length <= 33, String(onNode.length));
      assert.ok(onNode.every((x: { spec: { nodeName: string } }) => x.spec.nodeName === 'node-07777'));
      const p = next.items[123];
      const one = await get(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`);
      assert.equal(one.status, 200);
      assert.equal(one.json().metadata.uid, p.metadata.uid);
      const nodes = (await get('/api/v1/nodes?limit=500')).json();
      assert.equal(nodes.metadata.remainingItemCount, 9500);
      assert.ok(process.memoryUsage().heapUsed - before < 200 * 2 ** 20, 'no eager materialisation');
    } finally {
      await served.close();
    }
  });
});

describe('sim server: breakglass sim serve', function () {
  this.timeout(20_000);
  it('serves the scenario\'s cluster until stopped, prints the ready line, removes its temporary kubeconfig', async () => {
    let out = '';
    const io = {
      out: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }),
      err: new Writable({ write: (_c, _e, cb) => cb() }),
    };
    const stop = new AbortController();
    const scenario = parseScenario('name: s\nclusters:\n  - name: a\n    nodes: 3\n  - name: b\n    nodes: 7\n', 's.yaml');
    const done = serve(selectClusters(scenario, 'b', undefined), 'b', { speed: 10, port: 0 }, io, stop.signal);
    await until(() => /^ready https:\/\/127\.0\.0\.1:\d+ kubeconfig=\S+$/m.test(out));
    const path = /kubeconfig=(\S+)/.exec(out)![1];
    const r = await client(path)('/api/v1/nodes');
    assert.equal(r.json().items.length, 7);
    stop.abort();
    assert.equal(await done, 0);
    assert.ok(!existsSync(path));
  });
});
