// Fence info strings in Runme's style: ```` ```sh {name=check timeout=20s confirm=true} ```` or
// with a JSON object: ```` ```sh {"name":"check","timeout":"20s"} ````.
//
// Runme's reading (runmedev/runme, document/attributes.go, commit dea8211534894583):
// - the block is the text from the first `{` (not followed directly by `}`) to the first `}` after
//   it (`extractAttributes`); text after it is ignored;
// - it is read as JSON first, every value kept as a string (non-strings JSON-encoded);
// - when that fails, it is read as "HTML attributes": split on spaces, each item `key=value`
//   (SplitN on the first `=`), a bare `key` or `key=` giving the empty string, and never an error
//   (`htmlAttrParserWriter`; attributes_test.go "AttributeWithoutValue", TestAttributes_Fallback:
//   `{ name: "test" }` is invalid JSON and is read this way, as the keys `name:` and `"test"`).
// Breakglass reads the same blocks the same way, with three deliberate differences (docs/RUNME.md):
// quoted values may hold spaces (`name="a b"`), a comma between pairs separates them, and values
// are typed (`true`/`false`/numbers) for the attribute checks.
import { COMMON_ATTRS, RUNME_ATTRS } from './kinds/common';
import type { AttrValue } from './model';

export interface ParsedInfo {
  lang: string;
  attrs: Record<string, AttrValue>;
  /** Problems in the attribute block, in words. */
  errors: string[];
  /** Text after the language that is not an attribute block. */
  trailing?: string;
  /** Text after the attribute block's `}` (Runme ignores it). */
  after?: string;
  /** Keys written without a value (`{ flag }`, `{ a= }`): Runme reads them as the empty string. */
  empty: string[];
  /** Items Runme would read as keys but that are no attribute name (`name:` in `{ name: "x" }`). */
  junk: string[];
  /** The block was read as JSON (Runme's preferred form) rather than as key=value pairs. */
  json: boolean;
}

/**
 * Breakglass's own attributes (not Runme's): an empty value has no meaning for them, so `{confirm}`
 * or `{timeout=}` is an error rather than Runme's "not set" (a bare `confirm` read as "no
 * confirmation" would be the unsafe reading).
 */
const NEEDS_VALUE = new Set(
  Object.entries(COMMON_ATTRS)
    .filter(([k, spec]) => !RUNME_ATTRS.has(k) && (spec.type === 'boolean' || spec.type === 'duration' || spec.type === 'mode'))
    .map(([k]) => k),
);

function typed(raw: string): AttrValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

const KEY = /^[A-Za-z_][\w.-]*$/;

