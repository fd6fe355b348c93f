// `breakglass sim serve` with the real cluster model behind the real kubectl: on the seed
// scenario's 5,000-node cluster an ordinary user cannot delete the DaemonSet while the API server
// is saturated; the break-glass identity (system:masters, the exempt level) can.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const SEED = resolve(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

function kubectlBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'kubectl');
    if (!existsSync(p)) continue;
    // Prefer the real 1.31 binary beside the version dispatcher (see sim-server-kubectl.test.ts).
    const v = join(dirname(realpathSync(p)), 'kubectl.1.31');
    return existsSync(v) ? v : p;
  }
  return undefined;
}
const KUBECTL = kubectlBinary();

interface Served {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  stderr: () => string;
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
        res({ child, url: m[1], kubeconfig: m[2], stderr: () => err });
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

async function stop(s: Served): Promise<number | null> {
  const exited = new Promise<number | null>((r) => s.child.on('exit', (c) => r(c)));
  s.child.kill('SIGTERM');
  return exited;
}

describe('sim serve: the seed scenario behind the real kubectl', function () {
  this.timeout(180_000);
  let dir: string;
  before(function () {
    if (!KUBECTL) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-serve-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('staging: an ordinary user deletes the DaemonSet; the server stops cleanly on SIGTERM', async () => {
    const s = await serve('staging', 30, dir);
    try {
      const got = await kubectl(s, dir, ['get', 'ds', '-n', 'monitoring', '--request-timeout=10s']);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /telemetry-agent/);
      const del = await kubectl(s, dir, ['delete', 'ds', 'telemetry-agent', '-n', 'monitoring', '--request-timeout=10s', '--wait=false']);
      assert.equal(del.code, 0, del.stderr);
    } finally {
      assert.equal(await stop(s), 0);
    }
  });

  it('prod-east, saturated: the sim context fails (429 or timeout), the break-glass context gets through', async () => {
    const s = await serve('prod-east', 30, dir);
    try {
      // Five simulated minutes after the rollout (10 s at 30×): saturated and OOM-looping.
      await new Promise((r) => setTimeout(r, 10_000));
      const user = await kubectl(s, dir, ['--context', 'sim', 'delete', 'ds', 'telemetry-agent', '-n', 'monitoring', '--request-timeout=5s', '--wait=false'], 45_000);
      assert.notEqual(user.code, 0, `an ordinary user should not get through: ${user.stdout}`);
      assert.match(user.stderr, /429|Too many requests|timeout|deadline|timed out|connection refused|unavailable|503|504/i);
      // The exempt level is served whenever a replica is up; an operator retries a few times.
      let ok = false;
      let last = '';
      for (let i = 0; i < 8 && !ok; i++) {
        const bg = await kubectl(s, dir, ['--context', 'sim-breakglass', 'delete', 'ds', 'telemetry-agent', '-n', 'monitoring', '--request-timeout=10s', '--wait=false'], 30_000);
        ok = bg.code === 0;
        last = bg.stderr;
        if (!ok) await new Promise((r) => setTimeout(r, 1000));
      }
      assert.ok(ok, `break-glass delete failed: ${last}`);
      const after = await kubectl(s, dir, ['--context', 'sim-breakglass', 'get', 'ds', '-n', 'monitoring', '--request-timeout=10s'], 30_000);
      assert.doesNotMatch(after.stdout, /telemetry-agent/);
      assert.match(s.stderr(), /OOM-killed/);
    } finally {
      assert.equal(await stop(s), 0);
    }
  });
});
