// A tabletop exercise: a scenario's clusters played on one clock, each behind the real Kubernetes
// API on 127.0.0.1 (the same server as `breakglass sim serve`), with one kubeconfig holding a
// context per cluster. It records what happens — readings, model events, participants' steps,
// injections, clock changes, participants' own requests — into its journal, hosts the cluster
// models for simulated break-glass steps (SimHost), and scores the run.
import { hostname } from 'node:os';
import { safeUser } from '../runbook/user';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { privateTempDir } from '../runbook/private-dir';
import { renderKubeconfig } from '../common/kubeconfig';
import { breakglassContextOf } from '../cluster/breakglass-context';
import { dirname, join } from 'node:path';
import { clockTimeline } from '../breakglass/simtime';
import type { SimTimeline } from '../breakglass/types';
import type { JournalEvent, SimClusterReading } from '../runbook/events';
import { Journal } from '../runbook/journal';
import type { SimHost, SimHostCluster, SimStepEvent } from '../runbook/simhost';
import { SimClock } from '../sim/clock';
import type { ClusterModel } from '../sim/model/cluster';
import { scenarioWorkloads, type Scenario, type ScenarioAction, type ScenarioHint, type ScenarioWorkload } from '../sim/scenario';
import { SimApiServer } from '../sim/server/server';
import { Simulation } from '../sim/simulation';
import type { AdmissionDecision, SimCluster, SimRequest } from '../sim/types';
import { saturated, score, type ParticipantRequests, type Scores } from './score';

export interface TabletopOptions {
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  seed?: number;
  /** Where the tabletop's journal goes. */
  journalDir: string;
  /** Where to write the kubeconfig (default: a temporary folder removed on stop). */
  kubeconfigPath?: string;
  scenarioFile?: string;
  via?: 'vscode' | 'cli';
  user?: string;
  /** Start paused (the facilitator presses start). */
  paused?: boolean;
}

export interface Reading {
  simT: number;
  clusters: Record<string, SimClusterReading>;
}

export type TabletopUpdate =
  | { type: 'clock'; t: number; speed: number; paused: boolean }
  | { type: 'reading'; reading: Reading }
  | { type: 'event'; event: JournalEvent }
  | { type: 'finished'; scores: Scores };

/** Names and tokens of the identities the served API knows (see src/sim/server/server.ts). */
const PARTICIPANT_USER = 'sim-user';
const EXEMPT_USER = 'breakglass-admin';
/** Our own tools (health panels, analysis) announce themselves; they are not participants. */
const TOOL_AGENT = /^breakglass-/;

/** Readings journaled once per simulated minute; the live chart gets one every 15 s. */
const JOURNAL_EVERY = 60;
const LIVE_EVERY = 15;

export class Tabletop implements SimHost {
  readonly sim: Simulation;
  readonly clock: SimClock;
  readonly journal: Journal;
  readonly readings: Reading[] = [];
  readonly requests: ParticipantRequests = { total: 0, whileSaturated: 0, refused: 0, exempt: 0 };
  private readonly servers = new Map<string, SimApiServer>();
  private readonly saturatedNow = new Map<string, boolean>();
  private readonly activity: { simT: number; what: string }[] = [];
  private readonly listeners = new Set<(u: TabletopUpdate) => void>();
  private readonly offenders: Set<string>;
  private revealed = 0;
  private tempDir?: string;
  private stopped = false;
  private finishedScores?: Scores;
  private readonly user: string;
  private unsubs: (() => void)[] = [];
  kubeconfig = '';
  private focusName: string;

  private constructor(
    readonly scenario: Scenario,
    private readonly o: TabletopOptions,
  ) {
    this.user = o.user ?? safeUser();
    this.sim = new Simulation(scenario, { seed: o.seed });
    this.clock = new SimClock(this.sim, o.speed ?? 1);
    // The largest cluster is where the incident hurts most: the kubeconfig's current context.
    this.focusName = [...scenario.clusters].sort((a, b) => b.nodes - a.nodes)[0].name;
    this.offenders = new Set(scenarioWorkloads(scenario).map((w) => `${w.namespace}/${w.name}`));
    this.journal = Journal.create(o.journalDir, `tabletop-${scenario.name}`);
  }

