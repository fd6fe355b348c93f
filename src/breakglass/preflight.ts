// Preflight: before an incident, prove that every break-glass path works — without changing
// anything. Per cluster: etcd (reachable, authenticated, can count keys under /registry/), SSH to a
// sample of nodes with the privilege the runbooks need, SSH to the control-plane hosts (and a
// firewall tool there), and the break-glass context landing in the exempt priority level.
//
// `breakglass preflight` (src/cli/preflight.ts) and `Breakglass: Check Break-Glass Readiness`
// (src/views/readiness.ts) run it; the config (YAML):
//
//   ssh:                                  # defaults for every cluster (override the environment)
//     identityFile: ~/.ssh/breakglass_ed25519
//     knownHosts: ~/.ssh/known_hosts
//   clusters:
//     - name: prod-east
//       etcd:                             # or env: {ETCDCTL_ENDPOINTS: …, ETCDCTL_CACERT: …}
//         endpoints: [https://10.0.0.10:2379, https://10.0.0.11:2379]
//         cacert: /etc/breakglass/prod-east/etcd-ca.crt
//         cert: /etc/breakglass/prod-east/etcd-client.crt
//         key: /etc/breakglass/prod-east/etcd-client.key
//         user: breakglass:…              # or env ETCDCTL_USER / ETCDCTL_PASSWORD
//         allowPlaintextCredentials: false # true: let user and password go to http:// endpoints
//       nodes:
//         inventory: {file: prod-east-nodes.txt}   # as node-exec: file, command, range or a list
//         user: root
//         sample: 3                       # nodes tried (spread over the inventory)
//         check: sudo -n true             # default: root, or passwordless sudo
//       controlPlane:
//         inventory: [10.0.0.10, 10.0.0.11, 10.0.0.12]
//         user: root
//         check: …                        # default: root or sudo, and nft or iptables present
//       breakglass:
//         kubeconfig: ~/.kube/breakglass.yaml
//         context: prod-east-breakglass
//
// Relative paths are relative to the config file.
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { yaml } from '../lazy';
import { etcdTarget, explainEtcdError, openEtcd, plaintextCredentialsProblem } from './etcd-client';
import { describeInventory, parseInventory, resolveInventory, type NodeAddress } from './inventory';
import { checkExempt, kubeTarget, kubeconfigPath } from './kube';
import { DEFAULT_CONNECT_TIMEOUT_MS, fanOut, sshAuth, type NodeResult } from './ssh';
import { ActionError, type EtcdSettings, type PathName, type PreflightCluster, type PreflightSshPath, type SshSettings } from './types';

export type { PathName, PreflightCluster, PreflightSshPath };

export interface PreflightConfig {
  file: string;
  dir: string;
  ssh: SshSettings;
  clusters: PreflightCluster[];
}

export interface PathResult {
  cluster: string;
  path: PathName;
  ok: boolean;
  detail: string;
  ms: number;
  /** Passed, but with a risk the operator accepted (etcd credentials over http://). */
  warning?: string;
  /** Per host (SSH paths). */
  hosts?: { id: string; ok: boolean; detail: string }[];
}

export const DEFAULT_NODE_CHECK = '[ "$(id -u)" = 0 ] || sudo -n true';
export const DEFAULT_CONTROL_PLANE_CHECK = '{ [ "$(id -u)" = 0 ] || sudo -n true; } && { command -v nft || command -v iptables || { echo "neither nft nor iptables on this host" >&2; exit 3; }; }';
const PATH_TIMEOUT_MS = 15_000;

function expand(p: string, dir: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir();
  const x = p === '~' ? home : p.startsWith('~/') ? resolve(home, p.slice(2)) : p;
  return isAbsolute(x) ? x : resolve(dir, x);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function optStr(o: Obj, k: string, where: string, problems: string[]): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') {
    problems.push(`${where}.${k} must be text`);
    return undefined;
  }
  return String(v);
}

function sshPath(v: unknown, where: string, defaultCheck: string, defaultSample: number, problems: string[]): PreflightSshPath | undefined {
  if (!isObj(v)) {
    problems.push(`${where} must be a mapping with inventory, user, sample, check`);
    return undefined;
  }
  const inventory = v.inventory === undefined ? (problems.push(`${where}.inventory is required`), undefined) : parseInventory(v.inventory, `${where}.inventory`, problems);
  const sample = v.sample === undefined ? defaultSample : Number(v.sample);
  if (!Number.isInteger(sample) || sample < 1 || sample > 100) problems.push(`${where}.sample must be an integer from 1 to 100`);
  const port = v.port === undefined ? undefined : Number(v.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) problems.push(`${where}.port must be a port number`);
  for (const k of Object.keys(v)) if (!['inventory', 'user', 'port', 'sample', 'check'].includes(k)) problems.push(`${where}: unknown field '${k}'`);
  if (!inventory) return undefined;
  return { inventory, user: optStr(v, 'user', where, problems), port, sample, check: optStr(v, 'check', where, problems) ?? defaultCheck };
}

