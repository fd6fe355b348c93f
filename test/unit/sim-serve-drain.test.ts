// kubectl drain against `sim serve` with the oldest and newest kubectl on the machine (1.27, 1.33):
// evictions through pods/eviction, the kube-system/coredns PodDisruptionBudget refusing a second
// CoreDNS eviction with kube-apiserver's 429 while the evicted pod's replacement cannot be scheduled,
// and giving it back once the ReplicaSet's replacement runs, `get pdb -A`, a DELETE (protobuf from 1.33), and the
// kubelet's Killing Event.
import assert from 'node:assert/strict';
import { KUBECTL_BINS, servedFor } from './helpers/sim-serve';

const BINS = KUBECTL_BINS;

for (const bin of BINS) {
  const v = /kubectl\.(\d\.\d+)$/.exec(bin)![1];
  describe(`sim serve: drain with kubectl ${v}`, function () {
    this.timeout(180_000);
    const { k, ok } = servedFor(bin, 'staging', 20, 'bg-sim-drain-');

    it('drain evicts through pods/eviction, cordons; while the evicted CoreDNS cannot be rescheduled the budget refuses a second eviction with 429, and gives it back once the replacement runs', async () => {
      assert.match(await ok(['get', 'pdb', '-A']), /^kube-system\s+coredns\s+N\/A\s+1\s+1\s+/m);
      const nodes = (await ok(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'jsonpath={.items[*].spec.nodeName}'])).split(' ');
      // Every node cordoned: the ReplicaSet's replacement for the evicted CoreDNS pod stays Pending.
      const all = (await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n');
      await ok(['cordon', ...all]);
      const d = await k(['drain', nodes[0], '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=30s', '-v=6'], 90_000);
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout + d.stderr, /POST"? (url=")?https:\/\/[^ ]+\/api\/v1\/namespaces\/kube-system\/pods\/coredns-[^ "]+\/eviction"? (status=")?201/);
      assert.match(d.stdout, /drained/);
      assert.equal((await ok(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${nodes[0]}`, '-o', 'name'])).split('\n').filter((l) => l && !/kube-proxy|telemetry/.test(l)).length, 0, 'only DaemonSet pods are left');
      assert.match(await ok(['get', 'node', nodes[0]]), /SchedulingDisabled/);
      assert.match(await ok(['get', 'pdb', '-n', 'kube-system']), /coredns\s+N\/A\s+1\s+0\s+/);
      const second = await k(['drain', nodes[1], '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=8s'], 60_000);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, /error when evicting pods\/"coredns-[^"]+" -n "kube-system" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
      const events = await ok(['get', 'events', '-n', 'kube-system']);
      assert.match(events, /Killing\s+pod\/coredns-\S+\s+Stopping container coredns/);
      assert.match(events, /FailedScheduling\s+pod\/coredns-\S+\s+0\/\d+ nodes are available: \d+ node\(s\) were unschedulable/);
      // Uncordon the rest: the scheduler binds the replacement, the kubelet starts it, the budget is back.
      await ok(['uncordon', ...all.filter((n) => n !== `node/${nodes[0]}` && n !== `node/${nodes[1]}`)]);
      let pdb = '';
      for (let i = 0; i < 40 && !/coredns\s+N\/A\s+1\s+1\s+/.test(pdb); i++) {
        await new Promise((r) => setTimeout(r, 500));
        pdb = await ok(['get', 'pdb', '-n', 'kube-system']);
      }
      assert.match(pdb, /coredns\s+N\/A\s+1\s+1\s+/, 'the replacement Running gives the disruption back');
      assert.match(await ok(['get', 'events', '-n', 'kube-system']), /Scheduled\s+pod\/coredns-\S+\s+Successfully assigned kube-system\/coredns-/);
    });

    it('delete pod works (kubectl 1.33 sends protobuf DeleteOptions)', async () => {
      const p = (await ok(['get', 'pods', '-n', 'app-002', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      assert.match(await ok(['delete', 'pod', '-n', 'app-002', p]), /deleted/);
      assert.notEqual((await k(['get', 'pod', '-n', 'app-002', p])).code, 0);
    });
  });
}
