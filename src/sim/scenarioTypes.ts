// What a scenario declares of its clusters and workloads: the types the cluster model, the
// scenario actions and the scenario parser share (the parser and its validation: scenario.ts).
import type { ApiCall } from '../cost/model';

export interface ScenarioCluster {
  name: string;
  nodes: number;
  podsPerNode: number;
  namespaces?: number;
  services?: number;
  apiServerReplicas: number;
  serverConcurrency: number;
  apiServerMemoryGiB: number;
  apiServerCores: number;
  consistentListFromCache: boolean;
  /** Requests per second of ordinary users and tools (global-default level). */
  backgroundUserRps: number;
}

export interface ScenarioWorkload {
  name: string;
  namespace: string;
  kind: 'DaemonSet' | 'Deployment';
  replicas?: number;
  image: string;
  serviceAccount: string;
  calls: ApiCall[];
  /** Seconds for every pod to start (a DaemonSet rollout). */
  rolloutSeconds: number;
  /** Does its client retry 429s (client-go: yes, up to 10 times)? */
  retries: number;
  identity: 'serviceAccount' | 'node' | 'user';
}
