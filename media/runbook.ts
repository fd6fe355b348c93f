// Runbook view script: draws step states and output, posts the person's intents. No logic beyond
// drawing: the extension decides everything. ```health fences are live cluster-health panels,
// drawn by media/health.ts.
import { parseToWebview, type ClusterRowView, type StepView, type ToHost, type ToWebview } from '../src/views/messages/runbook';
import type { ReadinessBadge } from '../src/breakglass/readiness';
import { announceReady, guardLinks } from './dom';
import { isHealthMessage, mountHealthPanels } from './health';

declare function acquireVsCodeApi(): { postMessage(msg: ToHost): void };
const vscode = acquireVsCodeApi();
const health = mountHealthPanels((m) => vscode.postMessage(m));

const OUTPUT_CAP = 200_000;
/** Local clock origin of each running step (performance.now() at its start). */
const runningSince = new Map<string, number>();
let trusted = true;
let runAllActive = false;
/** Has the extension sent the run's snapshot yet (the answer to "ready")? */
let snapshotSeen = false;
let readinessRunning = false;

function card(stepId: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`.bg-step[data-step-id="${CSS.escape(stepId)}"]`);
}

function fmt(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s`;
}

function setButtons(el: HTMLElement, state: string): void {
  const running = state === 'running';
  const btn = (a: string) => el.querySelector<HTMLButtonElement>(`button[data-action="${a}"]`);
  const run = btn('run');
  if (run) {
    run.disabled = running || !trusted || runAllActive;
    const label = state === 'pending' ? 'Run' : 'Run again';
    run.lastChild!.textContent = ` ${label}`;
  }
  const cancel = btn('cancel');
  if (cancel) cancel.disabled = !running;
  const skip = btn('skip');
  if (skip) skip.disabled = running || !trusted || state === 'succeeded' || state === 'skipped';
  const retry = btn('retryFailed');
  if (retry) retry.disabled = running || !trusted || runAllActive;
}

function applyState(stepId: string, view: StepView): void {
  const el = card(stepId);
  if (!el) return;
  el.dataset.state = view.state;
  const st = el.querySelector<HTMLElement>('.bg-state');
  if (st) {
    st.textContent = view.state;
    st.dataset.state = view.state;
  }
  const elapsed = el.querySelector<HTMLElement>('.bg-elapsed');
  if (view.state === 'running') {
    runningSince.set(stepId, performance.now() - (view.elapsedMs ?? 0));
    const out = el.querySelector<HTMLElement>('.bg-output');
    if (out && (view.elapsedMs ?? 0) < 50) out.textContent = '';
  } else {
    runningSince.delete(stepId);
    if (elapsed) elapsed.textContent = view.elapsedMs !== undefined ? fmt(view.elapsedMs) : '';
  }
  const reason = el.querySelector<HTMLElement>('.bg-reason');
  if (reason) reason.textContent = view.state !== 'running' && view.reason ? view.reason : '';
  if (view.state !== 'pending') el.querySelector<HTMLElement>('.bg-output-wrap')?.removeAttribute('hidden');
  setButtons(el, view.state);
}

function appendOutput(stepId: string, stream: string, text: string): void {
  const el = card(stepId);
  const out = el?.querySelector<HTMLElement>('.bg-output');
  if (!el || !out) return;
  el.querySelector<HTMLElement>('.bg-output-wrap')?.removeAttribute('hidden');
  const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
  const span = document.createElement('span');
  span.className = `bg-${stream}`;
  span.textContent = text;
  out.appendChild(span);
  // Keep the DOM bounded: drop the oldest chunks.
  while ((out.textContent?.length ?? 0) > OUTPUT_CAP && out.firstChild) out.removeChild(out.firstChild);
  if (atBottom) out.scrollTop = out.scrollHeight;
}

function setMode(label: string, real: boolean, isTrusted: boolean): void {
  const m = document.getElementById('bg-mode');
  if (m) {
    m.textContent = label;
    m.title = label;
    m.classList.toggle('bg-real', real);
  }
  document.body.dataset.mode = real ? 'real' : 'sim';
  trusted = isTrusted;
  const banner = document.getElementById('bg-trust');
  if (banner) banner.hidden = isTrusted;
  refreshToolbar();
  document.querySelectorAll<HTMLElement>('.bg-step').forEach((el) => setButtons(el, el.dataset.state ?? 'pending'));
  document.querySelectorAll<HTMLButtonElement>('.bg-readiness-check').forEach((b) => (b.disabled = readinessRunning || !trusted));
}

function refreshToolbar(): void {
  const runAll = document.querySelector<HTMLButtonElement>('.bg-toolbar button[data-action="runAll"]');
  if (runAll) runAll.disabled = runAllActive || !trusted;
  const stop = document.querySelector<HTMLButtonElement>('.bg-toolbar button[data-action="cancelAll"]');
  if (stop) stop.disabled = !runAllActive && runningSince.size === 0;
}

function notice(level: string, message: string): void {
  const n = document.getElementById('bg-notice');
  if (!n) return;
  n.className = `bg-banner bg-${level}`;
  n.textContent = message;
  n.hidden = false;
}

const READINESS_WORDS: Record<ReadinessBadge['status'], string> = { ready: 'ready', 'not-ready': 'not ready', 'not-checked': 'not checked' };
const READINESS_ICONS: Record<ReadinessBadge['status'], string> = { ready: 'pass', 'not-ready': 'error', 'not-checked': 'circle-large-outline' };

/**
 * Readiness of a ```breakglass step: a line under its header, e.g. "not ready: prod-east etcd:
 * connection refused … · checked 14:03:22", and a button to check again.
 */
function applyReadiness(stepId: string, b: ReadinessBadge, running: boolean): string | undefined {
  const el = card(stepId);
  const head = el?.querySelector<HTMLElement>('.bg-step-head');
  if (!el || !head) return undefined;
  let line = el.querySelector<HTMLElement>('.bg-readiness');
  if (!line) {
    line = document.createElement('div');
    line.className = 'bg-readiness';
    line.innerHTML =
      '<span class="codicon"></span><span class="bg-readiness-text"><span class="bg-readiness-status"></span><span class="bg-readiness-reason"></span><span class="bg-readiness-time"></span></span>' +
      '<button class="bg-btn bg-readiness-check" data-action="checkReadiness" title="Breakglass: Check Break-Glass Readiness (runs the preflight; changes nothing)"><span class="codicon codicon-shield"></span> Check readiness</button>';
    head.after(line);
  }
  line.dataset.readiness = b.status;
  line.querySelector<HTMLElement>('.codicon')!.className = `codicon codicon-${READINESS_ICONS[b.status]}`;
  line.querySelector<HTMLElement>('.bg-readiness-status')!.textContent = READINESS_WORDS[b.status];
  line.querySelector<HTMLElement>('.bg-readiness-reason')!.textContent = b.reason ? `: ${b.reason}` : '';
  line.querySelector<HTMLElement>('.bg-readiness-time')!.textContent = b.checkedAt !== undefined ? ` · checked ${new Date(b.checkedAt).toLocaleTimeString()}` : '';
  line.title = b.status === 'ready' ? 'The last preflight proved the path this step needs' : 'From the last preflight (Breakglass: Check Break-Glass Readiness)';
  const btn = line.querySelector<HTMLButtonElement>('.bg-readiness-check')!;
  btn.disabled = running || !trusted;
  btn.lastChild!.textContent = running ? ' Checking…' : ' Check readiness';
  return line.querySelector<HTMLElement>('.bg-readiness-text')!.textContent ?? '';
}

// --- break-glass steps across clusters -------------------------------------------------------------

const CLUSTER_ICONS: Record<ClusterRowView['state'], string> = {
  pending: 'circle-large-outline',
  running: 'sync',
  succeeded: 'pass',
  failed: 'error',
  skipped: 'debug-step-over',
  cancelled: 'circle-slash',
  'dry-run': 'eye',
};

function cell(tr: HTMLTableRowElement, cls: string, text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = cls;
  td.textContent = text;
  tr.appendChild(td);
  return td;
}

const CLUSTER_COLUMNS: [string, string][] = [
  ['Cluster', 'bg-cluster-name'],
  ['Nodes', 'bg-cluster-size'],
  ['State', 'bg-cluster-state'],
  ['Progress', 'bg-cluster-progress'],
  ['Result', 'bg-cluster-summary'],
];

/**
 * The clusters table of a break-glass step, inside its card under the step's body: one row per
 * cluster (largest first, as sent), its state, a progress bar (done/total, failed) and its result
 * in a few words; each cluster's whole result under "Details" (collapsed), below the table.
 */
function applyClusters(stepId: string, rows: ClusterRowView[]): void {
  const el = card(stepId);
  if (!el) return;
  let box = el.querySelector<HTMLElement>('.bg-clusters');
  if (!box) {
    box = document.createElement('div');
    box.className = 'bg-clusters';
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const [h, cls] of CLUSTER_COLUMNS) {
      const th = document.createElement('th');
      th.className = cls;
      th.textContent = h;
      head.appendChild(th);
    }
    table.createTBody();
    const details = document.createElement('details');
    details.className = 'bg-cluster-details';
    details.hidden = true;
    const summary = document.createElement('summary');
    summary.textContent = 'Details';
    details.append(summary, document.createElement('ul'));
    box.append(table, details);
    const before = el.querySelector('.bg-output-wrap');
    if (before) el.insertBefore(box, before);
    else el.appendChild(box);
  }
  const body = box.querySelector('tbody')!;
  body.textContent = '';
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.cluster = r.name;
    tr.dataset.state = r.state;
    // A name of a dozen characters or less (prod-east) stays whole in a narrow column; a longer one
    // may wrap at its hyphens there, so that the table still fits.
    cell(tr, r.name.length > 12 ? 'bg-cluster-name bg-long-name' : 'bg-cluster-name', r.name);
    cell(tr, 'bg-cluster-size', r.size !== undefined ? r.size.toLocaleString('en-US') : '—');
    const st = cell(tr, 'bg-cluster-state', '');
    const icon = document.createElement('span');
    icon.className = `codicon codicon-${CLUSTER_ICONS[r.state]}${r.state === 'running' ? ' codicon-modifier-spin' : ''}`;
    const word = document.createElement('span');
    word.className = 'bg-cluster-state-word';
    word.textContent = ` ${r.state === 'dry-run' ? 'dry run' : r.state}`;
    st.title = word.textContent.trim();
    st.append(icon, word);
    const pr = cell(tr, 'bg-cluster-progress', '');
    if (r.total !== undefined && r.total > 0) {
      const bar = document.createElement('progress');
      bar.max = r.total;
      bar.value = Math.min(r.done ?? 0, r.total);
      if (r.failed) bar.classList.add('bg-has-failed');
      const text = document.createElement('span');
      text.className = 'bg-cluster-count';
      text.textContent = ` ${(r.done ?? 0).toLocaleString('en-US')}/${r.total.toLocaleString('en-US')}${r.failed ? `, ${r.failed.toLocaleString('en-US')} failed` : ''}`;
      pr.append(bar, text);
    } else pr.textContent = '—';
    const result = cell(tr, 'bg-cluster-summary', r.summary ?? '');
    if (r.detail) result.title = r.detail;
  }
  // The whole results, one line per cluster, for those whose cell says less than the result.
  const details = box.querySelector<HTMLDetailsElement>('.bg-cluster-details')!;
  const list = details.querySelector('ul')!;
  list.textContent = '';
  for (const r of rows) {
    if (!r.detail) continue;
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'bg-cluster-name';
    name.textContent = r.name;
    li.append(name, document.createTextNode(`: ${r.detail}`));
    list.appendChild(li);
  }
  details.hidden = list.childElementCount === 0;
  reportClusters(stepId);
}

