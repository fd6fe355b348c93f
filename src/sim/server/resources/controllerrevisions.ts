// ControllerRevisions (apps/v1): a DaemonSet's pod templates, one per revision, as the daemon set
// controller keeps them (pkg/controller/daemon/update.go): named `<daemonset>-<hash>`, labelled
// with the DaemonSet's selector and `controller-revision-hash`, owned by the DaemonSet, `data` the
// strategic merge patch that puts that template back (`{"spec":{"template":{…,"$patch":"replace"}}}`,
// getPatch). `kubectl rollout history ds/X` lists them; `rollout undo` patches the DaemonSet with
// the `data` of the revision before the newest. A DaemonSet nobody changed has one, its first; the
// ones written through the API keep every template they had (written.ts).
import type { Layout, ServedWorkload } from '../layout';
import { stableUid } from '../names';
import { arraySeq, type Seq } from '../seq';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { AGE, NAME, col, type SimResource } from './resource';
import { daemonSetObject } from './daemonsets';
import { int, str, type KindSchema } from '../schema';

function revisionsOf(layout: Layout, g: ServedWorkload): SimObject[] {
  const written = layout.written.get('daemonsets', g.namespace, g.name);
  const selector = (g.labels ?? {}) as Record<string, string>;
  const list = written?.revisions?.length
    ? written.revisions
    : [{ revision: 1, template: (daemonSetObject(layout, g).build().spec as Json).template as Json, hash: g.hash, at: g.createdAt }];
  return list.map((r) => {
    const name = `${g.name}-${r.hash}`;
    const labels = { ...selector, 'controller-revision-hash': r.hash };
    return new LazyObject('controllerrevisions', g.namespace, name, labels, r.at, written?.rv ?? g.rv, noFields, (o) => ({
      kind: 'ControllerRevision',
      apiVersion: 'apps/v1',
      metadata: layout.meta(o, {
        uid: stableUid(`ControllerRevision/${g.key}/${r.hash}/${r.at}`),
        annotations: { 'deprecated.daemonset.template.generation': String(r.revision) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: g.name, uid: g.uid, controller: true, blockOwnerDeletion: true }],
      }),
      data: { spec: { template: { ...r.template, $patch: 'replace' } } },
      revision: r.revision,
    }));
  });
}

function provider(layout: Layout) {
  const parts = new Map<string, Seq[]>();
  for (const g of layout.daemonSets) parts.set(g.namespace, [...(parts.get(g.namespace) ?? []), arraySeq(revisionsOf(layout, g))]);
  return layout.namespacedProvider(parts, (ns, name) => {
    for (const g of layout.workloadsByNamespace.get(ns) ?? []) {
      if (g.kind !== 'DaemonSet' || !name.startsWith(`${g.name}-`)) continue;
      const hit = revisionsOf(layout, g).find((o) => o.name === name);
      if (hit) return hit;
    }
    return undefined;
  });
}

// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/controller-revision-v1/
const schema: KindSchema = {
  description:
    'ControllerRevision implements an immutable snapshot of state data. Clients are responsible for serializing and deserializing the objects that contain their internal state. Once a ControllerRevision has been successfully created, it can not be updated.',
  properties: {
    // RawExtension: an object of any shape (kube-openapi gives it no properties, so strict
    // validation accepts the DaemonSet template patch kept in it).
    data: { type: 'object', name: 'io.k8s.apimachinery.pkg.runtime.RawExtension', description: 'Data is the serialized representation of the state.' },
    revision: int('Revision indicates the revision of the state represented by Data.', 'int64'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
  },
};

export const controllerrevisions: SimResource = {
  name: 'controllerrevisions',
  singularName: 'controllerrevision',
  kind: 'ControllerRevision',
  group: 'apps',
  version: 'v1',
  namespaced: true,
  fields: [],
  subresources: [],
  schema,
  // Made from what was written to the DaemonSets, which changes without the layout changing.
  volatile: true,
  columns: [NAME, col('Controller', 'string', 'Controller of the object, format is apiVersion/kind/name'), col('Revision', 'integer', 'Revision of the ControllerRevision'), AGE],
  cells: (o, age) => {
    const owner = (o.metadata?.ownerReferences ?? [])[0];
    // printers.go printControllerRevision: formatResourceName(GroupKind, name) → daemonset.apps/NAME.
    const group = owner && owner.apiVersion.includes('/') ? `.${owner.apiVersion.split('/')[0]}` : '';
    return [o.metadata.name, owner ? `${owner.kind.toLowerCase()}${group}/${owner.name}` : '<none>', o.revision, age];
  },
  provider,
};
