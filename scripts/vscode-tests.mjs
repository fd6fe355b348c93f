#!/usr/bin/env node
// Runs the integration suites (out/test/integration, mocha) inside a real VS Code extension host:
// code-server 4.100.3 (VS Code 1.100.3) with headless Chromium as the workbench.
//
// usage: node scripts/vscode-tests.mjs [trusted|untrusted|all] [--json FILE]
//   trusted:   code-server --disable-workspace-trust; the fixture folder opens trusted.
//   untrusted: workspace trust left on; the folder opens in Restricted Mode.
//   all (default): both, one after the other, each with its own code-server.
// Expects `npm run build` and scripts/install-code-server.sh to have run.
//
// Each run: a fresh copy of test/fixtures/workspace, fresh user-data/extensions/XDG/TMPDIR
// folders, a free port. The workbench is opened with a `payload` naming the extension under
// development (the repository) and the tests entry (out/test/integration/index.js), as
// code-server's command line refuses --extensionDevelopmentPath. VS Code runs the tests, then
// calls window.codeAutomationExit(code). The workbench console goes to
// test/artifacts/workbench-<run>.log, code-server's output to test/artifacts/code-server-<run>.log.
// Environment: BREAKGLASS_TEST_TRUST reaches the extension host (it inherits code-server's
// environment); BREAKGLASS_TEST_GREP filters tests; BREAKGLASS_TEST_TIMEOUT (seconds, default 300)
// bounds each run.
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS, ROOT, codeServerEnv, copyWorkspace, fmtSeconds, freePort, launchChromium, startCodeServer,
  tempDirs, timeout, writeUserSettings,
} from './lib/code-server.mjs';

const TESTS_ENTRY = join(ROOT, 'out/test/integration/index.js');
const RUN_TIMEOUT_MS = Number(process.env.BREAKGLASS_TEST_TIMEOUT || 300) * 1000;
const RESULT_RE = /BREAKGLASS-RESULT passed=(\d+) failed=(\d+)(?: pending=(\d+))?/;

/** One run; never throws: the result says what happened. */
async function runOnce(trust) {
  const started = Date.now();
  const result = { run: trust, passed: 0, failed: 0, pending: 0, exitCode: null, error: null, seconds: 0, sawResult: false };
  mkdirSync(ARTIFACTS, { recursive: true });
  const consoleLog = createWriteStream(join(ARTIFACTS, `workbench-${trust}.log`));
  let server;
  let ctx;
  try {
    const dirs = tempDirs(`vscode-${trust}`);
    const workspace = copyWorkspace(dirs.workspace);
    writeUserSettings(dirs.userData);
    const port = await freePort();
    const env = codeServerEnv(dirs, { BREAKGLASS_TEST_TRUST: trust, BREAKGLASS_WORKSPACE: workspace });
    server = await startCodeServer({
      port, dirs, env, trust: trust === 'trusted', logFile: join(ARTIFACTS, `code-server-${trust}.log`),
    });
    console.log(`[${trust}] code-server ${server.url} (${fmtSeconds(Date.now() - started)}), workspace ${workspace}`);

    ctx = await launchChromium(dirs.profile);
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    // The workbench console (which includes what the extension host logs) goes to the log file;
    // from the tests' start line to their result line it is echoed here too.
    let echoing = false;
    const record = (line, fromHost) => {
      consoleLog.write(`${line}\n`);
      if (!fromHost) return;
      if (line.includes('[breakglass-tests]')) echoing = true;
      if (echoing) console.log(`  ${line.replace(/^\[vscode:(info|log)\] /, '').slice(0, 4000).replace(/\n/g, '\n  ')}`);
      const m = RESULT_RE.exec(line);
      if (m) {
        echoing = false;
        result.sawResult = true;
        result.passed = Number(m[1]);
        result.failed = Number(m[2]);
        result.pending = Number(m[3] ?? 0);
      }
    };
    page.on('console', (m) => record(`[console:${m.type()}] ${m.text()}`, false));
    page.on('pageerror', (e) => record(`[pageerror] ${e.stack ?? e}`, false));
    // VS Code's automation logger: every workbench log message, the extension host's included,
    // as (level, args).
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      record(`[vscode:${type}] ${text}`, true);
    });
    const exited = new Promise((res) => void page.exposeFunction('codeAutomationExit', (code) => res(code)));

    const authority = `127.0.0.1:${port}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`],
      ['extensionTestsPath', `vscode-remote://${authority}${TESTS_ENTRY}`],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);

    const serverDied = server.exit.then((e) => {
      throw new Error(`code-server exited during the run (code ${e.code}, signal ${e.signal})`);
    });
    result.exitCode = await Promise.race([
      exited,
      serverDied,
      timeout(RUN_TIMEOUT_MS, `timed out after ${RUN_TIMEOUT_MS / 1000} s waiting for the tests to finish`),
    ]);
    if (result.exitCode !== 0 && !result.sawResult) {
      result.error = `VS Code ended the tests with exit code ${result.exitCode} before any result line`;
    }
    if (result.exitCode !== 0 && result.sawResult && result.failed === 0) {
      result.error = `VS Code ended the tests with exit code ${result.exitCode} (see test/artifacts/workbench-${trust}.log)`;
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  } finally {
    await ctx?.close().catch(() => {});
    await server?.stop();
    await new Promise((r) => consoleLog.end(r));
  }
  // A run that broke (no result, timeout, crash) counts as one failure.
  if (result.error && result.failed === 0) result.failed = 1;
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  return result;
}

async function main() {
  const args = process.argv.slice(2);
  const jsonIdx = args.indexOf('--json');
  const jsonFile = jsonIdx >= 0 ? args.splice(jsonIdx, 2)[1] : undefined;
  const which = args[0] ?? 'all';
  const runs = which === 'all' ? ['trusted', 'untrusted'] : [which];
  if (!runs.every((r) => r === 'trusted' || r === 'untrusted')) {
    console.error('usage: node scripts/vscode-tests.mjs [trusted|untrusted|all] [--json FILE]');
    process.exit(2);
  }
  if (!existsSync(TESTS_ENTRY)) {
    console.error(`${TESTS_ENTRY} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
  const results = [];
  for (const trust of runs) {
    console.log(`\n=== VS Code integration tests, ${trust} workspace ===`);
    const r = await runOnce(trust);
    results.push(r);
    const verdict = r.error ? `ERROR: ${r.error}` : r.failed ? 'FAILED' : 'ok';
    console.log(`[${trust}] ${r.passed} passed, ${r.failed} failed, ${r.pending} pending in ${r.seconds} s — ${verdict}`);
  }
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2));
  const failed = results.some((r) => r.error || r.failed > 0 || r.exitCode !== 0);
  console.log(`\nVS Code integration: ${results.map((r) => `${r.run} ${r.passed}/${r.passed + r.failed}`).join(', ')}${failed ? ' — FAILED' : ''}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
