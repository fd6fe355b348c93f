// Rollouts in `sim serve` with the oldest and newest kubectl on the machine (1.27, 1.33): a
// template change (`kubectl rollout restart`) rolls a Deployment's pods to a new ReplicaSet and a
// DaemonSet's to a new controller-revision-hash, step by step, until `kubectl rollout status`
// says it is done; `rollout history` lists the revisions and `rollout undo` brings the first
// template (and its ReplicaSet) back. On a saturated cluster the same rollout takes much longer
// in simulated time, as kube-controller-manager is served slowly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL_BINS, kubectl, serve, servedFor, simNow, type Kubectl, type Obj, type Served } from './helpers/sim-serve';

const BINS = KUBECTL_BINS;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const bin of BINS) {
  const v = /kubectl\.(\d\.\d+)$/.exec(bin)![1];
  describe(`sim serve: rollouts with kubectl ${v}`, function () {
    this.timeout(240_000);
    const { ok, json } = servedFor(bin, 'staging', 20, 'bg-sim-roll-');
    /** name and label value of each pod (one line per pod: -o json of ~200 pods is more than execFile buffers). */
    const pods = async (ns: string, label: string, selector?: string) =>
      (await ok(['get', 'pods', '-n', ns, ...(selector ? ['-l', selector] : []), '-o', `jsonpath={range .items[*]}{.metadata.name} {.metadata.labels.${label.replace(/\./g, '\\.')}} {.status.phase}{"\\n"}{end}`]))
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([name, hash, phase]) => ({ name, hash, phase }));


    it('rollout restart deployment: status completes, new pod-template-hash, old RS at 0 and new at N, history 2 revisions, undo brings the first template back', async () => {
      const ns = 'app-001';
      const rs0 = (await json(['get', 'rs', '-n', ns, '-l', 'app=web'])).items as Obj[];
      assert.equal(rs0.length, 1);
      const hash0 = rs0[0].metadata.labels['pod-template-hash'] as string;
      const n = rs0[0].spec.replicas as number;
      const template0 = (await json(['get', 'deploy', 'web', '-n', ns])).spec.template;
      const before = await pods(ns, 'pod-template-hash');
      assert.equal(before.length, n);

      assert.match(await ok(['rollout', 'restart', 'deployment/web', '-n', ns]), /deployment\.apps\/web restarted/);
      const status = await ok(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s'], 90_000);
      assert.match(status, /deployment "web" successfully rolled out/);

      const d = await json(['get', 'deploy', 'web', '-n', ns]);
      assert.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], 'restart annotated the template');
      assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
      assert.equal(d.status.updatedReplicas, n);
      assert.equal(d.status.observedGeneration, d.metadata.generation);
      const after = await pods(ns, 'pod-template-hash');
      assert.equal(after.length, n, 'as many pods as before');
      const hash1 = after[0].hash;
      assert.notEqual(hash1, hash0);
      assert.ok(after.every((p) => p.hash === hash1 && p.phase === 'Running'), 'every pod has the new pod-template-hash and runs');
      const had = new Set(before.map((p) => p.name));
      assert.ok(after.every((p) => !had.has(p.name) && p.name.startsWith(`web-${hash1}-`)), 'new pods, named after the new ReplicaSet');

      const table = await ok(['get', 'rs', '-n', ns]);
      assert.match(table, new RegExp(`^web-${hash0}\\s+0\\s+0\\s+0\\s`, 'm'), table);
      assert.match(table, new RegExp(`^web-${hash1}\\s+${n}\\s+${n}\\s+${n}\\s`, 'm'), table);
      const rs1 = (await json(['get', 'rs', '-n', ns])).items as Obj[];
      const byHash = new Map(rs1.map((r) => [r.metadata.labels['pod-template-hash'], r]));
      assert.equal(byHash.get(hash0)?.metadata.annotations['deployment.kubernetes.io/revision'], '1');
      assert.equal(byHash.get(hash1)?.metadata.annotations['deployment.kubernetes.io/revision'], '2');
      for (const r of rs1) assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);

      const history = await ok(['rollout', 'history', 'deployment/web', '-n', ns]);
      assert.deepEqual(history.split('\n').filter((l) => /^\d+\s+<none>/.test(l)).map((l) => l.split(/\s+/)[0]), ['1', '2'], history);
      const events = await ok(['get', 'events', '-n', ns, '--field-selector', 'reason=ScalingReplicaSet']);
      assert.match(events, new RegExp(`deployment/web\\s+Scaled up replica set web-${hash1} to ${n} from \\d+`), events);
      assert.match(events, new RegExp(`deployment/web\\s+Scaled down replica set web-${hash0} to 0 from \\d+`), events);

      assert.match(await ok(['rollout', 'undo', 'deployment/web', '-n', ns]), /deployment\.apps\/web rolled back/);
      assert.match(await ok(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s'], 90_000), /successfully rolled out/);
      const back = await pods(ns, 'pod-template-hash');
      assert.equal(back.length, n);
      assert.ok(back.every((p) => p.hash === hash0), 'the first template (and its hash) is back');
      assert.ok(back.every((p) => !had.has(p.name)), 'as new pods');
      const d2 = await json(['get', 'deploy', 'web', '-n', ns]);
      assert.deepEqual(d2.spec.template, template0);
      assert.equal(d2.metadata.annotations['deployment.kubernetes.io/revision'], '3');
      const rs2 = (await json(['get', 'rs', '-n', ns])).items as Obj[];
      assert.equal(rs2.length, 2, 'the old ReplicaSet is reused, not a third one made');
      const again = rs2.find((r) => r.metadata.labels['pod-template-hash'] === hash0)!;
      assert.equal(again.metadata.uid, rs0[0].metadata.uid, 'the same ReplicaSet');
      assert.equal(again.spec.replicas, n);
      assert.equal(again.metadata.annotations['deployment.kubernetes.io/revision'], '3');
      assert.deepEqual(
        (await ok(['rollout', 'history', 'deployment/web', '-n', ns])).split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[0]),
        ['2', '3'],
      );
    });

    it('rollout restart daemonset: pods get a new controller-revision-hash over time, one node at a time; status completes', async () => {
      const ns = 'kube-system';
      const sel = 'k8s-app=kube-proxy';
      const before = await pods(ns, 'controller-revision-hash', sel);
      const hash0 = before[0].hash;
      assert.ok(before.every((p) => p.hash === hash0));
      const n = (await json(['get', 'ds', 'kube-proxy', '-n', ns])).status.desiredNumberScheduled as number;
      assert.equal(before.length, n);
      // A pod deleted just before: its replacement (old template) is made, then rolled like the rest.
      await ok(['delete', 'pod', before[5].name, '-n', ns, '--wait=false']);
      assert.match(await ok(['rollout', 'restart', 'daemonset/kube-proxy', '-n', ns]), /daemonset\.apps\/kube-proxy restarted/);
      // While it rolls: some pods updated, not all (maxUnavailable 1: a few simulated seconds a node).
      let partial = false;
      for (let i = 0; i < 40 && !partial; i++) {
        const now = await pods(ns, 'controller-revision-hash', sel);
        const updated = now.filter((p) => p.hash !== hash0).length;
        if (updated > 0 && updated < n) partial = true;
        else await sleep(100);
      }
      assert.ok(partial, 'seen part way');
      const ds = await json(['get', 'ds', 'kube-proxy', '-n', ns]);
      assert.ok(ds.status.updatedNumberScheduled < n, `updatedNumberScheduled ${ds.status.updatedNumberScheduled} < ${n} while rolling`);
      assert.match(await ok(['rollout', 'status', 'daemonset/kube-proxy', '-n', ns, '--timeout=60s'], 90_000), /daemon set "kube-proxy" successfully rolled out/);
      const after = await pods(ns, 'controller-revision-hash', sel);
      assert.equal(after.length, n, 'one pod per node, the replacement of the deleted one included');
      const hash1 = after[0].hash;
      assert.notEqual(hash1, hash0);
      assert.ok(after.every((p) => p.hash === hash1 && p.phase === 'Running'), 'all on the new revision');
      const had = new Set(before.map((p) => p.name));
      assert.ok(after.every((p) => !had.has(p.name)), 'new pods have new names');
      const crs = (await json(['get', 'controllerrevisions', '-n', ns, '-l', sel])).items as Obj[];
      assert.deepEqual(crs.map((c) => c.metadata.labels['controller-revision-hash']).sort(), [hash0, hash1].sort(), 'the pods carry their ControllerRevisions\' hashes');
      const events = await ok(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=kube-proxy']);
      assert.match(events, /SuccessfulDelete\s+daemonset\/kube-proxy\s+Deleted pod: kube-proxy-/);
      assert.match(events, new RegExp(`SuccessfulCreate\\s+daemonset/kube-proxy\\s+Created pod: ${after[0].name}|SuccessfulCreate`));
    });
  });
}

