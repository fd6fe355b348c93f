// `kubectl logs` and `kubectl exec` against `sim serve` of the seed scenario: the telemetry
// agent logs its LISTs with the model's latency and 429s, CoreDNS logs, other pods say their logs
// are not simulated, and exec is refused with a clear Status, never NotFound for a pod that exists.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlBinary } from './helpers/kubectl';
import { CLI, kubectl as run, serve, serveHeld, type Served } from './helpers/sim-serve';

const KUBECTL = kubectlBinary();

describe('sim serve: kubectl logs and exec', function () {
  this.timeout(180_000);
  let dir: string;
  before(function () {
    if (!KUBECTL) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-logs-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  async function podOf(s: Served, ns: string, prefix: string): Promise<string> {
    const r = await run(KUBECTL!, s, dir, ['--context', 'sim-breakglass', 'get', 'pods', '-n', ns, '-o', 'name', '--request-timeout=20s']);
    const name = r.stdout.split('\n').map((l) => l.replace(/^pod\//, '')).find((n) => n.startsWith(prefix));
    assert.ok(name, `no ${prefix} pod in ${ns}: ${r.stderr}`);
    return name!;
  }

  it('staging: the agent logs 200s, another pod says it is not simulated, exec is refused', async () => {
    const s = await serve('staging', 1, dir);
    try {
      const agent = await podOf(s, 'monitoring', 'telemetry-agent-');
      const logs = await run(KUBECTL!, s, dir, ['--context', 'sim', 'logs', '-n', 'monitoring', agent]);
      assert.equal(logs.code, 0, logs.stderr);
      assert.match(logs.stdout, /LIST \/api\/v1\/pods.*200 OK/);
      assert.doesNotMatch(logs.stdout, /429/);
      const proxy = await podOf(s, 'kube-system', 'kube-proxy-');
      const other = await run(KUBECTL!, s, dir, ['--context', 'sim', 'logs', '-n', 'kube-system', proxy]);
      assert.equal(other.code, 0, other.stderr);
      assert.match(other.stdout, /not simulated/);
      const exec = await run(KUBECTL!, s, dir, ['--context', 'sim', 'exec', '-n', 'monitoring', agent, '--', 'true']);
      assert.notEqual(exec.code, 0);
      assert.match(exec.stderr, /exec is not simulated by breakglass sim serve: use the break-glass node-exec action/);
      assert.doesNotMatch(exec.stderr, /NotFound|not found/);
      const missing = await run(KUBECTL!, s, dir, ['--context', 'sim', 'logs', '-n', 'monitoring', 'telemetry-agent-nope']);
      assert.match(missing.stderr, /not found/);
    } finally {
      await s.stop();
    }
  });

  it('prod-east, saturated: the agent logs its slow, rejected or timed-out LISTs; CoreDNS logs', async () => {
    // Five simulated minutes after the rollout, held there: saturated.
    const s = await serveHeld('prod-east', '5m', dir);
    try {
      const agent = await podOf(s, 'monitoring', 'telemetry-agent-');
      // Saturated: the model's reads take seconds, are rejected, or run past the server's timeout.
      const bad = /429 Too Many Requests|504 Timeout|connection refused|OK in [1-9]\d*\.\ds/;
      let out = '';
      for (let i = 0; i < 8 && !bad.test(out); i++) {
        out = (await run(KUBECTL!, s, dir, ['--context', 'sim-breakglass', 'logs', '-n', 'monitoring', agent, '--request-timeout=10s'])).stdout;
        if (!bad.test(out)) await new Promise((r) => setTimeout(r, 1000));
      }
      assert.match(out, bad);
      assert.doesNotMatch(out, /OK in \d+ms/, 'no fast answers while saturated');
      const dns = await podOf(s, 'kube-system', 'coredns-');
      const d = await run(KUBECTL!, s, dir, ['--context', 'sim-breakglass', 'logs', '-n', 'kube-system', dns, '--request-timeout=10s']);
      assert.match(d.stdout, /CoreDNS/);
    } finally {
      await s.stop();
    }
  });
});
