// network-block: drop the offending clients' traffic to the API server port on the
// control-plane hosts themselves (over SSH, with node-exec's machinery), and lift exactly that
// block later.
//
//   action: network-block
//   hosts: {file: control-plane.txt}     # the control-plane hosts (an inventory, as node-exec)
//   sources: [10.20.0.0/16]              # CIDRs/addresses, or an inventory of the clients' nodes
//   port: 6443
//   tag: telemetry                       # names the rule; default: derived from sources and port
//   lift: false                          # true: remove the rule with this tag
//   user: root
//   sudo: false                          # run the rule commands through `sudo -n`
//   workload: monitoring/telemetry-agent # simulation: the clients being blocked
//
// Real: an nftables rule in its own table (`inet breakglass`, chain `input`, priority -10) with
// the comment `breakglass:<tag>`; where nft is missing, iptables/ip6tables rules with the same
// comment. Adding is idempotent (an existing rule with the tag is left alone and reported as no
// change); lifting deletes only rules with that comment, from both backends.
// Simulated: the model's setBlocked(namespace, name, !lift) once every control-plane host is done.
import { shQuote } from '../common/shell';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { describeInventory, expandRange, fillInventory, parseInventory, resolveInventory, type InventorySource } from './inventory';
import { fanOutSummary, nodeItems, selectNodes } from './node-exec';
import { clockTimeline, scheduleSessions, simSessionSeconds } from './simtime';
import { asBody, bool, duration, int, str, unknownFields, workloadRef } from './spec';
import { DEFAULT_NODE_TIMEOUT_MS, MAX_CONCURRENCY, fanOut, sshAuth } from './ssh';
import { ActionError, simTargetOf, type ActionContext, type ActionReadiness, type ActionItem, type ActionResult, type BreakglassAction, type ParseResult, type RunOptions } from './types';

const NAME = 'network-block';

/**
 * The preflight path a run needs (its readiness badge). Plain data, exported on its own: readiness.ts
 * imports only this, so the bundler leaves the action's code out of the extension's main bundle.
 */
export const NETWORK_BLOCK_READINESS: ActionReadiness = { action: NAME, path: 'controlPlane' };

export interface NetworkBlockSpec {
  /** Absent in a multi-cluster step: each cluster's control-plane hosts come from its configuration. */
  hosts?: InventorySource;
  /** CIDRs/addresses/ranges as written, or an inventory of client nodes. */
  sources?: string[] | InventorySource;
  port: number;
  tag?: string;
  lift: boolean;
  user?: string;
  sshPort?: number;
  sudo: boolean;
  concurrency: number;
  timeoutMs: number;
  workload?: { namespace: string; name: string };
}

/** An address, a CIDR, or an IPv4 range FIRST-LAST. */
export function checkSource(s: string): string | undefined {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined) return `'${s}' is not an address or CIDR`;
  if (addr.includes('-') && bits === undefined) {
    try {
      expandRange(addr);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }
  const v = isIP(addr);
  if (!v) return `'${s}' is not an IP address or CIDR (names are not resolved: DNS may be what is failing)`;
  if (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > (v === 4 ? 32 : 128))) return `'${s}': bad prefix length`;
  if (bits !== undefined && Number(bits) < 8) return `'${s}' is too broad (prefix shorter than /8)`;
  return undefined;
}