describe('sim serve: a rollout goes at the pace kube-controller-manager is served', function () {
  this.timeout(420_000);
  const bin = BINS[BINS.length - 1];
  let dir: string;
  const servers: Served[] = [];

  before(function () {
    if (!bin) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-roll-pace-'));
  });
  after(async () => {
    for (const s of servers) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Restarts app-001's Deployment at T+150 s and waits for it to be rolled out; the simulated
   * seconds it took, from the new ReplicaSet's creation to the Progressing condition's
   * NewReplicaSetAvailable (the server's own times, not the polls').
   */
  async function rolled(cluster: string): Promise<number> {
    const s = await serve(cluster, 20, dir);
    servers.push(s);
    // Through the exempt context: the restart gets in, and the polls are not throttled themselves.
    const k: Kubectl = (args, timeoutMs) => kubectl(bin, s, dir, ['--context', 'sim-breakglass', ...args], timeoutMs);
    while ((await simNow(k)) < 150) await sleep(500);
    let restarted = false;
    for (let i = 0; i < 30 && !restarted; i++) restarted = (await k(['rollout', 'restart', 'deployment/web', '-n', 'app-001'])).code === 0;
    assert.ok(restarted, `${cluster}: restarted`);
    for (let i = 0; i < 600; i++) {
      const r = await k(['get', 'deploy,rs', '-n', 'app-001', '-o', 'json']);
      if (r.code === 0) {
        const items = (JSON.parse(r.stdout) as Obj).items as Obj[];
        const d = items.find((o) => o.kind === 'Deployment');
        const cond = (d?.status.conditions as Obj[] | undefined)?.find((c) => c.type === 'Progressing');
        if (d?.metadata.annotations['deployment.kubernetes.io/revision'] === '2' && cond?.reason === 'NewReplicaSetAvailable') {
          const rs = items.find((o) => o.kind === 'ReplicaSet' && o.metadata.annotations['deployment.kubernetes.io/revision'] === '2')!;
          assert.equal(d.status.updatedReplicas, d.spec.replicas);
          return (Date.parse(cond.lastUpdateTime) - Date.parse(rs.metadata.creationTimestamp)) / 1000;
        }
      }
      await sleep(300);
    }
    throw new Error(`${cluster}: not rolled out`);
  }

  it('healthy staging: seconds; saturated prod-east (workload-high rejecting): much slower, in simulated time', async () => {
    const healthy = await rolled('staging');
    const saturated = await rolled('prod-east');
    assert.ok(healthy <= 30, `staging: ${healthy} s`);
    assert.ok(saturated > healthy * 3 && saturated > healthy + 60, `prod-east ${saturated} s vs staging ${healthy} s`);
  });
});
