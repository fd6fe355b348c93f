// `breakglass run` at a real terminal (a pseudo-terminal made by util-linux `script`): a question
// ends unanswered when the input ends (Ctrl-D) or the terminal closes (SIGHUP) — the run then
// journals the refusal and exits 1 instead of crashing or waiting forever — and a secret parameter
// is typed without being echoed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJournal } from '../../src/runbook/journal';
import { removeTempDir, tempDir } from './helpers/servers';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const SCRIPT = '/usr/bin/script';

interface Session {
  out: () => string;
  pid: () => number;
  write(text: string): void;
  exited: Promise<number | null>;
}

/** Runs `breakglass run ARGS` on a pseudo-terminal; the CLI's pid is printed first (exec keeps it). */
function onTerminal(cwd: string, args: string[]): Session {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const c = spawn(SCRIPT, ['-qec', `echo PID=$$; exec '${process.execPath}' '${CLI}' run ${quoted}`, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  c.stdout.on('data', (d: Buffer) => (out += d.toString()));
  // script -e exits with the CLI's status.
  const exited = new Promise<number | null>((res) => c.on('exit', (code) => res(code)));
  return {
    out: () => out,
    pid: () => Number(/PID=(\d+)/.exec(out)?.[1]),
    write: (t) => c.stdin.write(t),
    exited,
  };
}

async function until(what: string, fn: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no end within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}

describe('breakglass run at a terminal', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing (Debian package bsdutils)`);
    dir = tempDir('bg-cli-tty-');
    writeFileSync(join(dir, 'confirm.md'), '---\nrunbook: true\ntitle: Confirm\n---\n\n```bash {name=c confirm=true}\necho ran > marker\n```\n');
  });
  after(() => dir && removeTempDir(dir));

  const journalOf = (jdir: string) => readJournal(join(jdir, readdirSync(jdir)[0]!)).events;

  for (const how of ['Ctrl-D', 'SIGHUP'] as const) {
    it(`${how} at a confirmation: the step is declined and journaled, the run exits 1`, async () => {
      const jdir = join(dir, `j-${how}`);
      const t = onTerminal(dir, ['confirm.md', '--all', '--journal', jdir]);
      await until('the question', () => t.out().includes('[y/N]'));
      if (how === 'Ctrl-D') t.write('\x04');
      else process.kill(t.pid(), 'SIGHUP');
      const code = await within(t.exited, 15_000, `the run after ${how}`);
      assert.equal(code, 1, t.out());
      assert.doesNotMatch(t.out(), /\n\s+at /, 'no stack trace');
      assert.ok(!existsSync(join(dir, 'marker')), 'the step did not run');
      const events = journalOf(jdir);
      assert.ok(events.some((e) => e.type === 'decision' && e.decision === 'declined'));
      const last = events[events.length - 1]!;
      assert.equal(last.type === 'run-finished' && last.outcome, 'cancelled');
    });
  }

  it('a secret parameter is typed without echo, reaches the step, and is masked in its output and the journal', async () => {
    writeFileSync(join(dir, 'secret.md'), '---\nrunbook: true\ntitle: Secret\nparams:\n  TOKEN: {required: true, secret: true}\n---\n\n```bash {name=use}\necho "len=${#TOKEN} value=$TOKEN"\n```\n');
    const jdir = join(dir, 'j-secret');
    const t = onTerminal(dir, ['secret.md', '--all', '--journal', jdir]);
    await until('the parameter prompt', () => t.out().includes('TOKEN'));
    t.write('hunter2-secret-value\r');
    const code = await within(t.exited, 15_000, 'the run');
    assert.equal(code, 0, t.out());
    assert.ok(!t.out().includes('hunter2'), t.out());
    assert.match(t.out(), /len=20 value=••••••/);
    assert.ok(!JSON.stringify(journalOf(jdir)).includes('hunter2'));
  });
});
