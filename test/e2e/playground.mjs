#!/usr/bin/env node
// UI test of the playground, the README's first command: runs `node scripts/playground.mjs` (what
// `npm start` runs) on a free PORT, opens the URL it prints in headless Chromium (playwright-core)
// and checks, without a single click, that the window shows the walkthrough "Rehearse an
// API-server outage" (its title, its steps, the first step open with its
// content) and that the status bar says SIMULATED. Then plays the walkthrough's tabletop through,
// clicking what it shows, as a newcomer would (test/e2e/walkthrough.mjs; a screenshot per stage in
// test/artifacts/walkthrough/). Then stops the playground the way Ctrl+C does (SIGTERM to its
// process group) and checks that no code-server process is left.
//
// usage: node test/e2e/playground.mjs [--no-package] [--json FILE]
//   --no-package: passed on to the playground, which then installs the existing
//                 dist/breakglass.vsix instead of running `npm run package`.
// Nothing of the developer's own playground is touched: the playground's settings, state and
// extensions (BREAKGLASS_PLAYGROUND_DIR), the workspace (a copy of runbooks/ as
// BREAKGLASS_PLAYGROUND_FOLDER), code-server's XDG folders and TMPDIR, and the Chromium profile are
// throw-away folders. Screenshots (test/artifacts/): playground-walkthrough.png (and
// playground-failure.png when a test fails); the playground's output, the workbench console and
// code-server's log as playground.log, workbench-playground.log and code-server-playground.log.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS, fmtSeconds, freePort, launchChromium, onCleanup, ROOT, runTests, screenshot, sleep, STEP_TIMEOUT_MS, tempDirs, until,
} from '../../scripts/lib/code-server.mjs';
import { SHOTS, walkthroughStages } from './walkthrough.mjs';

const URL_LINE = /^Breakglass playground: (http:\/\/\S+)$/m;

const args = process.argv.slice(2);
const jsonIdx = args.indexOf('--json');
const jsonFile = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const noPackage = args.includes('--no-package');
/** From `node scripts/playground.mjs` to its printed URL: packaging, two installs, code-server up. */
const START_TIMEOUT_MS = Number(process.env.BREAKGLASS_E2E_PLAYGROUND_TIMEOUT || (noPackage ? 120 : 240)) * 1000;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
const WALKTHROUGH = pkg.contributes.walkthroughs.find((w) => w.id === 'tabletop');
/** The first heading of the first step's markdown, which the step's media pane renders. */
const FIRST_STEP_HEADING = (() => {
  const md = WALKTHROUGH?.steps[0]?.media?.markdown;
  const m = md && existsSync(join(ROOT, md)) ? /^#{1,3} +(.+?)\s*$/m.exec(readFileSync(join(ROOT, md), 'utf8')) : null;
  return m?.[1];
})();


// ---------------------------------------------------------------------------------------------
// The playground process.

const state = {
  dirs: undefined,
  home: undefined,
  proc: undefined,
  exited: null,
  exit: undefined,
  output: [],
  url: undefined,
  port: undefined,
  ctx: undefined,
  page: undefined,
};

/** The playground's last lines of output, for failure messages. */
function lastLines(n = 25) {
  const lines = state.output.join('').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const tail = lines.slice(-n);
  return `  last ${tail.length} line(s) of \`node scripts/playground.mjs\`${lines.length > n ? ` (all in test/artifacts/playground.log)` : ''}:\n${tail.map((l) => `    | ${l}`).join('\n') || '    (no output)'}`;
}

/** One process from /proc: pid, ppid, process group, state and command line; undefined when gone. */
function procInfo(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [st, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    return { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), state: st, cmdline };
  } catch {
    return undefined;
  }
}

/** Live (not zombie) processes. */
function processes() {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(procInfo)
    .filter((p) => p && p.state !== 'Z');
}

/**
 * The playground and everything it started: its descendants, whatever runs on its folder, and the
 * rest of their process groups (code-server runs in a group of its own).
 */
