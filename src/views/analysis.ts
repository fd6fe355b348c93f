// The manifest load analysis in the editor: for YAML files with Kubernetes workloads, findings in
// the Problems panel, a CodeLens with each workload's estimated API-server load at every cluster
// profile, a hover with the breakdown per call, and quick fixes that make the YAML cheaper.
//
// Activation stays light: the analyzer, the cost model and the YAML parser are loaded with a
// dynamic import on the first analysis (esbuild wraps dynamically imported modules in lazy
// initialisers, so nothing of them is evaluated before). Re-analysis on edit is debounced per
// document and incremental (the analyzer re-parses only the YAML documents whose text changed).
// Nothing here throws into the extension host: a failed analysis becomes one diagnostic at line 1.
import * as vscode from 'vscode';
import type { ModeController } from './mode';
import type { AnalysisResult, Finding, ProfileEstimate, UsageCall, WorkloadReport } from '../analysis';
import type { ClusterProfile } from '../cost/model';

interface Engine {
  analysis: typeof import('../analysis');
  rules: typeof import('../analysis/rules');
  usage: typeof import('../analysis/usage');
  model: typeof import('../cost/model');
  yaml: typeof import('yaml');
}

const SOURCE = 'breakglass';
const COLLECTION = 'breakglass-manifests';
const DEBOUNCE_MS = 200;
/** Read-only documents that explain a rule (the target of a diagnostic's code). */
const RULE_SCHEME = 'breakglass-rule';
const SETTING = 'clusterProfiles';
const SELECTOR: vscode.DocumentSelector = [{ language: 'yaml' }, { pattern: '**/*.{yaml,yml}' }];
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-userdata']);
/** Above this analysis time (ms), quick fixes are checked for valid YAML but not re-analysed. */
const VERIFY_BUDGET_MS = 60;
const MAX_PROFILES = 10;
const MAX_CALLS_IN_HOVER = 8;

let enginePromise: Promise<Engine> | undefined;

function loadEngine(): Promise<Engine> {
  enginePromise ??= Promise.all([import('../analysis'), import('../analysis/rules'), import('../analysis/usage'), import('../cost/model'), import('yaml')]).then(
    ([analysis, rules, usage, model, yaml]) => ({ analysis, rules, usage, model, yaml }),
    (e: unknown) => {
      enginePromise = undefined;
      throw e;
    },
  );
  return enginePromise;
}

// ---- settings -----------------------------------------------------------------------------------

export interface ProfilesSetting {
  /** undefined: the analyzer's defaults. */
  profiles?: ClusterProfile[];
  /** Why the setting was not used (one sentence), when it was not. */
  problem?: string;
}

const PROFILE_KEYS = new Set(['name', 'nodes', 'podsPerNode']);

/** Validates `breakglass.clusterProfiles`. Never throws; a bad value means the defaults and a reason. */
export function validateProfiles(raw: unknown): ProfilesSetting {
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) return { problem: `must be a list of {name, nodes, podsPerNode}, not ${describeValue(raw)}` };
  if (raw.length === 0) return {};
  if (raw.length > MAX_PROFILES) return { problem: `has ${raw.length} entries; at most ${MAX_PROFILES} are shown` };
  const out: ClusterProfile[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i++) {
    const e: unknown = raw[i];
    const at = `entry ${i + 1}`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) return { problem: `${at} must be an object {name, nodes, podsPerNode}, not ${describeValue(e)}` };
    const o = e as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !PROFILE_KEYS.has(k));
    if (unknown.length) return { problem: `${at} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: name, nodes, podsPerNode)` };
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    if (!name || name.length > 64 || /[\r\n]/.test(name)) return { problem: `${at}: name must be a non-empty text of at most 64 characters` };
    if (seen.has(name)) return { problem: `${at}: the name "${name}" is used twice` };
    seen.add(name);
    const nodes = o.nodes;
    if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 1 || nodes > 1_000_000) return { problem: `${at} (${name}): nodes must be a whole number from 1 to 1,000,000, not ${describeValue(nodes)}` };
    const ppn = o.podsPerNode === undefined ? 30 : o.podsPerNode;
    if (typeof ppn !== 'number' || !Number.isInteger(ppn) || ppn < 1 || ppn > 1000) return { problem: `${at} (${name}): podsPerNode must be a whole number from 1 to 1,000, not ${describeValue(ppn)}` };
    out.push({ name, nodes, podsPerNode: ppn });
  }
  return { profiles: out };
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

// ---- text utilities ------------------------------------------------------------------------------

/** A text with its line starts: offsets and 0-based lines without touching the live document. */
class Lines {
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
  position(offset: number): vscode.Position {
    const l = this.lineAt(offset);
    return new vscode.Position(l, offset - this.starts[l]);
  }
}

const indentOf = (s: string) => s.length - s.trimStart().length;
const blank = (s: string) => s.trim() === '' || s.trimStart().startsWith('#');
const reEsc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const pad = (n: number) => ' '.repeat(Math.max(0, n));
/** Column where a line's mapping keys start (after a sequence dash). */
const keyColumn = (s: string) => {
  const m = /^(\s*)-\s+/.exec(s);
  return m ? m[0].length : indentOf(s);
};

