import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { isAllowedRunbookLink, isOpenableLink, linkAction } from '../../src/runbook/links';
import { parseRunbook } from '../../src/runbook/parse';
import { renderRunbookHtml } from '../../src/runbook/render';
import { parseHealthToHost } from '../../src/views/messages/health';
import { parseToHost } from '../../src/views/messages/runbook';
import { startTags, urlsIn } from './helpers/html';

const HOSTILE_HREFS = [
  'vscode://ms-vscode.foo/bar?x=1',
  'vscode-insiders://ms-vscode.foo/bar',
  'VSCode://ms-vscode.foo/bar',
  'mailto:a@b.example',
  'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%5Cn%22%7D',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/png;base64,iVBORw0KGgo=',
  'vbscript:msgbox(1)',
  'ftp://ftp.example.com/x',
  'ssh://node-1',
  '//evil.example/x',
  '/etc/passwd',
  'runbooks/other',
  'http:/one-slash.example',
  'https://',
];

describe('links a runbook may show', () => {
  it('only http(s) URLs are openable', () => {
    for (const ok of ['https://kubernetes.io/docs/', 'http://127.0.0.1:9090/graph?g0.expr=up', 'HTTPS://Example.com/A#b']) assert.ok(isOpenableLink(ok), ok);
    for (const bad of [...HOSTILE_HREFS, '#step-x', '', 'https://a b.example/', 'https://example.com/\nx', ' https://example.com', 42, undefined, null, `https://example.com/${'a'.repeat(5000)}`]) {
      assert.equal(isOpenableLink(bad), false, String(bad));
    }
  });

  it('a runbook links to http(s) and to fragments; nothing else', () => {
    assert.ok(isAllowedRunbookLink('#step-drain'));
    assert.ok(isAllowedRunbookLink('https://kubernetes.io'));
    for (const bad of HOSTILE_HREFS) assert.equal(isAllowedRunbookLink(bad), false, bad);
  });

  it('what a click on a link does in a webview', () => {
    assert.deepEqual(linkAction('https://kubernetes.io/x'), { kind: 'open', href: 'https://kubernetes.io/x' });
    assert.deepEqual(linkAction('#step-drain%20it'), { kind: 'scroll', id: 'step-drain it' });
    assert.deepEqual(linkAction('#bad%zz'), { kind: 'scroll', id: 'bad%zz' });
    for (const bad of [...HOSTILE_HREFS, null, undefined, '']) assert.deepEqual(linkAction(bad), { kind: 'none' }, String(bad));
  });

  it('the extension accepts openLink only for http(s) URLs, from the Runbook view and from a health panel', () => {
    assert.deepEqual(parseToHost({ type: 'openLink', href: 'https://kubernetes.io' }), { type: 'openLink', href: 'https://kubernetes.io' });
    assert.deepEqual(parseHealthToHost({ type: 'openLink', href: 'http://prometheus:9090/' }), { type: 'openLink', href: 'http://prometheus:9090/' });
    for (const href of [...HOSTILE_HREFS, '#step-x', 7]) {
      assert.equal(parseToHost({ type: 'openLink', href }), undefined, String(href));
      assert.equal(parseHealthToHost({ type: 'openLink', href }), undefined, String(href));
    }
  });
});

describe('the Runbook view renders hostile links as text', () => {
  const SCHEMES = /^(vscode|vscode-insiders|mailto|command|file|javascript|data|vbscript|ftp|ssh):/i;
  const body = [
    '# Links',
    '',
    ...HOSTILE_HREFS.map((h, i) => `- inline ${i}: [click ${i}](${h.includes(' ') || h.includes('<') ? `<${h}>` : h})`),
    ...HOSTILE_HREFS.map((h, i) => `- image ${i}: ![pic ${i}](${h.includes('<') ? `<${h}>` : h})`),
    '- autolinks: <vscode://ms-vscode.foo/bar> <mailto:a@b.example> <command:workbench.action.reloadWindow> <file:///etc/passwd> <ops@example.com>',
    '- linkify: ops@example.com and mailto:a@b.example and www.example.com and ftp://ftp.example.com/x and see other-runbook.md',
    '- reference: [ref one][r1] and [ref two][r2]',
    '- good: [docs](https://kubernetes.io/docs/) and [drain](#step-drain) and <https://example.com/auto> and ![graph](https://example.com/g.png)',
    '',
    '[r1]: vscode://ms-vscode.foo/ref',
    '[r2]: command:workbench.action.terminal.new',
    '',
    '```sh {name=drain}',
    'echo drain',
    '```',
    '',
  ].join('\n');
  const text = `---\nrunbook: true\ntitle: Links\n---\n${body}`;

  it('the check sees the hostile links when markdown-it renders them with its defaults', () => {
    // The same text through a stock markdown-it: the check below is not vacuous.
    const stock = urlsIn(new MarkdownIt({ html: false, linkify: true }).render(body)).filter((u) => SCHEMES.test(u.value.trim()));
    assert.ok(stock.some((u) => /^vscode:/i.test(u.value) && u.tag === 'a'), JSON.stringify(stock));
    assert.ok(stock.some((u) => /^command:/i.test(u.value) && u.tag === 'a'));
    assert.ok(stock.some((u) => /^mailto:/i.test(u.value) && u.tag === 'a'));
    assert.ok(stock.some((u) => /^data:image/i.test(u.value) && u.tag === 'img'));
  });

  it('no anchor or image points anywhere but http(s) or a fragment; the good links still work', () => {
    const html = renderRunbookHtml(parseRunbook(text, '/x/links.md'));
    const urls = urlsIn(html);
    const bad = urls.filter((u) => !(isOpenableLink(u.value) || /^#/.test(u.value)));
    assert.deepEqual(bad, []);
    assert.equal(startTags(html).filter((t) => t.name === 'img').length, 0, 'no <img>: the CSP would not load a remote one');
    const hrefs = urls.filter((u) => u.tag === 'a').map((u) => u.value);
    // Only what is written as a URL is linkified: not `www.…` nor a file name such as other-runbook.md.
    assert.deepEqual(hrefs, ['https://kubernetes.io/docs/', '#step-drain', 'https://example.com/auto', 'https://example.com/g.png']);
    // The hostile links are still there to read, as text.
    assert.match(html, /\[click 0\]\(vscode:\/\/ms-vscode\.foo\/bar\?x=1\)/);
    assert.match(html, /\[click 4\]\(command:workbench\.action\.terminal\.sendSequence/);
    assert.match(html, /&lt;mailto:a@b\.example&gt;/);
    assert.match(html, /!\[pic 9\]\(data:image\/png;base64,iVBORw0KGgo=\)/);
    assert.match(html, /<a href="https:\/\/example\.com\/g\.png" class="bg-image-link">graph<\/a>/);
    assert.match(html, /\[ref one\]\[r1\]/);
    assert.match(html, /id="step-drain"/);
  });
});
