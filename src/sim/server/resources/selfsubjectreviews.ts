// SelfSubjectReview (authentication.k8s.io): `kubectl auth whoami` POSTs one and prints
// status.userInfo. kubectl 1.28 and later ask v1 first, then v1beta1, then v1alpha1 on 404;
// kubectl 1.27 asks v1beta1, then v1alpha1 (KEP-3325: beta and on by default in 1.27, GA in 1.28).
// The server serves v1 and v1beta1. Nothing is stored.
import { AGE, NAME, noObjects, type SimResource } from './resource';
import { obj, str, strings, type KindSchema } from '../schema';

// Its fields (authentication.k8s.io/v1 SelfSubjectReview, Kubernetes API reference).
const schema: KindSchema = {
  description: 'SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request.',
  properties: {
    status: obj('Status is filled in by the server with the user attributes.', {
      userInfo: obj('User attributes of the user making this request.', {
        username: str('The name that uniquely identifies this user among all active users.'),
        uid: str('A unique value that identifies this user across time.'),
        groups: strings('The names of groups this user is a part of.'),
      }),
    }),
  },
};

function selfSubjectReview(version: string): SimResource {
  return {
    name: 'selfsubjectreviews',
    singularName: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    group: 'authentication.k8s.io',
    schema,
    version,
    namespaced: false,
    fields: [],
    subresources: [],
    verbs: ['create'],
    columns: [NAME, AGE],
    cells: (o, age) => [o.metadata?.name ?? '', age],
    provider: noObjects,
    review: (_body, user) => ({
      kind: 'SelfSubjectReview',
      apiVersion: `authentication.k8s.io/${version}`,
      metadata: { creationTimestamp: null },
      status: { userInfo: { username: user.name, groups: user.groups } },
    }),
  };
}

export const selfsubjectreviews = selfSubjectReview('v1');
export const selfsubjectreviewsV1beta1 = selfSubjectReview('v1beta1');
