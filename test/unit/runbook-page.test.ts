// The Runbook view's page as a person sees it, in headless Chromium at the walkthrough's width
// (1600×1000) and in a half-width editor column (780 px): the seed runbook with its break-glass
// steps run across the tabletop's clusters (the session's own events, through the same rows the
// view host posts). Asserted on what is drawn: no word is split across lines anywhere on the page
// (each character's line from Range.getClientRects), the clusters tables fit their column and say
// a plan is a plan, and every step's Run / Cancel / Skip sit on its header's first line whatever
// the title's length. Screenshots go to test/artifacts/runbook-page/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { headlessTimeline, type ClusterOutcome } from '../../src/breakglass';
import type { Param } from '../../src/runbook/model';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession, type Prompter, type SessionEvent } from '../../src/runbook/session';
import type { SimHost } from '../../src/runbook/simhost';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { clusterRows } from '../../src/views/clusterTable';
import type { ToWebview } from '../../src/views/messages/runbook';
import { runbookPageHtml } from '../../src/views/runbookPage';
import { removeTempDir, tempDir } from './helpers/servers';

const ROOT = join(__dirname, '../../..');
const SEED = join(ROOT, 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const OVERLOAD = join(ROOT, 'runbooks/api-server-overload.md');
const MEDIA = join(ROOT, 'dist/media');
const ARTIFACTS = join(ROOT, 'test/artifacts/runbook-page');
const ORIGIN = 'https://webview.test';

const yes: Prompter = { confirm: async () => true, confirmTargets: async () => true, askParam: async (_p: Param) => undefined };

// The variables VS Code's default dark theme (Dark Modern) gives a webview, for the sizes and
// fonts that decide where lines break (from a webview's computed style in VS Code 1.100).
const THEME = `:root {
  --vscode-font-family: system-ui, "Ubuntu", "Droid Sans", sans-serif; --vscode-font-size: 13px;
  --vscode-editor-font-family: "Droid Sans Mono", "monospace", monospace; --vscode-editor-font-size: 14px;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-editor-background: #1f1f1f;
  --vscode-panel-border: #2b2b2b; --vscode-textCodeBlock-background: #2b2b2b; --vscode-terminal-background: #181818;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-progressBar-background: #0078d4; --vscode-input-background: #313131; --vscode-textLink-foreground: #4daafc;
  --vscode-statusBarItem-warningBackground: #c69d00; --vscode-statusBarItem-errorBackground: #c72e0f;
  --vscode-errorForeground: #f85149; --vscode-terminal-ansiCyan: #2aa1b3;
}`;

/** The page's messages for a session's events, as the view host posts them (runbookPanel.ts). */
function toMessages(events: SessionEvent[]): ToWebview[] {
  const out: ToWebview[] = [];
  for (const e of events) {
    if (e.type === 'state') out.push({ type: 'state', stepId: e.stepId, view: { state: e.runtime.state, elapsedMs: (e.runtime.finishedAt ?? e.runtime.startedAt ?? 0) - (e.runtime.startedAt ?? 0), reason: e.runtime.reason } });
    else if (e.type === 'output') out.push({ type: 'output', stepId: e.stepId, stream: e.stream, text: e.text });
    else if (e.type === 'clusters') out.push({ type: 'clusters', stepId: e.stepId, clusters: clusterRows(e.clusters) });
  }
  return out;
}

interface Split {
  where: string;
  text: string;
  at: number;
}

/** In the page: every place where a line break falls between two letters or digits of a word. */
function wordSplits(): Split[] {
  const word = /[\p{L}\p{N}]/u;
  const found: Split[] = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent ?? '';
    if (!t.trim()) continue;
    let prevTop: number | undefined;
    let prev = '';
    for (let i = 0; i < t.length; i++) {
      const r = document.createRange();
      r.setStart(n, i);
      r.setEnd(n, i + 1);
      const rect = r.getClientRects()[0];
      // A newline or a space that ends a line has no box: it still separates the words.
      if (!rect || rect.width === 0) {
        prev = t[i];
        continue;
      }
      if (prevTop !== undefined && rect.top > prevTop + 2 && word.test(prev) && word.test(t[i])) {
        const el = n.parentElement!;
        found.push({ where: `${el.tagName.toLowerCase()}.${el.className}`, text: t.slice(Math.max(0, i - 20), i) + '|' + t.slice(i, i + 20), at: i });
      }
      prevTop = rect.top;
      prev = t[i];
    }
  }
  return found;
}

