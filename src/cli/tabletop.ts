// `breakglass tabletop <scenario.yaml> --runbook <runbook.md> [--auto]`: a tabletop exercise in a
// terminal. The scenario's clusters are served on 127.0.0.1 (a kubeconfig with a context per
// cluster is printed); the runbook's steps run against them with the same engine as the Runbook
// view; break-glass steps act on the cluster models. `--auto` plays the runbook in order once the
// impact is visible (a drill for CI: it must recover); without it, commands come from stdin.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseDuration } from '../common/duration';
import { parseRunbook } from '../runbook/parse';
import { RunSession, type Prompter } from '../runbook/session';
import type { Runbook } from '../runbook/model';
import { kindOfStep } from '../runbook/kinds';
import { journalTimestamp } from '../runbook/journal';
import { injectableActions, injectedAction, INJECT_PARAMS, type ScenarioAction } from '../sim/actions';
import type { ScenarioWorkload } from '../sim/scenarioTypes';
import { fmtSimT } from '../tabletop/chart';
import { writeTabletopReport } from '../tabletop/report';
import { formatElapsed } from '../common/duration';
import type { Scores } from '../tabletop/score';
import { Tabletop } from '../tabletop/tabletop';
import { UsageError } from './run';
import { loadScenarioOrReport } from './sim';
import { breakglassContextOf } from '../cluster/breakglass-context';

export const TABLETOP_USAGE = `usage: breakglass tabletop <scenario.yaml> --runbook <runbook.md> [--auto]
                [--speed N] [--respond-after 2m] [--until 4h22m] [--skip STEP]... [--skip-breakglass]
                [--report FILE] [--journal DIR] [--seed N] [--param K=V]...

Plays the scenario's clusters behind the real Kubernetes API on 127.0.0.1 and runs the runbook's
steps against them; prints a kubeconfig for your own kubectl. Ends with the after-action report
(markdown and an SVG chart) and the scores: time to detect, mitigate and recover.
  --auto            play the runbook's steps in order once the impact shows (a drill); exit 0
                    only if every impacted cluster recovered
  --speed N         simulated seconds per real second (default 30 with --auto, else 1)
  --respond-after   with --auto: how long after the impact the responders start (default 2m)
  --until           how far to play (default: the scenario's duration); after the last step
                    the rest is played as fast as possible
  --skip STEP       do not run this step (repeatable); --skip-breakglass skips every break-glass step
  --report FILE     where the report goes (default .breakglass/reports/tabletop-<scenario>-<time>.md)
  --journal DIR     journals (default .breakglass/journal)
Without --auto, type commands: run STEP | all | pause | resume | speed N | hint | score |
  inject ACTION [CLUSTER] (${wrap(injectableActions('terminal').map((a) => a.usage).join(', '), 88, '  ')};
  deploy NS/NAME: one of the scenario's workloads, e.g. a second rollout) | end`;

