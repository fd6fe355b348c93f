import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import type { JournalEvent } from '../../src/runbook/events';
import { mdCode, mdDestination, mdFence, mdText } from '../../src/common/markdown';
import { renderReport } from '../../src/runbook/report';
import type { Scores } from '../../src/tabletop/score';
import { renderTabletopReport } from '../../src/tabletop/report';
import { activeContent, decodeEntities, startTags, urlsIn } from './helpers/html';

// How a reader sees a report: markdown-it with raw HTML on and linkify, as permissive as common
// previewers are.
const md = new MarkdownIt({ html: true, linkify: true });
/** The text a reader sees (tags dropped, entities decoded). */
const visible = (html: string) => decodeEntities(html.replace(/<[^>]*>/g, ''));
const HOSTILE_SCHEME = /^\s*(command|vscode|vscode-insiders|javascript|file|data|vbscript):/i;

const HOSTILE = [
  '[x](command:evil)',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[y](vscode://ms-vscode.foo/bar)',
  '[z](javascript:alert(1))',
  '<vscode://ms-vscode.foo/auto>',
  '![i](file:///etc/passwd)',
  '&lt;img src=x onerror=alert(2)&gt;',
];

/** Random strings over markdown's special characters, from a fixed seed. */
function* fuzz(n: number, alphabet: string, maxLen = 24): Generator<string> {
  let seed = 20250101;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = 1 + Math.floor(rnd() * maxLen);
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    yield s;
  }
}
const PUNCT = 'ab1 `*_[]()<>&|~!#+-=.:;/\\"\'{}@$%^?\n\r\t';

describe('escaping text for the after-action reports', () => {
  it('the checks find active content in text that is not escaped', () => {
    const html = md.render(`# ${HOSTILE.join(' ')}\n`);
    assert.ok(activeContent(html).length > 0);
    assert.ok(urlsIn(html).some((u) => u.tag === 'a' && HOSTILE_SCHEME.test(u.value)));
  });

  it('inline text reads as written, whatever it holds', () => {
    for (const s of [...HOSTILE, ...fuzz(3000, PUNCT)]) {
      const want = s.replace(/\r\n?|\n/g, ' ');
      const html = md.renderInline(mdText(s));
      assert.deepEqual(startTags(html), [], `${JSON.stringify(s)} -> ${html}`);
      assert.equal(visible(html), want, JSON.stringify(s));
    }
  });

  it('text that starts a line starts no block', () => {
    for (const s of ['# h', '- item', '+ item', '> quote', '1. one', '2) two', '---', '===', '<div>', ...fuzz(2000, PUNCT)]) {
      const line = s.trimStart();
      if (!line.trim()) continue;
      const html = md.render(`${mdText(line)}\n`);
      assert.deepEqual(startTags(html).map((t) => t.name), ['p'], `${JSON.stringify(line)} -> ${html}`);
      assert.equal(visible(html).trim(), line.replace(/\r\n?|\n/g, ' ').trim(), JSON.stringify(line));
    }
  });

  it('a table cell stays one cell, as text or as code', () => {
    for (const s of [...HOSTILE, 'a | b', 'a \\| b', 'x\\', '`a` | `b`', ...fuzz(2000, PUNCT)]) {
      const flat = s.replace(/\r\n?|\n/g, ' ');
      const text = md.render(`| k | v |\n|---|---|\n| a | ${mdText(s)} |\n`);
      const cells = [...text.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
      assert.equal(cells.length, 2, `${JSON.stringify(s)} -> ${text}`);
      assert.equal(visible(cells[1]), flat.trim(), JSON.stringify(s));
      assert.deepEqual(startTags(cells[1]), []);
      if (!flat) continue;
      const code = md.render(`| k | v |\n|---|---|\n| ${mdCode(s, { cell: true })} | b |\n`);
      const codeCells = [...code.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
      assert.equal(codeCells.length, 2, `${JSON.stringify(s)} -> ${code}`);
      assert.match(codeCells[0], /^<code>[\s\S]*<\/code>$/, `${JSON.stringify(s)} -> ${code}`);
      assert.equal(visible(codeCells[0]), flat, JSON.stringify(s));
    }
  });

  it('a code span outside a table keeps its text, backticks included', () => {
    for (const s of ['a`b', '`start', 'end`', '``', ' ` ', '  ', ...fuzz(1000, PUNCT)]) {
      const flat = s.replace(/\r\n?|\n/g, ' ');
      const html = md.renderInline(mdCode(s));
      assert.match(html, /^<code>[\s\S]*<\/code>$/, `${JSON.stringify(s)} -> ${html}`);
      assert.equal(visible(html), flat, JSON.stringify(s));
    }
  });

  it('a fence inside a list item holds its text, whatever backticks or carriage returns it has', () => {
    for (const s of ['```\n<img src=x onerror=alert(1)>\n```', 'progress 10%\rprogress 100%\r<script>alert(1)</script>\r# done', '````', ...fuzz(1000, PUNCT + '```\r', 60)]) {
      const block = mdFence(s).split('\n').map((l) => `  ${l}`).join('\n');
      const html = md.render(`- item\n\n${block}\n\n- next\n`);
      const pres = [...html.matchAll(/<pre><code class="language-text">([\s\S]*?)<\/code><\/pre>/g)];
      assert.equal(pres.length, 1, `${JSON.stringify(s)} -> ${html}`);
      const want = s.replace(/\r\n?/g, '\n').replace(/\n$/, '');
      assert.equal(decodeEntities(pres[0][1]), want ? `${want}\n` : '\n', JSON.stringify(s));
      assert.deepEqual(activeContent(html), []);
      assert.equal((html.match(/<li>/g) ?? []).length, 2, `${JSON.stringify(s)} -> ${html}`);
    }
  });

  it('the chart is named by a relative path, never a URL', () => {
    assert.equal(mdDestination('report.svg'), 'report.svg');
    for (const name of ['a (1).svg', 'javascript:alert(1).svg', 'vscode:x.svg', 'x>y<z.svg', 'a\\b.svg']) {
      const html = md.renderInline(`![chart](${mdDestination(name)})`);
      const src = urlsIn(html).find((u) => u.tag === 'img')?.value;
      assert.ok(src !== undefined, `${name} -> ${html}`);
      assert.ok(!HOSTILE_SCHEME.test(src!), `${name} -> ${src}`);
    }
  });
});

const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s)).toISOString();
const TITLE = '[x](command:evil) <img src=x onerror=alert(1)>';

