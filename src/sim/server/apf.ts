// The default API Priority and Fairness configuration of kube-apiserver (k8s.io/apiserver
// pkg/apis/flowcontrol/bootstrap/default.go), served as flowcontrol.apiserver.k8s.io/v1 objects.
// Their UIDs are the ones the X-Kubernetes-PF-*-UID response headers carry, so a client can
// map a response to its priority level the way it would against a real cluster.
import { stableUid } from './names';

export interface PriorityLevelDefault {
  name: string;
  exempt?: boolean;
  shares: number;
  lendablePercent: number;
  /** Undefined: Reject instead of queuing. */
  queuing?: { queues: number; handSize: number; queueLengthLimit: number };
}

export const PRIORITY_LEVELS: PriorityLevelDefault[] = [
  { name: 'exempt', exempt: true, shares: 0, lendablePercent: 0 },
  { name: 'system', shares: 30, lendablePercent: 33, queuing: { queues: 64, handSize: 6, queueLengthLimit: 50 } },
  { name: 'node-high', shares: 40, lendablePercent: 25, queuing: { queues: 64, handSize: 6, queueLengthLimit: 50 } },
  { name: 'leader-election', shares: 10, lendablePercent: 0, queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 } },
  { name: 'workload-high', shares: 40, lendablePercent: 50, queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } },
  { name: 'workload-low', shares: 100, lendablePercent: 90, queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } },
  { name: 'global-default', shares: 20, lendablePercent: 50, queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } },
  { name: 'catch-all', shares: 5, lendablePercent: 0 },
];

export interface FlowSchemaDefault {
  name: string;
  priorityLevel: string;
  precedence: number;
  distinguisher?: 'ByUser' | 'ByNamespace';
  subjects: Array<{ kind: 'Group' | 'User' | 'ServiceAccount'; name: string; namespace?: string }>;
  nonResourceURLs?: string[];
}

const ALL_AUTH = [
  { kind: 'Group' as const, name: 'system:authenticated' },
  { kind: 'Group' as const, name: 'system:unauthenticated' },
];

export const FLOW_SCHEMAS: FlowSchemaDefault[] = [
  { name: 'exempt', priorityLevel: 'exempt', precedence: 1, subjects: [{ kind: 'Group', name: 'system:masters' }] },
  { name: 'probes', priorityLevel: 'exempt', precedence: 2, subjects: ALL_AUTH, nonResourceURLs: ['/healthz', '/readyz', '/livez'] },
  { name: 'system-leader-election', priorityLevel: 'leader-election', precedence: 100, distinguisher: 'ByUser', subjects: [{ kind: 'User', name: 'system:kube-controller-manager' }, { kind: 'User', name: 'system:kube-scheduler' }] },
  { name: 'endpoint-controller', priorityLevel: 'workload-high', precedence: 150, distinguisher: 'ByUser', subjects: [{ kind: 'ServiceAccount', name: 'endpoint-controller', namespace: 'kube-system' }] },
  { name: 'workload-leader-election', priorityLevel: 'leader-election', precedence: 200, distinguisher: 'ByUser', subjects: [{ kind: 'ServiceAccount', name: '*', namespace: 'kube-system' }] },
  { name: 'system-node-high', priorityLevel: 'node-high', precedence: 400, distinguisher: 'ByUser', subjects: [{ kind: 'Group', name: 'system:nodes' }] },
  { name: 'system-nodes', priorityLevel: 'system', precedence: 500, distinguisher: 'ByUser', subjects: [{ kind: 'Group', name: 'system:nodes' }] },
  { name: 'kube-controller-manager', priorityLevel: 'workload-high', precedence: 800, distinguisher: 'ByNamespace', subjects: [{ kind: 'User', name: 'system:kube-controller-manager' }] },
  { name: 'kube-scheduler', priorityLevel: 'workload-high', precedence: 800, distinguisher: 'ByNamespace', subjects: [{ kind: 'User', name: 'system:kube-scheduler' }] },
  { name: 'kube-system-service-accounts', priorityLevel: 'workload-high', precedence: 900, distinguisher: 'ByNamespace', subjects: [{ kind: 'ServiceAccount', name: '*', namespace: 'kube-system' }] },
  { name: 'service-accounts', priorityLevel: 'workload-low', precedence: 9000, distinguisher: 'ByUser', subjects: [{ kind: 'Group', name: 'system:serviceaccounts' }] },
  { name: 'global-default', priorityLevel: 'global-default', precedence: 9900, distinguisher: 'ByUser', subjects: ALL_AUTH },
  { name: 'catch-all', priorityLevel: 'catch-all', precedence: 10000, distinguisher: 'ByUser', subjects: ALL_AUTH },
];

/** The UID of a FlowSchema or PriorityLevelConfiguration, stable for its name. */
export function apfUid(kind: 'FlowSchema' | 'PriorityLevelConfiguration', name: string): string {
  return stableUid(`flowcontrol/${kind}/${name}`);
}

/** The FlowSchema that most requests of a priority level come through (for metric labels). */
export function mainFlowSchema(priorityLevel: string): string {
  return FLOW_SCHEMAS.find((f) => f.priorityLevel === priorityLevel && f.name === priorityLevel)?.name
    ?? FLOW_SCHEMAS.find((f) => f.priorityLevel === priorityLevel)?.name
    ?? priorityLevel;
}
