// The controllers of `sim serve` with the oldest and newest kubectl on the machine (1.27, 1.33):
// every app namespace's filler pods belong to a Deployment and its ReplicaSet, with owner
// references whose uids match, as the deployment and replicaset controllers make them; a deleted
// ReplicaSet or DaemonSet pod is replaced (SuccessfulCreate), slower on a saturated cluster.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL_BINS, kubectl, serve, servedFor, simNow, type Kubectl, type Served } from './helpers/sim-serve';

const BINS = KUBECTL_BINS;


/** Polls `get pods` until a pod that was not there appears; its name and the simulated seconds it took (± one poll). */
async function replacement(k: Kubectl, ns: string, before: string[], victim: string, selector?: string, polls = 600): Promise<{ name: string; simSeconds: number }> {
  const t0 = await simNow(k);
  const had = new Set(before);
  for (let i = 0; i < polls; i++) {
    const r = await k(['get', 'pods', '-n', ns, '-o', 'name', ...(selector ? ['-l', selector] : [])]);
    const fresh = r.code === 0 ? r.stdout.split('\n').map((l) => l.replace(/^pod\//, '').trim()).filter((n) => n && !had.has(n) && n !== victim) : [];
    if (fresh.length) return { name: fresh[0], simSeconds: (await simNow(k)) - t0 };
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no replacement for ${ns}/${victim}`);
}

for (const bin of BINS) {
  const v = /kubectl\.(\d\.\d+)$/.exec(bin)![1];
  describe(`sim serve: controllers with kubectl ${v}`, function () {
    this.timeout(240_000);
    const { k, ok, json } = servedFor(bin, 'staging', 20, 'bg-sim-ctl-');

    it('app pods have owners: get deploy,rs shows the app Deployment and its ReplicaSet; uids match', async () => {
      const out = await ok(['get', 'deploy,rs', '-n', 'app-001', '-o', 'wide']);
      assert.match(out, /^deployment\.apps\/web\s+(\d+)\/\1\s+\1\s+\1\s+\S+\s+web\s+registry\.example\.com\/web:\S+\s+app=web$/m);
      assert.match(out, /^replicaset\.apps\/web-[a-z0-9]{10}\s+(\d+)\s+\1\s+\1\s+\S+\s+web\s+\S+\s+app=web,pod-template-hash=[a-z0-9]{10}$/m);
      const d = await json(['get', 'deploy', 'web', '-n', 'app-001']);
      const rs = await json(['get', 'rs', '-n', 'app-001', '-l', 'app=web']);
      assert.equal(rs.items.length, 1);
      const r = rs.items[0];
      assert.equal(r.metadata.annotations['deployment.kubernetes.io/revision'], '1');
      assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      // (-o json of ~200 pods is more than execFile buffers: one line per pod instead.)
      const pods = (await ok(['get', 'pods', '-n', 'app-001', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].uid} {.spec.containers[0].image}{"\\n"}{end}'])).trim().split('\n');
      assert.equal(pods.length, d.spec.replicas, 'replicas are the namespace filler pods');
      for (const line of pods) assert.equal(line.split(' ').slice(1).join(' '), `ReplicaSet ${r.metadata.uid} ${d.spec.template.spec.containers[0].image}`, line);
      const all = await ok(['get', 'deploy', '-A', '--no-headers']);
      assert.equal(all.trim().split('\n').filter((l) => /^app-\d+\s/.test(l)).length, 6, 'one Deployment per app namespace of staging');
      assert.match(await ok(['describe', 'deploy', 'web', '-n', 'app-001']), new RegExp(`NewReplicaSet:\\s+${r.metadata.name} \\(\\d+/\\d+ replicas created\\)`));
    });

    it('delete pod of an app pod: the ReplicaSet creates a replacement with a new name, Running, with SuccessfulCreate', async () => {
      const names = async () => (await ok(['get', 'pods', '-n', 'app-002', '-o', 'name'])).trim().split('\n').map((l) => l.replace(/^pod\//, ''));
      const before = await names();
      const victim = before[3];
      await ok(['delete', 'pod', victim, '-n', 'app-002', '--wait=false']);
      const made = await replacement(k, 'app-002', before, victim);
      assert.match(made.name, new RegExp(`^${victim.slice(0, -5)}[bcdfghjklmnpqrstvwxz2456789]{5}$`), 'same ReplicaSet prefix, a new 5-character suffix');
      // ±one poll: a kubectl call is a few simulated seconds at speed 20 on a loaded machine.
      assert.ok(made.simSeconds <= 40, `created within seconds on a healthy cluster (took ${made.simSeconds} s)`);
      let phase = '';
      for (let i = 0; i < 40 && phase !== 'Running'; i++) {
        phase = (await json(['get', 'pod', made.name, '-n', 'app-002'])).status.phase;
        if (phase !== 'Running') await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(phase, 'Running');
      const after = await names();
      assert.equal(after.length, before.length, 'as many pods as before');
      assert.ok(!after.includes(victim), 'the deleted one is gone');
      const rs = (await json(['get', 'rs', '-n', 'app-002'])).items[0].metadata.name;
      assert.match(await ok(['get', 'events', '-n', 'app-002']), new RegExp(`SuccessfulCreate\\s+replicaset/${rs}\\s+Created pod: ${made.name}`));
      assert.match(await ok(['describe', 'rs', rs, '-n', 'app-002']), new RegExp(`SuccessfulCreate\\s+\\S+\\s+replicaset-controller\\s+Created pod: ${made.name}`));
      assert.match(await ok(['get', 'events', '-n', 'app-002', '--field-selector', `involvedObject.name=${made.name}`]), /Scheduled[\s\S]*Started/);
    });

    it('delete pod of a DaemonSet pod: recreated on the same node by the daemonset controller', async () => {
      const pods = (await json(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-proxy'])).items as { metadata: { name: string }; spec: { nodeName: string } }[];
      const victim = pods[5];
      await ok(['delete', 'pod', victim.metadata.name, '-n', 'kube-system', '--wait=false']);
      const made = await replacement(k, 'kube-system', pods.map((p) => p.metadata.name), victim.metadata.name, 'k8s-app=kube-proxy');
      assert.equal((await json(['get', 'pod', made.name, '-n', 'kube-system'])).spec.nodeName, victim.spec.nodeName);
      assert.match(await ok(['get', 'events', '-n', 'kube-system', '--field-selector', 'reason=SuccessfulCreate']), new RegExp(`daemonset/kube-proxy\\s+Created pod: ${made.name}`));
    });
  });
}

describe('sim serve: a deleted pod is replaced at the pace kube-controller-manager is served', function () {
  this.timeout(420_000);
  const bin = BINS[BINS.length - 1];
  let dir: string;
  const servers: Served[] = [];

  before(function () {
    if (!bin) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-ctl-pace-'));
  });
  after(async () => {
    for (const s of servers) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Deletes an app pod through the ordinary context (retrying 429s and timeouts) and waits for its replacement. */
  async function replaced(cluster: string): Promise<number> {
    const s = await serve(cluster, 20, dir);
    servers.push(s);
    const k: Kubectl = (args, timeoutMs) => kubectl(bin, s, dir, args, timeoutMs);
    // Watching goes through the exempt context (an ordinary client would itself be throttled).
    const watch: Kubectl = (args, timeoutMs) => kubectl(bin, s, dir, ['--context', 'sim-breakglass', ...args], timeoutMs);
    // Let the rollout of the telemetry agents reach every node (2 min simulated).
    while ((await simNow(k)) < 150) await new Promise((r) => setTimeout(r, 500));
    let before: string[] = [];
    for (let i = 0; i < 30 && !before.length; i++) {
      const r = await watch(['get', 'pods', '-n', 'app-003', '-o', 'name']);
      if (r.code === 0) before = r.stdout.trim().split('\n').map((l) => l.replace(/^pod\//, ''));
    }
    assert.ok(before.length > 10, `${cluster}: app pods listed`);
    const victim = before[7];
    let deleted = false;
    for (let i = 0; i < 30 && !deleted; i++) deleted = (await k(['delete', 'pod', victim, '-n', 'app-003', '--wait=false'])).code === 0;
    assert.ok(deleted, `${cluster}: deleted through the sim context`);
    return (await replacement(watch, 'app-003', before, victim)).simSeconds;
  }

  it('healthy staging: about a second; saturated prod-east (workload-high rejecting): much slower, in simulated time', async () => {
    const healthy = await replaced('staging');
    const saturated = await replaced('prod-east');
    assert.ok(healthy <= 40, `staging: ${healthy} s`);
    assert.ok(saturated > healthy + 60, `prod-east ${saturated} s vs staging ${healthy} s`);
  });
});
