// Controllers' cost in `sim run`, side by side: this checkout's bench/sim-run.ts (the seed
// scenario's largest cluster, 10,000 nodes × 4 h 22 m) and bench/sim-run-controllers.ts (the same
// with a nodeSelector written to the telemetry DaemonSet at T+10 min) against another commit's
// bench/sim-run.ts (REF: e.g. the commit before the controllers), in alternating fresh processes
// so that all see the same machine load. Prints medians and the ratios this/other.
// usage: node bench/sim-run-compare.mjs --against REF [--runs N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { against: { type: 'string' }, runs: { type: 'string', default: '9' } } });
if (!values.against) {
  console.error('usage: node bench/sim-run-compare.mjs --against REF [--runs N]');
  process.exit(2);
}
const runs = Number(values.runs);
const other = mkdtempSync(join(tmpdir(), 'breakglass-bench-'));
const build = (root, name) => {
  const outfile = join(root, 'out', 'bench', `${name}.js`);
  buildSync({ absWorkingDir: root, entryPoints: [join(root, 'bench', `${name}.ts`)], bundle: true, platform: 'node', format: 'cjs', outfile, packages: 'external', logLevel: 'warning' });
  return outfile;
};
try {
  execFileSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(values.against)} | tar -x -C ${JSON.stringify(other)}`], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
  const variants = { other: [build(other, 'sim-run'), other], plain: [build(ROOT, 'sim-run'), ROOT], controllers: [build(ROOT, 'sim-run-controllers'), ROOT] };
  const results = { other: [], plain: [], controllers: [] };
  const order = Object.keys(variants);
  for (let i = 0; i < runs; i++) {
    // Rotate which goes first, so that none always runs on a warmer machine.
    for (let k = 0; k < order.length; k++) {
      const name = order[(i + k) % order.length];
      const [file, cwd] = variants[name];
      results[name].push(JSON.parse(execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' })));
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const wall = (name) => median(results[name].map((r) => r.wallMs));
  const ratios = (name) => results[name].map((r, i) => r.wallMs / results.other[i].wallMs);
  console.log(JSON.stringify({ date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`, against: values.against, runs }));
  console.log(JSON.stringify({ variant: `${values.against}: sim run`, medianWallMs: Math.round(wall('other')), maxRssMB: Math.round(median(results.other.map((r) => r.maxRssMB))) }));
  for (const name of ['plain', 'controllers']) {
    const rs = ratios(name);
    console.log(JSON.stringify({ variant: name === 'plain' ? 'this: sim run' : 'this: sim run + nodeSelector patch at T+10m', medianWallMs: Math.round(wall(name)), maxRssMB: Math.round(median(results[name].map((r) => r.maxRssMB))), medianRatio: +median(rs).toFixed(3), minRatio: +Math.min(...rs).toFixed(3), maxRatio: +Math.max(...rs).toFixed(3), ...(name === 'controllers' ? { patched: results[name][0].patched, agentsLeft: results[name][0].agentsLeft } : {}) }));
  }
} finally {
  rmSync(other, { recursive: true, force: true });
}
