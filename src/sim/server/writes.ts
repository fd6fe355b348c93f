// Create, update (PUT), patch (JSON, merge, strategic merge) and server-side apply, as
// kube-apiserver's handlers do them (k8s.io/apiserver pkg/endpoints/handlers/{create,update,
// patch}.go and registry/rest): the body is decoded, the patch applied to the object as served,
// the preconditions checked (resourceVersion, immutable fields), the resource's own validation run,
// `metadata.generation` raised when the spec changed, and — unless `?dryRun=All` — the change
// handed to the model (the resource's WriteRule) and kept in the store (written.ts). Every write
// is admitted like any request before it gets here (APF seats, 429s, timeouts).
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { SimCluster } from '../types';
import { qualified, statusBody } from './exchange';
import { PatchError, applyPatch, patchType } from './patch';
import { PROTOBUF } from './protobuf';
import { type FieldProblem, type SimResource, storeKey } from './resources/resource';
import type { Clock, Json } from './simObject';
import { Store } from './store';
import type { Revision } from './written';
import { groupVersion } from './discovery';
import { hashChars } from './names';

export interface WriteRequest {
  def: SimResource;
  verb: 'create' | 'update' | 'patch';
  namespace?: string;
  /** Absent on create (the body names it). */
  name?: string;
  contentType: string;
  body: Buffer;
  query: URLSearchParams;
}

