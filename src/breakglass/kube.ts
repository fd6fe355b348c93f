// One Kubernetes request through a named kubeconfig context, with a short deadline: the same
// authentication and TLS as ClusterConnection (client-node's applyToHTTPSOptions), but any verb.
import * as http from 'node:http';
import * as https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ActionError } from './types';

export interface KubeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export interface KubeTarget {
  server: string;
  context: string;
  kubeconfig: string;
  request(method: 'GET' | 'DELETE', path: string, o: { timeoutMs: number; signal?: AbortSignal; body?: unknown }): Promise<KubeResponse>;
}

export function kubeconfigPath(env: NodeJS.ProcessEnv, explicit?: string): string {
  if (explicit) return explicit;
  const first = env.KUBECONFIG?.split(':').find(Boolean);
  return first ?? join(env.HOME || homedir(), '.kube', 'config');
}

/** Opens a context of a kubeconfig file (it must name the context: no implicit current one). */
export async function kubeTarget(kubeconfig: string, context: string): Promise<KubeTarget> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(kubeconfig);
  } catch (e) {
    throw new ActionError(`kubeconfig ${kubeconfig}: ${(e as Error).message}`);
  }
  if (!kc.getContexts().some((c) => c.name === context)) throw new ActionError(`context '${context}' is not in ${kubeconfig} (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ActionError(`context '${context}' names no cluster in ${kubeconfig}`);
  const base: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(base);
  const server = cluster.server.replace(/\/$/, '');
  return {
    server,
    context,
    kubeconfig,
    request(method, path, o) {
      const url = new URL(server + path);
      const t0 = performance.now();
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const signal = o.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
      const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
      return new Promise<KubeResponse>((resolve, reject) => {
        const req = (url.protocol === 'https:' ? https : http).request(
          url,
          {
            ...base,
            method,
            signal,
            agent: false,
            headers: {
              ...(base.headers ?? {}),
              Accept: 'application/json',
              'User-Agent': 'breakglass/0.1 (break-glass)',
              ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (c: Buffer) => {
              size += c.length;
              if (size <= 4 * 2 ** 20) chunks.push(c);
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
            res.on('error', reject);
          },
        );
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (timeout.aborted) reject(new ActionError(`${method} ${path}: no answer within ${o.timeoutMs} ms from ${server}`));
          else if (o.signal?.aborted) reject(new ActionError('cancelled'));
          else if (e.code === 'ECONNREFUSED') reject(new ActionError(`${server}: connection refused (no API server answering)`));
          else if (e.code === 'ECONNRESET') reject(new ActionError(`${server}: connection reset (no API server replica available?)`));
          else reject(new ActionError(`${method} ${path} to ${server}: ${e.message}`));
        });
        req.end(payload);
      });
    },
  };
}

/** The resources a break-glass request may name by resource/namespace/name. */
const RESOURCES: Record<string, { group: string; version: string; namespaced: boolean }> = {
  pods: { group: '', version: 'v1', namespaced: true },
  services: { group: '', version: 'v1', namespaced: true },
  configmaps: { group: '', version: 'v1', namespaced: true },
  nodes: { group: '', version: 'v1', namespaced: false },
  namespaces: { group: '', version: 'v1', namespaced: false },
  daemonsets: { group: 'apps', version: 'v1', namespaced: true },
  deployments: { group: 'apps', version: 'v1', namespaced: true },
  statefulsets: { group: 'apps', version: 'v1', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', namespaced: true },
  flowschemas: { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', namespaced: false },
  prioritylevelconfigurations: { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', namespaced: false },
};

export const KNOWN_RESOURCES = Object.keys(RESOURCES);

/** API path of one object (or a collection without name). */
export function resourcePath(resource: string, namespace: string | undefined, name: string | undefined): string {
  const r = RESOURCES[resource];
  if (!r) throw new ActionError(`unknown resource '${resource}' (known: ${KNOWN_RESOURCES.join(', ')}); give \`path\` instead`);
  if (r.namespaced && !namespace) throw new ActionError(`${resource} are namespaced: give \`namespace\``);
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace!)}` : '';
  return `${prefix}${ns}/${resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

import { EXEMPT_PLC_PATH, PL_UID_HEADER } from '../cluster/breakglass-context';
export { EXEMPT_PLC_PATH, PL_UID_HEADER };

export interface ExemptCheck {
  /** The exempt PriorityLevelConfiguration's UID, if it could be read. */
  exemptUid?: string;
  /** The priority level UID the check's own GET landed in. */
  landedUid?: string;
  verified: boolean;
  detail: string;
  ms: number;
}

/**
 * GETs the `exempt` PriorityLevelConfiguration through the context and compares its UID with the
 * X-Kubernetes-PF-PriorityLevel-UID header of that same response: equal means this context's
 * requests are exempt from API Priority and Fairness.
 */
export async function checkExempt(t: KubeTarget, o: { timeoutMs: number; signal?: AbortSignal }): Promise<ExemptCheck> {
  const r = await t.request('GET', EXEMPT_PLC_PATH, o);
  const landedUid = header(r.headers, PL_UID_HEADER);
  if (r.status !== 200) {
    const why = r.status === 429 ? 'throttled (429): this context is not exempt' : r.status === 403 ? 'forbidden (403): the context may not read PriorityLevelConfigurations' : r.status === 401 ? 'unauthorized (401): its credentials are not accepted' : `HTTP ${r.status}`;
    return { landedUid, verified: false, detail: `GET ${EXEMPT_PLC_PATH}: ${why}`, ms: r.ms };
  }
  let exemptUid: string | undefined;
  try {
    exemptUid = (JSON.parse(r.body) as { metadata?: { uid?: string } }).metadata?.uid;
  } catch {
    /* below */
  }
  if (!exemptUid) return { landedUid, verified: false, detail: 'the exempt PriorityLevelConfiguration has no metadata.uid', ms: r.ms };
  if (!landedUid) return { exemptUid, verified: false, detail: `the response carries no X-Kubernetes-PF-PriorityLevel-UID header (API Priority and Fairness off?)`, ms: r.ms };
  const verified = landedUid === exemptUid;
  return { exemptUid, landedUid, verified, detail: verified ? `context '${t.context}' lands in the exempt priority level (uid ${exemptUid})` : `context '${t.context}' lands in priority level uid ${landedUid}, not exempt (${exemptUid})`, ms: r.ms };
}

export function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
