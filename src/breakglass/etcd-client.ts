// A connection to etcd as etcdctl would make it: endpoints, TLS and user from etcdctl's own
// environment (ETCDCTL_ENDPOINTS, ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY, ETCDCTL_USER,
// ETCDCTL_PASSWORD, ETCDCTL_DIAL_TIMEOUT), overridable by settings — never from a runbook's text.
// Every call has a short deadline and nothing is retried, so a stopped etcd or a wrong
// certificate is an error within seconds, and the error says which.
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Etcd3, IOptions } from 'etcd3';
import { parseDuration } from '../common/duration';
import { etcd3 } from './modules';
import { ActionError, type EtcdSettings } from './types';

export const DEFAULT_ETCD_TIMEOUT_MS = 3000;

export interface EtcdTarget {
  endpoints: string[];
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  password?: string;
  /** Where the user came from (a setting or ETCDCTL_USER), for messages. */
  userSource?: string;
  /** The user and password may go to an http:// endpoint (EtcdSettings.allowPlaintextCredentials). */
  allowPlaintextCredentials: boolean;
  timeoutMs: number;
  /** Where each setting came from (env variable or setting), for messages. */
  source: string;
}

/** Resolves the etcd target: settings first, then etcdctl's environment, then etcdctl's default. */
export function etcdTarget(env: NodeJS.ProcessEnv, s: EtcdSettings = {}): EtcdTarget {
  const fromEnv = (k: string): string | undefined => (env[k] && env[k]!.trim() !== '' ? env[k]!.trim() : undefined);
  const cacert = s.cacert ?? fromEnv('ETCDCTL_CACERT');
  const cert = s.cert ?? fromEnv('ETCDCTL_CERT');
  const key = s.key ?? fromEnv('ETCDCTL_KEY');
  const tlsOn = !!(cacert || cert || key);
  const raw = s.endpoints ?? fromEnv('ETCDCTL_ENDPOINTS')?.split(',') ?? ['127.0.0.1:2379'];
  const endpoints = raw
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => (/^[a-z]+:\/\//.test(e) ? e : `${tlsOn ? 'https' : 'http'}://${e}`))
    .map((e) => e.replace(/\/+$/, ''));
  for (const e of endpoints) if (!/^https?:\/\/[^/]+$/.test(e)) throw new ActionError(`etcd endpoint '${e}' is not http(s)://host:port`);
  if (!endpoints.length) throw new ActionError('no etcd endpoint: set ETCDCTL_ENDPOINTS');
  if (endpoints.some((e) => e.startsWith('http://')) && (cert || key)) throw new ActionError('a client certificate is set (ETCDCTL_CERT/ETCDCTL_KEY) but an endpoint is http://: use https:// endpoints');
  const userSource = s.user !== undefined ? 'the etcd `user` setting' : fromEnv('ETCDCTL_USER') !== undefined ? 'ETCDCTL_USER' : undefined;
  let user = s.user ?? fromEnv('ETCDCTL_USER');
  let password = s.password ?? fromEnv('ETCDCTL_PASSWORD');
  if (user && password === undefined && user.includes(':')) [user, password] = [user.slice(0, user.indexOf(':')), user.slice(user.indexOf(':') + 1)];
  const dial = fromEnv('ETCDCTL_DIAL_TIMEOUT');
  const timeoutMs = s.timeoutMs ?? (dial ? parseDuration(dial) : undefined) ?? DEFAULT_ETCD_TIMEOUT_MS;
  return { endpoints, cacert, cert, key, user, password, userSource, allowPlaintextCredentials: s.allowPlaintextCredentials === true, timeoutMs, source: s.endpoints ? 'settings' : env.ETCDCTL_ENDPOINTS ? 'ETCDCTL_ENDPOINTS' : 'the default endpoint' };
}

/**
 * The http:// endpoints a user and password would be sent to in the clear, or an empty list.
 * etcd3 authenticates by calling etcd's Auth.Authenticate with the name and password on the
 * connection it was given (node_modules/etcd3/lib/connection-pool.js, Authenticator
 * getCredentialsFromHost), and over http:// that connection is plain gRPC: the password
 * crosses the network readable by anyone on the path (etcd's transport security guide,
 * https://etcd.io/docs/v3.5/op-guide/security/, is TLS for exactly this).
 */
export function plaintextCredentialEndpoints(t: EtcdTarget): string[] {
  return t.user ? t.endpoints.filter((e) => e.startsWith('http://')) : [];
}

/** Why the target would send credentials in plaintext, in words, or undefined. */
export function plaintextCredentialsProblem(t: EtcdTarget): string | undefined {
  const plain = plaintextCredentialEndpoints(t);
  if (!plain.length) return undefined;
  return `an etcd user and password are set (${t.userSource ?? 'ETCDCTL_USER'}) but ${plain.join(', ')} ${plain.length > 1 ? 'are' : 'is'} http://: they would cross the network in plaintext`;
}

/** Refuses a target that would send credentials over http:// unless it opted in. */
export function checkPlaintextCredentials(t: EtcdTarget): void {
  const problem = plaintextCredentialsProblem(t);
  if (problem && !t.allowPlaintextCredentials) {
    throw new ActionError(`refusing to connect: ${problem}. Use https:// endpoints (with ETCDCTL_CACERT), or, on a network you trust, set \`allowPlaintextCredentials: true\` on the step or on the cluster's etcd entry`);
  }
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ActionError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`);
  }
}

/** Plain-language reason for a failed connection attempt. */
function explainSocketError(e: NodeJS.ErrnoException & { reason?: string }): string {
  const code = e.code ?? '';
  const msg = (e.message ?? String(e)).replace(/:\.\.\/deps\/openssl\S*/g, '');
  if (code === 'ECONNREFUSED') return 'connection refused (is etcd running, is the port right?)';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `host unreachable (${code})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `name does not resolve (${code})`;
  if (code === 'ECONNRESET') return 'connection reset by the server (a TLS endpoint spoken to without TLS, or the other way round?)';
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|unable to get local issuer/i.test(code + msg)) return `the server's certificate is not signed by the CA in ETCDCTL_CACERT (${code || msg})`;
  if (/ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/i.test(code + msg)) return `the server's certificate does not name this host (${msg})`;
  if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i.test(code)) return `the server's certificate is not valid now (${code})`;
  if (/certificate required|bad certificate|unknown ca|alert number 4[0-9]|alert 116|certificate unknown|handshake failure/i.test(msg)) return `etcd rejected the client certificate (ETCDCTL_CERT/ETCDCTL_KEY): TLS alert "${/alert ([a-z ]+?)(?: alert| \(|$|:)/i.exec(msg)?.[1] ?? msg}"`;
  if (/wrong version number|packet length too long|http request/i.test(msg)) return `the endpoint does not speak TLS (use http://, or check the port): ${msg}`;
  if (/key values mismatch|bad decrypt|no start line|KEY_VALUES_MISMATCH/i.test(msg)) return `the client key or certificate cannot be used: ${msg}`;
  return msg;
}

