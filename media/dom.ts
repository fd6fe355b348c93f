// Small DOM helpers shared by the webview pages (bundled into each page's script).
import { linkAction } from '../src/runbook/links';

/** An element with an optional class and text (text only: never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A file path as code that breaks only after a `/` when it does not fit its line (a <wbr> after
 * each one), never inside a name: "…/tabletop-x/kubeconfig", not "kubeconfi" / "g".
 */
export function pathCode(path: string): HTMLElement {
  const code = el('code', 'bg-path');
  path.split(/(?<=\/)/).forEach((part, i) => {
    if (i > 0) code.append(document.createElement('wbr'));
    code.append(document.createTextNode(part));
  });
  return code;
}

/** A `--vscode-*` colour of the current theme, read from the page (VS Code sets them on <html>). */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(`--vscode-${name}`).trim();
  return v || fallback;
}

/**
 * Every activation of a link in the page goes through `linkAction` (src/runbook/links.ts): an
 * http(s) link is handed to `open` (the extension checks it again and opens it with
 * `vscode.env.openExternal`), a `#fragment` scrolls within the page, anything else does nothing.
 *
 * VS Code's webview host listens for `click` on the page's window, bubbling, and sends every anchor
 * it sees to the editor's opener whether or not the page called preventDefault() (handleInnerClick
 * in src/vs/workbench/contrib/webview/browser/pre/index.html of microsoft/vscode). So this listens
 * on the same window in the capture phase, which runs before any other listener of the page, and
 * stops the event there: the host never sees a click on a link. Enter on a focused link fires the
 * same `click` (the HTML standard's activation behaviour of `a`); a middle click fires `auxclick`,
 * which is treated like a click.
 */
export function guardLinks(open?: (href: string) => void): void {
  const onActivate = (ev: MouseEvent): void => {
    if (ev.type === 'auxclick' && ev.button !== 1) return;
    const path = ev.composedPath();
    const a = path.find((n): n is HTMLAnchorElement | SVGAElement => n instanceof HTMLAnchorElement || n instanceof SVGAElement);
    if (!a) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    const act = linkAction(a.getAttribute('href') ?? a.getAttribute('xlink:href'));
    if (act.kind === 'open') open?.(act.href);
    else if (act.kind === 'scroll') {
      if (act.id === '' || act.id.toLowerCase() === 'top') window.scrollTo(0, 0);
      else document.getElementById(act.id)?.scrollIntoView();
    }
  };
  window.addEventListener('click', onActivate, true);
  window.addEventListener('auxclick', onActivate, true);
}

/**
 * Tells the extension the page is ready for messages, and again (after 0.5 s, 1 s, 2 s, then
 * every 4 s) until `answered()`: a page that loaded must not stay empty because one message of
 * the handshake was lost — a webview that is not live drops what is posted to it
 * (`Webview.postMessage` resolves false), and a layout change can come between the page's
 * "ready" and the extension's answer. The extension answers every "ready" with the whole state.
 */
export function announceReady(post: () => void, answered: () => boolean): void {
  post();
  let wait = 500;
  const again = (): void => {
    if (answered()) return;
    post();
    wait = Math.min(wait * 2, 4000);
    window.setTimeout(again, wait);
  };
  window.setTimeout(again, wait);
}
