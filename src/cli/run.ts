// `breakglass run <runbook.md> [--step NAME | --all] [--yes] [--mode sim|real] [--context C]
//  [--kubeconfig F] [--journal DIR] [--param K=V]… [--clusters-config FILE]`
import { planPrompts, type PromptVariable } from '../runbook/prompts';
import { runInteractiveHere } from '../runbook/interactive';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { parseRunbook } from '../runbook/parse';
import { RunSession, namesMatch, splitNames, type ActTarget, type Prompter } from '../runbook/session';
import { defaultKubeconfigFiles, isSimulatedKubeconfig, listContexts, targetLabel, type Target } from '../runbook/target';
import type { Param, RunMode, Step } from '../runbook/model';
import { parseDuration } from '../common/duration';
import { Masker, maskEnvSecrets } from '../common/mask';
import { readHidden } from './prompt';
import { briefOf } from '../breakglass/result';

export const RUN_USAGE = `usage: breakglass run <runbook.md> [--step NAME ... | --all] [--yes]
                      [--mode sim|real] [--context C] [--kubeconfig FILE]
                      [--journal DIR] [--param KEY=VALUE ...] [--skip-prompts] [--timeout 10m]
                      [--clusters-config FILE] [--clusters A,B]

Runs runbook steps with the same engine as the Runbook view and journals them.
  --step NAME     run this step (repeatable), in the order given
  --all           run every step in order, stopping at the first failure
  --yes           answer yes to confirm prompts; a real destructive or break-glass step runs only
                  when --context (or --clusters) names every cluster it acts on
  --mode          sim (default unless the runbook says otherwise) or real; real needs --context
  --context C     the kube context for real mode (never the current context implicitly)
  --kubeconfig F  kubeconfig file (default: $KUBECONFIG, else ~/.kube/config; in sim mode
                  $BREAKGLASS_SIM_KUBECONFIG)
  --journal DIR   where the journal goes (default: .breakglass/journal)
  --param K=V     a runbook parameter, or the answer for a variable a step asks for (repeatable)
  --skip-prompts  ask for no variable: steps use the values they write (Runme's skipPrompts)
  --clusters-config FILE
                  real mode, break-glass steps with \`clusters:\`: where each cluster's etcd,
                  nodes, control plane and break-glass context are (the preflight config;
                  default .breakglass/preflight.yaml)
  --clusters A,B  with --yes: the names of the clusters a break-glass step with \`clusters:\`
                  acts on, every one of them (it confirms; it does not choose)
Exit status: 0 when every step run succeeded (or was skipped), 1 when one failed or was
cancelled or the journal could not be written (no step runs that cannot be journaled), 2 for
bad usage or a runbook with errors.`;

export class UsageError extends Error {}


