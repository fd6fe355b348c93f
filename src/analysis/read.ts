// Reading Kubernetes manifests: multi-document YAML with source positions, cheap to re-read.
//
// A file is cut into documents at `---` lines (a document marker at column 0 always ends a
// document in YAML, even inside a block scalar, so the cut agrees with the parser). Each
// document's text is the key of a cache: on a keystroke only the edited document is parsed again.
// Documents whose `kind:` says they neither call the API server nor configure something that
// does (Services, Secrets, CRDs, …) are recognised from that line and not parsed at all;
// ConfigMaps are parsed only when a workload mounts them. Nothing here throws on bad input:
// problems come back as notes with a line number.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';

export type Severity = 'error' | 'warning' | 'info';

/** A problem with the input itself (not a finding about API load). Lines are 1-based. */
export interface Note {
  file: string;
  line: number;
  severity: Severity;
  code: 'yaml' | 'helm-template' | 'binary' | 'too-large' | 'unreadable' | 'not-a-manifest' | 'annotation' | 'reference' | 'assumption';
  message: string;
}

/** Kinds the analyzer reads in full. */
export const WORKLOAD_KINDS = ['DaemonSet', 'Deployment', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
const READ_KINDS = new Set<string>([
  ...WORKLOAD_KINDS,
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'List',
]);
const LAZY_KINDS = new Set(['ConfigMap']);

/** Files above this size are refused with a note (the editor should not freeze on a dump). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Alias expansions allowed per document ("billion laughs" guard, as yaml's own toJS). */
const MAX_ALIAS_EXPANSIONS = 100;

// ---- positions ----------------------------------------------------------------------------

/** Where a parsed document's text came from: its chunk's line counter. */
interface ChunkSource {
  lc: LineCounter;
}

interface PosInfo {
  src: ChunkSource;
  /** Offset (in the chunk) of the collection itself. */
  self: number;
  /** Offset of each key (maps) or item (sequences). */
  at: Record<string, number>;
}

const POS = new WeakMap<object, PosInfo>();

// ---- the parsed form -------------------------------------------------------------------------

/** One Kubernetes object as read from a document; positions relative to its chunk. */
export interface RawObject {
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  /** 1-based line of the object (its `kind:` line when known) within the chunk. */
  relLine: number;
  /** The object as plain JSON values (undefined until read for lazily read kinds). */
  body?: Record<string, unknown>;
  /** True when the kind is of no interest and the document was not parsed. */
  skipped?: boolean;
  /** For lazily read kinds: reads the body on first use. */
  load?: () => Record<string, unknown> | undefined;
}

interface ChunkNote {
  relLine: number;
  severity: Severity;
  code: Note['code'];
  message: string;
}

interface ParsedChunk {
  objects: RawObject[];
  notes: ChunkNote[];
}

/** An object in a file: a cached RawObject placed at its chunk's line. */
export interface ManifestObject {
  file: string;
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  /** 1-based line in the file. */
  line: number;
  /** The body (reads lazily read kinds on first access). */
  body(): Record<string, unknown> | undefined;
  /** 1-based line of a key of a collection inside this object's body (or of the collection). */
  lineOf(container: unknown, key?: string | number): number;
  /** Index of the document in its file (0-based, counting skipped ones). */
  index: number;
  skipped: boolean;
}

export interface ReadResult {
  file: string;
  objects: ManifestObject[];
  notes: Note[];
  /** Documents seen (including those not parsed). */
  documents: number;
}

/** Parsed chunks by their text. Bounded; the oldest entries go first. */
export class ReadCache {
  private readonly map = new Map<string, ParsedChunk>();
  constructor(readonly maxEntries = 20_000) {}
  get(text: string): ParsedChunk | undefined {
    const v = this.map.get(text);
    if (v) {
      // Refresh: most recently used last.
      this.map.delete(text);
      this.map.set(text, v);
    }
    return v;
  }
  set(text: string, v: ParsedChunk): void {
    this.map.set(text, v);
    if (this.map.size > this.maxEntries) {
      const drop = Math.ceil(this.maxEntries / 10);
      let i = 0;
      for (const k of this.map.keys()) {
        if (i++ >= drop) break;
        this.map.delete(k);
      }
    }
  }
  get size(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
}

export const defaultReadCache = new ReadCache();

// ---- file level --------------------------------------------------------------------------

/** Is this text binary (NUL bytes or mostly undecodable)? */
export function looksBinary(text: string): boolean {
  const head = text.length > 8192 ? text.slice(0, 8192) : text;
  if (head.includes('\u0000')) return true;
  let bad = 0;
  for (let i = 0; i < head.length; i++) if (head.charCodeAt(i) === 0xfffd) bad++;
  return head.length > 0 && bad / head.length > 0.05;
}

/**
 * Reads every Kubernetes object of one file. Never throws. With `cache` null nothing is kept
 * across calls: each document is parsed, its objects extracted and its YAML tree dropped.
 */
export function readManifests(file: string, input: string, cache: ReadCache | null = defaultReadCache): ReadResult {
  const notes: Note[] = [];
  const objects: ManifestObject[] = [];
  if (typeof input !== 'string') {
    notes.push({ file, line: 1, severity: 'error', code: 'unreadable', message: 'not text' });
    return { file, objects, notes, documents: 0 };
  }
  if (input.length > MAX_FILE_BYTES) {
    notes.push({ file, line: 1, severity: 'error', code: 'too-large', message: `file is ${(input.length / 2 ** 20).toFixed(1)} MB; files above ${MAX_FILE_BYTES / 2 ** 20} MB are not analysed` });
    return { file, objects, notes, documents: 0 };
  }
  if (looksBinary(input)) {
    notes.push({ file, line: 1, severity: 'error', code: 'binary', message: 'binary file (not YAML), not analysed' });
    return { file, objects, notes, documents: 0 };
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let documents = 0;
  for (const chunk of splitDocuments(text)) {
    let parsed = cache?.get(chunk.text);
    if (!parsed) {
      parsed = parseChunk(chunk.text, file);
      cache?.set(chunk.text, parsed);
    }
    const base = chunk.line - 1;
    for (const n of parsed.notes) notes.push({ file, line: base + n.relLine, severity: n.severity, code: n.code, message: n.message });
    for (const o of parsed.objects) {
      objects.push(place(o, file, base, documents));
      documents++;
    }
  }
  return { file, objects, notes, documents };
}

function place(o: RawObject, file: string, base: number, index: number): ManifestObject {
  return {
    file,
    kind: o.kind,
    apiVersion: o.apiVersion,
    name: o.name,
    namespace: o.namespace,
    line: base + o.relLine,
    index,
    skipped: !!o.skipped,
    body: () => {
      if (o.body === undefined && o.load) {
        o.body = o.load();
        o.load = undefined;
      }
      return o.body;
    },
    lineOf: (container, key) => {
      const p = container && typeof container === 'object' ? POS.get(container) : undefined;
      if (!p) return base + o.relLine;
      const off = key === undefined ? p.self : (p.at[String(key)] ?? p.self);
      return base + p.src.lc.linePos(off).line;
    },
  };
}

/** Cuts a file into documents at `---` lines. Lines are 1-based. */
export function splitDocuments(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let start = 0;
  let startLine = 1;
  let line = 1;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    if (pos !== start && text.charCodeAt(pos) === 45 /* - */ && text.startsWith('---', pos)) {
      const c = pos + 3 < n ? text.charCodeAt(pos + 3) : 10;
      if (c === 10 || c === 13 || c === 32 || c === 9) {
        out.push({ text: text.slice(start, pos), line: startLine });
        start = pos;
        startLine = line;
      }
    }
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    pos = nl + 1;
    line++;
  }
  if (start < n || out.length === 0) out.push({ text: text.slice(start), line: startLine });
  return out;
}

// ---- one chunk ---------------------------------------------------------------------------

const KIND_LINE = /^kind:[ \t]*(["']?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?\r?$/gm;
/** Helm/Go-template syntax that cannot be YAML (prometheus `{{ $labels }}` does not match). */
const HELM = /\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|\.Template|\$\.|include\s|template\s|if\s|else\b|end\s*-?\}\}|range\s|with\s|define\s|toYaml\b|tpl\s|\/\*|-?\s*\$[A-Za-z_]+\s*:=)/;

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  let i = text.indexOf('\n');
  while (i >= 0 && i < offset) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}

