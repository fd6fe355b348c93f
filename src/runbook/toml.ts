// A small TOML reader for front matter: the subset Runme's front matter uses (Runme reads TOML with
// pelletier/go-toml v2, runmedev/runme document/frontmatter.go): `key = value` lines with strings
// ("basic" with escapes, 'literal'), booleans, integers, floats, date-times (kept as text) and
// one-line arrays of those; `[table]` and `[a.b]` headers; dotted and quoted keys; `#` comments.
// What it cannot read is a problem on its line; it never throws. Multi-line strings, inline
// tables and arrays of tables are outside the subset (https://toml.io/en/v1.0.0).

export interface TomlProblem {
  /** 1-based line in the text read. */
  line: number;
  message: string;
}

export interface TomlResult {
  value: Record<string, unknown>;
  errors: TomlProblem[];
}

type Table = Record<string, unknown>;

const BARE = /^[A-Za-z0-9_-]+/;

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  blanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }
  rest(): string {
    return this.s.slice(this.i);
  }
}

class TomlError extends Error {}

function readKey(c: Cursor): string[] {
  const parts: string[] = [];
  for (;;) {
    c.blanks();
    const ch = c.peek();
    if (ch === '"' || ch === "'") parts.push(readString(c));
    else {
      const m = BARE.exec(c.rest());
      if (!m) throw new TomlError(`expected a key at '${c.rest().slice(0, 20)}'`);
      parts.push(m[0]);
      c.i += m[0].length;
    }
    c.blanks();
    if (c.peek() !== '.') return parts;
    c.i++;
  }
}

function readString(c: Cursor): string {
  const q = c.peek();
  c.i++;
  let out = '';
  while (!c.done) {
    const ch = c.peek();
    if (ch === q) {
      c.i++;
      return out;
    }
    if (ch === '\\' && q === '"') {
      const e = c.s[c.i + 1];
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
      if (e in simple) {
        out += simple[e];
        c.i += 2;
        continue;
      }
      if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const hex = c.s.slice(c.i + 2, c.i + 2 + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) throw new TomlError(`bad unicode escape \\${e}${hex}`);
        out += String.fromCodePoint(parseInt(hex, 16));
        c.i += 2 + len;
        continue;
      }
      throw new TomlError(`unknown escape \\${e ?? ''} in a string`);
    }
    out += ch;
    c.i++;
  }
  throw new TomlError('the string is not closed on its line');
}

function readValue(c: Cursor): unknown {
  c.blanks();
  const ch = c.peek();
  if (ch === '"' || ch === "'") {
    if (c.rest().startsWith(ch.repeat(3))) throw new TomlError('multi-line strings are not read in front matter');
    return readString(c);
  }
  if (ch === '[') {
    c.i++;
    const arr: unknown[] = [];
    for (;;) {
      c.blanks();
      if (c.peek() === ']') {
        c.i++;
        return arr;
      }
      if (c.done) throw new TomlError('the array is not closed on its line');
      arr.push(readValue(c));
      c.blanks();
      if (c.peek() === ',') c.i++;
      else if (c.peek() !== ']') throw new TomlError(`expected , or ] in the array at '${c.rest().slice(0, 20)}'`);
    }
  }
  if (ch === '{') throw new TomlError('inline tables are not read in front matter');
  const m = /^[^\s,\]#]+(?:[ T][0-9:.+Z-]+)?/.exec(c.rest());
  if (!m) throw new TomlError('expected a value');
  const raw = m[0];
  c.i += raw.length;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^[+-]?(0|[1-9](_?\d)*)$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (/^[+-]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][+-]?\d+)?$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (/^0x[0-9A-Fa-f_]+$|^0o[0-7_]+$|^0b[01_]+$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (/^[+-]?(inf|nan)$/.test(raw)) return raw.endsWith('inf') ? (raw.startsWith('-') ? -Infinity : Infinity) : NaN;
  // Dates and times (1979-05-27, 07:32:00, 1979-05-27T07:32:00Z): kept as their text.
  if (/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$|^\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(raw)) return raw;
  throw new TomlError(`cannot read the value '${raw}' (strings are written in quotes)`);
}

function tableAt(root: Table, path: string[], create: boolean): Table {
  let t = root;
  for (const p of path) {
    const v = t[p];
    if (v === undefined) {
      if (!create) throw new TomlError(`no table '${p}'`);
      t[p] = {};
    } else if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new TomlError(`'${path.join('.')}' is already a value, not a table`);
    }
    t = t[p] as Table;
  }
  return t;
}

/** Reads TOML text (the subset above); problems carry the 1-based line they are on. */
export function readToml(text: string): TomlResult {
  const root: Table = {};
  const errors: TomlProblem[] = [];
  let current = root;
  const headers = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const c = new Cursor(lines[n]);
    try {
      c.blanks();
      if (c.done || c.peek() === '#') continue;
      if (c.peek() === '[') {
        if (c.rest().startsWith('[[')) throw new TomlError('arrays of tables ([[…]]) are not read in front matter');
        c.i++;
        const path = readKey(c);
        if (c.peek() !== ']') throw new TomlError('expected ] after the table name');
        c.i++;
        const name = path.join('.');
        if (headers.has(name)) throw new TomlError(`the table [${name}] is defined twice`);
        headers.add(name);
        current = tableAt(root, path, true);
      } else {
        const path = readKey(c);
        if (c.peek() !== '=') throw new TomlError(`expected = after the key '${path.join('.')}'`);
        c.i++;
        const value = readValue(c);
        const t = tableAt(current, path.slice(0, -1), true);
        const last = path[path.length - 1];
        if (Object.prototype.hasOwnProperty.call(t, last)) throw new TomlError(`the key '${path.join('.')}' is defined twice`);
        t[last] = value;
      }
      c.blanks();
      if (!c.done && c.peek() !== '#') throw new TomlError(`unexpected text '${c.rest().trim().slice(0, 20)}' at the end of the line`);
    } catch (e) {
      if (!(e instanceof TomlError)) throw e;
      errors.push({ line: n + 1, message: e.message });
    }
  }
  return { value: root, errors };
}
