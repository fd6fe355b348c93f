// The runbook model: what the parser produces and every other part reads.
// Plain data only (no vscode, no Node I/O), so the CLI, the extension and the tests share it.

export type StepKind = 'shell' | 'health' | 'breakglass' | 'check';
export type StepMode = 'sim' | 'real' | 'both';
export type RunMode = 'sim' | 'real';
export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type Severity = 'error' | 'warning' | 'info';

/** A problem found in a runbook; lines are 0-based (as in VS Code), shown 1-based to people. */
export interface RunbookDiagnostic {
  line: number;
  endLine: number;
  severity: Severity;
  code: string;
  message: string;
}

export type AttrValue = string | number | boolean;

export interface Step {
  /** Unique within the runbook: the `name` attribute, else `<kind>-<n>`. */
  id: string;
  /** Given by the author (`name=`), or undefined when generated. */
  name?: string;
  kind: StepKind;
  /** The fence language as written (`sh`, `bash`, `health`, …). */
  lang: string;
  /** The fence body (the command for shell steps, YAML for the others). */
  body: string;
  attrs: Record<string, AttrValue>;
  /** Per-step timeout, when the author set one. */
  timeoutMs?: number;
  /** Ask before running. */
  confirm: boolean;
  /** Changes the cluster: in real mode it needs the context name typed. */
  destructive: boolean;
  /** In which modes the step may run. */
  mode: StepMode;
  /** Left out of Run All (Runme's `excludeFromRunAll`). */
  excludeFromRunAll: boolean;
  /** Lines of the fence (0-based, start inclusive, end exclusive, as markdown-it's `map`). */
  line: number;
  endLine: number;
  /** Index into Runbook.sections of the heading the step sits under (-1 before any heading). */
  section: number;
  /** Parsed YAML body for health/breakglass/check steps; undefined when it did not parse. */
  spec?: unknown;
  /** A block of a recorded Runme session's output (Runbook.recordedSession): shown, never run. */
  recorded?: true;
}

export interface Section {
  title: string;
  level: number;
  line: number;
  stepIds: string[];
}

export interface Param {
  name: string;
  description?: string;
  default?: string;
  required: boolean;
  /** Masked in outputs and journals. */
  secret: boolean;
}

export interface Runbook {
  /** Front matter says `runbook: true`. */
  isRunbook: boolean;
  title: string;
  severity?: string;
  params: Param[];
  /** The runbook's own default mode; real is never assumed. */
  defaultMode: RunMode;
  sections: Section[];
  steps: Step[];
  diagnostics: RunbookDiagnostic[];
  /** Line where the markdown body starts (after front matter). */
  bodyLine: number;
  frontMatter: Record<string, unknown>;
  /** Run settings from the front matter (Runme's keys, docs/RUNME.md); absent when none is set. */
  settings?: RunbookSettings;
  /**
   * The file is a Runme session-outputs file (front matter `runme.session.id`, this id): a record
   * of a run with its outputs, not a runbook. Its steps are `recorded` and never run.
   */
  recordedSession?: string;
}

/** Front-matter settings that change how steps run (Runme's `shell`, `cwd`, `skipPrompts`). */
export interface RunbookSettings {
  /** The program shell steps run in (e.g. `bash`, `zsh`, `/usr/bin/fish`), as the front matter names it. */
  shell?: string;
  /** The working directory of the first step, relative to the runbook's folder. */
  cwd?: string;
  /** Never ask for a variable a step needs: use what is set, or run without it. */
  skipPrompts?: boolean;
}