/** Parses and checks a preflight config; throws ActionError listing every problem. */
export function parsePreflightConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): PreflightConfig {
  const dir = dirname(resolve(file));
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (e) {
    throw new ActionError(`${file}: YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const problems: string[] = [];
  if (!isObj(doc) || !Array.isArray(doc.clusters) || !doc.clusters.length) throw new ActionError(`${file}: expected a mapping with \`clusters:\` (a non-empty list)`);
  const ssh: SshSettings = {};
  if (doc.ssh !== undefined) {
    if (!isObj(doc.ssh)) problems.push('ssh must be a mapping');
    else {
      const s = doc.ssh;
      const id = optStr(s, 'identityFile', 'ssh', problems);
      const kh = optStr(s, 'knownHosts', 'ssh', problems);
      if (id) ssh.identityFile = expand(id, dir, env);
      if (kh) ssh.knownHostsFile = expand(kh, dir, env);
      ssh.user = optStr(s, 'user', 'ssh', problems);
      if (s.connectTimeout !== undefined) ssh.connectTimeoutMs = Number(s.connectTimeout) * 1000;
    }
  }
  const clusters: PreflightCluster[] = [];
  doc.clusters.forEach((c: unknown, i: number) => {
    const where = `clusters[${i}]`;
    if (!isObj(c) || typeof c.name !== 'string' || !c.name) {
      problems.push(`${where} must be a mapping with a name`);
      return;
    }
    const out: PreflightCluster = { name: c.name };
    for (const k of Object.keys(c)) if (!['name', 'etcd', 'nodes', 'controlPlane', 'breakglass'].includes(k)) problems.push(`${where} (${c.name}): unknown field '${k}'`);
    if (c.etcd !== undefined) {
      if (!isObj(c.etcd)) problems.push(`${where}.etcd must be a mapping`);
      else {
        const e = c.etcd;
        const settings: EtcdSettings = {};
        const eps = e.endpoints;
        if (eps !== undefined) settings.endpoints = (Array.isArray(eps) ? eps : String(eps).split(',')).map(String);
        for (const k of ['cacert', 'cert', 'key'] as const) {
          const v = optStr(e, k, `${where}.etcd`, problems);
          if (v) settings[k] = expand(v, dir, env);
        }
        settings.user = optStr(e, 'user', `${where}.etcd`, problems);
        const allow = e.allowPlaintextCredentials;
        if (allow !== undefined && allow !== null && typeof allow !== 'boolean') problems.push(`${where}.etcd.allowPlaintextCredentials must be true or false`);
        else if (allow === true) settings.allowPlaintextCredentials = true;
        let envVars: Record<string, string> | undefined;
        if (e.env !== undefined) {
          if (!isObj(e.env)) problems.push(`${where}.etcd.env must be a mapping of ETCDCTL_* variables`);
          else envVars = Object.fromEntries(Object.entries(e.env).map(([k, v]) => [k, /^ETCDCTL_(CACERT|CERT|KEY)$/.test(k) ? expand(String(v), dir, env) : String(v)]));
        }
        out.etcd = { settings, env: envVars };
      }
    }
    if (c.nodes !== undefined) out.nodes = sshPath(c.nodes, `${where}.nodes`, DEFAULT_NODE_CHECK, 3, problems);
    if (c.controlPlane !== undefined) out.controlPlane = sshPath(c.controlPlane, `${where}.controlPlane`, DEFAULT_CONTROL_PLANE_CHECK, 100, problems);
    if (c.breakglass !== undefined) {
      if (!isObj(c.breakglass) || typeof c.breakglass.context !== 'string') problems.push(`${where}.breakglass needs \`context\``);
      else {
        const kc = optStr(c.breakglass, 'kubeconfig', `${where}.breakglass`, problems);
        out.breakglass = { context: c.breakglass.context, kubeconfig: kc ? expand(kc, dir, env) : undefined };
      }
    }
    if (!out.etcd && !out.nodes && !out.controlPlane && !out.breakglass) problems.push(`${where} (${c.name}) configures no path (etcd, nodes, controlPlane, breakglass)`);
    clusters.push(out);
  });
  if (problems.length) throw new ActionError(`${file}:\n  ${problems.join('\n  ')}`);
  return { file, dir, ssh, clusters };
}

/** `n` entries spread evenly over the list (first and last included). */
export function spreadSample<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  if (n === 1) return [list[0]];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(list[Math.round((i * (list.length - 1)) / (n - 1))]);
  return out;
}

export interface PreflightOptions {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  clusters?: string[];
  onResult?(r: PathResult): void;
}

