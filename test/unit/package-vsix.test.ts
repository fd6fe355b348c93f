// The .vsix: built here with the `vsce package` command of `npm run package` (from the dist/ the
// test run just built), then read as a person installing it gets it. It must carry etcd3 and ssh2
// (loaded from node_modules at run time, never bundled) with exactly their production dependency
// closure, and nothing that is bundled into dist/ already; installed, both must load from the
// extension's own folder, in the extension and in the command line.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loginUser, makeSshKey, requireBinary, startEtcd, startSshd, tempDir, type EtcdServer, type SshNode } from './helpers/servers';

const ROOT = resolve(__dirname, '../../..');
const UNZIP = '/usr/bin/unzip';
/** Packages that must load from node_modules at run time: package.json `dependencies`. */
const SHIPPED = ['etcd3', 'ssh2'];
/** Bundled into dist/ by esbuild.config.mjs: never in node_modules of the .vsix. */
const BUNDLED = ['@kubernetes/client-node', 'markdown-it', 'yaml', 'uplot'];
/**
 * In the production closure but left out by .vscodeignore: native add-ons and what builds them
 * (optional for ssh2, which then uses pure JavaScript), and type declarations.
 */
const LEFT_OUT = ['cpu-features', 'buildcheck', 'nan', '@types/node', 'undici-types'];

interface LockEntry {
  dev?: boolean;
}

/** `node_modules/…` paths of the production dependency closure, from package-lock.json. */
function productionClosure(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  return Object.entries(lock.packages)
    .filter(([k, v]) => k.startsWith('node_modules/') && !v.dev)
    .map(([k]) => k)
    .sort();
}

/** The innermost package name of a `node_modules/a/node_modules/@b/c` path. */
function packageName(path: string): string {
  return path.replace(/^.*node_modules\//, '');
}

/** The package folders (`node_modules/…`, nested ones included) that hold a package.json in the listing. */
function packagesIn(entries: string[]): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    const m = /^extension\/((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)package\.json$/.exec(e);
    if (m) out.add(m[1].replace(/\/$/, ''));
  }
  return [...out].sort();
}

