// The pure parts of Runme's execution dialect (src/runbook/runme.ts). Sources: runmedev/runme at
// dea82115348945835f326f75db0a35c37c5a4100 and stateful/godotenv at c7bc0b812915ecf4443ba52db3c66174bdaf4580.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envDumpPrologue, isOutputName, outputValue, parseDotenv, parseEnvDump, shellProgram, stripPrompts } from '../../src/runbook/runme';

describe('runme dialect', () => {
  describe('stripPrompts (runner/client/client.go prepareCommandSeq)', () => {
    it('removes `$ ` from each line that starts with it, and nothing else', () => {
      assert.equal(stripPrompts('$ export VARIABLE=Foo\necho $VARIABLE\n  $ indented\n$HOME/bin/x\n$(date)', 'sh'), 'export VARIABLE=Foo\necho $VARIABLE\n  $ indented\n$HOME/bin/x\n$(date)');
    });
    it('leaves languages that are not shell alone', () => {
      assert.equal(stripPrompts('$ not a prompt', 'python'), '$ not a prompt');
      assert.equal(stripPrompts('$ a', ''), 'a');
      assert.equal(stripPrompts('$ a', 'shellscript'), 'a');
    });
  });

  describe('shellProgram (command/command.go, command_inline_shell.go shellOptions)', () => {
    it('runs every shell language in bash with -e -o pipefail by default', () => {
      for (const lang of ['sh', 'bash', 'shell', 'shellscript', '']) assert.deepEqual(shellProgram(lang), { file: '/bin/bash', args: ['-e', '-o', 'pipefail'], family: 'bash', capturesEnv: true });
    });
    it('follows front-matter `shell`, with its own words and its family\'s flags', () => {
      assert.deepEqual(shellProgram('sh', 'sh'), { file: '/bin/sh', args: ['-e'], family: 'sh', capturesEnv: true });
      assert.deepEqual(shellProgram('bash', 'zsh'), { file: 'zsh', args: ['-e', '-o', 'pipefail'], family: 'zsh', capturesEnv: true });
      assert.deepEqual(shellProgram('sh', '/usr/bin/fish --no-config'), { file: '/usr/bin/fish', args: ['--no-config'], family: 'other', capturesEnv: false });
      assert.equal(shellProgram('check', 'zsh').file, '/bin/bash');
    });
  });

  describe('named outputs (runnerv2service/execution.go opininatedEnvVarNamingRegexp)', () => {
    it('takes upper-case identifiers of three characters or more with a letter after the first two', () => {
      for (const n of ['OFFENDER_NS', 'ABC', '__A', 'A1B']) assert.ok(isOutputName(n), n);
      for (const n of ['offender', 'AB', 'X1', 'A12', 'Offender', '1ABC', undefined]) assert.ok(!isOutputName(n), String(n));
    });
  });

  describe('outputValue (runnerv2service/execution.go storeOutputInEnv, tailCapWriter)', () => {
    it('drops NUL bytes and keeps the tail, starting at a whole character', () => {
      assert.equal(outputValue('a\0b\n'), 'ab\n');
      const v = outputValue('é'.repeat(10), 5);
      assert.equal(v, 'éé');
      assert.ok(Buffer.byteLength(outputValue('x'.repeat(100_000))) <= 64 * 1024);
    });
  });

  describe('parseDotenv (stateful/godotenv parser.go)', () => {
    it('reads comments, export, quotes, escapes, inline comments and expansion', () => {
      const r = parseDotenv(
        [
          '# comment',
          'SOMETHING="in-my-dot-env"',
          'export EXPORTED=yes',
          "SINGLE='keep $SOMETHING \\n'",
          'DOUBLE="line1\\nline2 $SOMETHING"',
          'UNQUOTED=  spaced value # a comment',
          'HASH=a#b',
          'YAML: style',
          'BRACED=${SOMETHING}-x',
          'MISSING=$NOPE.',
          'DOLLAR="\\$SOMETHING"',
          'EMPTY=',
          'MULTI="a',
          'b"',
        ].join('\r\n'),
      );
      assert.ok(r.ok);
      assert.deepEqual(r.vars, {
        SOMETHING: 'in-my-dot-env',
        EXPORTED: 'yes',
        SINGLE: 'keep $SOMETHING \\n',
        DOUBLE: 'line1\nline2 in-my-dot-env',
        UNQUOTED: 'spaced value',
        HASH: 'a#b',
        YAML: 'style',
        BRACED: 'in-my-dot-env-x',
        MISSING: '.',
        DOLLAR: '$SOMETHING',
        EMPTY: '',
        MULTI: 'a\nb',
      });
    });
    it('refuses a bad name or an unterminated quote, as godotenv does', () => {
      assert.equal(parseDotenv('BAD-NAME=1').ok, false);
      assert.equal(parseDotenv('OPEN="never closed').ok, false);
    });
  });

  describe('envDumpPrologue (command/env_shell.go ScriptEnvSetter)', () => {
    it('records the working directory and exported variables at exit, keeps the exit status and line numbers, file 0600', () => {
      const dir = mkdtempSync(join(tmpdir(), 'bg-dump-'));
      const file = join(dir, "it's");
      let status = 0;
      let stderr = '';
      try {
        execFileSync('/bin/bash', ['-e', '-o', 'pipefail', '-c', envDumpPrologue(file) + 'export A_B="x y"\ncd /\nnosuchcommand_zz\n'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (e) {
        status = (e as { status: number }).status;
        stderr = String((e as { stderr: Buffer }).stderr);
      }
      assert.equal(status, 127);
      assert.match(stderr, /line 3: nosuchcommand_zz/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const dump = parseEnvDump(readFileSync(file, 'utf8'))!;
      assert.equal(dump.cwd, '/');
      assert.equal(dump.env.get('A_B'), 'x y');
    });
  });
});
