// The journal fails closed: a step that cannot be journaled does not run, a failed write never
// leaves a line that corrupts the next, the journal directory is never a symbolic link, and a
// resume in Restricted Mode writes nothing.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalEvent } from '../../src/runbook/events';
import { Journal, JournalError, NODE_JOURNAL_FS, ensureJournalDir, readJournal, replay, type JournalFs } from '../../src/runbook/journal';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession, type Prompter, type SessionEvent, type SessionOptions } from '../../src/runbook/session';

// Built by `npm run build` (the test command builds first).
const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure`), { code });
}

/**
 * Real file operations with faults on demand: a disk that takes only `budget` more bytes (a write
 * that does not fit is cut short, the next one fails ENOSPC), writes that fail when their text
 * matches, writes that make no progress, and failing ftruncate or fsync.
 */
class FaultyFs implements JournalFs {
  budget: number | undefined;
  failWhen: ((text: string) => boolean) | undefined;
  zeroWrites = false;
  failTruncate = false;
  failFsync = false;
  writes = 0;

  openSync = NODE_JOURNAL_FS.openSync;
  fstatSync = NODE_JOURNAL_FS.fstatSync;
  readSync = NODE_JOURNAL_FS.readSync;
  closeSync = NODE_JOURNAL_FS.closeSync;
  mkdirSync = NODE_JOURNAL_FS.mkdirSync;
  lstatSync = NODE_JOURNAL_FS.lstatSync;
  statSync = NODE_JOURNAL_FS.statSync;

  writeSync(fd: number, buf: Uint8Array, offset: number, length: number): number {
    this.writes++;
    if (this.failWhen?.(Buffer.from(buf.subarray(offset, offset + length)).toString('utf8'))) throw errno('EIO');
    if (this.zeroWrites) return 0;
    if (this.budget === undefined) return fs.writeSync(fd, buf, offset, length);
    if (this.budget <= 0) throw errno('ENOSPC');
    const n = fs.writeSync(fd, buf, offset, Math.min(length, this.budget));
    this.budget -= n;
    return n;
  }
  ftruncateSync(fd: number, length: number): void {
    if (this.failTruncate) throw errno('EIO');
    fs.ftruncateSync(fd, length);
  }
  fsyncSync(fd: number): void {
    if (this.failFsync) throw errno('EIO');
    fs.fsyncSync(fd);
  }
}

const T = '2025-01-02T03:04:05.000Z';
const ev = {
  started: (): JournalEvent => ({ type: 'run-started', v: 1, t: T, runId: 'r', runbook: '/ws/rb.md', title: 'T', mode: 'sim', target: 'simulated', user: 'me', host: 'h', via: 'cli', params: {} }),
  stepStarted: (stepId: string): JournalEvent => ({ type: 'step-started', t: T, stepId, kind: 'shell', command: 'true', user: 'me', mode: 'sim', target: 'simulated' }),
  output: (stepId: string, text: string): JournalEvent => ({ type: 'output', t: T, stepId, stream: 'stdout', text }),
  finished: (stepId: string): JournalEvent => ({ type: 'step-finished', t: T, stepId, state: 'succeeded', exitCode: 0, signal: null, timedOut: false, durationMs: 1 }),
};

/** Every line of the file is one event; returns them. */
function wholeLines(file: string): JournalEvent[] {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `the journal ends with a whole line: ${JSON.stringify(text.slice(-80))}`);
  const read = readJournal(file);
  assert.deepEqual(read.errors, [], 'every line parses');
  return read.events;
}

const yes: Prompter = { confirm: async () => true, confirmTargets: async () => true, askParam: async () => undefined };
const RB = (body: string) => `---\nrunbook: true\ntitle: Test\n---\n${body}`;
const sh = (name: string, body: string, attrs = '') => `\n\`\`\`bash {name=${name}${attrs ? ' ' + attrs : ''}}\n${body}\n\`\`\`\n`;

