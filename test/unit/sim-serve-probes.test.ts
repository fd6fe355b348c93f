// Health probes against a saturated simulated cluster: the bootstrap FlowSchema `probes` puts
// /healthz, /livez and /readyz in the exempt priority level (k8s.io/apiserver
// pkg/apis/flowcontrol/bootstrap/default.go), so API Priority and Fairness never throttles them,
// while the same ordinary user's resource requests are still rejected with 429.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { classify } from '../../src/sim/model/cluster';
import { kubectlBinary } from './helpers/kubectl';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const SEED = resolve(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const KUBECTL = kubectlBinary();

interface Served {
  child: ChildProcess;
  kubeconfig: string;
}

function serve(cluster: string, speed: number, dir: string): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'sim', 'serve', SEED, '--cluster', cluster, '--speed', String(speed), '--kubeconfig', join(dir, `kubeconfig-${cluster}`)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`sim serve did not get ready: ${err}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^ready (\S+) kubeconfig=(\S+)$/m.exec(out);
      if (m) {
        clearTimeout(t);
        res({ child, kubeconfig: m[2] });
      }
    });
    child.on('exit', (code) => rej(new Error(`sim serve exited ${code}: ${err}`)));
  });
}

function kubectl(s: Served, cache: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(KUBECTL!, ['--kubeconfig', s.kubeconfig, '--cache-dir', cache, ...args], { timeout: timeoutMs, env: { ...process.env, HOME: cache, KUBECONFIG: '' } }, (e, stdout, stderr) => {
      res({ code: e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

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
    const s = await serve('prod-east', 30, dir);
    const stopped = new Promise<number | null>((r) => s.child.on('exit', (c) => r(c)));
    try {
      // Five simulated minutes after the rollout (10 s at 30×): saturated and OOM-looping.
      await new Promise((r) => setTimeout(r, 10_000));
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
      s.child.kill('SIGTERM');
      await stopped;
    }
  });
});