export async function runCommand(argv: string[], io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; isTTY: boolean }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      step: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      mode: { type: 'string' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      journal: { type: 'string' },
      param: { type: 'string', multiple: true },
      'skip-prompts': { type: 'boolean', default: false },
      timeout: { type: 'string' },
      'clusters-config': { type: 'string' },
      clusters: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(RUN_USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one runbook file');
  const file = resolve(positionals[0]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${positionals[0]}: ${(e as Error).message}`);
  }
  const { runbook } = parseRunbook(text, file);
  for (const d of runbook.diagnostics) {
    if (d.severity !== 'info') io.err.write(`${positionals[0]}:${d.line + 1}: ${d.severity}: ${d.message}\n`);
  }
  const steps = values.step ?? [];
  if (!values.all && steps.length === 0) throw new UsageError('say which steps to run: --step NAME or --all');
  if (values.all && steps.length) throw new UsageError('--step and --all cannot be combined');
  for (const s of steps) if (!runbook.steps.some((x) => x.id === s)) throw new UsageError(`no step named '${s}' (steps: ${runbook.steps.map((x) => x.id).join(', ')})`);

  const modeArg = values.mode ?? runbook.defaultMode;
  if (modeArg !== 'sim' && modeArg !== 'real') throw new UsageError('--mode must be sim or real');
  const mode = modeArg as RunMode;
  let target: Target;
  if (mode === 'real') {
    if (!values.context) throw new UsageError('real mode needs an explicit --context (Breakglass never uses the current context implicitly)');
    const files = values.kubeconfig ? [resolve(values.kubeconfig)] : defaultKubeconfigFiles();
    const found = listContexts(files).find((c) => c.name === values.context);
    if (!found) throw new UsageError(`context '${values.context}' is not in ${files.join(', ')}`);
    target = { mode, context: found.name, kubeconfig: found.file };
  } else {
    const kc = values.kubeconfig ? resolve(values.kubeconfig) : process.env.BREAKGLASS_SIM_KUBECONFIG || undefined;
    // Simulated mode never hands a real cluster's kubeconfig to a step (target.ts).
    if (kc && !isSimulatedKubeconfig(kc)) throw new UsageError(`${kc} is not a simulated cluster's kubeconfig (written by \`breakglass sim serve\` or a tabletop): simulated mode never hands a real cluster to a step`);
    target = { mode, kubeconfig: kc, context: values.context };
  }

  const clustersArg = values.clusters !== undefined ? splitNames(values.clusters) : undefined;
  if (clustersArg && !clustersArg.length) throw new UsageError('--clusters wants a comma-separated list of cluster names');
  const params: Record<string, string> = {};
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param wants KEY=VALUE, got '${p}'`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  // A name that is no declared parameter answers a variable a step would ask for (Runme's promptEnv).
  const askable = new Set(runbook.steps.flatMap((st) => planPrompts(st.body, {}, 'always').variables.map((v) => v.name)));
  const answers: Record<string, string> = {};
  for (const k of Object.keys(params)) {
    if (runbook.params.some((p) => p.name === k)) continue;
    if (!askable.has(k)) throw new UsageError(`unknown parameter ${k}: neither declared (${runbook.params.map((p) => p.name).join(', ') || 'none'}) nor a variable a step asks for (${[...askable].join(', ') || 'none'})`);
    answers[k] = params[k];
    delete params[k];
  }
  let defaultTimeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    defaultTimeoutMs = parseDuration(values.timeout);
    if (defaultTimeoutMs === undefined) throw new UsageError('--timeout must be a duration such as 30s or 10m');
  }

  let rl = io.isTTY ? createInterface({ input: process.stdin, output: process.stderr }) : undefined;
  // Aborted when the run is stopped (Ctrl-C, SIGTERM, a closed terminal): a question waiting for
  // an answer then ends unanswered.
  const prompts = new AbortController();
  /**
   * One question at the terminal; undefined when the run is stopped or the input ends (Ctrl-D, a
   * closed terminal). readline/promises leaves a pending question unsettled when its input ends
   * (Node 20), and with nothing else to wait for the process would exit 0 mid-run.
   */
  const ask = (question: string): Promise<string | undefined> => {
    const r = rl;
    if (!r || prompts.signal.aborted) return Promise.resolve(undefined);
    const ac = new AbortController();
    const end = (): void => ac.abort();
    r.once('close', end);
    prompts.signal.addEventListener('abort', end, { once: true });
    return r
      .question(question, { signal: ac.signal })
      .then(
        (answer): string | undefined => answer,
        () => undefined,
      )
      .finally(() => {
        r.off('close', end);
        prompts.signal.removeEventListener('abort', end);
      });
  };
  const prompter: Prompter = {
    async confirm(step: Step, message: string) {
      if (values.yes) return true;
      if (!rl) {
        io.err.write(`step ${step.id} needs confirmation: run with --yes\n`);
        return false;
      }
      return /^y(es)?$/i.test((await ask(`${message} [y/N] `))?.trim() ?? '');
    },
    async confirmTargets(step: Step, targets: ActTarget[]) {
      const names = targets.map((t) => t.name);
      const list = targets.map((t) => `  ${t.name}: ${t.where.join('; ') || '?'}\n`).join('');
      if (values.yes) {
        // --context (or --clusters) given explicitly is the typed confirmation, and it must name
        // every cluster the step acts on: `--context staging` never confirms a step on prod-east.
        if (values.clusters !== undefined ? namesMatch(values.clusters, names) : names.every((n) => n === values.context)) return true;
        const need = names.length === 1 ? `--context ${names[0]}` : `--clusters ${names.join(',')}`;
        io.err.write(`step ${step.id} acts on:\n${list}${clustersArg ? `--clusters ${clustersArg.join(',')}` : `--context ${values.context ?? '(none)'}`} does not name ${names.length === 1 ? 'it' : 'each of them'}: run with --yes ${need}\n`);
        return false;
      }
      if (!rl) {
        io.err.write(`step ${step.id} changes a real cluster; it acts on:\n${list}type the name${names.length === 1 ? '' : 's'} at a terminal, or run with --yes ${names.length === 1 ? `--context ${names[0]}` : `--clusters ${names.join(',')}`}\n`);
        return false;
      }
      io.err.write(`Step ${step.id} acts on:\n${list}`);
      const typed = await ask(`Type ${names.length === 1 ? 'the name' : `the names, comma-separated`} (${names.join(', ')}) to go ahead: `);
      return typed !== undefined && namesMatch(typed, names);
    },
    async askParam(p: Param) {
      if (!rl) {
        io.err.write(`parameter ${p.name} is required: pass --param ${p.name}=…\n`);
        return undefined;
      }
      const label = `${p.name}${p.description ? ` (${p.description})` : ''}: `;
      let v: string | undefined;
      if (p.secret) {
        // readline echoes what it reads: it is closed while the secret is typed, and reopened.
        rl.close();
        v = await readHidden(label, process.stdin, process.stderr, prompts.signal);
        rl = createInterface({ input: process.stdin, output: process.stderr });
      } else {
        v = await ask(label);
      }
      v = v?.trim();
      return v ? v : undefined;
    },
    // Only at a terminal: a run nobody can answer keeps the runbook's own value (session.ts prompted).
    ...(rl
      ? {
          async askVariable(step: Step, v: PromptVariable) {
            const hint = v.status === 'message' ? ` (${v.original})` : v.status === 'placeholder' ? ` [${v.value ?? v.original}]` : '';
            const label = `step ${step.id}: set ${v.name}${hint}: `;
            let typed: string | undefined;
            if (v.status === 'secret') {
              rl!.close();
              typed = await readHidden(label, process.stdin, process.stderr, prompts.signal);
              rl = createInterface({ input: process.stdin, output: process.stderr });
            } else {
              typed = await ask(label);
            }
            // Enter on an offered value takes it.
            return typed === undefined ? undefined : typed === '' && v.status === 'placeholder' ? (v.value ?? v.original) : typed;
          },
        }
      : {}),
  };

  const interactiveIds = new Set(runbook.steps.filter((st) => st.attrs.interactive === true).map((st) => st.id));
  const session = new RunSession({
    runbookPath: file,
    runbook,
    journalDir: resolve(values.journal ?? '.breakglass/journal'),
    target,
    prompter,
    via: 'cli',
    answers,
    skipPrompts: values['skip-prompts'] === true,
    // Interactive steps inherit this terminal; readline lets go of it meanwhile (it keeps it in raw mode).
    terminal: async (req) => {
      rl?.close();
      try {
        return await runInteractiveHere(req, { cwd: req.cwd, env: req.env, signal: req.signal });
      } finally {
        if (rl) rl = createInterface({ input: process.stdin, output: process.stderr });
      }
    },
    params,
    defaultTimeoutMs,
    clustersConfig: resolve(values['clusters-config'] ?? '.breakglass/preflight.yaml'),
  });
  // A break-glass step across clusters: a line whenever a cluster starts or ends.
  const clusterStates = new Map<string, string>();
  const masker = new Masker(maskEnvSecrets(process.env));
  const CLUSTER_MARKS: Record<string, string> = { running: '▶', succeeded: '✔', failed: '✖', skipped: '↷', cancelled: '✖' };
  io.err.write(`breakglass: ${runbook.title} — ${targetLabel(target)}${mode === 'sim' && !target.kubeconfig ? ' (no simulated cluster: kubectl in a step reaches nothing)' : ''}\n`);
  session.onEvent((e) => {
    // An interactive step was on this terminal as it ran: its transcript (the step's output) is not shown twice.
    if (e.type === 'output' && !(e.stream === 'stdout' && interactiveIds.has(e.stepId))) (e.stream === 'stderr' ? io.err : io.out).write(e.text);
    else if (e.type === 'notice') io.err.write(`${e.level}: ${e.message}\n`);
    else if (e.type === 'clusters') {
      for (const c of e.clusters) {
        const key = `${e.stepId}\0${c.name}`;
        if (clusterStates.get(key) === c.state) continue;
        clusterStates.set(key, c.state);
        if (c.state === 'pending') continue;
        const items = c.result?.items ?? [];
        // A dry run changed nothing: it did not succeed at anything, and its items are not "ok".
        const dry = c.result?.dryRun === true && c.state === 'succeeded';
        const counts = dry ? '' : items.length ? ` (${items.filter((i) => i.ok).length}/${items.length} ok)` : c.progress ? ` (${c.progress.done}/${c.progress.total} done, ${c.progress.failed} failed)` : '';
        // The result in a few words: the whole sentence is in the step's output.
        io.err.write(`  ${dry ? '○' : (CLUSTER_MARKS[c.state] ?? '·')} [${c.name}]${c.size !== undefined ? ` ${c.size} nodes,` : ''} ${dry ? 'dry run' : c.state}${c.state === 'running' ? '' : counts}${c.result ? `: ${masker.mask(briefOf(c.result))}` : ''}\n`);
      }
    } else if (e.type === 'state') {
      const rt = e.runtime;
      if (rt.state === 'running') io.err.write(`▶ ${e.stepId}\n`);
      else if (rt.state !== 'pending') {
        const took = rt.startedAt && rt.finishedAt ? ` in ${((rt.finishedAt - rt.startedAt) / 1000).toFixed(1)}s` : '';
        io.err.write(`${rt.state === 'succeeded' ? '✔' : rt.state === 'skipped' ? '↷' : '✖'} ${e.stepId} ${rt.state}${took}${rt.reason ? ` (${rt.reason})` : ''}\n`);
      }
    }
  });
  let stopped = false;
  const stop = () => {
    stopped = true;
    prompts.abort();
    session.cancelAll();
  };
  // The terminal closed (SIGHUP). Without a handler Node dies at once, and the step's process
  // group, detached into a session of its own, never gets the hangup and runs on unsupervised.
  // Cancel as for Ctrl-C instead: the group is killed and the cancellation journaled. Writes to a
  // hung-up terminal fail with EIO (Linux drivers/tty/tty_io.c, hung_up_tty_write), and an
  // unhandled write error would end the process before the journal is closed, so from here on
  // output goes nowhere. Repeated hangups change nothing.
  const hangup = () => {
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    io = { ...io, out: sink, err: sink };
    stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.on('SIGHUP', hangup);
  let ok = true;
  try {
    if (values.all) {
      ok = (await session.runAll()) === 'succeeded';
    } else {
      for (const s of steps) {
        if (stopped) {
          ok = false;
          break;
        }
        const st = await session.runStep(s);
        if (st !== 'succeeded' && st !== 'skipped') {
          ok = false;
          break;
        }
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', hangup);
    const journal = session.journalFile;
    session.dispose();
    rl?.close();
    if (journal) io.err.write(`journal: ${journal}\n`);
  }
  // A run whose journal could not be written at some point is not a clean run, whatever its steps did.
  const journalProblem = session.journalProblem;
  if (journalProblem) {
    io.err.write(`breakglass: journal error: ${journalProblem}\n`);
    return 1;
  }
  return ok && !stopped ? 0 : 1;
}