export function parseInfo(info: string): ParsedInfo {
  const text = info.trim();
  const m = /^([^\s{]*)\s*(.*)$/s.exec(text)!;
  const lang = m[1];
  const rest = m[2].trim();
  const out: ParsedInfo = { lang, attrs: {}, errors: [], empty: [], junk: [], json: false };
  if (rest === '') return out;
  if (!rest.startsWith('{')) {
    out.trailing = rest;
    return out;
  }
  // `{}` is no block (Runme's extractAttributes needs a character other than `}` after `{`).
  if (/^\{\s*\}$/.test(rest)) return out;
  const close = closingBrace(rest);
  if (close < 0) {
    // Runme finds no block at all here and drops the attributes silently; Breakglass says so,
    // since the author plainly meant some.
    out.errors.push('the attribute block is not closed: expected `}` at the end of the line');
    parsePairs(rest.slice(1), out);
    return out;
  }
  const block = rest.slice(0, close + 1);
  const after = rest.slice(close + 1).trim();
  if (after) out.after = after;
  const inner = block.slice(1, -1).trim();
  const json = readJson(block);
  if (json) {
    out.json = true;
    for (const [k, v] of Object.entries(json)) {
      if (typeof v === 'string') {
        if (v === '') out.empty.push(k);
        out.attrs[k] = typed(v);
      } else if (typeof v === 'number' || typeof v === 'boolean') out.attrs[k] = v;
      // Runme keeps any other value JSON-encoded as a string (jsonAttrParserWriter.Parse).
      else out.attrs[k] = JSON.stringify(v);
    }
    return out;
  }
  if (inner.startsWith('"')) {
    // It reads as a JSON object that went wrong (Runme would fall back to reading `"name":` as
    // a key): say what is wrong with the JSON.
    try {
      JSON.parse(block);
      out.errors.push('the attribute block must be a JSON object of attribute names');
    } catch (e) {
      out.errors.push(`the attribute block is not valid JSON: ${(e as Error).message}`);
    }
    return out;
  }
  parsePairs(inner, out);
  return out;
}

/**
 * Where the block ends, or -1: the end of a JSON object when it starts like one, else the first
 * `}` outside a quoted value (Runme stops at the first `}` of any kind; a `}` inside quotes is
 * Breakglass's quoted-value difference; with a quote never closed, the first `}` at all).
 */
function closingBrace(s: string): number {
  if (s.slice(1).trimStart().startsWith('"')) {
    const end = jsonEnd(s);
    if (end >= 0) return end;
  }
  let q = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = '';
    } else if (c === '"' || c === "'") q = c;
    else if (c === '}') return i;
  }
  return q ? s.indexOf('}') : -1;
}

/** End of a balanced `{…}` starting at 0, quotes respected, or -1. */
function jsonEnd(s: string): number {
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function readJson(block: string): Record<string, unknown> | undefined {
  try {
    const obj = JSON.parse(block) as unknown;
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) return obj as Record<string, unknown>;
  } catch {
    // not JSON: read as key=value pairs
  }
  return undefined;
}

/** `key=value key2="quoted value", key3='x' flag` */
function parsePairs(s: string, out: ParsedInfo): void {
  let i = 0;
  const n = s.length;
  const put = (key: string, value: AttrValue) => {
    if (Object.prototype.hasOwnProperty.call(out.attrs, key)) out.errors.push(`attribute '${key}' is given twice`);
    out.attrs[key] = value;
  };
  const emptyValue = (key: string) => {
    if (NEEDS_VALUE.has(key)) {
      out.errors.push(`attribute '${key}' has no value: write ${key}=…`);
      return;
    }
    out.empty.push(key);
    put(key, '');
  };
  while (i < n) {
    while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
    if (i >= n) break;
    // One item: up to `=` or the next blank, as Runme splits.
    let j = i;
    while (j < n && s[j] !== '=' && s[j] !== ' ' && s[j] !== '\t') j++;
    let key = s.slice(i, j);
    i = j;
    if (s[i] !== '=') {
      if (key.endsWith(',')) key = key.slice(0, -1);
      if (KEY.test(key)) emptyValue(key);
      else out.junk.push(key);
      continue;
    }
    i++;
    if (!KEY.test(key)) {
      // Runme keeps any text before `=` as a key; none of these is an attribute either tool knows.
      while (i < n && s[i] !== ' ' && s[i] !== '\t') i++;
      out.junk.push(key);
      continue;
    }
    let value = '';
    const q = s[i];
    if (q === '"' || q === "'") {
      i++;
      let closed = false;
      while (i < n) {
        const c = s[i];
        if (c === '\\' && q === '"' && i + 1 < n) {
          value += s[i + 1];
          i += 2;
          continue;
        }
        if (c === q) {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) out.errors.push(`attribute '${key}': the quoted value is not closed`);
      put(key, value);
      continue;
    }
    // Unquoted values end at whitespace; commas inside belong to the value (lists such as
    // signals=readyz,load) except one that ends it (`a=1, b=2`).
    while (i < n && s[i] !== ' ' && s[i] !== '\t') value += s[i++];
    if (value.endsWith(',')) value = value.slice(0, -1);
    if (value === '') emptyValue(key);
    else put(key, typed(value));
  }
}