export function parseNetworkBlock(body: unknown): ParseResult<NetworkBlockSpec> {
  const problems: string[] = [];
  const b = asBody(body, problems);
  if (!b) return { problems };
  unknownFields(b, ['hosts', 'sources', 'port', 'tag', 'lift', 'user', 'sshPort', 'sudo', 'concurrency', 'timeout', 'workload'], problems);
  const hosts = b.hosts === undefined ? (b.clusters === undefined ? (problems.push('`hosts` (the control-plane hosts) is required'), undefined) : undefined) : parseInventory(b.hosts, 'hosts', problems);
  let sources: NetworkBlockSpec['sources'];
  if (Array.isArray(b.sources)) {
    sources = b.sources.map(String);
    for (const s of sources) {
      const err = checkSource(s);
      if (err) problems.push(`sources: ${err}`);
    }
  } else if (b.sources !== undefined) sources = parseInventory(b.sources, 'sources', problems);
  const lift = bool(b, 'lift', problems) ?? false;
  const workload = workloadRef(b, 'workload', problems);
  if (!sources && !workload && !(lift && b.tag !== undefined)) problems.push('give `sources` (CIDRs or an inventory of the clients), or `workload` for the simulation');
  const port = int(b, 'port', problems, { min: 1, max: 65535 }) ?? 6443;
  const tag = str(b, 'tag', problems);
  if (tag !== undefined && !/^[A-Za-z0-9._-]{1,40}$/.test(tag)) problems.push('`tag` may use only letters, digits, . _ - (at most 40)');
  const user = str(b, 'user', problems);
  const sshPort = int(b, 'sshPort', problems, { min: 1, max: 65535 });
  const sudo = bool(b, 'sudo', problems) ?? false;
  const concurrency = int(b, 'concurrency', problems, { min: 1, max: MAX_CONCURRENCY }) ?? 10;
  const timeoutMs = duration(b, 'timeout', problems) ?? DEFAULT_NODE_TIMEOUT_MS;
  if (problems.length || (!hosts && b.clusters === undefined)) return { problems };
  return { spec: { hosts, sources, port, tag, lift, user, sshPort, sudo, concurrency, timeoutMs, workload }, problems };
}

/** The sources as nft/iptables elements (addresses, CIDRs, IPv4 ranges). */
export async function resolveSources(spec: NetworkBlockSpec, ctx: ActionContext): Promise<string[]> {
  if (!spec.sources) return [];
  if (Array.isArray(spec.sources)) return spec.sources;
  if ('range' in spec.sources) return [spec.sources.range.replace(/\s+/g, '')];
  const nodes = await resolveInventory(spec.sources, { runbookDir: ctx.runbookDir, env: ctx.env, signal: ctx.signal });
  const out: string[] = [];
  for (const n of nodes) {
    if (!isIP(n.host)) throw new ActionError(`source '${n.host}' is not an IP address: list the clients' addresses (names are not resolved)`);
    out.push(n.host);
  }
  if (!out.length) throw new ActionError('the sources inventory lists no addresses');
  return out;
}

export function ruleTag(spec: NetworkBlockSpec, sources: string[]): string {
  if (spec.tag) return `breakglass:${spec.tag}`;
  const h = createHash('sha256').update(`${spec.port}|${[...sources].sort().join(',')}`).digest('hex').slice(0, 10);
  return `breakglass:${h}`;
}

/** The shell script that adds the rule on one host (prints what it changed, nothing otherwise). */
export function blockScript(sources: string[], port: number, tag: string): string {
  const v4 = sources.filter((s) => !s.includes(':'));
  const v6 = sources.filter((s) => s.includes(':'));
  const nftRule = (fam: 'ip' | 'ip6', list: string[]): string =>
    `nft ${shQuote(`add rule inet breakglass input ${fam} saddr { ${list.join(', ')} } tcp dport ${port} counter drop comment "${tag}"`)}`;
  const ipt = (bin: string, list: string[]): string[] =>
    list.map((s) => {
      const match = s.includes('-') && !s.includes('/') ? `-m iprange --src-range ${s}` : `-s ${s}`;
      const rule = `INPUT -p tcp --dport ${port} ${match} -m comment --comment ${tag} -j DROP`;
      return `  ${bin} -C ${rule} 2>/dev/null || { ${bin} -I ${rule} && changed=1; }`;
    });
  return [
    'set -e',
    'changed=',
    'if command -v nft >/dev/null 2>&1; then',
    '  nft list table inet breakglass >/dev/null 2>&1 || nft add table inet breakglass',
    `  nft list chain inet breakglass input >/dev/null 2>&1 || nft ${shQuote('add chain inet breakglass input { type filter hook input priority -10; policy accept; }')}`,
    `  if ! nft -a list chain inet breakglass input | grep -qF ${shQuote(`comment "${tag}"`)}; then`,
    ...(v4.length ? [`    ${nftRule('ip', v4)}`] : []),
    ...(v6.length ? [`    ${nftRule('ip6', v6)}`] : []),
    '    changed=1',
    '  fi',
    '  [ -z "$changed" ] || echo "blocked: nft rule ' + tag + ' (port ' + port + ', ' + sources.length + ' source(s))"',
    'elif command -v iptables >/dev/null 2>&1; then',
    ...ipt('iptables', v4),
    ...(v6.length ? ['  command -v ip6tables >/dev/null 2>&1 || { echo "ip6tables is missing for IPv6 sources" >&2; exit 3; }', ...ipt('ip6tables', v6)] : []),
    '  [ -z "$changed" ] || echo "blocked: iptables rules ' + tag + ' (port ' + port + ', ' + sources.length + ' source(s))"',
    'else',
    '  echo "neither nft nor iptables is installed on this host" >&2; exit 3',
    'fi',
  ].join('\n');
}

