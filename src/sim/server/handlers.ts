// The handlers of admitted requests: discovery and the other non-resource paths, GET, LIST
// (pages, or whole lists streamed), WATCH, DELETE, and scale (PATCH/PUT of spec.replicas). Objects
// come from the Store; kubectl's Table and PartialObjectMetadata forms from table.ts.
import type { SimCluster } from '../types';
import { RESOURCES, apiGroup, apiGroupList, apiResourceList, apiVersions, groupVersion, versionInfo } from './discovery';
import { notFound, qualified, send, sendJson, statusBody, type Exchange } from './exchange';
import { dumpPriorityLevels } from './apfdump';
import { health, type HealthEndpoint } from './health';
import { PROTOBUF, deleteOptions } from './protobuf';
import { evict, evictionFromProtobuf } from './resources/pods.eviction';
import { execRefused, podLog } from './resources/pods.log';
import type { Metrics } from './metrics';
import { serveOpenApi } from './openapi';
import { storeKey, type SimResource } from './resources';
import { SelectorError, parseFieldSelector, parseLabelSelector } from './selectors';
import type { Clock, Json, SimObject } from './simObject';
import type { Store } from './store';
import { columnDefinitions, partialMetadata, tableRow, toTable, wantsPartialMetadata, wantsTable, type IncludeObject } from './table';
import { WatchStream } from './watch';
import { Writes } from './writes';

export class Handlers {
  constructor(
    private readonly cluster: SimCluster,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    /** Real milliseconds between BOOKMARK events of a watch. */
    private readonly bookmarkIntervalMs: number,
    /** host:port clients reach the server at (for /api). */
    private readonly serverAddress: () => string,
  ) {
    this.writes = new Writes(store, cluster, clock);
  }

  private readonly writes: Writes;

  private ageSeconds = (iso: string): number => {
    const wallNow = Date.parse(this.clock.iso(this.clock.now()));
    return (wallNow - Date.parse(iso)) / 1000;
  };

  /** An object in the form of the group version asked for. */
  private object(def: SimResource, o: SimObject): Json {
    const obj = this.store.view(o).build();
    return def.convert ? def.convert(obj) : obj;
  }

  private includeObject(q: URLSearchParams): IncludeObject {
    const v = q.get('includeObject');
    return v === 'None' || v === 'Object' ? v : 'Metadata';
  }

  /** One object as the client asked for it (JSON, Table or PartialObjectMetadata). */
  private present(ctx: Exchange, def: SimResource, obj: Json): Json {
    const accept = ctx.req.headers.accept;
    if (wantsTable(accept)) return toTable(def, [obj], this.ageSeconds, this.includeObject(ctx.url.searchParams), { resourceVersion: (obj.metadata as Json).resourceVersion });
    if (wantsPartialMetadata(accept)) return partialMetadata(obj);
    return obj;
  }

