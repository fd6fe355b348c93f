// ```breakglass: a typed bypass action (etcd, node SSH, network block, exempt request) that works
// without the API server. The actions themselves live in src/breakglass/ (a lazy module, loaded at
// the first break-glass step run).
import { dirname, resolve } from 'node:path';
import type { ActionContext, ActionItem, ActionResult, ClusterTarget } from '../../breakglass';
import type { ClusterOutcome } from '../../breakglass/fanout';
import { BREAKGLASS_ACTIONS } from '../../breakglass/names';
import { formatDuration } from '../../common/duration';
import type { Masker } from '../../common/mask';
import type { Step, StepState } from '../model';
import type { SimHost } from '../simhost';
import { bodyCommand, codeBlock, yamlBody } from './common';
import type { StepKindDef, StepRun } from './types';

type Breakglass = typeof import('../../breakglass');
type BaseContext = Omit<ActionContext, 'mode'>;

export const breakglass: StepKindDef<'breakglass'> = {
  kind: 'breakglass',
  languages: ['breakglass'],
  title: 'Break-glass action',
  attributes: {
    dryRun: { type: 'boolean', description: 'Preview only.' },
  },
  icon: 'flame',
  kindBadge: true,
  confirmShowsBody: true,
  realRunLabel: 'Break-glass',
  retriesFailedItems: true,
  checkBody(body, problems) {
    const spec = yamlBody(body, problems, true);
    if (!spec) return undefined;
    const action = spec.action;
    if (typeof action !== 'string') {
      problems.push({ line: 0, severity: 'error', message: `\`action\` is required: one of ${BREAKGLASS_ACTIONS.join(', ')}` });
    } else if (!(BREAKGLASS_ACTIONS as readonly string[]).includes(action)) {
      problems.push({ line: 0, severity: 'error', message: `unknown action '${action}': expected one of ${BREAKGLASS_ACTIONS.join(', ')}` });
    }
    return spec;
  },
  destructiveByDefault: () => true,
  blocker(_step, { mode, hasSim }) {
    if (mode === 'sim' && !hasSim()) {
      return 'in simulated mode break-glass actions act on the cluster models of a tabletop: start one (Breakglass: Start Tabletop, or `breakglass tabletop`)';
    }
    return undefined;
  },
  // It asks once it knows which clusters it acts on (runBreakglass).
  namesOwnTargets: true,
  command: bodyCommand,
  run: runBreakglass,
  bypassesApiServer: () => true,
  render: codeBlock,
};

/**
 * A typed bypass action (etcd, node SSH, network block, exempt request): preview, then run. With
 * `clusters:` (or in a tabletop) it fans out across clusters, largest first.
 */
async function runBreakglass(run: StepRun): Promise<StepState> {
  const { step, env, timeoutMs, signal, host, only } = run;
  const bg = await import('../../breakglass');
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  const info = (line: string) => run.output('info', `${run.masker.mask(line)}\n`);
  const dryRun = step.attrs.dryRun === true;
  const lastTenth = new Map<string, number>();
  const progress = (who: string) => (p: { done: number; total: number; failed: number }) => {
    const tenth = p.total > 0 ? Math.floor((p.done / p.total) * 10) : 10;
    if (tenth !== lastTenth.get(who)) {
      lastTenth.set(who, tenth);
      info(`${who ? `[${who}] ` : ''}progress: ${p.done}/${p.total} done, ${p.failed} failed`);
    }
  };
  const base = { runbookDir: dirname(run.runbookPath), env, signal: both, dryRun, log: info };
  let preview: ActionResult | undefined;
  let result: ActionResult;
  // On the tabletop's clusters or a step's `clusters:`: fanned out, one table row per cluster.
  const acrossClusters = !!host || bg.stepClusters(step.spec) !== undefined;
  if (acrossClusters) {
    const targets = host ? simTargets(step, host, base, bg) : await realTargets(run, base, bg);
    if (typeof targets === 'string') {
      info(targets);
      return run.finish('failed', { reason: targets, exitCode: 1 });
    }
    info(`clusters, largest first: ${bg.orderClusters(targets).map((t) => `${t.name}${t.size !== undefined ? ` (${t.size} nodes)` : ''}`).join(', ')}`);
    // The clusters this run acts on (a retry: only those with something that failed).
    const acted = bg.orderClusters(targets).filter((t) => bg.onlyFor(only, t.name) !== null);
    const named = acted.map((t) => ({ name: t.name, where: bg.describeWhere(t.body ?? step.spec, t.ctx) }));
    if (host) {
      if (!run.record({ type: 'decision', t: now(), stepId: step.id, decision: 'targets', user: run.user, detail: named.map((t) => t.name).join(', '), targets: named })) return run.journalRefused();
    } else if (!dryRun) {
      const ok = await run.confirmTargets(named, 'typed-clusters');
      if (ok === 'unjournaled') return run.journalRefused();
      if (!ok) return run.finish('cancelled', { reason: `the clusters it acts on (${named.map((t) => t.name).join(', ')}) were not named` });
    }
    // Each cluster's plan as its preview comes back, and its outcome as it ends: once each, as
    // they happen (the table shows the same rows live).
    const told = new Set<string>();
    const tell = (clusters: readonly ClusterOutcome[]): void => {
      for (const c of clusters) {
        if (c.preview && !told.has(`${c.name}/plan`)) {
          told.add(`${c.name}/plan`);
          info(`[${c.name}] plan: ${c.preview.summary}`);
        }
        if (c.result && c.state !== 'running' && c.state !== 'pending' && !told.has(`${c.name}/result`)) {
          told.add(`${c.name}/result`);
          info(`[${c.name}] ${c.state}: ${c.result.summary}`);
        }
      }
    };
    const masked = outcomeMasker(run.masker);
    const out = await bg.fanOutStep(step.spec, targets.map((t) => ({ ...t, ctx: { ...t.ctx, progress: progress(t.name) } })), {
      parallel: run.parallelClusters,
      only,
      signal: both,
      onUpdate: (clusters) => {
        tell(clusters);
        run.clusters(clusters.map(masked));
      },
    });
    result = out.result;
    tell(out.result.clusters);
    listItems(out.result.clusters.map((c) => ({ prefix: `[${c.name}] `, items: c.result?.items ?? [] })), info);
  } else {
    const ctx = { ...base, mode: 'real' as const };
    const name = run.target.context ?? '?';
    if (!dryRun) {
      const ok = await run.confirmTargets([{ name, where: bg.describeWhere(step.spec, ctx) }], 'typed-clusters');
      if (ok === 'unjournaled') return run.journalRefused();
      if (!ok) return run.finish('cancelled', { reason: `the context it acts on (${name}) was not named` });
    }
    const r = await bg.runStep(step.spec, { ...ctx, progress: progress('') }, { only });
    preview = r.preview;
    result = r.result;
    if (preview) info(`preview: ${preview.summary}`);
    listItems([{ prefix: '', items: result.items }], info);
  }
  info(result.summary);
  run.failedItems(bg.failedIds(result));
  if (signal.aborted) return run.finish('cancelled', { reason: 'cancelled' });
  if (timeout.aborted) return run.finish('failed', { reason: `timed out after ${formatDuration(timeoutMs)}`, timedOut: true });
  // Across clusters the reason names the failed ones (their rows say why, the output has it all);
  // on one cluster it is the action's whole summary.
  const reason = acrossClusters ? (result.brief ?? result.summary) : result.summary;
  return result.ok ? run.finish('succeeded', { exitCode: 0, reason: dryRun ? 'dry run: nothing changed' : undefined }) : run.finish('failed', { reason, exitCode: 1 });
}

