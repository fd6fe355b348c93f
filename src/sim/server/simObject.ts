// One simulated Kubernetes object: what the server needs to list, select and watch it without
// building it (name, namespace, labels, selectable fields, resourceVersion), and how to build the
// full object when a response needs it.

export type Json = Record<string, unknown>;

/** The Kubernetes version the simulated server reports (/version, kubelet versions, images). */
export const KUBE_VERSION = 'v1.31.4';
/** Simulated seconds before T+0 at which the cluster itself was created. */
export const CLUSTER_BORN = -30 * 86400;

export interface SimObject {
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Simulated seconds when it was created. */
  readonly created: number;
  /** Its resourceVersion. */
  rv: number;
  /** The value of a selectable field (metadata.name, spec.nodeName, status.phase, …). */
  field(path: string): string | undefined;
  /** The full object as the API returns it. */
  build(): Json;
}

export interface Clock {
  /** Simulated seconds since T+0. */
  now(): number;
  /** RFC 3339 time of a simulated second. */
  iso(t: number): string;
}

/** Selectable fields of an object besides metadata.name and metadata.namespace. */
export type FieldReader = (path: string) => string | undefined;

export const noFields: FieldReader = () => undefined;

/** An object whose body is built only when asked for (a list page builds only what it returns). */
export class LazyObject implements SimObject {
  constructor(
    readonly resource: string,
    readonly namespace: string | undefined,
    readonly name: string,
    readonly labels: Record<string, string>,
    readonly created: number,
    public rv: number,
    private readonly fields: FieldReader,
    private readonly builder: (o: LazyObject) => Json,
  ) {}

  field(path: string): string | undefined {
    if (path === 'metadata.name') return this.name;
    if (path === 'metadata.namespace') return this.namespace;
    return this.fields(path);
  }

  build(): Json {
    return this.builder(this);
  }
}
