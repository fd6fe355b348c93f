// `breakglass sim serve` with the real cluster model behind the real kubectl: on the seed
// scenario's 5,000-node cluster an ordinary user cannot delete the DaemonSet while the API server
// is saturated; the break-glass identity (system:masters, the exempt level) can.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlBinary } from './helpers/kubectl';
import { CLI, kubectl as run, serve, serveHeld, type Served } from './helpers/sim-serve';

const KUBECTL = kubectlBinary();
const kubectl = (s: Served, cache: string, args: string[], timeoutMs?: number) => run(KUBECTL!, s, cache, args, timeoutMs);

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
      assert.equal(await s.stop(), 0);
    }
  });

  it('--hold-at: the clock stops at that simulated time and stays there while the server answers', async () => {
    const s = await serveHeld('staging', '0s', dir);
    try {
      const now = async (): Promise<number> => {
        const r = await kubectl(s, dir, ['get', '--raw', '/sim/v1/clients', '--request-timeout=10s']);
        assert.equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as { now: number }).now;
      };
      assert.equal(await now(), 0);
      await new Promise((r) => setTimeout(r, 1500)); // 90 simulated seconds at 60×, were it running
      assert.equal(await now(), 0, 'held');
      assert.match(s.stderr(), /^T\+0m held: the clock stands still here/m);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  it('prod-east, saturated: the sim context fails (429 or timeout), the break-glass context gets through', async () => {
    // Five simulated minutes after the rollout, held there: saturated and OOM-looping.
    const s = await serveHeld('prod-east', '5m', dir);
    try {
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
      assert.equal(await s.stop(), 0);
    }
  });
});
