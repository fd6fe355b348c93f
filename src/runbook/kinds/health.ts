// ```health: a live cluster-health panel. Shown, not run.
import { escapeHtml } from '../html';
import type { Step } from '../model';
import { bodyCommand, yamlBody } from './common';
import type { RenderContext, StepKindDef } from './types';

/**
 * The frame of a live cluster-health panel. The page's script draws it; the Runbook view host
 * binds it to the shared poller of its cluster while the view is visible.
 */
function healthPanel(step: Step, ctx: RenderContext): string {
  const str = (k: string) => (step.attrs[k] === undefined ? '' : String(step.attrs[k]));
  const title = str('title') || 'Cluster health';
  const steps = ctx
    .bypassSteps()
    .map((s) => s.id)
    .join(' ');
  return `<div class="bg-health" data-health-id="${escapeHtml(step.id)}" data-title="${escapeHtml(title)}" data-signals="${escapeHtml(str('signals'))}" data-breakglass-steps="${escapeHtml(steps)}">
    <div class="bg-health-head"><span class="codicon codicon-pulse"></span> <span class="bg-health-title">${escapeHtml(title)}</span> <span class="bg-health-summary">waiting for the view to connect…</span></div>
  </div>`;
}

export const health: StepKindDef<'health'> = {
  kind: 'health',
  languages: ['health'],
  title: 'Cluster health panel',
  attributes: {
    cluster: { type: 'string', description: 'Cluster (scenario cluster name in simulation).' },
    context: { type: 'string', description: 'Kube context the panel watches (default: the active target).' },
    signals: { type: 'list', description: 'Signals to chart, comma-separated (readyz, load, apf, size, dns, clients).' },
    title: { type: 'string', description: 'Panel title.' },
  },
  icon: 'pulse',
  kindBadge: true,
  confirmShowsBody: true,
  realRunLabel: 'Destructive',
  livePanel: true,
  checkBody(body, problems) {
    return yamlBody(body, problems, false);
  },
  destructiveByDefault: () => false,
  blocker: () => 'a health panel is shown, not run',
  command: bodyCommand,
  render: healthPanel,
};
