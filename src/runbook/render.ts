// Runbook -> HTML for the Runbook view. markdown-it renders prose with raw HTML disabled (escaped);
// step fences become step cards whose buttons the webview script wires up (no inline handlers).
import type Token from 'markdown-it/lib/token.mjs';
import type { Options } from 'markdown-it';
import type Renderer from 'markdown-it/lib/renderer.mjs';
import type { RenderRule } from 'markdown-it/lib/renderer.mjs';
import { formatDuration } from '../common/duration';
import { kindForLang, kindSpec } from './kinds';
import type { ParseResult } from './parse';
import type { Runbook, Step } from './model';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const KIND_ICON: Record<string, string> = { shell: 'terminal', check: 'pass', health: 'pulse', breakglass: 'flame' };

function badge(text: string, cls: string, title: string): string {
  return `<span class="bg-badge ${cls}" title="${escapeHtml(title)}">${escapeHtml(text)}</span>`;
}

/** Steps that work without the API server this panel watches: where a panel points when it stops answering. */
export function breakglassSteps(runbook: Runbook): Step[] {
  return runbook.steps.filter((s) => s.kind === 'breakglass' || /break-?glass/i.test(s.id) || (s.kind === 'shell' && /--context[= ]\S*breakglass/.test(s.body)));
}

/**
 * A ```health fence: the frame of a live cluster-health panel. The page's script draws it; the
 * Runbook view host binds it to the shared poller of its cluster while the view is visible.
 */
function healthPanel(step: Step, runbook: Runbook): string {
  const str = (k: string) => (step.attrs[k] === undefined ? '' : String(step.attrs[k]));
  const title = str('title') || 'Cluster health';
  const steps = breakglassSteps(runbook)
    .map((s) => s.id)
    .join(' ');
  return `<div class="bg-health" data-health-id="${escapeHtml(step.id)}" data-title="${escapeHtml(title)}" data-signals="${escapeHtml(str('signals'))}" data-breakglass-steps="${escapeHtml(steps)}">
    <div class="bg-health-head"><span class="codicon codicon-pulse"></span> <span class="bg-health-title">${escapeHtml(title)}</span> <span class="bg-health-summary">waiting for the view to connect…</span></div>
  </div>`;
}

function stepCard(step: Step, runbook: Runbook): string {
  const spec = kindSpec(step.kind);
  const errs = runbook.diagnostics.filter((d) => d.line >= step.line && d.line < step.endLine && d.severity !== 'info');
  const badges: string[] = [];
  if (step.kind !== 'shell') badges.push(badge(spec.title, 'bg-kind', `A ${spec.title.toLowerCase()} step`));
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
  if (spec.runnable || step.kind === 'breakglass') {
    controls = `<span class="bg-actions">
      <button class="bg-btn" data-action="run" data-step="${id}" title="Run this step"><span class="codicon codicon-play"></span> Run</button>
      <button class="bg-btn" data-action="cancel" data-step="${id}" title="Cancel (kills the step's process group)" disabled><span class="codicon codicon-debug-stop"></span> Cancel</button>
      <button class="bg-btn" data-action="skip" data-step="${id}" title="Mark as skipped"><span class="codicon codicon-debug-step-over"></span> Skip</button>
    </span>`;
  }
  const body = step.kind === 'health' ? healthPanel(step, runbook) : `<pre class="bg-code"><code>${escapeHtml(step.body)}</code></pre>`;
  return `<section class="bg-step" id="step-${id}" data-step-id="${id}" data-kind="${step.kind}" data-line="${step.line}">
  <header class="bg-step-head">
    <span class="bg-step-title"><span class="codicon codicon-${KIND_ICON[step.kind] ?? 'circle'}"></span>
    <span class="bg-step-name" title="${id}">${escapeHtml(step.name ?? step.id)}</span>
    ${badges.join('')}</span>
    ${spec.runnable || step.kind === 'breakglass' ? `<span class="bg-step-controls"><span class="bg-state" data-state="pending">pending</span><span class="bg-elapsed"></span>${controls}</span>` : ''}
  </header>
  ${desc}${problems}${body}
  <div class="bg-output-wrap" hidden><pre class="bg-output" aria-live="polite"></pre><div class="bg-reason"></div></div>
</section>`;
}

/** HTML for the body of the Runbook view (no <html>/<head>: the host wraps it with the CSP). */
export function renderRunbookHtml(parsed: ParseResult): string {
  const { runbook, tokens, md } = parsed;
  const byLine = new Map<number, Step>();
  for (const s of runbook.steps) byLine.set(s.line - runbook.bodyLine, s);
  // A renderer rule for fences, local to this call: step fences become cards.
  const rules = md.renderer.rules;
  const defaultFence = rules.fence;
  const fence: RenderRule = (toks: Token[], idx: number, options: Options, env: unknown, self: Renderer) => {
    const t = toks[idx];
    const step = t.map ? byLine.get(t.map[0]) : undefined;
    if (step && kindForLang(t.info.trim().split(/[\s{]/)[0])) return stepCard(step, runbook);
    return defaultFence ? defaultFence(toks, idx, options, env, self) : `<pre><code>${escapeHtml(t.content)}</code></pre>`;
  };
  rules.fence = fence;
  try {
    return md.renderer.render(tokens, md.options, {});
  } finally {
    rules.fence = defaultFence;
  }
}
