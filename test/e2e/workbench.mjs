// What the UI tests read off the workbench (VS Code 1.100 in code-server, driven by playwright-core):
// webview frames, editor groups, errors the workbench shows, and text a person could not read.
import { sleep, STEP_TIMEOUT_MS, until } from '../../scripts/lib/code-server.mjs';

/** The text of the first element of `loc`, trimmed ('' when there is none). */
export const text = async (loc) => ((await loc.count()) ? ((await loc.first().textContent()) ?? '').trim() : '');

/** Simulated seconds of a "T+1h02m13s" clock (-1 when it is not one). */
export function clockSeconds(s) {
  const m = /^T\+(?:(\d+)h)?(\d+)m(\d+)s$/.exec(s);
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : -1;
}

/** Error dialogs and error notifications the workbench shows now. */
export async function workbenchErrors(page) {
  const dialogs = await page
    .locator('.monaco-dialog-box')
    .evaluateAll((els) => els.map((e) => [...e.querySelectorAll('.dialog-message-text, .dialog-message-detail')].map((m) => m.innerText.replace(/\s+/g, ' ').trim()).join(': ')));
  const toasts = await page
    .locator('.notifications-toasts .notification-list-item')
    .evaluateAll((els) => els.filter((e) => e.querySelector('.codicon-error, .codicon-notifications-error')).map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
  return [...dialogs, ...toasts].filter(Boolean);
}

/** The webview frame that has `selector` (webviews live in nested iframes); fails on a workbench error. */
export async function frameWith(page, selector, what, timeout = STEP_TIMEOUT_MS) {
  return until(
    async () => {
      const errors = await workbenchErrors(page);
      if (errors.length) throw Object.assign(new Error(`the workbench shows an error: ${errors.join(' | ')}`), { fatal: true });
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        if (await f.locator(selector).count().catch(() => 0)) return f;
      }
      return undefined;
    },
    { timeout, message: () => `no ${what} appeared: no frame has ${selector} within ${timeout / 1000} s (${page.frames().length} frames)` },
  );
}

/** The editor groups as a person sees them: where each is, and the label of the tab in front. */
export async function editorGroups(page) {
  return page.locator('.editor-group-container').evaluateAll((groups) =>
    groups
      .map((g) => {
        const r = g.getBoundingClientRect();
        const active = g.querySelector('.tabs-container .tab.active');
        return { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height), active: active?.getAttribute('aria-label') ?? '' };
      })
      .filter((g) => g.width > 0 && g.height > 0),
  );
}

/** Whether two boxes overlap. */
export const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Words a person sees broken across lines inside `selector`'s cells (table cells by default): for
 * each word of each text node, whether its characters sit on more than one line. A word longer than
 * its whole cell may break (nothing else fits); any other break mid-word is reported.
 */
export async function brokenWords(frame, selector = 'td, th') {
  return frame.locator(selector).evaluateAll((cells) => {
    const out = [];
    for (const cell of cells) {
      const cellWidth = cell.getBoundingClientRect().width;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const t = node.textContent ?? '';
        for (const m of t.matchAll(/\S+/g)) {
          if (m[0].length < 2) continue;
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const rects = [...range.getClientRects()].filter((r) => r.width > 0);
          const tops = new Set(rects.map((r) => Math.round(r.top)));
          // On several lines, though the word (the sum of its pieces) would fit on one.
          if (tops.size > 1 && rects.reduce((s, r) => s + r.width, 0) < cellWidth * 0.95) out.push(m[0]);
        }
      }
    }
    return out;
  });
}

/** Elements whose text is cut off by their own box (overflow hidden with ellipsis or clip), inside `selector`. */
export async function clippedText(frame, selector) {
  return frame.locator(selector).evaluateAll((els) =>
    els
      .filter((e) => {
        const cs = getComputedStyle(e);
        return (cs.overflow === 'hidden' || cs.overflowX === 'hidden' || cs.textOverflow === 'ellipsis') && e.scrollWidth > e.clientWidth + 1;
      })
      .map((e) => (e.textContent ?? '').trim().slice(0, 80)),
  );
}

