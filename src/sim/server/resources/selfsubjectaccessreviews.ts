// SelfSubjectAccessReview (authorization.k8s.io/v1): `kubectl auth can-i` POSTs one and reads
// status.allowed. Nothing is stored. What each identity of `sim serve`'s kubeconfig may do:
//   - sim-breakglass (group system:masters): everything, as kube-apiserver's privileged-group
//     authorizer allows system:masters before RBAC is asked;
//   - sim (the ordinary user, an on-call engineer's role): get, list and watch every resource and
//     non-resource URL; create, update, patch and delete workloads (Deployments, DaemonSets,
//     ReplicaSets, StatefulSets and their scale) and Pods, and evict Pods; create the self reviews (RBAC's
//     system:basic-user). Nothing else.
// The simulated server answers what it is asked within that role; it does not enforce RBAC.
import { bool, obj, str, type KindSchema } from '../schema';
import { fields, strings, unwrap } from '../protobuf';
import type { Json } from '../simObject';
import { AGE, NAME, noObjects, type Any, type SimResource } from './resource';

const READ = new Set(['get', 'list', 'watch']);
const WRITE = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const WORKLOADS = new Set(['deployments', 'daemonsets', 'replicasets', 'statefulsets']);
const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectreviews', 'selfsubjectrulesreviews']);
const ROLE = 'RBAC: allowed by ClusterRoleBinding "sim-on-call" of ClusterRole "sim-on-call" to User "sim-user"';

/** Whether `user` may do what a SelfSubjectAccessReview's spec asks, and why. */
export function authorize(user: { name: string; groups: string[] }, spec: Any): { allowed: boolean; reason?: string } {
  if (user.groups.includes('system:masters')) return { allowed: true };
  const nr = spec?.nonResourceAttributes;
  if (nr) return READ.has(nr.verb) ? { allowed: true, reason: ROLE } : { allowed: false };
  const ra = spec?.resourceAttributes ?? {};
  const verb = String(ra.verb ?? '');
  const group = String(ra.group ?? '');
  const resource = String(ra.resource ?? '');
  const sub = String(ra.subresource ?? '');
  if (READ.has(verb) && sub !== 'exec' && sub !== 'attach' && sub !== 'portforward') return { allowed: true, reason: ROLE };
  if (WRITE.has(verb)) {
    if ((group === 'apps' || group === 'extensions') && WORKLOADS.has(resource) && (sub === '' || sub === 'scale')) return { allowed: true, reason: ROLE };
    if (group === '' && resource === 'pods' && sub === '') return { allowed: true, reason: ROLE };
    // Who may delete a pod may evict it (kubectl drain): create pods/eviction.
    if (verb === 'create' && group === '' && resource === 'pods' && sub === 'eviction') return { allowed: true, reason: ROLE };
    if (verb === 'create' && (group === 'authorization.k8s.io' || group === 'authentication.k8s.io') && SELF_REVIEWS.has(resource)) {
      return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"' };
    }
  }
  return { allowed: false };
}

/** The JSON form of a SelfSubjectAccessReview posted as protobuf (k8s.io/api authorization/v1 generated.proto). */
function fromProtobuf(buf: Buffer): Json {
  const spec = fields(unwrap(buf)).get(2)?.[0];
  const f = spec ? fields(spec) : new Map<number, Buffer[]>();
  const out: Json = {};
  if (f.has(1)) out.resourceAttributes = strings(f.get(1)![0], { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' });
  if (f.has(2)) out.nonResourceAttributes = strings(f.get(2)![0], { 1: 'path', 2: 'verb' });
  return { spec: out };
}

// Its fields (authorization.k8s.io/v1 SelfSubjectAccessReview, Kubernetes API reference).
const schema: KindSchema = {
  description: 'SelfSubjectAccessReview checks whether or the current user can perform an action.',
  properties: {
    spec: obj('Spec holds information about the request being evaluated.', {
      resourceAttributes: obj('ResourceAuthorizationAttributes describes information for a resource access request.', {
        namespace: str('Namespace is the namespace of the action being requested.'),
        verb: str('Verb is a kubernetes resource API verb, like: get, list, watch, create, update, delete, proxy.'),
        group: str('Group is the API Group of the Resource.'),
        version: str('Version is the API Version of the Resource.'),
        resource: str('Resource is one of the existing resource types.'),
        subresource: str('Subresource is one of the existing resource types.'),
        name: str('Name is the name of the resource being requested for a "get" or deleted for a "delete".'),
      }),
      nonResourceAttributes: obj('NonResourceAttributes describes information for a non-resource access request.', {
        path: str('Path is the URL path of the request.'),
        verb: str('Verb is the standard HTTP verb.'),
      }),
    }),
    status: obj('Status is filled in by the server and indicates whether the request is allowed or not.', {
      allowed: bool('Allowed is required. True if the action would be allowed, false otherwise.'),
      denied: bool('Denied is optional. True if the action would be denied, otherwise false.'),
      reason: str('Reason is optional. It indicates why a request was allowed or denied.'),
      evaluationError: str('EvaluationError is an indication that some error occurred during the authorization check.'),
    }),
  },
};

export const selfsubjectaccessreviews: SimResource = {
  name: 'selfsubjectaccessreviews',
  singularName: 'selfsubjectaccessreview',
  kind: 'SelfSubjectAccessReview',
  group: 'authorization.k8s.io',
  version: 'v1',
  namespaced: false,
  schema,
  fields: [],
  subresources: [],
  verbs: ['create'],
  columns: [NAME, AGE],
  cells: (o, age) => [o.metadata?.name ?? '', age],
  provider: noObjects,
  fromProtobuf,
  review: (body, user) => {
    const spec = (body.spec ?? {}) as Any;
    return { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status: authorize(user, spec) };
  },
};
