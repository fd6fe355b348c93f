// What the server has seen of the cluster over time, for the objects that describe the past:
// Lease renewTime (when did this node's kubelet last get its renewal through?) and Events (what
// happened, how often, first and last). The model reports the present (a snapshot); this keeps
// the few facts of the past the server needs, compactly: state changes, not samples.
import type { ClusterSnapshot, ModelEvent } from '../types';

/** The state that decides whether a kubelet's lease renewal gets through. */
interface RenewalState {
  /** Simulated second from which it holds. */
  t: number;
  /** Nodes 0 … nodesReady-1 are Ready (the server lays NotReady nodes out last). */
  nodesReady: number;
  /** Does the control plane answer kubelets (an API server up, etcd answering, node-high not shedding)? */
  answering: boolean;
}

/** An Event a controller of the simulated cluster records (a pod evicted, created, killed), at simulated second `t`. */
export interface ControllerEvent {
  involved: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The recording component (`replicaset-controller`, `kubelet`, …) and, for a kubelet, its node. */
  component: string;
  host?: string;
  t: number;
}

/** Rejections (429) at one APF priority level. */
export interface RejectionRecord {
  level: string;
  total: number;
  first: number;
  last: number;
}

/**
 * The kubelet renews its node Lease every 25 % of leaseDurationSeconds: 40 s × 0.25 = 10 s
 * (KEP-589 "Efficient node heartbeats"; kubelet nodeLeaseDurationSeconds default 40,
 * pkg/kubelet/nodelease renewInterval = 0.25 × duration).
 */
export const NODE_LEASE_DURATION_SECONDS = 40;
export const NODE_LEASE_RENEW_SECONDS = NODE_LEASE_DURATION_SECONDS / 4;
/**
 * node-lifecycle-controller --node-monitor-grace-period (40 s through 1.31): a node whose lease
 * has not been renewed for this long is marked NotReady. A node already NotReady when the server
 * first looked stopped renewing that long before.
 */
export const NODE_MONITOR_GRACE_SECONDS = 40;
const MAX_STATES = 4096;
const MAX_MODEL_EVENTS = 2000;

export class ClusterHistory {
  private readonly states: RenewalState[] = [];
  private readonly modelEvents: ModelEvent[] = [];
  private readonly rejections = new Map<string, RejectionRecord>();
  private readonly controllerEvents: ControllerEvent[] = [];
  private noted = 0;

  /** The model's snapshot as of the last sync (what resources measured now, metrics.k8s.io, read). */
  latest?: ClusterSnapshot;

  /** Records what a snapshot says (called on every sync; only changes are kept). */
  observe(s: ClusterSnapshot, nodes: number): void {
    this.latest = s;
    const t = s.t;
    const nodesReady = Math.max(0, Math.min(nodes, s.nodes?.ready ?? nodes));
    const nodeHigh = s.priorityLevels?.['node-high'];
    const answering = (s.apiserver?.replicasReady ?? 1) > 0 && s.apiserver?.etcdOk !== false && !(nodeHigh && nodeHigh.rejectedPerSecond > 0);
    const last = this.states[this.states.length - 1];
    if (!last || last.nodesReady !== nodesReady || last.answering !== answering) {
      if (last && last.t === t) this.states.pop();
      this.states.push({ t, nodesReady, answering });
      if (this.states.length > MAX_STATES) this.states.splice(0, this.states.length - MAX_STATES);
    }
    for (const [level, l] of Object.entries(s.priorityLevels ?? {})) {
      if (!(l.rejectedTotal > 0)) continue;
      const r = this.rejections.get(level);
      if (!r) {
        this.rejections.set(level, { level, total: l.rejectedTotal, first: t, last: t });
      } else if (l.rejectedTotal > r.total) {
        r.total = l.rejectedTotal;
        r.last = t;
      }
    }
  }

  /** Records a model event (the most recent ones are kept). */
  record(e: ModelEvent): void {
    this.modelEvents.push(e);
    if (this.modelEvents.length > MAX_MODEL_EVENTS * 1.25) this.modelEvents.splice(0, this.modelEvents.length - MAX_MODEL_EVENTS);
  }

  /**
   * Records an Event a controller writes (the store's controllers: evictions, replacement pods,
   * restarts). Repeats are aggregated when Events are served, as client-go's correlator does.
   */
  note(e: ControllerEvent): void {
    this.controllerEvents.push(e);
    this.noted++;
    if (this.controllerEvents.length > MAX_MODEL_EVENTS * 1.25) this.controllerEvents.splice(0, this.controllerEvents.length - MAX_MODEL_EVENTS);
  }

  /** The controllers' recent Events, oldest first. */
  controllerNotes(): readonly ControllerEvent[] {
    return this.controllerEvents;
  }

  /** How many controller Events were ever noted (a change count for watchers). */
  notedCount(): number {
    return this.noted;
  }

  /** The model's recent events, oldest first. */
  events(): readonly ModelEvent[] {
    return this.modelEvents;
  }

  rejectionRecords(): RejectionRecord[] {
    return [...this.rejections.values()];
  }

  private ok(s: RenewalState, node: number): boolean {
    return s.answering && node < s.nodesReady;
  }

  /**
   * The last simulated second at which node `node`'s kubelet got its lease renewal through: it
   * renews every 10 s (at `phase` + 10 k) while the node is Ready and the control plane answers it.
   */
  lastRenewal(node: number, now: number, phase: number): number {
    const tick = (t: number): number => phase + Math.floor((t - phase) / NODE_LEASE_RENEW_SECONDS) * NODE_LEASE_RENEW_SECONDS;
    let end = now;
    for (let j = this.states.length - 1; j >= 0; j--) {
      const s = this.states[j];
      const segEnd = Math.min(end, now);
      end = s.t;
      if (!this.ok(s, node)) continue;
      const r = tick(segEnd);
      // Renewing since before the server first looked: the latest tick of this span counts.
      if (r >= s.t || j === 0) return r;
    }
    if (!this.states.length) return tick(now);
    // NotReady since before the server first looked: it stopped renewing a grace period earlier.
    return tick(this.states[0].t - NODE_MONITOR_GRACE_SECONDS);
  }

  /** When node `node` last went NotReady (its most recent Ready → NotReady change, or when the server first looked). */
  notReadySince(node: number): number | undefined {
    for (let j = this.states.length - 1; j > 0; j--) {
      if (node < this.states[j - 1].nodesReady && node >= this.states[j].nodesReady) return this.states[j].t;
    }
    // NotReady since the server first looked.
    return this.states.length && node >= this.states[0].nodesReady ? this.states[0].t : undefined;
  }
}