function session(dir: string, markdown: string, opts: Partial<SessionOptions> = {}) {
  const file = path.join(dir, 'rb.md');
  fs.writeFileSync(file, markdown);
  const { runbook } = parseRunbook(markdown, file);
  const s = new RunSession({ runbookPath: file, runbook, journalDir: path.join(dir, 'journal'), target: { mode: 'sim' }, prompter: yes, via: 'cli', env: { PATH: process.env.PATH, HOME: process.env.HOME }, ...opts });
  const notices: Extract<SessionEvent, { type: 'notice' }>[] = [];
  s.onEvent((e) => {
    if (e.type === 'notice') notices.push(e);
  });
  return { s, file, runbook, notices };
}

function cli(args: string[], cwd: string, timeout = 30_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - t0, signal: r.signal };
}

/** Runs mount(8); undefined when it worked, else why not (tests that need it are skipped). */
function mount(args: string[]): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  if (r.error) return `mount: ${r.error.message}`;
  return r.status === 0 ? undefined : `mount ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`;
}

/**
 * A tmpfs mounted with `options` for the enclosing describe() (unmounted after it); the suite is
 * skipped, saying why, where mount is not allowed. Returns the mount point once mounted.
 */
function tmpfs(prefix: string, options: string): () => string | undefined {
  let mnt: string | undefined;
  before(function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const why = mount(['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    if (why) {
      fs.rmdirSync(dir);
      console.log(`      (skipped: ${why})`);
      this.skip();
    }
    mnt = dir;
  });
  after(() => {
    if (!mnt) return;
    spawnSync('umount', [mnt]);
    fs.rmdirSync(mnt);
  });
  return () => mnt;
}

