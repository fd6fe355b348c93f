// A break-glass step across clusters in the Runbook view, inside the real VS Code extension host
// (trusted workspace), in REAL mode: the workspace's preflight config names two clusters, `east`
// with a real etcd started here and `west` whose etcd endpoint refuses connections. The step's
// card shows a row per cluster (state, progress, result) as the page itself reports it, and a
// "Retry failed (1)" button; the retry message runs only west, and the button goes away.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { RunbookPanel } from '../../src/views/runbookPanel';
import type { Prompter } from '../../src/runbook/session';
import { closedPort, etcdctl, startEtcd, type EtcdServer } from '../unit/helpers/servers';
import { api, folder, waiter, WEBVIEW_LOAD_MS } from './helpers';

const STEP = 'remove-everywhere';
const DS = '/registry/daemonsets/monitoring/telemetry-agent';
const PODS = ['aaaaa', 'bbbbb'].map((s) => `/registry/pods/monitoring/telemetry-agent-${s}`);

const until = waiter(20_000);

// A break-glass step in REAL mode asks the person to name every cluster it acts on; the test
// cannot type into VS Code's input box, so it answers through the session's prompter (below),
// which also records what the person would have been asked.
const RUNBOOK = `---
runbook: true
title: Across clusters
---
# Remove the agent everywhere

\`\`\`breakglass {name=${STEP}}
action: etcd-delete
clusters: '*'
keys: [${DS}]
prefixes: [/registry/pods/monitoring/telemetry-agent-]
\`\`\`
`;

/** What the session asked the person to confirm: [name, where] per cluster, per question. */
const asked: [string, string[]][][] = [];
function answerNames(p: RunbookPanel): void {
  const prompter: Pick<Prompter, 'confirmTargets'> = {
    confirmTargets: async (_step, targets) => {
      asked.push(targets.map((t) => [t.name, t.where]));
      return true;
    },
  };
  const opts = (p.currentSession as unknown as { opts: { prompter: Prompter } }).opts;
  opts.prompter = { ...opts.prompter, ...prompter };
}

