// What the analysis says in words: the CodeLens title and the hover of a workload (markdown with
// the breakdown per call and profile), the page of a rule, and docs/RULES.md. Plain strings; the
// editor wraps them.
import { estimate, type CallCost, type ClusterProfile, type CostEstimate } from '../cost/model';
import type { WorkloadReport } from './analyze';
import { Lines, blank, chunkAround, reEsc } from './edit';
import { fmtBytes, fmtNumber as fmt, maxRatio, ratioShort, worstEstimate } from './format';
import { ERROR_RATIO, NOTE_RATIO, WARN_RATIO } from './load';
import { allRules, ruleById } from './rules';
import type { ProfileEstimate, RuleInfo } from './types';
import { START_WINDOW_SECONDS, steadyUsage, type UsageCall } from './usage';

const MAX_CALLS_IN_HOVER = 8;

/** Text for inline markdown: what could start markup mid-line (emphasis, code, links, tables, HTML) is escaped. */
const md = (s: string) => s.replace(/[\\`*_[\]|<>~]/g, '\\$&');

/** A call in a hover or lens: `LIST pods cluster-wide every 30 s per pod on its node`. */
function callInWords(c: UsageCall): string {
  const scope = c.scope === 'cluster' ? 'cluster-wide' : c.scope === 'namespace' ? 'in a namespace' : 'of its node';
  const every = c.intervalSeconds > 0 ? ` every ${fmt(c.intervalSeconds)} s` : c.verb === 'watch' ? ' (watch)' : '';
  const perPod = c.perPodOnNodePerSecond ? ' per pod on its node' : '';
  return `${c.verb.toUpperCase()} ${c.resource} ${scope}${every}${perPod}`;
}

/** The CodeLens title of a workload. */
export function lensTitle(w: WorkloadReport): string {
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
  const start = worstEstimate(w.start);
  // Watches only: nothing polls; the steady cost is the events they receive, the larger one the initial LISTs when the clients start.
  if (w.calls.every((c) => c.verb === 'watch' && !(c.intervalSeconds > 0)) && start && start.requestsPerSecond > 0) {
    const top = byLoad(w.estimates)[0];
    return `≈ watches, no polling · ${fmt(top.eventsPerSecond)} events/s at ${top.profile} · at start-up ${line(w.start).join(' · ')}`;
  }
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
function objectsInWords(c: UsageCall, cost: { objectsPerRequest: number; returnedPerRequest: number; servedFrom: string }, p: ClusterProfile): string {
  if (c.verb !== 'list' && c.verb !== 'watch') return 'one object per request';
  const all = cost.objectsPerRequest;
  const res = c.resource;
  if (c.scope === 'cluster') return `every ${res === 'pods' ? `pod in the cluster (nodes × pods per node = ${fmt(p.nodes)} × ${p.podsPerNode})` : `${res.replace(/s$/, '')} in the cluster`} = ${fmt(all)} per request`;
  if (c.scope === 'namespace') return `one namespace's ${res} = ${fmt(all)} per request`;
  if (cost.returnedPerRequest < all) return `${fmt(all)} read per request to return the ${fmt(cost.returnedPerRequest)} of its node (${cost.servedFrom === 'etcd' ? 'etcd reads every object; the field selector filters afterwards' : 'filtered after reading'})`;
  return `${fmt(all)} per request (its node's ${res}${cost.servedFrom === 'cache' && res === 'pods' ? ', from the watch cache index by node' : ''})`;
}

/** The hover of a workload (markdown): totals and the breakdown per call and profile, with the formulas in words. */
export function hoverMarkdown(w: WorkloadReport, profiles: ClusterProfile[]): string {
  let m = '';
  const clients = w.clients === 'perNode' ? 'one client per node' : `${w.clients} replica${w.clients === 1 ? '' : 's'}`;
  m += `**${md(w.workload.kind)} ${md(w.workload.namespace)}/${md(w.workload.name)}**: estimated API-server load (steady state)\n\n`;
  m += `${clients} · ServiceAccount \`${w.serviceAccount.replace(/`/g, '')}\` · priority level \`${w.priorityLevel.replace(/`/g, '')}\`${w.flowSchema ? ` (FlowSchema \`${w.flowSchema.replace(/`/g, '')}\`)` : ''} · evidence: ${md(SOURCE_TEXT[w.source] ?? w.source)}\n\n`;
  const est = w.estimates;
  if (!w.calls.length || !est.length) {
    m += w.source === 'rbac' ? 'No API calls are known; its RBAC would allow the calls below. Declare what it really does with the `breakglass.dev/api-calls` annotation.\n\n' : 'No API-server calls are known for this workload.\n\n';
    for (const c of w.reach.slice(0, MAX_CALLS_IN_HOVER)) m += `- ${md(callInWords(c))}: ${md(c.evidence.detail)}\n`;
    return m;
  }
  const header = `| | ${est.map((p) => `${md(p.profile)} (${p.nodes.toLocaleString('en-US')} nodes × ${p.podsPerNode} pods)`).join(' | ')} |\n|---|${est.map(() => '---:').join('|')}|\n`;
  const row = (label: string, f: (p: ProfileEstimate) => string) => `| ${label} | ${est.map(f).join(' | ')} |\n`;
  m +=
    header +
    row('clients', (p) => fmt(p.clients)) +
    row('requests/s', (p) => fmt(p.requestsPerSecond)) +
    row('objects/s', (p) => fmt(p.objectsPerSecond)) +
    row('bytes/s', (p) => fmtBytes(p.bytesPerSecond)) +
    row('APF seats', (p) => fmt(p.seats)) +
    row('API-server CPU cores', (p) => fmt(p.cpu)) +
    row('**share of capacity**', (p) => `**${ratioShort(p.capacityRatio)}**`) +
    '\n';
  const start = worstEstimate(w.start);
  if (start && start.capacityRatio > maxRatio(est)) {
    m += `**At start-up** (every client starting within ${START_WINDOW_SECONDS / 60} minutes: a new DaemonSet, an unthrottled update, an API-server restart) it is worse: ${w.start.map((p) => `${md(p.profile)} ${fmt(p.requestsPerSecond)} req/s, ${ratioShort(p.capacityRatio)}`).join(' · ')}.\n\n`;
  }
  m += '**Per call**\n\n';
  for (const c of w.calls.slice(0, MAX_CALLS_IN_HOVER)) m += callBreakdown(w, c, profiles);
  if (w.calls.length > MAX_CALLS_IN_HOVER) m += `…and ${w.calls.length - MAX_CALLS_IN_HOVER} more calls.\n\n`;
  m += 'Estimates from the shared cost model (the simulator uses the same numbers); cluster sizes from the `breakglass.clusterProfiles` setting.';
  return m;
}

/** One call of a workload at each profile: a table and the formulas with the numbers of the largest profile. */
function callBreakdown(w: WorkloadReport, c: UsageCall, profiles: ClusterProfile[]): string {
  const rows: { p: ClusterProfile; cost?: CallCost; total: CostEstimate }[] = profiles.map((p) => {
    const total = estimate(steadyUsage(w.workload.name, w.clients, [c], p, w.priorityLevel), p);
    return { p, cost: total.perCall[0], total };
  });
  let m = `\`${callInWords(c).replace(/`/g, '')}\`${c.verb === 'list' || c.verb === 'watch' ? (c.resourceVersion === '0' ? ' · from the watch cache (resourceVersion "0")' : ' · from etcd (no resourceVersion "0")') : ''} · ${md(c.evidence.detail)} (line ${c.evidence.line})\n\n`;
  const priced = rows.filter((r) => r.cost && r.cost.requestsPerSecond > 0);
  if (!priced.length) return m + (c.verb === 'watch' ? '- a watch: one LIST when each client starts, then a stream of changes; no steady polling\n\n' : '- once per client start; no steady requests\n\n');
  const cols = `| | ${priced.map((r) => md(r.p.name)).join(' | ')} |\n|---|${priced.map(() => '---:').join('|')}|\n`;
  const line = (label: string, f: (r: (typeof priced)[number]) => string) => `| ${label} | ${priced.map(f).join(' | ')} |\n`;
  m +=
    cols +
    line('requests/s', (r) => fmt(r.total.requestsPerSecond)) +
    line('objects read per request', (r) => fmt(r.cost!.objectsPerRequest)) +
    line('objects/s', (r) => fmt(r.total.objectsPerSecond)) +
    (c.verb === 'watch' ? line('watch events/s', (r) => fmt(r.total.eventsPerSecond)) : '') +
    line('bytes/s', (r) => fmtBytes(r.total.bytesPerSecond)) +
    line('APF seats', (r) => fmt(r.total.seatsInUse)) +
    line('CPU cores', (r) => fmt(r.total.apiServerCores)) +
    line('share of capacity', (r) => ratioShort(r.total.capacityRatio)) +
    '\n';
  const r0 = priced.reduce((a, b) => (b.p.nodes > a.p.nodes ? b : a));
  const cost = r0.cost!;
  const interval = c.perPodOnNodePerSecond
    ? `${r0.p.podsPerNode} pods × ${fmt(c.perPodOnNodePerSecond)} per pod per second`
    : c.verb === 'watch' && !(c.intervalSeconds > 0)
      ? `${fmt(cost.requestsPerSecond)} (a watch re-established every 5–10 min, and occasional relists)`
      : `1/${fmt(c.intervalSeconds)} s`;
  const events =
    c.verb === 'watch'
      ? [`- watch events/s = clients × changes per second of ${md(c.resource)} × the share its scope sees (${c.scope === 'cluster' ? 'all of them' : c.scope === 'node' ? 'its node\'s' : 'one namespace\'s'}): at ${md(r0.p.name)} ${fmt(r0.total.eventsPerSecond)}; the bytes and CPU of sending them count in bytes/s and CPU, not in seats`]
      : [];
  const perObject = cost.returnedPerRequest > 0 ? cost.bytesPerRequest / cost.returnedPerRequest : cost.bytesPerRequest;
  return (
    m +
    [
      `- requests/s = clients × ${interval} (at ${md(r0.p.name)}: ${fmt(r0.total.clients)} × ${interval} = ${fmt(r0.total.requestsPerSecond)})`,
      ...events,
      `- objects/s = requests/s × objects read per request: ${md(objectsInWords(c, cost, r0.p))}`,
      `- bytes/s = requests/s × objects returned per request (${fmt(cost.returnedPerRequest)}) × ${fmtBytes(perObject)} per object (${c.encoding ?? 'json'})`,
      `- APF seats = requests/s × seats per request (${fmt(cost.seatsPerRequest)}: grows with the objects a LIST reads) × time each request holds them (${fmt(cost.latencySeconds)} s)`,
      `- CPU cores = requests/s × ${fmt(cost.cpuSecondsPerRequest)} CPU seconds per request (reading ${cost.servedFrom === 'etcd' ? 'from etcd' : 'from the cache'}, encoding)`,
      `- share of capacity = the largest of: its seats ÷ the seats its priority level can use, its CPU ÷ the API servers' cores, its LIST memory ÷ their memory`,
    ].join('\n') +
    '\n\n'
  );
}