function playgroundProcesses() {
  const all = processes();
  const mine = procInfo(process.pid)?.pgid;
  const ours = new Map();
  // The playground's own pid only while it runs: once it has exited, the pid may be another's.
  const root = state.exited ? undefined : state.proc?.pid;
  for (const p of all) if (p.pid === root || (state.home && p.cmdline.includes(state.home))) ours.set(p.pid, p);
  for (let grew = true; grew; ) {
    grew = false;
    const groups = new Set([...ours.values()].map((o) => o.pgid).filter((g) => g !== mine));
    for (const p of all) {
      if (p.pid !== process.pid && !ours.has(p.pid) && (ours.has(p.ppid) || groups.has(p.pgid))) {
        ours.set(p.pid, p);
        grew = true;
      }
    }
  }
  ours.delete(process.pid);
  return [...ours.values()];
}

function killHard(procs) {
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Starts `node scripts/playground.mjs` in its own process group, like a terminal would. */
function startPlayground() {
  const dirs = (state.dirs = tempDirs('e2e-playground'));
  state.home = join(dirs.root, 'playground');
  // The workspace: a copy of runbooks/, so that the exercise's journals and report stay out of the checkout.
  state.folder = join(dirs.root, 'runbooks');
  cpSync(join(ROOT, 'runbooks'), state.folder, { recursive: true, filter: (src) => !src.includes('/.breakglass') });
  const env = {
    ...process.env,
    PORT: String(state.port),
    BREAKGLASS_PLAYGROUND_DIR: state.home,
    BREAKGLASS_PLAYGROUND_FOLDER: state.folder,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    TMPDIR: dirs.tmp,
  };
  const argv = [join(ROOT, 'scripts/playground.mjs'), ...(noPackage ? ['--no-package'] : [])];
  const log = createWriteStream(join(ARTIFACTS, 'playground.log'));
  log.write(`$ PORT=${state.port} BREAKGLASS_PLAYGROUND_DIR=${state.home} node ${argv.map((a) => a.replace(`${ROOT}/`, '')).join(' ')}\n`);
  const proc = (state.proc = spawn(process.execPath, argv, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  for (const s of [proc.stdout, proc.stderr]) {
    s.on('data', (b) => {
      log.write(b);
      state.output.push(String(b));
    });
  }
  state.exit = new Promise((res) =>
    proc.on('exit', (code, signal) => {
      state.exited = { code, signal };
      log.end();
      res(state.exited);
    }),
  );
  // Whatever happens to this test, the playground and its code-server do not outlive it.
  onCleanup(() => {
    if (!state.exited) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    killHard(playgroundProcesses());
  });
}

// ---------------------------------------------------------------------------------------------

const text = async (loc) => ((await loc.count()) ? ((await loc.first().innerText()) ?? '').replace(/\s+/g, ' ').trim() : '');

/** What the window shows now, for the walkthrough test and its failure message. */
async function walkthroughState(page) {
  const details = page.locator('.gettingStartedContainer .gettingStartedSlideDetails');
  return {
    activeTab: (await page.locator('.editor-group-container.active .tabs-container .tab.active').first().getAttribute('aria-label').catch(() => null)) ?? '',
    detailsVisible: await details.first().isVisible().catch(() => false),
    title: await text(details.locator('.category-title')),
    steps: await details.locator('.getting-started-step .step-title').allInnerTexts().catch(() => []),
    expanded: await text(details.locator('.getting-started-step.expanded .step-title')),
    statusbar: await text(page.locator('.statusbar')),
  };
}

/** The webview frame whose headings include `heading` (the step's media pane). */
async function frameWithHeading(page, heading) {
  for (const f of page.frames()) {
    if (f === page.mainFrame()) continue;
    const hs = await f.locator('h1, h2, h3').allInnerTexts().catch(() => []);
    if (hs.some((h) => h.trim() === heading)) return f;
  }
  return undefined;
}

const tests = [
  {
    name: '`node scripts/playground.mjs` (what `npm start` runs) serves code-server on 127.0.0.1:$PORT with runbooks/ and prints the URL',
    async run() {
      state.port = await freePort();
      startPlayground();
      const url = await until(
        async () => {
          if (state.exited) {
            throw Object.assign(new Error(`the playground exited (code ${state.exited.code}, signal ${state.exited.signal}) before printing its URL`), {
              fatal: true,
            });
          }
          return URL_LINE.exec(state.output.join(''))?.[1];
        },
        { timeout: START_TIMEOUT_MS, interval: 200, message: () => `the playground printed no "Breakglass playground: http://…" line within ${START_TIMEOUT_MS / 1000} s` },
      ).catch((e) => {
        e.message += `\n${lastLines()}`;
        throw e;
      });
      state.url = url;
      const u = new URL(url);
      const folder = u.searchParams.get('folder');
      const problems = [];
      if (u.hostname !== '127.0.0.1') problems.push(`it listens on ${u.hostname}, not 127.0.0.1`);
      if (u.port !== String(state.port)) problems.push(`it listens on port ${u.port}, not PORT=${state.port}`);
      if (folder !== state.folder) problems.push(`its folder is ${folder}, not BREAKGLASS_PLAYGROUND_FOLDER=${state.folder}`);
      if (problems.length) throw new Error(`the playground's URL ${url}: ${problems.join('; ')}\n${lastLines()}`);
      const health = await fetch(`${u.origin}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch((e) => e);
      if (!(health instanceof Response) || !health.ok) throw new Error(`${u.origin}/healthz does not answer: ${health.message ?? health.status}\n${lastLines()}`);
    },
  },
  {
    name: `the window opens onto the walkthrough "${WALKTHROUGH?.title}" without a click, and the status bar shows SIMULATED`,
    async run() {
      if (!WALKTHROUGH) throw new Error('package.json contributes no walkthrough with id "tabletop"');
      state.ctx = await launchChromium(state.dirs.profile, { viewport: { width: 1600, height: 1000 } });
      const page = (state.page = state.ctx.pages()[0] ?? (await state.ctx.newPage()));
      const consoleLog = createWriteStream(join(ARTIFACTS, 'workbench-playground.log'));
      page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));
      await page.goto(state.url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      // No input from here on: what shows is what the playground opened.
      const stepTitles = WALKTHROUGH.steps.map((s) => s.title);
      let seen;
      await until(
        async () => {
          if (state.exited) throw Object.assign(new Error(`the playground exited (code ${state.exited.code}, signal ${state.exited.signal})`), { fatal: true });
          const s = (seen = await walkthroughState(page));
          return (
            /^Walkthrough\b/.test(s.activeTab) &&
            s.detailsVisible &&
            s.title === WALKTHROUGH.title &&
            JSON.stringify(s.steps) === JSON.stringify(stepTitles) &&
            s.expanded === stepTitles[0] &&
            /\bSIMULATED\b/.test(s.statusbar)
          );
        },
        {
          message: () =>
            `within ${STEP_TIMEOUT_MS / 1000} s of the workbench opening, the window does not show the walkthrough ${EXTENSION_ID}#${WALKTHROUGH.id} ` +
            'with the status bar in SIMULATED mode. Expected the active editor "Walkthrough: …" showing ' +
            `${JSON.stringify(WALKTHROUGH.title)}, the steps ${JSON.stringify(stepTitles)} and the first one open, and SIMULATED in the status bar; saw:` +
            `\n    active tab:  ${JSON.stringify(seen?.activeTab)}` +
            `\n    walkthrough: ${seen?.detailsVisible ? 'shown' : 'not shown'}, title ${JSON.stringify(seen?.title)}` +
            `\n    steps:       ${JSON.stringify(seen?.steps)}, open: ${JSON.stringify(seen?.expanded)}` +
            `\n    status bar:  ${JSON.stringify(seen?.statusbar)}`,
        },
      ).catch((e) => {
        e.message += `\n${lastLines(10)}`;
        throw e;
      });
      // The first step's content (its markdown, rendered in a webview beside the steps).
      if (FIRST_STEP_HEADING) {
        await until(() => frameWithHeading(page, FIRST_STEP_HEADING), {
          timeout: 30_000,
          message: () => `the first step's media (${WALKTHROUGH.steps[0].media.markdown}) shows no heading ${JSON.stringify(FIRST_STEP_HEADING)}`,
        });
      }
      await sleep(500);
      await screenshot(page, 'playground-walkthrough.png');
      mkdirSync(join(ARTIFACTS, SHOTS), { recursive: true });
      copyFileSync(join(ARTIFACTS, 'playground-walkthrough.png'), join(ARTIFACTS, SHOTS, '01-walkthrough.png'));
    },
  },
  // Then every step of the walkthrough, clicked as a newcomer would (test/e2e/walkthrough.mjs).
  ...walkthroughStages({ page: () => state.page, folder: () => state.folder }),
  {
    name: 'stopping the playground (SIGTERM to its process group, as Ctrl+C) leaves no code-server running',
    always: true,
    async run() {
      if (!state.proc) throw new Error('not run: the playground did not start');
      await state.ctx?.close().catch(() => {});
      state.ctx = undefined;
      state.page = undefined;
      const before = playgroundProcesses();
      const exitedEarlier = state.exited;
      if (!exitedEarlier) {
        try {
          process.kill(-state.proc.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
      const exit = await Promise.race([state.exit, sleep(15_000).then(() => undefined)]);
      if (!exit) {
        killHard(playgroundProcesses());
        throw new Error(`the playground did not exit within 15 s of SIGTERM (now killed)\n${lastLines(10)}`);
      }
      // Still the same process (pids are reused), and not a zombie.
      const alive = (p) => {
        const now = procInfo(p.pid);
        return now && now.state !== 'Z' && now.cmdline === p.cmdline;
      };
      let left = [];
      try {
        await until(
          async () => {
            left = [...before.filter(alive), ...playgroundProcesses().filter((p) => !before.some((b) => b.pid === p.pid))];
            return !left.length;
          },
          { timeout: 10_000, message: () => '' },
        );
      } catch {
        killHard(left);
        throw new Error(
          `processes of the playground were still running 10 s after it exited (now killed):\n${left.map((p) => `    ${p.pid} ${p.cmdline.slice(0, 160)}`).join('\n')}`,
        );
      }
      const stillServing = await fetch(`http://127.0.0.1:${state.port}/healthz`, { signal: AbortSignal.timeout(5000) }).then(() => true, () => false);
      if (stillServing) throw new Error(`127.0.0.1:${state.port} still answers after the playground stopped`);
      if (exitedEarlier) throw new Error(`the playground had already exited (code ${exit.code}, signal ${exit.signal}) before it was stopped\n${lastLines(10)}`);
      if (exit.code !== 0) throw new Error(`the playground exited with code ${exit.code} (signal ${exit.signal}) on SIGTERM, not 0\n${lastLines(10)}`);
      console.log(`    stopped: ${before.length} process(es) ended, exit code 0`);
    },
  },
];

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of ['playground-walkthrough.png', 'playground-failure.png', 'code-server-playground.log']) rmSync(join(ARTIFACTS, f), { force: true });
  const started = Date.now();
  console.log('\n=== UI test: the playground (npm start) ===');
  const results = await runTests(tests, { page: () => state.page, failureScreenshot: 'playground-failure.png' });
  await state.ctx?.close().catch(() => {});
  const csLog = state.home && join(state.home, 'code-server.log');
  if (csLog && existsSync(csLog)) copyFileSync(csLog, join(ARTIFACTS, 'code-server-playground.log'));
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2));
  console.log(
    '  screenshot: test/artifacts/playground-walkthrough.png; logs: test/artifacts/playground.log, test/artifacts/workbench-playground.log, ' +
      `test/artifacts/code-server-playground.log (${fmtSeconds(Date.now() - started)})`,
  );
  console.log(`UI test (playground): ${passed} of ${results.length} passed${failed ? `, ${failed} failed` : ''}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
