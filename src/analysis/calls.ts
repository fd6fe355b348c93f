// The vocabulary of inferred API usage: a call as the cost model sees it, plus where the evidence
// for it came from. Types only, at the bottom of analysis/ so the agents, the rules and the usage
// inference can all use them without importing each other.
import type { ApiCall } from '../cost/model';

export type Encoding = 'json' | 'protobuf';

/** Strongest first: declared, a recognised agent's configuration, commands, RBAC reach; hints only scope the others. */
export type EvidenceSource = 'annotation' | 'agent' | 'command' | 'rbac' | 'hint';

export interface Evidence {
  source: EvidenceSource;
  file: string;
  line: number;
  detail: string;
}

/** One kind of request, as the cost model sees it, plus what happens when a client starts. */
export interface UsageCall extends ApiCall {
  /** Requests each client makes when it starts: an informer's initial LIST (1), per-pod GETs. */
  atStart: number | 'podsOnNode';
  /** Steady requests per second per pod on the client's node (metadata cache misses). */
  perPodOnNodePerSecond?: number;
  /**
   * What the cluster's data plane needs from every node (a service proxy's Services and
   * EndpointSlices, as kube-proxy watches them): reported, not blamed on the agent.
   */
  inherent?: boolean;
  evidence: Evidence;
}
