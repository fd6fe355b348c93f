// Just enough of the Kubernetes protobuf encoding (k8s.io/apimachinery runtime/serializer/protobuf)
// to read the bodies a client posts as application/vnd.kubernetes.protobuf, as kubectl 1.33 does
// (reviews, Namespaces, Deployments, Evictions, and the DeleteOptions of a DELETE):
// the 4-byte magic "k8s\0", then runtime.Unknown{typeMeta=1, raw=2, contentEncoding=3,
// contentType=4}; `raw` is the object's own message.
import type { Json } from './simObject';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The fields of one message: field number → its length-delimited values (other wire types skipped). */
export function fields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  for (const [n, vs] of allFields(buf)) {
    const bytes = vs.filter((v): v is Buffer => Buffer.isBuffer(v));
    if (bytes.length) out.set(n, bytes);
  }
  return out;
}

/** Every field of one message: length-delimited ones as bytes, varints as numbers (fixed ones skipped). */
export function allFields(buf: Buffer): Map<number, Array<Buffer | number>> {
  const out = new Map<number, Array<Buffer | number>>();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated protobuf varint');
      const b = buf[i++];
      v += (b & 0x7f) * mul;
      if (!(b & 0x80)) return v;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (!out.has(field)) out.set(field, []);
    if (wire === 0) out.get(field)!.push(varint());
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const n = varint();
      if (i + n > buf.length) throw new Error('truncated protobuf field');
      out.get(field)!.push(buf.subarray(i, i + n));
      i += n;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

/** The object message inside a "k8s\0" envelope. */
export function unwrap(buf: Buffer): Buffer {
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new Error('not a Kubernetes protobuf envelope');
  return fields(buf.subarray(4)).get(2)?.[0] ?? Buffer.alloc(0);
}

/** The string fields of a message, by name (for flat messages such as ResourceAttributes). */
export function strings(buf: Buffer | undefined, names: Record<number, string>): Json {
  const o: Json = {};
  if (!buf) return o;
  for (const [n, vs] of fields(buf)) if (names[n]) o[names[n]] = vs[0].toString('utf8');
  return o;
}

/** A map<string,string> field (repeated entries {key=1, value=2}). */
export function stringMap(entries: Buffer[] | undefined): Record<string, string> | undefined {
  if (!entries?.length) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const f = fields(e);
    out[f.get(1)?.[0]?.toString('utf8') ?? ''] = f.get(2)?.[0]?.toString('utf8') ?? '';
  }
  return out;
}

/** The ObjectMeta a client may set (name=1, generateName=2, namespace=3, labels=11, annotations=12; k8s.io/apimachinery meta/v1 generated.proto). */
export function objectMeta(buf: Buffer | undefined): Json {
  const m: Json = {};
  if (!buf) return m;
  const f = fields(buf);
  const s = (n: number): string | undefined => f.get(n)?.[0]?.toString('utf8');
  if (s(1)) m.name = s(1);
  if (s(2)) m.generateName = s(2);
  if (s(3)) m.namespace = s(3);
  const labels = stringMap(f.get(11));
  if (labels) m.labels = labels;
  const annotations = stringMap(f.get(12));
  if (annotations) m.annotations = annotations;
  return m;
}

/** An object posted as protobuf of which only the metadata matters (a Namespace: metadata=1). */
export function metadataOnly(buf: Buffer): Json {
  return { metadata: objectMeta(fields(unwrap(buf)).get(1)?.[0]) };
}

/**
 * A DeleteOptions message (k8s.io/apimachinery meta/v1 generated.proto: gracePeriodSeconds=1,
 * preconditions=2 {uid=1, resourceVersion=2}, orphanDependents=3, propagationPolicy=4,
 * dryRun=5) as JSON.
 */
export function deleteOptionsMessage(buf: Buffer | undefined): Json {
  const o: Json = {};
  if (!buf) return o;
  const f = allFields(buf);
  const first = (n: number): Buffer | number | undefined => f.get(n)?.[0];
  const grace = first(1);
  if (typeof grace === 'number') o.gracePeriodSeconds = grace;
  const pre = first(2);
  if (Buffer.isBuffer(pre)) o.preconditions = strings(pre, { 1: 'uid', 2: 'resourceVersion' });
  const orphan = first(3);
  if (typeof orphan === 'number') o.orphanDependents = orphan !== 0;
  const policy = first(4);
  if (Buffer.isBuffer(policy)) o.propagationPolicy = policy.toString('utf8');
  const dry = (f.get(5) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v)).map((v) => v.toString('utf8'));
  if (dry.length) o.dryRun = dry;
  return o;
}

/** The TypeMeta of a "k8s\0" envelope (runtime.Unknown.typeMeta: apiVersion=1, kind=2). */
export function typeMeta(buf: Buffer): Json {
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new Error('not a Kubernetes protobuf envelope');
  return strings(fields(buf.subarray(4)).get(1)?.[0], { 1: 'apiVersion', 2: 'kind' });
}

/** A DeleteOptions body (what kubectl 1.33 sends with a DELETE) as JSON. */
export function deleteOptions(buf: Buffer): Json {
  return { ...typeMeta(buf), ...deleteOptionsMessage(unwrap(buf)) };
}
