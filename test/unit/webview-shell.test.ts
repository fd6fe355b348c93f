// The HTML shell of every webview page (src/views/webview.ts): the CSP, a fresh nonce on every
// script, files only from dist/media, and nothing unescaped from the caller but the body.
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { parseRunbook } from '../../src/runbook/parse';
import { runbookPageHtml } from '../../src/views/runbookPage';
import { webviewHtml, webviewPanelOptions, webviewShellHtml } from '../../src/views/webview';

/** A stand-in for a vscode.Uri: what the shell uses of one (its path, and `with`). */
function fakeUri(path: string): vscode.Uri {
  return { scheme: 'file', path, with: (c: { path?: string }) => fakeUri(c.path ?? path), toString: () => `file://${path}` } as unknown as vscode.Uri;
}
const ORIGIN = 'https://webview.test';
const webview = { cspSource: ORIGIN, asWebviewUri: (u: vscode.Uri) => ({ toString: () => `${ORIGIN}${u.path}` }) } as unknown as vscode.Webview;
const ext = fakeUri('/ext');

const csp = (html: string): string => /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
const scripts = (html: string): string[] => [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
const nonceOf = (html: string): string => /script-src 'nonce-([^']+)'/.exec(csp(html))?.[1] ?? '';

describe('webview shell', () => {
  const page = (): string =>
    webviewHtml(webview, ext, {
      title: 'Cluster <Health> & "more"',
      styles: ['codicon.css', 'health.css'],
      script: 'health.js',
      bodyAttributes: { 'data-page': 'he"alth' },
      body: '<div id="x"></div>',
    });

  it('allows nothing by default, styles only from the webview, scripts only with the nonce', () => {
    const html = page();
    const policy = csp(html).split('; ');
    assert.ok(policy.includes("default-src 'none'"), csp(html));
    assert.ok(policy.includes(`style-src ${ORIGIN}`), csp(html));
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp(html)), csp(html));
    assert.ok(nonceOf(html).length >= 16, 'a nonce of 128 bits in base64');
  });

  it('puts the nonce on every script, and a new one on every page load', () => {
    const a = page();
    const b = page();
    assert.notEqual(nonceOf(a), nonceOf(b));
    for (const html of [a, b]) {
      const tags = scripts(html);
      assert.equal(tags.length, 1);
      for (const t of tags) {
        assert.ok(t.includes(`nonce="${nonceOf(html)}"`), t);
        assert.ok(t.includes(`src="${ORIGIN}/ext/dist/media/health.js"`), t);
      }
    }
  });

  it('loads stylesheets from dist/media in order, escapes the title and body attributes', () => {
    const html = page();
    const links = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(links, [`${ORIGIN}/ext/dist/media/codicon.css`, `${ORIGIN}/ext/dist/media/health.css`]);
    assert.ok(html.includes('<title>Cluster &lt;Health&gt; &amp; &quot;more&quot;</title>'), html);
    assert.ok(html.includes('<body data-page="he&quot;alth">'), html);
  });

  it('panels may load only dist/media', () => {
    const o = webviewPanelOptions(ext);
    assert.equal(o.enableScripts, true);
    assert.deepEqual(o.localResourceRoots?.map((u) => u.path), ['/ext/dist/media']);
  });

  it("the Runbook view's page: the same shell, its script and the health panels' styles under the nonce", () => {
    const nonce = 'n0nce';
    const parsed = parseRunbook('---\nrunbook: true\n---\n# Overload <b>\n\n```sh\necho hi\n```\n', '/rb.md');
    const html = runbookPageHtml({ parsed, modeLabel: 'SIMULATED', cspSource: ORIGIN, nonce, media: (f) => `${ORIGIN}/m/${f}`, styles: ['health.css'] });
    assert.equal(nonceOf(html), nonce);
    assert.deepEqual(scripts(html), [`<script nonce="${nonce}" src="${ORIGIN}/m/runbook.js">`]);
    assert.ok(html.includes(`<link rel="stylesheet" href="${ORIGIN}/m/runbook.css">\n<link rel="stylesheet" href="${ORIGIN}/m/health.css">`), html);
    assert.ok(!/<script(?![^>]*nonce=)/.test(html), 'no script without the nonce');
  });

  it("puts the body before the page's one script", () => {
    const html = webviewShellHtml({ cspSource: ORIGIN, nonce: 'abc', media: (f) => `/m/${f}` }, { title: 't', styles: [], script: 's.js', body: '<main></main>' });
    assert.ok(html.indexOf('<main></main>') < html.indexOf('<script nonce="abc" src="/m/s.js">'));
    assert.ok(html.trimEnd().endsWith('</html>'));
  });
});
