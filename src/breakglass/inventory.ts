// Node inventories that do not need the API server: a file beside the runbook, the output of a
// command (a cloud CLI, a CMDB query), or an address range. One entry per line:
// `[user@]host[:port]` or `[user@][v6addr]:port`; `#` starts a comment.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { ActionError, type InventorySource, type PreflightSshPath } from './types';
import type { Body } from './spec';

export type { InventorySource };

export interface NodeAddress {
  /** What results call it: the entry as written (host or host:port). */
  id: string;
  host: string;
  port?: number;
  user?: string;
}

/**
 * A step body's inventory field and its `user`, where the step leaves them out, from an SSH path of
 * the cluster's config entry (node-exec's `nodes`, network-block's and scale-apiserver's `hosts`).
 */
export function fillInventory(b: Body, field: string, path: Pick<PreflightSshPath, 'inventory' | 'user'> | undefined): void {
  if (b[field] !== undefined || !path) return;
  b[field] = path.inventory;
  if (b.user === undefined && path.user) b.user = path.user;
}

/** At most this many addresses from one range (a /16). */
export const MAX_RANGE = 65_536;
const COMMAND_TIMEOUT_MS = 30_000;
const MAX_COMMAND_OUTPUT = 16 * 2 ** 20;

/** Reads an inventory spec (`{file}`, `{command}`, `{range}`, `{hosts: […]}` or a plain list). */
export function parseInventory(v: unknown, field: string, problems: string[]): InventorySource | undefined {
  if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === 'string')) {
      problems.push(`\`${field}\` as a list must hold addresses (text)`);
      return undefined;
    }
    return { hosts: v as string[] };
  }
  if (typeof v !== 'object' || v === null) {
    problems.push(`\`${field}\` must be one of {file: nodes.txt}, {command: "…"}, {range: "10.0.0.1-10.0.0.50"} or a list of addresses`);
    return undefined;
  }
  const b = v as Body;
  const keys = Object.keys(b);
  if (keys.length !== 1 || !['file', 'command', 'range', 'hosts'].includes(keys[0])) {
    problems.push(`\`${field}\` must have exactly one of file, command, range, hosts`);
    return undefined;
  }
  const k = keys[0];
  const val = b[k];
  if (k === 'hosts') return parseInventory(val, field, problems);
  if (typeof val !== 'string' || val.trim() === '') {
    problems.push(`\`${field}.${k}\` must be text`);
    return undefined;
  }
  if (k === 'range') {
    const err = rangeError(val);
    if (err) {
      problems.push(`\`${field}.range\`: ${err}`);
      return undefined;
    }
    return { range: val };
  }
  return k === 'file' ? { file: val } : { command: val };
}

/** Parses one inventory entry; undefined for blank and comment lines. */
export function parseAddress(line: string): NodeAddress | undefined {
  const s = line.replace(/#.*/, '').trim().split(/\s+/)[0];
  if (!s) return undefined;
  let rest = s;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1];
    port = v6[2] ? Number(v6[2]) : undefined;
  } else if (isIP(rest) !== 6) {
    const m = /^([^:]+):(\d+)$/.exec(rest);
    if (m) {
      host = m[1];
      port = Number(m[2]);
    } else if (rest.includes(':')) throw new ActionError(`'${s}' is not host, host:port or [v6]:port`);
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw new ActionError(`'${s}': port out of range`);
  if (!/^[A-Za-z0-9._:%-]+$/.test(host)) throw new ActionError(`'${s}' is not a host name or address`);
  return { id: port !== undefined ? `${host.includes(':') ? `[${host}]` : host}:${port}` : host, host, port, user };
}

function ipv4ToInt(s: string): number | undefined {
  if (isIP(s) !== 4) return undefined;
  return s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');
}

function rangeBounds(r: string): { a: number; b: number } | string {
  const m = /^\s*([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(r);
  if (!m) return 'expected FIRST-LAST, e.g. 10.0.0.1-10.0.0.50 or 10.0.0.1-50 (IPv4)';
  const a = ipv4ToInt(m[1]);
  let b = ipv4ToInt(m[2]);
  if (b === undefined && /^\d{1,3}$/.test(m[2]) && a !== undefined) b = a - (a % 256) + Number(m[2]);
  if (a === undefined || b === undefined || Number(m[2]) > 255 && !m[2].includes('.')) return `'${r}' is not an IPv4 range`;
  if (b < a) return `'${r}': the last address is before the first`;
  if (b - a + 1 > MAX_RANGE) return `'${r}' has ${b - a + 1} addresses (at most ${MAX_RANGE})`;
  return { a, b };
}

function rangeError(r: string): string | undefined {
  const x = rangeBounds(r);
  return typeof x === 'string' ? x : undefined;
}

export function expandRange(r: string): string[] {
  const x = rangeBounds(r);
  if (typeof x === 'string') throw new ActionError(x);
  const out: string[] = [];
  for (let n = x.a; n <= x.b; n++) out.push(intToIpv4(n));
  return out;
}

/** Runs an inventory command (bash, in the runbook's folder) and returns its stdout. */
function runInventoryCommand(command: string, cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    let size = 0;
    let why: string | undefined;
    const kill = (reason: string): void => {
      why ??= reason;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(() => kill(`no end after ${COMMAND_TIMEOUT_MS / 1000} s`), COMMAND_TIMEOUT_MS);
    const onAbort = (): void => kill('cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_COMMAND_OUTPUT) kill(`more than ${MAX_COMMAND_OUTPUT} bytes of output`);
      else out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      reject(new ActionError(`inventory command could not start: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (why) reject(new ActionError(`inventory command: ${why}`));
      else if (code !== 0) reject(new ActionError(`inventory command exited ${code}${err.trim() ? `: ${err.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
      else resolvePromise(out);
    });
  });
}

/** The nodes of an inventory, de-duplicated, in order. */
export async function resolveInventory(src: InventorySource, o: { runbookDir: string; env: NodeJS.ProcessEnv; signal: AbortSignal; defaultPort?: number }): Promise<NodeAddress[]> {
  let lines: string[];
  if ('hosts' in src) lines = src.hosts;
  else if ('range' in src) lines = expandRange(src.range);
  else if ('file' in src) {
    const path = isAbsolute(src.file) ? src.file : resolve(o.runbookDir, src.file);
    try {
      lines = (await readFile(path, 'utf8')).split('\n');
    } catch (e) {
      throw new ActionError(`inventory file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`);
    }
  } else lines = (await runInventoryCommand(src.command, o.runbookDir, o.env, o.signal)).split('\n');
  const seen = new Set<string>();
  const out: NodeAddress[] = [];
  lines.forEach((line, i) => {
    let a: NodeAddress | undefined;
    try {
      a = parseAddress(line);
    } catch (e) {
      throw new ActionError(`inventory line ${i + 1}: ${(e as Error).message}`);
    }
    if (!a) return;
    if (a.port === undefined && o.defaultPort !== undefined) a.port = o.defaultPort;
    if (seen.has(a.id)) return;
    seen.add(a.id);
    out.push(a);
  });
  return out;
}

export function describeInventory(src: InventorySource): string {
  if ('file' in src) return `file ${src.file}`;
  if ('command' in src) return `command \`${src.command}\``;
  if ('range' in src) return `range ${src.range}`;
  return `${src.hosts.length} listed host(s)`;
}
