// Runme compatibility, the extraction side: what Runme makes of a markdown file (its steps, names,
// languages, attributes and front-matter settings) against what Breakglass makes of it, case by
// case from Runme's own tests, examples and docs. Each case cites the file its excerpt is from
// (repository, path, commit); docs/RUNME.md is the table these cases back.
import assert from 'node:assert/strict';
import { parseInfo } from '../../src/runbook/attrs';
import { kindOf } from '../../src/runbook/kinds';
import type { Runbook } from '../../src/runbook/model';
import { isRunbookText, parseRunbook } from '../../src/runbook/parse';
import { readToml } from '../../src/runbook/toml';

// The snapshots the excerpts come from.
const RUNME = 'runmedev/runme@dea82115348945835f326f75db0a35c37c5a4100';
const RUNME_OLD = 'stateful/runme@93e35b46e8bfdfe7fe139e1af240e685dbc0b0b4';
const DOCS = 'stateful/docs.runme.dev@79daff2781fc7ce6daa070f7a254fa60f9411dfc';

const fence = (info: string, body = 'echo hi') => `\`\`\`${info}\n${body}\n\`\`\`\n`;
const parse = (text: string): Runbook => parseRunbook(text, 'README.md').runbook;
const codes = (rb: Runbook, severity?: string) => rb.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.code);
const info = (rb: Runbook) => rb.diagnostics.filter((d) => d.code === 'attr-ignored');

describe('Runme compatibility: fences Runme runs as shell', () => {
  it(`an untagged fence is a shell step (${RUNME} testdata/script/basic.txtar: "You can omit the language")`, () => {
    const rb = parse(`You can omit the language, and \`runme\` will assume you are in shell:\n\n${fence('', '$ echo "Hello, runme!"')}`);
    assert.equal(rb.steps.length, 1);
    assert.equal(rb.steps[0].kind, 'shell');
    assert.equal(rb.steps[0].lang, '');
    assert.deepEqual(codes(rb, 'error'), []);
  });

  it(`an untagged fence with only attributes is a shell step, as Runme's getLanguage makes '' of it (${RUNME} document/block.go)`, () => {
    const rb = parse(fence('{"name":"setup"}', 'make setup'));
    assert.equal(rb.steps[0]?.kind, 'shell');
    assert.equal(rb.steps[0].name, 'setup');
  });

  it(`\`shellscript\` is a shell step (${RUNME} testdata/script/basic.txtar, shellscript.md "run-shellscript")`, () => {
    const rb = parse(fence('shellscript {"name":"run-shellscript"}', '$ echo "Runs as shell script"'));
    assert.equal(rb.steps[0]?.kind, 'shell');
    assert.equal(rb.steps[0].name, 'run-shellscript');
  });

  for (const lang of ['sh', 'bash', 'zsh', 'ksh', 'shell']) {
    it(`\`${lang}\` is a shell step (${RUNME} runner/shell.go IsShellLanguage)`, () => {
      const rb = parse(fence(`${lang} {"id":"01HF7BT3HCDS1X1WJJHD6X43BT"}`, 'echo $0'));
      assert.equal(rb.steps[0]?.kind, 'shell');
      assert.equal(rb.steps[0].lang, lang);
    });
  }

  it(`\`fish\`, \`pwsh\` and \`js\` (Runme runs them) are shown as code, said once (${RUNME} runner/shell.go, command/command.go interpreterByLanguageID)`, () => {
    const rb = parse(`${fence('js {"name":"hello-js"}', 'console.log("Hello, runme, from javascript!")')}\n${fence('fish', 'echo $fish_pid')}\n${fence('pwsh', 'Get-Date')}`);
    assert.equal(rb.steps.length, 0);
    assert.equal(info(rb).length, 1);
    assert.match(info(rb)[0].message, /`js` fences.*`fish` fences.*`pwsh` fences/);
    assert.equal(info(rb)[0].severity, 'info');
  });

  it(`a \`go\` fence (Runme runs it with go run) is code, and a \`python\` one with an interpreter too (${RUNME} testdata/script/basic.txtar)`, () => {
    const rb = parse(`${fence('go', 'package main')}\n${fence('python {"interpreter":"python3","name":"hello-python"}', 'print(1)')}`);
    assert.equal(rb.steps.length, 0);
    assert.match(info(rb)[0].message, /`go` fences.*`python` fences/);
  });

  it(`\`ignore=true\` and \`transform=false\` keep a fence out, \`transform\` decides first (${RUNME} document/block_test.go TestCodeBlock_Ignored)`, () => {
    const rb = parse(`${fence('sh {"ignore":"true"}')}\n${fence('sh {"transform":"false"}')}\n${fence('sh {"transform":"true","ignore":"true"}')}\n${fence('sh {"ignore":"false"}')}`);
    assert.equal(rb.steps.length, 2);
    assert.deepEqual(rb.steps.map((s) => s.line), [8, 12]);
  });

  it(`a \`mermaid\` fence is no step in either (${RUNME} document/block.go Ignored: mermaid by default)`, () => {
    assert.equal(parse(fence('mermaid', 'graph TD; A-->B')).steps.length, 0);
  });

  it(`every fence of Runme's examples README is extracted in order, named or not (${RUNME} testdata/script/basic.txtar README.md)`, () => {
    const text = [
      fence('sh', '$ echo "Hello, runme!"'),
      fence('', '$ echo "Hello, runme!"'),
      fence('sh', '# This is a pesky comment\necho Inferred'),
      fence('sh {"name":"echo","excludeFromRunAll":"true"}', '$ echo "Hello, runme!"'),
      fence('sh {"interactive":"false"}', '$ echo "1"\n$ echo "2"\n$ echo "3"'),
      fence('js {"name":"hello-js"}', 'console.log(1)'),
    ].join('\n');
    const rb = parse(text);
    assert.deepEqual(rb.steps.map((s) => [s.lang, s.name]), [['sh', undefined], ['', undefined], ['sh', undefined], ['sh', 'echo'], ['sh', undefined]]);
    assert.deepEqual(codes(rb, 'error'), []);
    assert.deepEqual(codes(rb, 'warning'), []);
  });
});