/** In the page: for each step header, whether its controls sit on the header's first line. */
function headers(): { step: string; titleTop: number; controlsTop: number; buttonsTop: number[]; height: number; overflow: number }[] {
  return Array.from(document.querySelectorAll<HTMLElement>('.bg-step-head'))
    .filter((h) => h.querySelector('.bg-step-controls'))
    .map((h) => ({
      step: h.closest<HTMLElement>('.bg-step')!.dataset.stepId!,
      titleTop: h.querySelector('.bg-step-name')!.getBoundingClientRect().top,
      controlsTop: h.querySelector('.bg-step-controls')!.getBoundingClientRect().top,
      buttonsTop: Array.from(h.querySelectorAll('.bg-actions button:not([hidden])')).map((b) => Math.round(b.getBoundingClientRect().top)),
      height: h.getBoundingClientRect().height,
      // How far its buttons reach past the card's right edge.
      overflow: Math.max(0, ...Array.from(h.querySelectorAll('button')).map((b) => b.getBoundingClientRect().right)) - h.getBoundingClientRect().right,
    }));
}

/** In the page: the step name and badges of each header that take more than one line (a title squeezed by its controls). */
function squeezedTitles(): string[] {
  const lines = (e: HTMLElement): number => Math.round(e.getBoundingClientRect().height / (parseFloat(getComputedStyle(e).lineHeight) || 16));
  return Array.from(document.querySelectorAll<HTMLElement>('.bg-step-head .bg-step-name, .bg-step-head .bg-badge'))
    .filter((e) => e.getClientRects().length && lines(e) > 1)
    .map((e) => `${e.closest<HTMLElement>('.bg-step')!.dataset.stepId}: '${e.textContent?.trim()}' on ${lines(e)} lines`);
}

/** In the page: each clusters table's width against its box, and its rows' texts. */
function tables(): { step: string; overflow: number; rows: string[]; details: string[]; wrappedNames: string[] }[] {
  return Array.from(document.querySelectorAll<HTMLElement>('.bg-clusters')).map((box) => ({
    step: box.closest<HTMLElement>('.bg-step')!.dataset.stepId!,
    wrappedNames: Array.from(box.querySelectorAll<HTMLElement>('td.bg-cluster-name'))
      .filter((td) => {
        const r = document.createRange();
        r.selectNodeContents(td);
        return new Set(Array.from(r.getClientRects()).map((x) => Math.round(x.top))).size > 1;
      })
      .map((td) => td.textContent ?? ''),
    overflow: box.querySelector('table')!.getBoundingClientRect().width - box.clientWidth,
    rows: Array.from(box.querySelectorAll('tbody tr')).map((tr) => Array.from((tr as HTMLTableRowElement).cells).map((c) => (c.textContent ?? '').trim()).join(' | ')),
    details: Array.from(box.querySelectorAll('.bg-cluster-details li')).map((li) => li.textContent ?? ''),
  }));
}