/** "Retry failed (N)" beside the step's buttons; hidden when nothing failed. */
function applyRetry(stepId: string, failed: number): void {
  const el = card(stepId);
  const actions = el?.querySelector<HTMLElement>('.bg-actions');
  if (!el || !actions) return;
  let btn = actions.querySelector<HTMLButtonElement>('button[data-action="retryFailed"]');
  if (!btn && failed > 0) {
    btn = document.createElement('button');
    btn.className = 'bg-btn bg-retry';
    btn.dataset.action = 'retryFailed';
    btn.dataset.step = stepId;
    btn.title = 'Run this step again on exactly what failed last time (nodes, keys, clusters)';
    const icon = document.createElement('span');
    icon.className = 'codicon codicon-refresh';
    btn.append(icon, document.createTextNode(''));
    actions.appendChild(btn);
  }
  if (btn) {
    btn.hidden = failed === 0;
    btn.lastChild!.textContent = ` Retry failed (${failed})`;
  }
  setButtons(el, el.dataset.state ?? 'pending');
  reportClusters(stepId);
}

/** Tells the extension what the page shows for a step's clusters (the rows' text and the retry label). */
function reportClusters(stepId: string): void {
  const el = card(stepId);
  if (!el) return;
  const rows = Array.from(el.querySelectorAll<HTMLTableRowElement>('.bg-clusters tbody tr')).map((tr) => Array.from(tr.cells).map((c) => (c.textContent ?? '').trim()).join(' | '));
  const btn = el.querySelector<HTMLButtonElement>('button[data-action="retryFailed"]');
  const retry = btn && !btn.hidden ? (btn.textContent ?? '').trim() : '';
  vscode.postMessage({ type: 'clustersShown', stepId, rows, retry });
}

