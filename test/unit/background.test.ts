// Background steps (`background=true`, Runme's background cells): Run All starts one, shows it
// running with its live output while later steps run, and stops it when the run ends — after the
// last step, after a failure, or on Cancel. Runme: docs.runme.dev docs/configuration/cell-level.md
// ("background": run as a background process), stateful/docs.runme.dev@79daff2.
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession, type Prompter } from '../../src/runbook/session';

const yes: Prompter = { confirm: async () => true, confirmTargets: async () => true, askParam: async () => 'x' };

function setup(steps: string) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'bg-background-')));
  const file = join(dir, 'rb.md');
  const md = `---\nrunbook: true\ntitle: Background\n---\n${steps}`;
  writeFileSync(file, md);
  const { runbook } = parseRunbook(md, file);
  assert.deepEqual(runbook.diagnostics.filter((d) => d.severity === 'error'), []);
  const session = new RunSession({ runbookPath: file, runbook, journalDir: join(dir, 'journal'), target: { mode: 'sim' }, prompter: yes, via: 'cli', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const seen: string[] = [];
  session.onEvent((e) => {
    if (e.type === 'state') seen.push(`${e.stepId}:${e.runtime.state}`);
  });
  return { dir, session, seen };
}

const fence = (name: string, body: string, attrs = '') => `\n\`\`\`sh {name=${name}${attrs ? ' ' + attrs : ''}}\n${body}\n\`\`\`\n`;

describe('background steps', function () {
  this.timeout(30_000);

  it('Run All starts it, runs the next steps while it runs (its output live), and stops it at the end', async () => {
    const { dir, session, seen } = setup(fence('serve', 'echo serving; while true; do echo tick; sleep 0.2; done', 'background=true') + fence('work', 'sleep 1; echo worked'));
    const t0 = Date.now();
    assert.equal(await session.runAll(), 'succeeded');
    assert.ok(Date.now() - t0 < 10_000, 'the run did not wait for the background step');
    // It was running when the next step started, and printed while that step ran.
    assert.ok(seen.indexOf('serve:running') < seen.indexOf('work:running'), seen.join(' '));
    const serve = session.states.get('serve')!;
    assert.equal(serve.state, 'succeeded');
    assert.equal(serve.reason, 'background: stopped at the end of the run');
    assert.ok((serve.output.match(/tick/g) ?? []).length >= 3, serve.output);
    assert.match(serve.output, /background step stopped: the run ended/);
    assert.equal(session.states.get('work')!.output, 'worked\n');
    assert.equal(session.isRunning(), false);
    session.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failure later in the run also stops it; Cancel stops it too', async () => {
    const a = setup(fence('serve', 'sleep 30', 'background=true') + fence('boom', 'exit 3'));
    assert.equal(await a.session.runAll(), 'failed');
    assert.equal(a.session.isRunning('serve'), false);
    a.session.dispose();
    const b = setup(fence('serve', 'sleep 30', 'background=true') + fence('wait', 'sleep 30'));
    const run = b.session.runAll();
    await new Promise((r) => setTimeout(r, 800));
    b.session.cancelAll();
    assert.equal(await run, 'cancelled');
    assert.equal(b.session.isRunning(), false);
    b.session.dispose();
  });
});