const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Connects to one endpoint as gRPC would (TLS with ALPN h2, client certificate) and waits for
 * the server's first HTTP/2 frame: a refused port, a wrong CA and a rejected client certificate
 * each give their own message within the timeout.
 */
export function probeEndpoint(endpoint: string, t: EtcdTarget, timeoutMs = t.timeoutMs): Promise<{ ok: true } | { ok: false; reason: string }> {
  const u = new URL(endpoint);
  const port = Number(u.port || (u.protocol === 'https:' ? 2379 : 2379));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let done = false;
    let sock: net.Socket;
    const finish = (r: { ok: true } | { ok: false; reason: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    try {
      if (u.protocol === 'https:') {
        sock = tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ALPNProtocols: ['h2'],
          ca: t.cacert ? readPem(t.cacert, 'ETCDCTL_CACERT') : undefined,
          cert: t.cert ? readPem(t.cert, 'ETCDCTL_CERT') : undefined,
          key: t.key ? readPem(t.key, 'ETCDCTL_KEY') : undefined,
        });
        sock.once('secureConnect', () => sock.write(H2_PREFACE));
      } else {
        sock = net.connect({ host, port });
        sock.once('connect', () => sock.write(H2_PREFACE));
      }
    } catch (e) {
      finish({ ok: false, reason: e instanceof ActionError ? e.message : explainSocketError(e as NodeJS.ErrnoException) });
      return;
    }
    sock.once('data', () => finish({ ok: true }));
    sock.once('error', (e) => {
      const reason = explainSocketError(e as NodeJS.ErrnoException);
      finish({ ok: false, reason: !t.cert && /rejected the client certificate/.test(reason) ? `etcd requires a client certificate: set ETCDCTL_CERT and ETCDCTL_KEY (${reason.replace(/^.*?: /, '')})` : reason });
    });
    sock.once('close', () => finish({ ok: false, reason: 'the server closed the connection before answering (a rejected client certificate?)' }));
  });
}

