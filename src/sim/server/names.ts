// Deterministic names, hashes and identifiers, so that object i of a resource is the same object
// on every request without being stored.

/** The alphabet of Kubernetes' generated name suffixes (k8s.io/apimachinery util/rand). */
const ALPHA = 'bcdfghjklmnpqrstvwxz2456789';
const BASE = ALPHA.length; // 27

export function fnv32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** n characters of the name alphabet derived from a string (a pod-template-hash look-alike). */
export function hashChars(s: string, n: number): string {
  let out = '';
  let h = fnv32(s);
  for (let i = 0; i < n; i++) {
    if (i % 6 === 0) h = fnv32(`${s}#${i}`, h);
    out += ALPHA[h % BASE];
    h = Math.floor(h / BASE);
  }
  return out;
}

const MULT = 1_000_003; // not a multiple of 3, so invertible modulo 27^w

function modInverse(a: number, m: number): number {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1, 0];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

/** mulmod without leaving the exact range of doubles (a, b < 2^31). */
function mulmod(a: number, b: number, m: number): number {
  const hi = Math.floor(b / 65536);
  const lo = b % 65536;
  return (((a * hi) % m) * 65536 + a * lo) % m;
}

/**
 * An invertible map from an index to a random-looking suffix of `width` characters (5 as for
 * DaemonSet and ReplicaSet pods), salted so that different owners get different suffixes.
 */
export class SuffixCodec {
  readonly width: number;
  private readonly mod: number;
  private readonly inv: number;
  private readonly salt: number;

  constructor(saltKey: string, capacity = 0) {
    let w = 5;
    while (BASE ** w <= capacity && w < 6) w++;
    this.width = w;
    this.mod = BASE ** w;
    this.inv = modInverse(MULT % this.mod, this.mod);
    this.salt = fnv32(saltKey) % this.mod;
  }

  encode(i: number): string {
    let x = (mulmod(MULT % this.mod, i % this.mod, this.mod) + this.salt) % this.mod;
    let out = '';
    for (let k = 0; k < this.width; k++) {
      out = ALPHA[x % BASE] + out;
      x = Math.floor(x / BASE);
    }
    return out;
  }

  /** The index of a suffix, or -1 when it is not one of ours. */
  decode(s: string): number {
    if (s.length !== this.width) return -1;
    let x = 0;
    for (const ch of s) {
      const d = ALPHA.indexOf(ch);
      if (d < 0) return -1;
      x = x * BASE + d;
    }
    return mulmod(this.inv, (x - this.salt + this.mod) % this.mod, this.mod);
  }
}

/** A UUID-shaped identifier derived from a string (stable across restarts). */
function hex8(x: number): string {
  return x.toString(16).padStart(8, '0');
}

export function stableUid(s: string): string {
  // Four 32-bit hashes, 32 hex digits, laid out as a version-4 UUID (made on every GET: no arrays).
  const b = hex8(fnv32(s, 0x01234567));
  const c = hex8(fnv32(s, 0x89abcdef));
  return `${hex8(fnv32(s, 0x811c9dc5))}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(1, 4)}-${c.slice(4)}${hex8(fnv32(s, 0xdeadbeef))}`;
}

/** The uid of a Deployment's ReplicaSet (`ns/name` of the Deployment, its pod-template-hash): its pods' ownerReferences carry the same. */
export function replicaSetUid(deploymentKey: string, hash: string): string {
  return stableUid(`ReplicaSet/${deploymentKey}/${hash}`);
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** kubectl's duration.HumanDuration (k8s.io/apimachinery/pkg/util/duration). */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(s / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Parses a Go duration ("5s", "1m30s", "250ms", "1h"); undefined when malformed. */
export function parseGoDuration(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += parseFloat(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== s.length) {
    const n = Number(s); // a bare number of seconds
    return Number.isFinite(n) ? n * 1000 : undefined;
  }
  return total;
}