  /** Starts the clusters' API servers and the clock; resolves once every server accepts requests. */
  static async start(scenario: Scenario, o: TabletopOptions): Promise<Tabletop> {
    const tt = new Tabletop(scenario, o);
    try {
      await tt.listen();
    } catch (e) {
      await tt.stop().catch(() => undefined);
      throw e;
    }
    return tt;
  }

  private async listen(): Promise<void> {
    const entries: KubeEntry[] = [];
    for (const model of this.sim.clusters) {
      const server = new SimApiServer(this.counting(model), { speed: this.clock.state.speed });
      this.servers.set(model.spec.name, server);
      const url = await server.listen();
      entries.push({ name: model.spec.name, url, caPem: server.caPem, userToken: server.userToken, breakglassToken: server.breakglassToken });
    }
    let path = this.o.kubeconfigPath;
    if (!path) {
      this.tempDir = privateTempDir('tabletop');
      path = join(this.tempDir, 'kubeconfig');
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderTabletopKubeconfig(entries, this.focusName), { mode: 0o600 });
    chmodSync(path, 0o600);
    this.kubeconfig = path;

    this.record({
      type: 'tabletop-started',
      v: 1,
      t: new Date().toISOString(),
      scenario: this.scenario.name,
      file: this.o.scenarioFile,
      description: this.scenario.description,
      seed: this.sim.seed,
      speed: this.clock.state.speed,
      durationSeconds: this.scenario.durationSeconds,
      recoveredErrorRatio: this.scenario.recoveredErrorRatio,
      clusters: this.sim.clusters.map((c) => ({ name: c.spec.name, nodes: c.spec.nodes })),
      focus: this.focusName,
      kubeconfig: path,
      user: this.user,
      host: hostname(),
      via: this.o.via ?? 'cli',
    });
    // Events that fired at T+0 (the scenario's first events) and everything after.
    for (const e of this.sim.events) this.modelEvent(e.t, e.cluster, e.kind, e.detail);
    for (const c of this.sim.clusters) this.unsubs.push(c.onEvent((e) => this.modelEvent(e.t, e.cluster, e.kind, e.detail)));
    this.read();
    this.unsubs.push(this.sim.onStep((t) => this.onStep(t)));
    this.unsubs.push(this.clock.onTick((s) => this.emit({ type: 'clock', t: s.t, speed: s.speed, paused: s.paused })));
    if (this.o.paused) this.clock.pause();
    this.clock.start();
  }

  // ---- SimHost ------------------------------------------------------------------------------
  clusters(): SimHostCluster[] {
    return this.sim.clusters.map((c) => ({ name: c.spec.name, nodes: c.spec.nodes, model: c }));
  }
  focus(): string {
    return this.focusName;
  }
  timeline(cluster: string): SimTimeline {
    const model = this.sim.cluster(cluster);
    if (!model) throw new Error(`no cluster ${cluster} in the tabletop`);
    return clockTimeline(model, { stallMs: 120_000 });
  }
  speed(): number {
    return this.clock.state.speed;
  }
  stepEvent(e: SimStepEvent): void {
    if (this.stopped) return;
    const simT = this.sim.now();
    if (e.state === 'running') this.activity.push({ simT, what: `step ${e.stepId}` });
    this.record({ type: 'sim-step', t: new Date().toISOString(), simT, runbook: e.runbook, journal: e.journal, stepId: e.stepId, kind: e.kind, state: e.state, reason: e.reason });
  }

  // ---- facilitation -------------------------------------------------------------------------
  now(): number {
    return this.sim.now();
  }
  get isStopped(): boolean {
    return this.stopped;
  }
  get focusCluster(): ClusterModel {
    return this.sim.cluster(this.focusName)!;
  }
  setFocus(name: string): void {
    if (!this.sim.cluster(name)) throw new Error(`no cluster ${name} in the tabletop`);
    this.focusName = name;
  }

