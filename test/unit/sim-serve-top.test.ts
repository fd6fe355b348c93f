// `kubectl top` against `sim serve` of the seed scenario with the real kubectl 1.27 and 1.33:
// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, computed from the model.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, kubectl as run, serve, serveHeld, type Served } from './helpers/sim-serve';

const BINS = ['1.27', '1.33'].map((v) => `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`);

describe('sim serve: kubectl top (metrics.k8s.io)', function () {
  this.timeout(180_000);
  let dir: string;
  let s: Served;
  before(async function () {
    if (!BINS.every(existsSync)) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-top-'));
    s = await serve('staging', 30, dir);
  });
  after(async () => {
    if (s) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const bin of BINS) {
    const v = bin.slice(-4);
    it(`kubectl ${v}: top nodes, top pods -n monitoring, top pods -A --containers`, async () => {
      const nodes = await run(bin, s, join(dir, v), ['top', 'nodes']);
      assert.equal(nodes.code, 0, nodes.stderr);
      assert.match(nodes.stdout, /CPU\(cores\)\s+CPU\(?%\)?\s+MEMORY\(bytes\)\s+MEMORY\(?%\)?/);
      assert.match(nodes.stdout, /node-00001\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
      const agents = await run(bin, s, join(dir, v), ['top', 'pods', '-n', 'monitoring']);
      assert.equal(agents.code, 0, agents.stderr);
      assert.match(agents.stdout, /telemetry-agent-\S+\s+\d+m\s+\d+Mi/);
      const all = await run(bin, s, join(dir, v), ['top', 'pods', '-A', '--containers']);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /NAMESPACE\s+POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
      assert.match(all.stdout, /kube-system\s+kube-proxy-\S+\s+kube-proxy\s+\d+m/);
    });
  }

  it('a deleted pod leaves top at once; the pod its ReplicaSet makes in its place is measured once metrics-server has scraped it', async () => {
    const bin = BINS[BINS.length - 1];
    const k = (args: string[]) => run(bin, s, join(dir, 'replace'), args);
    const names = (out: string): string[] => out.split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter((n) => n.startsWith('coredns-'));
    const before = await k(['top', 'pods', '-n', 'kube-system']);
    assert.equal(before.code, 0, before.stderr);
    const victim = names(before.stdout)[0];
    assert.ok(victim, before.stdout);
    const del = await k(['delete', 'pod', '-n', 'kube-system', victim, '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    const after = await k(['top', 'pods', '-n', 'kube-system']);
    assert.equal(after.code, 0, after.stderr);
    assert.ok(!names(after.stdout).includes(victim), `the deleted pod is still measured:\n${after.stdout}`);
    const gone = await k(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/${victim}`]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound|not found/);
    // The replacement: a coredns pod that was not there, Running (healthy staging at 30×: seconds).
    let made: string | undefined;
    for (let i = 0; i < 40 && !made; i++) {
      const pods = await k(['get', 'pods', '-n', 'kube-system', '--no-headers']);
      made = pods.stdout.split('\n').map((l) => l.split(/\s+/)).find((c) => c[0]?.startsWith('coredns-') && !names(before.stdout).includes(c[0]) && c[2] === 'Running')?.[0];
      if (!made) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(made, 'a replacement coredns pod runs');
    // metrics-server measures it from its first scrape 10 s or more after it started (10–25
    // simulated seconds, under a second here); until then kubectl says so.
    let top = await k(['top', 'pods', '-n', 'kube-system', made!]);
    for (let i = 0; i < 40 && top.code !== 0; i++) {
      assert.match(top.stderr, /metrics not available yet|not found/i);
      await new Promise((r) => setTimeout(r, 250));
      top = await k(['top', 'pods', '-n', 'kube-system', made!]);
    }
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, new RegExp(`${made}\\s+\\d+m\\s+\\d+Mi`));
  });

  it('get --raw /apis/metrics.k8s.io/v1beta1/nodes parses; a watch is 405', async () => {
    const raw = await run(BINS[1], s, join(dir, 'raw'), ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']);
    assert.equal(raw.code, 0, raw.stderr);
    const list = JSON.parse(raw.stdout) as { kind: string; items: Array<{ metadata: { name: string }; window: string; usage: { cpu: string; memory: string } }> };
    assert.equal(list.kind, 'NodeMetricsList');
    assert.equal(list.items.length, 40);
    assert.match(list.items[0].usage.cpu, /^\d+n$/);
    assert.match(list.items[0].usage.memory, /^\d+Ki$/);
    const w = await run(BINS[1], s, join(dir, 'raw'), ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes?watch=true']);
    assert.notEqual(w.code, 0);
    assert.match(w.stderr, /MethodNotAllowed|405|not allow/i);
  });
});

describe('sim serve: kubectl top on saturated prod-east', function () {
  this.timeout(180_000);
  const bin = BINS[BINS.length - 1];
  let dir: string;
  let s: Served;
  before(async function () {
    if (!existsSync(bin)) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-top-pe-'));
    // Five simulated minutes after the rollout, held there: saturated, some nodes NotReady.
    s = await serveHeld('prod-east', '5m', dir);
  });
  after(async () => {
    if (s) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a NotReady node has no metrics (404), nor do its pods; a Ready node has', async () => {
    const k = (args: string[]) => run(bin, s, dir, ['--context', 'sim-breakglass', ...args, '--request-timeout=20s'], 60_000);
    const nodes = await k(['get', 'nodes', '--no-headers']);
    assert.equal(nodes.code, 0, nodes.stderr);
    const rows = nodes.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    // NotReady nodes are the last ones (layout.ts); the very last has been down the longest.
    const down = rows.filter((r) => r[1] === 'NotReady').pop()?.[0];
    const up = rows.find((r) => r[1] === 'Ready')?.[0];
    assert.ok(down && up, 'saturated prod-east has NotReady and Ready nodes');
    const bad = await k(['top', 'node', down!]);
    assert.notEqual(bad.code, 0);
    // metrics-server has no NodeMetrics for a kubelet it cannot scrape: 404 (kubectl 1.33 prints it as is).
    assert.match(bad.stderr, /nodemetrics.metrics.k8s.io "node-\d+" not found|metrics not available yet/);
    const good = await k(['top', 'node', up!]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, new RegExp(`${up}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
    // resourceVersion=0: from the watch cache by its spec.nodeName index. kubectl's own paged list
    // (limit=500, no resourceVersion) reads every pod from etcd, as kube-apiserver 1.31 does, and
    // takes tens of seconds on this saturated control plane even through the exempt level.
    const onDown = await k(['get', '--raw', `/api/v1/namespaces/kube-system/pods?fieldSelector=spec.nodeName%3D${down}&resourceVersion=0`]);
    assert.equal(onDown.code, 0, onDown.stderr);
    const proxy = (JSON.parse(onDown.stdout) as { items: Array<{ metadata: { name: string } }> }).items.map((p) => p.metadata.name).find((n) => n.startsWith('kube-proxy-'));
    assert.ok(proxy, `kube-proxy is bound to the NotReady node: ${onDown.stdout.slice(0, 300)}`);
    const podTop = await k(['top', 'pod', '-n', 'kube-system', proxy!]);
    assert.notEqual(podTop.code, 0);
    assert.match(podTop.stderr, /metrics not available yet|not found/);
  });
});
