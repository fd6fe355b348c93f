#!/usr/bin/env node
// UI test of a tabletop, the way a facilitator runs one: the packaged .vsix in code-server
// (VS Code 1.100.3), the workbench in headless Chromium driven by playwright-core. Starts the seed
// scenario through the Command Palette, speeds the clock up in the facilitator panel, runs two
// steps of the shipped runbook in the Runbook view (one of them a break-glass step), injects an
// API-server kill, and exports the after-action report into the markdown preview.
//
// usage: node test/e2e/tabletop-ui.mjs [--no-package] [--json FILE]
//   --no-package: use the existing dist/breakglass.vsix instead of running `npm run package`.
// Screenshots (test/artifacts/): tabletop-facilitator.png, tabletop-report.png (and
// tabletop-failure.png when a test fails); the workbench console and code-server's output as
// workbench-tabletop.log and code-server-tabletop.log.
//
// The facilitator panel's contract with this test:
//   body[data-page=tabletop]          the panel's page
//   #tt-clock                         the simulated clock, "T+…"
//   button.tt-speed[data-speed=N]     clock speeds; button[data-inject=ACTION] injections
//   #tt-inject-cluster                the cluster an injection goes to
//   #tt-chart canvas                  the live chart; #tt-events li.tt-event (li.tt-injected)
//   #tt-steps li                      one per step participants ran (a chart marker each)
import { spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ARTIFACTS, CODE_SERVER_BIN, codeServerEnv, copyWorkspace, fmtSeconds, freePort, installVsix, launchChromium, ROOT, runTests, screenshot, sleep, startCodeServer, tempDirs, until, writeUserSettings,
} from '../../scripts/lib/code-server.mjs';
import { clockSeconds, frameWith, openFile, runCommand, text } from './workbench.mjs';

const VSIX = join(ROOT, 'dist/breakglass.vsix');
const EXTENSION_ID = 'breakglass.breakglass';
const SCENARIO = 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml';
const RUNBOOK = 'runbooks/api-server-overload.md';

const args = process.argv.slice(2);
const jsonIdx = args.indexOf('--json');
const jsonFile = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const noPackage = args.includes('--no-package');


const state = { page: undefined, dirs: undefined, workspace: undefined, server: undefined, ctx: undefined };

async function runStep(frame, id) {
  const step = frame.locator(`.bg-step[data-step-id="${id}"]`);
  await until(async () => (await step.count()) > 0, { timeout: 20_000, message: () => `the Runbook view has no step ${id}` });
  // A step that fails because every prod-east replica is restarting (the crash loop at ×60) is run
  // again, as its own message says; a few attempts at most.
  let attempts = 0;
  await step.locator('button[data-action="run"]').first().click();
  await until(async () => {
    const st = await text(step.locator('.bg-state'));
    if (/failed/i.test(st) && attempts < 5) {
      attempts++;
      await step.locator('button[data-action="run"]').first().click();
      return false;
    }
    return /succeeded/i.test(st);
  }, {
    timeout: 90_000,
    message: () => `step ${id} did not succeed`,
  }).catch(async (e) => {
    e.message += `\n    .bg-state: ${JSON.stringify(await text(step.locator('.bg-state')))}\n    .bg-output: ${JSON.stringify((await text(step.locator('.bg-output'))).slice(-600))}`;
    throw e;
  });
}