describe('the packaged .vsix', function () {
  this.timeout(180_000);
  let dir: string;
  let vsix: string;
  let entries: string[];
  let ext: string;

  before(function () {
    requireBinary(UNZIP, 'unzip');
    for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/client-node.js']) assert.ok(existsSync(join(ROOT, f)), `${f} is missing: run \`npm run build\` first`);
    dir = tempDir('bg-vsix-');
    vsix = join(dir, 'breakglass.vsix');
    // The vsce command of `npm run package`, writing elsewhere (the bundles are already built).
    const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.package;
    const vsce = /(?:^|&&\s*)(vsce package\b[^&]*)$/.exec(script)?.[1].trim();
    assert.ok(vsce, `npm run package runs vsce package: ${script}`);
    const args = vsce.split(/\s+/).slice(1);
    const o = args.indexOf('-o');
    assert.ok(o > 0, `the package script names its output with -o: ${vsce}`);
    args.splice(o, 2, '-o', vsix);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `vsce ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
    entries = execFileSync(UNZIP, ['-Z1', vsix], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter(Boolean);
    execFileSync(UNZIP, ['-q', vsix, '-d', join(dir, 'installed')]);
    ext = join(dir, 'installed', 'extension');
  });

  it('carries etcd3, ssh2 and @grpc/grpc-js, and nothing that dist/ bundles', () => {
    for (const f of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/cli.js', 'extension/dist/client-node.js']) assert.ok(entries.includes(f), f);
    // The walkthrough's pages and the shipped runbooks and scenarios it opens.
    for (const f of ['extension/walkthrough/2-start-tabletop.md', 'extension/runbooks/api-server-overload.md', 'extension/runbooks/scenarios/telemetry-rollout-2024-12-11.yaml']) assert.ok(entries.includes(f), f);
    for (const p of [...SHIPPED, '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs']) assert.ok(entries.includes(`extension/node_modules/${p}/package.json`), `${p} is in the .vsix`);
    // etcd3 loads its .proto files from disk.
    for (const f of ['rpc.proto', 'kv.proto', 'auth.proto']) assert.ok(entries.includes(`extension/node_modules/etcd3/proto/${f}`), f);
    for (const p of BUNDLED) assert.ok(!entries.some((e) => e.startsWith(`extension/node_modules/${p}/`)), `${p} is bundled, not shipped in node_modules`);
    const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), SHIPPED);
    for (const p of BUNDLED) assert.ok(manifest.devDependencies?.[p], `${p} is a devDependency`);
  });

  it('ships exactly the production dependency closure of package-lock.json, without native add-ons or types', () => {
    const closure = productionClosure();
    for (const p of SHIPPED) assert.ok(closure.includes(`node_modules/${p}`), `${p} is a production dependency in package-lock.json`);
    const expected = closure.filter((p) => !LEFT_OUT.includes(packageName(p)));
    assert.deepEqual(packagesIn(entries), expected);
    // Nothing from development: no test suites, no maps, no TypeScript, no compiled add-on.
    const bad = entries.filter((e) => /\.(node|map|ts)$/.test(e) || (/\/(test|tests|examples)\//.test(e) && !e.startsWith('extension/runbooks/')) || /binding\.gyp$/.test(e));
    assert.deepEqual(bad, []);
    assert.ok(statSync(vsix).size < 4 * 1024 * 1024, `the .vsix is ${statSync(vsix).size} bytes`);
  });

  it('installed, etcd3 and ssh2 load from the extension folder as src/breakglass/modules.ts loads them', () => {
    // modules.ts: createRequire(__filename) in dist/extension.js (and dist/cli.js).
    const probe = `
      const { createRequire } = require('node:module');
      const out = {};
      for (const bundle of ['dist/extension.js', 'dist/cli.js']) {
        const load = createRequire(require('node:path').join(process.argv[1], bundle));
        const { Etcd3 } = load('etcd3');
        const client = new Etcd3({ hosts: '127.0.0.1:1' }); // loads the .proto files
        client.close();
        const ssh2 = load('ssh2');
        // ssh2 1.x's own round trip fails now and then ("Malformed OpenSSH private key", about 3
        // keys in 1,000 here): a few fresh keys prove the module works all the same.
        let parsed;
        for (let i = 0; i < 5 && !(parsed && parsed.type); i++) parsed = ssh2.utils.parseKey(ssh2.utils.generateKeyPairSync('ed25519').private);
        out[bundle] = { etcd3: load.resolve('etcd3'), ssh2: load.resolve('ssh2'), grpc: load.resolve('@grpc/grpc-js', { paths: [require('node:path').dirname(load.resolve('etcd3'))] }), keyType: parsed.type };
      }
      console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['-e', probe, ext], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir }, timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, { etcd3: string; ssh2: string; grpc: string; keyType: string }>;
    for (const [bundle, x] of Object.entries(out)) {
      assert.equal(x.etcd3, join(ext, 'node_modules/etcd3/lib/index.js'), bundle);
      assert.equal(x.ssh2, join(ext, 'node_modules/ssh2/lib/index.js'), bundle);
      assert.ok(x.grpc.startsWith(join(ext, 'node_modules/@grpc/grpc-js/')), x.grpc);
      assert.equal(x.keyType, 'ssh-ed25519');
    }
  });

  describe('the installed command line', () => {
    let etcd: EtcdServer | undefined;
    let node: SshNode | undefined;
    after(async () => {
      await Promise.all([etcd?.stop(), node?.stop()]);
    });

    it('`breakglass preflight` reaches etcd (etcd3) and a node over SSH (ssh2)', async () => {
      const client = makeSshKey(dir, 'id_breakglass');
      etcd = await startEtcd();
      node = await startSshd({ name: 'n1', authorizedKey: client.publicLine, dir });
      writeFileSync(join(dir, 'known_hosts'), `${node.knownHostsLine}\n`);
      writeFileSync(
        join(dir, 'preflight.yaml'),
        `ssh:\n  identityFile: id_breakglass\n  knownHosts: known_hosts\n  user: ${loginUser()}\nclusters:\n  - name: test\n    etcd:\n      endpoints: [${etcd.endpoint}]\n    nodes:\n      inventory: [${node.address}]\n      sample: 1\n`,
      );
      const r = spawnSync(process.execPath, [join(ext, 'dist/cli.js'), 'preflight', '--config', join(dir, 'preflight.yaml'), '--json'], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir },
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      const doc = JSON.parse(r.stdout) as { ok: boolean; results: { path: string; ok: boolean; detail: string }[] };
      assert.equal(doc.ok, true);
      const etcdResult = doc.results.find((x) => x.path === 'etcd')!;
      assert.match(etcdResult.detail, /keys under \/registry\/ at revision \d+/);
      const nodes = doc.results.find((x) => x.path === 'nodes')!;
      assert.match(nodes.detail, /1 of 1 node\(s\) tried .*: 1 ok/);
    });
  });
});
