// Runbook -> HTML for the Runbook view. markdown-it renders prose with raw HTML disabled (escaped);
// step fences become step cards (card.ts) through the fence rule the shared instance got when it
// was made (markdown.ts): this call's runbook reaches that rule in the render's `env`, so renders
// never change the instance and cannot see each other's steps.
import type { ParseResult } from './parse';
import type { RenderEnv } from './markdown';
import type { Step } from './model';

export { escapeHtml } from './html';
export { breakglassSteps } from './card';

/** HTML for the body of the Runbook view (no <html>/<head>: the host wraps it with the CSP). */
export function renderRunbookHtml(parsed: ParseResult): string {
  const { runbook, tokens, md } = parsed;
  const steps = new Map<number, Step>();
  for (const s of runbook.steps) steps.set(s.line - runbook.bodyLine, s);
  const env: RenderEnv = { runbookSteps: { runbook, steps } };
  return md.renderer.render(tokens, md.options, env);
}