describe('Runme compatibility: attributes', () => {
  it(`HTML form { hello=world key=value val=20 } (${RUNME} document/attributes_test.go "Valid")`, () => {
    const p = parseInfo('sh { hello=world key=value val=20 }');
    assert.deepEqual(p.attrs, { hello: 'world', key: 'value', val: 20 });
    assert.deepEqual(p.errors, []);
  });

  it(`a bare key is the empty string, no error (${RUNME} document/attributes_test.go "AttributeWithoutValue")`, () => {
    const p = parseInfo('sh { hello=world val=20 empty }');
    assert.deepEqual(p.attrs, { hello: 'world', val: 20, empty: '' });
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.empty, ['empty']);
  });

  it(`\`{ a= }\` is an empty value too (${RUNME} document/attributes.go parseRawAttributes: SplitN on "=")`, () => {
    const p = parseInfo('sh { a= }');
    assert.deepEqual(p.attrs, { a: '' });
    assert.deepEqual(p.errors, []);
  });

  it(`an empty Runme attribute is "not set", not an error, in a runbook (${RUNME} document/block.go ExcludeFromRunAll: ParseBool fails -> false)`, () => {
    const rb = parse(fence('sh { name=build excludeFromRunAll interactive }'));
    assert.deepEqual(codes(rb, 'error'), []);
    assert.equal(rb.steps[0].excludeFromRunAll, false);
    assert.equal(rb.steps[0].name, 'build');
  });

  it(`Breakglass's own safety attributes still need a value: \`{confirm}\` is an error, not a silent "no" (docs/RUNME.md; Runme has no confirm)`, () => {
    const rb = parse(fence('sh {confirm}'));
    assert.deepEqual(codes(rb, 'error'), ['attr-syntax']);
  });

  it(`invalid JSON falls back to key=value items, as Runme reads { name: "test" } (${RUNME} document/attributes_test.go TestAttributes_Fallback)`, () => {
    const p = parseInfo('sh { name: "test" }');
    assert.deepEqual(p.errors, []);
    assert.equal(p.json, false);
    // Runme's items are the keys `name:` and `"test"`: no attribute either tool knows, so no name.
    assert.deepEqual(p.junk, ['name:', '"test"']);
    const rb = parse(fence('sh { name: "test" }'));
    assert.deepEqual(codes(rb, 'error'), []);
    assert.equal(rb.steps[0].name, undefined);
    assert.deepEqual(codes(rb, 'warning'), ['attr-syntax']);
    assert.match(rb.diagnostics[0].message, /\{"name":"x"\}/);
  });

  it(`JSON form, every value a string (${RUNME} document/attributes_test.go JSON "valid")`, () => {
    const p = parseInfo('sh {"hello":"world","key":"value","val":"20"}');
    assert.equal(p.json, true);
    assert.deepEqual(p.attrs, { hello: 'world', key: 'value', val: 20 });
  });

  it(`a nested JSON value is kept JSON-encoded (${RUNME} document/attributes_test.go JSON "nested")`, () => {
    assert.deepEqual(parseInfo('sh {"nested":{"hello":"world"}}').attrs, { nested: '{"hello":"world"}' });
  });

  it(`\`{}\` is no attribute block (${RUNME} document/attributes_test.go "Empty"; attributes.go extractAttributes)`, () => {
    const p = parseInfo('sh {}');
    assert.deepEqual(p.attrs, {});
    assert.deepEqual(p.errors, []);
  });

  it(`a JSON name with a space is a name (${RUNME} document/attributes.go: JSON values taken as they are)`, () => {
    const rb = parse(fence('sh {"name":"deploy the app"}'));
    assert.deepEqual(codes(rb, 'error'), []);
    assert.equal(rb.steps[0].name, 'deploy the app');
    assert.equal(rb.steps[0].id, 'deploy the app');
  });

  it(`the docs' HTML-attributes example: name, interactive and background followed, one info for mimetype and closeTerminalOnSuccess (${DOCS} docs/configuration/cell-level.md)`, () => {
    const rb = parse(fence('sh { interactive=true name=example mimetype=text/plain closeTerminalOnSuccess=false background=false }', 'echo hello world'));
    assert.equal(rb.steps[0].name, 'example');
    assert.equal(rb.steps[0].attrs.interactive, true);
    assert.deepEqual(codes(rb), ['attr-ignored']);
    const m = info(rb)[0].message;
    for (const k of ['mimetype', 'closeTerminalOnSuccess']) assert.match(m, new RegExp(`\`${k}\``));
    assert.doesNotMatch(m, /`interactive`|`background`/);
  });

  it(`the full JSON schema example: one info for the whole runbook, not one per step (${DOCS} docs/configuration/cell-level.md)`, () => {
    const a = '{"background":"false","closeTerminalOnSuccess":"false","id":"01HPM33PJFH2Q9R5SNAQX0HCSC","interactive":"true","name":"example"}';
    const rb = parse(`${fence(`sh ${a}`)}\n${fence('sh {"background":"true","id":"01HPMBT8BF57MJ36JYDKAMZG1K"}', 'npm run watch')}`);
    assert.equal(rb.steps.length, 2);
    assert.deepEqual(codes(rb), ['attr-ignored']);
    assert.equal(info(rb)[0].line, 0);
    assert.match(info(rb)[0].message, /`closeTerminalOnSuccess`/);
    assert.doesNotMatch(info(rb)[0].message, /`background`/);
  });

  it(`promptEnv is followed: no info for it, and a value Runme would read as auto is an error (${DOCS} docs/configuration/cell-level.md "Environment variables")`, () => {
    const rb = parse(fence('sh {"id":"01HPM880GBF2Y1SGKA92YF4WDZ","promptEnv":"true"}', 'export SLEEP_SECS="0"\nsleep $SLEEP_SECS'));
    assert.deepEqual(codes(rb, 'error'), []);
    assert.equal(rb.steps[0].attrs.promptEnv, true);
    assert.doesNotMatch(info(rb)[0]?.message ?? '', /promptEnv/);
    assert.deepEqual(codes(parse(fence('sh {promptEnv=sometimes}', 'true')), 'error'), ['attr-value']);
  });

  it(`tag is accepted, with no warning (${RUNME} examples/README.md "tag":"a,b")`, () => {
    const rb = parse(`${fence('sh {"tag":"a","id":"01HF7BT3HD84GWTQB8ZT8D9SVW","name":"a"}', 'echo "Tag A"')}\n${fence('sh {"tag":"a,b","id":"01HF7BT3HD84GWTQB8ZVF8JVKF","name":"b"}', 'echo "Tag A,B"')}`);
    assert.deepEqual(rb.steps.map((s) => s.name), ['a', 'b']);
    assert.deepEqual(codes(rb, 'warning'), []);
    assert.match(info(rb)[0].message, /`tag`/);
  });

  it(`mimeType and terminalRows are accepted (${DOCS} EASTER.md; ${RUNME} examples/README.md terminalRows)`, () => {
    const rb = parse(`${fence('sh {"interactive":"false","mimeType":"image/gif"}', 'curl -s https://example.com/a.gif')}\n${fence('sh {"id":"01HF7BT3HEQBTBM9SSTS88ZSCF","name":"test","promptEnv":"no","terminalRows":"15"}')}`);
    assert.deepEqual(codes(rb, 'warning'), []);
    assert.deepEqual(codes(rb, 'error'), []);
    assert.match(info(rb)[0].message, /`mimeType`.*`terminalRows`|`terminalRows`.*`mimeType`/s);
  });

  it(`excludeFromRunAll written as Runme writes it, "true" in JSON, is followed (${DOCS} docs/configuration/cell-level.md "Exclude Cell from Run All")`, () => {
    const rb = parse(fence('sh {"excludeFromRunAll":"true","id":"01HPM7NRQYMD5T06M4KS6S2DWG"}', '# Do something optional here'));
    assert.equal(rb.steps[0].excludeFromRunAll, true);
  });

  it(`a step's cwd is read as the attribute (${RUNME} examples/frontmatter/cwd/RELATIVE.md)`, () => {
    const rb = parse(`---\ncwd: ../../../\n---\n\n${fence('sh {"cwd":"../","id":"01HF7BT3HCDS1X1WJJHSYYJW0S","name":"relative-rel-pwd"}', 'pwd')}`);
    assert.equal(rb.steps[0].attrs.cwd, '../');
    assert.equal(rb.settings?.cwd, '../../../');
  });

  it(`interpreter is accepted and ignored by shell steps (${RUNME} examples/README.md "interpreter":"bash")`, () => {
    const rb = parse(fence('sh {"id":"01HE2XR0Z3WD9A89XR5XA959QP","interpreter":"bash","name":"id-present","terminalRows":"2"}'));
    assert.equal(rb.steps[0].name, 'id-present');
    assert.match(info(rb)[0].message, /`interpreter`/);
  });

  it(`Runme's mixed docs example { cwd=.. "id":"…"} reads cwd and sets the rest aside (${DOCS} docs/configuration/cell-level.md "Cell CWD")`, () => {
    const p = parseInfo('sh { cwd=.. "id":"01HP475WXX5PVV658023KQJFRE"}');
    assert.equal(p.attrs.cwd, '..');
    assert.deepEqual(p.errors, []);
    assert.equal(p.junk.length, 1);
  });
});