/** The workload of a file whose first line or metadata.name line is this 0-based line. */
export function workloadAt(text: string, path: string, workloads: WorkloadReport[], line: number): WorkloadReport | undefined {
  const L = new Lines(text);
  return workloads.find((x) => x.file === path && (x.line - 1 === line || nameLine(L, x) === line));
}

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

// ---- rules --------------------------------------------------------------------------------------

/** A rule's description: title, why, remediation and its quick fix (`quickFixSep` joins the fix's title and where). */
function ruleSection(r: RuleInfo, heading: string, quickFixSep: string): string[] {
  const out = [heading, '', `**${r.title}** (up to ${r.severity})`, '', `*Why.* ${r.why}`, '', `*Remediation.* ${r.remediation}`, '', `*Quick fix* (${r.fix.kind}): ${r.fix.title}${quickFixSep}${r.fix.where}.`];
  if (r.fix.insert) out.push('', '```yaml', r.fix.insert, '```');
  return out;
}

/** The page of one rule (the editor links a diagnostic's code to it). */
export function ruleDocument(id: string): string {
  const r = ruleById(id);
  if (!r) return `# ${id}\n\nNo such Breakglass rule.\n`;
  return `${ruleSection(r, `# ${r.id}`, ', in ').join('\n')}\n`;
}

