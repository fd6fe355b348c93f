// Masking: secret values and secret-looking text never reach the view or the journal.
//
// Two layers: values known to be secret (secret params, secret-named environment variables) are
// replaced wherever they appear; on top of that, patterns catch credentials the runbook did not
// declare (bearer tokens, JWTs, `password=…`, kubeconfig key data, PEM private keys, AWS access
// key ids, passwords in URLs).

export const MASK = '••••••';

/** Secret values shorter than this are ignored: masking them would garble ordinary output. */
export const MIN_SECRET_LENGTH = 4;

/** A value that is just a reference to an upper-case shell variable (`$TOKEN`, `${DB_PASS}`), not a secret. */
const VAR_REF = /^["']?\$(?:[A-Z_][A-Z0-9_]*|\{[A-Z_][A-Z0-9_]*\})["']?$/;

type Replacer = (match: string, ...groups: string[]) => string;
interface Rule {
  re: RegExp;
  replace: Replacer;
}

/** Keep the prefix, mask the value (unless the value only names a shell variable). */
function keepPrefix(prefix: string, value: string, suffix = ''): string {
  if (VAR_REF.test(value) || value === MASK) return prefix + value + suffix;
  return prefix + MASK + suffix;
}

/** Masks a value that may be quoted, keeping the quotes. */
function maskQuoted(value: string): string {
  if (VAR_REF.test(value)) return value;
  const q = value[0];
  if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) return q + MASK + q;
  return MASK;
}

// Keys whose value is a secret. The keyword must end the key, so `DB_PASSWORD`, `client_secret`,
// `id-token` and `aws_secret_access_key` match but `secretName`, `tokenExpirationSeconds` or
// `Tokens` do not. A `-` or `_` inside a keyword may also be left out (`SecretAccessKey`,
// `privateKey`, `ssh-privatekey`).
const SECRET_KEY_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'api_key',
  'api-key',
  'access_key',
  'access-key',
  'secret_key',
  'secret-key',
  'private_key',
  'private-key',
  'key-data', // kubeconfig client-key-data (certificate-authority-data and client-certificate-data stay visible)
  'key_data',
  // Data keys of Kubernetes Secrets that hold credentials, as `kubectl get secret -o yaml|json`
  // prints them. The built-in types (https://kubernetes.io/docs/concepts/configuration/secret/#secret-types):
  // kubernetes.io/tls `tls.key`, kubernetes.io/ssh-auth `ssh-privatekey` (matched by private_key
  // above), kubernetes.io/dockerconfigjson `.dockerconfigjson`, kubernetes.io/dockercfg `.dockercfg`.
  // Any `<name>.key` counts (kubeadm's `ca.key`, `sa.key`, `apiserver.key`); `tls.crt` and `ca.crt`
  // are certificates and stay visible.
  '.key',
  '.dockerconfigjson',
  '.dockercfg',
];
const KEY_ALT = SECRET_KEY_WORDS.map((w) => escapeRe(w).replace(/[-_]/g, '[-_]?')).join('|');
const QUOTED_OR_BARE = `\\$\\{\\w+\\}|"[^"\\n]*"|'[^'\\n]*'|[^\\s"',;&}\\]]+`;

