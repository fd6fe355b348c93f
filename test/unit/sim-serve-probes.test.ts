// Health probes against a saturated simulated cluster: the bootstrap FlowSchema `probes` puts
// /healthz, /livez and /readyz in the exempt priority level (k8s.io/apiserver
// pkg/apis/flowcontrol/bootstrap/default.go), so API Priority and Fairness never throttles them,
// while the same ordinary user's resource requests are still rejected with 429.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classify } from '../../src/sim/model/cluster';
import { kubectlBinary } from './helpers/kubectl';
import { CLI, kubectl as run, serveHeld, type Served } from './helpers/sim-serve';

const kubectl = (s: Served, cache: string, args: string[], timeoutMs?: number) => run(KUBECTL!, s, cache, args, timeoutMs);

const KUBECTL = kubectlBinary();

describe('sim serve: health probes are exempt from API Priority and Fairness', function () {
  this.timeout(180_000);
  let dir: string;
  before(function () {
    if (!KUBECTL) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-probes-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('the model classifies exactly /healthz, /livez and /readyz to the probes FlowSchema', () => {
    for (const p of ['/healthz', '/livez', '/readyz']) assert.deepEqual(classify('sim-user', ['system:authenticated'], p), { level: 'exempt', flowSchema: 'probes' });
    assert.deepEqual(classify('system:anonymous', ['system:unauthenticated'], '/readyz'), { level: 'exempt', flowSchema: 'probes' });
    // The FlowSchema lists exact URLs: a single check's path and other paths are not probes.
    assert.notEqual(classify('sim-user', ['system:authenticated'], '/readyz/etcd').level, 'exempt');
    assert.notEqual(classify('sim-user', ['system:authenticated'], '/metrics').level, 'exempt');
    assert.notEqual(classify('sim-user', ['system:authenticated']).level, 'exempt');
  });

  it('prod-east, saturated: the sim context reads /readyz while its get pods is throttled (429)', async () => {
    // Five simulated minutes after the rollout, held there: saturated and OOM-looping.
    const s = await serveHeld('prod-east', '5m', dir);
    try {
      const pods = await kubectl(s, dir, ['--context', 'sim', 'get', 'pods', '-A', '--request-timeout=5s', '-v=6'], 60_000);
      assert.notEqual(pods.code, 0, 'an ordinary LIST should be throttled');
      assert.match(pods.stderr + pods.stdout, /429|Too many requests/i);
      // Served whenever a replica is up; the replicas OOM-loop, so try a few times.
      let ok = false;
      let last = '';
      for (let i = 0; i < 8 && !ok; i++) {
        const r = await kubectl(s, dir, ['--context', 'sim', 'get', '--raw', '/readyz', '--request-timeout=10s'], 30_000);
        ok = r.code === 0 && /^ok/.test(r.stdout);
        last = `${r.code} ${r.stdout} ${r.stderr}`;
        if (!ok) {
          assert.doesNotMatch(r.stderr, /429|Too many requests/i, 'readyz must never be throttled');
          await new Promise((res) => setTimeout(res, 1000));
        }
      }
      assert.ok(ok, `readyz did not answer the ordinary user: ${last}`);
    } finally {
      await s.stop();
    }
  });
});