/** The rules as markdown (the generated docs). */
export function renderRulesMarkdown(): string {
  const out: string[] = ['# Breakglass lint rules', '', 'Generated from the rule registry (`src/analysis/rules/`, one file per rule). Load-based rules report `info` from ' + `${NOTE_RATIO * 100}%, \`warning\` from ${WARN_RATIO * 100}% and \`error\` from ${ERROR_RATIO * 100}% of the API servers' capacity (the shared cost model's capacityRatio) at any cluster profile.`, '', '| id | severity | title |', '| --- | --- | --- |'];
  for (const r of allRules()) out.push(`| [\`${r.id}\`](#${r.id}) | ${r.severity} | ${r.title} |`);
  out.push(
    '',
    '## Declaring a workload\'s API calls',
    '',
    'The strongest evidence is the workload\'s own contract, the `breakglass.dev/api-calls` annotation (on the workload or its pod template): a YAML or JSON list of calls. `scope` is `cluster` (every object), `namespace` or `node` (filtered to the client\'s own node); `interval` is a duration (for a watch, the time between re-lists; omit it for a watch that lists once); `resourceVersion: "0"` means served from the watch cache, omitted means a consistent read from etcd; `encoding` is `json` (default) or `protobuf`. `[]` declares that it makes no API calls. Without it the analyzer recognises known agents from their image and mounted configuration, reads kubectl/curl calls in commands and scripts, and finally reports what the ServiceAccount\'s RBAC would allow.',
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    '    breakglass.dev/api-calls: |',
    '      - {verb: list, resource: pods, scope: node, interval: 30s, resourceVersion: "0"}',
    '      - {verb: watch, resource: nodes, scope: node}',
    '```',
    '',
  );
  for (const r of allRules()) out.push(...ruleSection(r, `## ${r.id}`, ' — in '), '');
  return out.join('\n');
}
