// Runme's promptEnv through the session: a variable a step exports and nobody set is asked for
// once, answered values reach the step quoted, secret-looking answers are masked in the output and
// never journaled, and a run nobody can answer uses the runbook's own value. Cases from
// runmedev/runme at dea82115348945835f326f75db0a35c37c5a4100: examples/envs/README.md (the exports
// Runme prompts for), cmd/common.go promptEnvVars and resolveRequestMode, and the skipPrompts
// examples (examples/frontmatter/skipPrompts/*.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJournal } from '../../src/runbook/journal';
import { parseRunbook } from '../../src/runbook/parse';
import type { PromptVariable } from '../../src/runbook/prompts';
import { RunSession, type Prompter, type SessionOptions } from '../../src/runbook/session';

const fence = (name: string, body: string, attrs = '') => `\n\`\`\`sh {name=${name}${attrs ? ' ' + attrs : ''}}\n${body}\n\`\`\`\n`;

function setup(body: string, answer: ((v: PromptVariable) => string | undefined) | undefined, opts: Partial<SessionOptions> = {}, frontMatter = '') {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'bg-prompts-')));
  const file = join(dir, 'README.md');
  const md = `---\nrunbook: true\ntitle: Prompts\n${frontMatter}---\n${body}`;
  writeFileSync(file, md);
  const { runbook } = parseRunbook(md, file);
  const asked: PromptVariable[] = [];
  const prompter: Prompter = {
    confirm: async () => true,
    confirmTargets: async () => true,
    askParam: async () => 'x',
    ...(answer
      ? {
          askVariable: async (_step, v) => {
            asked.push(v);
            return answer(v);
          },
        }
      : {}),
  };
  const session = new RunSession({ runbookPath: file, runbook, journalDir: join(dir, 'journal'), target: { mode: 'sim' }, prompter, via: 'cli', env: { PATH: process.env.PATH, HOME: process.env.HOME }, ...opts });
  const out = (id: string) => session.states.get(id)!.output;
  const journal = () => JSON.stringify(readJournal(session.journalFile!).events);
  return { session, asked, out, journal };
}

describe('promptEnv through the session', function () {
  this.timeout(30_000);

  it('asks once for what nobody set, masks a secret answer in the output and keeps it out of the journal', async () => {
    const { session, asked, out, journal } = setup(
      fence('login', 'export API_TOKEN\nexport REGION="eu-west-1"\necho "token is $API_TOKEN in $REGION"') + fence('use', 'echo "still $API_TOKEN"'),
      (v) => (v.name === 'API_TOKEN' ? 'tok-3f9a8b7c6d5e' : 'us-east-2'),
    );
    assert.equal(await session.runStep('login'), 'succeeded');
    assert.deepEqual(asked.map((v) => [v.name, v.status, v.original]), [
      ['API_TOKEN', 'secret', ''],
      ['REGION', 'placeholder', 'eu-west-1'],
    ]);
    assert.equal(out('login'), 'token is •••••• in us-east-2\n');
    assert.equal(await session.runStep('use'), 'succeeded');
    assert.equal(out('use'), 'still ••••••\n');
    // Run again: both are in the session now, nothing is asked (promptEnv auto).
    assert.equal(await session.runStep('login'), 'succeeded');
    assert.equal(asked.length, 2);
    assert.doesNotMatch(journal(), /tok-3f9a8b7c6d5e/);
    assert.match(journal(), /API_TOKEN \(asked\), REGION \(asked\)/);
    session.dispose();
  });

  it('an answer cannot run as code: it reaches the step exactly as typed', async () => {
    const typed = `x'; touch /tmp/bg-never-$$; echo '$(id)\``;
    const { session, out } = setup(fence('s', 'export NOTE\nprintf "%s" "$NOTE"'), () => typed);
    assert.equal(await session.runStep('s'), 'succeeded');
    assert.equal(out('s'), typed);
    session.dispose();
  });

  it('cancelling the question cancels the step, and nothing runs', async () => {
    const { session, out } = setup(fence('s', 'export CLUSTER_NAME\necho ran'), () => undefined);
    assert.equal(await session.runStep('s'), 'cancelled');
    assert.doesNotMatch(out('s'), /ran/);
    session.dispose();
  });

  it('promptEnv=false, skipPrompts (front matter or up front) ask nothing and use the runbook\'s value', async () => {
    for (const [attrs, opts, fm] of [
      ['promptEnv=false', {}, ''],
      ['', { skipPrompts: true }, ''],
      ['', {}, 'skipPrompts: true\n'],
    ] as const) {
      const { session, asked, out } = setup(fence('s', 'export REGION="eu-west-1"\necho "$REGION"', attrs), () => 'asked', opts, fm);
      assert.equal(await session.runStep('s'), 'succeeded', `${attrs} ${JSON.stringify(opts)} ${fm}`);
      assert.equal(asked.length, 0);
      assert.equal(out('s'), 'eu-west-1\n');
      session.dispose();
    }
  });

  it('promptEnv=true asks even when the session has a value, offering it', async () => {
    const { session, asked, out } = setup(fence('s', 'export REGION="eu-west-1"\necho "$REGION"', 'promptEnv=true'), (v) => `${v.value}-2`, { env: { PATH: process.env.PATH, REGION: 'ap-south-1' } });
    assert.equal(await session.runStep('s'), 'succeeded');
    assert.deepEqual(asked.map((v) => [v.status, v.value]), [['placeholder', 'ap-south-1']]);
    assert.equal(out('s'), 'ap-south-1-2\n');
    session.dispose();
  });

  it('answers given up front (--param NAME=VALUE) are used without asking', async () => {
    const { session, asked, out } = setup(fence('s', 'export REGION\necho "$REGION"'), () => 'asked', { answers: { REGION: 'sa-east-1' } });
    assert.equal(await session.runStep('s'), 'succeeded');
    assert.equal(asked.length, 0);
    assert.equal(out('s'), 'sa-east-1\n');
    session.dispose();
  });

  it('with nobody to ask (a headless run), the step keeps its own value instead of losing it', async () => {
    const { session, out } = setup(fence('s', 'export REGION="eu-west-1"\nexport EMPTY\necho "$REGION|${EMPTY-unset}"'), undefined);
    assert.equal(await session.runStep('s'), 'succeeded');
    assert.equal(out('s'), 'eu-west-1|\n');
    session.dispose();
  });

  it('breakglass run: --param answers a variable a step asks for, --skip-prompts keeps the runbook\'s value, other names are refused', () => {
    const CLI = resolve(__dirname, '../../../dist/cli.js');
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'bg-prompts-cli-')));
    const file = join(dir, 'rb.md');
    writeFileSync(file, `---\nrunbook: true\ntitle: P\n---\n${fence('s', 'export REGION="eu-west-1"\necho "region $REGION"')}`);
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'run', file, '--all', '--journal', join(dir, 'j'), ...args], { encoding: 'utf8', input: '' });
    const given = run('--param', 'REGION=sa-east-1');
    assert.equal(given.status, 0, given.stderr);
    assert.match(given.stdout + given.stderr, /region sa-east-1/);
    const skipped = run('--skip-prompts');
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.match(skipped.stdout + skipped.stderr, /region eu-west-1/);
    const unknown = run('--param', 'NOPE=1');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown parameter NOPE: .*a variable a step asks for \(REGION\)/);
  });
});
