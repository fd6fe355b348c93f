// Line-level YAML editing: a text with its line starts, the edits quick fixes are made of, and
// the primitives that place them (set a key on a line, insert lines, find a container and its env).
// Edits are planned on the text as analysed and applied together; nothing here touches a file.
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';

/** One replacement in a file's text: [start, end) as offsets, replaced by newText. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** A text with its line starts: offsets and 0-based lines. */
export class Lines {
  readonly starts: number[] = [0];
  readonly eol: string;
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }
  get count(): number {
    return this.starts.length;
  }
  /** Offset of the end of a line's content (before its line break). */
  end(i: number): number {
    let e = i + 1 < this.starts.length ? this.starts[i + 1] - 1 : this.text.length;
    if (e > this.starts[i] && this.text.charCodeAt(e - 1) === 13) e--;
    return e;
  }
  line(i: number): string {
    return i < 0 || i >= this.starts.length ? '' : this.text.slice(this.starts[i], this.end(i));
  }
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** 0-based line and character of an offset. */
  position(offset: number): { line: number; character: number } {
    const l = this.lineAt(offset);
    return { line: l, character: offset - this.starts[l] };
  }
}

export const indentOf = (s: string) => s.length - s.trimStart().length;
/** An empty or comment-only line. */
export const blank = (s: string) => s.trim() === '' || s.trimStart().startsWith('#');
export const reEsc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
export const pad = (n: number) => ' '.repeat(Math.max(0, n));
/** Column where a line's mapping keys start (after a sequence dash). */
export const keyColumn = (s: string) => {
  const m = /^(\s*)-\s+/.exec(s);
  return m ? m[0].length : indentOf(s);
};

