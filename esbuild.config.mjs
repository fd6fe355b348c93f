// Bundles the extension, the command line, the webview scripts and the tests.
// usage: node esbuild.config.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

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

// The Kubernetes client is large (~3 MB bundled): its own file in dist/, required only when a
// command first connects to a cluster, so neither activation nor the CLI's start pays for it.
const lazyClientNode = {
  name: 'lazy-client-node',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: './client-node.js', external: true }));
  },
};

// The tabletop (the simulator and its Kubernetes API server, ~250 KB) is the extension's own file
// too, dist/tabletop.js, required when `Start Tabletop` runs: activation does not parse it. Only
// plain data and the cluster models' methods cross between the two bundles.
const lazyTabletop = {
  name: 'lazy-tabletop',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/tabletop\/tabletop$/ }, (a) => (a.importer.includes(join('src', 'views')) ? { path: './tabletop.js', external: true } : undefined));
  },
};

const builds = [
  { ...common, entryPoints: { 'client-node': '@kubernetes/client-node' }, outdir: 'dist', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: { tabletop: 'src/tabletop/tabletop.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', plugins: [lazyClientNode] },
  // The extension: CommonJS for the extension host, `vscode` provided by the host.
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'], plugins: [lazyClientNode, lazyTabletop] },
  // The command line: same engine, no `vscode`.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' }, plugins: [lazyClientNode] },
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
