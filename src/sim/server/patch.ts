// The four ways a Kubernetes client changes an object with PATCH, as kube-apiserver applies them
// (k8s.io/apiserver pkg/endpoints/handlers/patch.go): JSON patch (RFC 6902, fast-json-patch),
// JSON merge patch (RFC 7386), strategic merge patch (k8s.io/apimachinery
// pkg/util/strategicpatch: lists merged by their `patchMergeKey`, `$patch`, `$retainKeys`,
// `$setElementOrder/…` and `$deleteFromPrimitiveList/…` directives), and server-side apply, which
// is taken here as a strategic merge of the applied configuration (no field ownership: see
// src/sim/server/README.md).
import { applyPatch as applyJsonPatchOps, type Operation } from 'fast-json-patch';
import type { Json } from './simObject';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** The patch type of a Content-Type, or undefined for one kube-apiserver does not take on PATCH. */
export function patchType(contentType: string): PatchType | undefined {
  const ct = contentType.split(';')[0].trim().toLowerCase();
  if (ct === 'application/json-patch+json') return 'json';
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  if (ct === 'application/apply-patch+yaml' || ct === 'application/apply-patch+cbor') return 'apply';
  return undefined;
}

/** A patch that cannot be applied: kube-apiserver answers these 422 (json) or 400 (a bad body). */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 = 422,
  ) {
    super(message);
  }
}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** RFC 6902. A failed `test` or a missing path is a 422 Invalid, as kube-apiserver answers. */
export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  try {
    return applyJsonPatchOps(clone(doc), ops as Operation[], true, false).newDocument as Json;
  } catch (e) {
    const err = e as Error & { name?: string; operation?: { path?: string } };
    const what = err.name === 'TEST_OPERATION_FAILED' ? 'testing value failed' : err.message.split('\n')[0];
    throw new PatchError(`the server rejected our request due to an error in our request: ${what}${err.operation?.path ? ` (path ${err.operation.path})` : ''}`);
  }
}

/** RFC 7386: maps merge, null removes, anything else (lists included) replaces. */
export function mergePatch(doc: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const out: Json = isMap(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge keys of the lists the served kinds have (their Go types' `patchMergeKey` with
 * `patchStrategy:"merge"`); a list without one is replaced whole, as strategicpatch does.
 * `ports` is a container's (containerPort) or a Service's (port).
 */
function mergeKey(field: string, inContainer: boolean): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ports':
      return inContainer ? 'containerPort' : 'port';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    default:
      return undefined;
  }
}

/** Primitive lists merged as sets (`patchStrategy:"merge"` on a list of strings). */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

/** A strategic merge patch of `doc` (k8s.io/apimachinery pkg/util/strategicpatch, the parts a client sends). */
export function strategicMergePatch(doc: unknown, patch: unknown): unknown {
  return smpValue(doc, patch, '');
}

function smpValue(doc: unknown, patch: unknown, field: string): unknown {
  if (isMap(patch)) return smpMap(isMap(doc) ? doc : {}, patch, field === 'containers' || field === 'initContainers' || field === 'ephemeralContainers');
  return clone(patch);
}

function smpMap(doc: Json, patch: Json, inContainer: boolean): Json | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const out = clone(patch);
    delete out.$patch;
    return out;
  }
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)}`, 400);
  let out: Json = { ...doc };
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError('$retainKeys: must be a list of strings', 400);
    out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  }
  const orders: Record<string, unknown[]> = {};
  const deletions: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders[k.slice('$setElementOrder/'.length)] = v;
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      if (Array.isArray(v)) deletions[k.slice('$deleteFromPrimitiveList/'.length)] = v;
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      const merged = smpList(out[k], v, k, inContainer);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    const r = smpValue(out[k], v, k);
    if (r === undefined) delete out[k];
    else out[k] = r;
  }
  for (const [k, values] of Object.entries(deletions)) {
    if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).filter((x) => !values.includes(x));
  }
  for (const [k, order] of Object.entries(orders)) {
    if (Array.isArray(out[k])) out[k] = ordered(out[k] as unknown[], order, mergeKey(k, inContainer));
  }
  return out;
}

/** A list: merged by its merge key (items with `$patch: delete` remove theirs), a set, or replaced. */
function smpList(doc: unknown, patch: unknown[], field: string, inContainer: boolean): unknown[] | undefined {
  const key = mergeKey(field, inContainer);
  const base = Array.isArray(doc) ? doc : [];
  if (MERGED_PRIMITIVE_LISTS.has(field)) return [...base, ...patch.filter((x) => !base.includes(x))];
  if (!key) {
    // `[{"$patch": "replace"}]` or a plain list: replaced whole.
    return clone(patch.filter((x) => !(isMap(x) && x.$patch === 'replace' && Object.keys(x).length === 1)));
  }
  if (patch.some((x) => isMap(x) && x.$patch === 'replace' && Object.keys(x).length === 1)) {
    return clone(patch.filter((x) => !(isMap(x) && x.$patch === 'replace')));
  }
  const out = [...base];
  for (const item of patch) {
    if (!isMap(item)) throw new PatchError(`${field}: a list with merge key ${key} takes objects`, 400);
    if (!(key in item)) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`, 400);
    const i = out.findIndex((x) => isMap(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = smpMap(out[i] as Json, item, field === 'containers' || field === 'initContainers' || field === 'ephemeralContainers') ?? out[i];
    else out.push(smpMap({}, item, field === 'containers' || field === 'initContainers' || field === 'ephemeralContainers'));
  }
  return out.filter((x) => x !== undefined);
}

/** A list put in the order `$setElementOrder` gives (items it does not name keep their place after). */
function ordered(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (x: unknown): unknown => (key && isMap(x) ? x[key] : x);
  const orderIds = order.map((o) => (key && isMap(o) ? o[key] : o));
  const named = orderIds.map((o) => list.find((x) => id(x) === o)).filter((x) => x !== undefined);
  const rest = list.filter((x) => !orderIds.includes(id(x)));
  return [...named, ...rest];
}

/** Applies a PATCH body of the given type to the current object. */
export function applyPatch(current: Json, type: PatchType, body: unknown): Json {
  switch (type) {
    case 'json':
      return jsonPatch(current, body);
    case 'merge':
      if (!isMap(body)) throw new PatchError('a merge patch must be a JSON object', 400);
      return mergePatch(current, body) as Json;
    case 'strategic':
    case 'apply': {
      if (!isMap(body)) throw new PatchError('a strategic merge patch must be a JSON object', 400);
      return (strategicMergePatch(current, body) as Json | undefined) ?? {};
    }
  }
}
