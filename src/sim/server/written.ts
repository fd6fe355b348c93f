// What clients wrote: the metadata and spec of objects changed through the API (create, update,
// patch, apply), kept over the objects the layout computes. A served object is the computed one
// (its status is always the model's) with the written labels, annotations, generation and spec
// over it; an object nobody wrote is served as computed, and costs nothing here.
import type { Json, SimObject } from './simObject';

/** A pod template at one revision: a DaemonSet's ControllerRevision (pkg/controller/daemon/update.go), a Deployment's ReplicaSet. */
export interface Revision {
  revision: number;
  /** The pod template of that revision. */
  template: Json;
  /** Its controller-revision-hash. */
  hash: string;
  /** Simulated seconds when it was made. */
  at: number;
}

export interface WrittenEntry {
  /** metadata (labels, annotations, finalizers, …) and spec, as last written. */
  metadata: Json;
  spec?: Json;
  /** The resourceVersion of the write. */
  rv: number;
  generation: number;
  /** DaemonSets and Deployments: every pod template it had, newest last (the first is the one it was served with). */
  revisions?: Revision[];
  /**
   * The generation its controller has seen, while behind `generation`: a new pod template is
   * observed when the controller's first sync of it is done (store.ts roll()), not at the write.
   */
  observedGeneration?: number;
}

/** When an object was deleted: its resourceVersion and simulated second. */
export interface Burial {
  rv: number;
  t: number;
}

const key = (resource: string, namespace: string | undefined, name: string): string => `${resource}/${namespace ?? ''}/${name}`;

export class Written {
  private readonly entries = new Map<string, WrittenEntry>();
  private readonly perResource = new Map<string, number>();
  /** Objects deleted through the API that nothing recreates (pods): resource → ns/name → when. */
  private readonly tombstones = new Map<string, Map<string, Burial>>();

  /** An object deleted through the API (at resourceVersion `rv`, simulated second `t`): it is not served again. */
  bury(resource: string, namespace: string | undefined, name: string, rv: number, t: number): void {
    const m = this.tombstones.get(resource) ?? new Map<string, Burial>();
    m.set(`${namespace ?? ''}/${name}`, { rv, t });
    this.tombstones.set(resource, m);
  }

  /** Was it deleted through the API? */
  isGone(resource: string, namespace: string | undefined, name: string): boolean {
    return !!this.tombstones.get(resource)?.has(`${namespace ?? ''}/${name}`);
  }

  /** How many objects of a resource were deleted through the API. */
  goneCount(resource: string): number {
    return this.tombstones.get(resource)?.size ?? 0;
  }

  /** The deleted objects of a resource in a namespace, with when they went. */
  *goneIn(resource: string, namespace: string): Generator<[string, Burial]> {
    const prefix = `${namespace}/`;
    for (const [k, b] of this.tombstones.get(resource) ?? []) if (k.startsWith(prefix)) yield [k.slice(prefix.length), b];
  }

  get size(): number {
    return this.entries.size;
  }

  get(resource: string, namespace: string | undefined, name: string): WrittenEntry | undefined {
    return this.entries.get(key(resource, namespace, name));
  }

  set(resource: string, namespace: string | undefined, name: string, e: WrittenEntry): void {
    const k = key(resource, namespace, name);
    if (!this.entries.has(k)) this.perResource.set(resource, (this.perResource.get(resource) ?? 0) + 1);
    this.entries.set(k, e);
  }

  /** Has a client written any object of this resource (its labels may differ from the computed ones)? */
  touches(resource: string): boolean {
    return (this.perResource.get(resource) ?? 0) > 0;
  }

  /** The object is gone (deleted, or its workload removed): what was written of it goes too. */
  forget(resource: string, namespace: string | undefined, name: string): void {
    if (this.entries.delete(key(resource, namespace, name))) this.perResource.set(resource, (this.perResource.get(resource) ?? 1) - 1);
  }

  /** Every entry of a resource (ControllerRevisions are made from the DaemonSets' ones). */
  *of(resource: string): Generator<[string | undefined, string, WrittenEntry]> {
    const prefix = `${resource}/`;
    for (const [k, e] of this.entries) {
      if (!k.startsWith(prefix)) continue;
      const [ns, ...name] = k.slice(prefix.length).split('/');
      yield [ns || undefined, name.join('/'), e];
    }
  }

  /** The object as served: `o` itself when nobody wrote it. */
  view(o: SimObject): SimObject {
    if (this.entries.size === 0 || o instanceof WrittenObject) return o;
    const e = this.entries.get(key(o.resource, o.namespace, o.name));
    return e ? new WrittenObject(o, e) : o;
  }
}

/** A computed object with what was written over it. */
class WrittenObject implements SimObject {
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
  readonly created: number;
  readonly labels: Record<string, string>;

  constructor(
    private readonly base: SimObject,
    private readonly e: WrittenEntry,
  ) {
    this.resource = base.resource;
    this.namespace = base.namespace;
    this.name = base.name;
    this.created = base.created;
    this.labels = (e.metadata.labels as Record<string, string> | undefined) ?? {};
  }

  get rv(): number {
    return Math.max(this.base.rv, this.e.rv);
  }

  set rv(v: number) {
    this.e.rv = v;
  }

  field(path: string): string | undefined {
    // Fields a selector reads from the spec follow what was written (a cordoned node).
    if (path.startsWith('spec.') && this.e.spec) {
      let v: unknown = this.e.spec;
      for (const part of path.slice(5).split('.')) v = v && typeof v === 'object' ? (v as Json)[part] : undefined;
      if (v !== undefined) return String(v);
    }
    return this.base.field(path);
  }

  build(): Json {
    const o = this.base.build();
    const meta = { ...(o.metadata as Json) };
    for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
      if (this.e.metadata[k] === undefined) delete meta[k];
      else meta[k] = JSON.parse(JSON.stringify(this.e.metadata[k]));
    }
    meta.resourceVersion = String(this.rv);
    if ('generation' in meta || this.e.generation > 1) meta.generation = this.e.generation;
    const out: Json = { ...o, metadata: meta };
    if (this.e.spec !== undefined) out.spec = JSON.parse(JSON.stringify(this.e.spec));
    const status = out.status as Json | undefined;
    if (status && 'observedGeneration' in status) status.observedGeneration = this.e.observedGeneration ?? this.e.generation;
    return out;
  }
}
