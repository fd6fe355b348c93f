// Runme's execution dialect, run through the session as the Runbook view, the CLI and a tabletop
// run steps. Each case names the Runme file it comes from: github.com/runmedev/runme at commit
// dea82115348945835f326f75db0a35c37c5a4100 (the newest snapshot), unless it says otherwise.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJournal } from '../../src/runbook/journal';
import type { EnvChangedEvent } from '../../src/runbook/events';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession, type Prompter, type SessionOptions } from '../../src/runbook/session';
import type { RunbookSettings } from '../../src/runbook/model';
import { OUTPUT_VAR_CAP_BYTES } from '../../src/runbook/runme';

const yes: Prompter = { confirm: async () => true, confirmTargets: async () => true, askParam: async () => 'x' };

function setup(markdown: string, opts: Partial<SessionOptions> & { settings?: RunbookSettings; files?: Record<string, string> } = {}) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'bg-runme-')));
  const file = join(dir, 'README.md');
  writeFileSync(file, markdown);
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), text);
  const { runbook } = parseRunbook(markdown, file);
  // Front-matter settings as the parser fills them (model.ts RunbookSettings).
  if (opts.settings) runbook.settings = opts.settings;
  const notices: string[] = [];
  const session = new RunSession({
    runbookPath: file,
    runbook,
    journalDir: join(dir, 'journal'),
    target: { mode: 'sim' },
    prompter: yes,
    via: 'cli',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    ...opts,
  });
  session.onEvent((e) => {
    if (e.type === 'notice') notices.push(e.message);
  });
  const out = (id: string) => session.states.get(id)!.output;
  const events = () => (session.journalFile ? readJournal(session.journalFile).events : []);
  return { dir, file, session, notices, out, events, runbook };
}

const RB = (body: string) => `---\nrunbook: true\ntitle: Runme\n---\n${body}`;
const fence = (lang: string, name: string, body: string, attrs = '') => `\n\`\`\`${lang} {name=${name}${attrs ? ' ' + attrs : ''}}\n${body}\n\`\`\`\n`;