// --- the quick input (Command Palette, Quick Open, a command's own quick pick) ---------------------

/** The rows the quick input shows now: their label (aria-label, else text) and whether each is the active one. */
export async function quickInputRows(page) {
  return page
    .locator('.quick-input-widget .monaco-list-row')
    .evaluateAll((rows) => rows.filter((r) => r.offsetParent !== null).map((r) => ({ label: r.getAttribute('aria-label') || r.textContent || '', active: r.classList.contains('focused') })));
}

/** Opens the quick input with `key` (F1, Control+P) and types `prefix` into it; its input box. */
export async function openQuickInput(page, key, prefix) {
  const input = page.locator('.quick-input-widget input');
  await until(
    async () => {
      if (!(await input.isVisible())) {
        await page.locator('.monaco-workbench').click({ position: { x: 700, y: 5 } }).catch(() => {});
        await page.keyboard.press(key);
        await sleep(300);
      }
      return input.isVisible();
    },
    { timeout: 20_000, message: () => `the quick input did not open with ${key}` },
  );
  await input.fill(prefix);
  return input;
}

/**
 * Accepts the row whose label has `label` in the quick input that is open now, as a person does
 * with the keyboard: what is typed (`filter`, when given) narrows the list, and Enter takes the
 * active row once it is that one. Rows are never clicked by position: the list re-renders its
 * rows in place while it settles, so the n-th row read a moment ago may be another item by then.
 */
export async function acceptRow(page, label, what, filter, timeout = 20_000) {
  const input = page.locator('.quick-input-widget input');
  if (filter !== undefined) await input.fill(filter);
  const want = label.toLowerCase();
  await until(
    async () => {
      const rows = await quickInputRows(page);
      const active = rows.find((r) => r.active) ?? rows[0];
      if (active && active.label.toLowerCase().includes(want)) return true;
      // The wanted row is there but not active (another matches better): make it active.
      if (rows.some((r) => r.label.toLowerCase().includes(want)) && (await input.isVisible())) await input.press('ArrowDown');
      return false;
    },
    { timeout, message: () => `${what}: no "${label}" to accept` },
  ).catch(async (e) => {
    throw new Error(`${e.message} among ${JSON.stringify((await quickInputRows(page).catch(() => [])).map((r) => r.label))}`);
  });
  await input.press('Enter');
}

/**
 * Runs a command from the Command Palette; `then` (a label) is accepted in the quick pick the
 * command opens, typed into it first. Resolves once the quick input has closed, or holds another
 * question (a command that asks with a quick pick of its own reuses the widget at once).
 */
export async function runCommand(page, title, then) {
  const input = await openQuickInput(page, 'F1', `>${title}`);
  await acceptRow(page, title, 'the command palette');
  await until(async () => !(await input.isVisible()) || (await input.inputValue()) !== `>${title}`, {
    timeout: 10_000,
    message: () => `the palette stayed open after "${title}"`,
  });
  if (then) {
    await until(async () => input.isVisible(), { timeout: 20_000, message: () => `"${title}" asked nothing` });
    await acceptRow(page, then, `the quick pick of "${title}"`, then);
    await until(async () => !(await input.isVisible()) || (await input.inputValue()) !== then, { timeout: 10_000, message: () => `the quick pick of "${title}" stayed open` });
  }
}

/** Opens a workspace file by name through Quick Open (Ctrl+P), and waits for its editor tab. */
export async function openFile(page, name) {
  await openQuickInput(page, 'Control+P', name);
  // Quick Open may still be indexing a workspace just opened.
  await acceptRow(page, name, 'Quick Open', undefined, 30_000);
  await until(async () => page.locator(`.tabs-container .tab[aria-label*="${name}"]`).count(), { message: () => `${name} did not open in an editor tab` });
}
