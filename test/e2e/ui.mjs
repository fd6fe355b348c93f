#!/usr/bin/env node
// UI test, the way a person uses the extension: the packaged .vsix installed into code-server
// (VS Code 1.100.3), the workbench in headless Chromium driven by playwright-core.
//
// usage: node test/e2e/ui.mjs [--no-package] [--json FILE]
//   --no-package: use the existing dist/breakglass.vsix instead of running `npm run package`.
// Needs scripts/install-code-server.sh to have run. Screenshots, the workbench console and
// code-server's output go to test/artifacts/. Exits non-zero when a test failed.
//
// The runbook view's contract with this test (the extension's webview must keep these names):
//   .bg-step                          one element per step, in document order
//   .bg-step button[data-action=run]  runs that step
//   .bg-step .bg-output               the step's output
//   .bg-step .bg-state                the step's state, e.g. "succeeded"
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS, CODE_SERVER_BIN, QUIET_SETTINGS, codeServerEnv, copyWorkspace, fmtSeconds, freePort, installVsix, launchChromium, ROOT, runTests, screenshot, sleep, startCodeServer, STEP_TIMEOUT_MS, tempDirs, until, writeUserSettings,
} from '../../scripts/lib/code-server.mjs';
import { openFile, runCommand, workbenchErrors } from './workbench.mjs';

const VSIX = join(ROOT, 'dist/breakglass.vsix');
const EXTENSION_ID = 'breakglass.breakglass';

const args = process.argv.slice(2);
const jsonIdx = args.indexOf('--json');
const jsonFile = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const noPackage = args.includes('--no-package');


// ---------------------------------------------------------------------------------------------

const state = { page: undefined, dirs: undefined, workspace: undefined, server: undefined, ctx: undefined };

/** The webview frame that contains the runbook view (webviews live in nested iframes). */
async function runbookFrame(page) {
  return until(
    async () => {
      const errors = await workbenchErrors(page);
      if (errors.length) throw Object.assign(new Error(`the workbench shows an error: ${errors.join(' | ')}`), { fatal: true });
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        if (await f.locator('.bg-step').count().catch(() => 0)) return f;
      }
      return undefined;
    },
    {
      message: () => {
        const webviews = page.frames().filter((f) => f.url().includes('webview'));
        return (
          `no runbook view appeared: no frame has a .bg-step element within ${STEP_TIMEOUT_MS / 1000} s ` +
          `(${webviews.length} webview frame(s) open${webviews.length ? `: ${webviews.map((f) => f.url().split('?')[0]).join(', ')}` : ''}). ` +
          'Does "Breakglass: Open Runbook" open a webview that renders one .bg-step per step?'
        );
      },
    },
  );
}