describe('Runme execution dialect through the session', function () {
  this.timeout(30_000);

  // examples/envs/README.md: cell `vars` exports VAR_NAME1..4 behind `$ ` prompts, cell `vars2`
  // reads them ("1. Placeholder 1" …).
  it('carries variables a step exports to the next step (examples/envs/README.md)', async () => {
    const { session, out } = setup(
      RB(
        fence('bash', 'vars', `$ export VAR_NAME1='Placeholder 1'\n$ export VAR_NAME2="Placeholder 2"\n$ export VAR_NAME3=""\n$ export VAR_NAME4=Message`) +
          fence('bash', 'vars2', `$ echo "1. \${VAR_NAME1}"\n$ echo "2. \${VAR_NAME2}"\n$ echo "3. [\${VAR_NAME3-unset}]"\n$ echo "4. \${VAR_NAME4}"`),
      ),
    );
    assert.equal(await session.runStep('vars'), 'succeeded');
    assert.equal(await session.runStep('vars2'), 'succeeded');
    assert.match(out('vars2'), /^1\. Placeholder 1\n2\. Placeholder 2\n3\. \[\]\n4\. Message\n/);
    session.dispose();
  });

  // testdata/script/basic.txtar: `$ echo "1"` / `$ echo "2"` / `$ echo "3"` prints 1 2 3;
  // runner/client/client.go prepareCommandSeq strips `$ ` line by line (since 783b85a8 only `$ `,
  // so a line starting `$(` keeps its `$`).
  it('runs `$ ` lines without the prompt, line by line, and leaves `$(` alone (testdata/script/basic.txtar, runner/client/client.go)', async () => {
    const { session, out } = setup(RB(fence('sh', 'echo-1', '$ echo "1"\necho "2"\n$ echo "3"\n$(echo echo) kept')));
    assert.equal(await session.runStep('echo-1'), 'succeeded');
    assert.equal(out('echo-1'), '1\n2\n3\nkept\n');
    session.dispose();
  });

  // testdata/script/basic.txtar, the `tempdir` cell: ```sh with pushd/popd ("It works with `cd`,
  // `pushd`, and similar"); command/command.go interpreterByLanguageID: "sh": {"bash", "sh"}.
  it('runs a `sh` fence in bash, so pushd and popd work (testdata/script/basic.txtar, command/command.go)', async () => {
    const { session, out } = setup(RB(fence('sh', 'tempdir', 'temp_dir=$(mktemp -d -t "runme-XXXXXXX")\npushd $temp_dir >/dev/null\necho "hi!" > hi.txt\ncat hi.txt\npopd >/dev/null\necho "$BASH_VERSION" | grep -q . && echo bash')));
    assert.equal(await session.runStep('tempdir'), 'succeeded', out('tempdir'));
    assert.match(out('tempdir'), /hi!\nbash\n/);
    session.dispose();
  });

  // testdata/script/dotenv.txtar: `.env` holds SOMETHING="in-my-dot-env", front matter `shell:
  // bash`, and `echo SOMETHING=${SOMETHING}` prints SOMETHING=in-my-dot-env.
  it('reads `.env` beside the runbook into the environment (testdata/script/dotenv.txtar)', async () => {
    const { session, out, notices, events } = setup(RB(fence('sh', 'env1', 'echo SOMETHING=${SOMETHING}')), {
      settings: { shell: 'bash' },
      files: { '.env': 'SOMETHING="in-my-dot-env"\n' },
    });
    assert.equal(await session.runStep('env1'), 'succeeded');
    assert.equal(out('env1'), 'SOMETHING=in-my-dot-env\n');
    assert.ok(notices.some((n) => /read 1 variable from .*\.env: SOMETHING/.test(n)), notices.join('\n'));
    const rec = events().find((e): e is EnvChangedEvent => e.type === 'env-changed' && e.source === 'dotenv');
    assert.deepEqual(rec?.set, { SOMETHING: 'in-my-dot-env' });
    session.dispose();
  });

  // project/project.go LoadEnvWithSource reads `.env` with godotenv; a secret-looking name's value
  // is masked wherever it would show, and the journal holds the mask, never the value.
  it('masks `.env` values of secret-looking names in output and journal (project/project.go)', async () => {
    const { session, out, events } = setup(RB(fence('sh', 'show', 'echo "token is $API_TOKEN"')), { files: { '.env': 'export API_TOKEN=s3cr3t-t0k3n-value\n' } });
    assert.equal(await session.runStep('show'), 'succeeded');
    assert.doesNotMatch(out('show'), /s3cr3t/);
    assert.match(out('show'), /token is ••••••/);
    const text = JSON.stringify(events());
    assert.doesNotMatch(text, /s3cr3t/);
    session.dispose();
  });

  // testdata/script/dotenv.txtar's `.env`, but other users may write it, or it is a link out of
  // the runbook's folder: then it is not read (Runme reads it either way; Breakglass does not).
  it('does not read a world-writable `.env` or one linked from outside the folder (testdata/script/dotenv.txtar)', async () => {
    const a = setup(RB(fence('sh', 'env1', 'echo "[${SOMETHING-unset}]"')), { files: { '.env': 'SOMETHING="in-my-dot-env"\n' } });
    chmodSync(join(a.dir, '.env'), 0o666);
    assert.equal(await a.session.runStep('env1'), 'succeeded');
    assert.equal(a.out('env1'), '[unset]\n');
    assert.ok(a.notices.some((n) => /world-writable/.test(n)));
    a.session.dispose();

    const outside = mkdtempSync(join(tmpdir(), 'bg-runme-outside-'));
    writeFileSync(join(outside, 'env'), 'SOMETHING="from-outside"\n');
    const b = setup(RB(fence('sh', 'env1', 'echo "[${SOMETHING-unset}]"')));
    symlinkSync(join(outside, 'env'), join(b.dir, '.env'));
    assert.equal(await b.session.runStep('env1'), 'succeeded');
    assert.equal(b.out('env1'), '[unset]\n');
    assert.ok(b.notices.some((n) => /symbolic link out of the runbook's folder/.test(n)));
    b.session.dispose();
  });

  // runnerv2service/service_execute_test.go TestRunnerServiceServerExecute_StoreLastStdout: a cell
  // prints "test", the next `echo $__` prints "test\n".
  it('gives the previous step\'s output to the next as $__ (runnerv2service/service_execute_test.go)', async () => {
    const { session, out, events } = setup(RB(fence('sh', 'first', 'echo test') + fence('sh', 'second', 'echo $__') + fence('sh', 'third', 'printf "[%s]" "$__"')));
    assert.equal(await session.runStep('first'), 'succeeded');
    assert.equal(await session.runStep('second'), 'succeeded');
    assert.equal(out('second'), 'test\n');
    assert.equal(await session.runStep('third'), 'succeeded');
    assert.equal(out('third'), '[test\n]');
    // Never journaled as a variable: the output event is the only record of it.
    assert.ok(!events().some((e) => e.type === 'env-changed' && '__' in e.set));
    session.dispose();
  });

  // runnerv2service/execution.go storeOutputInEnv and opininatedEnvVarNamingRegexp (^[A-Z_][A-Z0-9_]{1}
  // [A-Z0-9_]*[A-Z][A-Z0-9_]*$), TestRunnerServiceServerExecute_StoreKnownName.
  it('stores the output of a step named as an upper-case identifier under that name (runnerv2service/execution.go)', async () => {
    const { session, out } = setup(
      RB(fence('sh', 'OFFENDER_NS', 'printf monitoring') + fence('sh', 'lower', 'printf other') + fence('sh', 'X1', 'printf short') + fence('sh', 'use', 'echo "ns=$OFFENDER_NS lower=${lower-unset} x1=${X1-unset} last=$__"')),
    );
    for (const id of ['OFFENDER_NS', 'lower', 'X1']) assert.equal(await session.runStep(id), 'succeeded');
    assert.equal(await session.runStep('use'), 'succeeded');
    assert.equal(out('use'), 'ns=monitoring lower=unset x1=unset last=short\n');
    session.dispose();
  });

  // runnerv2service/service_execute_test.go TestRunnerServiceServerExecute_LargeOutput: a large
  // output is trimmed and `$__` is a suffix of it.
  it('keeps only the tail of a large output in $__ (runnerv2service/service_execute_test.go LargeOutput)', async () => {
    const { session, out } = setup(RB(fence('sh', 'big', 'seq 1 40000') + fence('sh', 'size', 'printf "%s" "$__" | wc -c; printf "%s" "$__" | tail -n 1')));
    assert.equal(await session.runStep('big'), 'succeeded');
    assert.equal(await session.runStep('size'), 'succeeded');
    const [bytes, last] = out('size').trim().split(/\s+/);
    assert.ok(Number(bytes) > 0 && Number(bytes) <= OUTPUT_VAR_CAP_BYTES, out('size'));
    assert.equal(last, '40000');
    session.dispose();
  });

  // examples/frontmatter/cwd/RELATIVE.md: front matter `cwd` relative to the runbook; a step's
  // `cwd: ../` relative to that; `cwd: /opt` absolute (runner/client/client.go ResolveDirectory).
  it('runs steps in the front matter\'s cwd and resolves a step\'s cwd from it (examples/frontmatter/cwd/RELATIVE.md)', async () => {
    const { session, out, dir } = setup(RB(fence('sh', 'relative-pwd', 'pwd') + fence('sh', 'relative-rel-pwd', 'pwd', 'cwd=../') + fence('sh', 'relative-abs-pwd', 'pwd', `cwd=${tmpdir()}`)), { settings: { cwd: 'a/b' } });
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    for (const id of ['relative-pwd', 'relative-rel-pwd', 'relative-abs-pwd']) assert.equal(await session.runStep(id), 'succeeded', out(id));
    assert.equal(out('relative-pwd'), `${join(dir, 'a', 'b')}\n`);
    assert.equal(out('relative-rel-pwd'), `${join(dir, 'a')}\n`);
    assert.equal(out('relative-abs-pwd'), `${tmpdir()}\n`);
    session.dispose();
  });

  // examples/frontmatter/shells/BASH.md (`shell: bash`, `echo $0`); the same with `shell: sh`
  // runs /bin/sh (command/config_code_block.go programPath).
  it('runs the program the front matter\'s `shell` names (examples/frontmatter/shells/BASH.md)', async () => {
    const a = setup(RB(fence('sh', 'zero', 'echo $0')), { settings: { shell: 'bash' } });
    assert.equal(await a.session.runStep('zero'), 'succeeded');
    assert.equal(a.out('zero'), '/bin/bash\n');
    a.session.dispose();
    const b = setup(RB(fence('sh', 'zero', 'echo $0')), { settings: { shell: 'sh' } });
    assert.equal(await b.session.runStep('zero'), 'succeeded');
    assert.equal(b.out('zero'), '/bin/sh\n');
    b.session.dispose();
  });

  // testdata/script/basic.txtar runs `cd`/`pushd` within one cell; a Breakglass run goes on in the
  // directory a step left, as an on-call's shell would.
  it('starts the next step in the directory the previous one left (testdata/script/basic.txtar)', async () => {
    const { session, out, dir } = setup(RB(fence('sh', 'go', 'mkdir -p work && cd work') + fence('sh', 'where', 'pwd')));
    assert.equal(await session.runStep('go'), 'succeeded');
    assert.equal(await session.runStep('where'), 'succeeded');
    assert.equal(out('where'), `${join(dir, 'work')}\n`);
    session.dispose();
  });

  // command/command_inline_shell.go Wait: "in v1 we don't collect unless successful": a failed
  // step's exports do not reach the next step.
  it('carries nothing from a step that failed (command/command_inline_shell.go)', async () => {
    const { session, out } = setup(RB(fence('sh', 'half', 'export HALF=done\nfalse') + fence('sh', 'after', 'echo "[${HALF-unset}]"')));
    assert.equal(await session.runStep('half'), 'failed');
    assert.equal(await session.runStep('after'), 'succeeded');
    assert.equal(out('after'), '[unset]\n');
    session.dispose();
  });

  // command/env_shell.go ScriptEnvSetter collects every exported variable; in SIMULATED mode a
  // KUBECONFIG (or any other way to a cluster) a step exports is reset for later steps.
  it('refuses a KUBECONFIG a step exports in SIMULATED mode, with a notice (command/env_shell.go)', async () => {
    const { session, out, notices, events } = setup(RB(fence('sh', 'sneak', 'export KUBECONFIG=$HOME/.kube/config KUBERNETES_SERVICE_HOST=10.0.0.1 OK_VAR=1') + fence('sh', 'look', 'echo "$KUBECONFIG|${KUBERNETES_SERVICE_HOST-unset}|$OK_VAR"')));
    assert.equal(await session.runStep('sneak'), 'succeeded');
    assert.equal(await session.runStep('look'), 'succeeded');
    const [kc, host, ok] = out('look').trim().split('|');
    assert.doesNotMatch(kc!, /\.kube\/config/);
    assert.equal(host, 'unset');
    assert.equal(ok, '1');
    assert.ok(notices.some((n) => /SIMULATED mode: KUBECONFIG, KUBERNETES_SERVICE_HOST set by 'sneak' are reset/.test(n)), notices.join('\n'));
    const rec = events().find((e): e is EnvChangedEvent => e.type === 'env-changed' && e.stepId === 'sneak');
    assert.deepEqual(rec?.set, { OK_VAR: '1' });
    assert.deepEqual(rec?.refused, ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST']);
    session.dispose();
  });

  // testdata/script/dotenv.txtar's `.env`, in a workspace that is not trusted: nothing is read
  // (Restricted Mode runs nothing and reads no file meant for a step), until it is trusted.
  it('reads no `.env` in Restricted Mode, and reads it once the workspace is trusted (testdata/script/dotenv.txtar)', async () => {
    let trusted = false;
    const { session, out, notices } = setup(RB(fence('sh', 'env1', 'echo SOMETHING=${SOMETHING}')), { files: { '.env': 'SOMETHING="in-my-dot-env"\n' }, isTrusted: () => trusted });
    assert.equal(await session.runStep('env1'), 'pending');
    assert.ok(!notices.some((n) => /\.env/.test(n)), notices.join('\n'));
    trusted = true;
    assert.equal(await session.runStep('env1'), 'succeeded');
    assert.equal(out('env1'), 'SOMETHING=in-my-dot-env\n');
    session.dispose();
  });

  // examples/envs/README.md exports variables; a runbook parameter of the same name keeps the
  // value the run started with (the base environment stays in control).
  it('keeps a parameter\'s value when a step exports the same name (examples/envs/README.md)', async () => {
    const md = `---\nrunbook: true\ntitle: Runme\nparams:\n  NAMESPACE:\n    default: monitoring\n---\n` + fence('sh', 'vars', 'export NAMESPACE=kube-system OTHER=1') + fence('sh', 'vars2', 'echo "$NAMESPACE $OTHER"');
    const { session, out, notices } = setup(md);
    assert.equal(await session.runStep('vars'), 'succeeded');
    assert.equal(await session.runStep('vars2'), 'succeeded');
    assert.equal(out('vars2'), 'monitoring 1\n');
    assert.ok(notices.some((n) => /NAMESPACE: a parameter keeps the value the run started with/.test(n)), notices.join('\n'));
    session.dispose();
  });

  // session/env_store.go keeps the session's variables in memory; Breakglass journals which changed
  // (secret-looking names masked whole) and a resume starts from them — except masked ones.
  it('journals exported variables masked and restores them on resume, except secrets (session/env_store.go)', async () => {
    const md = RB(fence('sh', 'set', 'export OFFENDER_NS=monitoring DB_PASSWORD=hunter2-long-secret') + fence('sh', 'OFFENDER', 'printf agent') + fence('sh', 'use', 'echo "$OFFENDER_NS|${DB_PASSWORD-unset}|${OFFENDER-unset}"'));
    const first = setup(md);
    assert.equal(await first.session.runStep('set'), 'succeeded');
    assert.equal(await first.session.runStep('OFFENDER'), 'succeeded');
    const journal = first.session.journalFile!;
    first.session.dispose();
    const text = JSON.stringify(readJournal(journal).events);
    assert.doesNotMatch(text, /hunter2/);
    const rec = readJournal(journal).events.find((e): e is EnvChangedEvent => e.type === 'env-changed');
    assert.deepEqual(rec?.set, { OFFENDER_NS: 'monitoring', DB_PASSWORD: '••••••' });

    const notices: string[] = [];
    const second = new RunSession({ runbookPath: first.file, runbook: first.runbook, journalDir: join(first.dir, 'journal'), target: { mode: 'sim' }, prompter: yes, via: 'cli', env: { PATH: process.env.PATH, HOME: process.env.HOME }, resumeFrom: journal });
    second.onEvent((e) => {
      if (e.type === 'notice') notices.push(e.message);
    });
    assert.equal(await second.runStep('use'), 'succeeded');
    assert.equal(second.states.get('use')!.output, 'monitoring|unset|unset\n');
    assert.ok(notices.some((n) => /resumed without DB_PASSWORD/.test(n)), notices.join('\n'));
    // Named outputs are not journaled raw: the resume says which a later step would miss.
    assert.ok(notices.some((n) => /resumed without \$OFFENDER:/.test(n)), notices.join('\n'));
    second.dispose();
  });
});
