#!/usr/bin/env node
// The whole test suite: `node scripts/test.mjs [unit|vscode|e2e|all]` (default all).
//   build   npm run build (extension, CLI, webview, tests)
//   unit    mocha on out/test/unit/**/*.test.js, plain Node
//   vscode  the integration suites inside VS Code's extension host (code-server), in a trusted
//           and in an untrusted (Restricted Mode) workspace: scripts/vscode-tests.mjs
//   e2e     the UI tests with the packaged .vsix in code-server + Chromium: test/e2e/ui.mjs, then
//           test/e2e/tabletop-ui.mjs (a tabletop through the Command Palette and its panels), then
//           test/e2e/playground.mjs (`npm start`'s playground opens onto the walkthrough, played through)
// Installs what it needs first: the npm and Debian packages of the tests
// (scripts/install-test-packages.sh), then code-server and its own (scripts/install-code-server.sh).
// Ends with one line `N passed, N failed` over all parts; exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureCodeServer, fmtSeconds, onCleanup } from './lib/code-server.mjs';

const PARTS = ['unit', 'vscode', 'e2e'];
const which = process.argv[2] ?? 'all';
if (which !== 'all' && !PARTS.includes(which)) {
  console.error('usage: node scripts/test.mjs [unit|vscode|e2e|all]');
  process.exit(2);
}
const parts = which === 'all' ? PARTS : [which];

const work = mkdtempSync(join(tmpdir(), 'breakglass-test-'));
onCleanup(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command with inherited output in its own process group; kills the group after timeoutMs. */
function run(cmd, args, { timeoutMs, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', detached: true, env: { ...process.env, ...env } });
    const kill = onCleanup(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          console.error(`\n${cmd} ${args.join(' ')}: no end after ${timeoutMs / 1000} s, stopping it`);
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {
            /* gone */
          }
          setTimeout(kill, 5000).unref();
        }, timeoutMs)
      : undefined;
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      kill();
      resolve({ code: timedOut ? 124 : code ?? 128, signal });
    });
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const summary = [];
const t0 = Date.now();

function record(part, passed, failed, ms, note = '') {
  summary.push({ part, passed, failed, ms, note });
}

async function build() {
  console.log('\n=== build ===');
  const start = Date.now();
  // The bundler does not delete outputs: a test whose source is gone must not run from out/.
  rmSync(join(ROOT, 'out/test'), { recursive: true, force: true });
  const r = await run('npm', ['run', '--silent', 'build'], { timeoutMs: 300_000 });
  if (r.code !== 0) record('build', 0, 1, Date.now() - start, `npm run build exited ${r.code}`);
  return r.code === 0;
}

async function unit() {
  console.log('\n=== unit tests (mocha, Node) ===');
  const start = Date.now();
  const dir = join(ROOT, 'out/test/unit');
  const files = existsSync(dir)
    ? readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(dir, f))
    : [];
  if (!files.length) {
    console.log('no unit tests (out/test/unit/**/*.test.js)');
    record('unit', 0, 0, Date.now() - start, 'no test files');
    return;
  }
  const counts = join(work, 'unit.json');
  const r = await run(
    process.execPath,
    [join(ROOT, 'node_modules/mocha/bin/mocha.js'), '--reporter', join(ROOT, 'scripts/lib/mocha-spec-counts.cjs'),
      '--timeout', '20000', '--enable-source-maps', ...files],
    { timeoutMs: 900_000, env: { BREAKGLASS_MOCHA_COUNTS: counts } },
  );
  const c = readJson(counts);
  if (!c) record('unit', 0, 1, Date.now() - start, `mocha exited ${r.code} without results`);
  else record('unit', c.passed, c.failed || (r.code !== 0 ? 1 : 0), Date.now() - start, c.pending ? `${c.pending} pending` : '');
}

