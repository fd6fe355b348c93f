// SSH fan-out: one command on many nodes with bounded concurrency, host keys verified against
// known_hosts, authentication by ssh-agent or an identity file, a deadline per node, per-node
// results. Used by node-exec, network-block and preflight.
//
// Settings (ctx.settings.ssh overrides the environment):
//   identity   BREAKGLASS_SSH_KEY (a private key file), else the agent at SSH_AUTH_SOCK, else
//              ~/.ssh/id_ed25519, id_ecdsa, id_rsa
//   known hosts BREAKGLASS_KNOWN_HOSTS, else ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Client as SshClient, ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import { mapPool } from '../common/pool';
import type { NodeAddress } from './inventory';
import { KnownHosts, fingerprint } from './knownhosts';
import { ssh2 } from './modules';
import { ActionError, type Progress, type SshSettings } from './types';

export const DEFAULT_CONCURRENCY = 50;
export const MAX_CONCURRENCY = 1000;
export const DEFAULT_NODE_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Characters of stdout/stderr kept per node (the tail). */
export const TAIL_CHARS = 2048;

export interface SshAuth {
  user: string;
  port: number;
  privateKey?: Buffer;
  agent?: string;
  /** How we authenticate, for messages. */
  describe: string;
  knownHosts: KnownHosts;
  connectTimeoutMs: number;
}

export interface NodeResult {
  id: string;
  ok: boolean;
  exitCode?: number;
  signal?: string;
  stdoutTail: string;
  stderrTail: string;
  /** Why it failed (connection, host key, authentication, timeout, exit code). */
  reason?: string;
  /** Exit 0 with nothing on stdout: the command found nothing to change. */
  unchanged: boolean;
  ms: number;
}

function readKey(path: string, env: NodeJS.ProcessEnv): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new ActionError(`SSH identity file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`);
  }
  // Validate now, once, not on every node.
  const { utils } = ssh2();
  const parsed = utils.parseKey(data, env.BREAKGLASS_SSH_KEY_PASSPHRASE);
  if (parsed instanceof Error) {
    throw new ActionError(/encrypted|passphrase/i.test(parsed.message) ? `SSH identity file ${path} is encrypted: load it into ssh-agent (ssh-add) or set BREAKGLASS_SSH_KEY_PASSPHRASE` : `SSH identity file ${path}: ${parsed.message}`);
  }
  return data;
}

/** Resolves user, credentials and known_hosts from settings and the environment. */
export function sshAuth(env: NodeJS.ProcessEnv, s: SshSettings = {}, o: { user?: string; port?: number } = {}): SshAuth {
  const home = env.HOME || homedir();
  const user = o.user ?? s.user ?? env.BREAKGLASS_SSH_USER ?? env.USER ?? env.LOGNAME;
  if (!user) throw new ActionError('no SSH user: set `user` in the step, or BREAKGLASS_SSH_USER');
  const port = o.port ?? s.port ?? 22;
  const khFiles = s.knownHostsFile ? [s.knownHostsFile] : env.BREAKGLASS_KNOWN_HOSTS ? env.BREAKGLASS_KNOWN_HOSTS.split(':').filter(Boolean) : [join(home, '.ssh/known_hosts'), '/etc/ssh/ssh_known_hosts'];
  const knownHosts = new KnownHosts(khFiles);
  const connectTimeoutMs = s.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const explicit = s.identityFile ?? env.BREAKGLASS_SSH_KEY;
  if (explicit) return { user, port, privateKey: readKey(explicit, env), describe: `key ${explicit}`, knownHosts, connectTimeoutMs };
  const agent = s.agentSocket ?? env.SSH_AUTH_SOCK;
  if (agent) return { user, port, agent, describe: `ssh-agent ${agent}`, knownHosts, connectTimeoutMs };
  for (const f of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const p = join(home, '.ssh', f);
    try {
      readFileSync(p);
    } catch {
      continue;
    }
    return { user, port, privateKey: readKey(p, env), describe: `key ${p}`, knownHosts, connectTimeoutMs };
  }
  throw new ActionError('no SSH credentials: start ssh-agent (SSH_AUTH_SOCK) or set BREAKGLASS_SSH_KEY to a private key file');
}

const ALGOS: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

function tail(s: string): string {
  return s.length > TAIL_CHARS ? s.slice(-TAIL_CHARS) : s;
}