/** A report rendered the way a reader sees it, checked for anything live. */
function assertInert(markdown: string, allowedImages: string[] = []): string {
  const html = md.render(markdown);
  const links = urlsIn(html).filter((u) => !(u.tag === 'img' && allowedImages.includes(u.value)));
  assert.deepEqual(links.filter((u) => HOSTILE_SCHEME.test(u.value) || !/^(https?:|#)/i.test(u.value)), [], 'links');
  assert.deepEqual(activeContent(html).filter((a) => !(a === '<img>' && allowedImages.length)), [], 'active content');
  assert.equal(startTags(html).filter((x) => x.name === 'img').length, allowedImages.length, 'images');
  assert.equal((html.match(/<h1>/g) ?? []).length, 1, 'one title');
  return html;
}

describe('the after-action report of a runbook run is inert', () => {
  const events: JournalEvent[] = [
    { type: 'run-started', v: 1, t: t(0), runId: 'r1', runbook: '/w/`evil`|x.md', title: TITLE, mode: 'real', target: 'prod <b>east</b>', user: 'alice [u](javascript:alert(1))', host: 'h', via: 'cli', params: { NS: 'kube-system` <img src=x onerror=alert(1)> `', 'X|Y': '[p](vscode://ms-vscode.foo/bar)' } },
    { type: 'step-started', t: t(1), stepId: '<script>alert(1)</script>', kind: 'shell', command: 'echo "```"\n````\n<img src=x onerror=alert(1)>', user: 'alice', mode: 'real', target: 'prod' },
    { type: 'output', t: t(2), stepId: '<script>alert(1)</script>', stream: 'stdout', text: 'ok\r<img src=x onerror=alert(3)>\n```\n[o](command:workbench.action.terminal.new)\n' },
    { type: 'step-finished', t: t(3), stepId: '<script>alert(1)</script>', state: 'failed', exitCode: 1, signal: null, timedOut: false, durationMs: 2000, reason: 'bad | cell\n\n# injected heading\n<img src=x onerror=alert(4)>' },
    { type: 'decision', t: t(4), stepId: '[d](command:evil)', decision: 'override <iframe src="javascript:alert(5)">', user: 'bob', detail: '![e](vscode://x) and <vscode://ms-vscode.foo/auto>' },
    { type: 'run-finished', t: t(5), outcome: 'failed' },
  ];

  it('renders no live link, image, script or handler, and shows the text', () => {
    const markdown = renderReport(events, '/j/run.jsonl');
    const html = assertInert(markdown);
    const text = visible(html);
    for (const s of [TITLE, 'prod <b>east</b>', 'alice [u](javascript:alert(1))', 'NS=kube-system` <img src=x onerror=alert(1)> `', 'X|Y=[p](vscode://ms-vscode.foo/bar)', '<script>alert(1)</script>', '<img src=x onerror=alert(3)>', '[o](command:workbench.action.terminal.new)', 'override <iframe src="javascript:alert(5)">', '![e](vscode://x) and <vscode://ms-vscode.foo/auto>', '[d](command:evil)', '/w/`evil`|x.md']) {
      assert.ok(text.includes(s), `the report shows ${JSON.stringify(s)}:\n${text}`);
    }
    assert.ok(text.includes('bad | cell  # injected heading <img src=x onerror=alert(4)>'), text);
    // The tables keep their shape: every row of the Steps table has its five cells.
    const steps = html.slice(html.indexOf('<h2>Steps</h2>'), html.indexOf('<h2>Timeline</h2>'));
    const rows = [...steps.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1].match(/<t[dh]>/g) ?? []).length);
    assert.deepEqual(rows, [5, 5]);
    // The command and the output are code blocks, with the backticks they hold.
    const pres = [...html.matchAll(/<pre><code class="language-text">([\s\S]*?)<\/code><\/pre>/g)].map((m) => decodeEntities(m[1]));
    assert.deepEqual(pres, ['echo "```"\n````\n<img src=x onerror=alert(1)>\n', 'ok\n<img src=x onerror=alert(3)>\n```\n[o](command:workbench.action.terminal.new)\n']);
  });
});

describe('the after-action report of a tabletop is inert', () => {
  const scores: Scores = {
    impactAt: 60,
    impactCluster: 'a <img src=x onerror=alert(1)>',
    detectAt: 70,
    detectedBy: 'step [x](command:evil)',
    timeToDetect: 10,
    clusters: [{ name: 'a | <script>alert(1)</script>', impactedAt: 60 }],
    recovered: false,
    requests: { total: 2, whileSaturated: 1, refused: 1, exempt: 3 },
    reference: { allClearSeconds: 3600, label: 'seed' },
  };
  const events: JournalEvent[] = [
    { type: 'tabletop-started', v: 1, t: t(0), scenario: 'drill` [s](vscode://ms-vscode.foo/bar) `', file: '/s/<x>.yaml', description: '# Not a heading\n<img src=x onerror=alert(1)> [d](javascript:alert(1))', seed: 1, speed: 30, durationSeconds: 3600, recoveredErrorRatio: 0.01, clusters: [{ name: 'a <b>bold</b>', nodes: 40 }], focus: 'a', kubeconfig: '/tmp/k', user: 'alice', host: 'h', via: 'vscode' },
    { type: 'sim-event', t: t(30), simT: 30, cluster: 'a', kind: 'apiserver-down', detail: 'killed <img src=x onerror=alert(2)> [i](command:evil)', injectedBy: 'mallory ![m](file:///etc/passwd)' },
    { type: 'sim-clock', t: t(40), simT: 40, action: 'pause', user: '<script>alert(3)</script>' },
    { type: 'sim-activity', t: t(50), simT: 50, activity: 'hint <a href="vscode://x">h</a>', detail: '[h](command:workbench.action.reloadWindow)', user: 'f' },
    { type: 'sim-step', t: t(60), simT: 60, runbook: '/w/[r](command:evil).md', stepId: 'readyz`<img src=x onerror=alert(4)>', kind: 'sh', state: 'running' },
    { type: 'sim-step', t: t(70), simT: 70, runbook: '/w/[r](command:evil).md', stepId: 'readyz`<img src=x onerror=alert(4)>', kind: 'sh', state: 'failed', reason: '<img src=x onerror=alert(5)>\n# not a heading' },
  ];

  it('renders no live link, script or handler (the chart is its one image), and shows the text', () => {
    const r = renderTabletopReport(events, { chartFile: '/r/report.svg', journalFile: '/j/t|x.jsonl', soFar: { simT: 95, scores, note: 'so far', at: t(95) } });
    const html = assertInert(r.markdown, ['report.svg']);
    const text = visible(html);
    for (const s of ['drill` [s](vscode://ms-vscode.foo/bar) `', '/s/<x>.yaml', '# Not a heading <img src=x onerror=alert(1)> [d](javascript:alert(1))', 'a <b>bold</b>', 'killed <img src=x onerror=alert(2)> [i](command:evil)', 'mallory ![m](file:///etc/passwd)', '<script>alert(3)</script>', 'hint <a href="vscode://x">h</a>', '[h](command:workbench.action.reloadWindow)', '[r](command:evil).md', 'readyz`<img src=x onerror=alert(4)>', '<img src=x onerror=alert(5)> # not a heading', 'a <img src=x onerror=alert(1)>', 'step [x](command:evil)', 'a | <script>alert(1)</script>', '/j/t|x.jsonl']) {
      assert.ok(text.includes(s), `the report shows ${JSON.stringify(s)}:\n${text}`);
    }
    assert.match(html, /<h1>After-action report — Tabletop: drill` \[s\]\(vscode:\/\/ms-vscode\.foo\/bar\) `<\/h1>/);
    // The per-cluster table keeps three cells a row.
    const clusterTable = html.slice(html.lastIndexOf('<table>', html.indexOf('Recovered at')));
    const rows = [...clusterTable.slice(0, clusterTable.indexOf('</table>')).matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1].match(/<t[dh]>/g) ?? []).length);
    assert.deepEqual(rows, [3, 3]);
  });
});
