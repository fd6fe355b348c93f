// SIMULATED mode never reaches a real cluster: with a "real" cluster reachable through
// ~/.kube/config, KUBECONFIG, in-cluster variables, KUBERNETES_MASTER and Helm's overrides, a step's
// real kubectl in a simulated run sends it nothing — while the same step in real mode does (so the
// stand-in would have seen it). Copies of kubeconfigs live in a private directory; the folders of
// killed runs are removed by the next run.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { renderSimKubeconfig } from '../../src/sim/server/kubeconfig';
import { removeTempDir, tempDir } from './helpers/servers';

const CLI = resolve(__dirname, '../../../dist/cli.js');

function which(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return undefined;
}
/** The real kubectl: the 1.31 binary beside the version dispatcher when there is one. */
function kubectlDir(): string | undefined {
  const k = which('kubectl');
  if (!k) return undefined;
  const dir = dirname(realpathSync(k));
  if (!existsSync(join(dir, 'kubectl.1.31'))) return dirname(k);
  // A folder with `kubectl` = the 1.31 binary, first on PATH.
  const bin = tempDir('bg-kubectl-');
  symlinkSync(join(dir, 'kubectl.1.31'), join(bin, 'kubectl'));
  return bin;
}

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, timeout: 60_000 }, (e, out, err) => res({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: String(out), err: String(err) }));
  });
}

const realKubeconfig = (url: string, current = 'real') =>
  `apiVersion: v1\nkind: Config\ncurrent-context: ${current}\ncontexts:\n- name: real\n  context: {cluster: prod, user: admin}\n- name: other\n  context: {cluster: prod, user: admin}\nclusters:\n- name: prod\n  cluster: {server: "${url}"}\nusers:\n- name: admin\n  user: {token: prod-admin-token-0123456789}\n`;

