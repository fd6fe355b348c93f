// Bundles the extension, the command line, the webview scripts and the tests.
// usage: node esbuild.config.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, existsSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', target: 'node20' };

/** Every `*.test.ts` (and the suite entry `index.ts`) below a test folder. */
function testEntries(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts') || f === 'index.ts')
    .map((f) => join(dir, f));
}

// Lazy modules: each is a file of its own in dist/, evaluated the first time the code needs it —
// `await import(X)` where the caller can wait, `require(X)` inside the function that needs it
// where it cannot (src/lazy.ts, src/breakglass/modules.ts) — so activation and the command line's
// start load none of them. Every build (the extension, the command line and the lazy modules
// themselves) resolves an import of one of these to its file in dist/ instead of bundling a copy:
// each exists once in the .vsix and is evaluated at most once per process. Only plain data and the objects' own methods cross between
// two files (no `instanceof` across them). Modules that keep process-wide state (the running
// process groups of src/runbook/executor.ts) belong to the extension's and the command line's own
// bundles, never to a lazy module. Where the code loads them: docs/ARCHITECTURE.md, "Bundles".
//   package: an npm package, bundled whole; source: a file of src/ and what it imports.
const LAZY = {
  // The Kubernetes client (~3.5 MB): when a command first connects to a cluster.
  'client-node': { package: '@kubernetes/client-node' },
  // The tabletop (the simulator and its Kubernetes API server, ~140 KB): `Start Tabletop`.
  tabletop: { source: 'src/tabletop/tabletop.ts' },
  // The manifest analyzer (its agent catalogue, rules, cost model, fix planners): the first YAML
  // document analysed (src/views/analysis.ts).
  analysis: { source: 'src/analysis/index.ts' },
  // The break-glass actions: the first break-glass step run (src/runbook/kinds/breakglass.ts).
  breakglass: { source: 'src/breakglass/index.ts' },
  // markdown-it and its entity tables (~150 KB): the first runbook parsed (src/runbook/parse.ts).
  // Its CommonJS build, so that `require('markdown-it')` is the class here as in Node.
  'markdown-it': { package: 'markdown-it', entry: require.resolve('markdown-it') },
  // The YAML parser (~110 KB): the first YAML read (front matter, a kubeconfig, a scenario, a manifest).
  yaml: { package: 'yaml' },
  // etcd3 with gRPC and protobuf.js (src/breakglass/modules.ts). It reads its .proto files at run
  // time from `${__dirname}/../proto/` (etcd3 1.1.2, lib/connection-pool.js): bundled, that
  // folder is dist/etcd3-proto/, copied by copyAssets().
  etcd3: { package: 'etcd3', plugins: [etcdProtoDir()] },
  // ssh2 (src/breakglass/modules.ts), without its optional native add-ons: it requires
  // ./crypto/build/Release/sshcrypto.node and cpu-features in a try and falls back to pure
  // JavaScript when they are missing (ssh2 1.17.0, lib/protocol/crypto.js, constants.js).
  ssh2: { package: 'ssh2', external: ['*.node', 'cpu-features'] },
};

/** Resolves imports of the lazy modules (other than `self`) to their files in dist/. */
function lazyModules(self) {
  const sources = Object.entries(LAZY)
    .filter(([name, m]) => m.source && name !== self)
    .map(([name, m]) => [name, resolve(m.source).replace(/\.ts$/, '')]);
  const packages = new Map(Object.entries(LAZY).filter(([name, m]) => m.package && name !== self).map(([name, m]) => [m.package, name]));
  return {
    name: 'lazy-modules',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (a) => {
        if (a.kind === 'entry-point') return undefined;
        const pkg = packages.get(a.path);
        if (pkg) return { path: `./${pkg}.js`, external: true };
        if (!a.path.startsWith('.') || !a.resolveDir.startsWith(resolve('src'))) return undefined;
        const target = resolve(a.resolveDir, a.path).replace(/\.ts$/, '');
        const hit = sources.find(([, file]) => file === target || file === join(target, 'index'));
        return hit ? { path: `./${hit[0]}.js`, external: true } : undefined;
      });
    },
  };
}

/** etcd3's .proto files: from dist/etcd3-proto/ next to dist/etcd3.js (see LAZY.etcd3). */
function etcdProtoDir() {
  return {
    name: 'etcd3-proto-dir',
    setup(b) {
      b.onLoad({ filter: /[\\/]etcd3[\\/]lib[\\/]connection-pool\.js$/ }, (a) => {
        const text = readFileSync(a.path, 'utf8');
        const from = '`${__dirname}/../proto/rpc.proto`';
        if (!text.includes(from)) throw new Error(`${a.path} no longer loads ${from}: update etcdProtoDir in esbuild.config.mjs`);
        return { contents: text.replace(from, '`${__dirname}/etcd3-proto/rpc.proto`'), loader: 'js' };
      });
    },
  };
}

const node = { ...common, platform: 'node', format: 'cjs' };
const builds = [
  ...Object.entries(LAZY).map(([name, m]) => ({
    ...node,
    entryPoints: { [name]: m.entry ?? m.source ?? m.package },
    outdir: 'dist',
    external: m.external,
    plugins: [lazyModules(name), ...(m.plugins ?? [])],
  })),
  // The extension: CommonJS for the extension host, `vscode` provided by the host.
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [lazyModules()] },
  // The command line: same engine, no `vscode`.
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [lazyModules()] },
  // Webview scripts: browser, no Node. uPlot (the health panels' and the facilitator's charts) is bundled into them.
  { ...common, entryPoints: ['media/runbook.ts', 'media/health.ts', 'media/tabletop.ts'], outdir: 'dist/media', platform: 'browser', format: 'iife', target: 'es2022' },
];
if (!production) {
  // Unit tests run under mocha in Node; integration tests run inside the VS Code extension host.
  const unit = testEntries('test/unit');
  if (unit.length) builds.push({ ...common, entryPoints: unit, outdir: 'out/test/unit', outbase: 'test/unit', platform: 'node', format: 'cjs', packages: 'external' });
  const integ = testEntries('test/integration');
  if (integ.length) builds.push({ ...common, entryPoints: integ, outdir: 'out/test/integration', outbase: 'test/integration', platform: 'node', format: 'cjs', external: ['vscode', 'mocha'] });
}

function copyAssets() {
  mkdirSync('dist/media', { recursive: true });
  for (const f of readdirSync('media')) if (f.endsWith('.css') || f.endsWith('.svg') || f.endsWith('.png')) cpSync(join('media', f), join('dist/media', f));
  // Codicons ship as a font + stylesheet; bundled, never from a CDN.
  const codicons = 'node_modules/@vscode/codicons/dist';
  cpSync(join(codicons, 'codicon.css'), 'dist/media/codicon.css');
  cpSync(join(codicons, 'codicon.ttf'), 'dist/media/codicon.ttf');
  // uPlot's stylesheet for the health panels' charts, also bundled.
  cpSync('node_modules/uplot/dist/uPlot.min.css', 'dist/media/uPlot.min.css');
  // etcd3's .proto files, read by dist/etcd3.js when it loads (see LAZY.etcd3).
  mkdirSync('dist/etcd3-proto', { recursive: true });
  for (const f of readdirSync('node_modules/etcd3/proto')) if (f.endsWith('.proto')) cpSync(join('node_modules/etcd3/proto', f), join('dist/etcd3-proto', f));
}

if (watch) {
  copyAssets();
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