/** Words wrapped at `width` columns, continuation lines indented. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

interface IO {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  in?: NodeJS.ReadableStream;
}

export async function tabletopCommand(argv: string[], io: IO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runbook: { type: 'string' },
      auto: { type: 'boolean', default: false },
      speed: { type: 'string' },
      'respond-after': { type: 'string' },
      until: { type: 'string' },
      skip: { type: 'string', multiple: true },
      'skip-breakglass': { type: 'boolean', default: false },
      report: { type: 'string' },
      journal: { type: 'string' },
      seed: { type: 'string' },
      param: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(TABLETOP_USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one scenario file');
  if (!values.runbook) throw new UsageError('give the runbook: --runbook <runbook.md>');
  const scenario = loadScenarioOrReport(positionals[0], io.err);
  if (!scenario) return 2;
  const rbFile = resolve(values.runbook);
  let rbText: string;
  try {
    rbText = readFileSync(rbFile, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${values.runbook}: ${(e as Error).message}`);
  }
  const { runbook } = parseRunbook(rbText, rbFile);
  const errors = runbook.diagnostics.filter((d) => d.severity === 'error');
  for (const d of runbook.diagnostics) if (d.severity !== 'info') io.err.write(`${values.runbook}:${d.line + 1}: ${d.severity}: ${d.message}\n`);
  if (!runbook.isRunbook || errors.length) {
    io.err.write(`${values.runbook} is not a runbook without errors\n`);
    return 2;
  }
  const skip = new Set(values.skip ?? []);
  for (const s of skip) if (!runbook.steps.some((x) => x.id === s)) throw new UsageError(`no step named '${s}' (steps: ${runbook.steps.map((x) => x.id).join(', ')})`);
  const speed = values.speed === undefined ? (values.auto ? 30 : 1) : Number(values.speed);
  if (!(speed > 0) || speed > 10_000) throw new UsageError('--speed must be a number from 0 (exclusive) to 10000');
  const secs = (v: string | undefined, name: string, def: number): number => {
    if (v === undefined) return def;
    const ms = parseDuration(v);
    if (ms === undefined) throw new UsageError(`${name} must be a duration such as 2m or 4h22m`);
    return ms / 1000;
  };
  const respondAfter = secs(values['respond-after'], '--respond-after', 120);
  const until = secs(values.until, '--until', scenario.durationSeconds);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new UsageError('--seed must be a non-negative integer');
  const params: Record<string, string> = {};
  for (const p of values.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param wants KEY=VALUE, got '${p}'`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const journalDir = resolve(values.journal ?? '.breakglass/journal');
  const reportFile = resolve(values.report ?? join('.breakglass', 'reports', `tabletop-${scenario.name}-${journalTimestamp(new Date())}.md`));

  const tt = await Tabletop.start(scenario, { speed, seed, journalDir, scenarioFile: resolve(positionals[0]), via: 'cli' });
  io.err.write(`tabletop: ${scenario.name} — ${tt.clusters().map((c) => `${c.name} (${c.nodes} nodes)`).join(', ')}; clock ×${speed}\n`);
  io.err.write(`kubeconfig: ${tt.kubeconfig} (contexts: ${tt.clusters().map((c) => `${c.name}, ${breakglassContextOf(c.name)}`).join(', ')}; current: ${tt.focus()})\n`);
  const offEvents = tt.onUpdate((u) => {
    if (u.type === 'event' && u.event.type === 'sim-event' && !/restarted|oom|relist/i.test(u.event.kind)) io.err.write(`  T+${fmtSimT(u.event.simT)} ${u.event.cluster}: ${u.event.detail}\n`);
  });
  const session = newSession(runbook, rbFile, tt, journalDir, params, io);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let scores: Scores;
  try {
    if (values.auto) await autoPlay(tt, session, runbook, { skip, skipBreakglass: values['skip-breakglass'], respondAfter, until, signal: stop.signal }, io);
    else await interactive(tt, session, io, stop.signal);
    session.dispose();
    scores = await tt.stop();
  } finally {
    offEvents();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    session.dispose();
    await tt.stop();
  }
  const written = writeTabletopReport(tt.journal.file, reportFile);
  io.out.write(summary(scores));
  io.out.write(`report: ${written.report}\nchart: ${written.chart}\njournal: ${tt.journal.file}\n`);
  return values.auto ? (scores.recovered || scores.impactAt === undefined ? 0 : 1) : 0;
}

function newSession(runbook: Runbook, file: string, tt: Tabletop, journalDir: string, params: Record<string, string>, io: IO): RunSession {
  const prompter: Prompter = {
    confirm: async () => true,
    confirmTargets: async () => true,
    askParam: async (p) => {
      io.err.write(`parameter ${p.name} is required: pass --param ${p.name}=…\n`);
      return undefined;
    },
  };
  const session = new RunSession({ runbookPath: file, runbook, journalDir, target: { mode: 'sim', kubeconfig: tt.kubeconfig, context: tt.focus() }, prompter, via: 'cli', params, sim: () => (tt.isStopped ? undefined : tt) });
  session.onEvent((e) => {
    if (e.type === 'output') (e.stream === 'stderr' ? io.err : io.out).write(e.text);
    else if (e.type === 'notice') io.err.write(`${e.level}: ${e.message}\n`);
    else if (e.type === 'state') {
      const rt = e.runtime;
      const at = `T+${fmtSimT(tt.now())}`;
      if (rt.state === 'running') io.err.write(`${at} ▶ ${e.stepId}\n`);
      else if (rt.state !== 'pending') io.err.write(`${at} ${rt.state === 'succeeded' ? '✔' : rt.state === 'skipped' ? '↷' : '✖'} ${e.stepId} ${rt.state}${rt.reason ? ` (${rt.reason})` : ''}\n`);
    }
  });
  return session;
}

/** The drill: wait for the impact (and the responders' delay), then every step in order. */
async function autoPlay(tt: Tabletop, session: RunSession, runbook: Runbook, o: { skip: Set<string>; skipBreakglass: boolean; respondAfter: number; until: number; signal: AbortSignal }, io: IO): Promise<void> {
  // Until the impact shows: headless, as fast as possible (nobody is watching yet).
  while (tt.scores().impactAt === undefined && tt.now() < o.until && !o.signal.aborted) await tt.fastForward(Math.min(o.until, tt.now() + 60), o.signal);
  const impact = tt.scores().impactAt;
  if (impact === undefined) {
    io.err.write(`no impact by T+${fmtSimT(tt.now())}: nothing to respond to\n`);
    return;
  }
  io.err.write(`T+${fmtSimT(impact)} impact: responders start ${formatElapsed(o.respondAfter)} later\n`);
  await tt.fastForward(Math.min(o.until, impact + o.respondAfter), o.signal);
  const runnable = new Set(session.runAllSteps().map((s) => s.id));
  for (const step of runbook.steps) {
    if (o.signal.aborted) break;
    if (kindOfStep(step).livePanel) {
      // The drill looks at the panel: that is a diagnosis.
      tt.noteActivity('health-panel-opened', step.id);
      continue;
    }
    if (!runnable.has(step.id)) continue;
    if (o.skip.has(step.id) || (o.skipBreakglass && step.kind === 'breakglass')) {
      session.skip(step.id);
      continue;
    }
    await session.runStep(step.id, { signal: o.signal });
  }
  if (!o.signal.aborted && tt.now() < o.until) {
    io.err.write(`T+${fmtSimT(tt.now())} runbook done: playing on to T+${fmtSimT(o.until)}\n`);
    await tt.fastForward(o.until, o.signal);
  }
}