describe('Runbook view page in Chromium: break-glass tables and step headers', function () {
  this.timeout(240_000);
  const events: SessionEvent[] = [];
  let midRun = -1;
  let profile = '';
  let close: (() => Promise<void>) | undefined;
  let page: import('playwright-core').Page;
  let context: import('playwright-core').BrowserContext;

  before(async () => {
    for (const f of ['runbook.js', 'runbook.css', 'codicon.css']) assert.ok(existsSync(join(MEDIA, f)), `${f} missing in dist/media: build first (node esbuild.config.mjs)`);
    // The tabletop's clusters at T+10m, as the walkthrough plays them; both break-glass steps run.
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    while (sim.now() < 600) sim.step(1);
    const host: SimHost = {
      clusters: () => sim.clusters.map((m) => ({ name: m.spec.name, nodes: m.spec.nodes, model: m })),
      focus: () => 'prod-east',
      timeline: () => headlessTimeline(sim),
      speed: () => 1,
      stepEvent: () => undefined,
    };
    const { runbook } = parseRunbook(readFileSync(OVERLOAD, 'utf8'), OVERLOAD);
    const dir = tempDir('bg-page-');
    const session = new RunSession({ runbookPath: OVERLOAD, runbook, journalDir: join(dir, 'journal'), target: { mode: 'sim' }, prompter: yes, via: 'cli', env: { PATH: process.env.PATH }, sim: () => host });
    session.onEvent((e) => {
      events.push(e);
      // The first table where the largest cluster is half done: the page mid-run.
      if (midRun < 0 && e.type === 'clusters' && e.stepId === 'stop-agents-on-nodes' && e.clusters[0].progress && e.clusters[0].progress.done * 2 >= e.clusters[0].progress.total) midRun = events.length;
    });
    try {
      assert.equal(await session.runStep('stop-agents-on-nodes'), 'succeeded');
      assert.equal(await session.runStep('remove-from-etcd'), 'succeeded');
    } finally {
      session.dispose();
      removeTempDir(dir);
    }
    assert.ok(midRun > 0, 'a table with the largest cluster half done');

    const lib = (await import(pathToFileURL(join(ROOT, 'scripts/lib/code-server.mjs')).href)) as { launchChromium(dir: string, o?: { viewport?: { width: number; height: number } }): Promise<import('playwright-core').BrowserContext> };
    profile = tempDir('bg-page-chromium-');
    const browser = await lib.launchChromium(profile, { viewport: { width: 1600, height: 1000 } });
    close = () => browser.close();
    context = browser;
    const nonce = 'test-nonce';
    const parsed = parseRunbook(readFileSync(OVERLOAD, 'utf8'), OVERLOAD);
    const html = runbookPageHtml({
      parsed,
      modeLabel: 'SIMULATED: tabletop telemetry-rollout-2024-12-11',
      cspSource: ORIGIN,
      nonce,
      media: (f) => `${ORIGIN}/media/${f}`,
      // A stand-in for VS Code's webview API: the page posts into a list the test reads.
      head: `<link rel="stylesheet" href="${ORIGIN}/theme.css"><script nonce="${nonce}" src="${ORIGIN}/vscode-api.js"></script>`,
    });
    await browser.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: html });
      if (path === '/theme.css') return route.fulfill({ contentType: 'text/css', body: THEME });
      if (path === '/vscode-api.js') return route.fulfill({ contentType: 'text/javascript', body: 'window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m) });' });
      const file = join(MEDIA, path.replace(/^\/media\//, ''));
      if (path.startsWith('/media/') && existsSync(file)) return route.fulfill({ path: file });
      return route.fulfill({ status: 404, body: '' });
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'ready'));
    assert.deepEqual(errors, []);
    const snapshot: ToWebview = { type: 'snapshot', mode: { label: 'SIMULATED: tabletop telemetry-rollout-2024-12-11', real: false }, trusted: true, runAll: false, steps: {} };
    await post([snapshot]);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await close?.();
    if (profile) removeTempDir(profile);
  });

  async function post(msgs: ToWebview[]): Promise<void> {
    await page.evaluate((list) => {
      for (const m of list) window.postMessage(m, '*');
    }, msgs);
    // Messages are delivered as tasks: wait until the page has handled the last one.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  }

  async function look(width: number, name: string, stepId: string): Promise<void> {
    await page.setViewportSize({ width, height: 1000 });
    await page.locator(`.bg-step[data-step-id="${stepId}"]`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`) });
  }

  it('mid-run: the running cluster shows its plan as a plan, with its progress; screenshots', async () => {
    await post(toMessages(events.slice(0, midRun)));
    await look(1600, 'stop-agents-running', 'stop-agents-on-nodes');
    await look(780, 'stop-agents-running', 'stop-agents-on-nodes');
    const [t] = (await page.evaluate(tables)).filter((x) => x.step === 'stop-agents-on-nodes');
    assert.match(t.rows[0], /^prod-east \| 5,000 \| running \| [\d,]+\/5,000 \| plan: 5000 node\(s\), 200 at a time, about 54 s$/);
    assert.doesNotMatch(t.rows.join('\n'), /dry run/);
    assert.deepEqual(await page.evaluate(wordSplits), []);
    const state = await page.locator('.bg-step[data-step-id="stop-agents-on-nodes"] .bg-state').textContent();
    assert.equal(state, 'running');
  });

  it('finished: results in a few words per cluster, the whole result under Details, nothing split', async () => {
    await post(toMessages(events.slice(midRun)));
    for (const w of [1600, 780, 500]) {
      await look(w, 'stop-agents-done', 'stop-agents-on-nodes');
      await look(w, 'remove-from-etcd-done', 'remove-from-etcd');
      assert.deepEqual(await page.evaluate(wordSplits), [], `at ${w} px`);
      for (const t of await page.evaluate(tables)) {
        assert.ok(t.overflow <= 1, `${t.step} at ${w} px: ${t.overflow}px too wide`);
        assert.deepEqual(t.wrappedNames, [], `${t.step} at ${w} px: cluster names cut at their hyphens`);
      }
    }
    const all = await page.evaluate(tables);
    const stop = all.find((x) => x.step === 'stop-agents-on-nodes')!;
    assert.deepEqual(stop.rows.map((r) => r.replace(/ in \d+ s$/, '')), [
      'prod-east | 5,000 | succeeded | 5,000/5,000 | 5000 agent(s) stopped',
      'prod-west | 2,500 | succeeded | 2,500/2,500 | 2500 agent(s) stopped',
      'staging | 40 | succeeded | 40/40 | 40 agent(s) stopped',
    ]);
    const etcd = all.find((x) => x.step === 'remove-from-etcd')!;
    assert.deepEqual(etcd.rows, [
      'prod-east | 5,000 | succeeded | 5,001/5,001 | 5001 key(s) deleted',
      'prod-west | 2,500 | succeeded | 2,501/2,501 | 2501 key(s) deleted',
      'staging | 40 | succeeded | 41/41 | 41 key(s) deleted',
    ]);
    // Details (collapsed until opened): one whole sentence per cluster, counting the pods' prefix.
    assert.equal(etcd.details.length, 3);
    assert.match(etcd.details[0], /^prod-east: deleted 5001 of 5001 key\(s\) .*\(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 5000 under \/registry\/pods\/monitoring\/telemetry-agent-\); monitoring\/telemetry-agent gone from the API, none of its agents is running$/);
    await page.locator('.bg-step[data-step-id="remove-from-etcd"] .bg-cluster-details > summary').click();
    for (const w of [1600, 780]) {
      await look(w, 'remove-from-etcd-details', 'remove-from-etcd');
      assert.deepEqual(await page.evaluate(wordSplits), [], `details open at ${w} px`);
    }
  });

  it('a failed cluster with a long error, and Retry failed beside Run / Cancel / Skip, keep the layout', async () => {
    const failed: ClusterOutcome[] = [
      { name: 'prod-east', size: 5000, state: 'succeeded', result: { ok: true, summary: 'deleted 5001 of 5001 key(s) from etcd https://10.20.0.11:2379', brief: '5001 key(s) deleted', items: [{ id: '/registry/daemonsets/monitoring/telemetry-agent', ok: true, detail: 'deleted' }] } },
      {
        name: 'prod-west-failover-2',
        size: 2500,
        state: 'failed',
        result: { ok: false, summary: 'etcd-delete: etcd is not reachable: https://10.30.0.11:2379: connection refused (is etcd running there, and is ETCDCTL_ENDPOINTS right?); https://10.30.0.12:2379: TLS handshake failed: certificate signed by unknown authority', items: [] },
      },
    ];
    await post([
      { type: 'state', stepId: 'remove-from-etcd', view: { state: 'failed', elapsedMs: 3200, reason: 'etcd-delete on 2 cluster(s): prod-west-failover-2 failed' } },
      { type: 'clusters', stepId: 'remove-from-etcd', clusters: clusterRows(failed) },
      { type: 'retry', stepId: 'remove-from-etcd', failed: 1 },
    ]);
    // 620 px: the Runbook view beside a manifest in a 1600 px window. With the state, the time and
    // four buttons the controls need about 430 px: they go to a line of their own rather than
    // squeeze the title to a word per line.
    for (const w of [1600, 780, 620]) {
      await look(w, 'remove-from-etcd-failed', 'remove-from-etcd');
      assert.deepEqual(await page.evaluate(wordSplits), [], `at ${w} px`);
      assert.deepEqual(await page.evaluate(squeezedTitles), [], `at ${w} px`);
      const heads = await page.evaluate(headers);
      const h = heads.find((x) => x.step === 'remove-from-etcd')!;
      assert.equal(h.buttonsTop.length, 4, 'Run, Cancel, Skip and Retry failed');
      assert.equal(new Set(h.buttonsTop).size, 1);
      if (w >= 780) assert.ok(Math.abs(h.controlsTop - h.titleTop) <= 6);
      for (const t of await page.evaluate(tables)) assert.ok(t.overflow <= 1, `${t.step} at ${w} px: ${t.overflow}px too wide`);
    }
  });
  it('a page whose "ready" goes unanswered asks again, and stops asking once the snapshot came', async () => {
    const fresh = await context.newPage();
    try {
      await fresh.goto(`${ORIGIN}/`);
      const readies = () => fresh.evaluate(() => (window as unknown as { posted: { type: string }[] }).posted.filter((m) => m.type === 'ready').length);
      // Nothing answers the first one (a message lost while the webview was not live): it asks again.
      await fresh.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.filter((m) => m.type === 'ready').length >= 2, undefined, { timeout: 5000 });
      const snapshot: ToWebview = { type: 'snapshot', mode: { label: 'SIMULATED', real: false }, trusted: true, runAll: false, steps: {} };
      await fresh.evaluate((m) => window.postMessage(m, '*'), snapshot);
      await fresh.evaluate(() => new Promise((r) => setTimeout(r, 100)));
      const answered = await readies();
      await fresh.evaluate(() => new Promise((r) => setTimeout(r, 4500)));
      assert.equal(await readies(), answered, 'no "ready" after the snapshot came');
      assert.equal(await fresh.locator('#bg-mode').textContent().then((t) => /SIMULATED/.test(t ?? '')), true, 'the snapshot was drawn');
    } finally {
      await fresh.close();
    }
  });

  it('Run on a step posts its intent, in the wide layout and the narrow one', async () => {
    for (const width of [1600, 380]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.evaluate(() => ((window as unknown as { posted: unknown[] }).posted.length = 0));
      await page.locator('.bg-step[data-step-id="apf-rejections"] button[data-action="run"]').click();
      assert.deepEqual(await page.evaluate(() => (window as unknown as { posted: unknown[] }).posted), [{ type: 'run', stepId: 'apf-rejections' }], `at ${width} px`);
    }
  });

  // 500 px: the runbook's column in the tabletop's three columns at 1600 px.
  for (const width of [1600, 780, 500, 380]) {
    // Below 560 px every header puts its controls on a line of their own; the clusters tables fit
    // (nothing clipped) down to the three-column layout's width, and scroll sideways below it.
    const narrow = width < 560;
    const fit = width >= 500;
    it(`the whole page at ${width} px: no word split across lines; ${fit ? 'tables fit; ' : ''}Run / Cancel / Skip ${narrow ? 'on a line of their own' : "on the header's first line"} for every step`, async () => {
      await page.setViewportSize({ width, height: 1000 });
      const splits = await page.evaluate(wordSplits);
      assert.deepEqual(splits, [], `words split mid-word: ${JSON.stringify(splits, null, 1)}`);
      if (fit) for (const t of await page.evaluate(tables)) assert.ok(t.overflow <= 1, `${t.step}: the clusters table is ${t.overflow}px wider than its column`);
      // The toolbar's mode badge and buttons each keep to one line.
      const oneLine = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('.bg-toolbar > .bg-mode-badge, .bg-toolbar > .bg-btn')).map((e) => ({ text: e.textContent?.trim(), lines: Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || '20')) })),
      );
      for (const e of oneLine) assert.equal(e.lines <= 1, true, `toolbar: '${e.text}' takes ${e.lines} lines`);
      // Its title keeps a readable width: never a word per line.
      const title = await page.evaluate(() => {
        const t = document.querySelector<HTMLElement>('.bg-toolbar .bg-title')!;
        return { lines: Math.round(t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight)), words: (t.textContent ?? '').split(/\s+/).length };
      });
      assert.ok(title.lines <= 3 && title.lines < title.words / 3, `the title takes ${title.lines} lines for ${title.words} words`);
      assert.deepEqual(await page.evaluate(squeezedTitles), [], 'step names and badges keep to one line');
      const heads = await page.evaluate(headers);
      assert.ok(heads.length >= 10, `step headers: ${heads.length}`);
      for (const h of heads) {
        // The controls start on the title's line (wide) or below it (narrow), for every step alike;
        // the buttons are on one line.
        if (narrow) assert.ok(h.controlsTop > h.titleTop + 10, `${h.step}: controls at ${h.controlsTop}, title at ${h.titleTop}`);
        else assert.ok(Math.abs(h.controlsTop - h.titleTop) <= 6, `${h.step}: controls at ${h.controlsTop}, title at ${h.titleTop}`);
        // Run / Cancel / Skip on one line (in a narrow column Retry failed may take the next one).
        assert.equal(new Set(narrow ? h.buttonsTop.slice(0, 3) : h.buttonsTop).size, 1, `${h.step}: buttons on several lines: ${h.buttonsTop.join(', ')}`);
        assert.ok(h.overflow <= 1, `${h.step}: buttons reach ${h.overflow}px past the card`);
      }
      await page.screenshot({ path: join(ARTIFACTS, `page-top-${width}.png`) });
    });
  }

});

describe("webview styles: no rule that splits words mid-word", () => {
  // `word-break: break-all` breaks between any two letters ("kubeconfi" / "g" at a line's end);
  // `word-break: break-word` and `overflow-wrap: anywhere` let a table column or a flex item shrink
  // to a few letters ("teleme" / "try-agent"). Only `overflow-wrap: break-word` is allowed: it
  // breaks a token only when the token alone is longer than its line.
  for (const f of ['runbook.css', 'health.css', 'tabletop.css']) {
    it(f, () => {
      const css = readFileSync(join(ROOT, 'media', f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      assert.deepEqual(css.match(/word-break\s*:\s*(break-all|break-word)|overflow-wrap\s*:\s*anywhere|word-wrap\s*:\s*anywhere/g) ?? [], []);
    });
  }
});
