// SelfSubjectReview (authentication.k8s.io): `kubectl auth whoami` POSTs one and prints
// status.userInfo. kubectl 1.28 and later ask v1 first, then v1beta1, then v1alpha1 on 404;
// kubectl 1.27 asks v1beta1, then v1alpha1 (KEP-3325: beta and on by default in 1.27, GA in 1.28).
// The server serves v1 and v1beta1. Nothing is stored.
import { AGE, NAME, noObjects, type SimResource } from './resource';

function selfSubjectReview(version: string): SimResource {
  return {
    name: 'selfsubjectreviews',
    singularName: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    group: 'authentication.k8s.io',
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