const INJECT_USAGE = `inject ACTION [CLUSTER]: ${injectableActions('terminal').map((a) => a.usage).join(' | ')}`;

/**
 * Parses `inject …` words into an action and the clusters it applies to: the action's name (or
 * its short alias), a word per parameter (an optional last one may be left out), then an
 * optional cluster. `deploy NS/NAME` takes the workload from `workloads` (the scenario's): any
 * other name is refused.
 */
export function parseInjection(words: string[], clusters: string[], workloads: readonly ScenarioWorkload[] = []): { action: ScenarioAction; clusters: string[] } | string {
  const [verb, ...rest] = words;
  const def = injectableActions('terminal').find((a) => a.name === verb || a.inject?.alias === verb);
  if (!def?.inject) return INJECT_USAGE;
  const values: Record<string, unknown> = {};
  let i = 0;
  for (const p of def.inject.params) {
    const kind = INJECT_PARAMS[p];
    const word = rest[i];
    // An optional parameter's word may be the cluster instead.
    const fields = word === undefined || (kind.optional && clusters.includes(word)) ? undefined : kind.fromWord(word);
    if (fields) {
      Object.assign(values, fields);
      i++;
    } else if (!kind.optional) {
      const hint = kind.hint?.({ workloads });
      return hint ? `${def.usage}: ${hint}` : def.usage;
    }
  }
  const action = injectedAction(def.name, values, workloads);
  if (typeof action === 'string') return action;
  const where = rest[i];
  if (where !== undefined && !clusters.includes(where)) return `no cluster '${where}' (clusters: ${clusters.join(', ')})`;
  return { action, clusters: where === undefined ? [] : [where] };
}