describe('Runme compatibility: front matter', () => {
  it(`\`shell: zsh\` goes into the settings (${RUNME} examples/frontmatter/shells/ZSH.md)`, () => {
    const rb = parse(`---\nrunme:\n  id: 01HF7BT3HCDS1X1WJJHDNM0XXC\n  version: v3\nshell: zsh\n---\n\n${fence('sh {"id":"01HF7BT3HCDS1X1WJJHD6X43BT"}', 'echo $0')}`);
    assert.deepEqual(rb.settings, { shell: 'zsh' });
    assert.equal(rb.steps.length, 1);
    assert.deepEqual(codes(rb, 'error'), []);
  });

  it(`\`skipPrompts: true\` goes into the settings (${RUNME} examples/frontmatter/skipPrompts/ENABLED.md)`, () => {
    const rb = parse(`---\nrunme:\n  id: 01HF7BT3HCDS1X1WJJHAG7S8YG\n  version: v3\nskipPrompts: true\n---\n\n${fence('sh {"id":"01HF7BT3HBDTRGQAQMHNSXB9K2"}', '$ export ENV="<insert-env-here>"\n$ echo "ENV=$ENV"')}`);
    assert.deepEqual(rb.settings, { skipPrompts: true });
  });

  it(`no Runme setting, no settings (${RUNME} examples/frontmatter/cwd/NONE.md)`, () => {
    assert.equal(parse(`---\nrunme:\n  id: 01HF7BT3HCDS1X1WJJHXFHR4ZG\n  version: v3\n---\n\n${fence('sh', 'pwd')}`).settings, undefined);
  });

  it(`TOML between \`---\` lines, \`shell = "fish"\` (${RUNME} document/document_test.go "TOML")`, () => {
    const rb = parse(`---\nshell = "fish"\n---\n\n${fence('sh')}`);
    assert.deepEqual(codes(rb, 'error'), []);
    assert.deepEqual(rb.settings, { shell: 'fish' });
  });

  it(`\`+++\` front matter is TOML (${RUNME} document/parser_test.go TestParseSections_WithFrontmatterTOML)`, () => {
    const rb = parse(`+++\nprop1 = "val1"\nprop2 = "val2"\n+++\n\n# Example\n\nA paragraph\n`);
    assert.deepEqual(rb.frontMatter, { prop1: 'val1', prop2: 'val2' });
    assert.equal(rb.title, 'Example');
    assert.equal(rb.bodyLine, 4);
  });

  it(`a [runme] table in TOML (${RUNME_OLD} internal/owl/README.md)`, () => {
    const rb = parse(`+++\n[runme]\nid = '01HRA297WC2HJP7X48FM3DR1V0'\nversion = 'v3'\n+++\n\n# The Owl Store\n`);
    assert.deepEqual(rb.frontMatter, { runme: { id: '01HRA297WC2HJP7X48FM3DR1V0', version: 'v3' } });
    assert.deepEqual(codes(rb, 'error'), []);
  });

  it('TOML it cannot read is an error on its line (the subset of toml.ts: no multi-line strings)', () => {
    const rb = parse(`+++\nshell = "bash"\ncwd = """\nx\n"""\n+++\n`);
    const e = rb.diagnostics.filter((d) => d.code === 'front-matter-toml');
    assert.ok(e.length >= 1);
    assert.equal(e[0].line, 2);
    assert.equal(e[0].severity, 'error');
  });

  it(`TOML between \`---\` lines that does not read is a TOML error on its line (${RUNME} document/frontmatter.go parseFrontmatter: YAML, JSON, then TOML)`, () => {
    const rb = parse(`---\nshell = "fish"\nbad line\n---\n`);
    assert.deepEqual(rb.diagnostics.map((d) => [d.code, d.line]), [['front-matter-toml', 2]]);
    assert.equal(rb.settings, undefined);
  });

  it('the TOML reader and the attribute reader never throw', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const bits = ['[', ']', '=', '"', "'", '\\', 'a', '.', ' ', '\n', '#', '{', '}', ',', '1', 'true', '[[', '"""', 'u', 'x=', ':'];
    for (let i = 0; i < 2000; i++) {
      let t = '';
      for (let j = 0; j < 1 + Math.floor(rnd() * 20); j++) t += bits[Math.floor(rnd() * bits.length)];
      assert.doesNotThrow(() => readToml(t), t);
      assert.doesNotThrow(() => parseInfo(`sh ${t}`), t);
      assert.doesNotThrow(() => parse(`+++\n${t}\n+++\n\`\`\`sh ${t.replace(/\n/g, ' ')}\necho\n\`\`\`\n`), t);
    }
  });

  it('a TOML front matter marks a runbook with `runbook = true`, as YAML does with `runbook: true`', () => {
    assert.equal(isRunbookText('+++\nrunbook = true\n+++\n'), true);
    assert.equal(isRunbookText('---\nrunbook = true # toml\n---\n'), true);
    assert.equal(isRunbookText('+++\nrunbook = false\n+++\n'), false);
    assert.equal(parse('+++\nrunbook = true\ntitle = "T"\n+++\n```sh\necho\n```\n').isRunbook, true);
  });

  it('TOML values: strings with escapes, booleans, numbers, arrays, dotted keys; bad lines named', () => {
    const r = readToml('a = "x\\ty"\nb = true\nc = 1_000\nd = [1, "two"]\ne.f = 2.5\n[t]\ng = 1979-05-27\nbad = what\n');
    assert.deepEqual(r.value, { a: 'x\ty', b: true, c: 1000, d: [1, 'two'], e: { f: 2.5 }, t: { g: '1979-05-27' } });
    assert.deepEqual(r.errors.map((e) => e.line), [8]);
  });

  it(`a wrongly typed setting is a warning and not used (${RUNME} document/frontmatter.go Frontmatter: SkipPrompts bool)`, () => {
    const rb = parse(`---\nskipPrompts: maybe\nshell: bash\n---\n`);
    assert.deepEqual(rb.settings, { shell: 'bash' });
    assert.deepEqual(rb.diagnostics.map((d) => [d.code, d.severity, d.line]), [['front-matter-settings', 'warning', 1]]);
  });

  it(`Runme's document identity and tag/terminalRows keys are noted once, with the attributes (${RUNME} document/frontmatter.go Frontmatter)`, () => {
    const rb = parse(`---\nrunme:\n  id: 01HF7BT3HCDS1X1WJJHXFHR4ZG\n  version: v3\nterminalRows: 20\n---\n\n${fence('sh {"closeTerminalOnSuccess":"false"}')}`);
    assert.equal(info(rb).length, 1);
    assert.equal(info(rb)[0].line, 1);
    assert.match(info(rb)[0].message, /front matter `runme`.*front matter `terminalRows`.*attribute `closeTerminalOnSuccess`/);
  });
});

