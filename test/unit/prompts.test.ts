// Which exports a step asks for, by Runme's rules. Cases from runmedev/runme
// command/program_resolver_test.go at dea82115348945835f326f75db0a35c37c5a4100 (RUNME below), each
// named after the Runme test it mirrors; the rest cover what a line reader must get right that a
// shell parser gets for free (compound commands, here-documents, comments, continuations).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { exportLines, planPrompts, promptModeOf, type PromptVariable } from '../../src/runbook/prompts';

const RUNME = 'runmedev/runme command/program_resolver_test.go@dea82115';
const only = (script: string, env: Record<string, string> = {}, mode: 'auto' | 'always' | 'never' = 'auto'): Omit<PromptVariable, 'line'>[] =>
  planPrompts(script, env, mode).variables.map(({ line: _line, ...v }) => v);

describe('prompts: which exports a step asks for (Runme promptEnv)', () => {
  describe(`auto, first run (${RUNME} TestProgramResolverResolve Auto_FirstRun)`, () => {
    it('NoValue: `export X` is asked for, with nothing to offer', () => {
      assert.deepEqual(only('export TEST_NO_VALUE'), [{ name: 'TEST_NO_VALUE', status: 'unresolved', original: '' }]);
    });
    it('EmptyValue: `export X=` likewise', () => {
      assert.deepEqual(only('export TEST_EMPTY_VALUE='), [{ name: 'TEST_EMPTY_VALUE', status: 'unresolved', original: '' }]);
    });
    it('NakedValue: `export X=value` is asked for with the value as its message', () => {
      assert.deepEqual(only('export TEST_STRING_VALUE=value'), [{ name: 'TEST_STRING_VALUE', status: 'message', original: 'value' }]);
    });
    it('QuotedValue: `export X="value"` offers the value as a placeholder', () => {
      assert.deepEqual(only('export TEST_STRING_VALUE="value"'), [{ name: 'TEST_STRING_VALUE', status: 'placeholder', original: 'value' }]);
    });
    it('ParamExpr: `export X=${TEST:7:0}` is computed by the step, never asked for, and stays in the script', () => {
      const p = planPrompts('export TEST_PARAM_EXPR=${TEST:7:0}', {}, 'auto');
      assert.deepEqual(p.variables, []);
      assert.equal(p.script, 'export TEST_PARAM_EXPR=${TEST:7:0}');
    });
    it('the export leaves the script as a comment (Runme: "X set in managed env store")', () => {
      assert.equal(planPrompts('export TEST_STRING_VALUE="value"\necho hi', {}, 'auto').script, '#\n# TEST_STRING_VALUE set in managed env store\n# export TEST_STRING_VALUE="value"\necho hi');
    });
  });

  it(`a variable the session already has is not asked for again (${RUNME} TestProgramResolverResolve_ProgramResolverModeAuto_First)`, () => {
    assert.deepEqual(only('export MY_ENV=default', { MY_ENV: 'from the session' }), [{ name: 'MY_ENV', status: 'resolved', original: 'default', value: 'from the session' }]);
  });

  it(`skipPrompts / promptEnv=false: nothing is asked, the script's value is used (${RUNME} SkipAll_FirstRun)`, () => {
    assert.deepEqual(only('export TEST_STRING_VALUE="value"', {}, 'never'), [{ name: 'TEST_STRING_VALUE', status: 'resolved', original: 'value', value: 'value' }]);
    assert.deepEqual(only('export TEST_NO_VALUE', {}, 'never'), [{ name: 'TEST_NO_VALUE', status: 'resolved', original: '', value: '' }]);
    assert.deepEqual(only('export X=value', { X: 'set' }, 'never'), [{ name: 'X', status: 'resolved', original: 'value', value: 'set' }]);
  });

  it(`promptEnv=true asks even when set, offering the value (${RUNME} TestProgramResolverResolve_ProgramResolverModePrompt)`, () => {
    assert.deepEqual(only('export MY_ENV="placeholder value"', {}, 'always'), [{ name: 'MY_ENV', status: 'placeholder', original: 'placeholder value' }]);
    assert.deepEqual(only('export MY_ENV=message value', {}, 'always'), [{ name: 'MY_ENV', status: 'message', original: 'message value' }]);
    assert.deepEqual(only('export MY_ENV=x', { MY_ENV: 'set' }, 'always'), [{ name: 'MY_ENV', status: 'placeholder', original: 'x', value: 'set' }]);
  });

  it(`secret-looking names are asked for without echo and without an offered value (${RUNME} TestProgramResolverResolve_SensitiveEnvKeys)`, () => {
    assert.deepEqual(only('export MY_PASSWORD=super-secret\nexport MY_SECRET=also-secret\nexport MY_PLAIN=text\n'), [
      { name: 'MY_PASSWORD', status: 'secret', original: 'super-secret' },
      { name: 'MY_SECRET', status: 'secret', original: 'also-secret' },
      { name: 'MY_PLAIN', status: 'message', original: 'text' },
    ]);
  });

  it(`promptEnv values as Runme reads them (runmedev/runme cmd/common.go resolveRequestMode@dea82115)`, () => {
    for (const v of ['1', 'true', 'yes', 'always', 'TRUE']) assert.equal(promptModeOf(v), 'always', v);
    for (const v of ['0', 'false', 'no', 'never', false]) assert.equal(promptModeOf(v), 'never', String(v));
    for (const v of [undefined, 'auto', '', 'maybe']) assert.equal(promptModeOf(v), 'auto', String(v));
    assert.equal(promptModeOf('always', true), 'never', 'skipPrompts wins');
  });

  it('only top-level exports: inside if/for/while/case/functions/subshells they are the step\'s own', () => {
    const script = ['if true; then', '  export A=1', 'fi', 'for x in 1; do export B=2; done', 'f() {', '  export C=3', '}', '( export D=4 )', 'case x in', '  x) export E=5 ;;', 'esac', 'export TOP=yes'].join('\n');
    assert.deepEqual(only(script).map((v) => v.name), ['TOP']);
  });

  it('expressions are computed, not asked for: $(…), `…`, $VAR, ${…}, $((…)), brace expansion', () => {
    for (const s of ['export A=$(kubectl get ns -o name)', 'export A=`date`', 'export A=$HOME/x', 'export A="${HOME}"', 'export A=$((1+2))', 'export A=x{a,b}', 'export A="$(date)"', 'export A=1; echo $A', 'export A=1 && echo ok', 'export A=1 B=2', 'export A="x" B=2']) {
      assert.deepEqual(only(s), [], s);
    }
  });

  it('here-documents, comments and continued lines are read as the shell reads them', () => {
    const script = ['cat <<EOF', 'export IN_HEREDOC=1', 'EOF', '# export COMMENTED=1', 'export WITH_COMMENT="v" # why', 'export CONT=con\\', 'tinued', "export Q='multi", "line'"].join('\n');
    assert.deepEqual(only(script), [
      { name: 'WITH_COMMENT', status: 'placeholder', original: 'v' },
      { name: 'CONT', status: 'message', original: 'continued' },
      { name: 'Q', status: 'placeholder', original: 'multi\nline' },
    ]);
    assert.equal(planPrompts(script, {}, 'auto').variables[1].line, 6);
  });

  it('exportLines quotes values so no answer can run as code (bash reads them back unchanged)', () => {
    const values = [
      { name: 'A', value: "it's $(touch /tmp/never) `x` \"q\" \\ ; | &" },
      { name: 'B', value: '' },
    ];
    const out = execFileSync('/bin/bash', ['-c', `${exportLines(values)}printf '%s|%s' "$A" "$B"`], { encoding: 'utf8' });
    assert.equal(out, `${values[0].value}|`);
  });
});