async function interactive(tt: Tabletop, session: RunSession, io: IO, signal: AbortSignal): Promise<void> {
  io.err.write(`commands: run STEP | all | pause | resume | speed N | hint | score | ${INJECT_USAGE} | end\n`);
  const rl = createInterface({ input: io.in ?? process.stdin, terminal: false });
  const closed = new Promise<void>((r) => rl.once('close', () => r()));
  signal.addEventListener('abort', () => rl.close(), { once: true });
  const handle = async (line: string): Promise<boolean> => {
    const [cmd, ...rest] = line.trim().split(/\s+/);
    try {
      switch (cmd) {
        case '':
          return true;
        case 'run':
          if (!rest[0]) io.err.write('run STEP\n');
          else await session.runStep(rest[0]);
          return true;
        case 'all':
          await session.runAll();
          return true;
        case 'pause':
          tt.pause();
          io.err.write(`paused at T+${fmtSimT(tt.now())}\n`);
          return true;
        case 'resume':
          tt.resume();
          return true;
        case 'speed':
          tt.setSpeed(Number(rest[0]));
          return true;
        case 'hint': {
          const h = tt.revealHint();
          io.err.write(h ? `hint: ${h.text}\n` : 'no hint available yet\n');
          return true;
        }
        case 'score':
          io.out.write(summary(tt.scores()));
          return true;
        case 'inject': {
          const r = parseInjection(rest, tt.clusters().map((c) => c.name), tt.workloads());
          if (typeof r === 'string') io.err.write(`${r}\n`);
          else tt.inject(r.action, r.clusters);
          return true;
        }
        case 'end':
        case 'quit':
          return false;
        default:
          io.err.write(`unknown command '${cmd}'\n`);
          return true;
      }
    } catch (e) {
      io.err.write(`${(e as Error).message}\n`);
      return true;
    }
  };
  // One command at a time, in order.
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  rl.on('line', (l) => {
    queue.push(l);
    wake?.();
  });
  let done = false;
  void closed.then(() => {
    done = true;
    wake?.();
  });
  for (;;) {
    while (queue.length) if (!(await handle(queue.shift()!))) return rl.close();
    if (done) return;
    await new Promise<void>((r) => (wake = r));
    wake = undefined;
  }
}

export function summary(s: Scores): string {
  const lines = ['', 'scores:'];
  if (s.impactAt === undefined) lines.push('  no impact: nothing to score');
  else {
    lines.push(`  impact          T+${fmtSimT(s.impactAt)} (${s.impactCluster})`);
    lines.push(`  time to detect  ${formatElapsed(s.timeToDetect)}${s.detectedBy ? ` (${s.detectedBy})` : ''}`);
    lines.push(`  time to mitigate ${formatElapsed(s.timeToMitigate)}`);
    lines.push(`  time to recover ${s.recovered ? formatElapsed(s.timeToRecover) : 'not recovered'} (seed incident: ${formatElapsed(s.reference.allClearSeconds)})`);
    for (const c of s.clusters) lines.push(`    ${c.name.padEnd(14)} impact T+${fmtSimT(c.impactedAt ?? 0)}, ${c.recoveredAt !== undefined ? `recovered T+${fmtSimT(c.recoveredAt)}` : 'not recovered'}`);
  }
  const r = s.requests;
  lines.push(`  participants' requests ${r.total} (${r.whileSaturated} while saturated, ${r.refused} refused), ${r.exempt} exempt`);
  return lines.join('\n') + '\n';
}

