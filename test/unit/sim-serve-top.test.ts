// `kubectl top` against `sim serve` of the seed scenario with the real kubectl 1.27 and 1.33:
// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, computed from the model.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, kubectl as run, serve, type Served } from './helpers/sim-serve';

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
