// Fence info strings in Runme's style: ```` ```sh {name=check timeout=20s confirm=true} ```` or
// with a JSON object: ```` ```sh {"name":"check","timeout":"20s"} ````.
import type { AttrValue } from './model';

export interface ParsedInfo {
  lang: string;
  attrs: Record<string, AttrValue>;
  /** Problems in the attribute block, in words. */
  errors: string[];
  /** Text after the language that is not an attribute block. */
  trailing?: string;
}

function typed(raw: string): AttrValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

export function parseInfo(info: string): ParsedInfo {
  const text = info.trim();
  const m = /^([^\s{]*)\s*(.*)$/s.exec(text)!;
  const lang = m[1];
  const rest = m[2].trim();
  const out: ParsedInfo = { lang, attrs: {}, errors: [] };
  if (rest === '') return out;
  if (!rest.startsWith('{')) {
    out.trailing = rest;
    return out;
  }
  if (!rest.endsWith('}')) {
    out.errors.push('the attribute block is not closed: expected `}` at the end of the line');
    parsePairs(rest.slice(1), out);
    return out;
  }
  const inner = rest.slice(1, -1).trim();
  if (inner.startsWith('"')) {
    try {
      const obj = JSON.parse(rest) as unknown;
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not an object');
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        if (typeof v === 'string') out.attrs[k] = typed(v);
        else if (typeof v === 'number' || typeof v === 'boolean') out.attrs[k] = v;
        else out.errors.push(`attribute '${k}' must be a string, number or boolean`);
      }
    } catch (e) {
      out.errors.push(`the attribute block is not valid JSON: ${(e as Error).message}`);
    }
    return out;
  }
  parsePairs(inner, out);
  return out;
}

/** `key=value key2="quoted value", key3='x'` */
function parsePairs(s: string, out: ParsedInfo): void {
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
    if (i >= n) break;
    const keyMatch = /^[A-Za-z_][\w.-]*/.exec(s.slice(i));
    if (!keyMatch) {
      const bad = s.slice(i).split(/\s/)[0];
      out.errors.push(`cannot read attribute at '${bad}': expected key=value`);
      // skip the bad token
      while (i < n && s[i] !== ' ' && s[i] !== '\t') i++;
      continue;
    }
    const key = keyMatch[0];
    i += key.length;
    if (s[i] !== '=') {
      out.errors.push(`attribute '${key}' has no value: write ${key}=…`);
      continue;
    }
    i++;
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
      if (Object.prototype.hasOwnProperty.call(out.attrs, key)) out.errors.push(`attribute '${key}' is given twice`);
      out.attrs[key] = value;
      continue;
    }
    // Unquoted values end at whitespace; commas inside belong to the value (lists such as
    // signals=readyz,load) except one that ends it (`a=1, b=2`).
    while (i < n && s[i] !== ' ' && s[i] !== '\t') value += s[i++];
    if (value.endsWith(',')) value = value.slice(0, -1);
    if (value === '') out.errors.push(`attribute '${key}' has an empty value`);
    if (Object.prototype.hasOwnProperty.call(out.attrs, key)) out.errors.push(`attribute '${key}' is given twice`);
    out.attrs[key] = typed(value);
  }
}
