// The walkthrough's tabletop as a newcomer lives it, in the playground that `npm start` opens: every
// step of the walkthrough "Rehearse an API-server outage" at 1600×1000, clicking only what the
// walkthrough and the panels show (no command run directly). Each stage leaves a screenshot in
// test/artifacts/walkthrough/ and asserts what a person sees there:
//   02 the tabletop started: the facilitator beside the walkthrough, the clock at 1× and the pace said;
//   03 detect: the runbook beside the facilitator (neither hides the other); readyz gives its verdict
//      within its 20 s timeout;
//   04 health: the health panel under the facilitator, with current readings and their source while
//      prod-east is saturated;
//   05 break glass: the agents stopped and the DaemonSet removed, results that read cleanly (no word
//      broken across lines, one result per cluster);
//   06 recovered at 10×: readyz answers again (the other branch of the detect step);
//   07 the end: End Tabletop writes one report, opened in the preview, whose scores are the times the
//      steps were taken at.
// Used by test/e2e/playground.mjs, which starts the playground and opens the walkthrough.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, screenshot, sleep, until } from '../../scripts/lib/code-server.mjs';
import { brokenWords, clockSeconds, editorGroups, frameWith, overlaps, text } from './workbench.mjs';

export const SHOTS = 'walkthrough';
const WT = 'breakglass.breakglass#tabletop';

/** Screenshot of this stage, in test/artifacts/walkthrough/. */
async function shot(page, name) {
  mkdirSync(join(ARTIFACTS, SHOTS), { recursive: true });
  await page.mouse.move(800, 995);
  await sleep(700);
  await screenshot(page, `${SHOTS}/${name}.png`);
}

/** The walkthrough's step `id`, opened as a person does: a click on its title (when not open yet). */
async function openStep(page, id) {
  const step = page.locator(`.gettingStartedContainer button.getting-started-step[data-step-id="${WT}#${id}"]`);
  // The walkthrough's tab, brought to the front when another editor covers it (a covered editor
  // may have no DOM at all).
  await until(
    async () => {
      if ((await step.count()) > 0 && (await step.isVisible())) return true;
      const tab = page.locator('.tabs-container .tab', { hasText: 'Walkthrough' }).first();
      if (await tab.count()) await tab.click();
      return false;
    },
    { message: () => `the walkthrough has no step ${id} on screen` },
  );
  if ((await step.getAttribute('aria-expanded')) !== 'true') await step.locator('.step-title').click();
  await until(async () => (await step.getAttribute('aria-expanded')) === 'true', { message: () => `the step ${id} did not open` });
  return step;
}

/** Clicks the button `label` of the walkthrough step `id`; it must be on screen without scrolling. */
async function clickAction(page, id, label) {
  const step = await openStep(page, id);
  const button = step.locator('a.monaco-button', { hasText: label }).first();
  await until(async () => button.isVisible(), { message: () => `the step ${id} shows no "${label}" button` });
  const box = await button.boundingBox();
  const view = page.viewportSize();
  if (!box || box.y < 0 || box.y + box.height > view.height) throw new Error(`"${label}" is not on screen (${JSON.stringify(box)}): the walkthrough must be scrolled to find it`);
  await button.click();
}

/** The groups whose front tab matches each pattern, checked to be all on screen side by side. */
async function sideBySide(page, patterns, minWidth = 360) {
  let groups = [];
  const found = await until(
    async () => {
      groups = await editorGroups(page);
      const picked = patterns.map((p) => groups.find((g) => p.test(g.active)));
      return picked.every(Boolean) && picked;
    },
    { timeout: 20_000, message: () => `not all of ${patterns.join(', ')} are in front in their editor groups: ${JSON.stringify(groups)}` },
  );
  for (let i = 0; i < found.length; i++) {
    if (found[i].width < minWidth) throw new Error(`${found[i].active} is only ${found[i].width} px wide: ${JSON.stringify(groups)}`);
    for (let j = i + 1; j < found.length; j++) {
      if (found[i] === found[j] || overlaps(found[i], found[j])) throw new Error(`${found[i].active} and ${found[j].active} hide each other: ${JSON.stringify(groups)}`);
    }
  }
  return found;
}

/** Runs a step from its Run button; resolves with its state and output once it is done. */
async function runStep(rb, id, timeoutMs) {
  const step = rb.locator(`.bg-step[data-step-id="${id}"]`);
  await until(async () => (await step.count()) > 0, { timeout: 20_000, message: () => `the runbook has no step ${id}` });
  await step.scrollIntoViewIfNeeded();
  const t0 = Date.now();
  await step.locator('button[data-action="run"]').first().click();
  await until(async () => (await step.getAttribute('data-state')) === 'running' || !['pending', null].includes(await step.getAttribute('data-state')), {
    timeout: 10_000,
    message: () => `step ${id} did not start`,
  });
  const stateNow = () => step.getAttribute('data-state');
  await until(async () => ['succeeded', 'failed', 'cancelled', 'skipped'].includes(await stateNow()), {
    timeout: timeoutMs,
    message: () => `step ${id} did not finish within ${timeoutMs / 1000} s`,
  });
  return { state: await stateNow(), output: await text(step.locator('.bg-output')), status: await text(step.locator('.bg-state')), ms: Date.now() - t0, step };
}