/** The shell script that removes every rule with the tag, from nftables and iptables. */
export function liftScript(tag: string): string {
  return [
    'set -e',
    'n=0',
    'if command -v nft >/dev/null 2>&1 && nft list chain inet breakglass input >/dev/null 2>&1; then',
    `  for h in $(nft -a list chain inet breakglass input | grep -F ${shQuote(`comment "${tag}"`)} | sed -n 's/.*# handle \\([0-9][0-9]*\\)$/\\1/p'); do`,
    '    nft delete rule inet breakglass input handle "$h"; n=$((n+1))',
    '  done',
    'fi',
    'for bin in iptables ip6tables; do',
    '  command -v "$bin" >/dev/null 2>&1 || continue',
    `  "$bin" -S INPUT 2>/dev/null | grep -F -- ${shQuote(`--comment ${tag} `)} | sed 's/^-A /-D /' | while read -r rule; do`,
    '    # shellcheck disable=SC2086',
    '    "$bin" $rule',
    '  done',
    `  m=$("$bin" -S INPUT 2>/dev/null | grep -cF -- ${shQuote(`--comment ${tag} `)} || true)`,
    '  [ "$m" = 0 ] || { echo "$bin: $m rule(s) with the tag are still there" >&2; exit 4; }',
    'done',
    `[ "$n" = 0 ] || echo "lifted: $n nft rule(s) ${tag}"`,
  ].join('\n');
}

function wrap(script: string, sudo: boolean): string {
  return sudo ? `sudo -n sh -c ${shQuote(script)}` : `sh -c ${shQuote(script)}`;
}

async function realExec(spec: NetworkBlockSpec, ctx: ActionContext, opts: RunOptions, previewOnly: boolean): Promise<ActionResult> {
  const hosts = await selectNodes(spec.hosts, ctx, opts.only);
  const sources = await resolveSources(spec, ctx);
  if (!spec.lift && !sources.length) throw new ActionError('no sources to block');
  const tag = ruleTag(spec, sources);
  const what = spec.lift ? `lift rule ${tag}` : `drop tcp/${spec.port} from ${sources.length} source(s) (${sources.slice(0, 3).join(', ')}${sources.length > 3 ? ', …' : ''}) with rule ${tag}`;
  if (previewOnly || ctx.dryRun) {
    return {
      ok: true,
      summary: `${ctx.dryRun && !previewOnly ? 'dry run: nothing changed; ' : ''}would ${what} on ${hosts.length} control-plane host(s)`,
      items: hosts.map((h) => ({ id: h.id, ok: true, detail: spec.lift ? 'to lift' : 'to block' })),
      plan: { kind: 'network-block', tag, sources },
      ...(ctx.dryRun && !previewOnly ? { dryRun: true } : {}),
    };
  }
  const auth = sshAuth(ctx.env, ctx.settings?.ssh, { user: spec.user, port: spec.sshPort });
  const script = wrap(spec.lift ? liftScript(tag) : blockScript(sources, spec.port, tag), spec.sudo);
  ctx.log(`network-block: ${what} on ${hosts.length} host(s) as ${auth.user}`);
  const t0 = performance.now();
  const results = await fanOut(hosts, script, auth, { concurrency: spec.concurrency, timeoutMs: spec.timeoutMs, signal: ctx.signal, progress: ctx.progress });
  const summary = fanOutSummary(results, spec.lift ? `lift ${tag}` : `block ${tag}`, (performance.now() - t0) / 1000);
  return { ok: results.every((r) => r.ok), summary, items: nodeItems(results), plan: { kind: 'network-block', tag, sources } };
}

