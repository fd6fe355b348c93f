import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJournal } from '../../src/runbook/journal';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession, type Prompter, type SessionOptions } from '../../src/runbook/session';
import { renderReport } from '../../src/runbook/report';
import type { Param, Step } from '../../src/runbook/model';

interface Asked {
  confirm: string[];
  typeContext: string[];
  params: string[];
}

function prompter(answers: { confirm?: boolean; typed?: boolean; param?: string } = {}): Prompter & { asked: Asked } {
  const asked: Asked = { confirm: [], typeContext: [], params: [] };
  return {
    asked,
    async confirm(step: Step) {
      asked.confirm.push(step.id);
      return answers.confirm ?? true;
    },
    async confirmTargets(step: Step) {
      asked.typeContext.push(step.id);
      return answers.typed ?? false;
    },
    async askParam(p: Param) {
      asked.params.push(p.name);
      return answers.param;
    },
  };
}

function setup(markdown: string, opts: Partial<SessionOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bg-session-'));
  const file = join(dir, 'rb.md');
  writeFileSync(file, markdown);
  const { runbook } = parseRunbook(markdown, file);
  const p = (opts.prompter as ReturnType<typeof prompter>) ?? prompter();
  const session = new RunSession({
    runbookPath: file,
    runbook,
    journalDir: join(dir, 'journal'),
    target: { mode: 'sim' },
    prompter: p,
    via: 'cli',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    ...opts,
  });
  const events = () => (session.journalFile ? readJournal(session.journalFile).events : []);
  return { dir, file, session, prompter: p, events };
}

const RB = (body: string, front = '') => `---\nrunbook: true\ntitle: Test\n${front}---\n${body}`;
const sh = (name: string, body: string, attrs = '') => `\n\`\`\`bash {name=${name}${attrs ? ' ' + attrs : ''}}\n${body}\n\`\`\`\n`;