describe('simulated mode never reaches a real cluster', function () {
  this.timeout(120_000);
  let dir: string;
  let server: http.Server;
  let url: string;
  let bin: string | undefined;
  const seen: string[] = [];

  before(async function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    bin = kubectlDir();
    if (!bin) throw new Error('kubectl is not installed');
    dir = tempDir('bg-sim-isolation-');
    // The stand-in for a real API server: it records every request that reaches it.
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","message":"stand-in","code":500}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
    writeFileSync(join(dir, 'home', '.kube', 'config'), realKubeconfig(url));
  });
  after(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (dir) removeTempDir(dir);
  });

  /** Every way to the "real" cluster, set in the environment. */
  const hostileEnv = (): NodeJS.ProcessEnv => ({
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    HOME: join(dir, 'home'),
    KUBECONFIG: join(dir, 'home', '.kube', 'config'),
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: url.split(':')[2],
    KUBERNETES_MASTER: url,
    HELM_KUBEAPISERVER: url,
    HELM_KUBECONTEXT: 'real',
    BREAKGLASS_PRIVATE_DIR: join(dir, 'private'),
  });
  const runbook = (name: string, body: string): string => {
    const file = join(dir, `${name}.md`);
    writeFileSync(file, `---\nrunbook: true\ntitle: ${name}\n---\n\n\`\`\`bash {name=${name}}\n${body}\n\`\`\`\n`);
    return file;
  };
  const DELETE = 'set +e\nkubectl delete daemonset telemetry-agent -n monitoring --request-timeout=5s\necho "rc=$?"\necho "KC=$KUBECONFIG"\nenv | grep -E "^(KUBERNETES_|HELM_KUBE)" || echo "no cluster variables"';

  it('a kubectl delete in a simulated run sends nothing to the cluster of ~/.kube/config, KUBECONFIG or the in-cluster variables', async () => {
    const file = runbook('delete', DELETE);
    seen.length = 0;
    const sim = await run(['run', file, '--all', '--journal', join(dir, 'j')], hostileEnv(), dir);
    assert.deepEqual(seen, [], `requests reached the real cluster: ${seen.join(', ')}`);
    assert.match(sim.out, /rc=1\n/);
    assert.match(sim.out, /KC=\S+placeholder-kubeconfig\n/);
    assert.ok(sim.out.includes(`KC=${join(dir, 'private')}`), sim.out);
    assert.match(sim.out, /no cluster variables/);
    assert.match(sim.err, /SIMULATED \(no simulated cluster: kubectl in a step reaches nothing\)/);

    // The same step in real mode reaches the stand-in: it would have seen a simulated run's requests.
    const real = await run(['run', file, '--all', '--mode', 'real', '--context', 'real', '--yes', '--journal', join(dir, 'j')], hostileEnv(), dir);
    assert.ok(seen.length > 0, `kubectl in real mode did not reach the stand-in: ${real.out}${real.err}`);
  });

  it('refuses a kubeconfig that is not a simulated cluster\'s in simulated mode (--kubeconfig, BREAKGLASS_SIM_KUBECONFIG)', async () => {
    const file = runbook('plain', 'echo ran');
    seen.length = 0;
    const flag = await run(['run', file, '--all', '--kubeconfig', join(dir, 'home', '.kube', 'config'), '--journal', join(dir, 'j')], hostileEnv(), dir);
    assert.equal(flag.code, 2, flag.err);
    assert.match(flag.err, /is not a simulated cluster's kubeconfig/);
    assert.doesNotMatch(flag.out, /ran/);
    const envVar = await run(['run', file, '--all', '--journal', join(dir, 'j')], { ...hostileEnv(), BREAKGLASS_SIM_KUBECONFIG: join(dir, 'home', '.kube', 'config') }, dir);
    assert.equal(envVar.code, 2, envVar.err);
    // A simulated cluster's kubeconfig (as `sim serve` writes it) is handed to the steps as it is.
    const simKc = join(dir, 'sim-kubeconfig');
    writeFileSync(simKc, renderSimKubeconfig({ clusterName: 'prod-east', server: 'https://127.0.0.1:1', caPem: 'x', userToken: 'u'.repeat(20), breakglassToken: 'b'.repeat(20) }));
    const ok = await run(['run', runbook('kc', 'echo "KC=$KUBECONFIG"'), '--all', '--journal', join(dir, 'j')], { ...hostileEnv(), BREAKGLASS_SIM_KUBECONFIG: simKc }, dir);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, `KC=${simKc}\n`);
    assert.deepEqual(seen, []);
  });

  it('keeps kubeconfig copies in a private directory; a killed run\'s folder is removed by the next run', async () => {
    const priv = join(dir, 'private');
    const file = runbook('copy', 'echo "PG=$$ KC=$KUBECONFIG"; grep current-context "$KUBECONFIG"; sleep 30');
    // `other` is not the file's current context: the step gets a private copy that says it is.
    const child = spawn(process.execPath, [CLI, 'run', file, '--all', '--mode', 'real', '--context', 'other', '--journal', join(dir, 'j')], { env: hostileEnv(), cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const t0 = Date.now();
    while (!/current-context: other/.test(out) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    const kc = /KC=(\S+)/.exec(out)?.[1];
    assert.ok(kc, out);
    assert.ok(kc.startsWith(priv + '/'), `${kc} is not under ${priv}`);
    assert.equal(lstatSync(priv).mode & 0o777, 0o700);
    const folder = kc.slice(priv.length + 1).split('/')[0]!;
    assert.match(folder, new RegExp(`^${child.pid}-`));
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    // The step's own process group outlives SIGKILL of the CLI: end it here.
    try {
      process.kill(-Number(/PG=(\d+)/.exec(out)![1]), 'SIGKILL');
    } catch {
      /* already gone */
    }
    assert.ok(existsSync(join(priv, folder)), 'SIGKILL leaves the folder behind');
    const next = await run(['run', runbook('next', 'echo "KC=$KUBECONFIG"'), '--all', '--mode', 'real', '--context', 'other', '--journal', join(dir, 'j')], hostileEnv(), dir);
    assert.equal(next.code, 0, next.err);
    assert.ok(!existsSync(join(priv, folder)), `the stale folder ${folder} is still there`);
    // And the next run removed its own folder when it ended.
    assert.deepEqual(readdirSync(priv).filter((n) => !/^\d+-/.test(n) || n.startsWith(`${child.pid}-`)), []);
  });

  it('refuses a private directory that is a symbolic link', async () => {
    const target = join(dir, 'elsewhere');
    mkdirSync(target);
    const link = join(dir, 'link');
    symlinkSync(target, link);
    const r = await run(['run', runbook('link', 'echo "KC=$KUBECONFIG"'), '--all', '--journal', join(dir, 'j')], { ...hostileEnv(), BREAKGLASS_PRIVATE_DIR: link }, dir);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out + r.err, /private directory .* is not a directory \(a symbolic link or a file is in its place\)/);
    assert.deepEqual(readdirSync(target), []);
  });
});
