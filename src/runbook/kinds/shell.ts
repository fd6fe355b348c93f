// ```sh / ```bash / ```shell (and Runme's other names for a POSIX-style shell, and a fence with no
// language, parse.ts): a command run by the shell, its output streamed and journaled.
import { unboundedCalls } from '../bounded';
import { stripPrompts } from '../runme';
import { bodyCommand, codeBlock } from './common';
import type { StepKindDef } from './types';

/** Shell constructs that change a cluster or a host: a step using one counts as destructive. */
const DESTRUCTIVE_PATTERNS: RegExp[] = [
  /\bkubectl\b[^\n|;&]*\s(delete|drain|cordon|uncordon|scale|patch|apply|replace|edit|create|label|annotate|taint|set|rollout\s+(undo|restart|pause))\b/,
  /\bhelm\s+(uninstall|delete|rollback|upgrade|install)\b/,
  /\betcdctl\b[^\n|;&]*\s(del|put|defrag|compact)\b/,
  /\b(iptables|nft)\b[^\n]*\s(-A|-I|-D|add|insert|delete)\b/,
  /\b(systemctl|service)\s+\S*\s*(stop|restart|kill|disable)\b/,
  /\b(crictl|docker|nerdctl)\s+(stop|rm|kill)\b/,
  /\brm\s+-[a-z]*[rf]/,
  /\bmv\s+\S*\/etc\/kubernetes\/manifests\b/,
];

function looksDestructive(command: string): boolean {
  return DESTRUCTIVE_PATTERNS.some((re) => re.test(command));
}

export const shell: StepKindDef<'shell'> = {
  kind: 'shell',
  // The shells of Runme's IsShellLanguage (runmedev/runme runner/shell.go: sh, bash, zsh, ksh,
  // shell, shellscript; also bat, cmd, powershell, pwsh and fish, which are no POSIX shell and stay
  // code here, kinds/common.ts RUNME_RUN_LANGUAGES).
  languages: ['sh', 'bash', 'shell', 'shellscript', 'zsh', 'ksh'],
  title: 'Shell',
  attributes: {},
  icon: 'terminal',
  kindBadge: false,
  confirmShowsBody: true,
  realRunLabel: 'Destructive',
  checkBody(body, problems, { timeoutMs }) {
    if (body.trim() === '') problems.push({ line: 0, severity: 'warning', message: 'empty shell step' });
    // API calls that would outlive the step's timeout (bounded.ts).
    for (const p of unboundedCalls(body, timeoutMs)) problems.push({ line: p.line, severity: 'warning', code: 'unbounded-api-call', message: p.message });
    return undefined;
  },
  destructiveByDefault: looksDestructive,
  // A block of a recorded Runme session's output is a record, not a command to run again.
  blocker: (step) => (step.recorded ? "this block is a recorded Runme session's output, not a runbook step: it is never run" : undefined),
  command: bodyCommand,
  async run(run) {
    // Lines written with a `$ ` prompt run without it, as in Runme (runme.ts stripPrompts); the
    // variables it exports that nobody set are asked for first (prompts.ts).
    const script = await run.prompted(stripPrompts(run.step.body, run.step.lang));
    if (script === undefined) return run.finish('cancelled', { reason: 'a variable it asks for was not given' });
    // `interactive=true`: a terminal the person types into (`kubectl edit`, `ssh`, `read`).
    const res = run.step.attrs.interactive === true ? await run.interactive(script, run.timeoutMs) : await run.shell(script, run.timeoutMs);
    return run.finishShell(res, run.timeoutMs);
  },
  // A command against a break-glass context (`--context prod-breakglass`): an identity API Priority
  // and Fairness exempts (src/cluster/breakglass-context.ts).
  bypassesApiServer: (step) => /--context[= ]\S*breakglass/.test(step.body),
  render: codeBlock,
};
