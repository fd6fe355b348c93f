// Real etcd and sshd for the break-glass tests: each on a free port of 127.0.0.1, in its own
// temporary folder, stopped (and the folder removed) by stop() or when the test process exits.
// The binaries come from Debian's etcd-server, etcd-client, openssh-server and openssl (.ci/run
// installs them); a missing one is an error that says which package to install, never a skip.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const ETCD = '/usr/bin/etcd';
export const SSHD = '/usr/sbin/sshd';
export const SSH_KEYGEN = '/usr/bin/ssh-keygen';
export const OPENSSL = '/usr/bin/openssl';

export function requireBinary(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install the Debian package ${pkg} (apt-get install -y ${pkg}; .ci/run does this)`);
}

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.on('exit', () => {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

export function removeTempDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export const closedPort = freePort;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function stopChild(c: ChildProcess, ms = 5000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) {
    running.delete(c);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const t = setTimeout(() => c.kill('SIGKILL'), ms);
    c.once('exit', () => {
      clearTimeout(t);
      running.delete(c);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

function launch(cmd: string, args: string[]): { child: ChildProcess; log: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let log = '';
  const keep = (d: Buffer): void => {
    log = (log + d.toString('utf8')).slice(-8192);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', () => running.delete(child));
  return { child, log: () => log };
}

/** Waits (bounded) until `ready()` is true; throws with the process log otherwise. */
async function waitFor(what: string, ready: () => Promise<boolean>, child: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}: ${log()}`);
    if (await ready()) return;
    await sleep(50);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms: ${log()}`);
}

function connects(port: number, expectBanner?: RegExp): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (v: boolean): void => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    if (expectBanner) s.once('data', (d) => done(expectBanner.test(d.toString('latin1'))));
    else s.once('connect', () => done(true));
  });
}

// ---- certificates -----------------------------------------------------------------------------

export interface TlsFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing of this server, and a client pair it signed. */
  otherCa: string;
  otherClientCert: string;
  otherClientKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync(OPENSSL, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ca(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`], dir);
}

function signed(dir: string, caName: string, name: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
}

