// Interactive steps under script(1): a real pseudo-terminal for the step, typed input reaching it,
// its exit code kept, and a transcript clean enough to journal.
import { strict as assert } from 'node:assert';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanTranscript, interactiveCommand, readTranscript, runInteractiveHere } from '../../src/runbook/interactive';
import { readJournal } from '../../src/runbook/journal';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession, type Prompter } from '../../src/runbook/session';

describe('interactive steps: the step gets a terminal, its transcript becomes its output', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bg-interactive-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the step has a terminal (test -t), reads what is typed, and its exit code comes back', async () => {
    const transcript = join(dir, 't1');
    const cmd = interactiveCommand(`[ -t 0 ] && echo "stdin is a terminal"; read -r answer; echo "you typed: $answer"; exit 3`, transcript);
    const r = await runInteractiveHere(cmd, { cwd: dir, env: process.env, stdio: 'pipe', input: "it's me\n" });
    assert.equal(r.exitCode, 3);
    assert.equal(r.cancelled, false);
    const text = readTranscript(transcript);
    assert.match(text, /^stdin is a terminal$/m);
    assert.match(text, /^you typed: it's me$/m);
    assert.doesNotMatch(text, /Script (started|done)|\r/);
  });

  it('quotes the step so that nothing in it is read by the shell that script(1) starts', async () => {
    const transcript = join(dir, 't2');
    const r = await runInteractiveHere(interactiveCommand(`printf '%s\\n' "a'b" '$HOME' '\`x\`' ; true`, transcript), { cwd: dir, env: process.env, stdio: 'pipe' });
    assert.equal(r.exitCode, 0);
    assert.equal(readTranscript(transcript), "a'b\n$HOME\n`x`\n");
  });

  it('a cancelled step is stopped', async () => {
    const transcript = join(dir, 't3');
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 300);
    const r = await runInteractiveHere(interactiveCommand('sleep 30', transcript), { cwd: dir, env: process.env, stdio: 'pipe', signal: ac.signal });
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(r.cancelled, true);
  });

  it('cleans colours, cursor moves, titles and overwritten progress from the transcript', () => {
    const raw = 'Script started on 2026-12-06 [COMMAND="x"]\r\n\x1b]0;title\x07\x1b[1;32mok\x1b[0m\r\n10%\r50%\r100%\r\nend\r\n\r\nScript done on 2026-12-06 [COMMAND_EXIT_CODE="0"]\n';
    assert.equal(cleanTranscript(raw), 'ok\n100%\nend\n');
  });

  it('through the session: an interactive=true step reads typed input in its terminal, its masked transcript is its output and is journaled, and what it exports carries on', async () => {
    const d = realpathSync(mkdtempSync(join(tmpdir(), 'bg-interactive-rb-')));
    const file = join(d, 'rb.md');
    const md = '---\nrunbook: true\ntitle: I\n---\n\n```sh {name=ask interactive=true}\nread -r -p "namespace? " ns\nexport PICKED="$ns"\necho "picked $ns with password=hunter2-secret"\n```\n\n```sh {name=use}\necho "using $PICKED"\n```\n';
    writeFileSync(file, md);
    const { runbook } = parseRunbook(md, file);
    const yes: Prompter = { confirm: async () => true, confirmTargets: async () => true, askParam: async () => 'x' };
    const titles: string[] = [];
    const session = new RunSession({
      runbookPath: file,
      runbook,
      journalDir: join(d, 'journal'),
      target: { mode: 'sim' },
      prompter: yes,
      via: 'cli',
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      // What the person types into the terminal.
      terminal: (req) => {
        titles.push(req.title);
        return runInteractiveHere(req, { cwd: req.cwd, env: req.env, signal: req.signal, stdio: 'pipe', input: 'monitoring\n' });
      },
    });
    try {
      const st = await session.runStep('ask');
      assert.equal(st, 'succeeded', JSON.stringify(session.states.get('ask')));
      assert.deepEqual(titles, ['ask (interactive)']);
      const out = session.states.get('ask')!.output;
      assert.match(out, /picked monitoring with password=••••••$/m);
      assert.doesNotMatch(out, /hunter2/);
      assert.equal(await session.runStep('use'), 'succeeded');
      assert.equal(session.states.get('use')!.output, 'using monitoring\n');
      const journal = JSON.stringify(readJournal(session.journalFile!).events);
      assert.match(journal, /picked monitoring/);
      assert.doesNotMatch(journal, /hunter2/);
    } finally {
      session.dispose();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
