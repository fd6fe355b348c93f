// Runs inside the real VS Code extension host (trusted workspace).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, folder, waiter, WEBVIEW_LOAD_MS } from './helpers';

const until = waiter(15_000);

describe('Breakglass in VS Code', () => {
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('registers its commands and starts in SIMULATED mode', async () => {
    const a = await api();
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['breakglass.openRunbook', 'breakglass.runAll', 'breakglass.enterRealMode', 'breakglass.enterSimulatedMode', 'breakglass.switchMode', 'breakglass.exportReport']) {
      assert.ok(cmds.includes(c), `${c} is registered`);
    }
    assert.equal(a.mode(), 'SIMULATED');
  });

  it('opens the Runbook view from a runbook and its page reports ready', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'steps.md'));
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'never' });
    const panel = await until('the panel', () => a.panelFor(uri));
    assert.equal(panel.webviewPanel.title, 'Runbook: Integration steps');
    assert.equal(panel.webviewPanel.viewType, 'breakglass.runbook');
    await until('the webview to load its script and say ready', () => panel.isReady, WEBVIEW_LOAD_MS);
    assert.match(panel.webviewPanel.webview.html, /Content-Security-Policy/);
    assert.match(panel.webviewPanel.webview.html, /script-src 'nonce-/);
  });

  it('runs a step: the output and the state reach the session and the journal', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'steps.md'));
    rmSync(join(folder(), 'marker-ran'), { force: true });
    const state = await vscode.commands.executeCommand('breakglass.runStep', uri, 'greet');
    assert.equal(state, 'succeeded');
    const states = a.stepStates(uri)!;
    assert.match(states.greet.output, /hi from the extension host/);
    assert.match(states.greet.output, /mode=sim/);
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'marker'), 'succeeded');
    assert.ok(existsSync(join(folder(), 'marker-ran')));
    const journal = a.panelFor(uri)!.currentSession.journalFile!;
    assert.ok(journal.startsWith(join(folder(), '.breakglass', 'journal')), journal);
    const events = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(events[0].type, 'run-started');
    assert.equal(events[0].via, 'vscode');
    assert.ok(events.some((e) => e.type === 'step-finished' && e.stepId === 'greet' && e.state === 'succeeded'));
    assert.ok(events.some((e) => e.type === 'output' && e.stepId === 'greet' && String(e.text).includes('hi from the extension host')));
  });

  it('carries an export and the directory a step left into the next step in the Runbook view', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'session-env.md'));
    writeFileSync(
      uri.fsPath,
      [
        '---',
        'runbook: true',
        'title: Session environment',
        '---',
        '',
        '```bash {name=find timeout=10s}',
        'export OFFENDER_NS=monitoring OFFENDER=telemetry-agent',
        'mkdir -p session-work && cd session-work',
        '```',
        '',
        '```bash {name=act timeout=10s}',
        'echo "acting on $OFFENDER_NS/$OFFENDER in $(basename "$PWD")"',
        '```',
        '',
      ].join('\n'),
    );
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'never' });
    await until('the panel', () => a.panelFor(uri));
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'find'), 'succeeded');
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'act'), 'succeeded');
    assert.match(a.stepStates(uri)!.act.output, /acting on monitoring\/telemetry-agent in session-work/);
    const journal = a.panelFor(uri)!.currentSession.journalFile!;
    const events = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(events.some((e) => e.type === 'env-changed' && e.stepId === 'find' && (e.set as Record<string, string>).OFFENDER_NS === 'monitoring'));
  });

  it('asks for a variable a step exports in the real input box, once; a secret answer is masked in the view and the journal', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'prompts.md'));
    writeFileSync(
      uri.fsPath,
      ['---', 'runbook: true', 'title: Prompts', '---', '', '```bash {name=region timeout=60s}', 'export REGION="eu-west-1"', 'echo "region $REGION"', '```', '', '```bash {name=login timeout=60s}', 'export API_TOKEN', 'echo "token $API_TOKEN"', '```', ''].join('\n'),
    );
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'never' });
    const panel = await until('the panel', () => a.panelFor(uri));
    // The real input box: it offers the runbook's value, and Enter takes it.
    const first = vscode.commands.executeCommand<string>('breakglass.runStep', uri, 'region');
    await new Promise((r) => setTimeout(r, 1500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await first, 'succeeded');
    assert.equal(a.stepStates(uri)!.region.output, 'region eu-west-1\n');
    // Set in the session now: run again, nothing is asked (it would wait for an answer otherwise).
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'region'), 'succeeded');
    // A secret-looking name, answered through the session's prompter (a test cannot type unseen into
    // the input box): what the step prints is masked in the view, and the journal never has it.
    const asked: string[] = [];
    const opts = (panel.currentSession as unknown as { opts: { prompter: Record<string, unknown> } }).opts;
    opts.prompter = { ...opts.prompter, askVariable: async (_step: unknown, v: { name: string; status: string }) => (asked.push(`${v.name}:${v.status}`), 'tok-9f8e7d6c5b4a') };
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'login'), 'succeeded');
    assert.deepEqual(asked, ['API_TOKEN:secret']);
    assert.equal(a.stepStates(uri)!.login.output, 'token ••••••\n');
    const journal = readFileSync(panel.currentSession.journalFile!, 'utf8');
    assert.doesNotMatch(journal, /tok-9f8e7d6c5b4a/);
    assert.match(journal, /API_TOKEN \(asked\)/);
  });

  it('runs an interactive=true step in a terminal that takes typed input; its transcript is the step output', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'interactive.md'));
    writeFileSync(
      uri.fsPath,
      ['---', 'runbook: true', 'title: Interactive', '---', '', '```bash {name=pick interactive=true timeout=60s}', 'read -r -p "namespace? " ns', 'export PICKED="$ns"', 'echo "picked $ns"', '```', '', '```bash {name=use timeout=10s}', 'echo "using $PICKED"', '```', ''].join('\n'),
    );
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'never' });
    await until('the panel', () => a.panelFor(uri));
    const run = vscode.commands.executeCommand<string>('breakglass.runStep', uri, 'pick');
    const terminal = await until('the step terminal', () => vscode.window.terminals.find((t) => t.name === 'Breakglass: pick (interactive)'));
    await new Promise((r) => setTimeout(r, 1000));
    terminal.sendText('monitoring', true);
    assert.equal(await run, 'succeeded');
    assert.match(a.stepStates(uri)!.pick.output, /picked monitoring/);
    assert.equal(await vscode.commands.executeCommand('breakglass.runStep', uri, 'use'), 'succeeded');
    assert.equal(a.stepStates(uri)!.use.output, 'using monitoring\n');
    await until('the terminal closed', () => !vscode.window.terminals.includes(terminal));
  });

  it('Run All shows a background=true step running while later steps run, and stops it at the end of the run', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'background.md'));
    writeFileSync(
      uri.fsPath,
      ['---', 'runbook: true', 'title: Background', '---', '', '```bash {name=watch background=true timeout=60s}', 'while true; do echo tick; sleep 0.2; done', '```', '', '```bash {name=work timeout=10s}', 'sleep 2; echo worked', '```', ''].join('\n'),
    );
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'never' });
    await until('the panel', () => a.panelFor(uri));
    const run = vscode.commands.executeCommand<string>('breakglass.runAll', uri);
    // Both at once: the background step runs (its output growing) while the next step runs.
    await until('both running', () => a.stepStates(uri)?.watch?.state === 'running' && a.stepStates(uri)?.work?.state === 'running');
    await until('live output', () => (a.stepStates(uri)!.watch.output.match(/tick/g) ?? []).length >= 2);
    assert.equal(await run, 'succeeded');
    const watch = a.stepStates(uri)!.watch;
    assert.equal(watch.state, 'succeeded');
    assert.equal(watch.reason, 'background: stopped at the end of the run');
    assert.equal(a.panelFor(uri)!.currentSession.isRunning(), false);
  });

  it('Run All stops at the first failure', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'steps.md'));
    const outcome = await vscode.commands.executeCommand('breakglass.runAll', uri);
    assert.equal(outcome, 'failed');
    const states = a.stepStates(uri)!;
    assert.equal(states.fails.state, 'failed');
    assert.equal(states.fails.exitCode, 7);
    assert.equal(states.never.state, 'pending');
  });

  it('exports the after-action report as markdown', async () => {
    const uri = vscode.Uri.file(join(folder(), 'steps.md'));
    const out = await vscode.commands.executeCommand<string>('breakglass.exportReport', uri);
    assert.ok(out && existsSync(out), 'report written');
    const md = readFileSync(out, 'utf8');
    assert.match(md, /# After-action report: Integration steps/);
    assert.match(md, /\| `greet` \| succeeded \| 0 \|/);
    assert.match(md, /\| `fails` \| failed \| 7 \|/);
  });

  it('reopening a runbook resumes its last journal with step states restored', async () => {
    const a = await api();
    const uri = vscode.Uri.file(join(folder(), 'steps.md'));
    const before = a.stepStates(uri)!;
    assert.equal(before.fails.state, 'failed');
    a.panelFor(uri)!.dispose();
    assert.equal(a.panelFor(uri), undefined);
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'always' });
    const states = await until('restored states', () => {
      const s = a.stepStates(uri);
      return s && s.greet.state === 'succeeded' ? s : undefined;
    });
    assert.equal(states.fails.state, 'failed');
    assert.equal(states.never.state, 'pending');
    assert.match(states.greet.output, /hi from the extension host/);
  });

  it('shows malformed runbooks in the Problems panel with line numbers', async () => {
    const uri = vscode.Uri.file(join(folder(), 'broken.md'));
    await vscode.workspace.openTextDocument(uri);
    const diags = await until('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 3 ? d : undefined;
    });
    const lines = diags.map((d) => `${d.range.start.line}:${d.code}`).sort();
    assert.deepEqual(lines, ['12:breakglass-body', '7:attr-unknown', '7:attr-value'].sort());
    assert.ok(diags.every((d) => d.source === 'breakglass'));
  });

  it('enters REAL mode only through its command and shows it', async () => {
    const a = await api();
    const kubeconfig = join(folder(), 'kubeconfig.yaml');
    const ok = await vscode.commands.executeCommand('breakglass.enterRealMode', { context: 'prod-large', kubeconfig, confirmed: true });
    assert.equal(ok, true);
    assert.equal(a.mode(), 'REAL: prod-large');
    const uri = vscode.Uri.file(join(folder(), 'steps.md'));
    assert.equal(a.panelFor(uri)!.currentSession.target.context, 'prod-large', 'open runbooks follow the mode');
    await vscode.commands.executeCommand('breakglass.enterSimulatedMode');
    assert.equal(a.mode(), 'SIMULATED');
    const unknown = await vscode.commands.executeCommand('breakglass.enterRealMode', { context: 'nope', kubeconfig, confirmed: true });
    assert.equal(unknown, false);
    assert.equal(a.mode(), 'SIMULATED');
  });
});
