// known_hosts as OpenSSH reads it: plain and hashed (|1|salt|hmac) host patterns, `[host]:port`
// for other ports than 22, wildcards and negations, `@revoked`. A host whose key is not listed,
// or is listed with another key, is not connected to.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: '@revoked' | '@cert-authority';
  patterns: string[];
  keyType: string;
  /** The key blob (SSH wire format), as base64 in the file. */
  key: Buffer;
}

export type HostKeyVerdict =
  | { ok: true; entry: KnownHostEntry }
  | { ok: false; kind: 'unknown' | 'mismatch' | 'revoked'; reason: string };

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The name OpenSSH looks a host up by: `host` on port 22, `[host]:port` otherwise. */
export function lookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return globToRegExp(pattern).test(name);
}

/** Does the comma-separated pattern list match (a matching negation excludes)? */
function entryMatches(e: KnownHostEntry, name: string): boolean {
  let hit = false;
  for (const p of e.patterns) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) hit = true;
  }
  return hit;
}

export class KnownHosts {
  readonly entries: KnownHostEntry[] = [];
  readonly files: string[];

  constructor(files: string[]) {
    this.files = files;
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        continue; // a missing file lists nothing
      }
      this.add(text, f);
    }
  }

  add(text: string, file = '(inline)'): void {
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const parts = line.split(/\s+/);
      let marker: KnownHostEntry['marker'];
      if (parts[0] === '@revoked' || parts[0] === '@cert-authority') marker = parts.shift() as KnownHostEntry['marker'];
      if (parts.length < 3) return;
      const [hosts, keyType, b64] = parts;
      const key = Buffer.from(b64, 'base64');
      if (!key.length) return;
      this.entries.push({ file, line: i + 1, marker, patterns: hosts.split(','), keyType, key });
    });
  }

  /** Key types listed for a host (to offer only those host key algorithms). */
  keyTypesFor(host: string, port: number): string[] {
    const name = lookupName(host, port);
    const types: string[] = [];
    for (const e of this.entries) if (!e.marker && entryMatches(e, name) && !types.includes(e.keyType)) types.push(e.keyType);
    return types;
  }

  verify(host: string, port: number, key: Buffer): HostKeyVerdict {
    const name = lookupName(host, port);
    const where = this.files.length ? this.files.join(', ') : 'no known_hosts file';
    for (const e of this.entries) {
      if (e.marker === '@revoked' && e.key.equals(key)) return { ok: false, kind: 'revoked', reason: `host key of ${name} (${fingerprint(key)}) is marked @revoked in ${e.file}:${e.line}` };
    }
    const listed = this.entries.filter((e) => !e.marker && entryMatches(e, name));
    const same = listed.find((e) => e.key.equals(key));
    if (same) return { ok: true, entry: same };
    if (listed.length) {
      const e = listed[0];
      return {
        ok: false,
        kind: 'mismatch',
        reason: `HOST KEY MISMATCH for ${name}: it presented ${fingerprint(key)}, ${e.file}:${e.line} has ${e.keyType} ${fingerprint(e.key)} (a reinstalled host, or someone in the middle): not connecting`,
      };
    }
    return { ok: false, kind: 'unknown', reason: `host ${name} is not in known_hosts (${where}); it presented ${fingerprint(key)}: verify that fingerprint, then add the host (ssh-keyscan) before running` };
  }
}