/** A policy that calls through once: no retries, no circuit breaker (errors must be fast and plain). */
const callOnce = {
  execute<T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    return Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal }));
  },
} as unknown as NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

export interface EtcdConnection {
  client: Etcd3;
  target: EtcdTarget;
  /** Endpoints that answered the probe. */
  endpoints: string[];
  close(): void;
}

/**
 * Probes the endpoints and opens a client on those that answer; throws a clear ActionError
 * otherwise, and before connecting at all when a user and password would go to an http://
 * endpoint without `allowPlaintextCredentials`.
 */
export async function openEtcd(t: EtcdTarget): Promise<EtcdConnection> {
  // Before any connection: not even the probe goes out when the password would leak.
  checkPlaintextCredentials(t);
  const probes = await Promise.all(t.endpoints.map(async (e) => ({ e, r: await probeEndpoint(e, t) })));
  const good = probes.filter((p) => p.r.ok).map((p) => p.e);
  if (!good.length) {
    const why = probes.map((p) => `${p.e}: ${(p.r as { reason: string }).reason}`).join('; ');
    throw new ActionError(`etcd is not reachable (${t.source}): ${why}`);
  }
  const { Etcd3 } = etcd3();
  const opts: IOptions = {
    hosts: good,
    dialTimeout: t.timeoutMs,
    defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + t.timeoutMs }),
    faultHandling: { host: () => callOnce, global: callOnce },
  };
  if (good.some((e) => e.startsWith('https://'))) {
    opts.credentials = {
      rootCertificate: t.cacert ? readPem(t.cacert, 'ETCDCTL_CACERT') : (undefined as unknown as Buffer),
      privateKey: t.key ? readPem(t.key, 'ETCDCTL_KEY') : undefined,
      certChain: t.cert ? readPem(t.cert, 'ETCDCTL_CERT') : undefined,
    };
  }
  if (t.user) opts.auth = { username: t.user, password: t.password ?? '', callOptions: () => ({ deadline: Date.now() + t.timeoutMs }) };
  const client = new Etcd3(opts);
  return { client, target: t, endpoints: good, close: () => client.close() };
}

/** An etcd call's error in plain words (deadline, permission, authentication). */
export function explainEtcdError(e: unknown, t: EtcdTarget): ActionError {
  if (e instanceof ActionError) return e;
  const err = e as Error;
  const name = err?.constructor?.name ?? '';
  const msg = err?.message ?? String(e);
  if (/DeadlineExceeded/.test(name) || /deadline/i.test(msg)) return new ActionError(`etcd did not answer within ${t.timeoutMs} ms (${t.endpoints.join(', ')}): ${msg}`);
  if (/Unavailable/.test(name)) return new ActionError(`etcd is unavailable (${t.endpoints.join(', ')}): ${msg}`);
  if (/AuthenticationFailed|InvalidAuthToken|Unauthenticated/.test(name)) return new ActionError(`etcd refused the credentials (ETCDCTL_USER/ETCDCTL_PASSWORD): ${msg}`);
  if (/PermissionDenied/.test(name)) return new ActionError(`etcd: permission denied for this user: ${msg}`);
  return new ActionError(`etcd: ${msg}`);
}
