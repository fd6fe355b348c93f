// The Runbook view's page: the HTML around the rendered runbook (toolbar, banners, the page's
// script under a nonce CSP, src/views/webview.ts). No vscode here: the view host gives it the
// webview's URIs, and tests render the same page in a browser.
import type { ParseResult } from '../runbook/parse';
import { escapeHtml, renderRunbookHtml } from '../runbook/render';
import { webviewShellHtml, type WebviewPageContext } from './webview';

export interface RunbookPageOptions extends WebviewPageContext {
  parsed: ParseResult;
  /** The mode badge ("SIMULATED", "REAL: prod-east"). */
  modeLabel: string;
  /** More stylesheets in dist/media (the health panels'). */
  styles?: readonly string[];
  /** More of the head. */
  head?: string;
}

export function runbookPageHtml(o: RunbookPageOptions): string {
  const rb = o.parsed.runbook;
  const errors = rb.diagnostics.filter((d) => d.severity === 'error').length;
  const notRunbook = rb.isRunbook ? '' : `<div class="bg-banner bg-info"><span class="codicon codicon-info"></span> This file is not marked as a runbook (front matter <code>runbook: true</code>); its shell blocks are shown as steps anyway.</div>`;
  const realDefault = rb.defaultMode === 'real' ? `<div class="bg-banner bg-info" data-show-when="sim"><span class="codicon codicon-info"></span> This runbook is written for real mode. Use <b>Breakglass: Enter Real Mode</b> to act on a cluster.</div>` : '';
  return webviewShellHtml(o, {
    title: rb.title,
    styles: ['codicon.css', 'runbook.css', ...(o.styles ?? [])],
    head: o.head,
    script: 'runbook.js',
    body: `<header class="bg-toolbar">
  <span class="bg-title">${escapeHtml(rb.title)}</span>
  ${rb.severity ? `<span class="bg-badge bg-severity">${escapeHtml(rb.severity)}</span>` : ''}
  <span id="bg-mode" class="bg-mode-badge" title="${escapeHtml(o.modeLabel)}">${escapeHtml(o.modeLabel)}</span>
  <span class="bg-spacer"></span>
  ${errors ? `<span class="bg-badge bg-destructive" title="See the Problems panel">${errors} error${errors === 1 ? '' : 's'}</span>` : ''}
  <button class="bg-btn bg-primary" data-action="runAll" title="Run every pending step in order; stops at the first failure"><span class="codicon codicon-run-all"></span> Run All</button>
  <button class="bg-btn" data-action="cancelAll" title="Cancel what is running" disabled><span class="codicon codicon-debug-stop"></span> Stop</button>
</header>
<div id="bg-trust" class="bg-banner bg-warning" hidden><span class="codicon codicon-shield"></span> Restricted Mode: this workspace is not trusted, so Breakglass runs nothing. Trust the workspace to run steps.</div>
<div id="bg-notice" class="bg-banner" hidden></div>
${notRunbook}${realDefault}
<main id="bg-doc">
${renderRunbookHtml(o.parsed)}
</main>`,
  });
}
