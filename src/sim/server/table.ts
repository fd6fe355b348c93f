// meta.k8s.io/v1 Tables, as kube-apiserver's printers (pkg/printers/internalversion) make them
// for `kubectl get`: the same columns, priority 1 for the `-o wide` ones, cells computed on the
// server (AGE included, from the simulated clock).
import { humanDuration } from './names';
import type { SimResource } from './resources/resource';
import type { Json } from './simObject';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function partialMetadata(o: Json): Json {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function columnDefinitions(def: SimResource): Json[] {
  return def.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 }));
}

/** One row; `ageSeconds` turns a creationTimestamp into an age on the simulated clock. */
export function tableRow(def: SimResource, o: Json, ageSeconds: (creationTimestamp: string) => number, include: IncludeObject): Json {
  const m = o.metadata as { creationTimestamp: string };
  const since = (iso: string): string => humanDuration(ageSeconds(iso));
  const age = since(m.creationTimestamp);
  const row: Json = { cells: def.cells(o, age, since) };
  if (include === 'Metadata') row.object = partialMetadata(o);
  else if (include === 'Object') row.object = o;
  return row;
}

/** A Table of objects. */
export function toTable(def: SimResource, objects: Json[], ageSeconds: (creationTimestamp: string) => number, include: IncludeObject, listMeta: Json): Json {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columnDefinitions(def),
    rows: objects.map((o) => tableRow(def, o, ageSeconds, include)),
  };
}

/** Does an Accept header ask for a Table (as=Table;g=meta.k8s.io)? */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function wantsPartialMetadata(accept: string | undefined): 'list' | 'object' | undefined {
  if (!accept) return undefined;
  if (/as=PartialObjectMetadataList/.test(accept)) return 'list';
  if (/as=PartialObjectMetadata\b/.test(accept)) return 'object';
  return undefined;
}