  /** Answers an admitted request. */
  async handle(ctx: Exchange): Promise<void> {
    const { route } = ctx;
    this.store.sync();
    if (route.kind === 'nonresource') return this.nonResource(ctx);
    if (route.unknown || !route.def) {
      sendJson(ctx, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
      return;
    }
    const def = route.def;
    if (storeKey(def) === 'pods' && route.name !== undefined && route.subresource && route.subresource !== 'status') return this.podSubresource(ctx, def);
    switch (route.verb) {
      case 'get':
        return this.get(ctx, def);
      case 'list':
        return this.list(ctx, def);
      case 'watch':
        // A resource whose discovery verbs have no watch (metrics.k8s.io) answers as its server does.
        if (def.verbs && !def.verbs.includes('watch')) return sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', { kind: def.name }));
        return this.watch(ctx, def);
      case 'delete':
        return this.delete(ctx, def);
      case 'patch':
      case 'update':
        if (route.subresource === 'scale') return this.update(ctx, def);
        return this.write(ctx, def);
      case 'create':
        if (def.review && route.name === undefined) return this.review(ctx, def);
        if (route.name === undefined && !route.subresource) return this.write(ctx, def);
        sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, { kind: def.name }));
        return;
      default:
        sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the simulated API server does not support ${route.verb} on ${qualified(def)}`, { kind: def.name }));
    }
  }

  /** pods/log (simulated text), pods/eviction, pods/exec, attach and portforward (a Status: not simulated). */
  private async podSubresource(ctx: Exchange, def: SimResource): Promise<void> {
    const { route } = ctx;
    if (route.subresource === 'eviction') return this.eviction(ctx, def);
    if (!this.store.get(storeKey(def), route.namespace, route.name!)) return sendJson(ctx, 404, notFound(def, route.name!));
    if (route.subresource !== 'log') return sendJson(ctx, 400, execRefused(route.subresource!));
    send(ctx, 200, podLog(route.namespace!, route.name!, this.cluster.workloads(), this.store.snapshot(), this.clock.iso), 'text/plain');
  }

  /** POST pods/NAME/eviction (resources/pods.eviction.ts): JSON or, as kubectl 1.33 posts it, protobuf. */
  private async eviction(ctx: Exchange, def: SimResource): Promise<void> {
    const { route } = ctx;
    if (route.verb !== 'create') return sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', { kind: 'pods' }));
    let body: Json;
    try {
      const raw = await this.rawBody(ctx);
      body = String(ctx.req.headers['content-type'] ?? '').startsWith(PROTOBUF) ? evictionFromProtobuf(raw) : raw.length ? (JSON.parse(raw.toString('utf8')) as Json) : {};
    } catch (e) {
      return sendJson(ctx, 400, statusBody(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`));
    }
    const answer = evict(this.store, route.namespace!, route.name!, body, ctx.url.searchParams);
    if (answer.code === 201 && !ctx.url.searchParams.getAll('dryRun').includes('All')) this.etcd('delete', def, ctx);
    sendJson(ctx, answer.code, answer.body);
  }

  private nonResource(ctx: Exchange): void {
    const path = ctx.url.pathname.replace(/\/$/, '') || '/';
    const seg = path.split('/').filter(Boolean);
    const json = (body: Json | undefined): void => (body ? sendJson(ctx, 200, body) : send(ctx, 404, '404 page not found\n', 'text/plain; charset=utf-8'));
    if (path === '/version') return json(versionInfo());
    if (path === '/api') return json(apiVersions(this.serverAddress()));
    if (path === '/apis') return json(apiGroupList());
    if (seg[0] === 'api' && seg.length === 2) return json(apiResourceList('', seg[1]));
    if (seg[0] === 'apis' && seg.length === 2) return json(apiGroup(seg[1]));
    if (seg[0] === 'apis' && seg.length === 3) return json(apiResourceList(seg[1], seg[2]));
    if (seg[0] === 'openapi' && serveOpenApi(ctx)) return;
    if (seg[0] === 'healthz' || seg[0] === 'livez' || seg[0] === 'readyz') {
      const h = health(seg[0] as HealthEndpoint, this.store.snapshot(), ctx.url.searchParams, seg.slice(1).join('/') || undefined);
      send(ctx, h.code, h.body, 'text/plain; charset=utf-8', { 'X-Content-Type-Options': 'nosniff' });
      return;
    }
    if (path === '/debug/api_priority_and_fairness/dump_priority_levels') {
      send(ctx, 200, dumpPriorityLevels(this.store.snapshot().priorityLevels ?? {}), 'text/plain; charset=utf-8');
      return;
    }
    if (path === '/metrics') {
      const counts: Record<string, number> = {};
      for (const r of RESOURCES) if (!r.storedAs && !r.aggregated) counts[r.name] = this.store.count(r.name);
      send(ctx, 200, this.metrics.render(this.store.snapshot(), counts), 'text/plain; version=0.0.4; charset=utf-8');
      return;
    }
    send(ctx, 404, '404 page not found\n', 'text/plain; charset=utf-8');
  }

  private get(ctx: Exchange, def: SimResource): void {
    const { route } = ctx;
    const obj = this.store.get(storeKey(def), route.namespace, route.name!);
    if (!obj) return sendJson(ctx, 404, def.missing?.(route.namespace, route.name!) ?? notFound(def, route.name!));
    this.etcd('get', def, ctx);
    if (route.subresource === 'scale') return sendJson(ctx, 200, this.scaleObject(obj));
    sendJson(ctx, 200, this.present(ctx, def, this.object(def, obj)));
  }

  private etcd(op: string, def: SimResource, ctx: Exchange): void {
    if (def.aggregated) return; // served by another server: kube-apiserver reads nothing from etcd
    if (ctx.url.searchParams.get('resourceVersion') === '0' && op !== 'delete' && op !== 'update') return;
    this.metrics.etcdRequest(op, `/registry/${def.name}`, (performance.now() - ctx.started) / 1000);
  }

  private selectors(ctx: Exchange, def: SimResource): { labels: ReturnType<typeof parseLabelSelector>; fields: ReturnType<typeof parseFieldSelector> } | undefined {
    const q = ctx.url.searchParams;
    try {
      return {
        labels: parseLabelSelector(q.get('labelSelector') ?? ''),
        fields: parseFieldSelector(q.get('fieldSelector') ?? '', [...def.fields, 'metadata.name', 'metadata.namespace']),
      };
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      sendJson(ctx, 400, statusBody(400, 'BadRequest', e.message));
      return undefined;
    }
  }

  private async list(ctx: Exchange, def: SimResource): Promise<void> {
    const q = ctx.url.searchParams;
    const sel = this.selectors(ctx, def);
    if (!sel) return;
    let start = 0;
    const token = q.get('continue');
    if (token) {
      let parsed: { rv?: number; start?: number } | undefined;
      try {
        parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { rv?: number; start?: number };
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed.start !== 'number' || typeof parsed.rv !== 'number') {
        return sendJson(ctx, 400, statusBody(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'));
      }
      if (parsed.rv < this.store.log.compactedRv) {
        return sendJson(
          ctx,
          410,
          statusBody(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          ),
        );
      }
      start = parsed.start;
    }
    const rv = q.get('resourceVersion') ?? '';
    // The watch cache answers resourceVersion=0 whole, ignoring limit (KEP-3157).
    const limit = rv === '0' && !token ? 0 : Math.max(0, Number(q.get('limit') ?? 0) || 0);
    const fromEtcd = !(rv === '0' || (rv === '' && this.cluster.spec.consistentListFromCache && !token));
    const accept = ctx.req.headers.accept;
    const include = this.includeObject(q);
    const table = wantsTable(accept);
    const partial = wantsPartialMetadata(accept);
    const listRv = this.store.rv;
    const head = table
      ? { kind: 'Table', apiVersion: 'meta.k8s.io/v1' }
      : partial
        ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' }
        : { kind: `${def.kind}List`, apiVersion: groupVersion(def.group, def.version) };
    const encode = (o: SimObject): Json => {
      const obj = this.object(def, o);
      if (table) return tableRow(def, obj, this.ageSeconds, include);
      if (partial) return partialMetadata(obj);
      delete obj.kind; // items of a list carry no kind/apiVersion, as kube-apiserver encodes them
      delete obj.apiVersion;
      return obj;
    };
    const listMeta = (end: { next?: number; remaining?: number }): Json => {
      const m: Json = { resourceVersion: String(listRv) };
      if (end.next !== undefined) {
        m.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRv, start: end.next })).toString('base64');
        if (end.remaining !== undefined) m.remainingItemCount = end.remaining;
      }
      return m;
    };
    const columns = table ? `,"columnDefinitions":${JSON.stringify(columnDefinitions(def))}` : '';
    const key = table ? 'rows' : 'items';
    const scan = this.store.scan(storeKey(def), { namespace: ctx.route.namespace, labels: sel.labels, fields: sel.fields, limit, start }, def.namespaced);
    if (limit > 0 && limit <= 5000) {
      // A page: one buffer with Content-Length.
      const items: Json[] = [];
      let r = scan.next();
      for (; !r.done; r = scan.next()) items.push(encode(r.value));
      const body = `{"kind":"${head.kind}","apiVersion":"${head.apiVersion}","metadata":${JSON.stringify(listMeta(r.value))}${columns},"${key}":${JSON.stringify(items)}}`;
      if (fromEtcd) this.etcd('list', def, ctx);
      return send(ctx, 200, body, 'application/json');
    }
    // A whole list (possibly hundreds of MB): streamed, objects built as they are written.
    await this.stream(ctx, function* () {
      const known = limit === 0; // no continue token: metadata is known before the items
      yield `{"kind":"${head.kind}","apiVersion":"${head.apiVersion}"${known ? `,"metadata":${JSON.stringify(listMeta({}))}` : ''}${columns},"${key}":[`;
      let first = true;
      let r = scan.next();
      for (; !r.done; r = scan.next()) {
        yield (first ? '' : ',') + JSON.stringify(encode(r.value));
        first = false;
      }
      yield `]${known ? '' : `,"metadata":${JSON.stringify(listMeta(r.value))}`}}`;
    });
    if (fromEtcd) this.etcd('list', def, ctx);
  }

  /** Writes a body from string pieces with backpressure (chunked encoding). */
  private async stream(ctx: Exchange, pieces: () => Generator<string>): Promise<void> {
    const { res } = ctx;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let buf: string[] = [];
    let size = 0;
    for (const p of pieces()) {
      buf.push(p);
      size += p.length;
      if (size < 256 * 1024) continue;
      const chunk = buf.join('');
      buf = [];
      size = 0;
      this.metrics.clientBytes(ctx.client, Buffer.byteLength(chunk));
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
    const last = buf.join('');
    this.metrics.clientBytes(ctx.client, Buffer.byteLength(last));
    res.end(last);
  }

  private watch(ctx: Exchange, def: SimResource): void {
    const q = ctx.url.searchParams;
    const sel = this.selectors(ctx, def);
    if (!sel) return;
    // A watch on a named object (the legacy /watch/…/NAME path) is a watch with metadata.name=NAME.
    if (ctx.route.name !== undefined) sel.fields.push({ field: 'metadata.name', op: 'eq', value: ctx.route.name });
    const rvParam = q.get('resourceVersion') ?? '';
    if (rvParam !== '' && !/^\d+$/.test(rvParam)) return sendJson(ctx, 400, statusBody(400, 'BadRequest', `invalid resource version: ${rvParam}`));
    const sendInitial = q.get('sendInitialEvents') === 'true';
    const fromNow = rvParam === '' || rvParam === '0' || sendInitial;
    const ns = ctx.route.namespace;
    const query = { namespace: ns, labels: sel.labels, fields: sel.fields };
    const table = wantsTable(ctx.req.headers.accept);
    const include = this.includeObject(q);
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
    const timeoutMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : (1800 + Math.random() * 1800) * 1000;
    const { res } = ctx;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    new WatchStream(res, this.store, {
      match: (o) => o.resource === storeKey(def) && (ns === undefined || o.namespace === ns) && this.matches(o, sel),
      initial: fromNow ? this.store.iterate(storeKey(def), query, def.namespaced) : undefined,
      initialEventsEnd: sendInitial && q.get('allowWatchBookmarks') === 'true',
      sinceRv: fromNow ? this.store.rv : Number(rvParam),
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      bookmarkIntervalMs: this.bookmarkIntervalMs,
      timeoutMs,
      kind: def.kind,
      apiVersion: groupVersion(def.group, def.version),
      encode: (type, o) => {
        const obj = this.object(def, o);
        if (type === 'DELETED') (obj.metadata as Json).resourceVersion = String(o.rv);
        return table ? toTable(def, [obj], this.ageSeconds, include, { resourceVersion: String(o.rv) }) : obj;
      },
      onBytes: (n) => this.metrics.clientBytes(ctx.client, n),
    });
  }

  private matches(o: SimObject, sel: { labels: ReturnType<typeof parseLabelSelector>; fields: ReturnType<typeof parseFieldSelector> }): boolean {
    for (const f of sel.fields) {
      const v = o.field(f.field) ?? '';
      if ((f.op === 'eq') !== (v === f.value)) return false;
    }
    for (const r of sel.labels) {
      const v = o.labels[r.key];
      const ok =
        r.op === 'eq' ? v === r.value : r.op === 'neq' ? v !== r.value : r.op === 'in' ? v !== undefined && r.values.includes(v) : r.op === 'notin' ? v === undefined || !r.values.includes(v) : r.op === 'exists' ? v !== undefined : v === undefined;
      if (!ok) return false;
    }
    return true;
  }

  /** Create, update, patch, server-side apply (writes.ts). */
  private async write(ctx: Exchange, def: SimResource): Promise<void> {
    const { route } = ctx;
    if (route.subresource) {
      return sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the simulated API server does not ${route.verb} ${qualified(def)}/${route.subresource}: status is the model's`, { kind: def.name }));
    }
    let raw: Buffer;
    try {
      raw = await this.rawBody(ctx);
    } catch (e) {
      return sendJson(ctx, 413, statusBody(413, 'RequestEntityTooLarge', (e as Error).message));
    }
    const answer = this.writes.write({ def, verb: route.verb as 'create' | 'update' | 'patch', namespace: route.namespace, name: route.name, contentType: String(ctx.req.headers['content-type'] ?? 'application/json'), body: raw, query: ctx.url.searchParams });
    if (answer.code < 300 && !ctx.url.searchParams.getAll('dryRun').includes('All')) this.etcd(route.verb === 'create' ? 'create' : 'update', def, ctx);
    sendJson(ctx, answer.code, answer.code < 300 ? this.present(ctx, def, answer.body) : answer.body);
  }

  /** A review (create-only, nothing stored): JSON or, as kubectl 1.33 posts it, protobuf; the answer is JSON. */
  private async review(ctx: Exchange, def: SimResource): Promise<void> {
    const raw = await this.rawBody(ctx);
    let body: Json;
    try {
      body = String(ctx.req.headers['content-type'] ?? '').startsWith(PROTOBUF) ? def.fromProtobuf?.(raw) ?? {} : raw.length ? (JSON.parse(raw.toString('utf8')) as Json) : {};
    } catch (e) {
      return sendJson(ctx, 400, statusBody(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`));
    }
    sendJson(ctx, 201, def.review!(body, ctx.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] }));
  }

  private async body(ctx: Exchange): Promise<Json | undefined> {
    const text = (await this.rawBody(ctx)).toString('utf8').trim();
    if (!text) return undefined;
    return JSON.parse(text) as Json;
  }

  private async rawBody(ctx: Exchange): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of ctx.req) {
      size += (c as Buffer).length;
      if (size > 3 * 1024 * 1024) throw new Error('request entity too large');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private async delete(ctx: Exchange, def: SimResource): Promise<void> {
    const { route } = ctx;
    const q = ctx.url.searchParams;
    let opts: Json = {};
    try {
      // kubectl 1.33 sends its DeleteOptions as protobuf.
      if (String(ctx.req.headers['content-type'] ?? '').startsWith(PROTOBUF)) opts = deleteOptions(await this.rawBody(ctx));
      else opts = (await this.body(ctx)) ?? {};
    } catch (e) {
      return sendJson(ctx, 400, statusBody(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`));
    }
    if (route.subresource) return sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    const policy = String(opts.propagationPolicy ?? q.get('propagationPolicy') ?? '');
    if (policy && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
      return sendJson(ctx, 422, statusBody(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`, { kind: 'DeleteOptions', group: 'meta.k8s.io' }));
    }
    const dryRun = q.getAll('dryRun').includes('All') || (Array.isArray(opts.dryRun) && (opts.dryRun as string[]).includes('All'));
    if (!['pods', 'daemonsets', 'deployments'].includes(storeKey(def))) {
      return sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the simulated API server does not delete ${qualified(def)}`, { kind: def.name }));
    }
    const existing = this.store.get(storeKey(def), route.namespace, route.name!);
    if (!existing) return sendJson(ctx, 404, notFound(def, route.name!));
    const before = existing.build();
    const headers: Record<string, string> = {};
    if (!dryRun) {
      const gone = def.name === 'pods' ? this.store.deleteObject('pods', route.namespace, route.name!) : this.store.deleteWorkload(def.name as 'daemonsets' | 'deployments', route.namespace!, route.name!);
      if (!gone) return sendJson(ctx, 409, statusBody(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${route.name}": the simulated cluster refused the deletion`, { name: route.name!, kind: def.name }));
      this.etcd('delete', def, ctx);
      if (policy === 'Orphan' && def.name !== 'pods') headers.Warning = '299 - "the simulated cluster removes the pods of a deleted workload also with propagationPolicy=Orphan"';
    }
    const meta = before.metadata as Json;
    meta.deletionTimestamp = this.clock.iso(this.clock.now());
    meta.deletionGracePeriodSeconds = 0;
    if (policy === 'Foreground') meta.finalizers = ['foregroundDeletion'];
    sendJson(ctx, 200, before, headers);
  }

  private scaleObject(obj: SimObject): Json {
    const o = obj.build() as { metadata: Json; spec: { replicas?: number; selector?: { matchLabels?: Record<string, string> } }; status?: { replicas?: number } };
    const sel = Object.entries(o.spec.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas: o.spec.replicas ?? 0 },
      status: { replicas: o.status?.replicas ?? 0, selector: sel },
    };
  }

  /** PATCH and PUT: spec.replicas of a Deployment (through /scale or the Deployment itself). */
  private async update(ctx: Exchange, def: SimResource): Promise<void> {
    const { route } = ctx;
    let body: Json | undefined;
    try {
      body = await this.body(ctx);
    } catch (e) {
      return sendJson(ctx, 400, statusBody(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`));
    }
    // spec.replicas of a Deployment: GET/PUT/PATCH on /scale, or PATCH on the Deployment (kubectl patch).
    const scaleTarget = def.name === 'deployments' && (route.subresource === 'scale' || (route.subresource === undefined && route.verb === 'patch'));
    if (!scaleTarget) {
      return sendJson(ctx, 405, statusBody(405, 'MethodNotAllowed', `the simulated API server does not ${route.verb} ${qualified(def)}${route.subresource ? `/${route.subresource}` : ''}`, { kind: def.name }));
    }
    const obj = this.store.get(storeKey(def), route.namespace, route.name!);
    if (!obj) return sendJson(ctx, 404, notFound(def, route.name!));
    const ct = String(ctx.req.headers['content-type'] ?? '');
    let replicas: unknown;
    let other = false;
    if (ct.includes('json-patch')) {
      for (const op of (Array.isArray(body) ? body : []) as Array<{ op: string; path: string; value?: unknown }>) {
        if ((op.op === 'replace' || op.op === 'add') && op.path === '/spec/replicas') replicas = op.value;
        else if (op.op !== 'test') other = true;
      }
    } else if (ct.includes('apply-patch')) {
      return sendJson(ctx, 415, statusBody(415, 'UnsupportedMediaType', `the simulated API server does not support server-side apply`));
    } else {
      const spec = (body?.spec ?? {}) as Json;
      replicas = spec.replicas;
      other = route.subresource === undefined && route.verb === 'patch' && (Object.keys(body ?? {}).some((k) => k !== 'spec' && k !== 'metadata') || Object.keys(spec).some((k) => k !== 'replicas'));
    }
    if (other || replicas === undefined) {
      return sendJson(ctx, 422, statusBody(422, 'Invalid', `${def.kind}.apps "${route.name}" is invalid: the simulated API server only changes spec.replicas`, { name: route.name!, group: 'apps', kind: def.kind }));
    }
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      const kind = route.subresource === 'scale' ? 'Scale.autoscaling' : 'Deployment.apps';
      return sendJson(ctx, 422, statusBody(422, 'Invalid', `${kind} "${route.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, { name: route.name!, kind: def.name, causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: must be greater than or equal to 0', field: 'spec.replicas' }] }));
    }
    if (!ctx.url.searchParams.getAll('dryRun').includes('All')) {
      const r = this.store.scale(route.namespace!, route.name!, replicas);
      if (r === 'missing') return sendJson(ctx, 404, notFound(def, route.name!));
      if (r === 'refused') return sendJson(ctx, 409, statusBody(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${route.name}": the simulated cluster refused to scale it`, { name: route.name!, group: 'apps', kind: 'deployments' }));
      this.etcd('update', def, ctx);
    }
    const now = this.store.get(storeKey(def), route.namespace, route.name!) ?? obj;
    if (route.subresource === 'scale') {
      const s = this.scaleObject(now);
      (s.spec as Json).replicas = replicas;
      return sendJson(ctx, 200, s);
    }
    const d = now.build();
    (d.spec as Json).replicas = replicas;
    sendJson(ctx, 200, this.present(ctx, def, d));
  }
}