/** The report's scores table: "Time to detect" → its value in seconds (this exercise's column). */
function reportScores(md) {
  const out = {};
  for (const line of md.split('\n')) {
    const m = /^\| (Time to \w+)[^|]*\| ([^|]+) \|/.exec(line);
    if (!m) continue;
    const d = /(?:(\d+) h )?(?:(\d+) m)?(?: ?(\d+) s)?/.exec(m[2].trim());
    out[m[1]] = d && (d[1] || d[2] || d[3]) ? Number(d[1] ?? 0) * 3600 + Number(d[2] ?? 0) * 60 + Number(d[3] ?? 0) : undefined;
  }
  return out;
}

/**
 * The stages, as tests for runTests. `ctx.page()` is the workbench page with the walkthrough open;
 * `ctx.folder()` the playground's workspace folder.
 */
export function walkthroughStages(ctx) {
  const seen = { impactAt: undefined, detectAt: undefined, mitigateAt: undefined };
  let fac;
  let rb;
  const clock = async () => clockSeconds(await text(fac.locator('#tt-clock')));

  return [
    {
      name: 'walkthrough: Start Tabletop opens the facilitator beside the walkthrough, in real time, and says how to set the pace',
      async run() {
        const page = ctx.page();
        rmSync(join(ARTIFACTS, SHOTS), { recursive: true, force: true });
        await clickAction(page, 'start-tabletop', 'Start Tabletop');
        fac = await frameWith(page, 'body[data-page="tabletop"] #tt-clock', 'facilitator panel');
        await until(async () => /telemetry-rollout-2024-12-11/.test(await text(fac.locator('#tt-title'))), { message: () => 'the facilitator does not name the scenario' });
        let note = '';
        await until(async () => /1× real time/.test((note = await text(fac.locator('#tt-clock-note')))), { message: () => `the clock is not at 1×: ${note}` });
        const pace = await text(fac.locator('#tt-pace'));
        if (!/Pause while you read/.test(pace)) throw new Error(`the facilitator does not say how to set the pace: ${JSON.stringify(pace)}`);
        await sideBySide(page, [/^Walkthrough/, /^Facilitator/]);
        const banner = fac.locator('#tt-banner');
        if ((await banner.isVisible()) && !(await text(banner))) throw new Error('an empty banner shows under the clock');
        await shot(page, '02-tabletop-started');
      },
    },
    {
      name: 'walkthrough: the runbook opens beside the facilitator; readyz gives its verdict within its 20 s timeout',
      async run() {
        const page = ctx.page();
        await clickAction(page, 'detect', 'Open the Runbook');
        rb = await frameWith(page, '.bg-step[data-step-id="readyz"]', 'runbook');
        await sideBySide(page, [/^Walkthrough/, /^Runbook/, /^Facilitator/]);
        // prod-east's API servers run out of memory within the first simulated minute.
        await until(async () => /API server replica \d OOM-killed/.test(await text(fac.locator('#tt-events'))), {
          timeout: 90_000,
          message: () => 'prod-east did not fail within 90 s at 1×',
        });
        seen.detectAt = await clock();
        const r = await runStep(rb, 'readyz', 30_000);
        if (r.state !== 'succeeded') throw new Error(`readyz ${r.state} (${r.status}) instead of saying which branch: ${r.output.slice(-400)}`);
        if (!/the API server did not answer: go to section 4|readyz check passed/.test(r.output)) throw new Error(`readyz printed no verdict: ${r.output.slice(-400)}`);
        if (r.ms > 25_000) throw new Error(`readyz took ${r.ms} ms (its timeout is 20 s)`);
        if ((r.output.match(/timed out/g) ?? []).length > 1) throw new Error(`"timed out" said more than once: ${r.output.slice(-400)}`);
        await r.step.scrollIntoViewIfNeeded();
        await shot(page, '03-detect');
      },
    },
    {
      name: 'walkthrough: the health panel opens under the facilitator and shows current readings, with their source, while prod-east is saturated',
      async run() {
        const page = ctx.page();
        await clickAction(page, 'watch', 'Show Cluster Health');
        const health = await frameWith(page, 'body[data-page="health"]', 'health panel');
        await sideBySide(page, [/^Runbook/, /^Facilitator/, /^Cluster Health/], 300);
        // Within the panel's first polls (at most 12 requests a minute, every 15 s).
        let body = '';
        await until(
          async () => {
            body = await text(health.locator('body'));
            return /readyz|load|APF/i.test(body) && !/no reading yet/.test(body);
          },
          { timeout: 60_000, message: () => `the health panel shows no readings: ${body.replace(/\s+/g, ' ').slice(0, 600)}` },
        );
        await shot(page, '04-health');
      },
    },
    {
      name: 'walkthrough: the break-glass steps stop the agents and remove the DaemonSet; their results read cleanly',
      async run() {
        const page = ctx.page();
        await openStep(page, 'break-glass');
        seen.mitigateAt = await clock();
        for (const id of ['stop-agents-on-nodes', 'remove-from-etcd']) {
          const r = await runStep(rb, id, 120_000);
          if (r.state !== 'succeeded') throw new Error(`${id} ${r.state} (${r.status}): ${r.output.slice(-600)}`);
          const broken = await brokenWords(rb, `.bg-step[data-step-id="${id}"] td, .bg-step[data-step-id="${id}"] th`);
          if (broken.length) throw new Error(`${id}: words broken across lines in its results: ${broken.slice(0, 8).join(', ')}`);
        }
        await rb.locator('.bg-step[data-step-id="stop-agents-on-nodes"]').scrollIntoViewIfNeeded();
        await shot(page, '05-break-glass');
      },
    },
    {
      name: 'walkthrough: at 10× the cluster recovers and readyz answers again',
      async run() {
        const page = ctx.page();
        await fac.locator('button.tt-speed[data-speed="10"]').click();
        await until(async () => (await fac.locator('button.tt-speed[data-speed="10"][aria-pressed="true"]').count()) > 0, { message: () => 'the 10× button is not pressed' });
        let r;
        await until(
          async () => {
            r = await runStep(rb, 'readyz', 30_000);
            return /readyz check passed/.test(r.output);
          },
          { timeout: 240_000, interval: 2000, message: () => `readyz did not answer again: ${r?.output.slice(-300)}` },
        );
        await fac.locator('button.tt-speed[data-speed="1"]').click();
        await shot(page, '06-recovered');
      },
    },
    {
      name: 'walkthrough: End Tabletop writes one report, opened in the preview, scored as the steps were taken',
      async run() {
        const page = ctx.page();
        const reports = join(ctx.folder(), '.breakglass', 'reports');
        await clickAction(page, 'report', 'End Tabletop');
        const preview = await frameWith(page, 'img[src*="tabletop-telemetry-rollout-2024-12-11"]', 'the report in the markdown preview', 60_000);
        await until(async () => (await preview.locator('h2', { hasText: 'Scores' }).count()) > 0, { message: () => 'the preview has no Scores section' });
        const files = existsSync(reports) ? readdirSync(reports).filter((f) => f.endsWith('.md')) : [];
        if (files.length !== 1) throw new Error(`${files.length} reports in ${reports}: ${files.join(', ')}`);
        const md = readFileSync(join(reports, files[0]), 'utf8');
        const s = reportScores(md);
        const impact = /impact began[^|]*\| T\+(\d+)m(\d+)s/i.exec(md);
        const impactAt = impact ? Number(impact[1]) * 60 + Number(impact[2]) : 15;
        // Scored as taken: detection when readyz ran, mitigation when the agents were stopped (the
        // clock ran at 1× until then; a minute of slack for the clock read around each click).
        if (s['Time to detect'] === undefined || Math.abs(s['Time to detect'] - (seen.detectAt - impactAt)) > 60) {
          throw new Error(`time to detect ${s['Time to detect']} s; readyz ran at T+${seen.detectAt} s, impact at T+${impactAt} s`);
        }
        if (s['Time to mitigate'] === undefined || s['Time to mitigate'] > seen.mitigateAt - impactAt + 120) {
          throw new Error(`time to mitigate ${s['Time to mitigate']} s; the agents were stopped from T+${seen.mitigateAt} s`);
        }
        // The health panel, still open, says its tabletop ended (not that nothing was ever set up).
        const health = await frameWith(page, 'body[data-page="health"]', 'health panel');
        let said = '';
        await until(
          async () => {
            said = (await text(health.locator('body'))).replace(/\s+/g, ' ');
            return /The tabletop 'telemetry-rollout-2024-12-11' has ended/.test(said);
          },
          { timeout: 20_000, message: () => `the health panel does not say the tabletop ended: ${said.slice(0, 400)}` },
        );
        await page.waitForTimeout(500);
        await shot(page, '07-report');
        // The chart, legible where it opened: drawn at (nearly) its own size, not scaled down.
        const img = preview.locator('img[src*="tabletop-telemetry-rollout-2024-12-11"]').first();
        await until(async () => img.evaluate((i) => i.complete && i.naturalWidth > 0), { message: () => 'the chart image did not load in the preview' });
        await img.evaluate((i) => i.scrollIntoView({ block: 'start' }));
        const { shown, natural } = await img.evaluate((i) => ({ shown: i.getBoundingClientRect().width, natural: i.naturalWidth }));
        if (shown < natural * 0.75) throw new Error(`the report's chart is drawn at ${Math.round((shown / natural) * 100)} % of its size (${Math.round(shown)} of ${natural} px): too small to read`);
        await shot(page, '08-report-chart');
      },
    },
  ];
}