/** Parses one document's text (in rare cases a chunk holds several documents, split by `...`). */
export function parseChunk(text: string, file = ''): ParsedChunk {
  const notes: ChunkNote[] = [];
  if (text.includes('{{')) {
    const m = HELM.exec(text);
    if (m || /\/templates\//.test(file.replace(/\\/g, '/'))) {
      const at = m ? lineAtOffset(text, m.index) : 1;
      notes.push({ relLine: at, severity: 'info', code: 'helm-template', message: 'Helm template syntax ({{ … }}): this document is skipped; lint the output of `helm template` instead' });
      return { objects: [], notes };
    }
  }
  // The kind, from its line, without parsing.
  KIND_LINE.lastIndex = 0;
  const first = KIND_LINE.exec(text);
  const second = first ? KIND_LINE.exec(text) : null;
  if (first && !second) {
    const kind = first[2];
    const relLine = lineAtOffset(text, first.index);
    if (!READ_KINDS.has(kind) && !LAZY_KINDS.has(kind)) {
      return { objects: [{ kind, apiVersion: '', name: '', relLine, skipped: true }], notes };
    }
    if (LAZY_KINDS.has(kind)) {
      const meta = cheapMetadata(text);
      if (meta) {
        const o: RawObject = {
          kind,
          apiVersion: 'v1',
          name: meta.name,
          namespace: meta.namespace,
          relLine,
          load: () => {
            const p = parseFull(text);
            const same = p.objects.find((x) => x.kind === kind);
            return same?.body;
          },
        };
        return { objects: [o], notes };
      }
    }
  }
  return parseFull(text);
}