function onMessage(msg: ToWebview): void {
  if (isHealthMessage(msg)) {
    health.dispatch(msg);
    return;
  }
  switch (msg.type) {
    case 'snapshot':
      snapshotSeen = true;
      runAllActive = msg.runAll;
      setMode(msg.mode.label, msg.mode.real, msg.trusted);
      // A new run (or a page loaded again): the extension sends the tables that still apply.
      document.querySelectorAll('.bg-clusters').forEach((t) => t.remove());
      for (const [id, v] of Object.entries(msg.steps)) {
        const out = card(id)?.querySelector<HTMLElement>('.bg-output');
        if (out) out.textContent = '';
        applyState(id, v);
        if (v.output) appendOutput(id, 'stdout', v.output);
      }
      break;
    case 'state':
      applyState(msg.stepId, msg.view);
      break;
    case 'output':
      appendOutput(msg.stepId, msg.stream, msg.text);
      break;
    case 'mode':
      setMode(msg.mode.label, msg.mode.real, msg.trusted);
      break;
    case 'runAll':
      runAllActive = msg.running;
      document.querySelectorAll<HTMLElement>('.bg-step').forEach((el) => setButtons(el, el.dataset.state ?? 'pending'));
      break;
    case 'notice':
      notice(msg.level, msg.message);
      break;
    case 'readiness': {
      readinessRunning = msg.running;
      const shown: Record<string, string> = {};
      for (const [id, b] of Object.entries(msg.steps)) {
        const text = applyReadiness(id, b, msg.running);
        if (text !== undefined) shown[id] = text;
      }
      vscode.postMessage({ type: 'readinessShown', steps: shown });
      break;
    }
    case 'clusters':
      applyClusters(msg.stepId, msg.clusters);
      break;
    case 'retry':
      applyRetry(msg.stepId, msg.failed);
      break;
  }
  refreshToolbar();
}