/** The YAML document around a line, as a line range [start, end) cut at `---` lines. */
export function chunkAround(L: Lines, line: number): { start: number; end: number } {
  let start = 0;
  let end = L.count;
  for (let i = 0; i < L.count; i++) {
    if (!/^---(?:[ \t#]|$)/.test(L.line(i))) continue;
    if (i <= line && i > 0) start = i;
    else if (i > line) {
      end = i;
      break;
    }
  }
  return { start, end };
}

/** The text with the edits applied (offsets refer to the original text; edits must not overlap). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const ed of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, ed.start) + ed.newText + out.slice(ed.end);
  return out;
}

/** Parse errors of a (multi-document) YAML text; a parser failure counts as the most. */
export function yamlErrors(text: string): number {
  try {
    return parseAllDocuments(text, { prettyErrors: false, logLevel: 'silent', uniqueKeys: false }).reduce((n, d) => n + ('errors' in d ? d.errors.length : 1), 0);
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

export const insertAfterLine = (L: Lines, line: number, lines: string[]): TextEdit => ({ start: L.end(line), end: L.end(line), newText: lines.map((l) => L.eol + l).join('') });

/** Sets `key: value` on one line: replaces the value, adds it to a flow mapping, or adds a sibling line. */
export function setOnLine(L: Lines, line: number, key: string, value: string): TextEdit | undefined {
  const s = L.line(line);
  const base = L.starts[line];
  const re = new RegExp(`(^|[\\s{,])(${reEsc(key)})([ \\t]*:)([ \\t]*)("(?:[^"\\\\]|\\\\.)*"|'(?:[^']|'')*'|[^,}\\s#][^,}#]*?)?(?=[ \\t]*(?:[,}]|#|$))`);
  const m = re.exec(s);
  if (m) {
    const at = m.index + m[1].length + m[2].length + m[3].length;
    const end = at + m[4].length + (m[5]?.length ?? 0);
    return { start: base + at, end: base + end, newText: ` ${value}` };
  }
  const close = s.lastIndexOf('}');
  const open = s.indexOf('{');
  if (open >= 0 && close > open) {
    const inner = s.slice(open + 1, close);
    return inner.trim() ? { start: base + close, end: base + close, newText: `, ${key}: ${value}` } : { start: base + open + 1, end: base + close, newText: `${key}: ${value}` };
  }
  // A block `other: scalar` line: add a sibling after it.
  if (/^\s*(?:-\s+)?[^\s:#][^:#]*:[ \t]+[^|>\s#]/.test(s)) return insertAfterLine(L, line, [`${pad(keyColumn(s))}${key}: ${value}`]);
  return undefined;
}

/** Lines of the block a line belongs to (same or deeper indentation), as [first, last]. */
export function blockAround(L: Lines, line: number): [number, number] {
  const ind = indentOf(L.line(line));
  let a = line;
  while (a > 0 && (blank(L.line(a - 1)) || indentOf(L.line(a - 1)) >= ind) && !/^---/.test(L.line(a - 1))) a--;
  let b = line;
  while (b + 1 < L.count && (blank(L.line(b + 1)) || indentOf(L.line(b + 1)) >= ind) && !/^---/.test(L.line(b + 1))) b++;
  return [a, b];
}

/** The container (in the workload's document) that holds a line, or the first one matching `image`. */
export interface ContainerInfo {
  /** Column and line of its `name:` key (where a new key goes). */
  nameLine: number;
  keyColumn: number;
  envLine?: number;
  envItemDash?: number;
  envNames: string[];
  nodeNameVar?: string;
}

export function findContainer(L: Lines, workloadLine: number, pick: { line?: number; image?: RegExp }): ContainerInfo | undefined {
  const { start, end } = chunkAround(L, workloadLine);
  const base = L.starts[start];
  const text = L.text.slice(base, end < L.count ? L.starts[end] : L.text.length);
  let doc;
  try {
    doc = parseDocument(text, { prettyErrors: false, logLevel: 'silent', uniqueKeys: false });
  } catch {
    return undefined;
  }
  const kind = doc.get('kind');
  const path = kind === 'Pod' ? ['spec'] : kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec'];
  const podSpec = doc.getIn(path, true);
  if (!isMap(podSpec)) return undefined;
  const containers = podSpec.get('containers', true);
  if (!isSeq(containers)) return undefined;
  const maps = containers.items.filter(isMap);
  const abs = (off: number) => base + off;
  let chosen = maps.find((c) => pick.line !== undefined && c.range && L.lineAt(abs(c.range[0])) <= pick.line && pick.line <= L.lineAt(abs(Math.max(c.range[0], c.range[1] - 1))));
  if (!chosen && pick.image) chosen = maps.find((c) => pick.image!.test(String(c.get('image') ?? '')));
  chosen ??= pick.line === undefined ? maps[0] : undefined;
  if (!chosen) return undefined;
  const namePair = chosen.items.find((p) => isScalar(p.key) && p.key.value === 'name');
  const firstPair = namePair ?? chosen.items[0];
  const keyNode = firstPair?.key;
  if (!isScalar(keyNode) || !keyNode.range) return undefined;
  const valueNode: unknown = firstPair.value;
  if (valueNode !== null && valueNode !== undefined && !isScalar(valueNode)) return undefined;
  const keyOff = abs(keyNode.range[0]);
  const nameLine = L.lineAt(keyOff);
  const valueRange = isScalar(valueNode) ? valueNode.range : undefined;
  if (valueRange && L.lineAt(abs(Math.max(valueRange[0], valueRange[1] - 1))) !== nameLine) return undefined;
  const info: ContainerInfo = { nameLine, keyColumn: keyOff - L.starts[nameLine], envNames: [] };
  const envPair = chosen.items.find((p) => isScalar(p.key) && p.key.value === 'env');
  if (envPair) {
    const env = envPair.value;
    if (!isSeq(env) || env.flow || !isScalar(envPair.key) || !envPair.key.range) return undefined;
    info.envLine = L.lineAt(abs(envPair.key.range[0]));
    for (const item of env.items) {
      if (!isMap(item)) continue;
      const name = String(item.get('name') ?? '');
      info.envNames.push(name);
      if (item.getIn(['valueFrom', 'fieldRef', 'fieldPath']) === 'spec.nodeName' && !info.nodeNameVar) info.nodeNameVar = name;
      if (info.envItemDash === undefined && item.range) {
        const m = /^(\s*)-/.exec(L.line(L.lineAt(abs(item.range[0]))));
        if (m) info.envItemDash = m[1].length;
      }
    }
    if (info.envItemDash === undefined) info.envItemDash = indentOf(L.line(info.envLine)) + 2;
  }
  return info;
}

/** The env var with the node's name (downward API): its name, and the edit that adds it if needed. */
export function nodeNameEnv(L: Lines, c: ContainerInfo, preferred: string): { name: string; edit?: TextEdit } {
  if (c.nodeNameVar) return { name: c.nodeNameVar };
  let name = preferred;
  for (let i = 2; c.envNames.includes(name); i++) name = `${preferred}_${i}`;
  const item = (d: number) => [`${pad(d)}- name: ${name}`, `${pad(d + 2)}valueFrom:`, `${pad(d + 4)}fieldRef:`, `${pad(d + 6)}fieldPath: spec.nodeName`];
  if (c.envLine !== undefined) return { name, edit: insertAfterLine(L, c.envLine, item(c.envItemDash ?? indentOf(L.line(c.envLine)) + 2)) };
  return { name, edit: insertAfterLine(L, c.nameLine, [`${pad(c.keyColumn)}env:`, ...item(c.keyColumn + 2)]) };
}
