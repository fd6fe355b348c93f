// What the UI tests read off the workbench (VS Code 1.100 in code-server, driven by playwright-core):
// webview frames, editor groups, errors the workbench shows, and text a person could not read.
import { STEP_TIMEOUT_MS, until } from '../../scripts/lib/code-server.mjs';

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
