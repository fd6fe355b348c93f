// ```check: a command whose exit code and/or output is asserted once, or awaited (`until: true`).
import { formatDuration, parseDuration } from '../../common/duration';
import type { Step } from '../model';
import { scaledIntervalMs } from '../simhost';
import { codeBlock, yamlBody } from './common';
import type { StepKindDef } from './types';

export interface CheckSpec {
  run: string;
  expect: { exitCode?: number; output?: string };
  /** Repeat until the expectation holds (wait-until) instead of asserting once. */
  until: boolean;
  intervalMs: number;
}

export const check: StepKindDef<'check'> = {
  kind: 'check',
  languages: ['check'],
  title: 'Check',
  attributes: {
    interval: { type: 'duration', description: 'Time between attempts of a wait-until check (default 5s).' },
  },
  icon: 'pass',
  kindBadge: true,
  confirmShowsBody: false,
  realRunLabel: 'Destructive',
  checkBody(body, problems): CheckSpec | undefined {
    const spec = yamlBody(body, problems, true);
    if (!spec) return undefined;
    const known = new Set(['run', 'expect', 'until', 'interval', 'signal']);
    for (const k of Object.keys(spec)) {
      if (!known.has(k)) problems.push({ line: 0, severity: 'warning', message: `unknown check field '${k}' (known: run, expect, until, interval)` });
    }
    if (spec.signal !== undefined) {
      problems.push({ line: 0, severity: 'warning', message: 'checks on cluster signals are evaluated once a cluster is connected; this version evaluates `run` checks' });
    }
    if (typeof spec.run !== 'string' || spec.run.trim() === '') {
      problems.push({ line: 0, severity: 'error', message: '`run` (a shell command) is required' });
      return undefined;
    }
    const expect: CheckSpec['expect'] = {};
    const e = spec.expect;
    if (e !== undefined) {
      if (typeof e !== 'object' || e === null || Array.isArray(e)) {
        problems.push({ line: 0, severity: 'error', message: '`expect` must be a mapping with `exitCode` and/or `output`' });
        return undefined;
      }
      const ex = e as Record<string, unknown>;
      if (ex.exitCode !== undefined) {
        if (typeof ex.exitCode !== 'number' || !Number.isInteger(ex.exitCode)) {
          problems.push({ line: 0, severity: 'error', message: '`expect.exitCode` must be an integer' });
          return undefined;
        }
        expect.exitCode = ex.exitCode;
      }
      if (ex.output !== undefined) {
        if (typeof ex.output !== 'string') {
          problems.push({ line: 0, severity: 'error', message: '`expect.output` must be a regular expression (string)' });
          return undefined;
        }
        try {
          new RegExp(ex.output, 'm');
        } catch (err) {
          problems.push({ line: 0, severity: 'error', message: `\`expect.output\` is not a valid regular expression: ${(err as Error).message}` });
          return undefined;
        }
        expect.output = ex.output;
      }
    }
    if (expect.exitCode === undefined && expect.output === undefined) expect.exitCode = 0;
    const intervalMs = spec.interval === undefined ? 5000 : parseDuration(spec.interval as string | number);
    if (intervalMs === undefined || intervalMs <= 0) {
      problems.push({ line: 0, severity: 'error', message: '`interval` must be a duration such as 5s' });
      return undefined;
    }
    if (spec.until !== undefined && typeof spec.until !== 'boolean') {
      problems.push({ line: 0, severity: 'error', message: '`until` must be true or false' });
      return undefined;
    }
    return { run: spec.run, expect, until: spec.until === true, intervalMs };
  },
  destructiveByDefault: () => false,
  command: (step: Step) => (step.spec as CheckSpec).run,
  async run(run) {
    const { step, timeoutMs, signal, host } = run;
    const spec = step.spec as CheckSpec;
    const deadline = Date.now() + timeoutMs;
    const attr = step.attrs.interval;
    const written = (typeof attr === 'string' || typeof attr === 'number' ? parseDuration(attr) : undefined) ?? spec.intervalMs;
    const intervalMs = host ? scaledIntervalMs(written, host.speed()) : written;
    for (let attempt = 1; ; attempt++) {
      const capture = { text: '' };
      const remaining = Math.max(1, deadline - Date.now());
      const res = await run.shell(spec.run, remaining, capture);
      if (res.error) return run.finishShell(res, timeoutMs);
      if (res.cancelled) return run.finish('cancelled', { reason: 'cancelled', exitCode: res.exitCode });
      const failures: string[] = [];
      if (res.timedOut) failures.push('the command timed out');
      if (spec.expect.exitCode !== undefined && res.exitCode !== spec.expect.exitCode) failures.push(`exit code ${res.exitCode ?? res.signal} (expected ${spec.expect.exitCode})`);
      if (spec.expect.output !== undefined && !new RegExp(spec.expect.output, 'm').test(capture.text)) failures.push(`output does not match /${spec.expect.output}/`);
      if (failures.length === 0) {
        run.output('info', `check passed (attempt ${attempt})\n`);
        return run.finish('succeeded', { exitCode: res.exitCode });
      }
      run.output('info', `attempt ${attempt}: ${failures.join('; ')}\n`);
      if (!spec.until) return run.finish('failed', { reason: failures.join('; '), exitCode: res.exitCode });
      if (Date.now() + intervalMs >= deadline) {
        const reason = `still failing after ${attempt} attempts (${formatDuration(timeoutMs)}): ${failures.join('; ')}`;
        return run.finish('failed', { reason, exitCode: res.exitCode, timedOut: true });
      }
      const waited = await sleep(intervalMs, signal);
      if (!waited) return run.finish('cancelled', { reason: 'cancelled' });
    }
  },
  render: codeBlock,
};

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((res) => {
    if (signal.aborted) return res(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      res(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      res(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
