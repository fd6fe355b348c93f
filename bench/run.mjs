// Runs the benchmarks and prints their results as JSON lines (see docs/BENCHMARKS.md).
// usage: npm run bench   (builds first)
import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { cpus, totalmem } from 'node:os';

execFileSync(process.execPath, ['esbuild.config.mjs', '--production'], { stdio: 'inherit' });
for (const b of ['parse-render', 'sim-run']) buildSync({ entryPoints: [`bench/${b}.ts`], bundle: true, platform: 'node', format: 'cjs', outfile: `out/bench/${b}.js`, packages: 'external', logLevel: 'warning' });
const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.log(JSON.stringify({ date: new Date().toISOString(), machine }));
const pr = JSON.parse(execFileSync(process.execPath, ['out/bench/parse-render.js'], { encoding: 'utf8' }));
console.log(JSON.stringify({ bench: 'parse+render 500-step runbook', goalMs: 100, ...pr }));
const runs = [];
for (let i = 0; i < 11; i++) runs.push(JSON.parse(execFileSync(process.execPath, ['bench/activation.cjs'], { encoding: 'utf8' })));
const med = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
console.log(JSON.stringify({ bench: 'activation (fresh process, 11 runs, medians)', goalMs: 50, goalKB: 400, loadedKB: runs[0].loadedKB, files: runs[0].files, loadMs: med('loadMs'), activateMs: med('activateMs'), totalMs: med('totalMs') }));
// Side by side with the build before a change: node bench/activation-compare.mjs --against REF
const sims = [];
for (let i = 0; i < 5; i++) sims.push(JSON.parse(execFileSync(process.execPath, ['out/bench/sim-run.js'], { encoding: 'utf8' })));
const smed = (k) => sims.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(sims.length / 2)];
console.log(JSON.stringify({ ...sims[0], runs: 5, wallMs: smed('wallMs'), maxRssMB: smed('maxRssMB'), minWallMs: Math.min(...sims.map((r) => r.wallMs)), maxWallMs: Math.max(...sims.map((r) => r.wallMs)) }));
for (const backend of ['fake', 'model']) {
  try {
    console.log(execFileSync(process.execPath, ['bench/sim-server-get.mjs', backend], { encoding: 'utf8' }).trim());
  } catch (e) {
    console.log(String(e.stdout ?? e).trim());
  }
}
// The analyzer's benchmark (20,000 documents, side by side with yaml alone and @monokle/validation)
// takes minutes: run it on its own with `node bench/lint.mjs`.
