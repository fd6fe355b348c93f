// /healthz, /livez and /readyz with kube-apiserver's check names and text
// (k8s.io/apiserver pkg/server/healthz), driven by the model's snapshot.
import type { ClusterSnapshot } from '../types';

const HOOKS = [
  'start-apiserver-admission-initializer',
  'generic-apiserver-start-informers',
  'priority-and-fairness-config-consumer',
  'priority-and-fairness-filter',
  'storage-object-count-tracker-hook',
  'start-apiextensions-informers',
  'start-apiextensions-controllers',
  'crd-informer-synced',
  'start-system-namespaces-controller',
  'start-cluster-authentication-info-controller',
  'start-kube-apiserver-identity-lease-controller',
  'start-kube-apiserver-identity-lease-garbage-collector',
  'start-legacy-token-tracking-controller',
  'start-service-ip-repair-controllers',
  'rbac/bootstrap-roles',
  'scheduling/bootstrap-system-priority-classes',
  'priority-and-fairness-config-producer',
  'bootstrap-controller',
  'aggregator-reload-proxy-client-cert',
  'start-kube-aggregator-informers',
  'apiservice-status-local-available-controller',
  'apiservice-status-remote-available-controller',
  'apiservice-registration-controller',
  'apiservice-discovery-controller',
  'kube-apiserver-autoregistration',
];

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

function checks(kind: HealthEndpoint): string[] {
  const hooks = HOOKS.map((h) => `poststarthook/${h}`);
  const list = ['ping', 'log', 'etcd'];
  if (kind === 'readyz') list.push('etcd-readiness', 'informer-sync');
  list.push(...hooks.slice(0, 24), 'autoregister-completion', ...hooks.slice(24), 'poststarthook/apiservice-openapi-controller', 'poststarthook/apiservice-openapiv3-controller');
  if (kind === 'readyz') list.push('shutdown');
  return list;
}

function failing(name: string, s: ClusterSnapshot): boolean {
  const etcd = s.apiserver?.etcdOk !== false;
  if (name === 'etcd' || name === 'etcd-readiness') return !etcd;
  if (name === 'informer-sync') return !etcd;
  return false;
}

/** HTTP status and body of a health endpoint (`check`: one named check, e.g. /readyz/etcd). */
export function health(kind: HealthEndpoint, s: ClusterSnapshot, query: URLSearchParams, check?: string): { code: number; body: string } {
  const all = checks(kind);
  if (check) {
    if (!all.includes(check)) return { code: 404, body: '404 page not found\n' };
    return failing(check, s) ? { code: 500, body: `internal server error: ${check} check failed\n` } : { code: 200, body: 'ok' };
  }
  const excluded = new Set(query.getAll('exclude'));
  const lines: string[] = [];
  let ok = true;
  for (const c of all) {
    if (excluded.has(c)) {
      lines.push(`[+]${c} excluded: ok`);
      continue;
    }
    if (failing(c, s)) {
      ok = false;
      lines.push(`[-]${c} failed: reason withheld`);
    } else lines.push(`[+]${c} ok`);
  }
  const verbose = query.has('verbose');
  if (ok && !verbose) return { code: 200, body: 'ok' };
  lines.push(`${kind} check ${ok ? 'passed' : 'failed'}`);
  return { code: ok ? 200 : 500, body: `${lines.join('\n')}\n` };
}
