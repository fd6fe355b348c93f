// Rolling updates of Deployments and DaemonSets, kept in aggregate: per workload, which pods
// carry the new template (`pod-template-hash` / `controller-revision-hash`) is one number, never
// a list of pods. Pod i (a Deployment's replica i, a DaemonSet's pod on node i, an app namespace's
// i-th filler pod) is updated once i < `done`; pods [done, done + pending) are new and still
// starting (Pending); the old pods [done + pending - kept, N) still exist (`kept`: the old pods a
// surge keeps running until their replacements are available). The store (store.ts, `roll()`)
// advances it step by step at the pace kube-controller-manager and the kubelets are served.
//
// Steps follow the controllers' rolling-update arithmetic:
// - Deployment RollingUpdate (pkg/controller/deployment/rolling.go, util/deployment_util.go
//   ResolveFenceposts): maxSurge rounded up, maxUnavailable rounded down, of spec.replicas; a step
//   starts maxSurge + maxUnavailable new pods and removes maxUnavailable old ones at once, the
//   rest of the old ones once the new are available. Recreate: all old pods go, then all new come.
// - DaemonSet RollingUpdate (pkg/controller/daemon/update.go rollingUpdate, util
//   GetScaledValueFromIntOrPercent rounding up): at most maxUnavailable nodes without an available
//   pod; with maxSurge, new pods start beside the old ones. OnDelete: nothing rolls.
import type { SuffixCodec } from './names';
import type { Json } from './simObject';

export interface Rollout {
  kind: 'Deployment' | 'DaemonSet';
  namespace: string;
  name: string;
  /** Hash of the pods not updated yet, and of the updated ones. */
  from: string;
  to: string;
  fromCodec: SuffixCodec;
  toCodec: SuffixCodec;
  /** Image of the first container of each template (what the pods run). */
  fromImage: string;
  toImage: string;
  /** DaemonSet pods' `pod-template-generation` label, old and new. */
  fromGeneration: number;
  toGeneration: number;
  /** Strategy as written: new pods per step, and old pods removed when a step starts. */
  strategy: Strategy;
  done: number;
  pending: number;
  kept: number;
  /** 'create': the controllers are making this step's pods; 'start': the kubelets are starting them. */
  phase: 'create' | 'start';
  /** Served seconds of work towards the current phase. */
  progress: number;
  /** Simulated seconds of the last progress update. */
  at: number;
  /** For each finished step, the index its pods end at and when they were created (ascending). */
  ends: number[];
  createdAt: number[];
  /** When the pods of the current step were created. */
  stepCreated: number;
  /** When the rollout began, and when its last step finished. */
  began: number;
  finished?: number;
  /** resourceVersion of the rollout's last change (the workload objects carry it). */
  rv: number;
}

export interface Strategy {
  type: 'RollingUpdate' | 'Recreate' | 'OnDelete';
  maxSurge: number | string;
  maxUnavailable: number | string;
}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The update strategy of a written Deployment or DaemonSet spec (defaults as SetDefaults_Deployment / SetDefaults_DaemonSet). */
export function strategyOf(kind: 'Deployment' | 'DaemonSet', spec: Json | undefined): Strategy {
  const st = isMap(spec) ? (kind === 'Deployment' ? spec.strategy : spec.updateStrategy) : undefined;
  const type = isMap(st) && typeof st.type === 'string' ? st.type : 'RollingUpdate';
  const ru = isMap(st) && isMap(st.rollingUpdate) ? st.rollingUpdate : {};
  const v = (x: unknown, d: number | string): number | string => (typeof x === 'number' || typeof x === 'string' ? x : d);
  if (type === 'Recreate') return { type, maxSurge: 0, maxUnavailable: '100%' };
  if (type === 'OnDelete') return { type, maxSurge: 0, maxUnavailable: 0 };
  return kind === 'Deployment' ? { type: 'RollingUpdate', maxSurge: v(ru.maxSurge, '25%'), maxUnavailable: v(ru.maxUnavailable, '25%') } : { type: 'RollingUpdate', maxSurge: v(ru.maxSurge, 0), maxUnavailable: v(ru.maxUnavailable, 1) };
}

/** intstr.GetScaledValueFromIntOrPercent: an int as is, a percentage of `total` rounded up or down. */
export function scaled(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return Math.max(0, Math.floor(v));
  const m = /^(\d+)%$/.exec(v.trim());
  if (!m) return Math.max(0, Math.floor(Number(v) || 0));
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/**
 * One step of `total` pods: how many new pods it starts and how many old ones it removes at once
 * (the rest of the step's old pods go when the new ones are available).
 */
export function stepOf(kind: 'Deployment' | 'DaemonSet', s: Strategy, total: number): { batch: number; kill: number } {
  if (s.type === 'OnDelete') return { batch: 0, kill: 0 };
  if (s.type === 'Recreate') return { batch: total, kill: total };
  // Deployments round maxSurge up and maxUnavailable down (ResolveFenceposts); both 0 is invalid,
  // and the controller then allows one unavailable. DaemonSets round both up.
  const surge = scaled(s.maxSurge, total, true);
  let unavailable = scaled(s.maxUnavailable, total, kind === 'DaemonSet');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { batch: Math.max(1, surge + unavailable), kill: unavailable };
}

/** New pods of a workload of `total` pods: [0, newCount). */
export function newCount(r: Rollout, total: number): number {
  return Math.min(total, r.done + r.pending);
}

/** Old pods: [oldFrom, total). */
export function oldFrom(r: Rollout, total: number): number {
  return Math.min(total, r.done + r.pending - r.kept);
}

/** Is pod i of the new template Running (not still starting)? */
export function newRunning(r: Rollout, i: number): boolean {
  return i < r.done;
}

/** When new pod i was created. */
export function newCreated(r: Rollout, i: number): number {
  if (i >= r.done) return r.stepCreated;
  let lo = 0;
  let hi = r.ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r.ends[mid] > i) hi = mid;
    else lo = mid + 1;
  }
  return r.createdAt[lo] ?? r.began;
}

/** Is the rollout still going for a workload of `total` pods? */
export function rolling(r: Rollout, total: number): boolean {
  return r.done < total && r.strategy.type !== 'OnDelete';
}