  onUpdate(l: (u: TabletopUpdate) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  pause(): void {
    if (this.clock.state.paused) return;
    this.clock.pause();
    this.clockEvent('pause');
  }
  resume(): void {
    if (!this.clock.state.paused) return;
    this.clock.resume();
    this.clockEvent('resume');
  }
  setSpeed(speed: number): void {
    this.clock.setSpeed(speed);
    this.clockEvent('speed');
  }

  /** Plays headless (as fast as possible) to simulated time `until`; the clock is paused meanwhile. */
  async fastForward(until: number, signal?: AbortSignal): Promise<void> {
    const wasPaused = this.clock.state.paused;
    this.clock.pause();
    this.record({ type: 'sim-clock', t: new Date().toISOString(), simT: this.sim.now(), action: 'fast-forward', until, user: this.user });
    let i = 0;
    while (this.sim.now() < until && !this.stopped && !signal?.aborted) {
      this.sim.step(1);
      if (++i % 600 === 0) await new Promise((r) => setImmediate(r));
    }
    if (!wasPaused) this.clock.resume();
  }

  /** The scenario's workloads, one per namespace/name: what a facilitator may deploy (again). */
  workloads(): ScenarioWorkload[] {
    return scenarioWorkloads(this.scenario);
  }

  /** A facilitator's injection: applied to the named clusters now, recorded as injected. */
  inject(action: ScenarioAction, clusters: string[]): void {
    const targets = clusters.length ? clusters : this.sim.clusters.map((c) => c.spec.name);
    for (const name of targets) {
      const c = this.sim.cluster(name);
      if (!c) throw new Error(`no cluster ${name} in the tabletop`);
      this.injecting = this.user;
      try {
        this.sim.apply(c, action);
      } finally {
        this.injecting = undefined;
      }
      this.store(name);
    }
  }
  private injecting?: string;

  /** Hints whose time has come, and how many are left to reveal. */
  hints(): { revealed: ScenarioHint[]; available: number; total: number } {
    const due = this.scenario.hints.filter((h) => h.after <= this.sim.now());
    return { revealed: this.scenario.hints.slice(0, this.revealed), available: Math.max(0, due.length - this.revealed), total: this.scenario.hints.length };
  }

  /** Reveals the next hint whose time has come (undefined: none yet). */
  revealHint(): ScenarioHint | undefined {
    const h = this.scenario.hints[this.revealed];
    if (!h || h.after > this.sim.now()) return undefined;
    this.revealed++;
    this.noteActivity('hint-revealed', h.text, false);
    return h;
  }

  /** Something participants did that counts as diagnosis (a health panel opened…) or a facilitator note. */
  noteActivity(activity: string, detail?: string, diagnosis = true): void {
    if (this.stopped) return;
    const simT = this.sim.now();
    if (diagnosis) this.activity.push({ simT, what: activity });
    this.record({ type: 'sim-activity', t: new Date().toISOString(), simT, activity, detail, user: this.user });
  }

  /** Scores as of now. */
  scores(): Scores {
    return (
      this.finishedScores ??
      score({
        samples: this.readings,
        activity: this.activity,
        recoveredErrorRatio: this.scenario.recoveredErrorRatio,
        hasOffender: this.offenders.size > 0,
        requests: { ...this.requests },
        endT: this.sim.now(),
      })
    );
  }

  /** Ends the exercise: final reading and scores to the journal, servers down, kubeconfig removed. */
  async stop(): Promise<Scores> {
    if (this.stopped) return this.finishedScores ?? this.scores();
    this.clock.stop();
    if (this.kubeconfig) this.read(true);
    const scores = this.scores();
    this.finishedScores = scores;
    if (this.kubeconfig) this.record({ type: 'tabletop-finished', t: new Date().toISOString(), simT: this.sim.now(), scores });
    this.stopped = true;
    for (const u of this.unsubs) u();
    this.unsubs = [];
    await Promise.all([...this.servers.values()].map((s) => s.close().catch(() => undefined)));
    this.servers.clear();
    this.journal.close();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
    this.emit({ type: 'finished', scores });
    this.listeners.clear();
    return scores;
  }

  // ---- recording ----------------------------------------------------------------------------
  private emit(u: TabletopUpdate): void {
    for (const l of this.listeners) {
      try {
        l(u);
      } catch {
        /* a broken view must not break the exercise */
      }
    }
  }

  private record(e: JournalEvent): void {
    if (this.stopped) return;
    this.journal.append(e);
    this.emit({ type: 'event', event: e });
  }

  private modelEvent(t: number, cluster: string, kind: string, detail: string): void {
    this.record({ type: 'sim-event', t: new Date().toISOString(), simT: t, cluster, kind, detail, injectedBy: this.injecting });
  }

  private clockEvent(action: 'pause' | 'resume' | 'speed'): void {
    const s = this.clock.state;
    this.record({ type: 'sim-clock', t: new Date().toISOString(), simT: s.t, action, speed: s.speed, user: this.user });
    this.emit({ type: 'clock', t: s.t, speed: s.speed, paused: s.paused });
  }

  private onStep(t: number): void {
    if (t % LIVE_EVERY === 0) this.read(t % JOURNAL_EVERY === 0);
  }

  private readingOf(c: ClusterModel): SimClusterReading {
    const s = c.snapshot();
    let offendingRps = 0;
    for (const [k, l] of Object.entries(s.workloadLoad)) if (this.offenders.has(k)) offendingRps += l.requestsPerSecond;
    return {
      load: round(s.apiserver.limit > 0 ? s.apiserver.inflight / s.apiserver.limit : s.apiserver.replicasReady === 0 ? 1.5 : 0, 3),
      rejectedPerSecond: round(s.apiserver.rejectedPerSecond, 2),
      replicasReady: s.apiserver.replicasReady,
      replicas: s.apiserver.replicas,
      dnsSuccess: round(s.dns.successRatio, 4),
      errorRatio: round(s.dataPlane.errorRatio, 4),
      offendingRps: round(offendingRps, 3),
      pending: s.pods.pending,
    };
  }

  private store(name: string): void {
    const c = this.sim.cluster(name);
    if (c) this.saturatedNow.set(name, saturated(this.readingOf(c)));
  }

  private read(journal = true): void {
    const clusters: Record<string, SimClusterReading> = {};
    for (const c of this.sim.clusters) {
      const r = this.readingOf(c);
      clusters[c.spec.name] = r;
      this.saturatedNow.set(c.spec.name, saturated(r));
    }
    const reading = { simT: this.sim.now(), clusters };
    const last = this.readings[this.readings.length - 1];
    if (last && last.simT === reading.simT) this.readings[this.readings.length - 1] = reading;
    else this.readings.push(reading);
    if (journal && !this.stopped) this.journal.append({ type: 'sim-sample', t: new Date().toISOString(), simT: reading.simT, clusters });
    this.emit({ type: 'reading', reading });
  }

  /** The model as the server sees it, counting participants' own requests on the way in. */
  private counting(model: ClusterModel): SimCluster {
    const name = model.spec.name;
    const admit = (req: SimRequest): AdmissionDecision => {
      const d = model.admit(req);
      // The health panels read through the break-glass identity too: only participants' own requests count.
      if (TOOL_AGENT.test(req.userAgent)) return d;
      if (req.user === EXEMPT_USER) this.requests.exempt++;
      else if (req.user === PARTICIPANT_USER) {
        this.requests.total++;
        if (this.saturatedNow.get(name)) this.requests.whileSaturated++;
        if (d.outcome !== 'serve' || d.unavailable) this.requests.refused++;
      }
      return d;
    };
    return new Proxy(model as unknown as SimCluster, {
      get(target, prop) {
        if (prop === 'admit') return admit;
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

interface KubeEntry {
  name: string;
  url: string;
  caPem: string;
  userToken: string;
  breakglassToken: string;
}

/**
 * One kubeconfig for every cluster of the exercise: `<cluster>` (an ordinary user, through API
 * Priority and Fairness like anyone) and `<cluster>-breakglass` (system:masters: the exempt
 * level), plus `sim` and `sim-breakglass` for the focus cluster, which is the current context.
 */
export function renderTabletopKubeconfig(entries: KubeEntry[], focus: string): string {
  const contexts = entries.flatMap((e) => [
    { name: e.name, cluster: e.name, user: `${e.name}-user`, namespace: 'default' },
    { name: breakglassContextOf(e.name), cluster: e.name, user: breakglassContextOf(e.name), namespace: 'default' },
  ]);
  contexts.push({ name: 'sim', cluster: focus, user: `${focus}-user`, namespace: 'default' });
  contexts.push({ name: breakglassContextOf('sim'), cluster: focus, user: breakglassContextOf(focus), namespace: 'default' });
  return renderKubeconfig({
    clusters: entries.map((e) => ({ name: e.name, server: e.url, caPem: e.caPem })),
    contexts,
    currentContext: focus,
    users: entries.flatMap((e) => [
      { name: `${e.name}-user`, token: e.userToken },
      { name: breakglassContextOf(e.name), token: e.breakglassToken },
    ]),
    simulated: true,
  });
}

function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}