window.addEventListener('message', (ev: MessageEvent) => {
  const msg = parseToWebview(ev.data);
  if (msg) onMessage(msg);
});

// Links (the runbook's prose, the health panels' pointers to break-glass steps): http(s) ones are
// opened by the extension, fragments scroll, anything else does nothing.
guardLinks((href) => vscode.postMessage({ type: 'openLink', href }));

document.addEventListener('click', (ev) => {
  const target = ev.target as HTMLElement;
  const btn = target.closest<HTMLButtonElement>('button[data-action]');
  if (btn && !btn.disabled) {
    const action = btn.dataset.action;
    const stepId = btn.dataset.step;
    if ((action === 'run' || action === 'cancel' || action === 'skip' || action === 'retryFailed') && stepId) vscode.postMessage({ type: action, stepId });
    else if (action === 'runAll' || action === 'cancelAll' || action === 'checkReadiness') vscode.postMessage({ type: action });
    return;
  }
  const name = target.closest<HTMLElement>('.bg-step-name');
  if (name) {
    const line = Number(name.closest<HTMLElement>('.bg-step')?.dataset.line);
    if (Number.isInteger(line)) vscode.postMessage({ type: 'reveal', line });
  }
});

setInterval(() => {
  const t = performance.now();
  for (const [id, since] of runningSince) {
    const el = card(id)?.querySelector<HTMLElement>('.bg-elapsed');
    if (el) el.textContent = fmt(t - since);
  }
}, 250);

announceReady(() => vscode.postMessage({ type: 'ready' }), () => snapshotSeen);