const RULES: Rule[] = [
  // JWTs (header and payload are base64url JSON objects: `eyJ`).
  {
    re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replace: () => MASK,
  },
  // Authorization headers: whatever follows the scheme is a credential.
  {
    re: /\b(Authorization[ \t]*[:=][ \t]*)(?:(Bearer|Basic|Token|Digest|Negotiate)([ \t]+))?([^\s"',;]+)/gi,
    replace: (_m, head: string, scheme: string | undefined, gap: string | undefined, value: string) =>
      keepPrefix(head + (scheme ?? '') + (gap ?? ''), value),
  },
  // `Bearer <token>` anywhere else; prose (`Bearer token`) is left alone by requiring token-like text.
  {
    re: /\b(Bearer[ \t]+)([A-Za-z0-9\-._~+/]{8,}=*)/g,
    replace: (m: string, head: string, value: string) =>
      /\d/.test(value) || value.length >= 20 ? keepPrefix(head, value) : m,
  },
  // Command-line flags: --token=v, --token v, --password=v, --client-secret v, …
  {
    re: /(?<![\w-])(--(?:[a-z0-9]+-)*(?:token|password|passwd|passphrase|secret|api-key|apikey|access-key|secret-key))(=|[ \t]+)(?!-)("[^"\n]*"|'[^'\n]*'|[^\s"']+)/gi,
    replace: (_m, flag: string, sep: string, value: string) => flag + sep + maskQuoted(value),
  },
  // key=value and key: value (YAML, JSON, env files, query strings, kubeconfig fields).
  {
    re: new RegExp(`(?<![\\w.-])((?:[\\w.-]*?)(?:${KEY_ALT})["']?[ \\t]*[:=][ \\t]*)(${QUOTED_OR_BARE})`, 'gi'),
    replace: (m: string, head: string, value: string) => {
      // `password: |` or `password: >-` start a YAML block; `key: {` or `[` a nested structure.
      if (/^[|>][-+]?\d*$/.test(value) || value === '{' || value === '[') return m;
      return head + maskQuoted(value);
    },
  },
  // MySQL and MariaDB clients take the password glued to `-p` (`mysql -uroot -pS3cret db`): "If you
  // use the short option form (-p), you cannot have a space between the option and the password"
  // (https://dev.mysql.com/doc/refman/8.0/en/connection-options.html#option_general_password).
  // Only after one of these commands on the same line: `-p` means other things elsewhere
  // (`mkdir -p`, `ssh -p 22`, `docker run -p 8080:80`). A bare `-p` (prompt) is left alone.
  {
    re: /(?<![\w.-])((?:mysql|mysqldump|mysqladmin|mysqlcheck|mysqlimport|mysqlshow|mysqlslap|mysqlpump|mysqlbinlog|mariadb(?:-dump|-admin|-check|-import|-show|-slap|-binlog)?)[ \t](?:[^\n|;&]*?[ \t])?-p)("[^"\n]*"|'[^'\n]*'|[^\s"';&|]+)/g,
    replace: (_m, head: string, value: string) => head + maskQuoted(value),
  },
  // AWS access key ids.
  {
    re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
    replace: () => MASK,
  },
  // Passwords in URLs: scheme://user:pass@host.
  {
    re: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi,
    replace: (_m, head: string, value: string, at: string) => keepPrefix(head, value, at),
  },
];

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
/** What may appear between the armour lines: base64, `Proc-Type:`-style headers, blank lines. */
const PEM_BODY_LINE = /^[ \t]*(?:[A-Za-z0-9+/=]+|[A-Za-z][A-Za-z0-9-]*:[^\n]*)?[ \t]*\r?$/;

/** Where a private key block is cut by a chunk or line boundary. */
export interface PemState {
  inKey: boolean;
  /** The mask for the current block's body has been emitted already. */
  masked: boolean;
  /** The mask was emitted for a partial line: its newline is still owed. */
  owesNewline: boolean;
}

export function newPemState(): PemState {
  return { inKey: false, masked: false, owesNewline: false };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Masker {
  private readonly secrets = new Set<string>();
  private secretRe: RegExp | undefined;
  private dirty = false;

  constructor(secrets?: Iterable<string>) {
    if (secrets) for (const s of secrets) this.addSecret(s);
  }

  /** Values shorter than 4 characters are ignored. A multi-line value is also masked line by line. */
  addSecret(value: string): void {
    if (typeof value !== 'string') return;
    const candidates = [value, value.trim()];
    if (value.includes('\n')) candidates.push(...value.split(/\r?\n/).map((l) => l.trim()));
    for (const c of candidates) {
      if (c.length >= MIN_SECRET_LENGTH && !this.secrets.has(c)) {
        this.secrets.add(c);
        this.dirty = true;
      }
    }
  }

  /**
   * Where the trailing text that could still grow into a known secret starts: the smallest i such
   * that text.slice(i) is a proper prefix of a secret; text.length when there is none.
   */
  secretPrefixStart(text: string): number {
    let start = text.length;
    for (const s of this.secrets) {
      for (let i = Math.max(0, text.length - s.length + 1); i < start; i++) {
        if (s.startsWith(text.slice(i))) {
          start = i;
          break;
        }
      }
    }
    return start;
  }

  /** Number of distinct secret values known. */
  get size(): number {
    return this.secrets.size;
  }

  /** Known secret values -> '••••••' (longest first), then the patterns. */
  mask(text: string): string {
    return this.maskWithState(text, newPemState());
  }

  /**
   * Like mask(), carrying private-key state across calls: text after a `BEGIN … PRIVATE KEY` line
   * stays masked until the `END` line, even when it arrives in a later call.
   */
  maskWithState(text: string, state: PemState): string {
    if (!text) return text;
    text = this.maskSecrets(text);
    if (!state.inKey && !text.includes('PRIVATE KEY')) return maskPatterns(text);
    return maskPem(text, state);
  }

  private maskSecrets(text: string): string {
    if (this.secrets.size === 0) return text;
    if (this.dirty || !this.secretRe) {
      const sorted = [...this.secrets].sort((a, b) => b.length - a.length);
      this.secretRe = new RegExp(sorted.map(escapeRe).join('|'), 'g');
      this.dirty = false;
    }
    return text.replace(this.secretRe, MASK);
  }
}

function maskPatterns(text: string): string {
  for (const r of RULES) text = text.replace(r.re, r.replace as (substring: string, ...args: any[]) => string);
  return text;
}

/** Private keys: the armour lines stay, the body becomes one mask. */
function maskPem(text: string, state: PemState): string {
  let out = '';
  let plain = ''; // text outside keys, masked by the patterns in one go
  const flushPlain = (): void => {
    if (plain) out += maskPatterns(plain);
    plain = '';
  };
  const leaveKey = (): void => {
    state.inKey = false;
    state.masked = false;
    state.owesNewline = false;
  };

  // Split keeping line ends, so the output has the same line structure as the input.
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  for (let line of lines) {
    while (line) {
      const eol = /\r?\n$/.exec(line)?.[0] ?? '';
      if (state.inKey) {
        const end = PEM_END.exec(line);
        if (end) {
          const before = line.slice(0, end.index);
          if (before.trim()) {
            if (!state.masked) out += MASK;
          } else {
            if (!state.masked) out += MASK + '\n';
            else if (state.owesNewline) out += '\n';
            out += before;
          }
          out += end[0];
          leaveKey();
          line = line.slice(end.index + end[0].length);
          continue;
        }
        const content = line.slice(0, line.length - eol.length);
        if (PEM_BODY_LINE.test(content)) {
          if (!state.masked) {
            out += (/^[ \t]*/.exec(content)?.[0] ?? '') + MASK + eol;
            state.masked = true;
            state.owesNewline = !eol;
          } else if (state.owesNewline && eol) {
            out += eol;
            state.owesNewline = false;
          }
          line = '';
          continue;
        }
        // Not key material after all (e.g. grep output naming a key file): stop masking here.
        if (state.owesNewline) out += '\n';
        leaveKey();
        continue;
      }
      const begin = PEM_BEGIN.exec(line);
      if (!begin) {
        plain += line;
        line = '';
        continue;
      }
      plain += line.slice(0, begin.index);
      flushPlain();
      out += begin[0];
      line = line.slice(begin.index + begin[0].length);
      state.inKey = true;
      state.masked = false;
      state.owesNewline = false;
      // Body on the same line (one-line PEM, or `\n`-escaped in JSON): mask up to END or line end.
      const end = PEM_END.exec(line);
      const body = end ? line.slice(0, end.index) : line.slice(0, line.length - eol.length);
      if (body.trim()) {
        out += MASK;
        state.masked = true;
      }
      line = line.slice(body.length);
      if (end) {
        out += end[0];
        leaveKey();
        line = line.slice(end[0].length);
      } else {
        out += line; // the line end, if any
        line = '';
      }
    }
  }
  flushPlain();
  return out;
}

/**
 * Continuations tried after a partial line before part of it is emitted early: a closing quote
 * (ends a quoted value that may hold spaces), a credential-like token (completes `Authorization:
 * Bearer …` or a one-line private key) and a line end.
 */
const PROBES = ['"', "'", 'A1b2C3d4E5f6G7h8I9j0kLmN', '\n'];
/** Cut points tried, last first, before an idle flush gives up and waits for more text. */
const MAX_CUTS_TRIED = 8;

/**
 * Line-buffered masking for streamed output, so a secret split across chunks is still masked.
 *
 * Complete lines are masked and emitted at once. A trailing partial line is held, raw, as context
 * for what follows it. When no data arrived for `idleFlushMs`, only a safe prefix of it is emitted:
 * it ends after a run of whitespace (never inside a token, which may be the first half of a
 * secret), never inside text that could be the start of a known secret, and its masked form must
 * stay a prefix of the masked line whatever follows (checked against the text held so far and a few
 * probe continuations); a line inside a private key is held whole, and so is the rest of a line
 * from a BEGIN armour on. When the line completes, it is
 * masked whole and only what was not emitted
 * yet goes out. Call flush() when the stream ends: it emits the rest, masked.
 */
export class StreamMasker {
  /** A partial line longer than this is emitted without waiting for its newline. */
  static maxHeld = 1024 * 1024;

  /** Raw text of the current partial line. */
  private line = '';
  /** Masked text already emitted for the current partial line. */
  private sent = '';
  /** How much of `line` (raw) `sent` stands for. */
  private sentRaw = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Private-key state at the start of `line`. */
  private readonly pem: PemState = newPemState();

  constructor(
    private readonly masker: Masker,
    private readonly emit: (text: string) => void,
    private readonly idleFlushMs = 150,
  ) {}

  write(chunk: string): void {
    if (!chunk) return;
    const text = this.line + chunk;
    const nl = text.lastIndexOf('\n');
    if (nl >= 0) {
      this.line = text.slice(nl + 1);
      this.finishLine(text.slice(0, nl + 1));
    } else {
      this.line = text;
    }
    if (this.line.length > StreamMasker.maxHeld) {
      this.flush();
      return;
    }
    this.clearTimer();
    if (this.line.length > this.sentRaw) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.idleFlush();
      }, this.idleFlushMs);
    }
  }

  /** The stream ended (or a line is too long to hold): emit the rest, masked. */
  flush(): void {
    this.clearTimer();
    const text = this.line;
    this.line = '';
    if (text) this.finishLine(text);
  }

  /** `text` is the held partial line plus what completes it: mask it whole, emit what is not out yet. */
  private finishLine(text: string): void {
    const masked = this.masker.maskWithState(text, this.pem);
    const sent = this.sent;
    this.sent = '';
    this.sentRaw = 0;
    if (masked.startsWith(sent)) {
      if (masked.length > sent.length) this.emit(masked.slice(sent.length));
      return;
    }
    // What was emitted no longer matches the masked line: the rest of that line becomes one mask
    // (never the raw text), the lines after it go out as masked.
    const nl = masked.indexOf('\n');
    this.emit(MASK + (nl >= 0 ? masked.slice(nl) : ''));
  }

  /** No data for a while: emit the safe prefix of the partial line, if it grew. */
  private idleFlush(): void {
    // Inside a private key a partial line may be body or the start of the END armour line, and the
    // two are masked differently: hold it until its newline.
    if (this.pem.inKey) return;
    const raw = this.line;
    let limit = Math.min(raw.length, this.masker.secretPrefixStart(raw));
    // Likewise from a BEGIN armour whose key has not ended on this line yet.
    const begin = raw.lastIndexOf('-----BEGIN');
    if (begin >= 0 && !PEM_END.test(raw.slice(begin))) limit = Math.min(limit, begin);
    const cuts: number[] = [];
    for (const m of raw.slice(0, limit).matchAll(/\s+/g)) {
      const cut = m.index + m[0].length;
      if (cut > this.sentRaw) cuts.push(cut);
    }
    if (cuts.length === 0) return;
    const maskFromLineStart = (t: string): string => this.masker.maskWithState(t, { ...this.pem });
    const futures = [raw, ...PROBES.map((p) => raw + p)].map(maskFromLineStart);
    for (const cut of cuts.reverse().slice(0, MAX_CUTS_TRIED)) {
      const prefix = maskFromLineStart(raw.slice(0, cut));
      if (!prefix.startsWith(this.sent) || !futures.every((f) => f.startsWith(prefix))) continue;
      if (prefix.length > this.sent.length) this.emit(prefix.slice(this.sent.length));
      this.sent = prefix;
      this.sentRaw = cut;
      return;
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

// Environment variable names whose values are secrets. Names are split on `_` so KEYCLOAK_URL or
// MONKEY do not count; names that point at a file or name a thing (TLS_KEY_FILE, SECRET_NAME) are
// not secrets themselves.
const SECRET_NAME_PARTS = new Set([
  'TOKEN',
  'TOKENS',
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PASSPHRASE',
  'SECRET',
  'SECRETS',
  'KEY',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
]);
const SECRET_NAME_SUFFIXES = ['TOKEN', 'PASSWORD', 'PASSWD', 'SECRET', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS'];
const NOT_SECRET_LAST_PARTS = new Set([
  'FILE',
  'FILES',
  'PATH',
  'DIR',
  'ID',
  'NAME',
  'URL',
  'URI',
  'TYPE',
  'ENDPOINT',
  'HOST',
  'PORT',
  'REGION',
  'SOCK',
  'COMMAND',
  'CMD',
]);
const NOT_SECRET_NAMES = new Set(['KUBECONFIG', 'PWD', 'OLDPWD']);
const NOT_SECRET_VALUES = new Set(['true', 'false', 'yes', 'no', 'null', 'none', 'undefined']);

/** Whether an environment variable name looks like it holds a secret. */
export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (NOT_SECRET_NAMES.has(upper)) return false;
  const parts = upper.split(/[_\-.]+/).filter(Boolean);
  if (parts.length === 0) return false;
  if (NOT_SECRET_LAST_PARTS.has(parts[parts.length - 1]!)) return false;
  if (parts.some((p) => SECRET_NAME_PARTS.has(p))) return true;
  return SECRET_NAME_SUFFIXES.some((s) => upper.endsWith(s));
}

/** Values of environment variables whose name looks secret, for the caller to add as secrets. */
export function maskEnvSecrets(env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
    if (NOT_SECRET_VALUES.has(value.toLowerCase())) continue;
    if (isSecretEnvName(name)) out.add(value);
  }
  return [...out];
}