/** Text for inline markdown: what could start markup mid-line (emphasis, code, links, tables, HTML) is escaped. */
const md = (s: string) => s.replace(/[\\`*_[\]|<>~]/g, '\\$&');

const looksLikeKubernetes = (text: string) => /^[ \t]*(?:-[ \t]+)?apiVersion[ \t]*:/m.test(text) && /^[ \t]*(?:-[ \t]+)?kind[ \t]*:/m.test(text);

function isCandidate(doc: vscode.TextDocument): boolean {
  if (!SCHEMES.has(doc.uri.scheme)) return false;
  return doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri.path);
}

/** The YAML documents of a text, as line ranges [start, end) cut at `---` lines. */
function chunkAround(L: Lines, line: number): { start: number; end: number } {
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

// ---- formatting -------------------------------------------------------------------------------------

/** Share of capacity, short: 66×, 1.5×, 12%, 0.05%. */
export function ratioShort(r: number): string {
  if (!Number.isFinite(r)) return '∞×';
  if (r >= 10) return `${Math.round(r).toLocaleString('en-US')}×`;
  if (r >= 1) return `${r.toFixed(1)}×`;
  const pct = r * 100;
  if (pct >= 10) return `${pct.toFixed(0)}%`;
  if (pct >= 1) return `${pct.toFixed(1)}%`;
  if (pct >= 0.01) return `${pct.toFixed(2)}%`;
  return pct > 0 ? '<0.01%' : '0%';
}

const worst = (est: ProfileEstimate[]) => est.reduce<ProfileEstimate | undefined>((a, b) => (!a || b.capacityRatio > a.capacityRatio ? b : a), undefined);
const maxRatio = (est: ProfileEstimate[]) => est.reduce((m, e) => Math.max(m, e.capacityRatio), 0);

function callText(e: Engine, c: UsageCall): string {
  const scope = c.scope === 'cluster' ? 'cluster-wide' : c.scope === 'namespace' ? 'in a namespace' : 'of its node';
  const every = c.intervalSeconds > 0 ? ` every ${e.rules.fmtNumber(c.intervalSeconds)} s` : c.verb === 'watch' ? ' (watch)' : '';
  const perPod = c.perPodOnNodePerSecond ? ' per pod on its node' : '';
  return `${c.verb.toUpperCase()} ${c.resource} ${scope}${every}${perPod}`;
}

/** The CodeLens title of a workload. */
function lensTitle(e: Engine, w: WorkloadReport): string {
  const fmt = e.rules.fmtNumber;
  if (!w.calls.length) {
    if (w.source === 'rbac' && w.reach.length) {
      const wide = [...new Set(w.reach.filter((c) => c.scope === 'cluster').map((c) => c.resource))];
      return `≈ API usage not declared${wide.length ? ` · its RBAC allows watching ${wide.join(', ')} cluster-wide` : ''}`;
    }
    if (w.source === 'agent' && w.agents.length) return `≈ no API-server calls known (${w.agents.join(', ')})`;
    return '≈ no API-server calls known';
  }
  const byLoad = (est: ProfileEstimate[]) => [...est].sort((a, b) => b.capacityRatio - a.capacityRatio || b.nodes - a.nodes);
  const line = (est: ProfileEstimate[]) => {
    const [top, ...rest] = byLoad(est);
    return [`${fmt(top.requestsPerSecond)} req/s`, `${ratioShort(top.capacityRatio)} API capacity at ${top.profile} (${top.nodes.toLocaleString('en-US')} nodes)`, ...rest.map((p) => `${ratioShort(p.capacityRatio)} at ${p.profile}`)];
  };
  if (!w.estimates.length) return '≈ no cluster profiles';
  const start = worst(w.start);
  // Watches only: nothing polls, the cost is the initial LISTs when the clients start.
  if (w.estimates.every((e) => e.requestsPerSecond === 0) && start && start.requestsPerSecond > 0) return `≈ no steady polling · at start-up ${line(w.start).join(' · ')}`;
  const parts = [`≈ ${line(w.estimates).join(' · ')}`];
  if (start && start.capacityRatio > maxRatio(w.estimates)) parts.push(`start-up: ${fmt(start.requestsPerSecond)} req/s, ${ratioShort(start.capacityRatio)} at ${start.profile}`);
  return parts.join(' · ');
}

const SOURCE_TEXT: Record<string, string> = {
  annotation: 'declared (breakglass.dev/api-calls)',
  agent: 'known agent configuration',
  command: 'kubectl/curl calls in its command',
  rbac: "its ServiceAccount's RBAC (reach, not usage)",
  none: 'nothing found',
};

/** What one request of a call reads, in words. */
function objectsInWords(c: UsageCall, cost: { objectsPerRequest: number; returnedPerRequest: number; servedFrom: string }, p: ClusterProfile, fmt: (n: number) => string): string {
  if (c.verb !== 'list' && c.verb !== 'watch') return 'one object per request';
  const all = cost.objectsPerRequest;
  const res = c.resource;
  if (c.scope === 'cluster') return `every ${res === 'pods' ? `pod in the cluster (nodes × pods per node = ${fmt(p.nodes)} × ${p.podsPerNode})` : `${res.replace(/s$/, '')} in the cluster`} = ${fmt(all)} per request`;
  if (c.scope === 'namespace') return `one namespace's ${res} = ${fmt(all)} per request`;
  if (cost.returnedPerRequest < all) return `${fmt(all)} read per request to return the ${fmt(cost.returnedPerRequest)} of its node (${cost.servedFrom === 'etcd' ? 'etcd reads every object; the field selector filters afterwards' : 'filtered after reading'})`;
  return `${fmt(all)} per request (its node's ${res}${cost.servedFrom === 'cache' && res === 'pods' ? ', from the watch cache index by node' : ''})`;
}

/** The hover of a workload: totals and the breakdown per call and profile, with the formulas in words. */
function hoverMarkdown(e: Engine, w: WorkloadReport, profiles: ClusterProfile[]): vscode.MarkdownString {
  const { fmtNumber: fmt, fmtBytes } = e.rules;
  const m = new vscode.MarkdownString('', false);
  m.isTrusted = false;
  m.supportHtml = false;
  const clients = w.clients === 'perNode' ? 'one client per node' : `${w.clients} replica${w.clients === 1 ? '' : 's'}`;
  m.appendMarkdown(`**${md(w.workload.kind)} ${md(w.workload.namespace)}/${md(w.workload.name)}**: estimated API-server load (steady state)\n\n`);
  m.appendMarkdown(`${clients} · ServiceAccount \`${w.serviceAccount.replace(/`/g, '')}\` · priority level \`${w.priorityLevel.replace(/`/g, '')}\`${w.flowSchema ? ` (FlowSchema \`${w.flowSchema.replace(/`/g, '')}\`)` : ''} · evidence: ${md(SOURCE_TEXT[w.source] ?? w.source)}\n\n`);
  const est = w.estimates;
  if (!w.calls.length || !est.length) {
    m.appendMarkdown(w.source === 'rbac' ? 'No API calls are known; its RBAC would allow the calls below. Declare what it really does with the `breakglass.dev/api-calls` annotation.\n\n' : 'No API-server calls are known for this workload.\n\n');
    for (const c of w.reach.slice(0, MAX_CALLS_IN_HOVER)) m.appendMarkdown(`- ${md(callText(e, c))}: ${md(c.evidence.detail)}\n`);
    return m;
  }
  const header = `| | ${est.map((p) => `${md(p.profile)} (${p.nodes.toLocaleString('en-US')} nodes × ${p.podsPerNode} pods)`).join(' | ')} |\n|---|${est.map(() => '---:').join('|')}|\n`;
  const row = (label: string, f: (p: ProfileEstimate) => string) => `| ${label} | ${est.map(f).join(' | ')} |\n`;
  m.appendMarkdown(
    header +
      row('clients', (p) => fmt(p.clients)) +
      row('requests/s', (p) => fmt(p.requestsPerSecond)) +
      row('objects/s', (p) => fmt(p.objectsPerSecond)) +
      row('bytes/s', (p) => fmtBytes(p.bytesPerSecond)) +
      row('APF seats', (p) => fmt(p.seats)) +
      row('API-server CPU cores', (p) => fmt(p.cpu)) +
      row('**share of capacity**', (p) => `**${ratioShort(p.capacityRatio)}**`) +
      '\n',
  );
  const start = worst(w.start);
  const steadyMax = maxRatio(est);
  if (start && start.capacityRatio > steadyMax) {
    m.appendMarkdown(`**At start-up** (every client starting within ${e.usage.START_WINDOW_SECONDS / 60} minutes: a new DaemonSet, an unthrottled update, an API-server restart) it is worse: ${w.start.map((p) => `${md(p.profile)} ${fmt(p.requestsPerSecond)} req/s, ${ratioShort(p.capacityRatio)}`).join(' · ')}.\n\n`);
  }
  m.appendMarkdown('**Per call**\n\n');
  for (const c of w.calls.slice(0, MAX_CALLS_IN_HOVER)) {
    const rows: { p: ClusterProfile; cost?: import('../cost/model').CallCost; total: import('../cost/model').CostEstimate }[] = profiles.map((p) => {
      const u = e.usage.steadyUsage(w.workload.name, w.clients, [c], p, w.priorityLevel);
      const total = e.model.estimate(u, p);
      return { p, cost: total.perCall[0], total };
    });
    m.appendMarkdown(`\`${callText(e, c).replace(/`/g, '')}\`${c.verb === 'list' || c.verb === 'watch' ? (c.resourceVersion === '0' ? ' · from the watch cache (resourceVersion "0")' : ' · from etcd (no resourceVersion "0")') : ''} · ${md(c.evidence.detail)} (line ${c.evidence.line})\n\n`);
    const priced = rows.filter((r) => r.cost && r.cost.requestsPerSecond > 0);
    if (!priced.length) {
      m.appendMarkdown(c.verb === 'watch' ? '- a watch: one LIST when each client starts, then a stream of changes; no steady polling\n\n' : '- once per client start; no steady requests\n\n');
      continue;
    }
    const cols = `| | ${priced.map((r) => md(r.p.name)).join(' | ')} |\n|---|${priced.map(() => '---:').join('|')}|\n`;
    const line = (label: string, f: (r: (typeof priced)[number]) => string) => `| ${label} | ${priced.map(f).join(' | ')} |\n`;
    m.appendMarkdown(
      cols +
        line('requests/s', (r) => fmt(r.total.requestsPerSecond)) +
        line('objects read per request', (r) => fmt(r.cost!.objectsPerRequest)) +
        line('objects/s', (r) => fmt(r.total.objectsPerSecond)) +
        line('bytes/s', (r) => fmtBytes(r.total.bytesPerSecond)) +
        line('APF seats', (r) => fmt(r.total.seatsInUse)) +
        line('CPU cores', (r) => fmt(r.total.apiServerCores)) +
        line('share of capacity', (r) => ratioShort(r.total.capacityRatio)) +
        '\n',
    );
    const r0 = priced.reduce((a, b) => (b.p.nodes > a.p.nodes ? b : a));
    const cost = r0.cost!;
    const interval = c.perPodOnNodePerSecond ? `${r0.p.podsPerNode} pods × ${fmt(c.perPodOnNodePerSecond)} per pod per second` : `1/${fmt(c.intervalSeconds)} s`;
    const perObject = cost.returnedPerRequest > 0 ? cost.bytesPerRequest / cost.returnedPerRequest : cost.bytesPerRequest;
    m.appendMarkdown(
      [
        `- requests/s = clients × ${interval} (at ${md(r0.p.name)}: ${fmt(r0.total.clients)} × ${interval} = ${fmt(r0.total.requestsPerSecond)})`,
        `- objects/s = requests/s × objects read per request: ${md(objectsInWords(c, cost, r0.p, fmt))}`,
        `- bytes/s = requests/s × objects returned per request (${fmt(cost.returnedPerRequest)}) × ${fmtBytes(perObject)} per object (${c.encoding ?? 'json'})`,
        `- APF seats = requests/s × seats per request (${fmt(cost.seatsPerRequest)}: grows with the objects a LIST reads) × time each request holds them (${fmt(cost.latencySeconds)} s)`,
        `- CPU cores = requests/s × ${fmt(cost.cpuSecondsPerRequest)} CPU seconds per request (reading ${cost.servedFrom === 'etcd' ? 'from etcd' : 'from the cache'}, encoding)`,
        `- share of capacity = the largest of: its seats ÷ the seats its priority level can use, its CPU ÷ the API servers' cores, its LIST memory ÷ their memory`,
      ].join('\n') + '\n\n',
    );
  }
  if (w.calls.length > MAX_CALLS_IN_HOVER) m.appendMarkdown(`…and ${w.calls.length - MAX_CALLS_IN_HOVER} more calls.\n\n`);
  m.appendMarkdown('Estimates from the shared cost model (the simulator uses the same numbers); cluster sizes from the `breakglass.clusterProfiles` setting.');
  return m;
}

