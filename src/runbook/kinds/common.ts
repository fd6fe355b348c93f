// What every step kind shares: the common attributes, the check of an attribute's value, and the
// reading of a YAML body.
import { readYaml } from '../../common/yaml';
import { parseDuration } from '../../common/duration';
import { escapeHtml } from '../html';
import type { AttrValue, Step } from '../model';
import type { AttrSpec, BodyProblem } from './types';

/** Attributes every step understands. */
export const COMMON_ATTRS: Record<string, AttrSpec> = {
  name: { type: 'name', description: 'Step name, unique in the runbook (one line of text; Runme style is letters, digits, `-`, `_`, `.`).' },
  timeout: { type: 'duration', description: 'Kill the step after this long (e.g. `20s`, `5m`).' },
  confirm: { type: 'boolean', description: 'Ask before running.' },
  destructive: { type: 'boolean', description: 'Changes the cluster: in real mode the context name must be typed to run it.' },
  mode: { type: 'mode', description: '`sim`, `real` or `both` (default): the modes the step may run in.' },
  excludeFromRunAll: { type: 'boolean', description: 'Leave out of Run All.' },
  cwd: { type: 'string', description: 'Working directory, relative to the runbook.' },
  description: { type: 'string', description: 'One line shown beside the step name.' },
  background: { type: 'boolean', description: 'Run All starts it and goes on while it runs (a port-forward, `kubectl logs -f`); it is stopped when the run ends or on Cancel.' },
  interactive: { type: 'boolean', description: 'Run in a terminal the person types into (`kubectl edit`, `ssh`, `read`); its transcript becomes the output.' },
  promptEnv: { type: 'prompt', description: 'Ask for the variables the step exports: `auto` (what nobody set; the default), `always`/`true`/`yes`, `never`/`false`/`no`.' },
};

/**
 * Every cell attribute Runme reads or writes (docs/RUNME.md has the table and the sources):
 * runmedev/runme document/block.go (`name`, `id`, `background`, `category`, `tag`, `cwd`,
 * `excludeFromRunAll`, `interactive`, `interpreter`, `promptEnv`, `ignore`, `transform`) and
 * docs.runme.dev docs/configuration/cell-level.md (`closeTerminalOnSuccess`, `mimetype`,
 * `terminalRows`, `skipPrompts`); the VS Code notebook writes `mimeType`.
 */
export const RUNME_ATTRS: ReadonlySet<string> = new Set([
  'name', 'id', 'cwd', 'excludeFromRunAll', 'interactive', 'background', 'promptEnv', 'closeTerminalOnSuccess',
  'terminalRows', 'mimeType', 'mimetype', 'tag', 'category', 'interpreter', 'ignore', 'transform', 'skipPrompts',
]);

/**
 * Runme attributes that are accepted for compatibility and have no effect here: `breakglass check` lists those a runbook
 * uses in one info diagnostic (parse.ts, `runme-compat`).
 */
export const RUNME_ONLY_ATTRS: ReadonlySet<string> = new Set([...RUNME_ATTRS].filter((k) => !(k in COMMON_ATTRS)));

/** What Breakglass does instead, for a Runme attribute it does not follow (in the info diagnostic and docs/RUNME.md). */
export const RUNME_ATTR_NOTES: Readonly<Record<string, string>> = {
  skipPrompts: 'nothing is prompted for per step',
  closeTerminalOnSuccess: 'output stays in the step card',
  terminalRows: 'output stays in the step card',
  mimeType: 'output is shown as text',
  mimetype: 'output is shown as text',
  tag: 'no tag filter',
  category: 'no tag filter',
  id: "Runme's cell identity",
  interpreter: 'shell steps run in the shell',
  ignore: 'the fence is a step',
  transform: 'the fence is a step',
};

/**
 * Runme's front-matter keys that Breakglass does not follow, with what it does instead (Runme's
 * Frontmatter struct, document/frontmatter.go: runme, shell, cwd, category, tag, terminalRows,
 * skipPrompts; `shell`, `cwd` and `skipPrompts` are read into Runbook.settings).
 */
export const RUNME_FRONT_MATTER_NOTES: Readonly<Record<string, string>> = {
  runme: "Runme's document identity (id, version)",
  category: 'no tag filter',
  tag: 'no tag filter',
  terminalRows: 'output stays in the step card',
};

/**
 * Fence languages Runme runs that are not steps here: its other shells (runner/shell.go
 * IsShellLanguage: bat, cmd, powershell, pwsh, fish) and the languages it runs with an interpreter
 * (command/command.go interpreterByLanguageID, internal/executable/executable.go). Breakglass
 * shows them as code and says so once (parse.ts).
 */
export const RUNME_RUN_LANGUAGES: ReadonlySet<string> = new Set([
  'bat', 'cmd', 'dos', 'powershell', 'pwsh', 'fish', 'go', 'sh-raw',
  'js', 'javascript', 'jsx', 'javascriptreact', 'ts', 'typescript', 'tsx', 'typescriptreact',
  'clojure', 'clj', 'cljc', 'cljx', 'cljs', 'lua', 'perl', 'php', 'py', 'python', 'rb', 'ruby', 'rs', 'rust',
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
      // Runme takes any text as a name (document/block.go; `{"name":"my step"}` is valid JSON):
      // refused only what cannot be shown on one line or typed back.
      return typeof value === 'string' && /^\S(.*\S)?$/.test(value) && !/[\u0000-\u001f\u007f]/.test(value) ? undefined : 'must be text on one line, without leading or trailing blanks';
    case 'prompt':
      // Runme's resolveRequestMode (cmd/common.go): anything else reads as auto, which hides a typo.
      return typeof value === 'boolean' || (typeof value === 'string' && /^(auto|always|never|yes|no|true|false)$/i.test(value)) || value === 0 || value === 1 ? undefined : 'must be auto, always, never, true or false';
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