describe('Break-glass step across clusters in the Runbook view', function () {
  this.timeout(120_000);
  let etcd: EtcdServer | undefined;
  let deadPort = 0;
  let panel: RunbookPanel;
  const config = () => join(folder(), '.breakglass', 'preflight.yaml');
  const runbook = () => vscode.Uri.file(join(folder(), 'clusters.md'));
  const writeConfig = (westUrl: string) =>
    writeFileSync(config(), `clusters:\n  - name: east\n    etcd:\n      endpoints: [${etcd!.endpoint}]\n  - name: west\n    etcd:\n      endpoints: [${westUrl}]\n`);
  const seed = () => {
    for (const k of [DS, ...PODS, '/registry/pods/monitoring/other-1']) etcdctl(etcd!, ['put', k, 'v']);
  };
  const keys = () => etcdctl(etcd!, ['get', '--prefix', '--keys-only', '/registry/']).split('\n').filter(Boolean).sort();
  const shown = () => panel.clustersShown[STEP];

  before(async () => {
    await api();
    etcd = await startEtcd();
    seed();
    deadPort = await closedPort();
    mkdirSync(dirname(config()), { recursive: true });
    writeConfig(`http://127.0.0.1:${deadPort}`);
    writeFileSync(runbook().fsPath, RUNBOOK);
    const ok = await vscode.commands.executeCommand('breakglass.enterRealMode', { context: 'prod-large', kubeconfig: join(folder(), 'kubeconfig.yaml'), confirmed: true });
    assert.equal(ok, true);
  });

  after(async () => {
    await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await etcd?.stop();
    rmSync(config(), { force: true });
    rmSync(runbook().fsPath, { force: true });
  });

  it('shows a row per cluster with its state, progress and result, and a Retry failed button', async () => {
    const a = await api();
    const p = await a.openRunbook(runbook(), { resume: 'never' });
    assert.ok(p);
    panel = p;
    await until('the Runbook view to be ready', () => panel.isReady, WEBVIEW_LOAD_MS);
    assert.equal(panel.currentSession.target.mode, 'real');
    answerNames(panel);

    const t0 = Date.now();
    const state = await vscode.commands.executeCommand('breakglass.runStep', runbook(), STEP);
    assert.equal(state, 'failed');
    assert.ok(Date.now() - t0 < 30_000, `an unreachable etcd fails fast (${Date.now() - t0} ms)`);
    assert.deepEqual(keys(), ['/registry/pods/monitoring/other-1'], 'east: exactly the agent keys are gone');
    assert.deepEqual(panel.currentSession.failedOf(STEP), ['west']);

    const drawn = await until('the page to draw both clusters and the retry button', () => {
      const s = shown();
      return s && s.rows.length === 2 && /failed/.test(s.rows[1]) && s.retry ? s : undefined;
    }, 20_000, shown);
    // Cells: cluster | nodes | state | progress | result.
    // The result in a few words; a failure's reason stays in its cell.
    assert.equal(drawn.rows[0], 'east | — | succeeded | 3/3 | 3 key(s) deleted');
    assert.match(drawn.rows[1], new RegExp(`^west \\| — \\| failed \\| — \\| etcd-delete: .*127\\.0\\.0\\.1:${deadPort}: connection refused`));
    assert.equal(drawn.retry, 'Retry failed (1)');
    // The step's output: each cluster's result once, its keys under its name.
    const out = panel.currentSession.states.get(STEP)!.output;
    assert.equal(out.split('[east] succeeded: deleted 3 of 3 key(s)').length - 1, 1, out);
    assert.match(out, /^\[east\] succeeded: deleted 3 of 3 key\(s\) from etcd \S+ \(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 2 under \/registry\/pods\/monitoring\/telemetry-agent-\)$/m);
    assert.match(out, /^\[east\] ✔ \/registry\/daemonsets\/monitoring\/telemetry-agent: deleted \(mod revision \d+\)$/m);
    assert.doesNotMatch(out, /east\/\/registry/);
    // The person was asked to name both clusters, with the etcd each one's delete goes to.
    assert.deepEqual(asked.at(-1), [
      ['east', [`etcd ${etcd!.endpoint} (from settings)`]],
      ['west', [`etcd http://127.0.0.1:${deadPort} (from settings)`]],
    ]);
  });

  it('the retry message runs only the failed cluster; the button goes away', async () => {
    // West comes back (at the same etcd, which has the agent's keys again).
    seed();
    writeConfig(etcd!.endpoint);
    const receive = (panel as unknown as { onMessage(m: unknown): Promise<void> }).onMessage.bind(panel);
    // A malformed intent is ignored.
    await receive({ type: 'retryFailed', stepId: '../remove-everywhere' });
    assert.equal(panel.currentSession.states.get(STEP)?.state, 'failed');
    await receive({ type: 'retryFailed', stepId: STEP });
    assert.equal(panel.currentSession.states.get(STEP)?.state, 'succeeded');
    // The retry acts on west alone: that is all the person was asked to name.
    assert.deepEqual(asked.at(-1)?.map(([name]) => name), ['west']);
    assert.deepEqual(keys(), ['/registry/pods/monitoring/other-1']);
    const drawn = await until('the page to draw the retry', () => {
      const s = shown();
      return s && s.rows.length === 2 && /succeeded/.test(s.rows[1]) && s.retry === '' ? s : undefined;
    }, 20_000, shown);
    assert.match(drawn.rows[0], /^east \| — \| skipped \| — \|/);
    assert.equal(drawn.rows[1], 'west | — | succeeded | 3/3 | 3 key(s) deleted');
    assert.deepEqual(panel.currentSession.failedOf(STEP), []);
  });
});
