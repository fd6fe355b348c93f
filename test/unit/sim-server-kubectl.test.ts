// The real kubectl against the simulated API server. /usr/bin/kubectl on these machines is a
// dispatcher that asks the server's /version and runs the matching real binary (1.27–1.33); the
// ordinary commands go through it as a user's would. The saturated cases run the 1.31 binary the
// dispatcher would pick, directly: under saturation the dispatcher's own /version request is
// throttled too (429 and retries, then it falls back to its default version), which would add
// about ten seconds per command.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { FakeCluster } from './helpers/fake-cluster';

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const KUBECTL = which('kubectl');
/** The versioned binary beside the dispatcher, if there is one. */
const KUBECTL_131 = KUBECTL && existsSync(join(dirname(realpathSync(KUBECTL)), 'kubectl.1.31')) ? join(dirname(realpathSync(KUBECTL)), 'kubectl.1.31') : KUBECTL;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

describe('sim server with the real kubectl', function () {
  this.timeout(120_000);
  let fake: FakeCluster;
  let served: ServedCluster;
  let cache: string;

  /** Runs kubectl asynchronously (the server runs in this process). */
  function kubectl(args: string[], o: { bin?: string; timeoutMs?: number } = {}): Promise<Run> {
    const t0 = Date.now();
    return new Promise((resolve) => {
      execFile(
        o.bin ?? KUBECTL!,
        ['--kubeconfig', served.kubeconfig, '--cache-dir', cache, ...args],
        { timeout: o.timeoutMs ?? 60_000, env: { ...process.env, HOME: cache, KUBECONFIG: '' } },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - t0 });
        },
      );
    });
  }

  async function clients(): Promise<Array<{ userAgent: string; user: string; requestsTotal: number }>> {
    const r = await kubectl(['--context', 'sim-breakglass', 'get', '--raw', '/sim/v1/clients'], { bin: KUBECTL_131 });
    return JSON.parse(r.stdout).clients;
  }

  before(async function () {
    if (!KUBECTL) this.skip();
    cache = mkdtempSync(join(tmpdir(), 'breakglass-kubectl-'));
    fake = new FakeCluster({ nodes: 5, podsPerNode: 4, namespaces: 7, services: 6 });
    served = await serveCluster(fake);
  });
  after(async () => {
    await served?.close();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('the dispatcher picks a kubectl for server v1.31 and it lists nodes', async () => {
    const v = await kubectl(['version', '-o', 'json']);
    assert.equal(v.code, 0, v.stderr);
    const info = JSON.parse(v.stdout);
    assert.equal(info.serverVersion.gitVersion, 'v1.31.4');
    assert.equal(info.clientVersion.minor, '31');
    const r = await kubectl(['get', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    assert.match(r.stdout, /^node-00001\s+Ready\s+<none>\s+\d+d\s+v1\.31\.4$/m);
    assert.equal(r.stdout.trim().split('\n').length, 6);
  });

  it('get pods -A, get ds -A, get deploy -A -o wide', async () => {
    const pods = await kubectl(['get', 'pods', '-A']);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    assert.match(pods.stdout, /^telemetry\s+node-exporter-\w{5}\s+1\/1\s+Running\s+0\s+\S+$/m);
    assert.match(pods.stdout, /^kube-system\s+coredns-\w{10}-\w{5}\s+1\/1\s+Running/m);
    assert.equal(pods.stdout.trim().split('\n').length, 1 + 29);
    const ds = await kubectl(['get', 'ds', '-A']);
    assert.equal(ds.code, 0, ds.stderr);
    assert.match(ds.stdout, /^NAMESPACE\s+NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
    assert.match(ds.stdout, /^kube-system\s+kube-proxy\s+5\s+5\s+5\s+5\s+5\s+<none>/m);
    assert.match(ds.stdout, /^telemetry\s+node-exporter\s+5\s+5\s+5\s+5\s+5\s+<none>/m);
    const deploy = await kubectl(['get', 'deploy', '-A', '-o', 'wide']);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /^NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
    assert.match(deploy.stdout, /^monitoring\s+collector\s+2\/2\s+2\s+2\s+\S+\s+collector\s+registry\.example\.com\/collector:2\.1\s+app=collector$/m);
    const wide = await kubectl(['get', 'pods', '-n', 'telemetry', '-o', 'wide']);
    assert.match(wide.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
  });

  it('get svc,endpoints -n kube-system and get leases -A', async () => {
    const r = await kubectl(['get', 'svc,endpoints', '-n', 'kube-system']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^service\/kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP/m);
    assert.match(r.stdout, /^endpoints\/kube-dns\s+[\d.]+:53,[\d.]+:53,[\d.]+:53 \+ 3 more\.\.\./m);
    const l = await kubectl(['get', 'leases', '-A']);
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /^kube-node-lease\s+node-00003\s+node-00003\s/m);
    assert.match(l.stdout, /^kube-system\s+kube-scheduler\s/m);
  });

  it('-o json and -o yaml', async () => {
    const j = await kubectl(['get', 'pods', '-n', 'telemetry', '-o', 'json']);
    assert.equal(j.code, 0, j.stderr);
    const list = JSON.parse(j.stdout);
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 5);
    assert.equal(list.items[0].kind, 'Pod');
    const y = await kubectl(['get', 'ds', 'node-exporter', '-n', 'telemetry', '-o', 'yaml']);
    assert.equal(y.code, 0, y.stderr);
    assert.match(y.stdout, /^kind: DaemonSet$/m);
    assert.match(y.stdout, /^  desiredNumberScheduled: 5$/m);
  });

  it('get --raw /readyz?verbose, passing and failing', async () => {
    const ok = await kubectl(['get', '--raw', '/readyz?verbose']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^\[\+\]etcd ok$/m);
    assert.match(ok.stdout, /readyz check passed/);
    fake.etcdOk = false;
    try {
      await new Promise((r) => setTimeout(r, 30));
      const bad = await kubectl(['get', '--raw', '/readyz?verbose']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stdout + bad.stderr, /\[-\]etcd failed: reason withheld/);
      assert.match(bad.stdout + bad.stderr, /readyz check failed/);
    } finally {
      fake.etcdOk = true;
    }
  });

  it('scale deploy/collector --replicas=3 goes to the model', async () => {
    const r = await kubectl(['scale', 'deploy/collector', '-n', 'monitoring', '--replicas=3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/collector scaled/);
    assert.equal(fake.workloads().find((w) => w.name === 'collector')!.replicas, 3);
    const g = await kubectl(['get', 'deploy', 'collector', '-n', 'monitoring']);
    assert.match(g.stdout, /^collector\s+3\/3\s+3\s+3\s/m);
  });

  it('saturated: sim is throttled (429, retries visible), sim-breakglass deletes the DaemonSet', async () => {
    fake.saturated = true;
    fake.retryAfterSeconds = 1;
    try {
      const before = fake.requests.filter((r) => r.verb === 'delete' && r.user === 'sim-user').length;
      const seenBefore = (await clients()).filter((c) => c.user === 'sim-user' && c.userAgent.startsWith('kubectl')).reduce((n, c) => n + c.requestsTotal, 0);
      const r = await kubectl(['--context', 'sim', 'delete', 'ds', 'node-exporter', '-n', 'telemetry', '--request-timeout=5s'], { bin: KUBECTL_131 });
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /TooManyRequests|Too many requests|context deadline exceeded|rate limiter/);
      assert.ok(fake.workloads().some((w) => w.name === 'node-exporter'), 'not deleted');
      const attempts = fake.requests.filter((x) => x.verb === 'delete' && x.user === 'sim-user').length - before;
      assert.ok(attempts >= 3, `kubectl retried the 429 (${attempts} attempts)`);
      const seen = (await clients()).filter((c) => c.user === 'sim-user' && c.userAgent.startsWith('kubectl')).reduce((n, c) => n + c.requestsTotal, 0);
      assert.ok(seen - seenBefore >= attempts, `the retries are visible in /sim/v1/clients (${seen - seenBefore} < ${attempts})`);
      const bg = await kubectl(['--context', 'sim-breakglass', 'delete', 'ds', 'node-exporter', '-n', 'telemetry', '--request-timeout=5s'], { bin: KUBECTL_131 });
      assert.equal(bg.code, 0, bg.stderr);
      assert.match(bg.stdout, /daemonset.apps "node-exporter" deleted/);
      assert.ok(!fake.workloads().some((w) => w.name === 'node-exporter'));
    } finally {
      fake.saturated = false;
    }
  });

  it('saturated by slowness: a held request ends at the client deadline (504 / timeout)', async () => {
    fake.saturated = true;
    fake.saturation = 'timeout';
    fake.holdMs = 30_000;
    try {
      const r = await kubectl(['--context', 'sim', 'get', 'pods', '-A', '--request-timeout=3s'], { bin: KUBECTL_131 });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Timeout|timeout|deadline/);
      assert.ok(r.ms < 20_000, `${r.ms} ms`);
      const bg = await kubectl(['--context', 'sim-breakglass', 'get', 'pods', '-n', 'monitoring', '--request-timeout=3s'], { bin: KUBECTL_131 });
      assert.equal(bg.code, 0, bg.stderr);
    } finally {
      fake.saturated = false;
      fake.saturation = 'reject';
    }
  });

  it('delete ds when not saturated (waits for the object to be gone)', async () => {
    const r = await kubectl(['delete', 'ds', 'kube-proxy', '-n', 'kube-system']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /daemonset.apps "kube-proxy" deleted/);
    const g = await kubectl(['get', 'ds', '-A']);
    assert.match(g.stdout + g.stderr, /No resources found/);
  });
});
