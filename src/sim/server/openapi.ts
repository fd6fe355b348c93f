// OpenAPI for the served kinds, built from the registry (resources/index.ts, each kind's
// `schema`): GET /openapi/v2 (what kubectl's client-side validation downloads: client-go's
// DiscoveryClient.OpenAPISchema asks for the gnostic protobuf form
// `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and decodes the answer as
// protobuf, so that is what it gets; other clients get JSON) and GET /openapi/v3 (the index of
// group versions, each with `serverRelativeURL` carrying a content hash) and
// /openapi/v3/<api/v1 | apis/GROUP/VERSION> (what `kubectl explain` reads since 1.27).
// Each kind's definition carries `x-kubernetes-group-version-kind`, by which clients find it.
// Documents list only the GET of each kind (v3, for explain) and no PATCH: kubectl then finds no
// `fieldValidation` parameter and validates on the client (k8s.io/cli-runtime QueryParamVerifier).
import { createHash } from 'node:crypto';
import { sendJson, send, type Exchange } from './exchange';
import { RESOURCES, type SimResource } from './resources';
import type { KindSchema, Schema, SharedDefinition } from './schema';
import { int, obj, str, stringMap, list, time, bool } from './schema';

type Json = Record<string, unknown>;

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

// meta.k8s.io/v1 (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/).
const SHARED: Record<SharedDefinition, { name: string; schema: Schema }> = {
  Time: { name: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time', schema: time('Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.') },
  ListMeta: {
    name: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
    schema: obj('ListMeta describes metadata that synthetic resources must have, including lists and various status objects.', {
      resourceVersion: str("String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed."),
      continue: str('continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available.'),
      remainingItemCount: int('remainingItemCount is the number of subsequent items in the list which are not included in this list response.', 'int64'),
    }),
  },
  ObjectMeta: {
    name: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    schema: obj('ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', {
      name: str('Name must be unique within a namespace.'),
      generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
      namespace: str('Namespace defines the space within which each name must be unique.'),
      labels: stringMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
      annotations: stringMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
      uid: str('UID is the unique in time and space value for this object.'),
      resourceVersion: str('An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed.'),
      generation: int('A sequence number representing a specific generation of the desired state.', 'int64'),
      creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created.'),
      deletionTimestamp: time('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
      deletionGracePeriodSeconds: int('Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.', 'int64'),
      finalizers: { type: 'array', items: { type: 'string' }, description: 'Must be empty before the object is deleted from the registry.' },
      ownerReferences: list(
        'List of objects depended by this object.',
        obj('OwnerReference contains enough information to let you identify an owning object.', {
          apiVersion: str('API version of the referent.'),
          kind: str('Kind of the referent.'),
          name: str('Name of the referent.'),
          uid: str('UID of the referent.'),
          controller: bool('If true, this reference points to the managing controller.'),
          blockOwnerDeletion: bool('If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
        }),
      ),
    }),
  },
};

const API_VERSION = str('APIVersion defines the versioned schema of this representation of an object.');
const KIND = str('Kind is a string value representing the REST resource this object represents.');

/** The Go package segment of a group in upstream definition names (apps, coordination, flowcontrol, …). */
function definitionName(r: SimResource, kind = r.kind): string {
  const pkg = r.group === '' ? 'core' : r.group.split('.')[0];
  return `io.k8s.api.${pkg}.${r.version}.${kind}`;
}

export function groupVersionPath(r: { group: string; version: string }): string {
  return r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
}

/** The served kinds with a schema, one per group version and kind (events and events.k8s.io Event are two). */
function kinds(filter: (r: SimResource) => boolean = () => true): SimResource[] {
  return RESOURCES.filter((r) => filter(r) && r.schema);
}

/**
 * A schema node in OpenAPI form; `$ref`s point at `prefix` (#/definitions/ or #/components/schemas/).
 * Objects with a `name` become definitions of their own in `defs` (as upstream's DeploymentSpec,
 * PodSpec, …, which kubectl names in explain and in "unknown field … in io.k8s.api.apps.v1.DeploymentSpec").
 */
function render(s: Schema, prefix: string, v3: boolean, defs: Record<string, Json>): Json {
  const refTo = (name: string): Json =>
    // OpenAPI v3 ignores siblings of $ref; kube-openapi wraps it in allOf to keep the description.
    v3 ? { allOf: [{ $ref: `${prefix}${name}` }], description: s.description, default: {} } : { $ref: `${prefix}${name}`, description: s.description };
  if (s.ref) return refTo(SHARED[s.ref].name);
  if (s.name) {
    if (!defs[s.name]) {
      defs[s.name] = {}; // placeholder first: a definition may (indirectly) refer to itself
      defs[s.name] = render({ ...s, name: undefined }, prefix, v3, defs);
    }
    return refTo(s.name);
  }
  const out: Json = {};
  if (s.description) out.description = s.description;
  if (s.type) out.type = s.type;
  if (s.format) out.format = s.format;
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, render(v, prefix, v3, defs)]));
  if (s.items) out.items = render(s.items, prefix, v3, defs);
  if (s.additionalProperties) out.additionalProperties = render(s.additionalProperties, prefix, v3, defs);
  return out;
}