describe('run session', function () {
  this.timeout(20_000);

  it('runs a step, streams output and journals each transition', async () => {
    const { session, events } = setup(RB(sh('hello', 'echo out; echo err >&2')));
    const seen: string[] = [];
    session.onEvent((e) => {
      if (e.type === 'state') seen.push(e.runtime.state);
    });
    assert.equal(await session.runStep('hello'), 'succeeded');
    assert.deepEqual(seen, ['running', 'succeeded']);
    const rt = session.states.get('hello')!;
    assert.match(rt.output, /out\n/);
    assert.match(rt.output, /err\n/);
    assert.equal(rt.exitCode, 0);
    const types = events().map((e) => e.type);
    assert.deepEqual(types.filter((t) => t !== 'output'), ['run-started', 'step-started', 'step-process', 'step-finished']);
    // The process group is journaled before any output, as the shell's pid (it leads the group).
    const proc = events().find((e) => e.type === 'step-process');
    assert.ok(proc && proc.type === 'step-process' && proc.stepId === 'hello' && Number.isInteger(proc.pgid) && proc.pgid > 1);
    assert.ok(types.indexOf('step-process') < types.indexOf('output'));
    session.dispose();
    assert.equal(events().at(-1)!.type, 'run-finished');
  });

  it('passes params as environment variables, never into the command text', async () => {
    const marker = join(tmpdir(), `bg-pwned-${process.pid}-${Date.now()}`);
    const { session } = setup(RB(sh('p', 'echo "ns=$NS"'), 'params:\n  NS: default\n'), { params: { NS: `$(touch ${marker}); x` } });
    assert.equal(await session.runStep('p'), 'succeeded');
    assert.equal(existsSync(marker), false, 'the value was not executed');
    assert.ok(session.states.get('p')!.output.includes(`ns=$(touch ${marker}); x`));
  });

  it('asks for missing required params and masks secret ones everywhere', async () => {
    const p = prompter({ param: 's3cr3t-value-42' });
    const { session, events } = setup(RB(sh('tok', 'echo "token is $API_TOKEN"; echo "Authorization: Bearer abcdefghijkl"'), 'params:\n  - name: API_TOKEN\n    secret: true\n'), { prompter: p });
    const outputs: string[] = [];
    session.onEvent((e) => {
      if (e.type === 'output') outputs.push(e.text);
    });
    assert.equal(await session.runStep('tok'), 'succeeded');
    assert.deepEqual(p.asked.params, ['API_TOKEN']);
    const journalText = readFileSync(session.journalFile!, 'utf8');
    for (const text of [outputs.join(''), session.states.get('tok')!.output, journalText, renderReport(events())]) {
      assert.ok(!text.includes('s3cr3t-value-42'), 'secret param masked');
      assert.ok(!text.includes('abcdefghijkl'), 'bearer token masked');
    }
    assert.match(outputs.join(''), /token is ••••••/);
  });

  it('masks a secret param whose value comes from its default, in output and in the journal', async () => {
    const secret = 'dflt-s3cr3t-9876';
    const { session } = setup(RB(sh('tok', 'echo "pw is $DB_PW"; printf "%s" "$DB_PW" >&2'), `params:\n  - name: DB_PW\n    secret: true\n    default: ${secret}\n`));
    const outputs: string[] = [];
    session.onEvent((e) => {
      if (e.type === 'output') outputs.push(e.text);
    });
    assert.equal(await session.runStep('tok'), 'succeeded');
    session.dispose();
    const journalText = readFileSync(session.journalFile!, 'utf8');
    const started = journalText.split('\n').map((l) => (l ? JSON.parse(l) : undefined)).find((e) => e?.type === 'run-started');
    assert.equal(started.params.DB_PW, '••••••', 'run-started.params holds the mask');
    for (const text of [outputs.join(''), session.states.get('tok')!.output, journalText]) assert.ok(!text.includes(secret), text);
    assert.match(outputs.join(''), /pw is ••••••/, 'the step did see a value and printed it masked');
  });

  it('Run All runs in order and stops at the first failure', async () => {
    const { session, events } = setup(RB(sh('one', 'echo 1') + sh('two', 'echo 2; exit 3') + sh('three', 'echo 3')));
    assert.equal(await session.runAll(), 'failed');
    assert.equal(session.states.get('one')!.state, 'succeeded');
    assert.equal(session.states.get('two')!.state, 'failed');
    assert.equal(session.states.get('two')!.exitCode, 3);
    assert.equal(session.states.get('three')!.state, 'pending');
    assert.deepEqual(events().filter((e) => e.type === 'step-started').map((e) => (e as { stepId: string }).stepId), ['one', 'two']);
  });

  it('fails a pipeline whose first command fails (pipefail)', async () => {
    const { session } = setup(RB(sh('pipe', 'false | cat')));
    assert.equal(await session.runStep('pipe'), 'failed');
  });

  it('confirm: declined steps are cancelled and the decision is journaled', async () => {
    const p = prompter({ confirm: false });
    const { session, events } = setup(RB(sh('c', 'echo ran', 'confirm=true')), { prompter: p });
    assert.equal(await session.runStep('c'), 'cancelled');
    assert.deepEqual(p.asked.confirm, ['c']);
    assert.equal(session.states.get('c')!.output, '');
    assert.ok(events().some((e) => e.type === 'decision' && e.decision === 'declined'));
  });

  it('real mode: a destructive step needs the context typed; steps get a kubeconfig pinned to the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-kube-'));
    const kc = join(dir, 'config');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\ncurrent-context: other\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\n- name: other\n  context: {cluster: c, user: u}\nclusters: []\nusers: []\n');
    const body = sh('show', 'grep current-context "$KUBECONFIG"; echo "mode=$BREAKGLASS_MODE"') + sh('wipe', 'echo kubectl delete ds x', 'destructive=true');
    const refuse = prompter({ typed: false });
    const a = setup(RB(body), { prompter: refuse, target: { mode: 'real', context: 'prod', kubeconfig: kc } });
    assert.equal(await a.session.runStep('show'), 'succeeded');
    assert.match(a.session.states.get('show')!.output, /current-context: prod/);
    assert.match(a.session.states.get('show')!.output, /mode=real/);
    assert.deepEqual(refuse.asked.typeContext, [], 'a non-destructive step does not ask');
    assert.equal(await a.session.runStep('wipe'), 'cancelled');
    assert.deepEqual(refuse.asked.typeContext, ['wipe']);
    const accept = prompter({ typed: true });
    const b = setup(RB(body), { prompter: accept, target: { mode: 'real', context: 'prod', kubeconfig: kc } });
    assert.equal(await b.session.runStep('wipe'), 'succeeded');
    assert.ok(b.events().some((e) => e.type === 'decision' && e.decision === 'typed-context' && e.detail === 'prod'));
    // In simulated mode destructive steps run without typing, and no real KUBECONFIG leaks in: the
    // steps get the placeholder that reaches no cluster.
    const sim = prompter();
    const c = setup(RB(sh('env', 'echo "kc=${KUBECONFIG:-none}"; grep -c "server: https://127.0.0.1:0" "$KUBECONFIG"') + body), { prompter: sim, env: { PATH: process.env.PATH, KUBECONFIG: kc } });
    assert.equal(await c.session.runStep('wipe'), 'succeeded');
    assert.equal(await c.session.runStep('env'), 'succeeded');
    assert.match(c.session.states.get('env')!.output, /kc=\S*placeholder-kubeconfig\n1\n/);
    assert.deepEqual(sim.asked.typeContext, []);
  });

  it('an unknown context is a failed step with a clear reason, not a crash', async () => {
    const { session } = setup(RB(sh('x', 'true')), { target: { mode: 'real', context: 'nope', kubeconfig: '/nonexistent/kubeconfig' } });
    assert.equal(await session.runStep('x'), 'failed');
    assert.match(session.states.get('x')!.reason!, /does not exist/);
  });

  it('in an untrusted workspace nothing executes and nothing is written', async () => {
    const marker = join(tmpdir(), `bg-untrusted-${process.pid}-${Date.now()}`);
    const { session } = setup(RB(sh('x', `touch ${marker}`)), { isTrusted: () => false });
    const notices: string[] = [];
    session.onEvent((e) => {
      if (e.type === 'notice') notices.push(e.message);
    });
    assert.equal(await session.runStep('x'), 'pending');
    assert.equal(await session.runAll(), 'cancelled');
    assert.equal(session.skip('x'), false);
    assert.equal(existsSync(marker), false);
    assert.equal(session.journalFile, undefined);
    assert.ok(notices.length >= 2 && notices.every((n) => /not trusted/.test(n)));
  });

  it('times out a step and cancels one on request', async () => {
    const { session } = setup(RB(sh('slow', 'echo start; sleep 30', 'timeout=300ms') + sh('long', 'sleep 30')));
    const t0 = Date.now();
    assert.equal(await session.runStep('slow'), 'failed');
    assert.match(session.states.get('slow')!.reason!, /timed out after 300ms/);
    assert.ok(Date.now() - t0 < 5000);
    const running = session.runStep('long');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(session.states.get('long')!.state, 'running');
    session.cancel('long');
    assert.equal(await running, 'cancelled');
  });

  it('check steps wait until the command passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-check-'));
    const counter = join(dir, 'n');
    const md = RB(`
\`\`\`check {name=ready timeout=10s}
run: n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo "attempt $n"; [ $n -ge 3 ] && echo ok
expect: {output: "^ok$"}
until: true
interval: 100ms
\`\`\`

\`\`\`check {name=once}
run: echo nope
expect: {output: "^yes"}
\`\`\`
`);
    const { session } = setup(md);
    assert.equal(await session.runStep('ready'), 'succeeded');
    assert.equal(readFileSync(counter, 'utf8').trim(), '3');
    assert.match(session.states.get('ready')!.output, /check passed \(attempt 3\)/);
    assert.equal(await session.runStep('once'), 'failed');
    assert.match(session.states.get('once')!.reason!, /does not match/);
  });

  it("a status line starts a line of its own after output that did not end one (readyz prints 'ok' with no newline)", async () => {
    const md = RB(`
\`\`\`check {name=readyz timeout=10s}
run: printf ok
expect: {output: "^ok"}
\`\`\`

\`\`\`check {name=partial timeout=10s}
run: printf nope
expect: {output: "^yes"}
\`\`\`
${sh('whole', 'echo line')}`);
    const { session, events } = setup(md);
    const shown: string[] = [];
    session.onEvent((e) => void (e.type === 'output' && e.stepId === 'readyz' && shown.push(e.text)));
    assert.equal(await session.runStep('readyz'), 'succeeded');
    assert.equal(session.states.get('readyz')!.output, 'ok\ncheck passed (attempt 1)\n');
    // The view and the journal get the same text as the state.
    assert.equal(shown.join(''), 'ok\ncheck passed (attempt 1)\n');
    assert.equal(events().filter((e) => e.type === 'output' && e.stepId === 'readyz').map((e) => (e as { text: string }).text).join(''), 'ok\ncheck passed (attempt 1)\n');
    // A check whose attempt fails prints its verdict on a line of its own too.
    assert.equal(await session.runStep('partial'), 'failed');
    assert.equal(session.states.get('partial')!.output, 'nope\nattempt 1: output does not match /^yes/\n');
    assert.equal(await session.runStep('whole'), 'succeeded');
    assert.equal(session.states.get('whole')!.output, 'line\n');
  });

  it('skips mode-restricted steps, fails non-runnable ones with a reason, refuses steps with errors', async () => {
    const md = RB(sh('realonly', 'echo x', 'mode=real') + '\n```breakglass {name=bg}\naction: etcd-delete\nkeys: [/registry/a]\n```\n' + sh('broken', 'echo x', 'timeout=soon'));
    const { session } = setup(md);
    assert.equal(await session.runStep('realonly'), 'skipped');
    assert.equal(await session.runStep('bg'), 'failed');
    assert.match(session.states.get('bg')!.reason!, /break-glass actions act on the cluster models of a tabletop/);
    assert.equal(await session.runStep('broken'), 'failed');
    assert.match(session.states.get('broken')!.reason!, /has errors.*timeout/);
  });

  it('resumes from a journal: finished steps keep their state and Run All continues after them', async () => {
    const md = RB(sh('a', 'echo A') + sh('b', 'exit 1') + sh('c', 'echo C'));
    const first = setup(md);
    assert.equal(await first.session.runAll(), 'failed');
    const journal = first.session.journalFile!;
    first.session.dispose();
    // The operator fixes step b, then resumes.
    const fixed = md.replace('exit 1', 'echo B');
    const { runbook } = parseRunbook(fixed, first.file);
    const second = new RunSession({ runbookPath: first.file, runbook, journalDir: join(first.dir, 'journal'), target: { mode: 'sim' }, prompter: prompter(), via: 'cli', resumeFrom: journal });
    assert.equal(second.states.get('a')!.state, 'succeeded');
    assert.equal(second.states.get('b')!.state, 'failed');
    assert.match(second.states.get('a')!.output, /A/);
    const started: string[] = [];
    second.onEvent((e) => {
      if (e.type === 'state' && e.runtime.state === 'running') started.push(e.stepId);
    });
    assert.equal(await second.runAll(), 'succeeded');
    assert.deepEqual(started, ['b', 'c']);
    second.dispose();
    const evs = readJournal(journal).events;
    assert.equal(second.journalFile, journal, 'appends to the same journal');
    assert.ok(evs.some((e) => e.type === 'run-resumed'));
    const report = renderReport(evs, journal);
    assert.match(report, /\| `a` \| succeeded \| 0 \|/);
    assert.match(report, /\| `b` \| succeeded \| 0 \|/);
    assert.match(report, /run resumed by/);
  });
});