describe('journal fails closed', function () {
  this.timeout(30_000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-jfc-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('Journal writes', () => {
    it('a write that fails after some bytes is cut back: the next line is whole and a finished step replays as finished', () => {
      const io = new FaultyFs();
      const j = Journal.create(tmp, '/ws/rb.md', new Date(T), io);
      j.append(ev.started());
      j.append(ev.stepStarted('a'));
      j.append(ev.finished('a'));
      const good = fs.statSync(j.file).size;
      io.budget = 10; // the disk fills 10 bytes into the next line
      assert.throws(() => j.append(ev.stepStarted('b')), (e: unknown) => e instanceof JournalError && /could not be written: ENOSPC/.test(e.message) && e.message.includes(j.file));
      assert.equal(fs.statSync(j.file).size, good, 'the torn 10 bytes were removed');
      io.budget = undefined; // space freed
      j.append(ev.stepStarted('c'));
      j.append(ev.output('c', 'hello\n'));
      j.append(ev.finished('c'));
      j.close();
      const events = wholeLines(j.file);
      assert.deepEqual(events.map((e) => e.type), ['run-started', 'step-started', 'step-finished', 'step-started', 'output', 'step-finished']);
      const r = replay(events);
      assert.equal(r.steps.a!.state, 'succeeded');
      assert.equal(r.steps.c!.state, 'succeeded');
      assert.equal(r.steps.b, undefined);
    });

    it('a write that makes no progress throws at once instead of looping', () => {
      const io = new FaultyFs();
      const j = Journal.create(tmp, '/ws/rb.md', new Date(T), io);
      j.append(ev.started());
      io.zeroWrites = true;
      const before = io.writes;
      assert.throws(() => j.append(ev.stepStarted('a')), /short write: 0 of \d+ bytes/);
      assert.equal(io.writes - before, 1, 'one attempt, no retry loop');
      io.zeroWrites = false;
      j.append(ev.stepStarted('b'));
      j.close();
      assert.deepEqual(wholeLines(j.file).map((e) => e.type), ['run-started', 'step-started']);
    });

    it('a transition whose fsync fails is taken back', () => {
      const io = new FaultyFs();
      const j = Journal.create(tmp, '/ws/rb.md', new Date(T), io);
      j.append(ev.started());
      io.failFsync = true;
      assert.throws(() => j.append(ev.stepStarted('a')), JournalError);
      io.failFsync = false;
      j.close();
      assert.deepEqual(wholeLines(j.file).map((e) => e.type), ['run-started']);
    });

    it('when the torn part cannot be cut off, nothing more is appended after it', () => {
      const io = new FaultyFs();
      const j = Journal.create(tmp, '/ws/rb.md', new Date(T), io);
      j.append(ev.started());
      io.budget = 7;
      io.failTruncate = true;
      assert.throws(() => j.append(ev.stepStarted('a')), /could not be removed/);
      const size = fs.statSync(j.file).size;
      io.budget = undefined;
      io.failTruncate = false;
      assert.ok(j.broken);
      assert.throws(() => j.append(ev.stepStarted('b')), /nothing more is appended/);
      assert.equal(fs.statSync(j.file).size, size, 'no byte after the torn line');
      j.close();
      // The whole lines before it still read back; only the torn last line is reported.
      const read = readJournal(j.file);
      assert.deepEqual(read.events.map((e) => e.type), ['run-started']);
      assert.equal(read.errors.length, 1);
      assert.match(read.errors[0]!.message, /incomplete last line/);
    });
  });

  describe('the journal directory', () => {
    it('is created 0700 (parents too) with its file 0600', function () {
      if (process.platform === 'win32') this.skip();
      const dir = path.join(tmp, 'a', 'b');
      const j = Journal.create(dir, '/ws/rb.md');
      j.close();
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(tmp, 'a')).mode & 0o777, 0o700);
      assert.equal(fs.statSync(j.file).mode & 0o777, 0o600);
    });

    it('is refused when it is a symbolic link, and nothing is written where it points', function () {
      if (process.platform === 'win32') this.skip();
      const real = path.join(tmp, 'elsewhere');
      fs.mkdirSync(real);
      const link = path.join(tmp, 'journal');
      fs.symlinkSync(real, link);
      assert.throws(() => Journal.create(link, '/ws/rb.md'), (e: unknown) => e instanceof JournalError && /symbolic link/.test(e.message) && e.message.includes(link));
      assert.deepEqual(fs.readdirSync(real), []);
    });

    it('a journal file that is a symbolic link is not opened to resume', function () {
      if (process.platform === 'win32') this.skip();
      const target = path.join(tmp, 'target.jsonl');
      fs.writeFileSync(target, '');
      const link = path.join(tmp, 'rb.jsonl');
      fs.symlinkSync(target, link);
      assert.throws(() => Journal.openForAppend(link), (e: unknown) => e instanceof JournalError && /ELOOP/.test(e.message));
    });

    it('under a regular file: an error naming the directory (ENOTDIR)', () => {
      fs.writeFileSync(path.join(tmp, 'file'), '');
      assert.throws(() => Journal.create(path.join(tmp, 'file', 'j', 'k'), '/ws/rb.md'), /journal directory.*ENOTDIR/);
    });

    it('/proc/x: an error at once, not a loop', function () {
      if (process.platform !== 'linux') this.skip();
      const t0 = Date.now();
      assert.throws(() => ensureJournalDir('/proc/x/y'), /cannot create the journal directory \/proc\/x/);
      assert.ok(Date.now() - t0 < 2000);
    });
  });

  describe('a run session', () => {
    it('does not run a step when the journal cannot be created', async () => {
      fs.writeFileSync(path.join(tmp, 'file'), '');
      const marker = path.join(tmp, 'ran');
      const { s, notices } = session(tmp, RB(sh('a', `touch '${marker}'`)), { journalDir: path.join(tmp, 'file', 'journal') });
      assert.equal(await s.runStep('a'), 'failed');
      assert.ok(!fs.existsSync(marker), 'the step did not run');
      assert.match(s.states.get('a')!.reason!, /^not run: .*journal directory.*ENOTDIR/);
      assert.equal(notices[0]?.level, 'error');
      assert.match(notices[0]!.message, /journal/);
      assert.match(s.journalProblem!, /ENOTDIR/);
      s.dispose();
    });

    it('does not run a step whose step-started cannot be written, and runs it once it can', async () => {
      const io = new FaultyFs();
      io.failWhen = (t) => t.includes('"step-started"');
      const marker = path.join(tmp, 'ran');
      const { s, notices } = session(tmp, RB(sh('a', `touch '${marker}'`)), { journalFs: io });
      assert.equal(await s.runAll(), 'failed');
      assert.ok(!fs.existsSync(marker));
      assert.match(s.states.get('a')!.reason!, /not run: the journal .* could not be written: EIO/);
      assert.ok(notices.some((n) => n.level === 'error' && /journal/.test(n.message)));
      // The journal holds the run's start and nothing about the step.
      assert.deepEqual(wholeLines(s.journalFile!).map((e) => e.type), ['run-started']);
      io.failWhen = undefined;
      assert.equal(await s.runStep('a'), 'succeeded');
      assert.ok(fs.existsSync(marker));
      s.dispose();
      const r = replay(wholeLines(s.journalFile!));
      assert.equal(r.steps.a!.state, 'succeeded');
    });

    it('a confirmation that cannot be journaled stops the step', async () => {
      const io = new FaultyFs();
      io.failWhen = (t) => t.includes('"decision"');
      const marker = path.join(tmp, 'ran');
      let asked = 0;
      const { s } = session(tmp, RB(sh('c', `touch '${marker}'`, 'confirm=true')), { journalFs: io, prompter: { ...yes, confirm: async () => (asked++, true) } });
      assert.equal(await s.runStep('c'), 'failed');
      assert.equal(asked, 1);
      assert.ok(!fs.existsSync(marker));
      s.dispose();
      assert.ok(!wholeLines(s.journalFile!).some((e) => e.type === 'step-started'));
    });

    it('an output write that fails mid-step stops the step', async () => {
      const io = new FaultyFs();
      io.failWhen = (t) => t.includes('"type":"output"');
      const after = path.join(tmp, 'after');
      const { s, notices } = session(tmp, RB(sh('a', `echo first; sleep 3; touch '${after}'`)), { journalFs: io });
      const t0 = Date.now();
      assert.equal(await s.runStep('a'), 'failed');
      assert.ok(Date.now() - t0 < 2500, 'stopped, not run to its end');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!fs.existsSync(after), 'the rest of the step did not run');
      assert.match(s.states.get('a')!.reason!, /^stopped: the journal .* could not be written: EIO/);
      assert.ok(notices.some((n) => n.level === 'error'));
      s.dispose();
      const r = replay(wholeLines(s.journalFile!));
      assert.equal(r.steps.a!.state, 'failed');
      assert.match(r.steps.a!.reason!, /stopped/);
    });

    it('a full disk mid-step: the step is stopped; after space frees, a resume appends whole lines and an earlier success replays as succeeded', async () => {
      const io = new FaultyFs();
      const md = RB(sh('ok', 'echo fine') + sh('big', 'head -c 300000 /dev/zero | tr "\\0" x; echo; sleep 3') + sh('later', 'echo later'));
      const first = session(tmp, md, { journalFs: io });
      assert.equal(await first.s.runStep('ok'), 'succeeded');
      io.budget = 5000; // the disk fills during big's output
      const t0 = Date.now();
      assert.equal(await first.s.runStep('big'), 'failed');
      assert.ok(Date.now() - t0 < 2500, 'stopped, not run to its end');
      assert.ok(first.s.journalProblem);
      first.s.dispose();
      const journal = first.s.journalFile!;
      wholeLines(journal); // parses line by line even with the disk full
      io.budget = undefined; // space freed
      const second = session(tmp, md, { journalFs: io, resumeFrom: journal });
      assert.equal(await second.s.runStep('later'), 'succeeded');
      second.s.dispose();
      const events = wholeLines(journal);
      const r = replay(events);
      assert.equal(r.steps.ok!.state, 'succeeded');
      assert.equal(r.steps.ok!.output, 'fine\n');
      assert.notEqual(r.steps.big!.state, 'succeeded');
      assert.equal(r.steps.later!.state, 'succeeded');
      assert.ok(events.some((e) => e.type === 'run-resumed'));
    });

    it('a resume in Restricted Mode writes nothing to the journal', async () => {
      const marker = path.join(tmp, 'ran');
      const md = RB(sh('a', 'echo A') + sh('b', `touch '${marker}'`));
      const first = session(tmp, md);
      assert.equal(await first.s.runStep('a'), 'succeeded');
      first.s.dispose();
      const journal = first.s.journalFile!;
      const bytes = fs.readFileSync(journal);
      const untrusted = session(tmp, md, { resumeFrom: journal, isTrusted: () => false });
      assert.equal(untrusted.s.states.get('a')!.state, 'succeeded', 'states come back from the journal');
      assert.equal(untrusted.s.journalFile, journal);
      assert.equal(await untrusted.s.runStep('b'), 'pending');
      assert.equal(await untrusted.s.runAll(), 'cancelled');
      assert.equal(untrusted.s.skip('b'), false);
      untrusted.s.setTarget({ mode: 'real', context: 'prod' });
      untrusted.s.dispose();
      assert.ok(!fs.existsSync(marker));
      assert.deepEqual(fs.readFileSync(journal), bytes, 'the journal is byte for byte unchanged');
      assert.deepEqual(fs.readdirSync(path.dirname(journal)), [path.basename(journal)], 'and no other journal was created');
    });

    it('a resumed run writes run-resumed only with its first event', async () => {
      const md = RB(sh('a', 'echo A') + sh('b', 'echo B'));
      const first = session(tmp, md);
      assert.equal(await first.s.runStep('a'), 'succeeded');
      first.s.dispose();
      const journal = first.s.journalFile!;
      const bytes = fs.readFileSync(journal);
      const idle = session(tmp, md, { resumeFrom: journal });
      idle.s.dispose();
      assert.deepEqual(fs.readFileSync(journal), bytes, 'resumed and closed without doing anything');
      const busy = session(tmp, md, { resumeFrom: journal });
      assert.equal(await busy.s.runStep('b'), 'succeeded');
      busy.s.dispose();
      const before = bytes.toString('utf8').split('\n').filter(Boolean).length;
      const added = wholeLines(journal).slice(before);
      assert.deepEqual(added.map((e) => e.type).filter((t) => t !== 'output'), ['run-resumed', 'step-started', 'step-process', 'step-finished', 'run-finished']);
    });
  });

  describe('breakglass run', () => {
    before(function () {
      if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    });

    function drill(dir: string): { file: string; marker: string } {
      const marker = path.join(dir, 'ran');
      const file = path.join(dir, 'drill.md');
      fs.writeFileSync(file, RB(sh('a', `touch '${marker}'; echo ran`)));
      return { file, marker };
    }

    it('exits 1 without running the step when the journal directory is under a regular file', () => {
      const { file, marker } = drill(tmp);
      fs.writeFileSync(path.join(tmp, 'file'), '');
      const r = cli(['run', file, '--all', '--journal', path.join(tmp, 'file', 'j')], tmp);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /journal error: .*journal directory.*ENOTDIR/);
      assert.ok(!fs.existsSync(marker));
      assert.ok(!r.out.includes('ran'));
    });

    it('--journal /proc/x returns promptly with an error', function () {
      if (process.platform !== 'linux') this.skip();
      const { file, marker } = drill(tmp);
      const r = cli(['run', file, '--all', '--journal', '/proc/x'], tmp, 15_000);
      assert.equal(r.signal, null, `killed after ${r.ms} ms: it did not return`);
      assert.equal(r.code, 1, r.err);
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
      assert.match(r.err, /cannot create the journal directory \/proc\/x/);
      assert.ok(!fs.existsSync(marker));
    });

    it('refuses a journal directory that is a symbolic link', function () {
      if (process.platform === 'win32') this.skip();
      const { file, marker } = drill(tmp);
      fs.mkdirSync(path.join(tmp, 'elsewhere'));
      fs.symlinkSync(path.join(tmp, 'elsewhere'), path.join(tmp, 'j'));
      const r = cli(['run', file, '--all', '--journal', path.join(tmp, 'j')], tmp);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /journal directory .* is a symbolic link/);
      assert.ok(!fs.existsSync(marker));
      assert.deepEqual(fs.readdirSync(path.join(tmp, 'elsewhere')), []);
    });

    describe('on a read-only tmpfs', () => {
      const mnt = tmpfs('bg-ro-', 'ro,size=64k');

      it('exits 1 without running the step', () => {
        const { file, marker } = drill(tmp);
        const r = cli(['run', file, '--all', '--journal', path.join(mnt()!, 'journal')], tmp);
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, /journal error: cannot create the journal directory .*EROFS/);
        assert.ok(!fs.existsSync(marker));
      });
    });

    describe('on a small tmpfs that fills up', () => {
      const mnt = tmpfs('bg-full-', 'size=64k');

      it('stops the step whose output does not fit, exits 1; after space frees a resume appends whole lines', async () => {
        const jdir = path.join(mnt()!, 'journal');
        fs.mkdirSync(jdir, { mode: 0o700 });
        // Fill the filesystem, then free two pages: room for a few lines, not for 300 kB.
        const filler = path.join(mnt()!, 'filler');
        const fd = fs.openSync(filler, 'w');
        const chunk = Buffer.alloc(4096, 0x41);
        let size = 0;
        try {
          for (;;) size += fs.writeSync(fd, chunk);
        } catch (e) {
          assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
        }
        fs.ftruncateSync(fd, Math.max(0, size - 2 * 4096));
        fs.closeSync(fd);
        const after = path.join(tmp, 'after');
        const md = RB(sh('ok', 'echo fine') + sh('big', `head -c 300000 /dev/zero | tr "\\0" x; echo; sleep 3; touch '${after}'`) + sh('later', 'echo later'));
        const file = path.join(tmp, 'drill.md');
        fs.writeFileSync(file, md);
        const r = cli(['run', file, '--step', 'ok', '--step', 'big', '--journal', jdir], tmp);
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, /ENOSPC/);
        assert.match(r.err, /✖ big failed .*stopped: the journal/);
        assert.ok(r.ms < 3000 + 2500, `big was stopped (took ${r.ms} ms)`);
        assert.ok(!fs.existsSync(after));
        const [name] = fs.readdirSync(jdir);
        const journal = path.join(jdir, name!);
        wholeLines(journal);
        // Space frees; the run is resumed (as the Runbook view does) and goes on.
        fs.rmSync(filler);
        const { runbook } = parseRunbook(md, file);
        const resumed = new RunSession({ runbookPath: file, runbook, journalDir: jdir, target: { mode: 'sim' }, prompter: yes, via: 'cli', resumeFrom: journal });
        assert.equal(await resumed.runStep('later'), 'succeeded');
        resumed.dispose();
        assert.equal(resumed.journalProblem, undefined);
        const rep = replay(wholeLines(journal));
        assert.equal(rep.steps.ok!.state, 'succeeded');
        assert.equal(rep.steps.ok!.output, 'fine\n');
        assert.notEqual(rep.steps.big!.state, 'succeeded');
        assert.equal(rep.steps.later!.state, 'succeeded');
      });
    });
  });
});