function gvk(r: SimResource, kind = r.kind): Json[] {
  return [{ group: r.group, kind, version: r.version }];
}

/** The definitions of some served kinds (object and list), with the shared ones. */
function definitions(rs: SimResource[], prefix: string, v3: boolean): Record<string, Json> {
  const defs: Record<string, Json> = {};
  for (const d of Object.values(SHARED)) defs[d.name] = render(d.schema, prefix, v3, defs);
  for (const r of rs) {
    const k = r.schema as KindSchema;
    // spec and status are <Kind>Spec and <Kind>Status of the kind's package, as upstream names them.
    const props = { ...k.properties };
    for (const [field, suffix] of [['spec', 'Spec'], ['status', 'Status']] as const) {
      const f = props[field];
      if (f?.properties && !f.name) props[field] = { ...f, name: definitionName(r, `${r.kind}${suffix}`) };
    }
    const top: Schema = obj(k.description, { apiVersion: API_VERSION, kind: KIND, metadata: { ref: 'ObjectMeta', description: "Standard object's metadata." }, ...props });
    defs[definitionName(r)] = { ...render(top, prefix, v3, defs), 'x-kubernetes-group-version-kind': gvk(r) };
    const listSchema = obj(`${r.kind}List is a list of ${r.kind} objects.`, {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { ref: 'ListMeta', description: "Standard list metadata." },
      items: { type: 'array', description: `List of ${r.kind} objects.`, items: {} },
    });
    const rendered = render(listSchema, prefix, v3, defs);
    ((rendered.properties as Json).items as Json).items = { $ref: `${prefix}${definitionName(r)}` };
    defs[definitionName(r, `${r.kind}List`)] = { ...rendered, required: ['items'], 'x-kubernetes-group-version-kind': gvk(r, `${r.kind}List`) };
  }
  return defs;
}

/**
 * The GET of one object, the operation `kubectl explain` finds a resource's kind by (its
 * plaintext template looks up /api[s]/…/[namespaces/{namespace}/]RESOURCE[/{name}] and reads the
 * operation's x-kubernetes-group-version-kind). No PATCH: with none, kubectl validates on the
 * client instead of relying on ?fieldValidation.
 */
function readPath(r: SimResource): [string, Json] {
  const path = `/${groupVersionPath(r)}/${r.namespaced ? 'namespaces/{namespace}/' : ''}${r.name}/{name}`;
  const get = {
    description: `read the specified ${r.kind}`,
    operationId: `read${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${definitionName(r)}` } } } } },
    'x-kubernetes-action': 'get',
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
  return [path, { get }];
}

const INFO = { title: 'Kubernetes', version: 'v1.31.0' };

export function openApiV2(): Json {
  return { swagger: '2.0', info: INFO, paths: {}, definitions: definitions(kinds(), '#/definitions/', false) };
}

/** The group versions with served kinds, as /openapi/v3 lists them (api/v1, apis/apps/v1, …). */
export function openApiV3Paths(): string[] {
  return [...new Set(kinds().map(groupVersionPath))];
}

export function openApiV3(gvPath: string): Json | undefined {
  const rs = kinds((r) => groupVersionPath(r) === gvPath);
  if (!rs.length) return undefined;
  return { openapi: '3.0.0', info: INFO, paths: Object.fromEntries(rs.map((r) => readPath(r))), components: { schemas: definitions(rs, '#/components/schemas/', true) } };
}

