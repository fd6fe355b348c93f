import * as esbuild from 'esbuild';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killAllRunning, runShell, runningCount, type ShellRunOptions } from '../../src/runbook/executor';

/** Alive means it exists and is not a zombie (the container's init may be slow to reap). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

describe('executor: runShell', function () {
  this.timeout(20000);
  let tmp: string;
  const leftovers: number[] = [];

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-exec-'));
  });
  afterEach(() => {
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function run(command: string, extra: Partial<ShellRunOptions> = {}) {
    let stdout = '';
    let stderr = '';
    const chunks: string[] = [];
    const res = await runShell({
      command,
      cwd: tmp,
      env: { ...process.env },
      onOutput: (stream, text) => {
        chunks.push(text);
        if (stream === 'stdout') stdout += text;
        else stderr += text;
      },
      ...extra,
    });
    return { res, stdout, stderr, chunks };
  }

  it('reports exit codes', async () => {
    const ok = await run('true');
    assert.equal(ok.res.exitCode, 0);
    assert.equal(ok.res.signal, null);
    assert.equal(ok.res.timedOut, false);
    assert.equal(ok.res.cancelled, false);
    assert.equal(ok.res.error, undefined);
    assert.equal(typeof ok.res.pid, 'number');
    assert.ok(ok.res.durationMs >= 0);

    assert.equal((await run('exit 3')).res.exitCode, 3);
    assert.equal((await run('exit 7', { shell: 'sh' })).res.exitCode, 7);
  });

  it('onSpawn gets the shell\'s pid, the id of the step\'s process group, before any output; not when nothing started', async () => {
    const seen: { pgid: number; output: number }[] = [];
    let stdout = '';
    // Field 5 of /proc/<pid>/stat is the process group (proc(5)).
    const res = await runShell({
      command: 'read -r _ _ _ _ pgrp _ < /proc/$$/stat; echo "$pgrp $$"',
      cwd: tmp,
      env: { ...process.env },
      onSpawn: (pid) => seen.push({ pgid: pid, output: stdout.length }),
      onOutput: (_stream, text) => (stdout += text),
    });
    assert.equal(res.exitCode, 0);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].output, 0, 'before any output');
    assert.equal(seen[0].pgid, res.pid);
    const [pgid, shellPid] = stdout.trim().split(/\s+/).map(Number);
    assert.equal(pgid, seen[0].pgid, 'the shell leads its own group');
    assert.equal(shellPid, seen[0].pgid);
    // A throwing callback does not leave the child unsupervised.
    const t = await run('sleep 5', { onSpawn: () => { throw new Error('boom'); }, timeoutMs: 200, killGraceMs: 200 });
    assert.equal(t.res.timedOut, true);
    const calls: number[] = [];
    const bad = await run('true', { cwd: path.join(tmp, 'missing'), onSpawn: (pid) => calls.push(pid) });
    assert.ok(bad.res.error);
    assert.deepEqual(calls, []);
  });

  it('stops at the first failing command (-e)', async () => {
    const r = await run('echo before; false; echo after');
    assert.equal(r.res.exitCode, 1);
    assert.equal(r.stdout, 'before\n');
    const s = await run('echo before; false; echo after', { shell: 'sh' });
    assert.equal(s.res.exitCode, 1);
    assert.equal(s.stdout, 'before\n');
  });

  it('keeps stdout and stderr apart', async () => {
    const r = await run('echo out; echo err >&2; echo out2');
    assert.equal(r.stdout, 'out\nout2\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('runs in cwd', async () => {
    const r = await run('pwd');
    assert.equal(fs.realpathSync(r.stdout.trim()), fs.realpathSync(tmp));
  });

  it('passes params as environment variables, never as shell code', async () => {
    const marker = path.join(tmp, 'pwned');
    const value = `$(touch ${marker}); rm -rf ${tmp}/nothing; \`touch ${marker}\` "quoted" 'single' | cat`;
    const env = { ...process.env, BG_PARAM: value };
    const quoted = await run('printf "%s" "$BG_PARAM"', { env });
    assert.equal(quoted.res.exitCode, 0);
    assert.equal(quoted.stdout, value);
    // Even unquoted, expansion only splits words; it does not run substitutions.
    const unquoted = await run('echo $BG_PARAM >/dev/null', { env });
    assert.equal(unquoted.res.exitCode, 0);
    const sh = await run('printf "%s" "$BG_PARAM"', { env, shell: 'sh' });
    assert.equal(sh.stdout, value);
    assert.equal(fs.existsSync(marker), false);
  });

  it('uses only the environment it is given', async () => {
    const r = await run('printf "%s|%s" "${HOME-unset}" "$ONLY"', { env: { ONLY: 'yes', PATH: process.env.PATH } });
    assert.equal(r.stdout, 'unset|yes');
  });

  it('fails a pipeline under bash (pipefail), not under sh', async () => {
    const bash = await run('false | true');
    assert.notEqual(bash.res.exitCode, 0);
    const sh = await run('false | true', { shell: 'sh' });
    assert.equal(sh.res.exitCode, 0);
  });

  it('kills a step that runs past its timeout', async () => {
    const t0 = Date.now();
    const r = await run('sleep 30', { timeoutMs: 300, killGraceMs: 1000 });
    assert.equal(r.res.timedOut, true);
    assert.equal(r.res.cancelled, false);
    assert.notEqual(r.res.exitCode, 0);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const t0 = Date.now();
    const r = await run(`trap '' TERM; echo ready; while :; do sleep 0.1; done`, { timeoutMs: 300, killGraceMs: 300 });
    assert.equal(r.res.timedOut, true);
    assert.equal(r.res.signal, 'SIGKILL');
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  it('cancel kills the whole process group, backgrounded children included', async () => {
    const pidFile = path.join(tmp, 'bg.pid');
    const ac = new AbortController();
    const p = run(`sleep 100 & echo $! > "${pidFile}"; sleep 100 | cat; wait`, { signal: ac.signal, killGraceMs: 1000 });
    await waitFor(() => readPid(pidFile) !== undefined, 5000, 'the background pid');
    const bg = readPid(pidFile)!;
    leftovers.push(bg);
    assert.equal(isAlive(bg), true);
    const t0 = Date.now();
    ac.abort();
    const r = await p;
    assert.equal(r.res.cancelled, true);
    assert.equal(r.res.timedOut, false);
    assert.ok(Date.now() - t0 < 5000);
    await waitFor(() => !isAlive(bg), 3000, `background process ${bg} to die`);
    assert.equal(isAlive(bg), false);
  });

  it('does not start when already cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const marker = path.join(tmp, 'ran');
    const r = await run(`touch "${marker}"`, { signal: ac.signal });
    assert.equal(r.res.cancelled, true);
    assert.equal(r.res.pid, undefined);
    assert.equal(fs.existsSync(marker), false);
  });

  it('does not hang on a process that left the group holding the output pipe', async function () {
    if (!fs.existsSync('/usr/bin/setsid') && !fs.existsSync('/bin/setsid')) this.skip();
    const pidFile = path.join(tmp, 'escaped.pid');
    const t0 = Date.now();
    const r = await run(`setsid sleep 30 & echo $! > "${pidFile}"; echo done`, { killGraceMs: 300 });
    const escaped = readPid(pidFile);
    if (escaped) leftovers.push(escaped);
    assert.equal(r.res.exitCode, 0);
    assert.equal(r.stdout, 'done\n');
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
  });

  it('ends background jobs still writing to the step output after the shell exits', async () => {
    const pidFile = path.join(tmp, 'bg.pid');
    const t0 = Date.now();
    const r = await run(`sleep 30 & echo $! > "${pidFile}"; echo done`, { killGraceMs: 300 });
    const bg = readPid(pidFile)!;
    leftovers.push(bg);
    assert.equal(r.res.exitCode, 0);
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
    await waitFor(() => !isAlive(bg), 3000, `background process ${bg} to die`);
  });

  it('reports a bad cwd as an error instead of throwing', async () => {
    const r = await runShell({ command: 'true', cwd: path.join(tmp, 'missing'), env: process.env });
    assert.equal(r.exitCode, null);
    assert.equal(r.pid, undefined);
    assert.match(r.error ?? '', /missing/);
    const file = path.join(tmp, 'file');
    fs.writeFileSync(file, '');
    const f = await runShell({ command: 'true', cwd: file, env: process.env });
    assert.match(f.error ?? '', /not a directory/);
  });

  it('reports a missing shell as an error instead of throwing', async () => {
    const r = await runShell({ command: 'true', cwd: tmp, env: process.env, shellPath: path.join(tmp, 'no-such-shell') });
    assert.equal(r.exitCode, null);
    assert.equal(r.pid, undefined);
    assert.match(r.error ?? '', /no-such-shell/);
  });

  it('reports invalid arguments as an error instead of throwing', async () => {
    const r = await runShell({ command: 'echo a\0b', cwd: tmp, env: process.env });
    assert.ok(r.error);
  });

  it('decodes multi-byte utf-8 split across chunks', async () => {
    // € is E2 82 AC; the pause makes the bytes arrive in separate reads.
    const r = await run(`printf '\\342'; sleep 0.3; printf '\\202\\254 ok\\n'; printf '\\360\\237'; sleep 0.3; printf '\\232\\200\\n'`);
    assert.equal(r.res.exitCode, 0);
    assert.equal(r.stdout, '€ ok\n🚀\n');
    for (const c of r.chunks) assert.ok(!c.includes('\uFFFD'), `replacement character in ${JSON.stringify(c)}`);
  });

  it('survives a throwing output consumer', async () => {
    const r = await runShell({
      command: 'echo a; echo b',
      cwd: tmp,
      env: process.env,
      onOutput: () => {
        throw new Error('boom');
      },
    });
    assert.equal(r.exitCode, 0);
  });

  it('killAllRunning ends every running group', async () => {
    const a = run('sleep 30');
    const b = run('sleep 30 | cat');
    await waitFor(() => runningCount() >= 2, 3000, 'two running groups');
    killAllRunning();
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.res.cancelled, true);
    assert.equal(rb.res.cancelled, true);
    assert.equal(ra.res.signal, 'SIGKILL');
    await waitFor(() => runningCount() === 0, 3000, 'the registry to empty');
  });

  it('kills running groups when the Node process exits', async () => {
    // A separate Node process runs a step and exits mid-step; the step's background child must die.
    const root = path.resolve(__dirname, '../../..');
    const bundle = path.join(tmp, 'executor.js');
    esbuild.buildSync({
      entryPoints: [path.join(root, 'src/runbook/executor.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
      logLevel: 'silent',
    });
    const pidFile = path.join(tmp, 'bg.pid');
    const script = path.join(tmp, 'child.js');
    fs.writeFileSync(
      script,
      `const { runShell } = require(${JSON.stringify(bundle)});
const fs = require('fs');
runShell({ command: 'sleep 100 & echo $! > ' + ${JSON.stringify(JSON.stringify(pidFile))} + '; wait', cwd: ${JSON.stringify(tmp)}, env: process.env });
const iv = setInterval(() => { if (fs.existsSync(${JSON.stringify(pidFile)}) && fs.readFileSync(${JSON.stringify(pidFile)}, 'utf8').trim()) { clearInterval(iv); process.exit(0); } }, 20);
`,
    );
    const child = spawn(process.execPath, [script], { stdio: 'ignore' });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 0);
    const bg = readPid(pidFile);
    assert.ok(bg, 'the step wrote its background pid');
    leftovers.push(bg);
    await waitFor(() => !isAlive(bg), 3000, `background process ${bg} to die`);
  });
});
