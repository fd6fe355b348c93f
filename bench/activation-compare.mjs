// Activation side by side: this checkout's production build against another commit's (REF: any
// git revision, e.g. the one before a change), in alternating fresh processes
// so that both see the same machine load. Prints the machine, the date, the KB of code each loads
// at activation and the median times, with the ratios this/other per pair of runs.
// usage: node bench/activation-compare.mjs --against REF [--runs N]   (builds both first)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { against: { type: 'string' }, runs: { type: 'string', default: '21' } } });
if (!values.against) {
  console.error('usage: node bench/activation-compare.mjs --against REF [--runs N]');
  process.exit(2);
}
const runs = Number(values.runs);

const other = mkdtempSync(join(tmpdir(), 'breakglass-bench-'));
try {
  // The other commit's sources, built by its own esbuild.config.mjs with this checkout's packages.
  execFileSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(values.against)} | tar -x -C ${JSON.stringify(other)}`], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
  execFileSync(process.execPath, ['esbuild.config.mjs', '--production'], { cwd: other, stdio: 'inherit' });
  execFileSync(process.execPath, ['esbuild.config.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
  const probe = (dist) => JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench/activation.cjs'), dist], { encoding: 'utf8' }));
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so that neither always runs on a warmer machine.
    if (i % 2) {
      b.push(probe(join(other, 'dist')));
      a.push(probe(join(ROOT, 'dist')));
    } else {
      a.push(probe(join(ROOT, 'dist')));
      b.push(probe(join(other, 'dist')));
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const sum = (rs) => ({
    loadedKB: +rs[0].loadedKB.toFixed(1),
    files: rs[0].files.map((f) => `${f.file} ${f.kb.toFixed(1)} KB`),
    loadMs: +median(rs.map((r) => r.loadMs)).toFixed(1),
    activateMs: +median(rs.map((r) => r.activateMs)).toFixed(1),
    totalMs: +median(rs.map((r) => r.totalMs)).toFixed(1),
    minTotalMs: +Math.min(...rs.map((r) => r.totalMs)).toFixed(1),
    maxTotalMs: +Math.max(...rs.map((r) => r.totalMs)).toFixed(1),
  });
  const ratios = a.map((r, i) => r.totalMs / b[i].totalMs);
  console.log(JSON.stringify({
    bench: `activation, this build vs ${values.against} (${runs} alternating pairs of fresh processes, medians)`,
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    goal: { loadedKB: 400, totalMs: 50 },
    this: sum(a),
    [values.against]: sum(b),
    ratioTotalMs: { median: +median(ratios).toFixed(2), min: +Math.min(...ratios).toFixed(2), max: +Math.max(...ratios).toFixed(2) },
  }, null, 1));
} finally {
  rmSync(other, { recursive: true, force: true });
}