export interface WriteAnswer {
  code: number;
  body: Json;
}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** DNS-1123 subdomain (metadata.name of most kinds). */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export class Writes {
  constructor(
    private readonly store: Store,
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
  ) {}

  /** Answers an admitted create, update or patch of `def`. */
  write(w: WriteRequest): WriteAnswer {
    const { def } = w;
    const dryRun = w.query.getAll('dryRun').includes('All');
    if (w.query.getAll('dryRun').some((v) => v !== 'All')) return bad(400, 'BadRequest', `Invalid dry run value: ${w.query.getAll('dryRun').join(',')}: supported values: "All"`);
    if (w.verb === 'create' && !def.write?.create && w.contentType.startsWith(PROTOBUF)) {
      // A kind this server never creates (a pod from `kubectl debug node/…` 1.33, sent as
      // protobuf): say so, rather than a 415 about the encoding that reads as a client bug.
      return bad(405, 'MethodNotAllowed', notCreated(def), { kind: def.name });
    }
    let decoded: Json | undefined;
    if (w.contentType.startsWith(PROTOBUF) && def.fromProtobuf && w.verb !== 'patch') {
      try {
        decoded = def.fromProtobuf(w.body);
      } catch (e) {
        return bad(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`);
      }
    } else if (w.contentType.startsWith(PROTOBUF)) {
      // kube-apiserver cannot decode protobuf for a type it has no Go struct of (a CRD): 415, and
      // clients send JSON instead. This server decodes protobuf only for reviews and evictions.
      return bad(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml${w.verb === 'patch' ? ', application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml' : ''}`);
    }
    const ptype = w.verb === 'patch' ? patchType(w.contentType) : undefined;
    if (w.verb === 'patch' && !ptype) return bad(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    let body: unknown = decoded;
    if (!decoded)
    try {
      const text = w.body.toString('utf8');
      body = ptype === 'apply' || /yaml/.test(w.contentType) ? parseYaml(text) : text.trim() ? JSON.parse(text) : undefined;
    } catch (e) {
      return bad(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message.split('\n')[0]}`);
    }
    const current = w.name !== undefined ? this.store.get(storeKey(def), w.namespace, w.name) : undefined;
    if (w.verb === 'create' || (ptype === 'apply' && !current)) return this.create(w, body, dryRun);
    if (!current) return { code: 404, body: statusBody(404, 'NotFound', `${qualified(def)} "${w.name}" not found`, { name: w.name!, ...(def.group ? { group: def.group } : {}), kind: def.name }) };
    if (!def.write) return bad(405, 'MethodNotAllowed', `the simulated API server does not ${w.verb} ${qualified(def)}: its objects are computed from the model (see docs/SIMULATION.md)`, { kind: def.name });
    const now = current.build();
    let next: Json;
    if (w.verb === 'update') {
      if (!isMap(body)) return bad(400, 'BadRequest', 'the body of the request is not an object');
      next = body;
    } else {
      try {
        next = applyPatch(now, ptype!, body);
      } catch (e) {
        if (!(e instanceof PatchError)) throw e;
        return e.code === 400 ? bad(400, 'BadRequest', e.message) : invalid(def, w.name!, [{ field: 'patch', message: e.message }]);
      }
    }
    const meta = (isMap(next.metadata) ? next.metadata : {}) as Json;
    const nowMeta = now.metadata as Json;
    // Optimistic concurrency: a resourceVersion the client sent must be the current one.
    const sentRv = w.verb === 'update' ? meta.resourceVersion : isMap(body) && isMap(body.metadata) ? body.metadata.resourceVersion : undefined;
    if (sentRv !== undefined && sentRv !== '' && String(sentRv) !== String(nowMeta.resourceVersion)) {
      return bad(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${w.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: w.name!, ...(def.group ? { group: def.group } : {}), kind: def.name });
    }
    if (meta.name !== undefined && meta.name !== w.name) return bad(400, 'BadRequest', `the name of the object (${String(meta.name)}) does not match the name on the URL (${w.name})`);
    if (def.namespaced && meta.namespace !== undefined && meta.namespace !== w.namespace) return bad(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    // What the server owns stays the server's.
    next.metadata = { ...meta, name: w.name, ...(def.namespaced ? { namespace: w.namespace } : {}), uid: nowMeta.uid, creationTimestamp: nowMeta.creationTimestamp, resourceVersion: nowMeta.resourceVersion };
    next.kind = def.kind;
    next.apiVersion = groupVersion(def.group, def.version);
    next.status = now.status;
    def.write.defaults?.(next);
    const problems = def.write.validate?.(next, now, this.store.layout) ?? [];
    if (problems.length) return invalid(def, w.name!, problems);
    const entry = this.store.writtenOf(storeKey(def), w.namespace, w.name!);
    const generation0 = entry?.generation ?? Number((nowMeta.generation as number | undefined) ?? 1);
    const generation = same(next.spec, now.spec) ? generation0 : generation0 + 1;
    if (generation !== generation0 || 'generation' in nowMeta) (next.metadata as Json).generation = generation;
    const workload = def.kind === 'DaemonSet' || def.kind === 'Deployment' ? def.kind : undefined;
    // What the pods run before this write (the model may change the image in apply()).
    const base = workload && w.namespace ? this.store.podTemplateNow(workload, w.namespace, w.name!) : undefined;
    const revisions = def.write.revisions ? this.revise(entry?.revisions, now, next, base?.hash) : undefined;
    if (revisions) this.annotateRevision(def.kind, next, revisions, generation);
    if (dryRun) return { code: 200, body: next };
    if (same(next.metadata, { ...nowMeta }) && same(next.spec, now.spec)) return { code: 200, body: now }; // nothing changed: no new resourceVersion
    const refused = def.write.apply?.(this.context(def, w.namespace, w.name!), next, now);
    if (refused) return bad(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${w.name}": ${refused}`, { name: w.name!, kind: def.name });
    this.store.invalidate(); // the model changed under the layout
    // A new pod template: the controller rolls the pods to it (store.ts startRollout, rollouts.ts),
    // and has seen the new generation only once its first sync of it is done.
    const rolls = !!workload && !!base && !!revisions?.length && !sameTemplate(now, next);
    if (rolls) this.store.startRollout(workload!, w.namespace!, w.name!, base!, revisions![revisions!.length - 1].hash, next.spec as Json | undefined, generation);
    const observedGeneration = rolls ? entry?.observedGeneration ?? generation0 : entry?.observedGeneration;
    const served = this.store.write(storeKey(def), w.namespace, w.name!, { ...Store.entryOf(next, generation, revisions), ...(observedGeneration !== undefined && observedGeneration < generation ? { observedGeneration } : {}) });
    return { code: 200, body: served ? served.build() : next };
  }

  private context(def: SimResource, namespace: string | undefined, name: string): Parameters<NonNullable<NonNullable<SimResource['write']>['apply']>>[0] {
    const g = this.store.layout.workloads.get(`${namespace}/${name}`) ?? (def.name === 'deployments' && namespace ? this.store.layout.fillerWorkloadNamed(namespace, name) : undefined);
    return { cluster: this.cluster, layout: this.store.layout, now: this.clock.now(), system: !!g?.system && (def.name === 'daemonsets' || def.name === 'deployments'), addNamespace: (ns) => this.store.addNamespace(ns), scaleSystem: (n) => void this.store.scale(namespace!, name, n) };
  }

  /** POST (or server-side apply of a name that does not exist yet). */
  private create(w: WriteRequest, body: unknown, dryRun: boolean): WriteAnswer {
    const { def } = w;
    if (!isMap(body)) return bad(400, 'BadRequest', 'the body of the request is not an object');
    const meta = (isMap(body.metadata) ? body.metadata : {}) as Json;
    const gv = groupVersion(def.group, def.version);
    if (body.kind !== undefined && body.kind !== def.kind) return bad(400, 'BadRequest', `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
    if (body.apiVersion !== undefined && body.apiVersion !== gv) return bad(400, 'BadRequest', `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
    if (def.namespaced && meta.namespace !== undefined && meta.namespace !== w.namespace) return bad(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    let name = w.name ?? (meta.name as string | undefined);
    if (!name && typeof meta.generateName === 'string') name = `${meta.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    if (!def.write?.create) {
      // A kind this server computes from the model: an existing name is still AlreadyExists (as
      // `kubectl create -f` of a pod that is there expects); anything else is refused plainly.
      if (name && this.store.get(storeKey(def), w.namespace, name)) return bad(409, 'AlreadyExists', `${qualified(def)} "${name}" already exists`, { name, ...(def.group ? { group: def.group } : {}), kind: def.name });
      return bad(405, 'MethodNotAllowed', notCreated(def), { kind: def.name });
    }
    if (!name) return invalid(def, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    if (!NAME.test(name)) return invalid(def, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }]);
    if (this.store.get(storeKey(def), w.namespace, name)) {
      return bad(409, 'AlreadyExists', `${qualified(def)} "${name}" already exists`, { name, ...(def.group ? { group: def.group } : {}), kind: def.name });
    }
    if (def.namespaced && w.namespace && !this.store.layout.hasNamespace(w.namespace)) {
      return { code: 404, body: statusBody(404, 'NotFound', `namespaces "${w.namespace}" not found`, { name: w.namespace, kind: 'namespaces' }) };
    }
    const createdAt = this.clock.iso(this.clock.now());
    const obj: Json = {
      ...body,
      kind: def.kind,
      apiVersion: gv,
      metadata: { ...meta, name, ...(def.namespaced ? { namespace: w.namespace } : {}), uid: uuid(), creationTimestamp: createdAt, generation: 1, resourceVersion: String(this.store.rv + 1) },
    };
    delete obj.status;
    def.write.defaults?.(obj);
    const problems = def.write.validate?.(obj, undefined, this.store.layout) ?? [];
    if (problems.length) return invalid(def, name, problems);
    if (dryRun) return { code: 201, body: obj };
    const refused = def.write.apply?.(this.context(def, w.namespace, name), obj, undefined);
    if (refused) return bad(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${name}": ${refused}`, { name, kind: def.name });
    this.store.invalidate();
    this.store.sync();
    const made = this.store.get(storeKey(def), w.namespace, name);
    if (!made) return bad(500, 'InternalError', `the simulated cluster did not make ${qualified(def)} "${name}"`);
    // The object the model made, with the client's metadata and spec over it.
    const first = def.kind === 'DaemonSet' || def.kind === 'Deployment' ? this.store.podTemplateNow(def.kind, w.namespace!, name)?.hash : undefined;
    const revisions = def.write.revisions ? this.revise(undefined, undefined, obj, first) : undefined;
    if (revisions) this.annotateRevision(def.kind, obj, revisions, 1);
    const served = this.store.write(storeKey(def), w.namespace, name, Store.entryOf(obj, 1, revisions), 'MODIFIED');
    return { code: 201, body: (served ?? made).build() };
  }

  /**
   * The pod templates a DaemonSet had (its ControllerRevisions): a new template is a new revision;
   * going back to an earlier one renumbers that one as the newest, as the daemon set controller
   * does (pkg/controller/daemon/update.go, constructHistory / dedupCurHistories).
   */
  private revise(had: Revision[] | undefined, prev: Json | undefined, next: Json, firstHash?: string): Revision[] | undefined {
    const list = had ? [...had] : [];
    const at = this.clock.now();
    const make = (t: Json, revision: number): Revision => ({ revision, template: JSON.parse(JSON.stringify(t)) as Json, hash: templateHash(t), at });
    const before = template(prev);
    if (!list.length && !before && template(next)) {
      // A created workload: its first revision is the template its pods were named after.
      const first = make(template(next)!, 1);
      if (firstHash) first.hash = firstHash;
      return [first];
    }
    if (!list.length && before) {
      // Its first revision dates from the object's creation; its hash is the one its pods carry.
      const born = Date.parse(String((prev!.metadata as Json).creationTimestamp ?? ''));
      const first = make(before, 1);
      if (firstHash) first.hash = firstHash;
      if (Number.isFinite(born)) first.at = at - (Date.parse(this.clock.iso(at)) - born) / 1000;
      list.push(first);
    }
    const after = template(next);
    if (!after) return list;
    const last = list[list.length - 1];
    if (last && sameJson(last.template, after)) return list;
    const top = list.reduce((m, r) => Math.max(m, r.revision), 0);
    const i = list.findIndex((r) => sameJson(r.template, after));
    if (i >= 0) {
      const [again] = list.splice(i, 1);
      // The same ReplicaSet / ControllerRevision, renumbered (it keeps its creation time).
      list.push({ ...again, revision: top + 1 });
    } else list.push(make(after, top + 1));
    return list;
  }

  /**
   * The controllers' revision counters on the object: a DaemonSet's
   * `deprecated.daemonset.template.generation` (its generation), a Deployment's
   * `deployment.kubernetes.io/revision` (its newest ReplicaSet's revision,
   * pkg/controller/deployment/util/deployment_util.go SetDeploymentRevision).
   */
  private annotateRevision(kind: string, o: Json, revisions: Revision[], generation: number): void {
    const meta = o.metadata as Json;
    const ann = { ...(meta.annotations as Json | undefined) };
    if (kind === 'DaemonSet') ann['deprecated.daemonset.template.generation'] = String(generation);
    else if (kind === 'Deployment' && revisions.length) ann['deployment.kubernetes.io/revision'] = String(revisions[revisions.length - 1].revision);
    else return;
    meta.annotations = ann;
  }
}

const template = (o: Json | undefined): Json | undefined => (o && isMap(o.spec) && isMap(o.spec.template) ? (o.spec.template as Json) : undefined);

/** JSON with keys sorted and nulls dropped: a template decoded from Go (kubectl rollout undo) equals the one stored. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isMap(v)) return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort()) if (v[k] !== null && v[k] !== undefined) out[k] = canonical(v[k]);
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function sameTemplate(a: Json, b: Json): boolean {
  return sameJson(template(a), template(b));
}

/** A controller-revision-hash of a template (the controller hashes the revision's data; stable here). */
export function templateHash(t: Json): string {
  return hashChars(JSON.stringify(canonical(t)), 10);
}

function uuid(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Why a create of a computed kind is refused; for pods, where to go instead (`kubectl debug node/…` makes one). */
function notCreated(def: SimResource): string {
  const why = `the simulated API server does not create ${qualified(def)}: they are computed from the model (see docs/SIMULATION.md)`;
  return def.name === 'pods' ? `${why}; to run a command on a node, use the break-glass node-exec action` : why;
}

function bad(code: number, reason: string, message: string, details?: Json): WriteAnswer {
  return { code, body: statusBody(code, reason, message, details) };
}

/** 422 Invalid with one cause per field, as kube-apiserver's NewInvalid words it. */
function invalid(def: SimResource, name: string, problems: FieldProblem[]): WriteAnswer {
  const kind = def.group ? `${def.kind}.${def.group}` : def.kind;
  const message = `${kind} "${name}" is invalid: ${problems.length === 1 ? `${problems[0].field}: ${problems[0].message}` : `[${problems.map((p) => `${p.field}: ${p.message}`).join(', ')}]`}`;
  return {
    code: 422,
    body: statusBody(422, 'Invalid', message, { name, ...(def.group ? { group: def.group } : {}), kind: def.kind, causes: problems.map((p) => ({ reason: p.reason ?? 'FieldValueInvalid', message: p.message, field: p.field })) }),
  };
}