const tests = [
  {
    name: 'the workbench opens hello.md with the packaged extension installed',
    async run() {
      const t0 = Date.now();
      if (!noPackage) {
        const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
        console.log(`  packaged ${VSIX} (${fmtSeconds(Date.now() - t0)})`);
      }
      const dirs = (state.dirs = tempDirs('e2e'));
      state.workspace = copyWorkspace(dirs.workspace);
      // REAL mode offers the contexts of the workspace's kubeconfig.yaml (not the machine's own).
      // The terminal drawn as DOM text (not WebGL), so a test can read what an interactive step prints.
      writeUserSettings(dirs.userData, { ...QUIET_SETTINGS, 'terminal.integrated.gpuAcceleration': 'off', 'breakglass.realKubeconfig': join(state.workspace, 'kubeconfig.yaml') });
      const env = codeServerEnv(dirs);
      installVsix(VSIX, dirs.extensions, env);
      const list = spawnSync(CODE_SERVER_BIN, ['--extensions-dir', dirs.extensions, '--list-extensions', '--show-versions'], { env, encoding: 'utf8' });
      if (!list.stdout.includes(EXTENSION_ID)) throw new Error(`${EXTENSION_ID} is not listed after installing ${VSIX}:\n${list.stdout}${list.stderr}`);
      console.log(`  installed ${list.stdout.trim()}`);

      const port = await freePort();
      state.server = await startCodeServer({ port, dirs, env, trust: true, logFile: join(ARTIFACTS, 'code-server-e2e.log') });
      state.ctx = await launchChromium(dirs.profile, { viewport: { width: 1600, height: 1000 } });
      const page = (state.page = state.ctx.pages()[0] ?? (await state.ctx.newPage()));
      const consoleLog = createWriteStream(join(ARTIFACTS, 'workbench-e2e.log'));
      page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));
      await page.goto(`${state.server.url}/?folder=${encodeURIComponent(state.workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await openFile(page, 'hello.md');
      await screenshot(page, 'workbench-hello.png');
    },
  },
  {
    name: 'Breakglass: Open Runbook shows hello.md and runs its first step',
    async run() {
      const page = state.page;
      await runCommand(page, 'Breakglass: Open Runbook');
      const frame = await runbookFrame(page);
      const step = frame.locator('.bg-step').first();
      const run = step.locator('button[data-action="run"]');
      await until(async () => (await run.count()) > 0, {
        timeout: 10_000,
        message: () => 'the first .bg-step has no button[data-action="run"]',
      });
      await run.first().click();
      const output = step.locator('.bg-output');
      const stateEl = step.locator('.bg-state');
      const read = async (loc) => ((await loc.count()) ? ((await loc.first().textContent()) ?? '').trim() : undefined);
      await until(
        async () => (await read(output))?.includes('hello') && /succeeded/i.test((await read(stateEl)) ?? ''),
        {
          message: () => 'after Run, the first step did not reach "succeeded" with "hello" in its output',
        },
      ).catch(async (e) => {
        const out = await read(output);
        const st = await read(stateEl);
        e.message +=
          `\n    .bg-output: ${out === undefined ? '(no such element)' : JSON.stringify(out.slice(0, 300))}` +
          `\n    .bg-state:  ${st === undefined ? '(no such element)' : JSON.stringify(st)}`;
        throw e;
      });
      await screenshot(page, 'runbook-view.png');
    },
  },
  {
    name: 'a step asks once, unseen, for a secret it exports; the answer is masked in the view and kept out of the journal; an interactive step takes typed input in a terminal',
    async run() {
      const page = state.page;
      const token = 'tok-5e4d3c2b1a09';
      writeFileSync(
        join(state.workspace, 'session.md'),
        '---\nrunbook: true\ntitle: Session\n---\n# Log in\n\n```sh {name=login timeout=120s}\nexport API_TOKEN\necho "token is $API_TOKEN"\n```\n\n```sh {name=pick interactive=true timeout=120s}\nread -r -p "namespace? " ns\nexport PICKED="$ns"\necho "picked $ns"\n```\n\n```sh {name=use timeout=20s}\necho "using $PICKED with $API_TOKEN"\n```\n',
      );
      await runCommand(page, 'View: Close All Editors');
      await openFile(page, 'session.md');
      await runCommand(page, 'Breakglass: Open Runbook');
      const frame = await runbookFrame(page);
      const step = (id) => frame.locator(`.bg-step[data-step-id="${id}"]`);
      const text = async (loc) => ((await loc.count()) ? ((await loc.first().textContent()) ?? '').trim() : '');
      const box = page.locator('.quick-input-widget');
      const input = box.locator('input');
      await step('login').locator('button[data-action="run"]').first().click();
      await until(async () => (await box.isVisible()) && /Set environment variable API_TOKEN/.test(await box.innerText()), { message: () => 'running the step did not ask for API_TOKEN' });
      if ((await input.getAttribute('type')) !== 'password') throw new Error(`the question for API_TOKEN is not typed unseen (input type ${await input.getAttribute('type')})`);
      await input.fill(token);
      await screenshot(page, 'prompt-secret.png');
      await input.press('Enter');
      await until(async () => /succeeded/i.test(await text(step('login').locator('.bg-state'))), { message: () => 'login did not succeed after the answer' });
      const out = await text(step('login').locator('.bg-output'));
      if (!/token is ••••••/.test(out) || out.includes(token)) throw new Error(`the answer is not masked in the view: ${out}`);
      // Asked once: run it again, no question.
      await step('login').locator('button[data-action="run"]').first().click();
      await sleep(1500);
      if (await box.isVisible()) throw new Error('running login again asked for API_TOKEN again');
      await until(async () => /succeeded/i.test(await text(step('login').locator('.bg-state'))), { message: () => 'the second run of login did not succeed' });

      // The interactive step: a terminal opens with the focus; what is typed reaches the step.
      await step('pick').locator('button[data-action="run"]').first().click();
      await until(async () => (await page.locator('.xterm-rows', { hasText: 'namespace?' }).count()) > 0, { message: () => 'no terminal showed the step asking "namespace?"' });
      await page.keyboard.type('monitoring');
      await page.keyboard.press('Enter');
      await until(async () => /succeeded/i.test(await text(step('pick').locator('.bg-state'))), { message: () => 'the interactive step did not succeed after typing' });
      if (!/picked monitoring/.test(await text(step('pick').locator('.bg-output')))) throw new Error(`the transcript is not the step output: ${await text(step('pick').locator('.bg-output'))}`);
      // The step's terminal closes once it has ended; the workbench moves the focus as it goes,
      // which would close a quick pick opened meanwhile, so the next test starts after that.
      await until(async () => (await page.locator('.xterm-rows', { hasText: 'namespace?' }).count()) === 0, { message: () => "the interactive step's terminal stayed open after the step ended" });
      await step('use').locator('button[data-action="run"]').first().click();
      await until(async () => /succeeded/i.test(await text(step('use').locator('.bg-state'))), { message: () => 'use did not succeed' });
      const used = await text(step('use').locator('.bg-output'));
      if (used !== 'using monitoring with ••••••') throw new Error(`what the steps exported did not carry on (or was not masked): ${used}`);
      await screenshot(page, 'session-steps.png');
      const journals = join(state.workspace, '.breakglass', 'journal');
      for (const f of readdirSync(journals)) if (readFileSync(join(journals, f), 'utf8').includes(token)) throw new Error(`the journal ${f} has the secret answer`);
    },
  },
  {
    name: 'REAL mode: a break-glass step across clusters runs only once every cluster is named',
    async run() {
      const page = state.page;
      // Two configured clusters whose etcd endpoints refuse connections: once confirmed, the step
      // runs and fails fast on both, which shows that the confirmation let it through.
      const [east, west] = [await freePort(), await freePort()];
      mkdirSync(join(state.workspace, '.breakglass'), { recursive: true });
      writeFileSync(
        join(state.workspace, '.breakglass', 'preflight.yaml'),
        `clusters:\n  - name: east\n    etcd: {endpoints: [http://127.0.0.1:${east}]}\n  - name: west\n    etcd: {endpoints: [http://127.0.0.1:${west}]}\n`,
      );
      writeFileSync(
        join(state.workspace, 'across-clusters.md'),
        "---\nrunbook: true\ntitle: Across clusters\n---\n# Remove the agent everywhere\n\n```breakglass {name=remove-everywhere}\naction: etcd-delete\nclusters: '*'\nkeys: [/registry/daemonsets/monitoring/telemetry-agent]\n```\n",
      );
      // A quick pick closes when the focus leaves it (a terminal closing, a notification): if the
      // one Enter Real Mode opens is gone before prod-large is accepted, the command is run again.
      for (let attempt = 1; ; attempt++) {
        const picked = await runCommand(page, 'Breakglass: Enter Real Mode', 'prod-large').then(() => undefined, (e) => e);
        if (!picked) break;
        if (attempt === 3) throw picked;
        console.log(`    (the context pick closed before prod-large was accepted: ${String(picked.message ?? picked).split('\n')[0]}; again)`);
        await page.keyboard.press('Escape');
      }
      const enter = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Enter Real Mode' });
      await until(async () => (await enter.count()) > 0, { message: () => 'no modal asked to enter REAL mode' });
      await enter.first().click();
      await until(async () => (await page.locator('.statusbar-item', { hasText: 'REAL: prod-large' }).count()) > 0, { message: () => 'the status bar does not say REAL: prod-large' });

      // hello.md's Runbook view is still open: close it, so the view found is this runbook's.
      await runCommand(page, 'View: Close All Editors');
      await openFile(page, 'across-clusters.md');
      await runCommand(page, 'Breakglass: Open Runbook');
      const frame = await runbookFrame(page);
      const step = frame.locator('.bg-step').first();
      await step.locator('button[data-action="run"]').first().click();

      const box = page.locator('.quick-input-widget');
      const input = box.locator('input');
      await until(async () => (await box.isVisible()) && /east, west/.test((await box.innerText()) ?? ''), { message: () => 'no input box asked for the cluster names' });
      const asked = (await box.innerText()).replace(/\s+/g, ' ');
      for (const want of ["Break-glass step 'remove-everywhere' on REAL clusters east, west", `east (etcd http://127.0.0.1:${east} (from settings))`, `west (etcd http://127.0.0.1:${west} (from settings))`]) {
        if (!asked.includes(want)) throw new Error(`the question does not say "${want}": ${asked}`);
      }
      await screenshot(page, 'confirm-clusters.png');
      // One name of two does not do; what it acts on stays in view.
      await input.fill('east');
      await until(async () => /Type exactly east, west: it acts on east \(etcd/.test(await box.innerText()), { message: () => 'typing one name of two shows no "Type exactly east, west: it acts on …"' });
      await screenshot(page, 'confirm-clusters-one-name.png');
      await input.press('Enter');
      await sleep(500);
      if (!(await box.isVisible())) throw new Error('Enter with one name of two closed the question');
      await input.fill('west, east');
      await input.press('Enter');
      const stateEl = step.locator('.bg-state');
      await until(async () => /failed/i.test(((await stateEl.first().textContent()) ?? '').trim()), { message: () => 'after naming both clusters the step did not run to its end (failed: their etcd refuses connections)' });
      const out = (await step.locator('.bg-output').first().textContent()) ?? '';
      for (const port of [east, west]) {
        if (!out.includes(`127.0.0.1:${port}: connection refused`)) throw new Error(`the step did not try 127.0.0.1:${port}: ${out.slice(0, 600)}`);
      }
      await screenshot(page, 'confirm-clusters-ran.png');
      await runCommand(page, 'Breakglass: Enter Simulated Mode');
    },
  },
];

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  console.log('\n=== UI test (code-server + Chromium) ===');
  const results = await runTests(tests, { page: () => state.page, failureScreenshot: 'e2e-failure.png' });
  await state.ctx?.close().catch(() => {});
  await state.server?.stop();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2));
  console.log(`  logs: test/artifacts/workbench-e2e.log, test/artifacts/code-server-e2e.log (${fmtSeconds(Date.now() - started)})`);
  console.log(`UI test: ${passed} of ${results.length} passed${failed ? `, ${failed} failed` : ''}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
