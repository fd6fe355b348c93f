// What every step kind shares: the common attributes, the check of an attribute's value, and the
// reading of a YAML body.
import { readYaml } from '../../common/yaml';
import { parseDuration } from '../../common/duration';
import { escapeHtml } from '../html';
import type { AttrValue, Step } from '../model';
import type { AttrSpec, BodyProblem } from './types';

/** Attributes every step understands. */
export const COMMON_ATTRS: Record<string, AttrSpec> = {
  name: { type: 'name', description: 'Step name, unique in the runbook (letters, digits, `-`, `_`, `.`).' },
  timeout: { type: 'duration', description: 'Kill the step after this long (e.g. `20s`, `5m`).' },
  confirm: { type: 'boolean', description: 'Ask before running.' },
  destructive: { type: 'boolean', description: 'Changes the cluster: in real mode the context name must be typed to run it.' },
  mode: { type: 'mode', description: '`sim`, `real` or `both` (default): the modes the step may run in.' },
  excludeFromRunAll: { type: 'boolean', description: 'Leave out of Run All.' },
  cwd: { type: 'string', description: 'Working directory, relative to the runbook.' },
  description: { type: 'string', description: 'One line shown beside the step name.' },
};

/** Runme attributes that are accepted for compatibility and have no effect here. */
export const RUNME_ONLY_ATTRS = new Set([
  'id', 'interactive', 'background', 'closeTerminalOnSuccess', 'promptEnv', 'terminalRows', 'category', 'interpreter', 'transform',
]);

/** Checks one attribute value against its type; returns an error message or undefined. */
export function checkAttr(spec: AttrSpec, value: AttrValue): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'duration':
      return parseDuration(value as string | number) !== undefined ? undefined : 'must be a duration such as 20s, 5m or 1h';
    case 'mode':
      return value === 'sim' || value === 'real' || value === 'both' ? undefined : 'must be sim, real or both';
    case 'name':
      return typeof value === 'string' && /^[A-Za-z0-9][\w.-]*$/.test(value) ? undefined : 'must start with a letter or digit and use only letters, digits, -, _ and .';
    case 'string':
    case 'list':
      return typeof value === 'string' || typeof value === 'number' ? undefined : 'must be text';
  }
}

/** A YAML mapping body; problems (with lines relative to the body) when it is not one. */
export function yamlBody(body: string, problems: BodyProblem[], required: boolean): Record<string, unknown> | undefined {
  if (body.trim() === '') {
    if (required) problems.push({ line: 0, severity: 'error', message: 'the body is empty: it must be a YAML mapping' });
    return undefined;
  }
  const { doc, errors } = readYaml(body);
  for (const e of errors) problems.push({ line: e.line - 1, severity: 'error', message: `YAML: ${e.message}` });
  if (errors.length) return undefined;
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ line: 0, severity: 'error', message: 'the body must be a YAML mapping (key: value lines)' });
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** A step's body as code in its card. */
export function codeBlock(step: Step): string {
  return `<pre class="bg-code"><code>${escapeHtml(step.body)}</code></pre>`;
}

/** The body the journal records as the step's command. */
export function bodyCommand(step: Step): string {
  return step.body;
}
