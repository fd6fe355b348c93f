// `breakglass health [--kubeconfig F] [--context C] [--duration 60s] [--interval 15s] [--json]`:
// the panels' poller in a terminal — a snapshot per poll, and what it cost at the end.
import { parseArgs } from 'node:util';
import { parseDuration } from '../common/duration';
import { UsageError } from './run';
import type { HealthSnapshot } from '../cluster/poller';

export const HEALTH_USAGE = `usage: breakglass health [--kubeconfig FILE] [--context C] [--breakglass-context B] [--duration 60s] [--interval 15s] [--prometheus URL] [--json]

Polls one cluster's health within a fixed request budget (≤ 12 requests a minute, whatever its
size), printing a snapshot per poll and, at the end, the requests made and bytes received. While
the context's requests get 429s or no answer it reads on through the break-glass context (B, or
<context>-breakglass when the kubeconfig has it), exempt from API Priority and Fairness.`;

function line(s: HealthSnapshot): string {
  const f = (x: number | undefined, d = 1) => (x === undefined ? '–' : x.toFixed(d));
  const rej = s.rejectedPerSecondByLevel ? Object.values(s.rejectedPerSecondByLevel.value).reduce((a, b) => a + b, 0) : undefined;
  const ns = s.nodesReadySample?.value;
  return [
    new Date(s.at).toISOString().slice(11, 19),
    s.state.toUpperCase().padEnd(11),
    `inflight ${f(s.inflight?.value, 0)}/${f(s.limit?.value, 0)}`,
    `429/s ${f(rej)}`,
    `read p99 ${f(s.readP99Seconds?.value, 2)}s`,
    `nodes ${ns ? `${ns.ready}/${ns.sampled} ready of ${ns.total}` : f(s.nodes?.value, 0)}`,
    `dns ${s.dnsReadyAddresses?.value ?? '–'}`,
    `| via ${s.via?.path ?? '?'}: ${s.summary}`,
  ].join('  ');
}

export async function healthCommand(argv: string[], io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }, signal?: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      duration: { type: 'string', default: '60s' },
      interval: { type: 'string', default: '15s' },
      json: { type: 'boolean', default: false },
      prometheus: { type: 'string' },
      'breakglass-context': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(HEALTH_USAGE + '\n');
    return 0;
  }
  const durationMs = parseDuration(values.duration!);
  const intervalMs = parseDuration(values.interval!);
  if (durationMs === undefined) throw new UsageError('--duration must be a duration such as 60s or 5m');
  if (intervalMs === undefined || intervalMs < 1000) throw new UsageError('--interval must be a duration of at least 1s');
  const { ClusterConnection } = await import('../cluster/connection');
  const { HealthPoller } = await import('../cluster/poller');
  let conn;
  try {
    conn = await ClusterConnection.fromKubeconfig(values.kubeconfig, values.context);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let prometheus;
  if (values.prometheus) {
    const { PrometheusSource } = await import('../cluster/prometheus');
    try {
      prometheus = new PrometheusSource(values.prometheus);
    } catch (e) {
      throw new UsageError(`--prometheus: ${(e as Error).message}`);
    }
  }
  // The path that survives saturation: the break-glass context named, or the `-breakglass` twin if the kubeconfig has one.
  const { findBreakglassContext } = await import('../cluster/breakglass-context');
  const { defaultKubeconfigFiles, listContexts } = await import('../runbook/target');
  const names = listContexts(values.kubeconfig ? [values.kubeconfig] : defaultKubeconfigFiles()).map((c) => c.name);
  const bgName = values['breakglass-context'] ?? findBreakglassContext(conn.context, names);
  let fallback;
  if (bgName) {
    try {
      fallback = await ClusterConnection.fromKubeconfig(values.kubeconfig, bgName);
    } catch (e) {
      throw new UsageError(`--breakglass-context: ${(e as Error).message}`);
    }
  }
  const poller = new HealthPoller(conn, { intervalMs, simClients: true, prometheus, fallback });
  const snaps: HealthSnapshot[] = [];
  const sub = poller.subscribe((s) => {
    snaps.push(s);
    io.out.write(values.json ? JSON.stringify(s) + '\n' : line(s) + '\n');
  });
  await new Promise<void>((done) => {
    const t = setTimeout(done, durationMs);
    const stop = () => {
      clearTimeout(t);
      done();
    };
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
  });
  sub.dispose();
  const cost = poller.cost;
  const summary = { context: conn.context, server: conn.server, polls: snaps.length, requests: cost.requests, bytesReceived: cost.bytes, durationSeconds: durationMs / 1000 };
  io.out.write(values.json ? JSON.stringify({ summary }) + '\n' : `\n${summary.polls} polls, ${summary.requests} requests, ${summary.bytesReceived} bytes received in ${summary.durationSeconds}s (${conn.context}, ${conn.server})\n`);
  return 0;
}