/**
 * A cluster's outcome with every text masked (it goes to views and logs); previews keep only their
 * summary. A cluster's result is masked once, not on every update.
 */
function outcomeMasker(masker: Masker): (c: ClusterOutcome) => ClusterOutcome {
  const maskedResults = new WeakMap<object, ActionResult>();
  const briefOf = (r: ActionResult) => ({ ...(r.brief !== undefined ? { brief: masker.mask(r.brief) } : {}), ...(r.dryRun ? { dryRun: true } : {}) });
  const result = (r: ActionResult): ActionResult => {
    let m = maskedResults.get(r);
    if (!m) {
      m = { ok: r.ok, summary: masker.mask(r.summary), items: r.items.map((i) => ({ ...i, detail: masker.mask(i.detail) })), simSeconds: r.simSeconds, ...briefOf(r) };
      maskedResults.set(r, m);
    }
    return m;
  };
  return (c) => ({
    ...c,
    preview: c.preview ? { ok: c.preview.ok, summary: masker.mask(c.preview.summary), items: [], simSeconds: c.preview.simSeconds, ...briefOf(c.preview) } : undefined,
    result: c.result ? result(c.result) : undefined,
    progress: c.progress ? { ...c.progress, current: c.progress.current && masker.mask(c.progress.current) } : undefined,
  });
}

/**
 * Every failed item with its reason; changed and unchanged ones up to a few dozen. Items of a
 * step across clusters come per cluster, each line naming its cluster (`[prod-east] ✔ /registry/…`).
 */
function listItems(groups: { prefix: string; items: readonly ActionItem[] }[], info: (line: string) => void): void {
  // Successes shown: a few dozen in all, shared between the clusters so that each one shows some.
  const SHOWN = 40;
  const per = Math.max(5, Math.ceil(SHOWN / Math.max(1, groups.filter((g) => g.items.length).length)));
  let hidden = 0;
  for (const { prefix, items } of groups) {
    let shown = 0;
    for (const item of items) {
      if (item.ok && shown >= per) {
        hidden++;
        continue;
      }
      if (item.ok) shown++;
      info(`${prefix}${item.ok ? (item.unchanged ? '=' : '✔') : '✖'} ${item.id}: ${item.detail}`);
    }
  }
  if (hidden) info(`… and ${hidden} more that succeeded (the journal's summary counts them)`);
}

/** Tabletop: the scenario's clusters (models), in simulated time. */
function simTargets(step: Step, host: SimHost, base: BaseContext, bg: Breakglass): ClusterTarget[] | string {
  const known = host.clusters();
  const focus = known.filter((c) => c.name === host.focus());
  const sel = bg.selectClusters(step.spec, known, focus.length ? focus : known.slice(0, 1));
  if (sel.problem) return sel.problem;
  const spec = step.spec as Record<string, unknown> | undefined;
  return sel.clusters.map((c) => ({
    name: c.name,
    size: c.nodes,
    // The action's own body for this cluster, if it has one (exempt-request: its break-glass context).
    body: bg.simBodyFor(spec, c.name),
    ctx: { ...base, mode: 'sim' as const, sim: { cluster: c.model, timeline: host.timeline(c.name) } },
  }));
}

/** Real mode, `clusters:` named: each cluster's paths come from the preflight config. */
async function realTargets(run: StepRun, base: BaseContext, bg: Breakglass): Promise<ClusterTarget[] | string> {
  const file = run.clustersConfig ?? resolve(dirname(run.journalDir), 'preflight.yaml');
  const { clusterTargets } = bg;
  try {
    const all = await clusterTargets(file, run.step.spec, { ...base, mode: 'real' });
    const sel = bg.selectClusters(run.step.spec, all, []);
    return sel.problem ?? sel.clusters;
  } catch (e) {
    return (e as Error).message;
  }
}

function now(): string {
  return new Date().toISOString();
}
