import assert from 'node:assert/strict';
import type Token from 'markdown-it/lib/token.mjs';
import { markdown } from '../../src/runbook/markdown';
import { parseRunbook } from '../../src/runbook/parse';
import { renderRunbookHtml } from '../../src/runbook/render';

// Two runbooks whose first fences sit on the same line: A's is a step, B's a plain code block.
// A asks (through `nested`, see below) for B to be rendered in the middle of its own render.
const A = '---\nrunbook: true\n---\n\n# A\n\n```sh {name=alpha}\necho a\n```\n\n`nested`\n\n```sh {name=gamma}\necho g\n```\n';
const B = "---\nrunbook: true\n---\n\n# B\n\n```js\nconsole.log('plain')\n```\n\n```sh {name=beta}\necho b\n```\n";

const cards = (html: string) => [...html.matchAll(/data-step-id="([^"]+)"/g)].map((m) => m[1]);

describe('runbook rendering: each render has its own runbook', () => {
  it('renders runbooks one after another, each with its own steps only', () => {
    const a = parseRunbook(A);
    const b = parseRunbook(B);
    const first = renderRunbookHtml(a);
    const other = renderRunbookHtml(b);
    const again = renderRunbookHtml(a);
    assert.equal(again, first);
    assert.deepEqual(cards(first), ['alpha', 'gamma']);
    assert.deepEqual(cards(other), ['beta']);
    assert.match(other, /<pre><code class="language-js">console\.log\('plain'\)/);
  });

  it('renders a runbook inside the render of another without either seeing the other’s steps, and never changes the shared instance', () => {
    const md = markdown();
    const fence = md.renderer.rules.fence;
    const codeInline = md.renderer.rules.code_inline!;
    const a = parseRunbook(A);
    const b = parseRunbook(B);
    let inner = '';
    // A test hook: `nested` in A renders B right there, mid-render.
    md.renderer.rules.code_inline = (tokens: Token[], idx, options, env, self) => {
      if (tokens[idx].content !== 'nested') return codeInline(tokens, idx, options, env, self);
      assert.equal(md.renderer.rules.fence, fence, 'the fence rule was swapped for this render');
      inner = renderRunbookHtml(b);
      return '[B]';
    };
    let outer: string;
    try {
      outer = renderRunbookHtml(a);
    } finally {
      md.renderer.rules.code_inline = codeInline;
    }
    assert.equal(md.renderer.rules.fence, fence);
    // A keeps its steps on both sides of the nested render; B has its own, and its plain block on
    // the line of A's first step stays a code block.
    assert.deepEqual(cards(outer), ['alpha', 'gamma']);
    assert.ok(outer.includes('[B]'));
    assert.deepEqual(cards(inner), ['beta']);
    assert.match(inner, /<pre><code class="language-js">/);
    assert.equal(inner, renderRunbookHtml(b));
  });

  it('renders fences as code when a render brings no runbook (the shared instance is plain markdown-it otherwise)', () => {
    const html = markdown().render('```sh {name=x}\necho hi\n```\n', {});
    assert.equal(html, '<pre><code class="language-sh">echo hi\n</code></pre>\n');
  });
});
