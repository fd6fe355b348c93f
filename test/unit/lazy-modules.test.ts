// The lazy modules of esbuild.config.mjs (files of their own in dist/) load when they are first
// needed and not before: activation loads dist/extension.js alone; the command line loads the YAML
// parser for a runbook's front matter, markdown-it for its body, the analyzer for `lint`, the
// break-glass actions for a break-glass step, and nothing else. Measured on the built dist/ by
// recording every file Node compiles (bench/activation.cjs for the extension).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { removeTempDir, tempDir } from './helpers/servers';

const ROOT = resolve(__dirname, '../../..');
const DIST = join(ROOT, 'dist');
const LAZY = ['client-node', 'tabletop', 'analysis', 'breakglass', 'markdown-it', 'yaml', 'etcd3', 'ssh2'];

/** Preloaded into the command line: at exit, writes the dist/ files Node compiled to $BREAKGLASS_LOADED. */
const TRACER = `
const Module = require('node:module');
const path = require('node:path');
const dist = process.env.BREAKGLASS_DIST;
const seen = [];
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (filename.startsWith(dist + path.sep)) seen.push(path.relative(dist, filename));
  return compile.call(this, content, filename);
};
process.on('exit', () => require('node:fs').writeFileSync(process.env.BREAKGLASS_LOADED, JSON.stringify(seen)));
`;

describe('lazy modules', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    for (const n of ['extension', 'cli', ...LAZY]) assert.ok(existsSync(join(DIST, `${n}.js`)), `dist/${n}.js is missing: run \`npm run build\` first`);
    dir = tempDir('bg-lazy-');
    writeFileSync(join(dir, 'tracer.cjs'), TRACER);
  });
  after(() => dir && removeTempDir(dir));

  /** The dist/ files `breakglass ARGS` loads, in order, and its exit code. */
  function cliLoads(args: string[], env: NodeJS.ProcessEnv = {}): { files: string[]; code: number | null; out: string } {
    const loaded = join(dir, 'loaded.json');
    const r = spawnSync(process.execPath, ['--require', join(dir, 'tracer.cjs'), join(DIST, 'cli.js'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...env, BREAKGLASS_DIST: DIST, BREAKGLASS_LOADED: loaded },
      timeout: 30_000,
    });
    return { files: JSON.parse(readFileSync(loaded, 'utf8')) as string[], code: r.status, out: r.stdout + r.stderr };
  }

  it('activation loads dist/extension.js and no lazy module', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/activation.cjs'), DIST], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout) as { files: { file: string }[] };
    assert.deepEqual(m.files.map((f) => f.file), ['extension.js']);
  });

  it('activation with a runbook and a manifest open still loads dist/extension.js alone: they are read just after', () => {
    const open = ['runbooks/api-server-overload.md', 'runbooks/examples/telemetry-agent.yaml'].flatMap((f) => ['--open', join(ROOT, f)]);
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/activation.cjs'), DIST, ...open], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const m = JSON.parse(r.stdout) as { files: { file: string }[] };
    assert.deepEqual(m.files.map((f) => f.file), ['extension.js']);
  });

  it('`breakglass check` loads the YAML parser and markdown-it, nothing else', () => {
    const rb = join(dir, 'rb.md');
    writeFileSync(rb, '---\nrunbook: true\ntitle: Check\n---\n\n# Look\n\n```sh {name=look}\necho hi &amp; bye\n```\n');
    const r = cliLoads(['check', rb]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.files.sort(), ['cli.js', 'markdown-it.js', 'yaml.js']);
  });

  it('`breakglass lint` loads the analyzer (with the YAML parser), not markdown-it', () => {
    const r = cliLoads(['lint', join(ROOT, 'runbooks/examples/telemetry-agent-node-scoped.yaml'), '--fail-on', 'never']);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.files.sort(), ['analysis.js', 'cli.js', 'yaml.js']);
  });

  it('a break-glass step loads the break-glass actions when it runs; a shell step does not', () => {
    const rb = join(dir, 'bg.md');
    writeFileSync(rb, '---\nrunbook: true\ntitle: Remove\n---\n\n```sh {name=first}\necho first\n```\n\n```breakglass {name=remove}\naction: etcd-delete\nkeys: [/registry/daemonsets/monitoring/telemetry-agent]\n```\n');
    // Real mode against an etcd that is not there: the step fails, after its actions loaded.
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {}\n');
    const run = (step: string[]) => cliLoads(['run', rb, ...step, '--mode', 'real', '--kubeconfig', kubeconfig, '--context', 'prod', '--yes', '--journal', join(dir, 'j')], { ETCDCTL_ENDPOINTS: 'http://127.0.0.1:1' });
    const shell = run(['--step', 'first']);
    assert.equal(shell.code, 0, shell.out);
    assert.ok(!shell.files.includes('breakglass.js'), shell.files.join(', '));
    const both = run(['--all']);
    assert.equal(both.code, 1, both.out);
    assert.match(both.out, /etcd is not reachable/);
    assert.ok(both.files.includes('breakglass.js'), `${both.files.join(', ')}\n${both.out}`);
  });
});
