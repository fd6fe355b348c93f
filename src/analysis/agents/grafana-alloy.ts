import type { Agent, AgentContext, AgentResult, ConfigText } from './types';
import { result, lineIn, lineIndexOf, tryYaml, asObj } from './util';
import { isObject } from '../read';
import { sdCalls } from './prometheus-sd';

// ---- a small reader for Alloy / Grafana Agent flow configuration (River) ----------------------

/** The text with comments blanked out (same length and lines, so offsets still point into it). */
function stripComments(text: string): string {
  const out = text.split('');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === '`') {
      for (i++; i < text.length && text[i] !== ch; i++) if (ch === '"' && text[i] === '\\') i++;
    } else if ((ch === '/' && text[i + 1] === '/') || ch === '#') {
      for (; i < text.length && text[i] !== '\n'; i++) out[i] = ' ';
    } else if (ch === '/' && text[i + 1] === '*') {
      for (; i < text.length && !(text[i] === '*' && text[i + 1] === '/'); i++) if (text[i] !== '\n') out[i] = ' ';
      out[i] = ' ';
      if (i + 1 < text.length) out[i + 1] = ' ';
      i++;
    }
  }
  return out.join('');
}

/** Index just past the `}` closing the `{` at `open`, skipping strings. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === '`') {
      for (i++; i < text.length && text[i] !== ch; i++) if (ch === '"' && text[i] === '\\') i++;
    } else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}

export interface RiverBlock {
  name: string;
  label?: string;
  /** Offset of the block's name in the text. */
  at: number;
  attrs: Record<string, string>;
  blocks: RiverBlock[];
}

/** Blocks and attributes of a River body (`name = expr`, `name "label" { … }`, `name { … }`). */
export function riverBody(text: string, base = 0): { attrs: Record<string, string>; blocks: RiverBlock[] } {
  const attrs: Record<string, string> = {};
  const blocks: RiverBlock[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(=(?!=)|"((?:[^"\\]|\\.)*)"\s*\{|\{)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[2].startsWith('=')) {
      // The expression runs to the end of the line, or further while brackets are open.
      let depth = 0;
      let i = m.index + m[0].length;
      const start = i;
      for (; i < text.length; i++) {
        const ch = text[i];
        if (ch === '"' || ch === '`') {
          for (i++; i < text.length && text[i] !== ch; i++) if (ch === '"' && text[i] === '\\') i++;
        } else if ('([{'.includes(ch)) depth++;
        else if (')]}'.includes(ch)) {
          if (depth === 0) break;
          depth--;
        } else if (ch === '\n' && depth === 0) break;
      }
      attrs[m[1]] = text.slice(start, i).trim().replace(/,$/, '');
      re.lastIndex = i;
    } else {
      const open = m.index + m[0].length - 1;
      const end = closing(text, open);
      const inner = riverBody(text.slice(open + 1, end - 1), base + open + 1);
      blocks.push({ name: m[1], label: m[3], at: base + m.index, ...inner });
      re.lastIndex = end;
    }
  }
  return { attrs, blocks };
}

/** A River expression as text: string literals joined, `sys.env("X")` / `env("X")` as ${X}. */
function riverString(expr: string | undefined): string {
  if (expr === undefined) return '';
  return expr
    .split(/\s*\+\s*/)
    .map((part) => {
      const lit = /^"((?:[^"\\]|\\.)*)"$/.exec(part.trim());
      if (lit) return lit[1];
      const env = /^(?:sys\.)?env\(\s*"([^"]+)"\s*\)$/.exec(part.trim());
      return env ? `\${${env[1]}}` : `<${part.trim()}>`;
    })
    .join('');
}

function riverList(expr: string | undefined): string[] {
  if (!expr) return [];
  const inner = /^\[(.*)\]$/s.exec(expr.trim());
  return inner ? [...inner[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]) : [];
}

/** A `discovery.kubernetes` block as the Prometheus kubernetes_sd_config it is converted to (kubernetes.go Convert()). */
function toSdConfig(b: RiverBlock): Record<string, unknown> {
  const sd: Record<string, unknown> = { role: riverString(b.attrs.role) || 'pod' };
  const ns = b.blocks.find((x) => x.name === 'namespaces');
  if (ns) sd.namespaces = { names: riverList(ns.attrs.names), own_namespace: ns.attrs.own_namespace === 'true' };
  sd.selectors = b.blocks.filter((x) => x.name === 'selectors').map((s) => ({ role: riverString(s.attrs.role), field: riverString(s.attrs.field), label: riverString(s.attrs.label) }));
  const am = b.blocks.find((x) => x.name === 'attach_metadata');
  if (am) sd.attach_metadata = { node: am.attrs.node === 'true' };
  return sd;
}

/** Components that call the API server in ways not modelled here (discovery.kubernetes is; discovery.kubelet reads the kubelet). */
const UNMODELLED_COMPONENT = /^(loki\.source\.kubernetes(_events)?|prometheus\.operator\.\w+|mimir\.rules\.kubernetes|loki\.rules\.kubernetes|remote\.kubernetes\.\w+|import\.\w+|module\.\w+)$/;

function inferRiver(ctx: AgentContext, c: ConfigText, agent: string): AgentResult {
  const text = stripComments(c.text);
  const { blocks } = riverBody(text);
  const r = result(ctx, c.line, c.file);
  const unmodelled: string[] = [];
  let first = true;
  for (const b of blocks) {
    const at = { file: c.file, line: lineIn(c, c.text.slice(0, b.at).split('\n').length - 1) };
    if (b.name === 'discovery.kubernetes') {
      if (first) {
        r.line = at.line;
        first = false;
      }
      r.calls.push(...sdCalls([{ kubernetes_sd_configs: [toSdConfig(b)] }], at, `${agent} discovery.kubernetes "${b.label ?? ''}"`, ctx.env));
    } else if (UNMODELLED_COMPONENT.test(b.name)) unmodelled.push(`component ${b.name}${b.label !== undefined ? ` "${b.label}"` : ''}`);
  }
  if (unmodelled.length) r.unmodelled = unmodelled;
  if (!r.calls.length && !unmodelled.length) r.notes.push(`${agent}: no component of this configuration calls the API server (discovery.kubelet and scraping read the kubelet and the targets)`);
  return r;
}

