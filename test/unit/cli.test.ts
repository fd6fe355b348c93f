import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processGroupRunning, readJournal, replay } from '../../src/runbook/journal';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession } from '../../src/runbook/session';

// Built by `npm run build` (the test command builds first).
const CLI = resolve(__dirname, '../../../dist/cli.js');

function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function runbook(body: string, front = ''): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bg-cli-'));
  const file = join(dir, 'drill.md');
  writeFileSync(file, `---\nrunbook: true\ntitle: Drill\n${front}---\n${body}`);
  return { dir, file };
}
const sh = (name: string, body: string, attrs = '') => `\n\`\`\`bash {name=${name}${attrs ? ' ' + attrs : ''}}\n${body}\n\`\`\`\n`;

/** Runs `breakglass run FILE --all`, waits until its output has `text`, then sends it `signal`; its exit code. */
async function killWhenPrinted(file: string, jdir: string, text: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, 'run', file, '--all', '--journal', jdir], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`step did not start; output: ${out}`)), 20_000);
    child.stdout.on('data', () => {
      if (out.includes(text)) {
        clearTimeout(t);
        res();
      }
    });
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill(signal);
  return exited;
}

describe('breakglass run (command line)', function () {
  this.timeout(30_000);
  before(function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  });

  it('runs all steps, writes the journal, exits 0', () => {
    const { dir, file } = runbook(sh('a', 'echo alpha') + sh('b', 'echo "p=$P"'), 'params:\n  P: one\n');
    const r = cli(['run', file, '--all', '--journal', join(dir, 'j'), '--param', 'P=two']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /alpha\np=two\n/);
    const [journal] = readdirSync(join(dir, 'j'));
    const events = readJournal(join(dir, 'j', journal)).events;
    assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'output'), ['run-started', 'step-started', 'step-process', 'step-finished', 'step-started', 'step-process', 'step-finished', 'run-finished']);
    assert.equal(events[0].type === 'run-started' && events[0].via, 'cli');
  });

  it('exits 1 when a step fails and runs only the named steps', () => {
    const { dir, file } = runbook(sh('a', 'echo a') + sh('b', 'exit 4') + sh('c', 'echo c'));
    const all = cli(['run', file, '--all', '--journal', join(dir, 'j')]);
    assert.equal(all.code, 1);
    assert.ok(!all.out.includes('c\n'));
    const one = cli(['run', file, '--step', 'c', '--step', 'a', '--journal', join(dir, 'j')]);
    assert.equal(one.code, 0);
    assert.equal(one.out, 'c\na\n');
  });

  it('rejects bad usage with exit 2 and a clear message', () => {
    const { file } = runbook(sh('a', 'true'));
    assert.match(cli(['run', file]).err, /--step NAME or --all/);
    assert.equal(cli(['run', file, '--step', 'zzz']).code, 2);
    assert.match(cli(['run', file, '--step', 'zzz']).err, /no step named 'zzz' \(steps: a\)/);
    const real = cli(['run', file, '--all', '--mode', 'real']);
    assert.equal(real.code, 2);
    assert.match(real.err, /real mode needs an explicit --context/);
    assert.equal(cli(['run', '/nonexistent.md', '--all']).code, 2);
    assert.equal(cli(['run', file, '--all', '--param', 'NOPE=1']).code, 2);
    assert.equal(cli(['frobnicate']).code, 2);
    const seed = resolve(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
    const hold = cli(['sim', 'serve', seed, '--hold-at', 'soon']);
    assert.equal(hold.code, 2);
    assert.match(hold.err, /--hold-at must be a duration such as 5m/);
  });

  it('does not run a confirm step without --yes when there is no terminal', () => {
    const { dir, file } = runbook(sh('c', 'echo ran', 'confirm=true'));
    const r = cli(['run', file, '--all', '--journal', join(dir, 'j')]);
    assert.equal(r.code, 1);
    assert.ok(!r.out.includes('ran'));
    assert.match(r.err, /needs confirmation/);
    assert.equal(cli(['run', file, '--all', '--yes', '--journal', join(dir, 'j')]).code, 0);
  });

  it('check lists problems with line numbers', () => {
    const { file } = runbook(sh('a', 'true', 'timeout=never'));
    const r = cli(['check', file]);
    assert.equal(r.code, 1);
    assert.match(r.out, /drill\.md:6: error: attribute 'timeout' must be a duration/);
  });

  it('SIGHUP (the terminal closed) cancels the running step: its process group is killed, the journal says cancelled, exit 1', async () => {
    const { dir, file } = runbook(sh('slow', 'echo $$ > "$BREAKGLASS_RUNBOOK_DIR/step.pid"; echo "slow started"; sleep 3; echo done > "$BREAKGLASS_RUNBOOK_DIR/marker"') + sh('after', 'echo after > "$BREAKGLASS_RUNBOOK_DIR/after"'));
    const jdir = join(dir, 'j');
    const code = await killWhenPrinted(file, jdir, 'slow started', 'SIGHUP');
    assert.equal(code, 1, 'the CLI exits 1 after a hangup, not killed by the signal');
    // Past the step's sleep: had its process group lived on, the marker would be there by now.
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(existsSync(join(dir, 'marker')), false, 'the step must not finish after the hangup');
    assert.equal(existsSync(join(dir, 'after')), false, 'no later step may start');
    assert.throws(() => process.kill(-Number(readFileSync(join(dir, 'step.pid'), 'utf8')), 0), /ESRCH/);
    const [journal] = readdirSync(jdir);
    const read = readJournal(join(jdir, journal));
    assert.deepEqual(read.errors, []);
    const fin = read.events.find((e) => e.type === 'step-finished');
    assert.ok(fin && fin.type === 'step-finished');
    assert.equal(fin.stepId, 'slow');
    assert.equal(fin.state, 'cancelled');
    const last = read.events[read.events.length - 1];
    assert.equal(last.type === 'run-finished' && last.outcome, 'cancelled');
    assert.equal(replay(read.events).steps.slow.state, 'cancelled');
  });

  it('after kill -9 of the CLI the step\'s process group lives on: replay, resume and the report say it may still run, with its group, not cancelled', async () => {
    const { dir, file } = runbook(sh('orphan', 'echo $$ > "$BREAKGLASS_RUNBOOK_DIR/step.pid"; echo "orphan started"; sleep 2; echo done > "$BREAKGLASS_RUNBOOK_DIR/marker"'));
    const jdir = join(dir, 'j');
    await killWhenPrinted(file, jdir, 'orphan started');
    const pgid = Number(readFileSync(join(dir, 'step.pid'), 'utf8'));
    const [journal] = readdirSync(jdir);
    const jfile = join(jdir, journal);
    const events = readJournal(jfile).events;
    const proc = events.find((e) => e.type === 'step-process');
    assert.ok(proc && proc.type === 'step-process', 'the process group is journaled when the shell starts');
    assert.equal(proc.pgid, pgid);
    assert.ok(events.indexOf(proc) < events.findIndex((e) => e.type === 'output'), 'before any output');
    // Right away the group is still there (sleeping): replay sees it running.
    const now = replay(events).steps.orphan;
    assert.equal(now.state, 'failed');
    assert.equal(now.mayStillRun, true);
    assert.equal(now.processGroup, pgid);
    assert.equal(now.reason, `the run ended while this step was running; its process group ${pgid} is still running (Breakglass did not stop it)`);
    // As documented, nothing stops it: it finishes on its own.
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(dir, 'marker')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(readFileSync(join(dir, 'marker'), 'utf8'), 'done\n', 'the orphaned step ran to its end');
    // Its shell exits right after writing the marker.
    const gone = Date.now() + 5000;
    while (processGroupRunning(pgid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    const later = replay(readJournal(jfile).events).steps.orphan;
    assert.equal(later.state, 'failed');
    assert.equal(later.reason, `the run ended while this step was running; its process group ${pgid} may still be running (Breakglass did not stop it)`);
    // The report says so, and does not call it cancelled.
    const report = cli(['report', jfile]);
    assert.equal(report.code, 0, report.err);
    assert.match(report.out, new RegExp(`\\| \`orphan\` \\| failed \\|.*its process group ${pgid} may still be running`));
    assert.match(report.out, new RegExp(`> \\*\\*Warning:\\*\\* \`orphan\` may still be running: .*process group ${pgid} on \\S+ was not stopped`));
    assert.match(report.out, new RegExp(`\\*\\*orphan\\*\\* may still be running \\(process group ${pgid}\\); its last output:`));
    assert.doesNotMatch(report.out, /cancelled|was interrupted/);
    // Resuming the run shows the same.
    const { runbook: rb } = parseRunbook(readFileSync(file, 'utf8'), file);
    const session = new RunSession({ runbookPath: file, runbook: rb, journalDir: jdir, target: { mode: 'sim' }, prompter: { confirm: async () => false, confirmTargets: async () => false, askParam: async () => undefined }, via: 'cli', resumeFrom: jfile });
    try {
      const st = session.states.get('orphan')!;
      assert.equal(st.state, 'failed');
      assert.equal(st.reason, later.reason);
      assert.equal(session.outcome(), 'failed');
    } finally {
      session.dispose();
    }
  });

  it('the journal survives kill -9 mid-step with every finished step intact', async () => {
    const { dir, file } = runbook(sh('first', 'echo one') + sh('second', 'echo two') + sh('stuck', 'echo $$ > "$BREAKGLASS_RUNBOOK_DIR/step.pid"; echo "stuck started"; sleep 60; echo never') + sh('after', 'echo after'));
    const jdir = join(dir, 'j');
    await killWhenPrinted(file, jdir, 'stuck started');
    // The step ran in a process group of its own, led by its shell: end the orphan.
    try {
      process.kill(-Number(readFileSync(join(dir, 'step.pid'), 'utf8')), 'SIGKILL');
    } catch {
      /* already gone */
    }
    // The signal is delivered asynchronously: wait until the group is gone.
    const deadline = Date.now() + 5000;
    while (processGroupRunning(Number(readFileSync(join(dir, 'step.pid'), 'utf8'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [journal] = readdirSync(jdir);
    const read = readJournal(join(jdir, journal));
    assert.deepEqual(read.errors, []);
    const r = replay(read.events);
    assert.equal(r.finished, false);
    assert.equal(r.steps.first.state, 'succeeded');
    assert.equal(r.steps.first.output, 'one\n');
    assert.equal(r.steps.second.state, 'succeeded');
    // Its process group was recorded and nothing stopped it: not "cancelled".
    assert.equal(r.steps.stuck.state, 'failed');
    assert.equal(r.steps.stuck.mayStillRun, true);
    assert.equal(r.steps.stuck.processGroup, Number(readFileSync(join(dir, 'step.pid'), 'utf8')));
    assert.match(r.steps.stuck.reason!, /the run ended while this step was running; its process group \d+ may still be running/);
    assert.match(r.steps.stuck.output, /stuck started/);
    assert.equal(r.steps.after, undefined);
    // The report of an interrupted run still tells the story.
    const report = cli(['report', join(jdir, journal)]);
    assert.equal(report.code, 0);
    assert.match(report.out, /\| `stuck` \| failed \|/);
    assert.match(report.out, /not finished/);
    assert.ok(readFileSync(join(jdir, journal), 'utf8').endsWith('\n'));
  });
});
