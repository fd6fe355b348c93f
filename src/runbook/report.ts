// After-action report: a markdown timeline built from a journal (already masked).
import type { JournalEvent, RunStartedEvent } from './events';
import { formatDuration } from '../common/duration';
import { replay } from './journal';
import { mdCode, mdFence as fence, mdText as txt, tailLines } from '../common/markdown';

// Everything from the journal is escaped (common/markdown.ts): inline text with `txt`, identifiers and
// paths as code spans, commands and output in fences that nothing inside can close.

const OUTPUT_LINES = 40;

const tail = (text: string, n: number): string => tailLines(text, n, 'the journal');

function clock(iso: string, start: number): string {
  const t = Date.parse(iso);
  return `${txt(String(iso).slice(11, 19))}Z (T+${formatDuration(Math.max(0, t - start))})`;
}

export function renderReport(events: JournalEvent[], journalFile?: string): string {
  const start = events.find((e): e is RunStartedEvent => e.type === 'run-started');
  if (!start) return '# After-action report\n\nThe journal has no run-started event: nothing to report.\n';
  const t0 = Date.parse(start.t);
  const r = replay(events);
  const out: string[] = [];
  out.push(`# After-action report: ${txt(start.title)}`);
  out.push('');
  out.push(`| | |`, `|---|---|`);
  out.push(`| Runbook | ${mdCode(start.runbook, { cell: true })} |`);
  out.push(`| Started | ${txt(start.t)} by ${txt(start.user)} on ${txt(start.host)} (${txt(start.via)}) |`);
  out.push(`| Mode | ${start.mode === 'real' ? `REAL: ${txt(start.target)}` : 'SIMULATED'} |`);
  const last = events[events.length - 1];
  out.push(`| Last event | ${txt(last.t)} (T+${formatDuration(Date.parse(last.t) - t0)}) |`);
  const fin = events.find((e) => e.type === 'run-finished');
  out.push(`| Outcome | ${fin && fin.type === 'run-finished' ? txt(fin.outcome) : 'not finished (the journal ends before the run closed)'} |`);
  if (journalFile) out.push(`| Journal | ${mdCode(journalFile, { cell: true })} |`);
  const params = Object.entries(start.params);
  if (params.length) out.push(`| Parameters | ${params.map(([k, v]) => mdCode(`${k}=${String(v)}`, { cell: true })).join(', ')} |`);
  out.push('');

  out.push('## Steps', '', '| Step | State | Exit | Duration | Note |', '|---|---|---|---|---|');
  for (const [id, s] of Object.entries(r.steps)) {
    out.push(`| ${mdCode(id, { cell: true })} | ${txt(s.state)} | ${txt(s.exitCode ?? '')} | ${s.durationMs !== undefined ? formatDuration(s.durationMs) : ''} | ${txt(s.reason ?? '')} |`);
  }
  out.push('');
  // Steps whose process group was never stopped: the report must not call them cancelled.
  const orphans = Object.entries(r.steps).filter(([, s]) => s.mayStillRun);
  for (const [id, s] of orphans) {
    out.push(`> **Warning:** ${mdCode(id)} may still be running: the run ended while it ran, and its process group ${txt(s.processGroup ?? '?')}${s.processHost ? ` on ${txt(s.processHost)}` : ''} was not stopped. Check that host before running it again.`, '');
  }

  out.push('## Timeline', '');
  const outputs = new Map<string, string>();
  for (const e of events) if (e.type === 'output') outputs.set(e.stepId, (outputs.get(e.stepId) ?? '') + e.text);
  for (const e of events) {
    switch (e.type) {
      case 'run-started':
        out.push(`- ${clock(e.t, t0)} run started by ${txt(e.user)}, ${e.mode === 'real' ? `REAL: ${txt(e.target)}` : 'SIMULATED'}`);
        break;
      case 'run-resumed':
        out.push(`- ${clock(e.t, t0)} run resumed by ${txt(e.user)}, ${e.mode === 'real' ? `REAL: ${txt(e.target)}` : 'SIMULATED'}`);
        break;
      case 'step-started':
        out.push(`- ${clock(e.t, t0)} **${txt(e.stepId)}** started by ${txt(e.user)} (${txt(e.kind)})`);
        out.push('', indent(fence(e.command)), '');
        break;
      case 'step-finished': {
        const note = [e.exitCode !== null ? `exit ${e.exitCode}` : '', e.timedOut ? 'timed out' : '', e.reason ?? ''].filter(Boolean).join(', ');
        out.push(`- ${clock(e.t, t0)} **${txt(e.stepId)}** ${txt(e.state)} after ${formatDuration(e.durationMs)}${note ? ` (${txt(note)})` : ''}`);
        const o = outputs.get(e.stepId);
        if (o && e.state !== 'skipped') {
          out.push('', indent(fence(tail(o, OUTPUT_LINES))), '');
          outputs.delete(e.stepId);
        }
        break;
      }
      case 'decision':
        out.push(`- ${clock(e.t, t0)} decision: ${txt(e.decision)}${e.stepId ? ` on **${txt(e.stepId)}**` : ''} by ${txt(e.user)}${e.detail ? ` (${txt(e.detail)})` : ''}`);
        break;
      case 'run-finished':
        out.push(`- ${clock(e.t, t0)} run closed: ${txt(e.outcome)}`);
        break;
      case 'output':
      case 'step-process':
        break;
    }
  }
  // Steps interrupted mid-run still show what they printed.
  for (const [id, o] of outputs) {
    const s = r.steps[id];
    if (s?.mayStillRun) out.push(`- **${txt(id)}** may still be running (process group ${s.processGroup}); its last output:`, '', indent(fence(tail(o, OUTPUT_LINES))), '');
    else if (s?.state === 'cancelled') out.push(`- **${txt(id)}** was interrupted; its last output:`, '', indent(fence(tail(o, OUTPUT_LINES))), '');
  }
  out.push('');
  return out.join('\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
