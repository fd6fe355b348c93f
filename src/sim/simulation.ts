// A scenario played out: its clusters, its timed events and one clock. Headless runs step as
// fast as possible; `sim serve` steps in real time (times --speed) and can pause.
import { ClusterModel } from './model/cluster';
import { scenarioAction, type ScenarioAction } from './actions';
import type { Scenario } from './scenario';
import type { ClusterSnapshot, ModelEvent } from './types';

export interface Sample {
  t: number;
  clusters: Record<
    string,
    {
      apiserver: Pick<ClusterSnapshot['apiserver'], 'inflight' | 'limit' | 'queued' | 'rejectedPerSecond' | 'readP99Seconds' | 'mutatingP99Seconds' | 'replicasReady'>;
      dns: { successRatio: number };
      dataPlane: { errorRatio: number };
      nodes: { total: number; ready: number };
      pods: { pending: number };
    }
  >;
}

export interface RunResult {
  scenario: string;
  seed: number;
  clusters: { name: string; nodes: number }[];
  samples: Sample[];
  events: ModelEvent[];
}

export class Simulation {
  readonly clusters: ClusterModel[];
  readonly events: ModelEvent[] = [];
  private next = 0;
  private t = 0;

  readonly seed: number;

  constructor(
    readonly scenario: Scenario,
    opts: { seed?: number; nodes?: Record<string, number> } = {},
  ) {
    const seed = opts.seed ?? scenario.seed;
    this.seed = seed;
    this.clusters = scenario.clusters.map((c) => new ClusterModel({ ...c, nodes: opts.nodes?.[c.name] ?? c.nodes }, seed, scenario.dnsCacheExpirySeconds));
    for (const c of this.clusters) c.onEvent((e) => this.events.push(e));
    for (const w of scenario.workloads) for (const name of w.clusters) this.cluster(name)?.deploy(w.workload);
    this.fireDue();
  }

  cluster(name: string): ClusterModel | undefined {
    return this.clusters.find((c) => c.spec.name === name);
  }

  now(): number {
    return this.t;
  }

  /** Applies one action to a cluster (scenario events and people's injections). */
  apply(cluster: ClusterModel, a: ScenarioAction): void {
    const def = scenarioAction(a.action);
    if (!def) throw new Error(`unknown scenario action '${a.action}'`);
    def.apply(cluster, a);
  }

  private fireDue(): void {
    const evs = this.scenario.events;
    while (this.next < evs.length && evs[this.next].at <= this.t) {
      const e = evs[this.next++];
      for (const name of e.clusters) {
        const c = this.cluster(name);
        if (c) this.apply(c, e.spec);
      }
    }
  }

  private readonly stepListeners = new Set<(t: number) => void>();

  /** Called after every step (a tabletop samples here, at exact simulated times). */
  onStep(listener: (t: number) => void): () => void {
    this.stepListeners.add(listener);
    return () => this.stepListeners.delete(listener);
  }

  /** Advances every cluster by dt simulated seconds. */
  step(dt = 1): void {
    this.t += dt;
    for (const c of this.clusters) c.step(dt);
    this.fireDue();
    for (const l of this.stepListeners) l(this.t);
  }

  sample(): Sample {
    const clusters: Sample['clusters'] = {};
    for (const c of this.clusters) {
      const s = c.snapshot();
      clusters[c.spec.name] = {
        apiserver: {
          inflight: round(s.apiserver.inflight, 1),
          limit: s.apiserver.limit,
          queued: round(s.apiserver.queued, 1),
          rejectedPerSecond: round(s.apiserver.rejectedPerSecond, 2),
          readP99Seconds: round(s.apiserver.readP99Seconds, 3),
          mutatingP99Seconds: round(s.apiserver.mutatingP99Seconds, 3),
          replicasReady: s.apiserver.replicasReady,
        },
        dns: { successRatio: round(s.dns.successRatio, 4) },
        dataPlane: { errorRatio: round(s.dataPlane.errorRatio, 4) },
        nodes: s.nodes,
        pods: { pending: s.pods.pending },
      };
    }
    return { t: this.t, clusters };
  }

  /** Runs headless to `until` seconds at `dt` steps, one sample per simulated minute. */
  run(until: number, dt = 1): RunResult {
    const samples: Sample[] = [this.sample()];
    let nextSample = this.t + 60;
    while (this.t < until) {
      this.step(Math.min(dt, until - this.t));
      if (this.t >= nextSample) {
        samples.push(this.sample());
        nextSample += 60;
      }
    }
    return {
      scenario: this.scenario.name,
      seed: this.seed,
      clusters: this.clusters.map((c) => ({ name: c.spec.name, nodes: c.spec.nodes })),
      samples,
      events: this.events.map((e) => ({ ...e, t: round(e.t, 1) })),
    };
  }
}

function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}
