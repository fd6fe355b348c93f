import assert from 'node:assert/strict';
import { parseInfo } from '../../src/runbook/attrs';
import { formatDuration, parseDuration } from '../../src/common/duration';
import { isRunbookText, parseRunbook } from '../../src/runbook/parse';
import { renderRunbookHtml } from '../../src/runbook/render';

const fm = (extra = '') => `---\nrunbook: true\ntitle: T\n${extra}---\n`;

describe('fence attributes', () => {
  it('reads key=value pairs with types', () => {
    const p = parseInfo('sh {name=check-readyz timeout=20s confirm=true retries=3}');
    assert.equal(p.lang, 'sh');
    assert.deepEqual(p.attrs, { name: 'check-readyz', timeout: '20s', confirm: true, retries: 3 });
    assert.deepEqual(p.errors, []);
  });
  it('reads quoted values and commas', () => {
    const p = parseInfo(`bash { name="a b", description='say "hi"' }`);
    assert.deepEqual(p.attrs, { name: 'a b', description: 'say "hi"' });
  });
  it('reads the JSON form', () => {
    const p = parseInfo('sh {"name":"x","interactive":"false","timeout":5}');
    assert.deepEqual(p.attrs, { name: 'x', interactive: false, timeout: 5 });
  });
  it('reports an unclosed block, a bare key and bad JSON', () => {
    assert.match(parseInfo('sh {name=x').errors[0], /not closed/);
    assert.match(parseInfo('sh {confirm}').errors[0], /has no value/);
    assert.match(parseInfo('sh {"name": }').errors[0], /not valid JSON/);
    assert.match(parseInfo('sh {name="x}').errors[0], /quoted value is not closed/);
  });
  it('keeps text after the language that is not a block', () => {
    assert.equal(parseInfo('sh title').trailing, 'title');
  });
});

describe('durations', () => {
  it('parses units and bare seconds', () => {
    assert.equal(parseDuration('20s'), 20_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2'), 2000);
    assert.equal(parseDuration(3), 3000);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('5x'), undefined);
  });
  it('formats for people: a written value as written, a measured one with its tenth, no zero parts', () => {
    assert.deepEqual([120_000, 20_000, 1_500, 51, 3_600_000, 15_720_000, 90_000, 3_630_000, 600_000].map(formatDuration), ['2m', '20s', '1.5s', '51ms', '1h', '4h 22m', '1m 30s', '1h 30s', '10m']);
    for (const ms of [120_000, 20_000, 15_720_000, 90_000]) assert.equal(parseDuration(formatDuration(ms).replace(/ /g, '')), ms, 'reads back');
  });
});

