// What one simulated resource is: its discovery entry, the objects a layout has of it, the fields
// a field selector may use, and its `kubectl get` columns and cells (meta.k8s.io/v1 Table, as
// kube-apiserver's printers in pkg/printers/internalversion make them). One file per resource in
// this folder implements it; resources/index.ts lists them.
import type { SimCluster } from '../../types';
import type { Layout, Provider } from '../layout';
import type { Json, SimObject } from '../simObject';
import type { KindSchema } from '../schema';
import { formatLabels } from '../selectors';
import { EMPTY, concat } from '../seq';

export interface Subresource {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

/** The discovery entry of a resource (and the router's view of it). */
export interface ResourceDef {
  name: string;
  singularName: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Fields a field selector may use besides metadata.name and metadata.namespace. */
  fields: string[];
  subresources: Subresource[];
  /** Discovery verbs, when not every verb (reviews are create-only). */
  verbs?: string[];
}

export interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  description: string;
  priority?: number;
}

// The real objects are plain JSON; cells read them loosely, as the printers read typed fields.
export type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An index a list can use instead of scanning (kube-apiserver's watch cache indexes pods by spec.nodeName). */
export interface FieldIndex {
  field: string;
  objects(layout: Layout, value: string): SimObject[];
  count(layout: Layout, value: string): number;
}

export interface SimResource extends ResourceDef {
  /** Table columns, in order; priority 1 for the `-o wide` ones. */
  columns: Column[];
  /**
   * The cells of one object's row: `age` is its AGE, `since` formats the age of any other
   * timestamp of it, both on the simulated clock as kubectl's HumanDuration.
   */
  cells(o: Any, age: string, since: (iso: string) => string): unknown[];
  /** The objects of this resource in a layout. */
  provider(layout: Layout): Provider;
  /** Objects that change without the layout changing (Events): the provider is not kept. */
  volatile?: boolean;
  index?: FieldIndex;
  /**
   * Served from another resource's objects: the same storage in another group version, as
   * events.k8s.io/v1 Events are the core v1 Events kube-apiserver keeps under /registry/events.
   */
  storedAs?: string;
  /** This group version's form of a stored object. */
  convert?(stored: Json): Json;
  /**
   * Each object describes the object of the same namespace and name in that resource (PodMetrics
   * a pod): it is gone once that one is deleted, as metrics-server drops a deleted pod.
   */
  measures?: string;
  /** The fields its objects have, for OpenAPI v2/v3 (openapi.ts). */
  schema: KindSchema;
  /**
   * A review (SelfSubjectAccessReview, SelfSubjectReview): a POST that stores nothing and answers
   * the object it was sent with its status filled in for the requesting user.
   */
  review?(body: Json, user: { name: string; groups: string[] }): Json;
  /** The JSON form of a review posted as protobuf (what `review` reads of it). */
  fromProtobuf?(body: Buffer): Json;
  /** What writes (create, update, patch, apply) may do to its objects (writes.ts); absent: none. */
  write?: WriteRule;
  /**
   * Served in a real cluster by another server behind kube-apiserver's aggregation proxy
   * (metrics.k8s.io by metrics-server): kept under `<name>.<group>` (its plural name is a core
   * resource's too), nothing of it in etcd, and APF charges it the minimum seats
   * (list_work_estimator.go: an aggregated resource has no object count).
   */
  aggregated?: boolean;
  /** The 404 Status its server answers for a missing object, when not kube-apiserver's. */
  missing?(namespace: string | undefined, name: string): Json;
}

/** A field a write got wrong: a 422 Invalid cause, as kube-apiserver's validation reports it. */
export interface FieldProblem {
  field: string;
  /** `Invalid value: …: field is immutable`, `Required value`, … */
  message: string;
  reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported';
}

/** What one write may see and change: the model, the layout, the simulated now. */
export interface WriteContext {
  cluster: SimCluster;
  layout: Layout;
  now: number;
  /** The object is one of the cluster's own (kube-proxy, coredns), not the model's. */
  system: boolean;
  /** A namespace created through the API exists from now on. */
  addNamespace(name: string): void;
  /** The replicas of one of the cluster's own Deployments (coredns), which the model does not run. */
  scaleSystem(replicas: number): void;
}

export interface WriteRule {
  /** A client may create one (POST, or server-side apply of a new name). */
  create?: boolean;
  /** The object keeps the pod templates it had (ControllerRevisions: `rollout history/undo`). */
  revisions?: boolean;
  /** Fills in what kube-apiserver defaults (pkg/apis/core/v1 and apps/v1 defaults.go), in place, before validation. */
  defaults?(obj: Json): void;
  /** Problems with the object as it would be stored (`prev`: as it is now; undefined on create). */
  validate?(next: Json, prev: Json | undefined, layout: Layout): FieldProblem[];
  /** What the write does in the model (not on a dry run); a string: the model refused, and why. */
  apply?(ctx: WriteContext, next: Json, prev: Json | undefined): string | undefined;
}

/** A resource with no stored objects (the reviews). */
export function noObjects(): Provider {
  return { all: concat([]), inNamespace: () => EMPTY, get: () => undefined };
}

/** The resource whose objects the store keeps for `r` (itself, unless it is another's view). */
export function storeKey(r: SimResource): string {
  return r.storedAs ?? (r.aggregated ? `${r.name}.${r.group}` : r.name);
}

export const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const STATUS = (kind: string): Subresource => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
export const SCALE: Subresource = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

export const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" };
export const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.' };
export const col = (name: string, type: Column['type'], description: string, priority = 0): Column => ({ name, type, description, priority });

/** CONTAINERS and IMAGES cells of a workload (its pod template's containers). */
export function containersCells(o: Any): [string, string] {
  const cs = (o.spec?.template?.spec?.containers ?? []) as Any[];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

/** A PORT(S) cell, `<none>` when there are none. */
export function portsCell(list: Any[] | undefined, withPort: (p: Any) => string): string {
  return list && list.length ? list.map(withPort).join(',') : '<none>';
}

export { formatLabels };