async function vscodeTests() {
  const start = Date.now();
  const out = join(work, 'vscode.json');
  const r = await run(process.execPath, [join(ROOT, 'scripts/vscode-tests.mjs'), 'all', '--json', out], { timeoutMs: 720_000 });
  const runs = readJson(out);
  if (!runs) {
    record('vscode', 0, 1, Date.now() - start, `scripts/vscode-tests.mjs exited ${r.code} without results`);
    return;
  }
  for (const x of runs) {
    const failed = x.failed || (x.exitCode !== 0 || x.error ? 1 : 0);
    record(`vscode:${x.run}`, x.passed, failed, x.seconds * 1000, x.error ?? '');
  }
}

async function e2e() {
  const start = Date.now();
  const out = join(work, 'e2e.json');
  const r = await run(process.execPath, [join(ROOT, 'test/e2e/ui.mjs'), '--json', out], { timeoutMs: 600_000 });
  const results = readJson(out);
  if (!results) {
    record('e2e', 0, 1, Date.now() - start, `test/e2e/ui.mjs exited ${r.code} without results`);
    return;
  }
  const passed = results.filter((x) => x.ok).length;
  const failed = results.length - passed || (r.code !== 0 ? 1 : 0);
  record('e2e', passed, failed, Date.now() - start);
}

/** The tabletop's UI test, with the .vsix the first UI test packaged. */
async function e2eTabletop() {
  const start = Date.now();
  const out = join(work, 'e2e-tabletop.json');
  const r = await run(process.execPath, [join(ROOT, 'test/e2e/tabletop-ui.mjs'), '--no-package', '--json', out], { timeoutMs: 600_000 });
  const results = readJson(out);
  if (!results) {
    record('e2e:tabletop', 0, 1, Date.now() - start, `test/e2e/tabletop-ui.mjs exited ${r.code} without results`);
    return;
  }
  const passed = results.filter((x) => x.ok).length;
  const failed = results.length - passed || (r.code !== 0 ? 1 : 0);
  record('e2e:tabletop', passed, failed, Date.now() - start);
}

/** The playground (`npm start`) opens onto the walkthrough; with the .vsix the first UI test packaged. */
async function e2ePlayground() {
  const start = Date.now();
  const out = join(work, 'e2e-playground.json');
  const r = await run(process.execPath, [join(ROOT, 'test/e2e/playground.mjs'), '--no-package', '--json', out], { timeoutMs: 900_000 });
  const results = readJson(out);
  if (!results) {
    record('e2e:playground', 0, 1, Date.now() - start, `test/e2e/playground.mjs exited ${r.code} without results`);
    return;
  }
  const passed = results.filter((x) => x.ok).length;
  const failed = results.length - passed || (r.code !== 0 ? 1 : 0);
  record('e2e:playground', passed, failed, Date.now() - start);
}

/** The npm and Debian packages the tests need (scripts/install-test-packages.sh). */
async function installTestPackages() {
  const r = await run('bash', [join(ROOT, 'scripts/install-test-packages.sh')], { timeoutMs: 900_000 });
  if (r.code !== 0) record('install packages', 0, 1, 0, `scripts/install-test-packages.sh exited ${r.code}`);
  return r.code === 0;
}

async function main() {
  if ((await installTestPackages()) && (await build())) {
    if (parts.includes('vscode') || parts.includes('e2e')) {
      try {
        ensureCodeServer();
      } catch (e) {
        console.error(e.message);
        record('install code-server', 0, 1, 0, e.message);
      }
    }
    const installFailed = summary.some((s) => s.part === 'install code-server');
    if (parts.includes('unit')) await unit();
    if (parts.includes('vscode') && !installFailed) await vscodeTests();
    if (parts.includes('e2e') && !installFailed) await e2e();
    if (parts.includes('e2e') && !installFailed) await e2eTabletop();
    if (parts.includes('e2e') && !installFailed) await e2ePlayground();
  }
  console.log('\n=== summary ===');
  for (const s of summary) {
    console.log(`${s.part.padEnd(18)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(4)} failed  ${fmtSeconds(s.ms).padStart(8)}${s.note ? `  ${s.note}` : ''}`);
  }
  const passed = summary.reduce((n, s) => n + s.passed, 0);
  const failed = summary.reduce((n, s) => n + s.failed, 0);
  console.log(`total time ${fmtSeconds(Date.now() - t0)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
