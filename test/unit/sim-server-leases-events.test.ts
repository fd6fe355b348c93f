// Node Leases and Events of the simulated API server, through the real kubectl (the 1.31 binary
// the dispatcher would pick): the columns kube-apiserver's printers give them, a node lease that
// stops being renewed while its node is NotReady, and Events from what the cluster went through.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { ClusterHistory, NODE_LEASE_RENEW_SECONDS } from '../../src/sim/server/history';
import type { ClusterSnapshot } from '../../src/sim/types';
import { FakeCluster, daemonSet } from './helpers/fake-cluster';
import { kubectlBinary } from './helpers/kubectl';

const KUBECTL = kubectlBinary();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sim server: node Leases and Events with the real kubectl', function () {
  this.timeout(120_000);
  let fake: FakeCluster;
  let served: ServedCluster;
  let cache: string;

  function kubectl(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(KUBECTL!, ['--kubeconfig', served.kubeconfig, '--cache-dir', cache, '--context', 'sim-breakglass', ...args], { timeout: 60_000, env: { ...process.env, HOME: cache, KUBECONFIG: '' } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  async function nodeLeases(): Promise<Map<string, { holderIdentity: string; leaseDurationSeconds: number; renewTime: string }>> {
    const r = await kubectl(['get', 'leases', '-n', 'kube-node-lease', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout).items as Array<{ metadata: { name: string }; spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string } }>;
    return new Map(items.map((l) => [l.metadata.name, l.spec]));
  }

  before(async function () {
    if (!KUBECTL) this.skip();
    cache = mkdtempSync(join(tmpdir(), 'breakglass-kubectl-'));
    fake = new FakeCluster({ nodes: 5, podsPerNode: 4, namespaces: 7, services: 6 });
    served = await serveCluster(fake);
  });
  after(async () => {
    await served?.close();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('get leases -n kube-node-lease (and -o wide): one per node, held by it, HOLDER and AGE', async () => {
    for (const wide of [false, true]) {
      const r = await kubectl(['get', 'leases', '-n', 'kube-node-lease', ...(wide ? ['-o', 'wide'] : [])]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0], /^NAME\s+HOLDER\s+AGE$/);
      assert.equal(lines.length, 1 + fake.spec.nodes);
      for (let i = 1; i <= fake.spec.nodes; i++) assert.match(r.stdout, new RegExp(`^node-0000${i}\\s+node-0000${i}\\s+\\d+d$`, 'm'));
    }
    const leases = await nodeLeases();
    assert.equal(leases.get('node-00001')?.leaseDurationSeconds, 40);
    assert.equal(leases.get('node-00001')?.holderIdentity, 'node-00001');
  });

  it("a NotReady node's lease stops being renewed; a Ready node's is renewed every 10 s", async () => {
    fake.nodesReady = 4; // node-00005 goes NotReady
    try {
      const before = await nodeLeases();
      await sleep(10_500); // the fake cluster's clock is real time: one renewal interval and a bit
      const after = await nodeLeases();
      const t = (l: { renewTime: string } | undefined) => Date.parse(l!.renewTime);
      assert.ok(t(after.get('node-00001')) > t(before.get('node-00001')), `node-00001 renewed: ${before.get('node-00001')?.renewTime} → ${after.get('node-00001')?.renewTime}`);
      assert.ok(t(after.get('node-00001')) - t(before.get('node-00001')) <= 20_000);
      assert.equal(after.get('node-00005')?.renewTime, before.get('node-00005')?.renewTime);
      // The frozen lease is now older than a healthy one by at least the interval.
      assert.ok(t(after.get('node-00001')) - t(after.get('node-00005')) >= 10_000);
      const nodes = await kubectl(['get', 'nodes', 'node-00005']);
      assert.match(nodes.stdout, /^node-00005\s+NotReady\s/m);
    } finally {
      fake.nodesReady = 5;
    }
  });

  it('get events -A (and -o wide): NodeNotReady, a 429 storm and repeated model events, aggregated with counts', async () => {
    fake.nodesReady = 4;
    fake.deploy(daemonSet('telemetry', 'node-exporter'));
    fake.deploy(daemonSet('telemetry', 'node-exporter'));
    fake.saturated = true;
    try {
      // sim-breakglass is exempt: it gets through while the server records the rejections.
      await kubectl(['get', 'ns']);
      fake.saturated = false;
      const r = await kubectl(['get', 'events', '-A']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
      assert.match(r.stdout, /^default\s+\d+s\s+Normal\s+NodeNotReady\s+node\/node-00005\s+Node node-00005 status is now: NodeNotReady$/m);
      assert.doesNotMatch(r.stdout, /node\/node-00001/);
      assert.match(r.stdout, /^default\s+\d+s\s+Warning\s+TooManyRequests\s+prioritylevelconfiguration\/global-default\s+100 requests rejected with 429/m);
      assert.match(r.stdout, /^telemetry\s+\d+s\s+Normal\s+\S+\s+daemonset\/node-exporter\s+telemetry\/node-exporter$/m);

      const w = await kubectl(['get', 'events', '-A', '-o', 'wide']);
      assert.equal(w.code, 0, w.stderr);
      assert.match(w.stdout, /^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME\n/);
      // Two deploys of the same DaemonSet: one Event, count 2.
      assert.match(w.stdout, /^telemetry\s+\d+s\s+Normal\s+\S+\s+daemonset\/node-exporter\s+\S+\s+telemetry\/node-exporter\s+\d+s\s+2\s+node-exporter\.[0-9a-f]+$/m);
      assert.match(w.stdout, /^default\s+\d+s\s+Normal\s+NodeNotReady\s+node\/node-00005\s+node-controller\s+Node node-00005 status is now: NodeNotReady\s+\d+s\s+1\s+node-00005\.[0-9a-f]+$/m);

      // The Event by name, and by a field selector on its involved object (as `kubectl events --for` asks).
      const name = /node-00005\.[0-9a-f]+/.exec(w.stdout)![0];
      const one = await kubectl(['get', 'event', '-n', 'default', name, '-o', 'json']);
      assert.equal(one.code, 0, one.stderr);
      const ev = JSON.parse(one.stdout);
      assert.deepEqual([ev.reason, ev.type, ev.involvedObject.kind, ev.involvedObject.name, ev.count], ['NodeNotReady', 'Normal', 'Node', 'node-00005', 1]);
      assert.ok(Date.parse(ev.firstTimestamp) <= Date.parse(ev.lastTimestamp));
      const sel = await kubectl(['get', 'events', '-A', '--field-selector', 'type=Warning', '-o', 'name']);
      assert.equal(sel.code, 0, sel.stderr);
      assert.ok(sel.stdout.trim().split('\n').every((l) => /^event\/[a-z0-9-]+\.[0-9a-f]+$/.test(l)) && sel.stdout.includes('event/global-default.'), sel.stdout);
      assert.doesNotMatch(sel.stdout, /node-00005\./);

      // Plain `events` is the core resource (kubectl prefers the core group).
      const core = await kubectl(['get', 'events', '-n', 'default', '-o', 'json']);
      assert.ok((JSON.parse(core.stdout).items as Array<{ apiVersion: string; involvedObject?: unknown }>).every((e) => e.apiVersion === 'v1' && e.involvedObject));

      // The same Events in events.k8s.io/v1: regarding, note, deprecated* fields; the same table.
      const v1 = await kubectl(['get', 'events.v1.events.k8s.io', '-n', 'default', '-o', 'json']);
      assert.equal(v1.code, 0, v1.stderr);
      const nodeEv = (JSON.parse(v1.stdout).items as Array<Record<string, any>>).find((e) => e.metadata.name === name); // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.ok(nodeEv, v1.stdout.slice(0, 500));
      assert.deepEqual([nodeEv.regarding.name, nodeEv.note, nodeEv.reason, nodeEv.deprecatedCount, nodeEv.reportingController], ['node-00005', 'Node node-00005 status is now: NodeNotReady', 'NodeNotReady', 1, 'node-controller']);
      assert.equal(nodeEv.involvedObject, undefined);
      const v1Table = await kubectl(['get', 'events.events.k8s.io', '-A']);
      assert.equal(v1Table.code, 0, v1Table.stderr);
      assert.match(v1Table.stdout, /^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
      assert.match(v1Table.stdout, /^default\s+\d+s\s+Normal\s+NodeNotReady\s+node\/node-00005\s+Node node-00005 status is now: NodeNotReady$/m);
    } finally {
      fake.saturated = false;
      fake.nodesReady = 5;
    }
  });
});

describe('sim server: pods on a NotReady node, as describe shows them', function () {
  this.timeout(120_000);
  let fake: FakeCluster;
  let served: ServedCluster;
  let cache: string;
  const kubectl = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(KUBECTL!, ['--kubeconfig', served.kubeconfig, '--cache-dir', cache, '--context', 'sim-breakglass', ...args], { timeout: 60_000, env: { ...process.env, HOME: cache, KUBECONFIG: '' } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  const podsOn = async (node: string): Promise<Array<{ namespace: string; name: string }>> => {
    const r = await kubectl(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout).items as Array<{ metadata: { namespace: string; name: string } }>).map((p) => p.metadata);
  };

  before(async function () {
    if (!KUBECTL) this.skip();
    cache = mkdtempSync(join(tmpdir(), 'breakglass-kubectl-'));
    fake = new FakeCluster({ nodes: 6, podsPerNode: 5, namespaces: 7, services: 6 });
    fake.deploy(daemonSet('telemetry', 'node-exporter'));
    served = await serveCluster(fake);
  });
  after(async () => {
    await served?.close();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('every pod of a NotReady node gets the node controller\'s Warning NodeNotReady; describe pod shows it; pods elsewhere have none', async () => {
    fake.nodesReady = 4;
    await sleep(400);
    const down = await podsOn('node-00006');
    const up = await podsOn('node-00002');
    assert.ok(down.length >= 5 && up.length >= 5, `${down.length} / ${up.length}`);
    const ev = await kubectl(['get', 'events', '-A', '--field-selector', 'involvedObject.kind=Pod,reason=NodeNotReady', '-o', 'json']);
    assert.equal(ev.code, 0, ev.stderr);
    const items = JSON.parse(ev.stdout).items as Array<{ type: string; message: string; source: { component: string }; involvedObject: { namespace: string; name: string; uid: string } }>;
    const named = new Set(items.map((e) => `${e.involvedObject.namespace}/${e.involvedObject.name}`));
    // Nodes 5 and 6 are NotReady: all their pods, and none of node 2's.
    for (const p of [...down, ...(await podsOn('node-00005'))]) assert.ok(named.has(`${p.namespace}/${p.name}`), `no NodeNotReady for ${p.namespace}/${p.name}`);
    for (const p of up) assert.ok(!named.has(`${p.namespace}/${p.name}`), `NodeNotReady for ${p.namespace}/${p.name} on a Ready node`);
    assert.ok(items.every((e) => e.type === 'Warning' && e.message === 'Node is not ready' && e.source.component === 'node-controller'));
    // describe finds them by the pod's uid, as it asks (involvedObject.name, namespace, kind, uid).
    const victim = down.find((p) => p.name.startsWith('node-exporter-'))!;
    const d = await kubectl(['describe', 'pod', '-n', victim.namespace, victim.name]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n[\s\S]*Warning\s+NodeNotReady\s+\S+\s+node-controller\s+Node is not ready$/m);
    const fine = await kubectl(['describe', 'pod', '-n', up[0].namespace, up[0].name]);
    assert.doesNotMatch(fine.stdout, /NodeNotReady/);
    // One by name.
    const one = items.find((e) => e.involvedObject.name === victim.name)!;
    const byName = await kubectl(['get', 'events', '-n', victim.namespace, '--field-selector', `involvedObject.uid=${one.involvedObject.uid}`, '-o', 'name']);
    assert.equal(byName.stdout.trim().split('\n').length, 1, byName.stdout);
    const got = await kubectl(['get', byName.stdout.trim(), '-n', victim.namespace, '-o', 'jsonpath={.reason}']);
    assert.equal(got.stdout, 'NodeNotReady', got.stderr);
    // Back to Ready: the Events go with the condition (the simulator keeps no stale ones).
    fake.nodesReady = 6;
    await sleep(400);
    const after = await kubectl(['get', 'events', '-A', '--field-selector', 'involvedObject.kind=Pod,reason=NodeNotReady', '-o', 'name']);
    assert.equal(after.stdout.trim(), '');
  });
});

describe('sim server: when a node lease was last renewed', () => {
  /** The parts of a snapshot the history reads. */
  function snap(t: number, ready: number, o: { up?: number; etcdOk?: boolean; nodeHighRejecting?: boolean } = {}): ClusterSnapshot {
    return {
      t,
      nodes: { total: 4, ready },
      apiserver: { replicasReady: o.up ?? 3, etcdOk: o.etcdOk ?? true },
      priorityLevels: { 'node-high': { limit: 40, inflight: 0, queued: 0, rejectedPerSecond: o.nodeHighRejecting ? 5 : 0, rejectedTotal: o.nodeHighRejecting ? 50 : 0, dispatchedTotal: 0, waitP99Seconds: 0 } },
    } as unknown as ClusterSnapshot;
  }

  it('every 10 s at its own phase while Ready and answered; frozen while NotReady, or while the control plane does not answer it', () => {
    const h = new ClusterHistory();
    h.observe(snap(0, 4), 4);
    assert.equal(NODE_LEASE_RENEW_SECONDS, 10);
    assert.equal(h.lastRenewal(1, 35, 1), 31);
    assert.equal(h.lastRenewal(3, 35, 3), 33);
    h.observe(snap(42, 3), 4); // node 3 NotReady from t=42
    assert.equal(h.lastRenewal(3, 100, 3), 33);
    assert.equal(h.lastRenewal(1, 100, 1), 91);
    assert.equal(h.notReadySince(3), 42);
    h.observe(snap(105, 3, { etcdOk: false }), 4); // nobody's renewal gets through
    assert.equal(h.lastRenewal(1, 200, 1), 101);
    h.observe(snap(210, 3, { nodeHighRejecting: true }), 4);
    assert.equal(h.lastRenewal(1, 300, 1), 101);
    h.observe(snap(302, 4), 4); // answered again, node 3 Ready again
    assert.equal(h.lastRenewal(1, 320, 1), 311);
    assert.equal(h.lastRenewal(3, 320, 3), 313);
  });

  it('a node NotReady when the server first looked stopped renewing a grace period (40 s) before', () => {
    const h = new ClusterHistory();
    h.observe(snap(500, 2), 4);
    assert.equal(h.lastRenewal(3, 600, 3), 453);
    assert.equal(h.notReadySince(3), 500);
    assert.equal(h.lastRenewal(0, 600, 0), 600);
  });
});