describe('Runme compatibility: session outputs', () => {
  const SESSION = `---\nrunme:\n  id: 01HJS33TJYXZ6KJPG2SZZ6D1H5\n  version: v2.0\n  session:\n    id: 01HJS35FZ2K0JBWPVAXPMMVTGN\n    updated: 2023-12-28 15:16:06-05:00\n---\n\n${fence('sh {"name":"iam-session","id":"01HJS341EYAN1QPKK7D835C6FD"}', 'echo "i am a session outputs file"\n\n# Ran on 2023-12-28 15:52:03-05:00 for 719ms exited with 0\ni am a session outputs file')}`;

  it(`is recognised and its steps are never run (${RUNME} project/testdata/dir-project/session-01HJS35FZ2K0JBWPVAXPMMVTGN.md)`, () => {
    const rb = parse(SESSION);
    assert.equal(rb.recordedSession, '01HJS35FZ2K0JBWPVAXPMMVTGN');
    assert.equal(rb.isRunbook, false);
    assert.equal(rb.steps.length, 1);
    const step = rb.steps[0];
    assert.equal(step.recorded, true);
    assert.equal(step.excludeFromRunAll, true);
    assert.match(kindOf('shell').blocker!(step, { mode: 'sim', hasSim: () => true }) ?? '', /recorded Runme session's output/);
    const d = rb.diagnostics.filter((x) => x.code === 'runme-session-outputs');
    assert.equal(d.length, 1);
    assert.equal(d[0].severity, 'info');
    assert.match(d[0].message, /not a runbook/);
  });

  it(`a runbook with \`runbook: true\` and only runme.id/version is no session file (${RUNME} examples/frontmatter/shells/BASH.md)`, () => {
    const rb = parse(`---\nrunbook: true\nrunme:\n  id: 01HF7BT3HCDS1X1WJJHDNM0XXC\n  version: v3\n---\n\n${fence('sh', 'echo $0')}`);
    assert.equal(rb.recordedSession, undefined);
    assert.equal(rb.isRunbook, true);
    assert.equal(rb.steps[0].recorded, undefined);
    assert.equal(kindOf('shell').blocker!(rb.steps[0], { mode: 'sim', hasSim: () => true }), undefined);
  });

  it(`a session file's Breakglass fences are not made steps (only its recorded shell blocks are shown) (${RUNME} document/frontmatter.go RunmeMetadataSession)`, () => {
    const rb = parse(SESSION + '\n' + fence('check', 'run: kubectl get --raw /readyz'));
    assert.deepEqual(rb.steps.map((s) => s.kind), ['shell']);
  });
});
