// The HTML shell of every Breakglass webview page (Runbook view, Cluster Health, facilitator
// panel): the CSP with this page's nonce (src/views/csp.ts), the stylesheets and the one script
// from dist/media, the title and the page's body. Only types from vscode: the unit tests and the
// Runbook view's page test build the same shell outside VS Code.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type * as vscode from 'vscode';
import { escapeHtml } from '../runbook/render';
import { webviewCsp } from './csp';

/** Where a page's files come from: its origin for the CSP, its nonce, and the URI of a file in dist/media. */
export interface WebviewPageContext {
  /** The webview's own origin for styles and fonts (`webview.cspSource`). */
  cspSource: string;
  nonce: string;
  /** The URI of a file in dist/media. */
  media(file: string): string;
}

export interface WebviewShellOptions {
  title: string;
  /** Stylesheets in dist/media, in order. */
  styles: readonly string[];
  /** The page's script in dist/media (it runs under the nonce). */
  script: string;
  /** The page's body (trusted HTML: every text in it escaped by the caller). */
  body: string;
  /** Attributes of <body>, e.g. `{ 'data-page': 'health' }` (values escaped here). */
  bodyAttributes?: Record<string, string>;
  /** More of the head after the stylesheets (trusted HTML). */
  head?: string;
}

/** The folder of the pages' files in the extension (what the webviews' localResourceRoots allow). */
export const MEDIA_DIR = ['dist', 'media'] as const;

/** The URI of the pages' folder in the extension. */
function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  // Uri.joinPath without the vscode module at run time: the same path join on the URI's path.
  return extensionUri.with({ path: posix.join(extensionUri.path, ...MEDIA_DIR) });
}

/**
 * The options of every Breakglass webview panel: scripts on, the page kept while hidden (its
 * charts and outputs are rebuilt only on a reload), and nothing loadable but dist/media.
 */
export function webviewPanelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [mediaRoot(extensionUri)] };
}

/** A fresh nonce for one page load: 128 random bits. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** A webview's page context, with a fresh nonce. */
export function webviewPageContext(webview: Pick<vscode.Webview, 'cspSource' | 'asWebviewUri'>, extensionUri: vscode.Uri): WebviewPageContext {
  const root = mediaRoot(extensionUri);
  return {
    cspSource: webview.cspSource,
    nonce: newNonce(),
    media: (file) => String(webview.asWebviewUri(root.with({ path: posix.join(root.path, file) }))),
  };
}

/** The whole page: doctype, CSP, stylesheets, title, body and the script under the nonce. */
export function webviewShellHtml(page: WebviewPageContext, o: WebviewShellOptions): string {
  const attrs = Object.entries(o.bodyAttributes ?? {})
    .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
    .join('');
  const styles = o.styles.map((f) => `<link rel="stylesheet" href="${escapeHtml(page.media(f))}">\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${webviewCsp(page.cspSource, page.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}${o.head ? `${o.head}\n` : ''}<title>${escapeHtml(o.title)}</title>
</head>
<body${attrs}>
${o.body}
<script nonce="${escapeHtml(page.nonce)}" src="${escapeHtml(page.media(o.script))}"></script>
</body>
</html>`;
}

/** The page of a webview: its context (fresh nonce) and shell in one call. */
export function webviewHtml(webview: Pick<vscode.Webview, 'cspSource' | 'asWebviewUri'>, extensionUri: vscode.Uri, o: WebviewShellOptions): string {
  return webviewShellHtml(webviewPageContext(webview, extensionUri), o);
}
