// The after-action report of a tabletop, from its journal (and the journals of the runbook runs
// it links): the scores against the seed incident, a chart of the run (SVG, written beside the
// report and embedded in it), and one timeline of model events, injections, clock changes, hints
// and participants' steps with their outputs.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { JournalEvent, SimClusterReading, SimSampleEvent, SimStepMarkerEvent, TabletopFinishedEvent, TabletopStartedEvent } from '../runbook/events';
import { readJournal } from '../runbook/journal';
import { mdCode, mdDestination, mdFence as fence, mdText as txt, tailLines } from '../common/markdown';
import { formatElapsed } from '../common/duration';
import { renderChartSvg, fmtSimT, type ChartMarker } from './chart';
import type { Scores } from './score';

const OUTPUT_LINES = 12;
/** Model events that are noise in a timeline (one per replica restart is enough). */
const MAX_EVENTS_PER_KIND = 6;

export interface TabletopReport {
  markdown: string;
  svg: string;
  scores?: Scores;
}

const tail = (text: string, n: number): string => tailLines(text, n, "the run's journal");

/** Outputs of each step run, from the runbook run's journal, in order (several runs of a step stay apart). */
function stepOutputs(file: string): Map<string, string[]> {
  const runs = new Map<string, string[]>();
  if (!existsSync(file)) return runs;
  let events: JournalEvent[];
  try {
    events = readJournal(file).events;
  } catch {
    return runs;
  }
  for (const e of events) {
    if (e.type === 'step-started') runs.set(e.stepId, [...(runs.get(e.stepId) ?? []), '']);
    else if (e.type === 'output') {
      const list = runs.get(e.stepId);
      if (list?.length) list[list.length - 1] += e.text;
    }
  }
  return runs;
}

export interface TabletopReportOptions {
  /** The chart's file: the report embeds it by its name. */
  chartFile: string;
  journalFile?: string;
  /**
   * The exercise goes on (a report exported while it runs): the scores as of `simT`, with `note`
   * above them; the timeline ends with the export, and `reading` (the latest, when it is newer
   * than the journal's last sample) ends the chart.
   */
  soFar?: {
    simT: number;
    scores: Scores;
    note: string;
    reading?: { simT: number; clusters: Record<string, SimClusterReading> };
    /** When it was exported (default: now). */
    at?: string;
  };
}

