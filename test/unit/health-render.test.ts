// The Cluster Health page as a person sees it during the seed tabletop's saturation of prod-east,
// drawn by its real script and stylesheet in headless Chromium from snapshots the real poller took
// of the simulated clusters (prod-east through its break-glass context; staging beside it):
// at 1600×1000 and at half width. Screenshots go to test/artifacts/health/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { breakglassContextOf } from '../../src/cluster/breakglass-context';
import { KubeconfigRequester } from '../../src/cluster/connection';
import { HealthPoller, type HealthSnapshot } from '../../src/cluster/poller';
import { parseScenario } from '../../src/sim/scenario';
import { Tabletop } from '../../src/tabletop/tabletop';
import type { HealthClustersMessage, HealthTargetView } from '../../src/views/messages/health';

const ROOT = resolve(__dirname, '../../..');
const SEED = join(ROOT, 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const OUT = join(ROOT, 'test/artifacts/health');

/** A dark theme's variables, as VS Code sets them on a webview's <html>. */
const THEME = `--vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f;
--vscode-descriptionForeground: #9d9d9d; --vscode-panel-border: #3c3c3c; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
--vscode-statusBarItem-errorBackground: #c72e0f; --vscode-statusBarItem-errorForeground: #ffffff; --vscode-errorForeground: #f85149;
--vscode-inputValidation-errorBackground: #5a1d1d; --vscode-inputValidation-errorBorder: #be1100; --vscode-inputValidation-warningBackground: #352a05;
--vscode-inputValidation-warningBorder: #b89500; --vscode-inputValidation-infoBackground: #063b49; --vscode-inputValidation-infoBorder: #007acc;
--vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc;
--vscode-textLink-foreground: #4daafc; --vscode-charts-green: #89d185; --vscode-testing-iconPassed: #73c991; --vscode-disabledForeground: #8c8c8c;`;

function page(): string {
  const media = (f: string) => pathToFileURL(join(ROOT, 'dist/media', f)).href;
  return `<!DOCTYPE html><html lang="en" style="${THEME.replace(/\n/g, ' ')}"><head><meta charset="UTF-8">
<link rel="stylesheet" href="${media('codicon.css')}"><link rel="stylesheet" href="${media('uPlot.min.css')}"><link rel="stylesheet" href="${media('health.css')}">
<script>window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m) });</script></head>
<body data-page="health"><div class="bg-health-picker" hidden></div>
<div class="bg-health-columns"><div class="bg-health bg-health-standalone" data-health-id="main" data-title="Cluster health"></div></div>
<script src="${media('health.js')}"></script></body></html>`;
}

describe('Cluster Health page in Chromium during saturation (seed tabletop)', function () {
  this.timeout(300_000);
  let tt: Tabletop | undefined;
  let dir = '';
  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'bg-health-render-'));
    tt = await Tabletop.start(parseScenario(readFileSync(SEED, 'utf8'), SEED), { journalDir: dir, paused: true });
  });
  after(async () => {
    await tt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the break-glass path, plots the readings it gets, and greys old values when no replica answers', async () => {
    // Twelve simulated minutes polled in lockstep on a clock that ends now, so ages read as in a live panel.
    const start = Date.now() - 12 * 60_000;
    let t = start;
    const now = () => t;
    const make = (ctx: string) =>
      new HealthPoller(new KubeconfigRequester(tt!.kubeconfig, ctx), { fallback: new KubeconfigRequester(tt!.kubeconfig, breakglassContextOf(ctx)), simClients: true, now, random: () => 0.5 });
    const east = make('prod-east');
    const staging = make('staging');
    let due = { east: t, staging: t };
    const model = tt!.sim.cluster('prod-east')!;
    // Stop at a saturated poll read through the break-glass path, and later at a poll no replica answered.
    let saturatedAt: { east: HealthSnapshot[]; staging: HealthSnapshot[]; t: number } | undefined;
    let downAt: typeof saturatedAt;
    while (t < start + 20 * 60_000 && !(saturatedAt && downAt)) {
      if (t >= due.east) {
        const s = await east.pollOnce();
        due.east = t + east.nextDelayMs;
        const snap = { east: [...east.history], staging: [...staging.history], t };
        if (t - start > 4 * 60_000 && s.via?.fallback && !s.error && !saturatedAt) saturatedAt = snap;
        if (saturatedAt && s.state === 'unreachable' && model.snapshot().apiserver.replicasReady === 0 && !downAt) downAt = snap;
      }
      if (t >= due.staging) {
        await staging.pollOnce();
        due.staging = t + staging.nextDelayMs;
      }
      const next = Math.min(due.east, due.staging);
      const steps = Math.round((next - t) / 1000);
      for (let k = 0; k < steps; k++) tt!.sim.step(1);
      t = next;
    }
    assert.ok(saturatedAt && downAt, 'both moments were reached');

    const { launchChromium } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/code-server.mjs')).href)) as {
      launchChromium(dir: string, o: { viewport: { width: number; height: number } }): Promise<import('playwright-core').BrowserContext>;
    };
    mkdirSync(OUT, { recursive: true });
    const html = join(dir, 'health.html');
    writeFileSync(html, page());
    const target = (cluster: string): HealthTargetView => ({ status: 'watching', label: `SIMULATED: ${cluster} (context ${cluster})`, simulated: true, budgetPerMinute: 12, fallback: breakglassContextOf(cluster) });
    const layout: HealthClustersMessage = {
      type: 'healthClusters',
      choices: ['staging', 'prod-east', 'prod-west'].map((c) => ({ context: c, cluster: c })),
      panels: [
        { id: 'main', context: 'prod-east' },
        { id: 'compare-1', context: 'staging' },
      ],
    };
    for (const [moment, snap] of [['saturated', saturatedAt], ['down', downAt]] as const) {
      for (const width of [1600, 800]) {
        const ctx = await launchChromium(join(dir, `profile-${moment}-${width}`), { viewport: { width, height: 1000 } });
        try {
          const p = ctx.pages()[0] ?? (await ctx.newPage());
          await p.goto(pathToFileURL(html).href);
          await p.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
          const sentAt = snap.t;
          const msgs = [
            layout,
            { type: 'healthTarget', panel: 'main', target: target('prod-east') },
            { type: 'healthHistory', panel: 'main', sentAt, snapshots: snap.east },
            { type: 'healthTarget', panel: 'compare-1', target: target('staging') },
            { type: 'healthHistory', panel: 'compare-1', sentAt, snapshots: snap.staging },
          ];
          await p.evaluate((ms) => {
            for (const m of ms) window.postMessage(m, '*');
          }, msgs as unknown[]);
          await p.waitForFunction(() => document.querySelectorAll('.bg-health[data-health-id] .bg-chart').length >= 10);
          await p.waitForTimeout(500);
          await p.screenshot({ path: join(OUT, `health-${moment}-${width}.png`), fullPage: true });
          const seen = await p.evaluate(() => {
            const panel = (id: string) => document.querySelector<HTMLElement>(`.bg-health[data-health-id="${id}"]`)!;
            const east = panel('main');
            return {
              columns: Array.from(document.querySelectorAll<HTMLElement>('.bg-health-columns > .bg-health')).map((e) => Math.round(e.getBoundingClientRect().left)),
              picker: Array.from(document.querySelectorAll<HTMLElement>('.bg-health-picker button')).map((b) => `${b.textContent}:${b.getAttribute('aria-pressed')}`),
              state: east.querySelector('.bg-health-state')!.textContent,
              path: east.querySelector<HTMLElement>('.bg-health-path')!.innerText,
              outage: east.querySelector<HTMLElement>('.bg-health-outage')!.hidden ? '' : east.querySelector<HTMLElement>('.bg-health-outage')!.innerText,
              readyz: east.querySelector<HTMLElement>('.bg-health-readyz')!.innerText,
              stale: east.classList.contains('bg-stale'),
              charts: Array.from(east.querySelectorAll<HTMLElement>('.bg-chart')).map((c) => ({ id: c.dataset.chart, empty: c.querySelector('.bg-chart-empty')?.textContent ?? '', canvas: !!c.querySelector('canvas'), caption: c.querySelector('figcaption')!.textContent, parts: Array.from(c.querySelectorAll('figcaption > span')).map((e) => e.textContent ?? '') })),
              clipped: Array.from(document.querySelectorAll<HTMLElement>('.bg-health *')).filter((e) => e.children.length === 0 && e.textContent && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible').map((e) => e.textContent),
            };
          });
          const where = `${moment} at ${width}px: ${JSON.stringify(seen)}`;
          assert.deepEqual(seen.picker, ['staging:true', 'prod-east:true', 'prod-west:false'], where);
          if (width === 1600) assert.ok(seen.columns.length === 2 && seen.columns[1] > seen.columns[0], `side by side: ${where}`);
          assert.deepEqual(seen.clipped, [], where);
          // Every chart whose signal was read has points; none says it has none.
          for (const c of seen.charts) assert.ok(c.canvas && c.empty === '', `chart ${c.id} drawn: ${where}`);
          for (const c of seen.charts) assert.doesNotMatch(c.caption ?? '', /no reading yet/, where);
          // Title, value and source are words apart in the text itself (what a screen reader or a copy reads), not only by a margin.
          for (const c of seen.charts) assert.equal(c.caption?.trim(), c.parts.filter((p) => p).join(' '), `caption of ${c.id}: ${where}`);
          if (moment === 'saturated') {
            assert.equal(seen.state, 'Saturated', where);
            assert.match(seen.path, /Reading through prod-east-breakglass \(exempt\)/, where);
            assert.match(seen.readyz, /via prod-east(-breakglass \(exempt\))?, (just now|\d+ s ago)/, where);
            assert.equal(seen.stale, false, where);
          } else {
            assert.equal(seen.state, 'Unreachable', where);
            assert.match(seen.outage, /No API server replica answers on any path/, where);
            assert.match(seen.outage, /Last answer: (\d+ s|\d+ min) ago, through prod-east/, where);
            assert.doesNotMatch(seen.outage, /none since/, where);
            assert.match(seen.readyz, /last read (\d+ s|\d+ min) ago/, where);
            assert.equal(seen.stale, true, where);
          }
        } finally {
          await ctx.close();
        }
      }
    }
  });
});
