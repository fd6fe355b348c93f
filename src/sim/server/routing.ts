// Where a request goes, as kube-apiserver's request info resolver reads a URL: /api/v1/…,
// /apis/GROUP/VERSION/…, namespaced or not, a name, a subresource, ?watch; anything else is a
// non-resource path (/version, /readyz, /metrics, discovery).
import type { RequestLabels } from './metrics';
import { findResource } from './resources';
import type { Route, Verb } from './exchange';

/** Paths answered without a token, as a real cluster's system:public-info-viewer allows. */
export const ANONYMOUS_PATHS = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;

const HTTP_VERB: Record<Verb, string> = { get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE' };

export function route(method: string, path: string, q: URLSearchParams): Route {
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  const verbOf = (hasName: boolean, watch: boolean): Verb => {
    switch (method) {
      case 'GET':
      case 'HEAD':
        return watch ? 'watch' : hasName ? 'get' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return hasName ? 'delete' : 'deletecollection';
      default:
        return 'get';
    }
  };
  const nonResource: Route = { kind: 'nonresource', path, verb: 'get', group: '', version: '' };
  let rest: string[];
  let group = '';
  let version: string;
  if (seg[0] === 'api' && seg.length >= 3) {
    version = seg[1];
    rest = seg.slice(2);
  } else if (seg[0] === 'apis' && seg.length >= 4) {
    group = seg[1];
    version = seg[2];
    rest = seg.slice(3);
  } else return nonResource;
  let watch = q.get('watch') === 'true' || q.get('watch') === '1';
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let resource: string;
  let name: string | undefined;
  let subresource: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    [resource, name, subresource] = rest.slice(2);
    if (rest.length > 5) return { ...nonResource, kind: 'resource', unknown: true, group, version };
  } else {
    [resource, name, subresource] = rest;
    if (rest.length > 3) return { ...nonResource, kind: 'resource', unknown: true, group, version };
  }
  const def = findResource(group, version, resource);
  const unknown = !def || (namespace !== undefined && !def.namespaced) || (subresource !== undefined && !def.subresources.some((s) => s.name === subresource));
  return { kind: 'resource', path, verb: verbOf(name !== undefined, watch), group, version, namespace, resource, name, subresource, def, unknown };
}

/** The labels of apiserver_request_total and friends for a routed request. */
export function requestLabels(r: Route, method: string): RequestLabels {
  return {
    verb: r.kind === 'resource' ? HTTP_VERB[r.verb] : method,
    group: r.group,
    version: r.version,
    resource: r.kind === 'resource' ? r.resource ?? '' : '',
    subresource: r.subresource ?? '',
    scope: r.kind !== 'resource' ? '' : r.name !== undefined ? 'resource' : r.namespace !== undefined ? 'namespace' : 'cluster',
  };
}
