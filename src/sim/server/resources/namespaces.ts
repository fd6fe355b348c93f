// Namespaces: the system ones, the filler app namespaces, and those of the model's workloads.
import { SYSTEM_NAMESPACES, type Layout, type Provider } from '../layout';
import { EMPTY, concat, rangeSeq } from '../seq';
import { CLUSTER_BORN, LazyObject, type Json, type SimObject } from '../simObject';
import { metadataOnly } from '../protobuf';
import { AGE, NAME, STATUS, col, type SimResource } from './resource';
import { obj, str, strings, type KindSchema } from '../schema';

export function namespaceObject(layout: Layout, name: string): SimObject {
  const created = SYSTEM_NAMESPACES.includes(name) || layout.appIndex.has(name) ? CLUSTER_BORN : Math.min(...(layout.workloadsByNamespace.get(name) ?? []).map((g) => g.createdAt), 0);
  return new LazyObject('namespaces', undefined, name, { 'kubernetes.io/metadata.name': name }, created, layout.baseRv - 2, (p) => (p === 'status.phase' ? 'Active' : undefined), (o) => ({
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: layout.meta(o),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}

function provider(layout: Layout): Provider {
  const index = new Map(layout.namespaces.map((ns, i) => [ns, i]));
  const all = concat([rangeSeq(layout.namespaces.length, (i) => namespaceObject(layout, layout.namespaces[i]))]);
  return { all, inNamespace: () => EMPTY, get: (_ns, name) => (index.has(name) ? namespaceObject(layout, name) : undefined) };
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (namespaces).
const schema: KindSchema = {
  description: 'Namespace provides a scope for Names.',
  properties: {
    spec: obj('Spec defines the behavior of the Namespace.', { finalizers: strings('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.') }),
    status: obj('Status describes the current status of a Namespace.', { phase: str('Phase is the current lifecycle phase of the namespace. Active or Terminating.') }),
  },
};

export const namespaces: SimResource = {
  name: 'namespaces',
  singularName: 'namespace',
  kind: 'Namespace',
  group: '',
  version: 'v1',
  namespaced: false,
  shortNames: ['ns'],
  fields: ['status.phase'],
  subresources: [STATUS('Namespace')],
  schema,
  // kubectl create namespace / apply: the namespace exists from then on; labels kept.
  // kubectl 1.33 posts it as protobuf: only its metadata is read.
  fromProtobuf: metadataOnly,
  write: { create: true, apply: (ctx, next, prev) => (prev ? undefined : (ctx.addNamespace(String((next.metadata as Json).name)), undefined)) },
  columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
  cells: (o, age) => [o.metadata.name, o.status?.phase ?? 'Active', age],
  provider,
};