// Documents depend only on the code: built once.
let v3Docs: Map<string, { body: string; hash: string }> | undefined;
function v3(): Map<string, { body: string; hash: string }> {
  if (!v3Docs) {
    v3Docs = new Map();
    for (const p of openApiV3Paths()) {
      const body = JSON.stringify(openApiV3(p));
      // kube-apiserver's hash is the SHA-512 of the document, hex, upper case (kube-openapi handler3).
      v3Docs.set(p, { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() });
    }
  }
  return v3Docs;
}
let v2Doc: { json: string; proto: Buffer } | undefined;

/** Answers /openapi/v2 and /openapi/v3[/…]; false for other paths. */
export function serveOpenApi(ctx: Exchange): boolean {
  const path = ctx.url.pathname.replace(/\/$/, '');
  if (path === '/openapi/v2') {
    if (!v2Doc) {
      const doc = openApiV2();
      v2Doc = { json: JSON.stringify(doc), proto: encodeV2(doc) };
    }
    const accept = String(ctx.req.headers.accept ?? '');
    if (accept.includes(OPENAPI_V2_PROTOBUF)) {
      const { res } = ctx;
      ctx.metrics.clientBytes(ctx.client, v2Doc.proto.length);
      // kube-openapi's handler matches the protobuf Accept type and answers application/octet-stream.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(v2Doc.proto.length) });
      res.end(ctx.req.method === 'HEAD' ? undefined : v2Doc.proto);
    } else send(ctx, 200, v2Doc.json, 'application/json');
    return true;
  }
  if (path === '/openapi/v3') {
    const paths: Json = {};
    for (const [p, d] of v3()) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
    sendJson(ctx, 200, { paths });
    return true;
  }
  if (path.startsWith('/openapi/v3/')) {
    const d = v3().get(path.slice('/openapi/v3/'.length));
    if (!d) send(ctx, 404, '404 page not found\n', 'text/plain; charset=utf-8');
    // With the current hash the document may be cached for good, as kube-apiserver says.
    else send(ctx, 200, d.body, 'application/json', ctx.url.searchParams.get('hash') === d.hash ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86400_000).toUTCString() } : {});
    return true;
  }
  return false;
}

// ---- gnostic openapi_v2.Document protobuf (github.com/google/gnostic openapiv2/OpenAPIv2.proto) ----

class Proto {
  private readonly parts: Buffer[] = [];
  private varint(n: number): void {
    const b: number[] = [];
    while (n > 127) {
      b.push((n & 127) | 128);
      n = Math.floor(n / 128);
    }
    b.push(n);
    this.parts.push(Buffer.from(b));
  }
  string(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  bytes(field: number, b: Buffer): this {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }
  message(field: number, m: Proto): this {
    return this.bytes(field, m.done());
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A YAML flow form of a JSON value (gnostic keeps vendor extensions as YAML). */
const yaml = (v: unknown): string => JSON.stringify(v);

function namedAny(name: string, value: unknown): Proto {
  return new Proto().string(1, name).message(2, new Proto().string(2, yaml(value)));
}

function schemaProto(s: Json): Proto {
  const p = new Proto();
  p.string(1, s.$ref as string | undefined);
  p.string(2, s.format as string | undefined);
  p.string(4, s.description as string | undefined);
  for (const r of (s.required as string[] | undefined) ?? []) p.string(19, r);
  if (s.additionalProperties) p.message(21, new Proto().message(1, schemaProto(s.additionalProperties as Json)));
  if (s.type) p.message(22, new Proto().string(1, s.type as string));
  if (s.items) p.message(23, new Proto().message(1, schemaProto(s.items as Json)));
  if (s.properties) {
    const props = new Proto();
    for (const [k, v] of Object.entries(s.properties as Json)) props.message(1, new Proto().string(1, k).message(2, schemaProto(v as Json)));
    p.message(25, props);
  }
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) p.message(31, namedAny(k, v));
  return p;
}

/** The v2 document as client-go's OpenAPISchema decodes it. */
export function encodeV2(doc: Json): Buffer {
  const info = doc.info as { title: string; version: string };
  const defs = new Proto();
  for (const [name, s] of Object.entries(doc.definitions as Json)) defs.message(1, new Proto().string(1, name).message(2, schemaProto(s as Json)));
  return new Proto()
    .string(1, '2.0')
    .message(2, new Proto().string(1, info.title).string(2, info.version))
    .message(8, new Proto())
    .message(9, defs)
    .done();
}
