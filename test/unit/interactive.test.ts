// Interactive steps under script(1): a real pseudo-terminal for the step, typed input reaching it,
// its exit code kept, and a transcript clean enough to journal.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanTranscript, interactiveCommand, readTranscript, runInteractiveHere } from '../../src/runbook/interactive';

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
});