async function checkEtcd(c: PreflightCluster, o: PreflightOptions): Promise<PathResult> {
  const t0 = performance.now();
  const r = (ok: boolean, detail: string): PathResult => ({ cluster: c.name, path: 'etcd', ok, detail, ms: Math.round(performance.now() - t0) });
  let target;
  try {
    target = etcdTarget({ ...o.env, ...(c.etcd!.env ?? {}) }, c.etcd!.settings);
  } catch (e) {
    return r(false, (e as Error).message);
  }
  // Refused by openEtcd (a failed check) unless opted in; opted in, it passes with a warning.
  const plain = plaintextCredentialsProblem(target);
  const warning = plain && target.allowPlaintextCredentials ? `${plain} (allowed by allowPlaintextCredentials)` : undefined;
  try {
    const conn = await openEtcd(target);
    try {
      const res = await conn.client.kv.range({ key: Buffer.from('/registry/'), range_end: Buffer.from('/registry0'), count_only: true });
      const detail = `${conn.endpoints.join(', ')}: ${res.count} keys under /registry/ at revision ${res.header.revision}`;
      return warning ? { ...r(true, `${detail}; warning: ${warning}`), warning } : r(true, detail);
    } catch (e) {
      return r(false, explainEtcdError(e, target).message);
    } finally {
      conn.close();
    }
  } catch (e) {
    return r(false, (e as Error).message);
  }
}

async function checkSsh(c: PreflightCluster, which: 'nodes' | 'controlPlane', cfg: PreflightConfig, o: PreflightOptions): Promise<PathResult> {
  const p = c[which]!;
  const t0 = performance.now();
  const r = (ok: boolean, detail: string, hosts?: PathResult['hosts']): PathResult => ({ cluster: c.name, path: which, ok, detail, ms: Math.round(performance.now() - t0), hosts });
  let all: NodeAddress[];
  try {
    all = await resolveInventory(p.inventory, { runbookDir: cfg.dir, env: o.env, signal: o.signal });
  } catch (e) {
    return r(false, (e as Error).message);
  }
  if (!all.length) return r(false, `the inventory (${describeInventory(p.inventory)}) lists no hosts`);
  const sample = spreadSample(all, p.sample);
  let auth;
  try {
    auth = sshAuth(o.env, cfg.ssh, { user: p.user, port: p.port });
  } catch (e) {
    return r(false, (e as Error).message);
  }
  const results: NodeResult[] = await fanOut(sample, p.check, auth, { concurrency: 10, timeoutMs: Math.max(PATH_TIMEOUT_MS, (cfg.ssh.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) + 5000), signal: o.signal });
  const hosts = results.map((x) => ({ id: x.id, ok: x.ok, detail: x.ok ? 'ok' : x.reason ?? 'failed' }));
  const good = results.filter((x) => x.ok).length;
  const what = which === 'nodes' ? `${sample.length} of ${all.length} node(s) tried` : `${sample.length} control-plane host(s)`;
  const firstBad = results.find((x) => !x.ok);
  return r(good === results.length, `${what} as ${auth.user} (${auth.describe}): ${good} ok${firstBad ? `; ${firstBad.id}: ${firstBad.reason}` : ''}`, hosts);
}

async function checkBreakglass(c: PreflightCluster, o: PreflightOptions): Promise<PathResult> {
  const t0 = performance.now();
  const b = c.breakglass!;
  const r = (ok: boolean, detail: string): PathResult => ({ cluster: c.name, path: 'breakglass', ok, detail, ms: Math.round(performance.now() - t0) });
  try {
    const t = await kubeTarget(kubeconfigPath(o.env, b.kubeconfig), b.context);
    const x = await checkExempt(t, { timeoutMs: PATH_TIMEOUT_MS, signal: o.signal });
    return r(x.verified, `${t.server}: ${x.detail}`);
  } catch (e) {
    return r(false, (e as Error).message);
  }
}

/** Runs every configured check (clusters in parallel, paths of a cluster in parallel); changes nothing. */
export async function preflight(cfg: PreflightConfig, o: PreflightOptions): Promise<PathResult[]> {
  const clusters = o.clusters?.length ? cfg.clusters.filter((c) => o.clusters!.includes(c.name)) : cfg.clusters;
  if (o.clusters?.length) {
    const missing = o.clusters.filter((n) => !cfg.clusters.some((c) => c.name === n));
    if (missing.length) throw new ActionError(`not in ${cfg.file}: ${missing.join(', ')}`);
  }
  const jobs: Promise<PathResult>[] = [];
  const emit = (p: Promise<PathResult>): void => {
    jobs.push(p.then((x) => (o.onResult?.(x), x)));
  };
  for (const c of clusters) {
    if (c.etcd) emit(checkEtcd(c, o));
    if (c.nodes) emit(checkSsh(c, 'nodes', cfg, o));
    if (c.controlPlane) emit(checkSsh(c, 'controlPlane', cfg, o));
    if (c.breakglass) emit(checkBreakglass(c, o));
  }
  const all = await Promise.all(jobs);
  const order: PathName[] = ['etcd', 'nodes', 'controlPlane', 'breakglass'];
  return all.sort((a, b) => (a.cluster === b.cluster ? order.indexOf(a.path) - order.indexOf(b.path) : clusters.findIndex((c) => c.name === a.cluster) - clusters.findIndex((c) => c.name === b.cluster)));
}

/** Each path in words, as the command line and the Runbook view's readiness badges name it. */
export const LABEL: Record<PathName, string> = { etcd: 'etcd', nodes: 'nodes', controlPlane: 'control-plane', breakglass: 'break-glass' };