async function simExec(spec: NetworkBlockSpec, ctx: ActionContext, opts: RunOptions, previewOnly: boolean): Promise<ActionResult> {
  const cluster = simTargetOf(ctx);
  if (!spec.workload) throw new ActionError('simulated mode needs `workload` (namespace/name): the clients whose traffic is blocked');
  const key = `${spec.workload.namespace}/${spec.workload.name}`;
  if (!(key in cluster.snapshot().workloadPods)) throw new ActionError(`no workload ${key} in the simulated cluster ${cluster.spec.name}`);
  const n = cluster.spec.apiServerReplicas;
  let ids = Array.from({ length: n }, (_, i) => `control-plane-${i + 1}`);
  if (opts.only) ids = ids.filter((id) => opts.only!.includes(id));
  const finish = scheduleSessions(ids.length, spec.concurrency, (i) => simSessionSeconds(i, 17));
  const seconds = Math.ceil(Math.max(0, ...finish));
  const verb = spec.lift ? 'lift the block of' : 'block';
  if (previewOnly || ctx.dryRun) {
    return { ok: true, summary: `${ctx.dryRun && !previewOnly ? 'dry run: nothing changed; ' : ''}would ${verb} ${key}'s traffic to port ${spec.port} on ${ids.length} simulated control-plane host(s), about ${seconds} simulated seconds`, items: ids.map((id) => ({ id, ok: true, detail: spec.lift ? 'to lift' : 'to block' })), simSeconds: seconds, ...(ctx.dryRun && !previewOnly ? { dryRun: true } : {}) };
  }
  const timeline = ctx.sim?.timeline ?? clockTimeline(cluster);
  const start = timeline.now();
  await timeline.until(start + seconds, ctx.signal);
  // The model blocks a client population as a whole: in effect once every host has the rule.
  const complete = ids.length === n;
  if (complete) cluster.setBlocked(spec.workload.namespace, spec.workload.name, !spec.lift);
  const items: ActionItem[] = ids.map((id) => ({ id, ok: true, detail: spec.lift ? 'lifted' : 'blocked' }));
  const summary = `${spec.lift ? 'lifted the block of' : 'blocked'} ${key} -> port ${spec.port} on ${ids.length} simulated control-plane host(s) in ${timeline.now() - start} simulated seconds${complete ? '' : ' (partial: the model applies a block only on every host)'}`;
  return { ok: true, summary, items, simSeconds: timeline.now() - start };
}

export const networkBlock: BreakglassAction<NetworkBlockSpec> = {
  name: NAME,
  title: 'Block clients at the control-plane hosts',
  readiness: NETWORK_BLOCK_READINESS,
  forCluster(body, cluster) {
    fillInventory(body, 'hosts', cluster.controlPlane);
    // The clients to block, by default: the cluster's own nodes.
    if (body.sources === undefined && cluster.nodes) body.sources = cluster.nodes.inventory;
  },
  parse: parseNetworkBlock,
  where(spec, ctx) {
    if (ctx.mode === 'sim') return [`the control plane of the simulated cluster ${ctx.sim?.cluster.spec.name ?? '?'}`];
    return [`control-plane hosts: ${spec.hosts ? describeInventory(spec.hosts) : 'none given'}, over SSH`];
  },
  preview(spec, ctx) {
    return ctx.mode === 'sim' ? simExec(spec, ctx, {}, true) : realExec(spec, ctx, {}, true);
  },
  run(spec, ctx, opts = {}) {
    return ctx.mode === 'sim' ? simExec(spec, ctx, opts, false) : realExec(spec, ctx, opts, false);
  },
};
