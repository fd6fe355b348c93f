// `breakglass sim run|serve`: the cluster model from a terminal.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDuration } from '../common/duration';
import { ScenarioError, parseScenario, type Scenario } from '../sim/scenario';
import { Simulation } from '../sim/simulation';
import { UsageError } from './run';

export const SIM_USAGE = `usage: breakglass sim run <scenario.yaml> [--until 4h22m] [--seed N] [--cluster NAME] [--nodes N] [--json]
       breakglass sim serve <scenario.yaml> [--cluster NAME] [--nodes N] [--port P] [--kubeconfig PATH] [--speed N] [--hold-at 5m] [--seed N]

run     plays the scenario headless, as fast as possible; one sample per simulated minute
serve   plays one cluster of the scenario in real time (× --speed) behind the real Kubernetes
        API on https://127.0.0.1:P; prints \`ready <url> kubeconfig=<path>\` once it accepts
        requests; kubeconfig contexts: sim (an ordinary user) and sim-breakglass (exempt)
  --until      how long to simulate (default: the scenario's duration)
  --seed       overrides the scenario's seed (same seed, same timeline)
  --cluster    only this cluster of the scenario
  --nodes      overrides the node count (of --cluster, or of every cluster)
  --json       machine-readable output
  --hold-at    serve: the clock stops at this simulated time (e.g. 5m); the server keeps answering`;

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseScenario(text, file);
}

/**
 * The scenario of a command's argument, or undefined once its problems (`file:line: message`)
 * are written to `err`: the caller exits with code 2. Unreadable files throw a UsageError.
 */
export function loadScenarioOrReport(file: string, err: NodeJS.WritableStream): Scenario | undefined {
  try {
    return loadScenario(file);
  } catch (e) {
    if (e instanceof ScenarioError) {
      err.write(`${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}

/** Restricts a scenario to one cluster and/or overrides node counts. */
export function selectClusters(s: Scenario, cluster: string | undefined, nodes: number | undefined): Scenario {
  if (cluster !== undefined && !s.clusters.some((c) => c.name === cluster)) {
    throw new UsageError(`no cluster named '${cluster}' in the scenario (clusters: ${s.clusters.map((c) => c.name).join(', ')})`);
  }
  const keep = (name: string) => cluster === undefined || name === cluster;
  return {
    ...s,
    clusters: s.clusters.filter((c) => keep(c.name)).map((c) => (nodes !== undefined ? { ...c, nodes } : c)),
    workloads: s.workloads.map((w) => ({ ...w, clusters: w.clusters.filter(keep) })),
    events: s.events.map((e) => ({ ...e, clusters: e.clusters.filter(keep) })),
  };
}

function intArg(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** A duration option in simulated seconds (undefined when not given). */
function secondsArg(v: string | undefined, name: string, example: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) throw new UsageError(`${name} must be a duration such as ${example}`);
  return ms / 1000;
}

export async function simCommand(argv: string[], io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out.write(`${SIM_USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'run' && sub !== 'serve') throw new UsageError(`unknown sim command '${sub}'`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      until: { type: 'string' },
      seed: { type: 'string' },
      cluster: { type: 'string' },
      nodes: { type: 'string' },
      json: { type: 'boolean', default: false },
      port: { type: 'string' },
      kubeconfig: { type: 'string' },
      speed: { type: 'string' },
      'hold-at': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('give one scenario file');
  const loaded = loadScenarioOrReport(positionals[0], io.err);
  if (!loaded) return 2;
  let scenario = loaded;
  const nodes = intArg(values.nodes, '--nodes', 1, 100_000);
  scenario = selectClusters(scenario, values.cluster, nodes);
  const seed = intArg(values.seed, '--seed', 0, 2 ** 31);
  if (sub === 'serve') {
    const name = values.cluster ?? scenario.clusters[0].name;
    const speed = values.speed === undefined ? 1 : Number(values.speed);
    if (!(speed > 0) || speed > 10_000) throw new UsageError('--speed must be a number from 0 (exclusive) to 10000');
    const port = intArg(values.port, '--port', 0, 65535) ?? 0;
    const holdAt = secondsArg(values['hold-at'], '--hold-at', '5m or 1h30m');
    return serve(selectClusters(scenario, name, undefined), name, { seed, speed, port, kubeconfig: values.kubeconfig, holdAt }, io);
  }
  const until = secondsArg(values.until, '--until', '30m or 4h22m') ?? scenario.durationSeconds;
  const sim = new Simulation(scenario, { seed });
  const result = sim.run(until);
  if (values.json) {
    io.out.write(JSON.stringify(result) + '\n');
    return 0;
  }
  io.out.write(`${result.scenario} (seed ${seed ?? scenario.seed}), ${result.clusters.map((c) => `${c.name}: ${c.nodes} nodes`).join(', ')}\n\n`);
  const names = result.clusters.map((c) => c.name);
  io.out.write(`${'T+'.padEnd(8)}${names.map((n) => `${n.slice(0, 28).padEnd(31)}`).join('')}\n`);
  for (const s of result.samples) {
    if (s.t % 600 !== 0 && s.t > 1200 && s !== result.samples[result.samples.length - 1]) continue;
    const cells = names.map((n) => {
      const c = s.clusters[n];
      const state = c.apiserver.replicasReady === 0 ? 'DOWN' : c.apiserver.rejectedPerSecond > 0 ? 'REJECT' : c.apiserver.readP99Seconds > 1 ? 'SLOW' : 'ok';
      return `${state.padEnd(7)}dns ${(c.dns.successRatio * 100).toFixed(0).padStart(3)}% err ${(c.dataPlane.errorRatio * 100).toFixed(1).padStart(5)}%`.padEnd(31);
    });
    io.out.write(`${fmtT(s.t).padEnd(8)}${cells.join('')}\n`);
  }
  io.out.write('\nevents:\n');
  for (const e of result.events.slice(0, 200)) io.out.write(`  T+${fmtT(e.t).padEnd(8)} ${e.cluster.padEnd(14)} ${e.detail}\n`);
  if (result.events.length > 200) io.out.write(`  … ${result.events.length - 200} more (use --json)\n`);
  return 0;
}

/** Serves one cluster until SIGINT/SIGTERM (or `signal`). */
export async function serve(
  scenario: Scenario,
  name: string,
  o: { seed?: number; speed: number; port: number; kubeconfig?: string; holdAt?: number },
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
  signal?: AbortSignal,
): Promise<number> {
  const { serveCluster } = await import('./sim-serve');
  const { SimClock } = await import('../sim/clock');
  const sim = new Simulation(scenario, { seed: o.seed });
  const cluster = sim.cluster(name)!;
  const clock = new SimClock(sim, o.speed);
  const served = await serveCluster(cluster, { port: o.port, speed: o.speed, kubeconfigPath: o.kubeconfig });
  if (o.holdAt !== undefined) {
    const held = (t: number): void => void io.err.write(`T+${fmtT(t)} held: the clock stands still here; the server goes on answering\n`);
    clock.holdAt(o.holdAt);
    if (clock.state.paused) held(clock.state.t);
    else {
      const off = clock.onTick((st) => {
        if (!st.paused) return;
        held(st.t);
        off();
      });
    }
  }
  clock.start();
  cluster.onEvent((e) => io.err.write(`T+${fmtT(e.t)} ${e.detail}\n`));
  io.out.write(`ready ${served.url} kubeconfig=${served.kubeconfig}\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  clock.stop();
  await served.close();
  return 0;
}

function fmtT(t: number): string {
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m`;
}
