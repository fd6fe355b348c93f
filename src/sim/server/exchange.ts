// One request and its response as the server's stages see it (routing, admission, handlers),
// and the ways to answer it: a Status, a body, with the bytes counted for /sim/v1/clients.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimRequest } from '../types';
import type { Metrics, RequestLabels } from './metrics';
import type { ResourceDef, SimResource } from './resources/resource';
import type { Json } from './simObject';

export type Verb = SimRequest['verb'];

export interface SimUser {
  name: string;
  groups: string[];
}

/** Where a request goes: a resource (and which), or a non-resource path. */
export interface Route {
  kind: 'resource' | 'nonresource';
  path: string;
  verb: Verb;
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  def?: SimResource;
  /** The URL named a resource this server does not have. */
  unknown?: boolean;
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  started: number;
  metrics: Metrics;
  client: ReturnType<Metrics['clientRequest']>;
  labels: RequestLabels;
  route: Route;
  user?: SimUser;
  recorded: boolean;
}

export function statusBody(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** `pods`, `deployments.apps`: a resource as kube-apiserver names it in messages. */
export function qualified(def: ResourceDef): string {
  return def.group ? `${def.name}.${def.group}` : def.name;
}

export function notFound(def: ResourceDef, name: string): Json {
  return statusBody(404, 'NotFound', `${qualified(def)} "${name}" not found`, { name, ...(def.group ? { group: def.group } : {}), kind: def.name });
}

export function send(ctx: Exchange, code: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  const buf = Buffer.from(body);
  ctx.metrics.clientBytes(ctx.client, buf.length);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': String(buf.length), ...headers });
  res.end(ctx.req.method === 'HEAD' ? undefined : buf);
}

export function sendJson(ctx: Exchange, code: number, body: Json, headers: Record<string, string> = {}): void {
  send(ctx, code, JSON.stringify(body), 'application/json', headers);
}
