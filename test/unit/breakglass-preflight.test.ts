// `breakglass preflight` against real components: etcd, sshd "nodes" and a "control-plane host"
// on 127.0.0.1, and the simulated API server with its break-glass context.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parsePreflightConfig, spreadSample } from '../../src/breakglass/preflight';
import { preflightCommand } from '../../src/cli/preflight';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { closedPort, etcdEnableAuth, loginUser, makeSshKey, startEtcd, startSshd, tempDir, type EtcdServer, type SshNode } from './helpers/servers';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await preflightCommand(argv, { out: out.stream, err: err.stream, env });
  return { code, out: out.text(), err: err.text() };
}

describe('breakglass preflight', function () {
  this.timeout(60_000);
  let dir: string;
  let etcd: EtcdServer;
  let nodes: SshNode[];
  let cp: SshNode;
  let served: ServedCluster;
  let deadPort: number;
  const env = (): NodeJS.ProcessEnv => ({ HOME: dir, PATH: process.env.PATH });

  before(async () => {
    dir = tempDir('bg-preflight-');
    const client = makeSshKey(dir, 'id_breakglass');
    etcd = await startEtcd();
    nodes = await Promise.all(['n1', 'n2', 'n3', 'n4', 'n5'].map((name) => startSshd({ name, authorizedKey: client.publicLine, dir })));
    cp = await startSshd({ name: 'cp1', authorizedKey: client.publicLine, dir });
    deadPort = await closedPort();
    writeFileSync(join(dir, 'known_hosts'), [...nodes, cp].map((n) => n.knownHostsLine).join('\n') + '\n');
    writeFileSync(join(dir, 'nodes.txt'), nodes.map((n) => n.address).join('\n') + '\n');
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    served = await serveCluster(sim.cluster('staging')!, { kubeconfigPath: join(dir, 'kubeconfig') });
  });
  after(async () => {
    await Promise.all([etcd?.stop(), ...(nodes ?? []).map((n) => n.stop()), cp?.stop(), served?.close()]);
  });

  const config = (o: { etcdEndpoint?: string; nodes?: string; context?: string } = {}): string => `
ssh:
  identityFile: id_breakglass
  knownHosts: known_hosts
  user: ${loginUser()}
clusters:
  - name: staging
    etcd:
      endpoints: [${o.etcdEndpoint ?? etcd.endpoint}]
    nodes:
      inventory: ${o.nodes ?? '{file: nodes.txt}'}
      sample: 3
    controlPlane:
      inventory: [${cp.address}]
      check: "true"
    breakglass:
      kubeconfig: kubeconfig
      context: ${o.context ?? 'sim-breakglass'}
`;

  it('every path passes: exit 0, one line per path', async () => {
    writeFileSync(join(dir, 'ok.yaml'), config());
    const r = await run(['--config', join(dir, 'ok.yaml')], env());
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /staging\s+etcd\s+ok\s+http:\/\/127\.0\.0\.1:\d+: 0 keys under \/registry\//);
    assert.match(r.out, /staging\s+nodes\s+ok\s+3 of 5 node\(s\) tried as \S+ \(key .*id_breakglass\): 3 ok/);
    assert.match(r.out, /staging\s+control-plane\s+ok\s+1 control-plane host\(s\)/);
    assert.match(r.out, /staging\s+break-glass\s+ok\s+https:\/\/127\.0\.0\.1:\d+: context 'sim-breakglass' lands in the exempt priority level/);
    assert.match(r.out, /preflight: 4 of 4 path\(s\) ok\n$/);
  });

  it('broken paths fail with reasons (exit 1); --json carries every result', async () => {
    const stopped = await closedPort();
    writeFileSync(join(dir, 'bad.yaml'), config({ etcdEndpoint: `http://127.0.0.1:${stopped}`, nodes: `[${nodes[0].address}, 127.0.0.1:${deadPort}]`, context: 'sim' }));
    const r = await run(['--config', join(dir, 'bad.yaml'), '--json'], env());
    assert.equal(r.code, 1, r.err);
    const doc = JSON.parse(r.out) as { ok: boolean; results: { path: string; ok: boolean; detail: string; hosts?: { id: string; ok: boolean }[] }[] };
    assert.equal(doc.ok, false);
    const by = Object.fromEntries(doc.results.map((x) => [x.path, x]));
    assert.match(by.etcd.detail, /connection refused/);
    assert.equal(by.nodes.ok, false);
    assert.deepEqual(by.nodes.hosts!.map((h) => h.ok), [true, false]);
    assert.match(by.nodes.detail, /connection refused/);
    assert.equal(by.controlPlane.ok, true);
    assert.equal(by.breakglass.ok, false);
    assert.match(by.breakglass.detail, /not exempt/);
  });

  it('config errors are exit 2 with every problem listed', async () => {
    writeFileSync(join(dir, 'broken.yaml'), 'clusters:\n  - name: x\n    etcd: 3\n    nodes: {inventory: {range: 10.0.0.9-10.0.0.1}}\n    surprise: 1\n');
    const r = await run(['--config', join(dir, 'broken.yaml')], env());
    assert.equal(r.code, 2);
    assert.match(r.err, /etcd must be a mapping/);
    assert.match(r.err, /before the first/);
    assert.match(r.err, /unknown field 'surprise'/);
    assert.equal((await run(['--config', join(dir, 'missing.yaml')], env())).code, 2);
    assert.equal((await run(['--bogus'], env())).code, 2);
  });

  it('an etcd user and password with an http:// endpoint fail the etcd path; opted in, it passes with a warning', async () => {
    const authed = await startEtcd();
    try {
      const password = etcdEnableAuth(authed);
      const etcdOnly = (extra: string): string => `clusters:\n  - name: plain\n    etcd:\n      endpoints: [${authed.endpoint}]\n      user: root:${password}\n${extra}`;
      writeFileSync(join(dir, 'plain.yaml'), etcdOnly(''));
      const refused = await run(['--config', join(dir, 'plain.yaml')], env());
      assert.equal(refused.code, 1, refused.out + refused.err);
      assert.match(refused.out, /plain\s+etcd\s+FAIL\s+refusing to connect: an etcd user and password are set \(the etcd `user` setting\) but http:\/\/127\.0\.0\.1:\d+ is http:\/\/: they would cross the network in plaintext/);
      assert.match(refused.out, /preflight: 0 of 1 path\(s\) ok, 1 failing\n$/);
      // The same through etcdctl's environment of the entry.
      writeFileSync(join(dir, 'plain-env.yaml'), `clusters:\n  - name: plain\n    etcd:\n      env: {ETCDCTL_ENDPOINTS: '${authed.endpoint}', ETCDCTL_USER: root, ETCDCTL_PASSWORD: '${password}'}\n`);
      const viaEnv = await run(['--config', join(dir, 'plain-env.yaml'), '--json'], env());
      assert.equal(viaEnv.code, 1);
      assert.match((JSON.parse(viaEnv.out) as { results: { detail: string }[] }).results[0].detail, /refusing to connect: .*\(ETCDCTL_USER\)/);

      writeFileSync(join(dir, 'plain-ok.yaml'), etcdOnly('      allowPlaintextCredentials: true\n'));
      const allowed = await run(['--config', join(dir, 'plain-ok.yaml')], env());
      assert.equal(allowed.code, 0, allowed.out + allowed.err);
      // It authenticated: etcd with authentication on answered the count.
      assert.match(allowed.out, /plain\s+etcd\s+WARN\s+http:\/\/127\.0\.0\.1:\d+: 0 keys under \/registry\/ at revision \d+; warning: an etcd user and password are set .* in plaintext \(allowed by allowPlaintextCredentials\)/);
      assert.match(allowed.out, /preflight: 1 of 1 path\(s\) ok \(1 with a warning\)\n$/);
      const json = await run(['--config', join(dir, 'plain-ok.yaml'), '--json'], env());
      const doc = JSON.parse(json.out) as { ok: boolean; results: { ok: boolean; warning?: string }[] };
      assert.equal(doc.ok, true);
      assert.match(doc.results[0].warning ?? '', /in plaintext/);

      writeFileSync(join(dir, 'plain-bad.yaml'), etcdOnly('      allowPlaintextCredentials: yes please\n'));
      const bad = await run(['--config', join(dir, 'plain-bad.yaml')], env());
      assert.equal(bad.code, 2);
      assert.match(bad.err, /clusters\[0\]\.etcd\.allowPlaintextCredentials must be true or false/);
    } finally {
      await authed.stop();
    }
  });

  it('samples spread over the inventory; relative paths are relative to the config', () => {
    assert.deepEqual(spreadSample([1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [1, 5, 9]);
    const cfg = parsePreflightConfig(config(), join(dir, 'x.yaml'), env());
    assert.equal(cfg.ssh.identityFile, join(dir, 'id_breakglass'));
    assert.equal(cfg.clusters[0].breakglass!.kubeconfig, join(dir, 'kubeconfig'));
  });
});