/** Grafana Agent static mode: Prometheus / promtail scrape configs anywhere in its YAML. */
function inferStatic(ctx: AgentContext, c: ConfigText, agent: string): AgentResult | undefined {
  const doc = tryYaml(c.text);
  if (!doc) return undefined;
  const scrapeConfigs: unknown[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 10) return;
    if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (isObject(v)) {
      if (Array.isArray(v.kubernetes_sd_configs)) scrapeConfigs.push(v);
      else for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(doc, 0);
  const r = result(ctx, lineIn(c, lineIndexOf(c.text, /kubernetes_sd_configs/)), c.file);
  r.calls.push(...sdCalls(scrapeConfigs, { file: c.file, line: r.line }, agent, ctx.env));
  const integrations = Object.keys(asObj(doc.integrations)).filter((k) => !/^(agent|node_exporter|process_exporter|windows_exporter|cadvisor|prometheus_remote_write|statsd_exporter|blackbox|snmp|\w+_exporter)$/.test(k));
  if (integrations.length) r.unmodelled = integrations.map((k) => `integration ${k}`);
  return r;
}

const RIVER = /^\s*[a-z_]+(\.[a-z_0-9]+)+\s+"[^"]*"\s*\{/m;

function inferGrafana(ctx: AgentContext, agent: string): AgentResult {
  // The file it runs: `run <path>` (Alloy, agent flow) or -config.file=<path> (agent static).
  const paths = [...ctx.container.command, ...ctx.container.args].map((a) => a.replace(/^-+config\.file=/, '')).filter((a) => a.includes('/'));
  const named = ctx.configs.find((c) => paths.some((p) => p.endsWith(`/${c.key}`)));
  const candidates = named ? [named, ...ctx.configs.filter((c) => c !== named)] : ctx.configs;
  for (const c of candidates) {
    if (RIVER.test(c.text) || /discovery\.kubernetes\s+"/.test(c.text)) return inferRiver(ctx, c, agent);
    if (/kubernetes_sd_configs/.test(c.text) || /^(metrics|logs|integrations|server)\s*:/m.test(c.text)) {
      const r = inferStatic(ctx, c, agent);
      if (r) return r;
    }
  }
  const r = result(ctx);
  r.notes.push(`${agent}: its configuration is not in these files; usage unknown`);
  return { ...r, unknown: true };
}

const SOURCES = [
  'grafana/alloy docs/sources/reference/components/discovery/discovery.kubernetes.md@66ebea8: "By default, `discovery.kubernetes` discovers resources across all namespaces in your cluster"; "In DaemonSet deployments, each Alloy Pod discovers and watches all resources across the cluster by default"; `selectors` with `field = "spec.nodeName=" + sys.env("HOSTNAME")` limits it to the pods of its node',
  'grafana/alloy internal/component/discovery/kubernetes/kubernetes.go@66ebea8 Convert(): role, namespaces, selectors and attach_metadata become a Prometheus kubernetes SD config (informers: LIST with resourceVersion 0, then WATCH)',
  'grafana/alloy docs discovery.kubernetes: "Using multiple `discovery.kubernetes` components with different selectors may increase load on the Kubernetes API"',
];

/**
 * Grafana Alloy: each `discovery.kubernetes` component is a Prometheus kubernetes SD with its own
 * informers (prometheus-sd.ts): without `namespaces` or a spec.nodeName `selectors` field it
 * watches the role's objects cluster-wide, from every pod of a DaemonSet. Clustering spreads
 * scrape targets, not discovery. Components that talk to the API server otherwise
 * (loki.source.kubernetes, prometheus.operator.*, remote.kubernetes.*, …) are reported unmodelled.
 */
export const grafanaAlloy: Agent = {
  id: 'grafana-alloy',
  name: 'Grafana Alloy',
  category: 'logs',
  summary:
    'Each `discovery.kubernetes` component watches its role (pods, endpoints+services+pods, nodes, …) in every namespace unless `namespaces` or a `selectors { field = "spec.nodeName=…" }` narrows it: in a DaemonSet, from every node.',
  sources: SOURCES,
  image: /^(docker\.io\/)?grafana\/alloy(:|@)/i,
  infer: (ctx) => inferGrafana(ctx, 'Grafana Alloy'),
};

/**
 * Grafana Agent (the predecessor of Alloy): flow mode reads River like Alloy; static mode takes
 * Prometheus / promtail `kubernetes_sd_configs` (prometheus-sd.ts).
 */
export const grafanaAgent: Agent = {
  id: 'grafana-agent',
  name: 'Grafana Agent',
  category: 'logs',
  summary:
    'Static mode discovers targets with Prometheus kubernetes_sd_configs (all namespaces and nodes unless `namespaces`/`selectors` narrow it); flow mode with `discovery.kubernetes` components as Alloy does.',
  sources: [
    ...SOURCES,
    'grafana/agent docs (static mode): metrics and logs configs use the Prometheus / promtail scrape_configs syntax, including kubernetes_sd_configs',
  ],
  image: /^(docker\.io\/)?grafana\/agent(:|@)/i,
  infer: (ctx) => inferGrafana(ctx, 'Grafana Agent'),
};
