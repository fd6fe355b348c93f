// Which links a runbook may show and a webview may ask the extension to open. No `vscode`, no DOM:
// the renderer (markdown-it's validateLink), the webview scripts and the extension's message
// checks all use these two functions, so a link is judged the same way everywhere.

const MAX_LINK = 4096;

/**
 * A link the extension opens with `vscode.env.openExternal`: an absolute http(s) URL and nothing
 * else. Not `vscode:`/`vscode-insiders:` (they run URI handlers of installed extensions),
 * `command:`, `file:`, `mailto:`, `javascript:`, `data:`, relative or protocol-relative links.
 */
export function isOpenableLink(href: unknown): href is string {
  if (typeof href !== 'string' || href.length === 0 || href.length >= MAX_LINK) return false;
  // Control characters and spaces: a browser strips or encodes them, so what it resolves may differ
  // from what was checked here.
  if (/[\u0000-\u0020\u007f]/.test(href)) return false;
  if (!/^https?:\/\//i.test(href)) return false;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** A link within the page: `#` and a fragment (a step card's `#step-<id>`, a heading's id). */
export function isFragmentLink(href: unknown): href is string {
  return typeof href === 'string' && href.length < MAX_LINK && /^#[^\u0000-\u0020\u007f]*$/.test(href);
}

/** What a runbook may link to: http(s) URLs and in-page fragments. Everything else is shown as text. */
export function isAllowedRunbookLink(href: string): boolean {
  const s = href.trim();
  return isFragmentLink(s) || isOpenableLink(s);
}

/** What a click on a link in a webview does: ask the extension to open it, scroll, or nothing. */
export type LinkAction = { kind: 'open'; href: string } | { kind: 'scroll'; id: string } | { kind: 'none' };

/** The action for an anchor's `href` attribute as written (`getAttribute('href')`, not `.href`). */
export function linkAction(href: string | null | undefined): LinkAction {
  if (href === null || href === undefined) return { kind: 'none' };
  if (isFragmentLink(href)) {
    let id = href.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch {
      // a malformed escape: look the fragment up as written
    }
    return { kind: 'scroll', id };
  }
  return isOpenableLink(href) ? { kind: 'open', href } : { kind: 'none' };
}
