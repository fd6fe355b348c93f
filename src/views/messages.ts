// Messages between the Runbook view (webview) and the extension. Both sides validate what they
// receive: a webview is a web page, and its messages are input like any other.
import type { StepState } from '../runbook/model';

export interface StepView {
  state: StepState;
  /** Milliseconds the step has been running (running) or ran (finished), at the time of sending. */
  elapsedMs?: number;
  exitCode?: number | null;
  reason?: string;
}

export type ToHost =
  | { type: 'ready' }
  | { type: 'run'; stepId: string }
  | { type: 'cancel'; stepId: string }
  | { type: 'skip'; stepId: string }
  | { type: 'runAll' }
  | { type: 'cancelAll' }
  | { type: 'reveal'; line: number }
  | { type: 'openLink'; href: string };

export type ToWebview =
  | {
      type: 'snapshot';
      mode: { label: string; real: boolean };
      trusted: boolean;
      runAll: boolean;
      journal?: string;
      steps: Record<string, StepView & { output: string }>;
    }
  | { type: 'state'; stepId: string; view: StepView }
  | { type: 'output'; stepId: string; stream: 'stdout' | 'stderr' | 'info'; text: string }
  | { type: 'mode'; mode: { label: string; real: boolean }; trusted: boolean }
  | { type: 'runAll'; running: boolean }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

const STEP_ID = /^[A-Za-z0-9][\w.~-]{0,199}$/;
const STATES: ReadonlySet<string> = new Set(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A message from the webview, or undefined when it is not one we accept. */
export function parseToHost(msg: unknown): ToHost | undefined {
  if (!isObj(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'ready':
    case 'runAll':
    case 'cancelAll':
      return { type: msg.type };
    case 'run':
    case 'cancel':
    case 'skip':
      return typeof msg.stepId === 'string' && STEP_ID.test(msg.stepId) ? { type: msg.type, stepId: msg.stepId } : undefined;
    case 'reveal':
      return typeof msg.line === 'number' && Number.isInteger(msg.line) && msg.line >= 0 && msg.line < 10_000_000 ? { type: 'reveal', line: msg.line } : undefined;
    case 'openLink':
      return typeof msg.href === 'string' && msg.href.length < 4096 && /^(https?:|#)/i.test(msg.href) ? { type: 'openLink', href: msg.href } : undefined;
    default:
      return undefined;
  }
}

function isStepView(v: unknown): v is StepView {
  return isObj(v) && typeof v.state === 'string' && STATES.has(v.state) && (v.elapsedMs === undefined || typeof v.elapsedMs === 'number');
}

/** A message from the extension, checked by the webview before it touches the page. */
export function parseToWebview(msg: unknown): ToWebview | undefined {
  if (!isObj(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'snapshot': {
      if (!isObj(msg.mode) || typeof msg.trusted !== 'boolean' || !isObj(msg.steps)) return undefined;
      for (const v of Object.values(msg.steps)) if (!isStepView(v) || typeof (v as { output?: unknown }).output !== 'string') return undefined;
      return msg as ToWebview;
    }
    case 'state':
      return typeof msg.stepId === 'string' && isStepView(msg.view) ? (msg as ToWebview) : undefined;
    case 'output':
      return typeof msg.stepId === 'string' && typeof msg.text === 'string' && (msg.stream === 'stdout' || msg.stream === 'stderr' || msg.stream === 'info') ? (msg as ToWebview) : undefined;
    case 'mode':
      return isObj(msg.mode) && typeof msg.trusted === 'boolean' ? (msg as ToWebview) : undefined;
    case 'runAll':
      return typeof msg.running === 'boolean' ? (msg as ToWebview) : undefined;
    case 'notice':
      return typeof msg.message === 'string' ? (msg as ToWebview) : undefined;
    default:
      return undefined;
  }
}
