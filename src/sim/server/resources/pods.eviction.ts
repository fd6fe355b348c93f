// pods/eviction: a POST of a policy/v1 (or policy/v1beta1) Eviction, as kube-apiserver's
// EvictionREST.Create answers it (pkg/registry/core/pod/storage/eviction.go):
//   - the name in the body must be the pod's (400), the pod must exist (404);
//   - a pod that is Succeeded, Failed, Pending or already being deleted is deleted without asking
//     any budget (canIgnorePDB);
//   - otherwise the PodDisruptionBudgets of its namespace whose selector matches it: more than one
//     is a 500 Status; with one, a pod that is not Ready while the budget is whole is deleted
//     without spending it, and a budget that allows no disruption answers 429 TooManyRequests
//     "Cannot evict pod as it would violate the pod's disruption budget." with a DisruptionBudget
//     cause (no Retry-After: NewTooManyRequests(…, 0));
//   - otherwise the pod is deleted (the budget is spent: the disruption controller's count of
//     healthy pods drops with it) and the answer is 201 with a Status Success.
// kubectl drain (k8s.io/kubectl/pkg/drain) posts one per pod, at the group version discovery
// gives for `pods/eviction`, and retries a 429 every 5 s until its --timeout.
//
// kube-apiserver records no Event for an eviction; what `kubectl get events` shows after a real
// drain is the kubelet stopping the pod's containers: Normal `Killing` "Stopping container NAME"
// from the kubelet of its node (pkg/kubelet/events: KillingContainer; kuberuntime
// killContainer's message). That one is recorded here.
import { statusBody } from '../exchange';
import { deleteOptionsMessage, fields, objectMeta, typeMeta, unwrap } from '../protobuf';
import type { Json } from '../simObject';
import type { Store } from '../store';
import { budgetSelects } from './poddisruptionbudgets';
import type { Any } from './resource';

export interface EvictionAnswer {
  code: number;
  body: Json;
}

/** The group versions whose Eviction the subresource accepts (EvictionREST.AcceptsGroupVersion). */
const ACCEPTED = new Set(['policy/v1', 'policy/v1beta1']);

/** An Eviction posted as protobuf (k8s.io/api policy/v1 generated.proto: metadata=1, deleteOptions=2). */
export function evictionFromProtobuf(buf: Buffer): Json {
  const f = fields(unwrap(buf));
  const out: Json = { ...typeMeta(buf), metadata: objectMeta(f.get(1)?.[0]) };
  const opts = f.get(2)?.[0];
  if (opts) out.deleteOptions = deleteOptionsMessage(opts);
  return out;
}

const bad = (code: number, reason: string, message: string, details?: Json): EvictionAnswer => ({ code, body: statusBody(code, reason, message, details) });

/** Answers an admitted POST of an Eviction of pod `namespace/name`. */
export function evict(store: Store, namespace: string, name: string, body: Json, query: URLSearchParams): EvictionAnswer {
  if (body.kind !== undefined && body.kind !== 'Eviction') return bad(400, 'BadRequest', `not a Eviction object: ${String(body.kind)}`);
  if (body.apiVersion !== undefined && !ACCEPTED.has(String(body.apiVersion))) {
    return bad(400, 'BadRequest', `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (policy/v1)`);
  }
  const meta = (body.metadata ?? {}) as Json;
  if (meta.name !== name) return bad(400, 'BadRequest', 'name in URL does not match name in Eviction object');
  const opts = (body.deleteOptions ?? {}) as Any;
  const urlDry = query.getAll('dryRun');
  const bodyDry = Array.isArray(opts.dryRun) ? (opts.dryRun as string[]) : [];
  if (urlDry.length && bodyDry.length && urlDry.join(',') !== bodyDry.join(',')) {
    return bad(500, 'InternalError', `Non-matching dry-run options in request and content: [${urlDry.join(' ')}] and [${bodyDry.join(' ')}]`);
  }
  const dryRun = [...urlDry, ...bodyDry].includes('All');
  const current = store.get('pods', namespace, name);
  if (!current) return bad(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
  const pod = current.build() as Any;
  const success: EvictionAnswer = { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  const remove = (): EvictionAnswer => {
    if (dryRun) return success;
    store.deleteObject('pods', namespace, name);
    const container = (pod.spec?.containers ?? [])[0]?.name;
    store.recordEvent({
      involved: { apiVersion: 'v1', kind: 'Pod', namespace, name, uid: pod.metadata?.uid },
      type: 'Normal',
      reason: 'Killing',
      message: `Stopping container ${container ?? name}`,
      component: 'kubelet',
      host: pod.spec?.nodeName,
    });
    return success;
  };
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata?.deletionTimestamp) return remove();
  const labels = (pod.metadata?.labels ?? {}) as Record<string, string>;
  const pdbs: Any[] = [];
  for (const o of store.list('poddisruptionbudgets', { namespace, labels: [], fields: [], limit: 0, start: 0 }, true).items) {
    const pdb = store.view(o).build();
    if (budgetSelects(pdb, labels)) pdbs.push(pdb);
  }
  if (pdbs.length > 1) return { code: 500, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 } };
  if (!pdbs.length) return remove();
  const pdb = pdbs[0];
  const s = pdb.status ?? {};
  const ready = ((pod.status?.conditions ?? []) as Any[]).some((c) => c.type === 'Ready' && c.status === 'True');
  // An unready pod does not count as healthy: deleting it spends nothing while the budget is whole.
  if (!ready && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0) return remove();
  if ((s.disruptionsAllowed ?? 0) <= 0) {
    return bad(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently` }],
    });
  }
  const answer = remove();
  if (!dryRun) store.touch('poddisruptionbudgets', namespace, pdb.metadata.name);
  return answer;
}