export function renderTabletopReport(events: JournalEvent[], o: TabletopReportOptions): TabletopReport {
  const soFar = o.soFar;
  const start = events.find((e): e is TabletopStartedEvent => e.type === 'tabletop-started');
  const samples: { simT: number; clusters: Record<string, SimClusterReading> }[] = events.filter((e): e is SimSampleEvent => e.type === 'sim-sample');
  const lastSample = samples[samples.length - 1];
  if (soFar?.reading && (!lastSample || lastSample.simT < soFar.reading.simT)) samples.push(soFar.reading);
  const finished = soFar ? undefined : events.find((e): e is TabletopFinishedEvent => e.type === 'tabletop-finished');
  const scores = soFar ? soFar.scores : (finished?.scores as Scores | undefined);
  const steps = events.filter((e): e is SimStepMarkerEvent => e.type === 'sim-step');
  const title = start ? `Tabletop: ${start.scenario}` : 'Tabletop';

  // Chart markers: each finished step (numbered as in the timeline) and each injected event.
  const markers: ChartMarker[] = [];
  let n = 0;
  const stepNo = new Map<SimStepMarkerEvent, number>();
  for (const s of steps) {
    if (s.state === 'running') continue;
    stepNo.set(s, ++n);
    markers.push({ simT: s.simT, kind: 'step', label: `#${n} ${s.stepId} ${s.state}`, ok: s.state === 'succeeded' || s.state === 'skipped', tag: String(n) });
  }
  for (const e of events) if (e.type === 'sim-event' && e.injectedBy) markers.push({ simT: e.simT, kind: 'event', label: `${e.cluster}: ${e.detail}` });
  const impacted = scores?.clusters.map((c) => c.name);
  // Draw up to half an hour past the last thing that happened (not hours of a flat line).
  const lastT = samples.length ? samples[samples.length - 1].simT : 0;
  const busy = Math.max(0, ...markers.map((m) => m.simT), scores?.recoverAt ?? (scores?.impactAt !== undefined ? lastT : 0));
  const until = Math.min(lastT, Math.max(busy + 1800, 3600));
  const svg = renderChartSvg({ title, samples, markers, clusters: impacted?.length ? impacted : undefined, recoveredErrorRatio: start?.recoveredErrorRatio, until: lastT > 0 ? until : undefined });

  const out: string[] = [];
  // Everything from the journal is escaped (src/common/markdown.ts); the chart keeps the raw text
  // (renderChartSvg escapes it for SVG).
  out.push(`# After-action report — ${start ? `Tabletop: ${txt(start.scenario)}` : title}`, '');
  if (!start) {
    out.push('The journal has no tabletop-started event: nothing to report.');
    return { markdown: out.join('\n') + '\n', svg, scores };
  }
  out.push(start.description ? `${txt(start.description)}.` : '', '');
  out.push('| | |', '|---|---|');
  out.push(`| Scenario | ${mdCode(start.scenario, { cell: true })}${start.file ? ` (${mdCode(start.file, { cell: true })})` : ''}, seed ${txt(start.seed)} |`);
  out.push(`| Clusters | ${start.clusters.map((c) => `${txt(c.name)} (${txt(c.nodes)} nodes)`).join(', ')} |`);
  out.push(`| Started | ${txt(start.t)} by ${txt(start.user)} on ${txt(start.host)} (${txt(start.via)}), clock ×${txt(start.speed)} |`);
  const coveredUntil = soFar ? (soFar.at ?? new Date().toISOString()) : events[events.length - 1].t;
  const endT = soFar?.simT ?? finished?.simT ?? (samples.length ? samples[samples.length - 1].simT : 0);
  out.push(`| Covered | T+0 to T+${fmtSimT(endT)} of simulated time (until ${txt(coveredUntil)}) |`);
  if (o.journalFile) out.push(`| Journal | ${mdCode(o.journalFile, { cell: true })} |`);
  out.push('');

  out.push('## Scores', '');
  if (soFar) out.push(soFar.note, '');
  if (!scores) out.push('The exercise has not finished (no scores in the journal yet).', '');
  else {
    const ref = scores.reference.allClearSeconds;
    out.push('| Measure | This exercise | Seed incident |', '|---|---|---|');
    out.push(`| Impact began | ${scores.impactAt !== undefined ? `T+${fmtSimT(scores.impactAt)} (${txt(scores.impactCluster)})` : 'no impact'} | minutes after the rollout |`);
    out.push(`| Time to detect | ${formatElapsed(scores.timeToDetect)}${scores.detectedBy ? ` (${txt(scores.detectedBy)})` : ''} | — |`);
    out.push(`| Time to mitigate (offending load stopped) | ${formatElapsed(scores.timeToMitigate)} | — |`);
    out.push(`| Time to recover (errors under ${((start.recoveredErrorRatio ?? 0.01) * 100).toFixed(1)} % for good) | ${scores.recovered ? formatElapsed(scores.timeToRecover) : `**not recovered** by T+${fmtSimT(endT)}`} | ${formatElapsed(ref)} |`);
    if (scores.recovered && scores.timeToRecover !== undefined && scores.timeToRecover > 0) {
      out.push(`| Against the incident | ${(ref / scores.timeToRecover).toFixed(1)}× faster to all-clear | |`);
    }
    const r = scores.requests;
    out.push(`| Participants' requests to the API servers | ${txt(r.total)} (${txt(r.whileSaturated)} while saturated, ${txt(r.refused)} refused or timed out); ${txt(r.exempt)} through the break-glass identity | — |`);
    out.push('');
    if (scores.clusters.length) {
      out.push('| Cluster | Impact from | Recovered at |', '|---|---|---|');
      for (const c of scores.clusters) out.push(`| ${txt(c.name)} | T+${fmtSimT(c.impactedAt ?? 0)} | ${c.recoveredAt !== undefined ? `T+${fmtSimT(c.recoveredAt)}` : 'not recovered'} |`);
      out.push('');
    }
  }

  out.push('## The run', '', `![API-server load, DNS success and errors per cluster, with a marker for each step](${mdDestination(basename(o.chartFile))})`, '');
  out.push('Orange: API-server load (seats in use / limit). Blue: DNS success. Red: user-visible errors (dashed: the recovery threshold). Green or red verticals: steps (by number below); purple dashed: injected events.', '');

  out.push('## Timeline', '');
  const outputs = new Map<string, Map<string, string[]>>();
  const seen = new Map<string, number>();
  const runIndex = new Map<string, number>();
  for (const e of events) {
    switch (e.type) {
      case 'sim-event': {
        const k = `${e.cluster}/${e.kind}`;
        const c = (seen.get(k) ?? 0) + 1;
        seen.set(k, c);
        if (!e.injectedBy && c > MAX_EVENTS_PER_KIND) {
          if (c === MAX_EVENTS_PER_KIND + 1) out.push(`- T+${fmtSimT(e.simT)} ${txt(e.cluster)}: further '${txt(e.kind)}' events are in the journal`);
          break;
        }
        out.push(`- T+${fmtSimT(e.simT)} ${txt(e.cluster)}: ${txt(e.detail)}${e.injectedBy ? ` — **injected** by ${txt(e.injectedBy)}` : ''}`);
        break;
      }
      case 'sim-clock':
        out.push(`- T+${fmtSimT(e.simT)} clock: ${txt(e.action)}${e.action === 'speed' ? ` ×${txt(e.speed)}` : ''}${e.until !== undefined ? ` to T+${fmtSimT(e.until)}` : ''} (${txt(e.user)})`);
        break;
      case 'sim-activity':
        out.push(`- T+${fmtSimT(e.simT)} ${txt(e.activity)}${e.detail ? `: ${txt(e.detail)}` : ''}`);
        break;
      case 'sim-step': {
        if (e.state === 'running') {
          out.push(`- T+${fmtSimT(e.simT)} step ${mdCode(e.stepId)} started (${txt(basename(String(e.runbook)))})`);
          break;
        }
        const no = stepNo.get(e);
        out.push(`- T+${fmtSimT(e.simT)} **#${no} step ${mdCode(e.stepId)} ${txt(e.state)}**${e.reason ? ` — ${txt(e.reason)}` : ''}`);
        if (e.journal) {
          if (!outputs.has(e.journal)) outputs.set(e.journal, stepOutputs(e.journal));
          const k = `${e.journal}\u0000${e.stepId}`;
          const i = runIndex.get(k) ?? 0;
          runIndex.set(k, i + 1);
          const text = outputs.get(e.journal)!.get(e.stepId)?.[i];
          if (text && text.trim()) out.push('', fence(tail(text, OUTPUT_LINES)).replace(/^/gm, '  '), '');
        }
        break;
      }
      case 'tabletop-finished':
        if (!soFar) out.push(`- T+${fmtSimT(e.simT)} exercise ended`);
        break;
      default:
        break;
    }
  }
  if (soFar) out.push(`- T+${fmtSimT(soFar.simT)} report exported; the exercise goes on`);
  out.push('');
  return { markdown: out.join('\n') + '\n', svg, scores };
}

/** Writes `<out>.md` and its chart `<out>.svg` beside it from a tabletop journal; returns both paths. */
export function writeTabletopReport(journalFile: string, outFile: string): { report: string; chart: string; scores?: Scores } {
  const chart = outFile.replace(/\.md$/i, '') + '.svg';
  const { events } = readJournal(journalFile);
  const r = renderTabletopReport(events, { chartFile: chart, journalFile });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(chart, r.svg);
  writeFileSync(outFile, r.markdown);
  return { report: outFile, chart, scores: r.scores };
}
