// A step's card in the Runbook view: its name, kind, badges, controls and body. The kind decides
// its icon, its badge and its body; the buttons are wired up by the webview script (no inline
// handlers).
import { formatDuration } from '../common/duration';
import { escapeHtml } from './html';
import { kindOfStep } from './kinds';
import type { Runbook, Step } from './model';

function badge(text: string, cls: string, title: string): string {
  return `<span class="bg-badge ${cls}" title="${escapeHtml(title)}">${escapeHtml(text)}</span>`;
}

/** Steps that work without the API server a health panel watches: where a panel points when it stops answering. */
export function breakglassSteps(runbook: Runbook): Step[] {
  return runbook.steps.filter((s) => kindOfStep(s).bypassesApiServer?.(s) === true || /break-?glass/i.test(s.id));
}

export function stepCard(step: Step, runbook: Runbook): string {
  const kind = kindOfStep(step);
  const runnable = kind.run !== undefined;
  const errs = runbook.diagnostics.filter((d) => d.line >= step.line && d.line < step.endLine && d.severity !== 'info');
  const badges: string[] = [];
  if (kind.kindBadge) badges.push(badge(kind.title, 'bg-kind', `A ${kind.title.toLowerCase()} step`));
  if (step.destructive) badges.push(badge('destructive', 'bg-destructive', 'Changes the cluster: in real mode the context name must be typed'));
  if (step.confirm) badges.push(badge('confirm', 'bg-confirm', 'Asks before running'));
  if (step.mode !== 'both') badges.push(badge(`${step.mode} only`, 'bg-mode', `Runs only in ${step.mode} mode`));
  if (step.timeoutMs !== undefined) badges.push(badge(`timeout ${formatDuration(step.timeoutMs)}`, 'bg-timeout', 'Killed after this long'));
  if (step.excludeFromRunAll) badges.push(badge('not in Run All', 'bg-excluded', 'Left out of Run All'));
  const desc = typeof step.attrs.description === 'string' ? `<div class="bg-step-desc">${escapeHtml(step.attrs.description)}</div>` : '';
  const problems = errs.length
    ? `<ul class="bg-step-problems">${errs.map((d) => `<li class="bg-${d.severity}"><span class="codicon codicon-${d.severity === 'error' ? 'error' : 'warning'}"></span> line ${d.line + 1}: ${escapeHtml(d.message)}</li>`).join('')}</ul>`
    : '';
  const id = escapeHtml(step.id);
  let controls = '';
  if (runnable) {
    controls = `<span class="bg-actions">
      <button class="bg-btn" data-action="run" data-step="${id}" title="Run this step"><span class="codicon codicon-play"></span> Run</button>
      <button class="bg-btn" data-action="cancel" data-step="${id}" title="Cancel (kills the step's process group)" disabled><span class="codicon codicon-debug-stop"></span> Cancel</button>
      <button class="bg-btn" data-action="skip" data-step="${id}" title="Mark as skipped"><span class="codicon codicon-debug-step-over"></span> Skip</button>
    </span>`;
  }
  const body = kind.render(step, { runbook, bypassSteps: () => breakglassSteps(runbook) });
  return `<section class="bg-step" id="step-${id}" data-step-id="${id}" data-kind="${step.kind}" data-line="${step.line}">
  <header class="bg-step-head">
    <span class="bg-step-title"><span class="codicon codicon-${kind.icon}"></span>
    <span class="bg-step-name" title="${id}">${escapeHtml(step.name ?? step.id)}</span>
    ${badges.join('')}</span>
    ${runnable ? `<span class="bg-step-controls"><span class="bg-state" data-state="pending">pending</span><span class="bg-elapsed"></span>${controls}</span>` : ''}
  </header>
  ${desc}${problems}${body}
  <div class="bg-output-wrap" hidden><pre class="bg-output" aria-live="polite"></pre><div class="bg-reason"></div></div>
</section>`;
}
