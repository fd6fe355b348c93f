// Writes against `sim serve` with the oldest and newest kubectl on the machine (1.27, 1.33): apply
// of a Deployment with default validation (it needs OpenAPI), its ReplicaSet and pods with owners;
// diff; apply again unchanged; server dry-run; a replace with a stale resourceVersion is a
// Conflict; a nodeSelector patch empties the DaemonSet and `rollout undo` brings it back, with
// `rollout history` from its ControllerRevisions; cordon, label, create namespace; and refusals a
// real server gives (a failed JSON-patch test, a pod's spec changed).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, mergePatch, strategicMergePatch } from '../../src/sim/server/patch';
import { CLI, KUBECTL_BINS, kubectl, serveHeld, servedFor, type Served } from './helpers/sim-serve';

const BINS = KUBECTL_BINS;

const DEPLOYMENT = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
`;

describe('sim serve: patches as kube-apiserver applies them', () => {
  it('strategic merge: containers merge by name, $patch replace and delete, $setElementOrder, null removes', () => {
    const doc = { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:1' }], tolerations: [{ key: 't' }] } } } };
    const out = strategicMergePatch(doc, {
      spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }, { name: 'a', $patch: 'delete' }], tolerations: [{ key: 'u' }], nodeSelector: { k: 'v' } } } },
    }) as { spec: { template: { spec: { containers: { name: string; image: string }[]; tolerations: unknown[]; nodeSelector: unknown } } } };
    assert.deepEqual(out.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['b=b:2', 'c=c:1'], 'merged by name, a deleted');
    assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'u' }], 'a list without a merge key is replaced');
    assert.deepEqual(out.spec.template.spec.nodeSelector, { k: 'v' });
    const ordered = strategicMergePatch({ containers: [{ name: 'a' }, { name: 'b' }] }, { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'x' }] }) as { containers: { name: string; image?: string }[] };
    assert.deepEqual(ordered.containers.map((c) => `${c.name}${c.image ?? ''}`), ['b', 'ax'], 'merged, in the order kubectl apply sends');
    const replaced = strategicMergePatch({ spec: { template: { a: 1, b: 2 } } }, { spec: { template: { c: 3, $patch: 'replace' } } });
    assert.deepEqual(replaced, { spec: { template: { c: 3 } } }, 'what rollout undo of a DaemonSet sends');
    assert.deepEqual(strategicMergePatch({ metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { a: null } } }), { metadata: { labels: { b: '2' } } });
    assert.deepEqual(strategicMergePatch({ metadata: { finalizers: ['x'] } }, { metadata: { finalizers: ['y', 'x'] } }), { metadata: { finalizers: ['x', 'y'] } }, 'finalizers merge as a set');
  });

  it('merge patch replaces lists; JSON patch fails a test as 422', () => {
    assert.deepEqual(mergePatch({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { c: null } }), { a: [3], b: { d: 2 } });
    assert.deepEqual(applyPatch({ spec: { replicas: 1 } }, 'json', [{ op: 'replace', path: '/spec/replicas', value: 4 }]), { spec: { replicas: 4 } });
    assert.throws(() => applyPatch({ a: 1 }, 'json', [{ op: 'test', path: '/a', value: 2 }]), (e: Error & { code?: number }) => e.code === 422 && /testing value failed/.test(e.message));
  });
});

for (const bin of BINS) {
  const v = /kubectl\.(\d\.\d+)$/.exec(bin)![1];
  describe(`sim serve: writes with kubectl ${v}`, function () {
    this.timeout(240_000);
    const served = servedFor(bin, 'staging', 20, 'bg-sim-writes-');
    const { k, ok, json } = served;

    it('apply -f of a Deployment (default validation) creates it, its ReplicaSet and pods with owners; apply again is unchanged', async () => {
      writeFileSync(join(served.dir, 'web.yaml'), DEPLOYMENT('nginx:1.27'));
      assert.match(await ok(['apply', '-f', join(served.dir, 'web.yaml')]), /deployment.apps\/web created/);
      const d = await json(['get', 'deploy', 'web', '-n', 'default']);
      assert.equal(d.spec.replicas, 3);
      assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent', 'defaults filled in as kube-apiserver does');
      assert.equal(d.spec.strategy.type, 'RollingUpdate');
      const rs = await json(['get', 'rs', '-n', 'default', '-l', 'app=web']);
      assert.equal(rs.items.length, 1);
      assert.deepEqual(rs.items[0].metadata.ownerReferences.map((o: { kind: string; name: string; uid: string }) => [o.kind, o.name, o.uid]), [['Deployment', 'web', d.metadata.uid]]);
      const pods = await json(['get', 'pods', '-n', 'default', '-l', 'app=web']);
      assert.equal(pods.items.length, 3);
      for (const p of pods.items) assert.deepEqual(p.metadata.ownerReferences.map((o: { kind: string; uid: string }) => [o.kind, o.uid]), [['ReplicaSet', rs.items[0].metadata.uid]]);
      assert.match(await ok(['apply', '-f', join(served.dir, 'web.yaml')]), /unchanged/);
    });

    it('diff shows a changed image (exit 1) and changes nothing; --dry-run=server neither', async () => {
      writeFileSync(join(served.dir, 'web2.yaml'), DEPLOYMENT('nginx:1.28'));
      const before = await json(['get', 'deploy', 'web', '-n', 'default']);
      const diff = await k(['diff', '-f', join(served.dir, 'web2.yaml')]);
      assert.equal(diff.code, 1, `diff: ${diff.stderr}`);
      assert.match(diff.stdout, /^-\s+- image: nginx:1\.27$/m);
      assert.match(diff.stdout, /^\+\s+- image: nginx:1\.28$/m);
      assert.match(await ok(['apply', '-f', join(served.dir, 'web2.yaml'), '--dry-run=server']), /configured \(server dry run\)/);
      const after = await json(['get', 'deploy', 'web', '-n', 'default']);
      assert.equal(after.metadata.generation, before.metadata.generation, 'a dry run changes nothing');
      assert.equal(after.spec.template.spec.containers[0].image, 'nginx:1.27');
      // Applied for real: a new generation.
      await ok(['apply', '-f', join(served.dir, 'web2.yaml')]);
      const applied = await json(['get', 'deploy', 'web', '-n', 'default']);
      assert.equal(applied.spec.template.spec.containers[0].image, 'nginx:1.28');
      assert.equal(applied.metadata.generation, before.metadata.generation + 1);
    });

    it('replace with a stale resourceVersion is a Conflict', async () => {
      const d = await json(['get', 'deploy', 'web', '-n', 'default']);
      await ok(['label', 'deploy', 'web', '-n', 'default', 'touched=yes']);
      d.metadata.labels.mine = 'yes';
      writeFileSync(join(served.dir, 'stale.json'), JSON.stringify(d));
      const r = await k(['replace', '-f', join(served.dir, 'stale.json')]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Conflict|the object has been modified/);
    });

    it('a nodeSelector that matches no node empties the DaemonSet; rollout history lists two revisions and undo brings it back', async () => {
      const ds0 = await json(['get', 'ds', 'telemetry-agent', '-n', 'monitoring']);
      await ok(['patch', 'ds', 'telemetry-agent', '-n', 'monitoring', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"breakglass.dev/nowhere":"true"}}}}}']);
      const ds1 = await json(['get', 'ds', 'telemetry-agent', '-n', 'monitoring']);
      assert.equal(ds1.status.desiredNumberScheduled, 0);
      assert.equal(ds1.metadata.generation, (ds0.metadata.generation ?? 1) + 1);
      let pods = -1;
      for (let i = 0; i < 60 && pods !== 0; i++) {
        pods = (await json(['get', 'pods', '-n', 'monitoring', '-l', 'app=telemetry-agent'])).items.length;
        if (pods) await new Promise((r) => setTimeout(r, 1000));
      }
      assert.equal(pods, 0, 'every agent pod gone');
      const history = await ok(['rollout', 'history', 'ds/telemetry-agent', '-n', 'monitoring']);
      assert.match(history, /^1\s/m);
      assert.match(history, /^2\s/m);
      await ok(['rollout', 'undo', 'ds/telemetry-agent', '-n', 'monitoring']);
      const ds2 = await json(['get', 'ds', 'telemetry-agent', '-n', 'monitoring']);
      assert.equal(ds2.spec.template.spec.nodeSelector, undefined, 'the first template is back');
      assert.equal(ds2.status.desiredNumberScheduled, 40);
      assert.match(await ok(['rollout', 'history', 'ds/telemetry-agent', '-n', 'monitoring']), /^3\s/m, 'the first revision comes back as the newest');
    });

    it('cordon, label selection, create namespace; refusals as a real server words them', async () => {
      await ok(['cordon', 'node-00002']);
      assert.match(await ok(['get', 'node', 'node-00002']), /Ready,SchedulingDisabled/);
      assert.match(await ok(['get', 'nodes', '--field-selector', 'spec.unschedulable=true', '-o', 'name']), /^node\/node-00002$/m);
      await ok(['label', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', 'picked=yes']);
      assert.ok((await json(['get', 'pods', '-A', '-l', 'picked=yes'])).items.length >= 2, 'a written label is selectable');
      await ok(['create', 'namespace', `team-${v.replace('.', '')}`]);
      assert.match(await ok(['get', 'ns', `team-${v.replace('.', '')}`]), /Active/);
      const test = await k(['patch', 'ds', 'telemetry-agent', '-n', 'monitoring', '--type=json', '-p', '[{"op":"test","path":"/spec/template/spec/containers/0/name","value":"nope"}]']);
      assert.notEqual(test.code, 0);
      assert.match(test.stderr, /is invalid.*testing value failed/);
      const pod = (await json(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns'])).items[0].metadata.name;
      const spec = await k(['patch', 'pod', pod, '-n', 'kube-system', '-p', '{"spec":{"nodeName":"node-00003"}}']);
      assert.match(spec.stderr, /pod updates may not change fields/);
      // kubectl 1.33 posts this one as protobuf: read, not refused.
      const make = await k(['create', 'deployment', 'web', '-n', 'default', '--image=nginx']);
      assert.match(make.stderr, /already exists/);
      const ns = `team-${v.replace('.', '')}`;
      await ok(['create', 'deployment', 'hello', '-n', ns, '--image=nginx:1.27', '--replicas=2', '--port=8080']);
      const hello = await json(['get', 'deploy', 'hello', '-n', ns]);
      assert.equal(hello.spec.replicas, 2);
      assert.equal(hello.spec.template.spec.containers[0].image, 'nginx:1.27');
      assert.equal(hello.spec.template.spec.containers[0].ports[0].containerPort, 8080);
      assert.deepEqual(hello.spec.selector.matchLabels, { app: 'hello' });
    });

    it('kubectl debug node/… is refused plainly (405, pointing at node-exec), whatever encoding the pod came in', async () => {
      const d = await k(['debug', 'node/node-00001', '--image=busybox', '--profile=general', '--', 'true']);
      assert.notEqual(d.code, 0);
      assert.match(d.stderr, /does not create pods: they are computed from the model .*use the break-glass node-exec action/);
      assert.doesNotMatch(d.stderr, /unknown format/);
    });
  });
}

describe('sim serve: writes go through API Priority and Fairness', function () {
  this.timeout(180_000);
  const bin = BINS[BINS.length - 1];
  let dir: string;
  let s: Served;
  before(async function () {
    if (!bin) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-writes-apf-'));
    // Five simulated minutes after the rollout, held there: saturated.
    s = await serveHeld('prod-east', '5m', dir);
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('saturated prod-east: the ordinary user\'s patch is throttled (429 or no answer); the exempt context\'s is stored', async () => {
    const patch = ['patch', 'ds', 'telemetry-agent', '-n', 'monitoring', '-p', '{"metadata":{"annotations":{"incident":"INC-1"}}}'];
    const throttled = await kubectl(bin, s, dir, ['--context', 'sim', ...patch, '--request-timeout=5s', '-v=6'], 90_000);
    assert.notEqual(throttled.code, 0, 'a write from the ordinary user should not get through a saturated control plane');
    assert.match(throttled.stderr + throttled.stdout, /429|Too many requests|Timeout|timed out|deadline|connection reset|EOF/i);
    // Through the exempt context the same write lands at once, with a new resourceVersion.
    let stored = false;
    for (let i = 0; i < 6 && !stored; i++) {
      const r = await kubectl(bin, s, dir, ['--context', 'sim-breakglass', ...patch, '--request-timeout=10s'], 30_000);
      stored = r.code === 0 && /patched/.test(r.stdout);
      if (!stored) await new Promise((res) => setTimeout(res, 1000)); // an OOM-looping replica may reset it
    }
    assert.ok(stored, 'the exempt patch did not land');
    const got = await kubectl(bin, s, dir, ['--context', 'sim-breakglass', 'get', 'ds', 'telemetry-agent', '-n', 'monitoring', '-o', 'jsonpath={.metadata.annotations.incident}'], 30_000);
    assert.equal(got.stdout, 'INC-1', got.stderr);
  });

  it('the APF dump through the exempt context names the levels that queue and reject; exempt rejects nothing', async () => {
    let r = { code: -1, stdout: '', stderr: '' };
    for (let i = 0; i < 6 && r.code !== 0; i++) {
      if (i) await new Promise((res) => setTimeout(res, 1000)); // no replica up for a moment: the connection is reset
      r = await kubectl(bin, s, dir, ['--context', 'sim-breakglass', 'get', '--raw', '/debug/api_priority_and_fairness/dump_priority_levels', '--request-timeout=10s'], 30_000);
    }
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^PriorityLevelName, ActiveQueues, IsIdle, IsQuiescing, WaitingRequests, ExecutingRequests, DispatchedRequests, RejectedRequests, TimedoutRequests, CancelledRequests\n/);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(/,\s*/));
    assert.equal(rows.length, 8, 'one row per default priority level');
    const busy = rows.filter((c) => Number(c[4]) > 0 && Number(c[7]) > 0).map((c) => c[0]);
    assert.ok(busy.length > 0, `some level queues and rejects while saturated:\n${r.stdout}`);
    assert.equal(rows.find((c) => c[0] === 'exempt')![7], '0', 'the exempt level rejects nothing');
  });
});