/** A CA, a server certificate for 127.0.0.1, a client certificate, and a second unrelated CA + client. */
export function makeCerts(): TlsFiles {
  requireBinary(OPENSSL, 'openssl');
  const dir = tempDir('bg-certs-');
  ca(dir, 'ca');
  ca(dir, 'other-ca');
  signed(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  signed(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'other-ca', 'other-client', 'extendedKeyUsage=clientAuth\n');
  const p = (f: string): string => join(dir, f);
  return { dir, ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key'), otherCa: p('other-ca.crt'), otherClientCert: p('other-client.crt'), otherClientKey: p('other-client.key') };
}

// ---- etcd -----------------------------------------------------------------------------------------

export interface EtcdServer {
  /** http(s)://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** Environment etcdctl (and the etcd-delete action) reads. */
  env: Record<string, string>;
  stop(): Promise<void>;
  log(): string;
}

/** Starts etcd on free ports of 127.0.0.1 (client certificates required when `tls` is given). */
export async function startEtcd(o: { tls?: TlsFiles } = {}): Promise<EtcdServer> {
  requireBinary(ETCD, 'etcd-server');
  const dir = tempDir('bg-etcd-');
  const port = await freePort();
  const peer = await freePort();
  const scheme = o.tls ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const args = [
    '--name', 'bg-test',
    '--data-dir', join(dir, 'data'),
    '--listen-client-urls', url,
    '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `bg-test=http://127.0.0.1:${peer}`,
    '--log-level', 'error',
    '--logger', 'zap',
  ];
  if (o.tls) args.push('--cert-file', o.tls.serverCert, '--key-file', o.tls.serverKey, '--trusted-ca-file', o.tls.ca, '--client-cert-auth');
  const { child, log } = launch(ETCD, args);
  const env: Record<string, string> = { ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: url };
  if (o.tls) Object.assign(env, { ETCDCTL_CACERT: o.tls.ca, ETCDCTL_CERT: o.tls.clientCert, ETCDCTL_KEY: o.tls.clientKey });
  const stop = async (): Promise<void> => {
    await stopChild(child);
    removeTempDir(dir);
  };
  try {
    // Ready when etcdctl can read (it also proves the certificates fit).
    await waitFor('etcd', async () => (await connects(port)) && etcdctlOk(env), child, log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint: url, port, env, stop, log };
}

function etcdctlOk(env: Record<string, string>): boolean {
  try {
    execFileSync('/usr/bin/etcdctl', ['endpoint', 'health', '--command-timeout=2s'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** etcdctl with the server's environment (for seeding and checking keys). */
export function etcdctl(server: EtcdServer, args: string[], input?: string): string {
  requireBinary('/usr/bin/etcdctl', 'etcd-client');
  return execFileSync('/usr/bin/etcdctl', args, { env: { ...process.env, ...server.env }, input, encoding: 'utf8', timeout: 10_000 });
}

/**
 * Turns on etcd's authentication with a root user (etcd's RBAC guide: the root user, with the
 * root role, must exist before `auth enable`,
 * https://etcd.io/docs/v3.4/op-guide/authentication/). From then on etcdctl() goes as root; the
 * returned password is root's.
 */
export function etcdEnableAuth(server: EtcdServer, password = 'root-secret'): string {
  etcdctl(server, ['user', 'add', 'root', `--new-user-password=${password}`, '--interactive=false']);
  etcdctl(server, ['role', 'add', 'root']);
  etcdctl(server, ['user', 'grant-role', 'root', 'root']);
  etcdctl(server, ['auth', 'enable']);
  server.env.ETCDCTL_USER = `root:${password}`;
  return password;
}

// ---- sshd -------------------------------------------------------------------------------------------

export interface SshKeyPair {
  privateKey: string;
  publicKey: string;
  /** `ssh-ed25519 AAAA…` (type and base64, no comment). */
  publicLine: string;
}

export function makeSshKey(dir: string, name: string): SshKeyPair {
  requireBinary(SSH_KEYGEN, 'openssh-client');
  const f = join(dir, name);
  execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', f], { stdio: 'ignore' });
  const pub = readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/);
  return { privateKey: f, publicKey: `${f}.pub`, publicLine: `${pub[0]} ${pub[1]}` };
}

export interface SshNode {
  name: string;
  port: number;
  /** `127.0.0.1:PORT`, as an inventory lists it. */
  address: string;
  hostKey: SshKeyPair;
  /** The known_hosts line for this node. */
  knownHostsLine: string;
  stop(): Promise<void>;
  log(): string;
}

/**
 * Starts sshd on a free port of 127.0.0.1 as the current user's login target: its own host key,
 * `authorizedKey` as the only accepted key, `BG_NODE=<name>` (and `env`) in every session's environment.
 */
export async function startSshd(o: { name: string; authorizedKey: string; dir?: string; env?: Record<string, string> }): Promise<SshNode> {
  requireBinary(SSHD, 'openssh-server');
  const dir = o.dir ?? tempDir('bg-sshd-');
  const home = join(dir, o.name);
  mkdirSync(home, { recursive: true });
  const hostKey = makeSshKey(home, 'host_key');
  const auth = join(home, 'authorized_keys');
  writeFileSync(auth, `${o.authorizedKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const cfg = join(home, 'sshd_config');
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey.privateKey}`,
      `PidFile ${join(home, 'sshd.pid')}`,
      `AuthorizedKeysFile ${auth}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'MaxStartups 400',
      'MaxSessions 50',
      'LoginGraceTime 30',
      'PrintMotd no',
      'PrintLastLog no',
      'UseDNS no',
      'LogLevel ERROR',
      // HOME: the node's own (empty) home, so that sessions do not run this machine's ~/.bashrc.
      `SetEnv BG_NODE=${o.name} HOME=${home}${Object.entries(o.env ?? {})
        .map(([k, v]) => ` ${k}=${v}`)
        .join('')}`,
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  const { child, log } = launch(SSHD, ['-D', '-e', '-f', cfg]);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    if (!o.dir) removeTempDir(dir);
  };
  try {
    await waitFor(`sshd ${o.name}`, () => connects(port, /^SSH-2\.0-/), child, log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { name: o.name, port, address: `127.0.0.1:${port}`, hostKey, knownHostsLine: `[127.0.0.1]:${port} ${hostKey.publicLine}`, stop, log };
}

/** The login name sshd will accept (the current user). */
export function loginUser(): string {
  return userInfo().username;
}
