// The simulated API server's GET of one pod (bench/sim-server-get.mjs), this checkout beside
// another commit's, in alternating fresh processes so that both see the same machine load. Both
// are measured by this checkout's harness (the other commit's server built from its sources).
// Prints each one's median p50 and p99 (steady and cold windows) over the runs and the ratios
// this/other.
// usage: node bench/sim-server-get-compare.mjs --against REF [--runs N] [--backend model|fake]
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { against: { type: 'string' }, runs: { type: 'string', default: '7' }, backend: { type: 'string', default: 'model' } } });
if (!values.against) {
  console.error('usage: node bench/sim-server-get-compare.mjs --against REF [--runs N] [--backend model|fake]');
  process.exit(2);
}
const other = mkdtempSync(join(tmpdir(), 'breakglass-bench-'));
try {
  execFileSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(values.against)} | tar -x -C ${JSON.stringify(other)}`], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
  const checkouts = { other, this: ROOT };
  const results = { other: [], this: [] };
  for (let i = 0; i < Number(values.runs); i++) {
    for (const name of i % 2 ? ['this', 'other'] : ['other', 'this']) {
      // The bench exits 1 past twice its goal; its numbers are what we want either way.
      const r = spawnSync(process.execPath, [join(ROOT, 'bench/sim-server-get.mjs'), values.backend, checkouts[name]], { cwd: checkouts[name], encoding: 'utf8' });
      const line = r.stdout.trim().split('\n').pop();
      if (!line?.startsWith('{')) throw new Error(`${name}: ${r.stderr}`);
      results[name].push(JSON.parse(line));
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const m = (name, k) => median(results[name].map((r) => r[k]));
  console.log(JSON.stringify({ date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`, against: values.against, backend: values.backend, runs: Number(values.runs) }));
  for (const name of ['other', 'this']) {
    console.log(JSON.stringify({ variant: name === 'other' ? values.against : 'this', medianP50Ms: m(name, 'p50Ms'), medianP99Ms: m(name, 'p99Ms'), p99s: results[name].map((r) => r.p99Ms), coldMedianP50Ms: m(name, 'coldP50Ms'), coldMedianP99Ms: m(name, 'coldP99Ms'), coldP99s: results[name].map((r) => r.coldP99Ms) }));
  }
  const ratio = (k) => +median(results.this.map((r, i) => r[k] / results.other[i][k])).toFixed(3);
  console.log(JSON.stringify({ p99RatioMedian: ratio('p99Ms'), p50RatioMedian: ratio('p50Ms'), coldP99RatioMedian: ratio('coldP99Ms'), coldP50RatioMedian: ratio('coldP50Ms') }));
} finally {
  rmSync(other, { recursive: true, force: true });
}