/** metadata.name and .namespace of a block-style document, read from its lines; undefined when unsure. */
export function cheapMetadata(text: string): { name: string; namespace?: string } | undefined {
  const m = /^metadata:[ \t]*(?:#.*)?\r?\n/m.exec(text);
  if (!m) return undefined;
  let pos = m.index + m[0].length;
  let indent = -1;
  let name: string | undefined;
  let namespace: string | undefined;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const ind = line.length - trimmed.length;
    if (ind === 0) break;
    if (line[ind - 1] === '\t' || line.slice(0, ind).includes('\t')) return undefined;
    if (indent < 0) indent = ind;
    if (ind < indent) return undefined;
    if (ind !== indent) continue;
    const kv = /^(name|namespace):[ \t]*(.*)$/.exec(trimmed);
    if (!kv) continue;
    const v = scalarText(kv[2]);
    if (v === undefined) return undefined;
    if (kv[1] === 'name') name = v;
    else namespace = v;
  }
  return name ? { name, namespace } : undefined;
}

function scalarText(raw: string): string | undefined {
  let v = raw.replace(/[ \t]+#.*$/, '').trim();
  if (v === '') return undefined;
  if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) v = v.slice(1, -1);
  else if (/^[&*!|>{[@`%"']/.test(v)) return undefined;
  if (v.includes('\\') || v.includes("''")) return undefined;
  return v;
}

function parseFull(text: string): ParsedChunk {
  const notes: ChunkNote[] = [];
  const objects: RawObject[] = [];
  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, logLevel: 'silent' }) as Document.Parsed[];
  } catch (e) {
    notes.push({ relLine: 1, severity: 'error', code: 'yaml', message: `YAML: ${(e as Error).message.split('\n')[0]}` });
    return { objects, notes };
  }
  if (!Array.isArray(docs)) docs = [];
  const src: ChunkSource = { lc };
  for (const doc of docs) {
    for (const e of doc.errors) {
      notes.push({ relLine: e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line, severity: 'error', code: 'yaml', message: `YAML: ${e.message.split('\n')[0]}` });
    }
    for (const w of doc.warnings) {
      notes.push({ relLine: w.linePos?.[0]?.line ?? lc.linePos(w.pos[0]).line, severity: 'warning', code: 'yaml', message: `YAML: ${w.message.split('\n')[0]}` });
    }
    const root = doc.contents;
    if (root === null || root === undefined) continue; // an empty document (comments only)
    const ctx: ConvertContext = { doc, src, aliases: 0, notes };
    let value: unknown;
    try {
      value = convert(root, ctx, 0);
    } catch (e) {
      notes.push({ relLine: lc.linePos(root.range?.[0] ?? 0).line, severity: 'error', code: 'yaml', message: `YAML: ${(e as Error).message}` });
      continue;
    }
    const rootLine = lc.linePos(root.range?.[0] ?? 0).line;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      if (doc.errors.length === 0) notes.push({ relLine: rootLine, severity: 'info', code: 'not-a-manifest', message: 'document is not a mapping: not a Kubernetes object' });
      continue;
    }
    const add = (body: Record<string, unknown>) => {
      const kind = typeof body.kind === 'string' ? body.kind : '';
      const meta = isObject(body.metadata) ? body.metadata : {};
      const p = POS.get(body);
      const relLine = p ? lc.linePos(p.at.kind ?? p.self).line : rootLine;
      if (!kind) {
        if (doc.errors.length === 0) notes.push({ relLine, severity: 'info', code: 'not-a-manifest', message: 'document has no kind: not a Kubernetes object' });
        return;
      }
      objects.push({
        kind,
        apiVersion: typeof body.apiVersion === 'string' ? body.apiVersion : '',
        name: typeof meta.name === 'string' ? meta.name : typeof meta.name === 'number' ? String(meta.name) : '',
        namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
        relLine,
        body,
        skipped: !READ_KINDS.has(kind) && !LAZY_KINDS.has(kind),
      });
    };
    const body = value as Record<string, unknown>;
    if (body.kind === 'List' && Array.isArray(body.items)) {
      for (const it of body.items) if (isObject(it)) add(it);
    } else add(body);
  }
  return { objects, notes };
}

interface ConvertContext {
  doc: Document.Parsed;
  src: ChunkSource;
  aliases: number;
  notes: ChunkNote[];
}

/** yaml nodes -> plain JSON values, recording each key's offset. */
function convert(node: unknown, ctx: ConvertContext, depth: number): unknown {
  if (depth > 200) throw new Error('nesting deeper than 200 levels');
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    const v = node.value;
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'bigint') return Number(v);
    return v === undefined ? null : v;
  }
  if (isMap(node)) {
    const o: Record<string, unknown> = {};
    const at: Record<string, number> = Object.create(null);
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      let key: string;
      if (k === null || k === undefined) key = '';
      else if (isScalar(k)) key = String(k.value);
      else key = JSON.stringify(convert(k, ctx, depth + 1));
      const v = convert(pair.value, ctx, depth + 1);
      if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
      else o[key] = v;
      const off = k?.range?.[0] ?? (pair.value as YamlNode | null)?.range?.[0];
      if (off !== undefined) at[key] = off;
    }
    POS.set(o, { src: ctx.src, self: node.range?.[0] ?? 0, at });
    return o;
  }
  if (isSeq(node)) {
    const a: unknown[] = [];
    const at: Record<string, number> = Object.create(null);
    for (let i = 0; i < node.items.length; i++) {
      const it = node.items[i] as YamlNode | null;
      a.push(convert(it, ctx, depth + 1));
      const off = it?.range?.[0];
      if (off !== undefined) at[i] = off;
    }
    POS.set(a, { src: ctx.src, self: node.range?.[0] ?? 0, at });
    return a;
  }
  if (isAlias(node)) {
    if (++ctx.aliases > MAX_ALIAS_EXPANSIONS) throw new Error(`more than ${MAX_ALIAS_EXPANSIONS} alias expansions`);
    const target = node.resolve(ctx.doc);
    return target ? convert(target, ctx, depth + 1) : null;
  }
  return null;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