function explainConnectError(e: Error & { code?: string; level?: string }, node: NodeAddress, port: number, auth: SshAuth, user: string): string {
  const code = e.code ?? '';
  const where = `${node.host}:${port}`;
  if (code === 'ECONNREFUSED') return `connection refused at ${where} (sshd not running, or another port?)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `host unreachable: ${where} (${code})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${node.host} does not resolve (${code}): list addresses in the inventory, DNS may be down`;
  if (code === 'ECONNRESET') return `connection reset by ${where}`;
  if (/Timed out while waiting for handshake/i.test(e.message)) return `no SSH handshake from ${where} within ${auth.connectTimeoutMs} ms`;
  if (e.level === 'client-authentication' || /authentication methods failed/i.test(e.message)) return `authentication failed as ${user}@${node.host} with ${auth.describe}`;
  if (/no matching host key/i.test(e.message)) return `${where} offers none of the host key types known_hosts lists for it: ${e.message}`;
  return `${where}: ${e.message}`;
}

/** Connects to one node and runs one command; never throws. */
export function execOnNode(node: NodeAddress, command: string, auth: SshAuth, o: { timeoutMs: number; signal: AbortSignal }): Promise<NodeResult> {
  const t0 = performance.now();
  const port = node.port ?? auth.port;
  const user = node.user ?? auth.user;
  const { Client } = ssh2();
  return new Promise<NodeResult>((resolve) => {
    const client: SshClient = new Client();
    let out = '';
    let err = '';
    let verdictReason: string | undefined;
    let finished = false;
    const finish = (r: Omit<NodeResult, 'id' | 'ms' | 'stdoutTail' | 'stderrTail' | 'unchanged'> & { unchanged?: boolean }): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      client.end();
      // A connection that refuses to close must not keep the pool busy.
      setTimeout(() => client.destroy(), 1000).unref();
      resolve({ id: node.id, stdoutTail: tail(out), stderrTail: tail(err), unchanged: false, ms: Math.round(performance.now() - t0), ...r });
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no result within ${o.timeoutMs} ms (timed out; the command may still be running on the node)` }), o.timeoutMs);
    const onAbort = (): void => finish({ ok: false, reason: 'cancelled' });
    if (o.signal.aborted) return onAbort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    const types = auth.knownHosts.keyTypesFor(node.host, port);
    const serverHostKey = types.flatMap((t) => ALGOS[t] ?? []);
    const cfg: ConnectConfig = {
      host: node.host,
      port,
      username: user,
      readyTimeout: Math.min(auth.connectTimeoutMs, o.timeoutMs),
      keepaliveInterval: 0,
      hostVerifier: (key: Buffer): boolean => {
        const v = auth.knownHosts.verify(node.host, port, key);
        if (!v.ok) verdictReason = v.reason;
        return v.ok;
      },
    };
    if (serverHostKey.length) cfg.algorithms = { serverHostKey };
    if (auth.privateKey) cfg.privateKey = auth.privateKey;
    if (auth.agent) cfg.agent = auth.agent;
    client.on('error', (e: Error & { code?: string; level?: string }) => {
      finish({ ok: false, reason: verdictReason ?? explainConnectError(e, node, port, auth, user) });
    });
    client.on('close', () => finish({ ok: false, reason: verdictReason ?? `connection to ${node.host}:${port} closed before the command finished` }));
    client.on('ready', () => {
      client.exec(command, (e, stream) => {
        if (e) return finish({ ok: false, reason: `could not start the command: ${e.message}` });
        stream.on('data', (d: Buffer) => {
          out = tail(out + d.toString('utf8'));
        });
        stream.stderr.on('data', (d: Buffer) => {
          err = tail(err + d.toString('utf8'));
        });
        stream.on('close', (code: number | null, signal?: string) => {
          if (code === 0) finish({ ok: true, exitCode: 0, unchanged: out.trim() === '' });
          else if (code === null || code === undefined) finish({ ok: false, signal: signal ?? undefined, reason: `the command ended by signal ${signal ?? '(unknown)'}` });
          else {
            const last = (err.trim() || out.trim()).split('\n').slice(-1)[0];
            finish({ ok: false, exitCode: code, reason: `exit code ${code}${last ? `: ${last.slice(0, 300)}` : ''}` });
          }
        });
      });
    });
    try {
      client.connect(cfg);
    } catch (e) {
      finish({ ok: false, reason: explainConnectError(e as Error, node, port, auth, user) });
    }
  });
}

export interface FanOutOptions {
  concurrency: number;
  timeoutMs: number;
  signal: AbortSignal;
  progress?(p: Progress): void;
  /** Called as each node finishes. */
  onResult?(r: NodeResult): void;
}

/** Runs `command` on every node, at most `concurrency` at once; results in inventory order. */
export async function fanOut(nodes: NodeAddress[], command: string | ((n: NodeAddress) => string), auth: SshAuth, o: FanOutOptions): Promise<NodeResult[]> {
  // One listener on the caller's signal; every session in flight listens on this one.
  const inner = new AbortController();
  setMaxListeners(o.concurrency + 16, inner.signal);
  const relay = (): void => inner.abort();
  if (o.signal.aborted) inner.abort();
  else o.signal.addEventListener('abort', relay, { once: true });
  const signal = inner.signal;
  let done = 0;
  let failed = 0;
  let lastProgress = 0;
  const report = (current?: string, force = false): void => {
    const now = performance.now();
    if (!o.progress || (!force && now - lastProgress < 100)) return;
    lastProgress = now;
    o.progress({ done, total: nodes.length, failed, current });
  };
  let results: NodeResult[];
  try {
    results = await mapPool(nodes, o.concurrency, async (n) => {
      const r = signal.aborted
        ? { id: n.id, ok: false, reason: 'cancelled: not attempted', stdoutTail: '', stderrTail: '', unchanged: false, ms: 0 }
        : await execOnNode(n, typeof command === 'string' ? command : command(n), auth, { timeoutMs: o.timeoutMs, signal });
      done++;
      if (!r.ok) failed++;
      o.onResult?.(r);
      report(n.id);
      return r;
    });
  } finally {
    o.signal.removeEventListener('abort', relay);
  }
  report(undefined, true);
  return results;
}

export { fingerprint };