const tests = [
  {
    name: 'the workbench opens a workspace with the shipped scenario and runbook',
    async run() {
      const t0 = Date.now();
      if (!noPackage) {
        const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
        console.log(`  packaged ${VSIX} (${fmtSeconds(Date.now() - t0)})`);
      }
      const dirs = (state.dirs = tempDirs('e2e-tabletop'));
      state.workspace = copyWorkspace(dirs.workspace);
      for (const f of [SCENARIO, RUNBOOK]) {
        mkdirSync(dirname(join(state.workspace, f)), { recursive: true });
        copyFileSync(join(ROOT, f), join(state.workspace, f));
      }
      writeUserSettings(dirs.userData);
      const env = codeServerEnv(dirs);
      installVsix(VSIX, dirs.extensions, env);
      const list = spawnSync(CODE_SERVER_BIN, ['--extensions-dir', dirs.extensions, '--list-extensions'], { env, encoding: 'utf8' });
      if (!list.stdout.includes(EXTENSION_ID)) throw new Error(`${EXTENSION_ID} is not listed after installing ${VSIX}:\n${list.stdout}${list.stderr}`);
      const port = await freePort();
      state.server = await startCodeServer({ port, dirs, env, trust: true, logFile: join(ARTIFACTS, 'code-server-tabletop.log') });
      state.ctx = await launchChromium(dirs.profile, { viewport: { width: 1600, height: 1000 } });
      const page = (state.page = state.ctx.pages()[0] ?? (await state.ctx.newPage()));
      const consoleLog = createWriteStream(join(ARTIFACTS, 'workbench-tabletop.log'));
      page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));
      await page.goto(`${state.server.url}/?folder=${encodeURIComponent(state.workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      // Activate the extension (a markdown file) before its commands are asked for.
      await openFile(page, 'api-server-overload.md');
    },
  },
  {
    name: 'Breakglass: Start Tabletop (palette + scenario pick) opens the facilitator panel and the clock runs',
    async run() {
      const page = state.page;
      await runCommand(page, 'Breakglass: Start Tabletop', 'telemetry-rollout-2024-12-11');
      const frame = await frameWith(page, 'body[data-page="tabletop"] #tt-clock', 'facilitator panel');
      await until(async () => (await text(frame.locator('#tt-title'))).includes('telemetry-rollout-2024-12-11'), { message: () => 'the panel does not name the scenario' });
      await until(async () => /SIMULATED/.test(await text(page.locator('.statusbar'))) && /Tabletop T\+/.test(await text(page.locator('.statusbar'))), {
        message: () => 'the status bar does not show SIMULATED and the tabletop clock',
      });
      await frame.locator('button.tt-speed[data-speed="60"]').click();
      await until(async () => (await frame.locator('button.tt-speed[data-speed="60"][aria-pressed="true"]').count()) > 0, { message: () => 'the 60× button is not pressed after a click' });
      await until(async () => clockSeconds(await text(frame.locator('#tt-clock'))) >= 240, { message: () => 'the simulated clock did not reach T+4m at 60×' });
      await until(async () => (await frame.locator('#tt-chart canvas').count()) > 0 && (await frame.locator('#tt-events li.tt-event').count()) > 0, {
        message: () => 'no chart or no events in the facilitator panel',
      });
    },
  },
  {
    name: 'steps run in the Runbook view act on the tabletop and become chart markers; an injection is marked',
    async run() {
      const page = state.page;
      await openFile(page, 'api-server-overload.md');
      await runCommand(page, 'Breakglass: Open Runbook');
      const rb = await frameWith(page, '.bg-step[data-step-id="apf-rejections"]', 'Runbook view');
      await runStep(rb, 'apf-rejections');
      await runStep(rb, 'stop-agents-on-nodes');
      await runCommand(page, 'Breakglass: Show Facilitator Panel');
      const frame = await frameWith(page, 'body[data-page="tabletop"] #tt-clock', 'facilitator panel');
      await frame.locator('#tt-inject-cluster').selectOption('staging');
      await frame.locator('button[data-inject="kill-apiserver"]').click();
      await until(async () => (await frame.locator('#tt-events li.tt-injected').count()) > 0, { message: () => 'the injected event is not in the panel' });
      await until(async () => (await frame.locator('#tt-steps li').count()) >= 2, { message: () => 'the panel does not list the two steps' });
      // The chart shows prod-east (the focus); let the recovery show on it.
      await sleep(6000);
      // The panel alone in the window for the picture.
      for (const c of ['View: Join All Editor Groups', 'View: Close Primary Side Bar']) await runCommand(page, c).catch(() => {});
      await runCommand(page, 'Breakglass: Show Facilitator Panel');
      const panel = await frameWith(page, 'body[data-page="tabletop"] #tt-clock', 'facilitator panel');
      await panel.evaluate(() => window.scrollTo(0, 0));
      await page.mouse.move(800, 990);
      await sleep(1500);
      await screenshot(page, 'tabletop-facilitator.png');
    },
  },
  {
    name: 'Breakglass: Export Tabletop Report opens the report with its scores and chart in the markdown preview',
    async run() {
      const page = state.page;
      await runCommand(page, 'Breakglass: Export Tabletop Report');
      const preview = await frameWith(page, 'img[src*="tabletop-telemetry-rollout-2024-12-11"]', 'markdown preview with the chart');
      await until(async () => /Scores/.test(await text(preview.locator('h2'))) || (await preview.locator('h2', { hasText: 'Scores' }).count()) > 0, { message: () => 'the preview has no Scores section' });
      const img = preview.locator('img[src*="tabletop-telemetry-rollout-2024-12-11"]').first();
      await until(async () => img.evaluate((i) => i.complete && i.naturalWidth > 0), { message: () => 'the chart image did not load in the preview' });
      // The scores at the top, the chart below them.
      await preview.locator('h2', { hasText: 'Scores' }).first().evaluate((h) => h.scrollIntoView({ block: 'start' })).catch(() => {});
      await page.mouse.move(800, 990);
      await sleep(800);
      await screenshot(page, 'tabletop-report.png');
    },
  },
  {
    name: 'Breakglass: End Tabletop ends it: the panel says so and the status bar clock goes',
    async run() {
      const page = state.page;
      await runCommand(page, 'Breakglass: End Tabletop');
      await until(async () => !/Tabletop T\+/.test(await text(page.locator('.statusbar'))), { message: () => 'the tabletop clock is still in the status bar' });
      await runCommand(page, 'Breakglass: Show Facilitator Panel');
      const frame = await frameWith(page, 'body[data-page="tabletop"][data-running="false"]', 'ended facilitator panel');
      await until(async () => /ended/.test(await text(frame.locator('#tt-banner'))), { message: () => 'the panel does not say the exercise ended' });
    },
  },
];

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  console.log('\n=== UI test: tabletop (code-server + Chromium) ===');
  const results = await runTests(tests, { page: () => state.page, failureScreenshot: 'tabletop-failure.png' });
  await state.ctx?.close().catch(() => {});
  await state.server?.stop();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2));
  console.log(`  screenshots: test/artifacts/tabletop-facilitator.png, test/artifacts/tabletop-report.png; logs: test/artifacts/workbench-tabletop.log, test/artifacts/code-server-tabletop.log (${fmtSeconds(Date.now() - started)})`);
  console.log(`UI test (tabletop): ${passed} of ${results.length} passed${failed ? `, ${failed} failed` : ''}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
