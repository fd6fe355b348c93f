// How simulated nodes are named (`node-00001`…), and how a simulated workload's pods are named — the one rule that `sim serve` (the objects it lists)
// and the simulated etcd keyspace (break-glass `etcd-delete`) both follow, so the two cannot drift.
// Real controllers name pods `<daemonset>-<5 chars>` and `<deployment>-<pod-template-hash>-<5
// chars>` (kubernetes pkg/controller/controller_utils.go, names.SimpleNameGenerator).

import { SuffixCodec, hashChars } from './server/names';

/** What a pod name depends on: the workload's identity, its template (image) and creation time. */
export interface NamedWorkload {
  kind: 'DaemonSet' | 'Deployment';
  namespace: string;
  name: string;
  image: string;
  createdAt: number;
}

/** A workload's pod names: `name(i)` for the DaemonSet's pod on node i or the Deployment's replica i. */
export class WorkloadPodNames {
  /** The pod-template hash (Deployments' `pod-template-hash`, DaemonSets' `controller-revision-hash`). */
  readonly hash: string;
  /** Encodes a pod index as a unique 5-character suffix and back. */
  readonly codec: SuffixCodec;
  private readonly w: NamedWorkload;

  constructor(w: NamedWorkload) {
    const key = `${w.namespace}/${w.name}`;
    this.w = w;
    this.hash = hashChars(`${key}:${w.image}:${w.createdAt}`, 10);
    this.codec = new SuffixCodec(`${key}:${w.createdAt}`);
  }

  name(i: number): string {
    return this.w.kind === 'DaemonSet' ? `${this.w.name}-${this.codec.encode(i)}` : `${this.w.name}-${this.hash}-${this.codec.encode(i)}`;
  }

  /** The index of a pod name of this workload (the inverse of name()), or -1 when it is not one. */
  index(podName: string): number {
    const prefix = this.w.kind === 'DaemonSet' ? `${this.w.name}-` : `${this.w.name}-${this.hash}-`;
    return podName.startsWith(prefix) ? this.codec.decode(podName.slice(prefix.length)) : -1;
  }
}

/** The name of node `i` (0-based) of a simulated cluster of `total` nodes: `node-00001`, wider past 99,999. */
export function simNodeName(i: number, total: number): string {
  return `node-${String(i + 1).padStart(Math.max(5, String(total).length), '0')}`;
}