// ---- quick fixes --------------------------------------------------------------------------------

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface FixPlan {
  title: string;
  finding: Finding;
  edits: Edit[];
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const ed of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, ed.start) + ed.text + out.slice(ed.end);
  return out;
}

const insertAfterLine = (L: Lines, line: number, lines: string[]): Edit => ({ start: L.end(line), end: L.end(line), text: lines.map((l) => L.eol + l).join('') });

/** Sets `key: value` on one line: replaces the value, adds it to a flow mapping, or adds a sibling line. */
function setOnLine(L: Lines, line: number, key: string, value: string): Edit | undefined {
  const s = L.line(line);
  const base = L.starts[line];
  const re = new RegExp(`(^|[\\s{,])(${reEsc(key)})([ \\t]*:)([ \\t]*)("(?:[^"\\\\]|\\\\.)*"|'(?:[^']|'')*'|[^,}\\s#][^,}#]*?)?(?=[ \\t]*(?:[,}]|#|$))`);
  const m = re.exec(s);
  if (m) {
    const at = m.index + m[1].length + m[2].length + m[3].length;
    const end = at + m[4].length + (m[5]?.length ?? 0);
    return { start: base + at, end: base + end, text: ` ${value}` };
  }
  const close = s.lastIndexOf('}');
  const open = s.indexOf('{');
  if (open >= 0 && close > open) {
    const inner = s.slice(open + 1, close);
    return inner.trim() ? { start: base + close, end: base + close, text: `, ${key}: ${value}` } : { start: base + open + 1, end: base + close, text: `${key}: ${value}` };
  }
  // A block `other: scalar` line: add a sibling after it.
  if (/^\s*(?:-\s+)?[^\s:#][^:#]*:[ \t]+[^|>\s#]/.test(s)) return insertAfterLine(L, line, [`${pad(keyColumn(s))}${key}: ${value}`]);
  return undefined;
}

/** Lines of the block a line belongs to (same or deeper indentation), as [first, last]. */
function blockAround(L: Lines, line: number): [number, number] {
  const ind = indentOf(L.line(line));
  let a = line;
  while (a > 0 && (blank(L.line(a - 1)) || indentOf(L.line(a - 1)) >= ind) && !/^---/.test(L.line(a - 1))) a--;
  let b = line;
  while (b + 1 < L.count && (blank(L.line(b + 1)) || indentOf(L.line(b + 1)) >= ind) && !/^---/.test(L.line(b + 1))) b++;
  return [a, b];
}

/** The container (in the workload's document) that holds a line, or the first one matching `image`. */
interface ContainerInfo {
  /** Column and line of its `name:` key (where a new key goes). */
  nameLine: number;
  keyColumn: number;
  envLine?: number;
  envItemDash?: number;
  envNames: string[];
  nodeNameVar?: string;
}

function findContainer(e: Engine, L: Lines, workloadLine: number, pick: { line?: number; image?: RegExp }): ContainerInfo | undefined {
  const { start, end } = chunkAround(L, workloadLine);
  const base = L.starts[start];
  const text = L.text.slice(base, end < L.count ? L.starts[end] : L.text.length);
  const Y = e.yaml;
  let doc;
  try {
    doc = Y.parseDocument(text, { prettyErrors: false, logLevel: 'silent', uniqueKeys: false });
  } catch {
    return undefined;
  }
  const kind = doc.get('kind');
  const path = kind === 'Pod' ? ['spec'] : kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec'];
  const podSpec = doc.getIn(path, true);
  if (!Y.isMap(podSpec)) return undefined;
  const containers = podSpec.get('containers', true);
  if (!Y.isSeq(containers)) return undefined;
  const maps = containers.items.filter(Y.isMap);
  const abs = (off: number) => base + off;
  let chosen = maps.find((c) => pick.line !== undefined && c.range && L.lineAt(abs(c.range[0])) <= pick.line && pick.line <= L.lineAt(abs(Math.max(c.range[0], c.range[1] - 1))));
  if (!chosen && pick.image) chosen = maps.find((c) => pick.image!.test(String(c.get('image') ?? '')));
  chosen ??= pick.line === undefined ? maps[0] : undefined;
  if (!chosen) return undefined;
  const namePair = chosen.items.find((p) => Y.isScalar(p.key) && p.key.value === 'name');
  const firstPair = namePair ?? chosen.items[0];
  const keyNode = firstPair?.key;
  if (!Y.isScalar(keyNode) || !keyNode.range) return undefined;
  const valueNode: unknown = firstPair.value;
  if (valueNode !== null && valueNode !== undefined && !Y.isScalar(valueNode)) return undefined;
  const keyOff = abs(keyNode.range[0]);
  const nameLine = L.lineAt(keyOff);
  const valueRange = Y.isScalar(valueNode) ? valueNode.range : undefined;
  if (valueRange && L.lineAt(abs(Math.max(valueRange[0], valueRange[1] - 1))) !== nameLine) return undefined;
  const info: ContainerInfo = { nameLine, keyColumn: keyOff - L.starts[nameLine], envNames: [] };
  const envPair = chosen.items.find((p) => Y.isScalar(p.key) && p.key.value === 'env');
  if (envPair) {
    const env = envPair.value;
    if (!Y.isSeq(env) || env.flow || !Y.isScalar(envPair.key) || !envPair.key.range) return undefined;
    info.envLine = L.lineAt(abs(envPair.key.range[0]));
    for (const item of env.items) {
      if (!Y.isMap(item)) continue;
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
function nodeNameEnv(L: Lines, c: ContainerInfo, preferred: string): { name: string; edit?: Edit } {
  if (c.nodeNameVar) return { name: c.nodeNameVar };
  let name = preferred;
  for (let i = 2; c.envNames.includes(name); i++) name = `${preferred}_${i}`;
  const item = (d: number) => [`${pad(d)}- name: ${name}`, `${pad(d + 2)}valueFrom:`, `${pad(d + 4)}fieldRef:`, `${pad(d + 6)}fieldPath: spec.nodeName`];
  if (c.envLine !== undefined) return { name, edit: insertAfterLine(L, c.envLine, item(c.envItemDash ?? indentOf(L.line(c.envLine)) + 2)) };
  return { name, edit: insertAfterLine(L, c.nameLine, [`${pad(c.keyColumn)}env:`, ...item(c.keyColumn + 2)]) };
}

/** The quick fixes for one finding, as plans of edits on the analysed text. */
function planFixes(e: Engine, L: Lines, path: string, f: Finding, report: WorkloadReport | undefined): FixPlan[] {
  const plans: FixPlan[] = [];
  const add = (title: string, edits: (Edit | undefined)[]) => {
    if (edits.length && edits.every((x): x is Edit => !!x)) plans.push({ title, finding: f, edits });
  };
  const fix = f.fix;
  const here = (file: string) => file === path;
  if (fix && here(fix.file)) {
    const kv = /^([^:]+):\s*(.*)$/.exec(fix.text.trim());
    if ((fix.kind === 'replace-value' || fix.kind === 'set-field') && fix.line !== undefined && kv) {
      const [key, value] = [kv[1].trim(), kv[2].trim()];
      const lines = new Set([fix.line - 1]);
      // The same change on every declared call the finding is about (pods and nodes for scope).
      for (const ev of f.evidence) {
        if (ev.source !== 'annotation' || !here(ev.file)) continue;
        if (f.rule === 'list-from-etcd' || (key === 'scope' && /\b(pods|nodes)\b \(cluster\)/.test(ev.detail))) lines.add(ev.line - 1);
      }
      const edits = [...lines].map((l) => setOnLine(L, l, key, value));
      if (f.rule === 'daemonset-rollout-unthrottled') {
        // maxUnavailable + maxSurge agents restart together: no surge either.
        const surge = /(^|[\s{,])maxSurge\s*:\s*(?!["']?0%?["']?\s*(?:[,}#]|$))[^\s,}#]/;
        const own = L.line(fix.line - 1);
        if (own.includes('{') && surge.test(own)) edits.push(setOnLine(L, fix.line - 1, 'maxSurge', '0'));
        const [a, b] = blockAround(L, fix.line - 1);
        const ind = indentOf(own);
        for (let i = a; i <= b; i++) {
          const s = L.line(i);
          if (indentOf(s) === ind && /^\s*maxSurge\s*:/.test(s) && surge.test(s)) edits.push(setOnLine(L, i, 'maxSurge', '0'));
        }
      }
      add(fix.title, edits);
    } else if (fix.kind === 'insert-annotation' && fix.afterLine !== undefined) {
      add(fix.title, [insertAnnotation(L, fix.afterLine - 1, fix.text, f)]);
    } else if (fix.kind === 'add-objects') {
      const text = fix.text.replace(/\r?\n/g, L.eol);
      const endsWithBreak = /\n$/.test(L.text) || L.text === '';
      add(fix.title, [{ start: L.text.length, end: L.text.length, text: (endsWithBreak ? '' : L.eol) + text }]);
    } else if (fix.kind === 'edit-config' && fix.afterLine !== undefined) {
      add(fix.title, editConfig(L, fix.afterLine - 1, fix.text));
    }
  }
  // Node scoping for calls the analyzer reads from commands and agent configurations.
  if (f.rule === 'per-node-cluster-list' && report) {
    const cmd = f.evidence.filter((ev) => ev.source === 'command' && here(ev.file));
    if (cmd.length) {
      const edits: (Edit | undefined)[] = [];
      // Each container running such a command needs the env var itself.
      const envs = new Map<number, ReturnType<typeof nodeNameEnv>>();
      for (const ev of cmd) {
        const line = ev.line - 1;
        const s = L.line(line);
        const m = /\bkubectl\b[^;|&\n]*?\bget\s+(pods?|po|nodes?|no)\b/.exec(s);
        if (!m || /--field-selector/.test(s.slice(m.index))) continue;
        const c = findContainer(e, L, report.line - 1, { line });
        if (!c) {
          edits.push(undefined);
          break;
        }
        let env = envs.get(c.nameLine);
        if (!env) {
          env = nodeNameEnv(L, c, 'NODE_NAME');
          envs.set(c.nameLine, env);
          if (env.edit) edits.push(env.edit);
        }
        const field = /^(po|pod|pods)$/.test(m[1]) ? 'spec.nodeName' : 'metadata.name';
        const at = L.starts[line] + m.index + m[0].length;
        edits.push({ start: at, end: at, text: ` --field-selector ${field}=\${${env.name}}` });
      }
      const names = [...new Set([...envs.values()].map((x) => x.name))];
      if (names.length) add(`Only its own node: --field-selector with ${names.join(', ')} from the downward API`, edits);
    }
    const k8sattr = f.evidence.find((ev) => ev.source === 'agent' && here(ev.file) && /^otel k8sattributes: pods of every node/.test(ev.detail));
    if (k8sattr) {
      const c = findContainer(e, L, report.line - 1, { image: /opentelemetry-collector|otelcol|otel\/|splunk-otel-collector|aws-otel-collector/i });
      if (c) {
        const env = nodeNameEnv(L, c, 'K8S_NODE_NAME');
        add(`k8sattributes: only the pods of its own node (filter.node_from_env_var: ${env.name})`, [k8sNodeFilter(L, k8sattr.line - 1, env.name), env.edit].filter((x, i) => i === 0 || x !== undefined));
      }
    }
  }
  return plans;
}

/** Inserts the breakglass.dev/api-calls annotation after `annotations:` (or adds `annotations:` under `metadata:`). */
function insertAnnotation(L: Lines, line: number, text: string, f: Finding): Edit | undefined {
  const { start, end } = chunkAround(L, f.line - 1);
  for (let i = start; i < end; i++) if (/^\s*breakglass\.dev\/api-calls\s*:/.test(L.line(i))) return undefined;
  const s = L.line(line);
  const body = text.split(/\r?\n/);
  const ind = indentOf(s);
  if (/^\s*annotations:\s*(#.*)?$/.test(s)) return insertAfterLine(L, line, body.map((b) => pad(ind + 2) + b));
  const emptyFlow = /^(\s*annotations:)\s*\{\s*\}\s*(#.*)?$/.exec(s);
  if (emptyFlow) return { start: L.starts[line] + emptyFlow[1].length, end: L.end(line), text: body.map((b) => L.eol + pad(ind + 2) + b).join('') };
  if (/^\s*metadata:\s*(#.*)?$/.test(s)) {
    // After metadata's last line (its name, namespace, labels…).
    let last = line;
    let child = ind + 2;
    for (let i = line + 1; i < L.count; i++) {
      const t = L.line(i);
      if (blank(t)) continue;
      if (indentOf(t) <= ind) break;
      if (last === line) child = indentOf(t);
      last = i;
    }
    return insertAfterLine(L, last, [`${pad(child)}annotations:`, ...body.map((b) => pad(child + 2) + b)]);
  }
  return undefined;
}

/** fluent-bit: sets the fix's `Key Value` lines in the [FILTER] section (classic) or as keys (YAML format). */
function editConfig(L: Lines, line: number, text: string): (Edit | undefined)[] {
  const header = L.line(line);
  const hInd = indentOf(header);
  const pairs = text
    .split(/\r?\n/)
    .map((t) => /^\s*(\S+)\s+(.*)$/.exec(t))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ key: m[1], value: m[2].trim() }));
  if (!pairs.length) return [undefined];
  const classic = /^\s*\[[A-Za-z_ ]+\]\s*$/.test(header);
  const yamlStyle = /^\s*(?:-\s+)?name\s*:\s*["']?kubernetes["']?\s*$/i.test(header);
  if (!classic && !yamlStyle) return [undefined];
  // The section's lines.
  let last = line;
  const col = classic ? undefined : keyColumn(header);
  for (let i = line + 1; i < L.count; i++) {
    const s = L.line(i);
    if (s.trim() === '') {
      if (classic) continue;
      break;
    }
    if (classic ? /^\s*\[/.test(s) || indentOf(s) <= hInd : indentOf(s) < (col ?? 0) || /^\s*-/.test(s)) break;
    last = i;
  }
  let bodyInd = classic ? hInd + 4 : (col ?? 0);
  if (classic && last > line) bodyInd = indentOf(L.line(line + 1)) > hInd ? indentOf(L.line(line + 1)) : bodyInd;
  const width = classic ? Math.max(20, ...pairs.map((p) => p.key.length + 1)) : 0;
  const render = (p: { key: string; value: string }) => (classic ? `${pad(bodyInd)}${p.key.padEnd(width)}${p.value}` : `${pad(bodyInd)}${p.key.toLowerCase()}: ${/^(on|true)$/i.test(p.value) ? 'on' : p.value}`);
  const edits: Edit[] = [];
  const missing: string[] = [];
  for (const p of pairs) {
    let found = -1;
    for (let i = line + 1; i <= last; i++) {
      const k = classic ? /^\s*(\S+)/.exec(L.line(i))?.[1] : /^\s*([^:\s]+)\s*:/.exec(L.line(i))?.[1];
      if (k && k.toLowerCase() === p.key.toLowerCase()) found = i;
    }
    if (found >= 0) edits.push({ start: L.starts[found], end: L.end(found), text: render(p) });
    else missing.push(render(p));
  }
  if (missing.length) edits.push(insertAfterLine(L, line, missing));
  return edits;
}

/** OTel k8sattributes: `filter: node_from_env_var: <VAR>` under the processor's key. */
function k8sNodeFilter(L: Lines, line: number, envName: string): Edit | undefined {
  const s = L.line(line);
  if (!/^\s*[^\s:#][^:#]*:\s*(#.*)?$/.test(s)) return undefined;
  const ind = indentOf(s);
  let next = line + 1;
  while (next < L.count && blank(L.line(next))) next++;
  const child = next < L.count && indentOf(L.line(next)) > ind ? indentOf(L.line(next)) : ind + 2;
  for (let i = line + 1; i < L.count; i++) {
    const t = L.line(i);
    if (blank(t)) continue;
    if (indentOf(t) <= ind) break;
    if (indentOf(t) !== child || !/^\s*filter\s*:/.test(t)) continue;
    if (!/^\s*filter\s*:\s*(#.*)?$/.test(t)) return undefined;
    let n = i + 1;
    while (n < L.count && blank(L.line(n))) n++;
    const grand = n < L.count && indentOf(L.line(n)) > child ? indentOf(L.line(n)) : child + 2;
    return insertAfterLine(L, i, [`${pad(grand)}node_from_env_var: ${envName}`]);
  }
  return insertAfterLine(L, line, [`${pad(child)}filter:`, `${pad(child + 2)}node_from_env_var: ${envName}`]);
}

const sameWorkload = (a: Finding, b: Finding) => a.rule === b.rule && a.workload.kind === b.workload.kind && a.workload.namespace === b.workload.namespace && a.workload.name === b.workload.name;
const rankOf = (s: string) => (s === 'error' ? 3 : s === 'warning' ? 2 : 1);

/** Did the edit help: fewer such findings, a lower severity or a lower estimated load? */
function improves(before: Finding[], after: Finding[]): 'cleared' | 'reduced' | undefined {
  if (!after.length) return 'cleared';
  if (after.length < before.length) return 'reduced';
  const sev = (x: Finding[]) => x.reduce((m, f) => Math.max(m, rankOf(f.severity)), 0);
  if (sev(after) < sev(before)) return 'reduced';
  const load = (x: Finding[]) => x.reduce((m, f) => Math.max(m, maxRatio(f.estimates)), 0);
  return load(after) < load(before) * 0.999 ? 'reduced' : undefined;
}

function yamlErrors(e: Engine, text: string): number {
  try {
    return e.yaml.parseAllDocuments(text, { prettyErrors: false, logLevel: 'silent', uniqueKeys: false }).reduce((n, d) => n + ('errors' in d ? d.errors.length : 1), 0);
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

// ---- the controller -----------------------------------------------------------------------------

interface Analysed {
  uri: string;
  version: number;
  path: string;
  text: string;
  profiles: ClusterProfile[];
  /** undefined: not a Kubernetes file (or the analysis failed). */
  result?: AnalysisResult;
  error?: string;
  /** Time of the analysis itself, in milliseconds. */
  ms: number;
}

interface DocState {
  version: number;
  gen: number;
  promise: Promise<Analysed>;
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

class ManifestAnalysis implements vscode.Disposable, vscode.CodeLensProvider, vscode.HoverProvider, vscode.CodeActionProvider, vscode.TextDocumentContentProvider {
  private readonly collection = vscode.languages.createDiagnosticCollection(COLLECTION);
  private readonly states = new Map<string, DocState>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lensChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private gen = 0;
  private setting: ProfilesSetting = {};
  private settingKey = '';
  private warned?: string;
  private disposed = false;
  /** The connected cluster's size, as one more profile (read once per target, cheaply). */
  private live?: ClusterProfile;
  private liveRequested = false;
  liveProvider?: () => Promise<ClusterProfile | undefined>;
  readonly onDidChangeCodeLenses = this.lensChanged.event;

  constructor() {
    this.readSetting();
    this.disposables.push(
      this.collection,
      this.lensChanged,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((ev) => {
        if (ev.contentChanges.length) this.schedule(ev.document, DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((ev) => {
        if (!ev.affectsConfiguration(`breakglass.${SETTING}`)) return;
        this.readSetting();
        this.gen++;
        for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
        this.lensChanged.fire();
      }),
      vscode.languages.registerCodeLensProvider(SELECTOR, this),
      vscode.languages.registerHoverProvider(SELECTOR, this),
      vscode.languages.registerCodeActionsProvider(SELECTOR, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.workspace.registerTextDocumentContentProvider(RULE_SCHEME, this),
      vscode.commands.registerCommand('breakglass.analyzeManifest', (arg?: unknown) => this.analyzeCommand(arg)),
      vscode.commands.registerCommand('breakglass.showLoadBreakdown', (uri?: unknown, line?: unknown) => this.showBreakdown(uri, line)),
    );
    // Documents already open: analysed after activation has returned.
    for (const d of vscode.workspace.textDocuments) this.schedule(d, DEBOUNCE_MS);
  }

  private readSetting(): void {
    let raw: unknown;
    try {
      raw = vscode.workspace.getConfiguration('breakglass').get<unknown>(SETTING);
    } catch {
      raw = undefined;
    }
    this.setting = validateProfiles(raw);
    this.settingKey = JSON.stringify(raw ?? null) ?? '';
    if (!this.setting.problem) this.warned = undefined;
  }

  /** One warning per distinct bad value of the setting, when it is first needed. */
  private warnOnce(): void {
    if (!this.setting.problem || this.warned === this.settingKey) return;
    this.warned = this.settingKey;
    void vscode.window.showWarningMessage(`Breakglass: the setting breakglass.${SETTING} ${this.setting.problem}. Using the default profiles (staging: 20 nodes, prod-large: 5,000 nodes).`);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (this.disposed || !isCandidate(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.refresh(doc);
      }, delay),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.states.delete(key);
    this.collection.delete(uri);
  }

  /** Analyses (if needed) and publishes the diagnostics of a document. */
  private async refresh(doc: vscode.TextDocument): Promise<void> {
    try {
      if (doc.isClosed) return;
      const a = await this.ensure(doc);
      if (this.disposed || doc.isClosed || a.version !== doc.version) return;
      this.collection.set(doc.uri, this.diagnostics(doc, a));
      this.lensChanged.fire();
    } catch (e) {
      // ensure() does not reject; this is the last line of defence.
      console.error('[breakglass] manifest analysis:', e);
    }
  }

  /** The analysis of the document's current version (shared by diagnostics, lenses, hovers and fixes). */
  ensure(doc: vscode.TextDocument): Promise<Analysed> {
    const key = doc.uri.toString();
    const s = this.states.get(key);
    if (s && s.version === doc.version && s.gen === this.gen) return s.promise;
    const version = doc.version;
    const text = doc.getText();
    const path = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
    const promise = this.run(key, version, path, text);
    this.states.set(key, { version, gen: this.gen, promise });
    return promise;
  }

  /** The target changed (or was first needed): read its live size in the background. */
  refreshLive(): void {
    this.liveRequested = true;
    const provider = this.liveProvider;
    if (!provider) return;
    void provider().then(
      (p) => this.setLive(p),
      () => this.setLive(undefined),
    );
  }

  private setLive(p: ClusterProfile | undefined): void {
    if (this.disposed || JSON.stringify(p) === JSON.stringify(this.live)) return;
    this.live = p;
    this.gen++;
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    this.lensChanged.fire();
  }

  private async run(uri: string, version: number, path: string, text: string): Promise<Analysed> {
    const out: Analysed = { uri, version, path, text, profiles: this.setting.profiles ?? [], ms: 0 };
    if (!looksLikeKubernetes(text)) return out;
    this.warnOnce();
    if (!this.liveRequested) this.refreshLive();
    try {
      const e = await loadEngine();
      const configured = this.setting.profiles ?? e.analysis.DEFAULT_PROFILES;
      const profiles = this.live && !configured.some((p) => p.name === this.live!.name) ? [...configured, this.live] : configured;
      out.profiles = profiles;
      const t0 = performance.now();
      out.result = e.analysis.analyzeDocument(path, text, profiles);
      out.ms = performance.now() - t0;
    } catch (err) {
      out.result = undefined;
      out.error = err instanceof Error ? err.message || err.name : String(err);
    }
    return out;
  }

  private diagnostics(doc: vscode.TextDocument, a: Analysed): vscode.Diagnostic[] {
    const lineRange = (line1: number) => {
      const l = Math.min(Math.max(line1 - 1, 0), Math.max(doc.lineCount - 1, 0));
      const t = doc.lineAt(l);
      return t.isEmptyOrWhitespace ? t.range : new vscode.Range(l, t.firstNonWhitespaceCharacterIndex, l, t.range.end.character);
    };
    if (a.error !== undefined) {
      const d = new vscode.Diagnostic(lineRange(1), `Breakglass could not analyse this file: ${a.error}`, vscode.DiagnosticSeverity.Warning);
      d.source = SOURCE;
      d.code = 'analysis-failed';
      return [d];
    }
    const r = a.result;
    if (!r) return [];
    const out: vscode.Diagnostic[] = [];
    for (const f of r.findings) {
      if (f.file !== a.path) continue;
      const d = new vscode.Diagnostic(lineRange(f.line), f.message, SEVERITY[f.severity] ?? vscode.DiagnosticSeverity.Information);
      d.source = SOURCE;
      d.code = { value: f.rule, target: vscode.Uri.from({ scheme: RULE_SCHEME, path: `/${f.rule}.md` }) };
      const related = f.evidence.filter((ev) => ev.file === a.path && ev.line !== f.line).slice(0, 5);
      if (related.length) d.relatedInformation = related.map((ev) => new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri, lineRange(ev.line)), ev.detail));
      out.push(d);
    }
    for (const n of r.notes) {
      if (n.file !== a.path || n.severity === 'info') continue;
      const d = new vscode.Diagnostic(lineRange(n.line), n.message, SEVERITY[n.severity]);
      d.source = SOURCE;
      d.code = n.code;
      out.push(d);
    }
    return out;
  }

  // -- CodeLens ----------------------------------------------------------------------------------

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    try {
      if (!isCandidate(doc)) return [];
      const a = await this.ensure(doc);
      if (!a.result?.workloads.length) return [];
      const e = await loadEngine();
      return a.result.workloads
        .filter((w) => w.file === a.path && w.line >= 1 && w.line <= doc.lineCount)
        .map((w) => {
          const line = w.line - 1;
          return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
            title: lensTitle(e, w),
            tooltip: 'Estimated API-server load of this workload at each cluster profile (breakglass.clusterProfiles). Click for the breakdown.',
            command: 'breakglass.showLoadBreakdown',
            arguments: [doc.uri, line],
          });
        });
    } catch (err) {
      console.error('[breakglass] CodeLens:', err);
      return [];
    }
  }

  // -- hover ----------------------------------------------------------------------------------------

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    try {
      if (!isCandidate(doc)) return undefined;
      const a = await this.ensure(doc);
      if (!a.result?.workloads.length) return undefined;
      const L = new Lines(a.text);
      const w = a.result.workloads.find((x) => x.file === a.path && (x.line - 1 === pos.line || nameLine(L, x) === pos.line));
      if (!w) return undefined;
      const e = await loadEngine();
      return new vscode.Hover(hoverMarkdown(e, w, a.profiles), doc.lineAt(pos.line).range);
    } catch (err) {
      console.error('[breakglass] hover:', err);
      return undefined;
    }
  }

  // -- quick fixes -----------------------------------------------------------------------------------

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    try {
      if (!isCandidate(doc)) return [];
      if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
      const a = await this.ensure(doc);
      const r = a.result;
      if (!r) return [];
      // Findings on the requested lines, and those of the diagnostics VS Code passes.
      const wanted = new Set(context.diagnostics.filter((d) => d.source === SOURCE).map((d) => `${codeOf(d)}@${d.range.start.line}`));
      const findings = r.findings.filter((f) => f.file === a.path && ((f.line - 1 >= range.start.line && f.line - 1 <= range.end.line) || wanted.has(`${f.rule}@${f.line - 1}`)));
      if (!findings.length) return [];
      const e = await loadEngine();
      const L = new Lines(a.text);
      const actions: vscode.CodeAction[] = [];
      const seen = new Set<string>();
      let own: vscode.Diagnostic[] | undefined;
      for (const f of findings) {
        const report = r.workloads.find((w) => w.workload.kind === f.workload.kind && w.workload.namespace === f.workload.namespace && w.workload.name === f.workload.name);
        let plans: FixPlan[];
        try {
          plans = planFixes(e, L, a.path, f, report);
        } catch (err) {
          console.error('[breakglass] quick fix:', err);
          continue;
        }
        for (const p of plans) {
          const key = `${p.title}\u0000${JSON.stringify(p.edits)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const verdict = this.verify(e, a, L, p);
          if (!verdict) continue;
          const action = new vscode.CodeAction(p.title, vscode.CodeActionKind.QuickFix);
          const edit = new vscode.WorkspaceEdit();
          for (const ed of p.edits) edit.replace(doc.uri, new vscode.Range(L.position(ed.start), L.position(ed.end)), ed.text);
          action.edit = edit;
          const matching = context.diagnostics.filter((d) => d.source === SOURCE && codeOf(d) === f.rule && d.range.start.line === f.line - 1);
          action.diagnostics = matching.length ? matching : (own ??= this.diagnostics(doc, a)).filter((d) => codeOf(d) === f.rule && d.range.start.line === f.line - 1 && d.message === f.message);
          action.isPreferred = verdict === 'cleared' && f.severity !== 'info';
          actions.push(action);
        }
      }
      return actions;
    } catch (err) {
      console.error('[breakglass] code actions:', err);
      return [];
    }
  }

  /** A fix is offered when the YAML it leaves is as valid as before and (time permitting) re-analysis shows it helps. */
  private verify(e: Engine, a: Analysed, L: Lines, p: FixPlan): 'cleared' | 'reduced' | 'unchecked' | undefined {
    const lo = Math.min(...p.edits.map((x) => x.start));
    const hi = Math.max(...p.edits.map((x) => x.end));
    const from = chunkAround(L, L.lineAt(lo)).start;
    const toChunk = chunkAround(L, L.lineAt(hi)).end;
    const s = L.starts[from];
    const t = toChunk < L.count ? L.starts[toChunk] : L.text.length;
    const before = L.text.slice(s, t);
    const after = applyEdits(
      before,
      p.edits.map((x) => ({ ...x, start: x.start - s, end: x.end - s })),
    );
    if (yamlErrors(e, after) > yamlErrors(e, before)) return undefined;
    if (a.ms > VERIFY_BUDGET_MS || !a.result) return 'unchecked';
    const next = e.analysis.analyzeDocument(a.path, applyEdits(L.text, p.edits), a.profiles);
    const was = a.result.findings.filter((x) => sameWorkload(x, p.finding));
    const now = next.findings.filter((x) => sameWorkload(x, p.finding));
    return improves(was, now);
  }

  // -- rule documents ---------------------------------------------------------------------------------

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.replace(/^\//, '').replace(/\.md$/, '');
    try {
      const e = await loadEngine();
      const r = e.rules.ruleById(id);
      if (!r) return `# ${id}\n\nNo such Breakglass rule.\n`;
      const lines = [`# ${r.id}`, '', `**${r.title}** (up to ${r.severity})`, '', `*Why.* ${r.why}`, '', `*Remediation.* ${r.remediation}`, '', `*Quick fix* (${r.fix.kind}): ${r.fix.title}, in ${r.fix.where}.`];
      if (r.fix.insert) lines.push('', '```yaml', r.fix.insert, '```');
      return `${lines.join('\n')}\n`;
    } catch (err) {
      return `# ${id}\n\nThe rule could not be loaded: ${(err as Error).message}\n`;
    }
  }

  // -- commands ---------------------------------------------------------------------------------------

  /** Breakglass: Analyse Manifest Load: analyses now, publishes, and returns a summary. */
  private async analyzeCommand(arg?: unknown): Promise<Record<string, unknown> | undefined> {
    const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.file(arg) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Breakglass: open a Kubernetes manifest (YAML) first.');
      return undefined;
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (err) {
      void vscode.window.showErrorMessage(`Breakglass: cannot open ${uri.fsPath}: ${(err as Error).message}`);
      return undefined;
    }
    if (!isCandidate(doc)) {
      if (arg === undefined) void vscode.window.showInformationMessage('Breakglass: manifest load analysis works on YAML files.');
      return undefined;
    }
    const a = await this.ensure(doc);
    if (a.version === doc.version) this.collection.set(doc.uri, this.diagnostics(doc, a));
    this.lensChanged.fire();
    if (arg === undefined) void vscode.commands.executeCommand('workbench.actions.view.problems');
    return {
      uri: a.uri,
      version: a.version,
      kubernetes: !!a.result,
      profiles: a.profiles.map((p) => ({ ...p })),
      profileProblem: this.setting.problem,
      workloads: a.result?.workloads.length ?? 0,
      findings: a.result?.findings.length ?? 0,
      error: a.error,
      durationMs: a.ms,
    };
  }

  private async showBreakdown(uri?: unknown, line?: unknown): Promise<void> {
    if (!(uri instanceof vscode.Uri) || typeof line !== 'number') return;
    const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
    const l = Math.min(Math.max(0, line), editor.document.lineCount - 1);
    const col = editor.document.lineAt(l).firstNonWhitespaceCharacterIndex;
    editor.selection = new vscode.Selection(l, col, l, col);
    editor.revealRange(new vscode.Range(l, 0, l, 0));
    await vscode.commands.executeCommand('editor.action.showHover');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.states.clear();
    for (const d of this.disposables) d.dispose();
  }
}

const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? ''));

/** 0-based line of a workload's metadata.name, or -1. */
function nameLine(L: Lines, w: WorkloadReport): number {
  const { start, end } = chunkAround(L, w.line - 1);
  let inMeta = false;
  const re = new RegExp(`^\\s+name\\s*:\\s*["']?${reEsc(w.workload.name)}["']?\\s*(#.*)?$`);
  for (let i = start; i < end; i++) {
    const s = L.line(i);
    if (/^metadata\s*:/.test(s)) inMeta = true;
    else if (inMeta && /^\S/.test(s) && !blank(s)) inMeta = false;
    else if (inMeta && re.test(s)) return i;
  }
  return -1;
}

/**
 * Registers the manifest load analysis: diagnostics, CodeLens, hover, quick fixes, the
 * `breakglass.clusterProfiles` setting and the `breakglass.analyzeManifest` command.
 */
export function registerAnalysis(context: vscode.ExtensionContext, mode?: ModeController): vscode.Disposable {
  const controller = new ManifestAnalysis();
  context.subscriptions.push(controller);
  if (mode) {
    // The connected cluster's live size becomes one more profile. Read cheaply (one scrape of
    // apiserver_storage_objects, or one-item pages), only in a trusted workspace (a kubeconfig
    // can run credential plugins), and only once a Kubernetes file is analysed.
    controller.liveProvider = async () => {
      const t = mode.current;
      if (!vscode.workspace.isTrusted || !t.kubeconfig) return undefined;
      const { ClusterConnection } = await import('../cluster/connection');
      const { liveClusterSize } = await import('../cluster/size');
      const conn = await ClusterConnection.fromKubeconfig(t.kubeconfig, t.context, 'breakglass-analysis/0.1');
      const size = await liveClusterSize(conn);
      if (!size || size.nodes <= 0) return undefined;
      return { name: `live ${conn.context}`, nodes: size.nodes, podsPerNode: Math.max(1, Math.round(size.pods / size.nodes)) };
    };
    context.subscriptions.push(mode.onDidChange(() => controller.refreshLive()));
  }
  return controller;
}
