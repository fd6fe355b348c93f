import * as esbuild from 'esbuild';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalEvent, RunStartedEvent } from '../../src/runbook/events';
import { INTERRUPTED_REASON, Journal, REPLAY_OUTPUT_CAP, journalFileName, listJournals, processGroupRunning, readJournal, replay } from '../../src/runbook/journal';

const T0 = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));

function started(runbook: string, t: string, title = 'Demo', runId = 'run-1'): RunStartedEvent {
  return {
    type: 'run-started',
    t,
    v: 1,
    runId,
    runbook,
    title,
    mode: 'sim',
    target: 'simulated',
    user: 'me',
    host: 'box',
    via: 'cli',
    params: { ns: 'default' },
  };
}

const stepStarted = (stepId: string, t = '2025-01-02T03:04:06.000Z'): JournalEvent => ({
  type: 'step-started',
  t,
  stepId,
  kind: 'shell',
  command: 'echo hi',
  user: 'me',
  mode: 'sim',
  target: 'simulated',
});
const output = (stepId: string, text: string, stream: 'stdout' | 'stderr' | 'info' = 'stdout'): JournalEvent => ({ type: 'output', t: '2025-01-02T03:04:07.000Z', stepId, stream, text });
const stepFinished = (stepId: string, state: 'succeeded' | 'failed' = 'succeeded', exitCode = 0, reason?: string): JournalEvent => ({
  type: 'step-finished',
  t: '2025-01-02T03:04:08.000Z',
  stepId,
  state,
  exitCode,
  signal: null,
  timedOut: false,
  durationMs: 2000,
  ...(reason ? { reason } : {}),
});

