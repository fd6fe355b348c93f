import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJournal, replay } from '../../src/runbook/journal';

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
    assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'output'), ['run-started', 'step-started', 'step-finished', 'step-started', 'step-finished', 'run-finished']);
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
    const child = spawn(process.execPath, [CLI, 'run', file, '--all', '--journal', jdir], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`step did not start; output: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        if (out.includes('slow started')) {
          clearTimeout(t);
          res();
        }
      });
    });
    const started = Date.now();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGHUP');
    const code = await exited;
    assert.equal(code, 1, 'the CLI exits 1 after a hangup, not killed by the signal');
    // Past the step's sleep: had its process group lived on, the marker would be there by now.
    await new Promise((r) => setTimeout(r, Math.max(0, 4500 - (Date.now() - started))));
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

  it('the journal survives kill -9 mid-step with every finished step intact', async () => {
    const { dir, file } = runbook(sh('first', 'echo one') + sh('second', 'echo two') + sh('stuck', 'echo $$ > "$BREAKGLASS_RUNBOOK_DIR/step.pid"; echo "stuck started"; sleep 60; echo never') + sh('after', 'echo after'));
    const jdir = join(dir, 'j');
    const child = spawn(process.execPath, [CLI, 'run', file, '--all', '--journal', jdir], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`step did not start; output: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        if (out.includes('stuck started')) {
          clearTimeout(t);
          res();
        }
      });
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    // The step ran in a process group of its own, led by its shell: end the orphan.
    try {
      process.kill(-Number(readFileSync(join(dir, 'step.pid'), 'utf8')), 'SIGKILL');
    } catch {
      /* already gone */
    }
    const [journal] = readdirSync(jdir);
    const read = readJournal(join(jdir, journal));
    assert.deepEqual(read.errors, []);
    const r = replay(read.events);
    assert.equal(r.finished, false);
    assert.equal(r.steps.first.state, 'succeeded');
    assert.equal(r.steps.first.output, 'one\n');
    assert.equal(r.steps.second.state, 'succeeded');
    assert.equal(r.steps.stuck.state, 'cancelled');
    assert.match(r.steps.stuck.reason!, /interrupted/);
    assert.match(r.steps.stuck.output, /stuck started/);
    assert.equal(r.steps.after, undefined);
    // The report of an interrupted run still tells the story.
    const report = cli(['report', join(jdir, journal)]);
    assert.equal(report.code, 0);
    assert.match(report.out, /\| `stuck` \| cancelled \|/);
    assert.match(report.out, /not finished/);
    assert.ok(readFileSync(join(jdir, journal), 'utf8').endsWith('\n'));
  });
});