describe('runbook parser', () => {
  it('builds the model: front matter, sections, steps and kinds', () => {
    const text = `${fm('severity: sev1\nmode: sim\nparams:\n  - name: NS\n    default: monitoring\n  - name: TOKEN\n    secret: true\n')}
# Overload

## Detect

\`\`\`health {signals=readyz,load}
\`\`\`

\`\`\`sh {name=check-readyz timeout=20s}
kubectl get --raw '/readyz?verbose'
\`\`\`

## Mitigate

\`\`\`bash {name=delete-ds confirm=true}
kubectl -n "$NS" delete ds telemetry-agent
\`\`\`

\`\`\`yaml
not: a step
\`\`\`

\`\`\`check {name=wait-ready}
run: kubectl get --raw /readyz
expect: {output: "^ok"}
until: true
interval: 2s
\`\`\`

\`\`\`breakglass {name=etcd}
action: etcd-delete
keys: [/registry/daemonsets/monitoring/telemetry-agent]
\`\`\`
`;
    const { runbook: rb } = parseRunbook(text, '/x/overload.md');
    assert.equal(rb.isRunbook, true);
    assert.equal(rb.title, 'T');
    assert.equal(rb.severity, 'sev1');
    assert.deepEqual(rb.params, [
      { name: 'NS', required: false, secret: false, default: 'monitoring' },
      { name: 'TOKEN', required: true, secret: true },
    ]);
    assert.deepEqual(rb.steps.map((s) => [s.id, s.kind]), [
      ['step-1', 'health'],
      ['check-readyz', 'shell'],
      ['delete-ds', 'shell'],
      ['wait-ready', 'check'],
      ['etcd', 'breakglass'],
    ]);
    assert.deepEqual(rb.diagnostics.filter((d) => d.severity !== 'info'), []);
    const readyz = rb.steps[1];
    assert.equal(readyz.timeoutMs, 20_000);
    assert.equal(readyz.destructive, false);
    assert.equal(readyz.body, "kubectl get --raw '/readyz?verbose'");
    // Lines are 0-based in the whole file (front matter included).
    assert.equal(text.split('\n')[readyz.line], '```sh {name=check-readyz timeout=20s}');
    assert.equal(rb.steps[2].destructive, true, 'kubectl delete is destructive');
    assert.equal(rb.steps[2].confirm, true);
    assert.equal(rb.steps[4].destructive, true, 'break-glass actions are destructive by default');
    assert.deepEqual(rb.steps[3].spec, { run: 'kubectl get --raw /readyz', expect: { output: '^ok' }, until: true, intervalMs: 2000 });
    assert.deepEqual(rb.sections.map((s) => [s.title, s.stepIds]), [
      ['Overload', []],
      ['Detect', ['step-1', 'check-readyz']],
      ['Mitigate', ['delete-ds', 'wait-ready', 'etcd']],
    ]);
  });

  it('turns malformed fences into diagnostics with line numbers, never throws', () => {
    const text = `${fm()}
\`\`\`sh {name=a timeout=soon colour=red}
echo a
\`\`\`

\`\`\`sh {name=a mode=sometimes
echo b
\`\`\`

\`\`\`breakglass
action: teleport
\`\`\`

\`\`\`check
run: [unclosed
\`\`\`

\`\`\`sh {terminalRows=20}
echo c
\`\`\`
`;
    const lines = text.split('\n');
    const { runbook: rb } = parseRunbook(text);
    const at = (code: string) => rb.diagnostics.filter((d) => d.code === code).map((d) => d.line);
    const lineOf = (s: string) => lines.indexOf(s);
    assert.deepEqual(at('attr-value'), [lineOf('```sh {name=a timeout=soon colour=red}'), lineOf('```sh {name=a mode=sometimes')]);
    assert.deepEqual(at('attr-unknown'), [lineOf('```sh {name=a timeout=soon colour=red}')]);
    assert.deepEqual(at('attr-syntax'), [lineOf('```sh {name=a mode=sometimes')]);
    assert.deepEqual(at('duplicate-name'), [lineOf('```sh {name=a mode=sometimes')]);
    assert.deepEqual(at('breakglass-body'), [lineOf('action: teleport')]);
    assert.deepEqual(at('check-body'), [lineOf('run: [unclosed')]);
    assert.deepEqual(at('attr-ignored'), [lineOf('```sh {terminalRows=20}')]);
    assert.equal(rb.diagnostics.find((d) => d.code === 'attr-ignored')!.severity, 'info');
    // Both steps named `a` exist with distinct ids.
    assert.deepEqual(rb.steps.slice(0, 2).map((s) => s.id), ['a', 'a~2']);
  });

  it('reports broken front matter at its line', () => {
    const { runbook: a } = parseRunbook('---\nrunbook: true\ntitle: [x\n---\n# Body\n');
    assert.equal(a.diagnostics[0].code, 'front-matter-yaml');
    assert.ok(a.diagnostics[0].line >= 1 && a.diagnostics[0].line <= 3, `line ${a.diagnostics[0].line}`);
    const { runbook: b } = parseRunbook('---\nrunbook: true\n# never closed\n');
    assert.equal(b.diagnostics[0].code, 'front-matter-unclosed');
    const { runbook: c } = parseRunbook('---\n- a\n- b\n---\n');
    assert.equal(c.diagnostics[0].code, 'front-matter-shape');
    const { runbook: d } = parseRunbook('---\nrunbook: true\nmode: production\nparams:\n  - name: PATH\n  - name: bad-name\n---\n```sh\necho\n```\n');
    assert.deepEqual(d.diagnostics.map((x) => [x.code, x.line]), [
      ['front-matter-mode', 2],
      ['param', 3],
      ['param', 3],
    ]);
  });

  it('survives arbitrary garbage', () => {
    const samples = ['', '---', '---\n---', '```sh {', '```sh {"a":', '\u0000\u0001```bash {name=\n', '---\nparams: 3\n---\n', '```check\n- 1\n```', 'x'.repeat(10000)];
    for (const s of samples) assert.doesNotThrow(() => parseRunbook(s));
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = ['---\n', 'runbook: true\n', '```sh {name=x}\n', '```\n', '{', '}', '=', '"', 'echo hi\n', '# h\n', '```check\n', 'run: x\n', ':', '\n'];
    for (let i = 0; i < 300; i++) {
      let s = '';
      for (let j = 0; j < 30; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      assert.doesNotThrow(() => parseRunbook(s), s);
    }
  });

  it('detects runbooks from front matter only', () => {
    assert.equal(isRunbookText('---\nrunbook: true\n---\n'), true);
    assert.equal(isRunbookText('---\ntitle: x\n---\nrunbook: true\n'), false);
    assert.equal(isRunbookText('# runbook: true'), false);
  });

  it('warns about a runbook without steps and takes the title from the first heading', () => {
    const { runbook } = parseRunbook('---\nrunbook: true\n---\n# Hello there\ntext\n', 'x.md');
    assert.equal(runbook.title, 'Hello there');
    assert.deepEqual(runbook.diagnostics.map((d) => d.code), ['no-steps']);
  });
});

describe('runbook rendering', () => {
  it('escapes raw HTML from markdown and renders step cards', () => {
    const parsed = parseRunbook(`${fm()}
# Title <script>alert(1)</script>

<img src=x onerror=alert(1)>

[bad](javascript:alert(1))

\`\`\`sh {name=s1}
echo "<b>not bold</b>"
\`\`\`
`);
    const html = renderRunbookHtml(parsed);
    assert.ok(!html.includes('<script>'), 'no raw script tag');
    assert.ok(!html.includes('<img'), 'no raw img tag');
    assert.ok(!/href="javascript:/i.test(html), 'no javascript: links');
    assert.ok(html.includes('&lt;script&gt;'));
    assert.match(html, /<section class="bg-step" id="step-s1" data-step-id="s1" data-kind="shell"/);
    assert.match(html, /button class="bg-btn" data-action="run" data-step="s1"/);
    assert.ok(html.includes('echo &quot;&lt;b&gt;not bold&lt;/b&gt;&quot;'));
  });

  it('renders ordinary code blocks as code, not steps', () => {
    const html = renderRunbookHtml(parseRunbook(`${fm()}\n\`\`\`yaml\na: 1\n\`\`\`\n`));
    assert.ok(!html.includes('bg-step'));
    assert.match(html, /<pre><code class="language-yaml">a: 1/);
  });
});