describe('journal', function () {
  this.timeout(20000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-journal-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('journalFileName', () => {
    it('is <basename without .md>-<UTC timestamp>.jsonl', () => {
      assert.equal(journalFileName('/ws/runbooks/etcd-defrag.md', T0), 'etcd-defrag-20250102T030405Z.jsonl');
      assert.equal(journalFileName('/ws/api.runbook.md', T0), 'api.runbook-20250102T030405Z.jsonl');
      assert.equal(journalFileName('C:\\ws\\Node Down.MD', T0), 'Node_Down-20250102T030405Z.jsonl');
    });

    it('is filesystem-safe', () => {
      const name = journalFileName('/ws/..weird: name*?<>|"é.md', T0);
      assert.match(name, /^[A-Za-z0-9._-]+\.jsonl$/);
      assert.ok(!name.startsWith('.'));
      assert.equal(journalFileName('/ws/.md', T0), 'runbook-20250102T030405Z.jsonl');
      assert.ok(journalFileName(`/ws/${'x'.repeat(300)}.md`, T0).length < 130);
    });
  });

  describe('Journal', () => {
    it('round-trips events', () => {
      const dir = path.join(tmp, 'a', 'b');
      const j = Journal.create(dir, '/ws/demo.md', T0);
      assert.equal(path.dirname(j.file), dir);
      assert.equal(path.basename(j.file), 'demo-20250102T030405Z.jsonl');
      const events: JournalEvent[] = [
        started('/ws/demo.md', T0.toISOString()),
        stepStarted('a'),
        output('a', 'line with "quotes", a newline\nand unicode €🚀\u2028\n'),
        stepFinished('a'),
        { type: 'decision', t: T0.toISOString(), stepId: 'b', decision: 'declined', user: 'me' },
        { type: 'run-finished', t: T0.toISOString(), outcome: 'partial' },
      ];
      for (const e of events) j.append(e);
      j.close();
      j.close(); // twice is fine
      assert.throws(() => j.append(output('a', 'late')), /closed/);
      const text = fs.readFileSync(j.file, 'utf8');
      assert.equal(text.split('\n').length, events.length + 1, 'one line per event');
      const read = readJournal(j.file);
      assert.deepEqual(read.errors, []);
      assert.deepEqual(read.events, events);
    });

    it('creates the file with mode 0600', function () {
      if (process.platform === 'win32') this.skip();
      const j = Journal.create(tmp, '/ws/demo.md', T0);
      j.close();
      assert.equal(fs.statSync(j.file).mode & 0o777, 0o600);
    });

    it('never reuses an existing name', () => {
      const a = Journal.create(tmp, '/ws/demo.md', T0);
      const b = Journal.create(tmp, '/ws/demo.md', T0);
      const c = Journal.create(tmp, '/other/demo.md', T0);
      for (const j of [a, b, c]) j.close();
      assert.deepEqual(
        [a, b, c].map((j) => path.basename(j.file)),
        ['demo-20250102T030405Z.jsonl', 'demo-20250102T030405Z-2.jsonl', 'demo-20250102T030405Z-3.jsonl'],
      );
    });

    it('appends to an existing journal on resume', () => {
      const j = Journal.create(tmp, '/ws/demo.md', T0);
      j.append(started('/ws/demo.md', T0.toISOString()));
      j.append(stepStarted('a'));
      j.close();
      const r = Journal.openForAppend(j.file);
      assert.equal(r.file, j.file);
      r.append({ type: 'run-resumed', t: T0.toISOString(), runId: 'run-1', user: 'me', mode: 'real', target: 'prod' });
      r.close();
      const read = readJournal(j.file);
      assert.deepEqual(read.errors, []);
      assert.deepEqual(
        read.events.map((e) => e.type),
        ['run-started', 'step-started', 'run-resumed'],
      );
      assert.throws(() => Journal.openForAppend(path.join(tmp, 'missing.jsonl')));
    });

    it('starts a fresh line when resuming after a torn write', () => {
      const j = Journal.create(tmp, '/ws/demo.md', T0);
      j.append(started('/ws/demo.md', T0.toISOString()));
      j.close();
      fs.appendFileSync(j.file, '{"type":"output","t":"x","stepId":"a","text":"cut sh');
      const r = Journal.openForAppend(j.file);
      r.append(stepStarted('b'));
      r.close();
      const read = readJournal(j.file);
      assert.deepEqual(
        read.events.map((e) => e.type),
        ['run-started', 'step-started'],
      );
      assert.equal(read.errors.length, 1);
      assert.equal(read.errors[0]!.line, 2);
    });
  });

  describe('readJournal', () => {
    it('reports a torn last line instead of throwing', () => {
      const file = path.join(tmp, 'torn.jsonl');
      const lines = [JSON.stringify(started('/ws/demo.md', T0.toISOString())), JSON.stringify(stepStarted('a'))];
      fs.writeFileSync(file, lines.join('\n') + '\n' + '{"type":"output","t":"2025-01-02T03:04:07.000Z","stepId":"a","te');
      const read = readJournal(file);
      assert.equal(read.events.length, 2);
      assert.equal(read.errors.length, 1);
      assert.equal(read.errors[0]!.line, 3);
      assert.match(read.errors[0]!.message, /incomplete last line/);
    });

    it('reports lines that are not events', () => {
      const file = path.join(tmp, 'bad.jsonl');
      fs.writeFileSync(file, ['[1,2]', '{"t":"x"}', '{"type":"mystery","t":"x"}', '', JSON.stringify(stepStarted('a')), ''].join('\n'));
      const read = readJournal(file);
      assert.equal(read.events.length, 1);
      assert.deepEqual(
        read.errors.map((e) => e.line),
        [1, 2, 3],
      );
    });
  });

  describe('replay', () => {
    it('rebuilds finished, failed and interrupted steps', () => {
      const r = replay([
        started('/ws/demo.md', '2025-01-02T03:04:05.000Z'),
        stepStarted('a'),
        output('a', 'hello '),
        output('a', 'world\n', 'stderr'),
        stepFinished('a'),
        stepStarted('b'),
        stepFinished('b', 'failed', 2, 'exit code 2'),
        stepStarted('c', '2025-01-02T03:05:00.000Z'),
        output('c', 'partial'),
      ]);
      assert.equal(r.runId, 'run-1');
      assert.equal(r.mode, 'sim');
      assert.equal(r.target, 'simulated');
      assert.equal(r.finished, false);
      assert.deepEqual(r.steps.a, {
        state: 'succeeded',
        exitCode: 0,
        startedAt: '2025-01-02T03:04:06.000Z',
        finishedAt: '2025-01-02T03:04:08.000Z',
        durationMs: 2000,
        output: 'hello world\n',
      });
      assert.equal(r.steps.b!.state, 'failed');
      assert.equal(r.steps.b!.exitCode, 2);
      assert.equal(r.steps.b!.reason, 'exit code 2');
      assert.deepEqual(r.steps.c, {
        state: 'cancelled',
        exitCode: null,
        startedAt: '2025-01-02T03:05:00.000Z',
        output: 'partial',
        reason: INTERRUPTED_REASON,
      });
      assert.equal(INTERRUPTED_REASON, 'interrupted: the run ended while this step was running');
    });

    it('follows a resume: interrupted steps, re-runs, new target, finish', () => {
      const r = replay([
        started('/ws/demo.md', '2025-01-02T03:04:05.000Z'),
        stepStarted('a'),
        output('a', 'first attempt'),
        { type: 'run-resumed', t: '2025-01-02T04:00:00.000Z', runId: 'run-1', user: 'me', mode: 'real', target: 'prod-ctx' },
        stepStarted('a', '2025-01-02T04:00:01.000Z'),
        output('a', 'second attempt'),
        stepFinished('a'),
        { type: 'run-finished', t: '2025-01-02T04:00:09.000Z', outcome: 'succeeded' },
      ]);
      assert.equal(r.mode, 'real');
      assert.equal(r.target, 'prod-ctx');
      assert.equal(r.finished, true);
      assert.equal(r.steps.a!.state, 'succeeded');
      assert.equal(r.steps.a!.output, 'second attempt');
      assert.equal(r.steps.a!.startedAt, '2025-01-02T04:00:01.000Z');
      assert.equal(r.steps.a!.reason, undefined);
    });

    it('keeps only the tail of long output', () => {
      const chunk = 'x'.repeat(64 * 1024);
      const events: JournalEvent[] = [stepStarted('a')];
      for (let i = 0; i < 10; i++) events.push(output('a', chunk));
      events.push(output('a', 'THE END'));
      const r = replay(events);
      assert.equal(r.steps.a!.output.length, REPLAY_OUTPUT_CAP);
      assert.ok(r.steps.a!.output.endsWith('xTHE END'));
    });

    it('treats step ids as plain keys', () => {
      const r = replay([stepStarted('__proto__'), stepFinished('__proto__'), stepStarted('constructor'), stepFinished('constructor')]);
      assert.deepEqual(Object.keys(r.steps).sort(), ['__proto__', 'constructor']);
      assert.equal(r.steps['__proto__']!.state, 'succeeded');
      assert.equal(Object.getPrototypeOf(r.steps), Object.prototype);
    });

    it('a step whose process group started and never finished may still run: failed, with the group, not cancelled', () => {
      const proc = (stepId: string, pgid: number, host = os.hostname()): JournalEvent => ({ type: 'step-process', t: '2025-01-02T03:04:06.500Z', stepId, pgid, host });
      const events: JournalEvent[] = [
        started('/ws/demo.md', '2025-01-02T03:04:05.000Z'),
        stepStarted('done'),
        proc('done', 4242),
        stepFinished('done'),
        stepStarted('orphan'),
        proc('orphan', 12345),
        output('orphan', 'partial'),
        stepStarted('unspawned'),
      ];
      const asked: [number, string | undefined][] = [];
      const r = replay(events, { isRunning: (pgid, host) => (asked.push([pgid, host]), false) });
      assert.deepEqual(asked, [[12345, os.hostname()]], 'only the unfinished group is looked at');
      assert.equal(r.steps.done!.state, 'succeeded');
      assert.equal(r.steps.done!.mayStillRun, undefined);
      assert.equal(r.steps.orphan!.state, 'failed');
      assert.equal(r.steps.orphan!.mayStillRun, true);
      assert.equal(r.steps.orphan!.processGroup, 12345);
      assert.equal(r.steps.orphan!.output, 'partial');
      assert.equal(r.steps.orphan!.reason, 'the run ended while this step was running; its process group 12345 may still be running (Breakglass did not stop it)');
      // Nothing was spawned: nothing can still run, the old wording stays.
      assert.equal(r.steps.unspawned!.state, 'cancelled');
      assert.equal(r.steps.unspawned!.reason, INTERRUPTED_REASON);
      assert.equal(r.steps.unspawned!.mayStillRun, undefined);

      const alive = replay(events, { isRunning: () => true });
      assert.match(alive.steps.orphan!.reason!, /its process group 12345 is still running/);
      // Recorded on another host: named, and not looked for here.
      const elsewhere = replay([stepStarted('x'), proc('x', 777, 'other-box')]);
      assert.match(elsewhere.steps.x!.reason!, /its process group 777 on other-box may still be running/);
      // Through a resume: the orphan stays an orphan; a re-run that finishes clears it.
      const resumed = replay([...events, { type: 'run-resumed', t: '2025-01-02T04:00:00.000Z', runId: 'run-1', user: 'me', mode: 'sim', target: 'simulated' }], { isRunning: () => false });
      assert.equal(resumed.steps.orphan!.state, 'failed');
      assert.equal(resumed.steps.orphan!.mayStillRun, true);
      const rerun = replay([...events, stepStarted('orphan', '2025-01-02T05:00:00.000Z'), stepFinished('orphan')]);
      assert.equal(rerun.steps.orphan!.state, 'succeeded');
      assert.equal(rerun.steps.orphan!.mayStillRun, undefined);
      // A stray group event after the step finished does not make it an orphan.
      const stray = replay([stepStarted('a'), stepFinished('a'), proc('a', 99)]);
      assert.equal(stray.steps.a!.state, 'succeeded');
      assert.equal(stray.steps.a!.processGroup, undefined);
      // The event survives a write and a read.
      const j = Journal.create(tmp, '/ws/demo.md', T0);
      for (const e of events) j.append(e);
      j.close();
      const read = readJournal(j.file);
      assert.deepEqual(read.errors, []);
      assert.equal(replay(read.events, { isRunning: () => false }).steps.orphan!.reason, r.steps.orphan!.reason);
    });

    it('by default looks for the recorded process group on this host (kill -0)', async () => {
      const child = spawn('/bin/sleep', ['30'], { detached: true, stdio: 'ignore' });
      const pgid = child.pid!;
      const events: JournalEvent[] = [stepStarted('s'), { type: 'step-process', t: '2025-01-02T03:04:06.500Z', stepId: 's', pgid, host: os.hostname() }];
      try {
        assert.equal(processGroupRunning(pgid), true);
        assert.match(replay(events).steps.s!.reason!, new RegExp(`its process group ${pgid} is still running`));
      } finally {
        const gone = new Promise((r) => child.once('exit', r));
        process.kill(-pgid, 'SIGKILL');
        await gone;
      }
      assert.equal(processGroupRunning(pgid), false);
      assert.match(replay(events).steps.s!.reason!, new RegExp(`its process group ${pgid} may still be running`));
    });

    it('gives an empty run for no events', () => {
      assert.deepEqual(replay([]), { steps: {}, finished: false });
    });
  });

  describe('listJournals', () => {
    it('lists journals newest first, filtered by runbook', () => {
      const write = (runbook: string, start: Date, title: string) => {
        const j = Journal.create(tmp, runbook, start);
        j.append(started(runbook, start.toISOString(), title));
        j.append(stepStarted('a'));
        j.close();
        return j.file;
      };
      const d = (h: number) => new Date(Date.UTC(2025, 0, 2, h, 0, 0));
      const old = write('/ws/demo.md', d(1), 'Demo 1');
      const other = write('/ws/other.md', d(2), 'Other');
      const newest = write('/ws/demo.md', d(3), 'Demo 3');
      const mid = write('/ws/sub/../demo.md', d(2), 'Demo 2');
      fs.writeFileSync(path.join(tmp, 'garbage.jsonl'), 'not json\n');
      fs.writeFileSync(path.join(tmp, 'empty.jsonl'), '');
      fs.writeFileSync(path.join(tmp, 'no-start.jsonl'), JSON.stringify(stepStarted('a')) + '\n');
      fs.writeFileSync(path.join(tmp, 'notes.txt'), 'hello');
      fs.mkdirSync(path.join(tmp, 'dir.jsonl'));

      const all = listJournals(tmp);
      assert.equal(all.length, 4);
      assert.equal(all[0]!.file, newest);
      assert.equal(all[3]!.file, old);

      const demo = listJournals(tmp, '/ws/demo.md');
      assert.deepEqual(
        demo.map((j) => j.file),
        [newest, mid, old],
      );
      assert.deepEqual(demo[0], { file: newest, runbook: '/ws/demo.md', startedAt: d(3).toISOString(), title: 'Demo 3' });
      assert.deepEqual(
        listJournals(tmp, '/ws/other.md').map((j) => j.file),
        [other],
      );
      assert.deepEqual(listJournals(tmp, '/ws/none.md'), []);
      assert.deepEqual(listJournals(path.join(tmp, 'missing')), []);
    });

    it('reads only the first line', () => {
      const file = path.join(tmp, 'big.jsonl');
      const first = JSON.stringify(started('/ws/demo.md', T0.toISOString()));
      fs.writeFileSync(file, first + '\n' + 'x'.repeat(5 * 1024 * 1024));
      assert.equal(listJournals(tmp).length, 1);
    });
  });

  describe('crash safety', () => {
    it('keeps every event written before the writer was killed with SIGKILL', async () => {
      const root = path.resolve(__dirname, '../../..');
      const bundle = path.join(tmp, 'journal-bundle.js');
      esbuild.buildSync({
        entryPoints: [path.join(root, 'src/runbook/journal.ts')],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        outfile: bundle,
        logLevel: 'silent',
      });
      const dir = path.join(tmp, 'journal');
      const script = path.join(tmp, 'writer.js');
      fs.writeFileSync(
        script,
        `'use strict';
const { Journal } = require(${JSON.stringify(bundle)});
const j = Journal.create(${JSON.stringify(dir)}, '/ws/crash.md');
const t = () => new Date().toISOString();
const base = { user: 'me', mode: 'sim', target: 'simulated' };
j.append({ type: 'run-started', t: t(), v: 1, runId: 'crash-1', runbook: '/ws/crash.md', title: 'Crash', mode: 'sim', target: 'simulated', user: 'me', host: 'h', via: 'cli', params: {} });
j.append({ type: 'step-started', t: t(), stepId: 'a', kind: 'shell', command: 'true', ...base });
j.append({ type: 'step-finished', t: t(), stepId: 'a', state: 'succeeded', exitCode: 0, signal: null, timedOut: false, durationMs: 5 });
j.append({ type: 'step-started', t: t(), stepId: 'b', kind: 'shell', command: 'sleep 100', ...base });
for (let i = 0; i < 5; i++) j.append({ type: 'output', t: t(), stepId: 'b', stream: 'stdout', text: 'tick ' + i + '\\n' });
setInterval(() => {}, 1000); // hang, as a process stuck mid-step
`,
      );
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (b) => (stderr += b));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
      try {
        const deadline = Date.now() + 10000;
        for (;;) {
          const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
          if (files.length === 1 && fs.readFileSync(path.join(dir, files[0]!), 'utf8').includes('tick 4')) break;
          if (child.exitCode !== null) assert.fail(`writer exited early: ${stderr}`);
          if (Date.now() > deadline) assert.fail(`writer did not write its events: ${stderr}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        child.kill('SIGKILL');
      }
      assert.equal(await exited, 'SIGKILL');

      const [listing] = listJournals(dir, '/ws/crash.md');
      assert.ok(listing);
      const read = readJournal(listing.file);
      assert.deepEqual(read.errors, []);
      assert.deepEqual(
        read.events.map((e) => e.type),
        ['run-started', 'step-started', 'step-finished', 'step-started', 'output', 'output', 'output', 'output', 'output'],
      );
      const r = replay(read.events);
      assert.equal(r.runId, 'crash-1');
      assert.equal(r.finished, false);
      assert.equal(r.steps.a!.state, 'succeeded');
      assert.equal(r.steps.a!.exitCode, 0);
      assert.equal(r.steps.b!.state, 'cancelled');
      assert.equal(r.steps.b!.reason, INTERRUPTED_REASON);
      assert.equal(r.steps.b!.output, 'tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n');
    });
  });
});
