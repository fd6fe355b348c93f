// The .vsix: built here with the `vsce package` command of `npm run package` (from the dist/ the
// test run just built), then read as a person installing it gets it. Everything is bundled into
// dist/: no node_modules/ at all. The lazy modules (esbuild.config.mjs, LAZY) are files of their
// own in dist/, etcd3's with its .proto files; installed, each loads from the extension's own
// folder and nothing outside it, and the command line reaches a real etcd (etcd3, gRPC, the .proto
// files) and a real sshd (ssh2) through them.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { etcdctl, loginUser, makeSshKey, requireBinary, startEtcd, startSshd, tempDir, type EtcdServer, type SshNode } from './helpers/servers';

const ROOT = resolve(__dirname, '../../..');
const UNZIP = '/usr/bin/unzip';
/** The lazy modules of esbuild.config.mjs, each dist/NAME.js. */
const LAZY = ['client-node', 'tabletop', 'analysis', 'breakglass', 'markdown-it', 'yaml', 'etcd3', 'ssh2'];
/** Every JavaScript file of the .vsix: the two entry bundles, the lazy modules, the webview scripts. */
const JS = [...['extension', 'cli', ...LAZY].map((n) => `extension/dist/${n}.js`), ...['runbook', 'health', 'tabletop'].map((n) => `extension/dist/media/${n}.js`)].sort();

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

  it('is bundled: no node_modules, JavaScript only in dist/, etcd3\'s .proto files beside it', () => {
    for (const f of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/cli.js']) assert.ok(entries.includes(f), f);
    // The walkthrough's pages and the shipped runbooks and scenarios it opens.
    for (const f of ['extension/walkthrough/2-start-tabletop.md', 'extension/runbooks/api-server-overload.md', 'extension/runbooks/scenarios/telemetry-rollout-2024-12-11.yaml']) assert.ok(entries.includes(f), f);
    assert.deepEqual(entries.filter((e) => e.includes('node_modules/')), []);
    assert.deepEqual(entries.filter((e) => /\.(c|m)?js$/.test(e)).sort(), JS);
    for (const f of ['rpc.proto', 'kv.proto', 'auth.proto']) assert.ok(entries.includes(`extension/dist/etcd3-proto/${f}`), f);
    // Nothing from development: no maps, no TypeScript, no compiled add-on, no tests.
    const bad = entries.filter((e) => /\.(node|map|ts)$/.test(e) || (/\/(test|tests|examples)\//.test(e) && !e.startsWith('extension/runbooks/')) || /binding\.gyp$/.test(e));
    assert.deepEqual(bad, []);
    assert.ok(entries.length < 60, `${entries.length} files`);
    assert.ok(statSync(vsix).size < 4 * 1024 * 1024, `the .vsix is ${statSync(vsix).size} bytes`);
    // Nothing left to install: the manifest has no run-time dependencies.
    const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies: Record<string, string> };
    assert.deepEqual(manifest.dependencies ?? {}, {});
    for (const p of ['etcd3', 'ssh2', 'markdown-it', 'yaml', '@kubernetes/client-node', 'fast-json-patch']) assert.ok(manifest.devDependencies[p], `${p} is a devDependency (bundled)`);
  });

  it('installed, every lazy module loads from the extension folder and nothing outside it', () => {
    // A fresh Node in a folder with no node_modules above it: a require that esbuild left to run
    // time (a package not bundled) would fail here, or resolve outside the extension.
    const probe = `
      const path = require('node:path');
      const ext = process.argv[1];
      const out = {};
      for (const name of ${JSON.stringify(LAZY)}) {
        const m = require(path.join(ext, 'dist', name + '.js'));
        out[name] = typeof m === 'function' ? 1 : Object.keys(m).length;
      }
      const { Etcd3 } = require(path.join(ext, 'dist/etcd3.js'));
      const client = new Etcd3({ hosts: '127.0.0.1:1' }); // loads the .proto files
      client.close();
      const ssh2 = require(path.join(ext, 'dist/ssh2.js'));
      // ssh2 1.x's own round trip fails now and then ("Malformed OpenSSH private key", about 3
      // keys in 1,000 here): a few fresh keys prove the module works all the same.
      let parsed;
      for (let i = 0; i < 5 && !(parsed && parsed.type); i++) parsed = ssh2.utils.parseKey(ssh2.utils.generateKeyPairSync('ed25519').private);
      const MarkdownIt = require(path.join(ext, 'dist/markdown-it.js'));
      const html = new MarkdownIt().render('# hi &amp; *there*');
      const outside = Object.keys(require.cache).filter((f) => !f.startsWith(ext + path.sep));
      console.log(JSON.stringify({ out, keyType: parsed.type, html, outside }));`;
    const r = spawnSync(process.execPath, ['-e', probe, ext], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir }, timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { out: Record<string, number>; keyType: string; html: string; outside: string[] };
    for (const name of LAZY) assert.ok(got.out[name] > 0, `dist/${name}.js exports something`);
    assert.equal(got.keyType, 'ssh-ed25519');
    assert.equal(got.html.trim(), '<h1>hi &amp; <em>there</em></h1>');
    assert.deepEqual(got.outside, []);
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

    it('`breakglass run` deletes keys from etcd with a break-glass step (dist/breakglass.js, dist/etcd3.js)', async () => {
      etcd ??= await startEtcd();
      etcdctl(etcd, ['put', '/registry/daemonsets/monitoring/telemetry-agent', 'ds']);
      etcdctl(etcd, ['put', '/registry/pods/monitoring/telemetry-agent-abcde', 'pod']);
      etcdctl(etcd, ['put', '/registry/pods/monitoring/other-1', 'keep']);
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {}\n');
      const rb = join(dir, 'remove.md');
      writeFileSync(rb, '---\nrunbook: true\ntitle: Remove the agent\n---\n\n```breakglass {name=remove-from-etcd}\naction: etcd-delete\nkeys: [/registry/daemonsets/monitoring/telemetry-agent]\nprefixes: [/registry/pods/monitoring/telemetry-agent-]\n```\n');
      const r = spawnSync(process.execPath, [join(ext, 'dist/cli.js'), 'run', rb, '--all', '--mode', 'real', '--kubeconfig', kubeconfig, '--context', 'prod', '--yes', '--journal', join(dir, 'journal')], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir, ...etcd.env },
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, /preview: 2 key\(s\) to delete/);
      assert.equal(etcdctl(etcd, ['get', '--prefix', '--keys-only', '/registry/']).trim(), '/registry/pods/monitoring/other-1');
    });
  });
});
