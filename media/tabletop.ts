// The facilitator panel of a tabletop (webview script). Draws only: the simulation clock, the live
// chart of the chosen cluster (API-server load, DNS success, user-visible errors over simulated
// time, a vertical line per step participants ran and per injected event), scores, hints and the
// scenario's events; posts the facilitator's intents. Every text goes in through textContent.
import uPlot from 'uplot';
import {
  parseTabletopToWebview, type TabletopDrawn, type TabletopEventView, type TabletopHintsView, type TabletopMarkerView,
  type TabletopReadingView, type TabletopScoresView, type TabletopStateView, type TabletopToHost, type TabletopToWebview,
} from '../src/views/messages/tabletop';
import { appendReading, chartSeries, fmtClock, LOAD_CAP, markerLabels } from '../src/views/tabletopView';
import { formatElapsed as fmtDur } from '../src/common/duration';
import { INJECT_PARAMS } from '../src/sim/actions/params';
import type { InjectParam } from '../src/sim/actions/action';
import { announceReady, el, guardLinks, pathCode } from './dom';
import { readTheme } from './theme';

declare function acquireVsCodeApi(): { postMessage(msg: TabletopToHost): void };
const vscode = acquireVsCodeApi();
const post = (m: TabletopToHost): void => vscode.postMessage(m);

const CHART_HEIGHT = 240;
/** Tick spacing of the time axis, in simulated seconds: round minutes and hours. */
const TIME_STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800];
const EVENTS_SHOWN = 300;

function $(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e;
}

/** Axis labels of simulated time: `0m`, `15m`, `1h30`. */
function axisTime(t: number): string {
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = Math.floor(t % 60);
  if (h) return `${h}h${String(m).padStart(2, '0')}`;
  return s ? `${m}m${String(s).padStart(2, '0')}` : `${m}m`;
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10} %`;

// ---- state ---------------------------------------------------------------------------------------

let state: TabletopStateView | undefined;
let cluster = '';
let plot: uPlot | undefined;
let theme = readTheme();

const els = {
  title: $('tt-title'),
  desc: $('tt-desc'),
  clock: $('tt-clock'),
  clockNote: $('tt-clock-note'),
  play: $('tt-play') as HTMLButtonElement,
  banner: $('tt-banner'),
  pace: $('tt-pace'),
  scoresWhen: $('tt-scores-when'),
  kube: $('tt-kube'),
  cluster: $('tt-cluster') as HTMLSelectElement,
  now: $('tt-now'),
  chart: $('tt-chart'),
  steps: $('tt-steps'),
  scores: $('tt-scores') as HTMLTableElement,
  injectCluster: $('tt-inject-cluster') as HTMLSelectElement,
  replicas: $('tt-replicas') as HTMLInputElement,
  client: $('tt-client') as HTMLInputElement,
  workloads: $('tt-workloads'),
  deploy: $('tt-deploy') as HTMLSelectElement,
  etcdLatency: $('tt-etcd-latency') as HTMLInputElement,
  etcdFor: $('tt-etcd-for') as HTMLInputElement,
  hintCount: $('tt-hint-count'),
  hints: $('tt-hints'),
  events: $('tt-events'),
};

// ---- drawing -------------------------------------------------------------------------------------

function drawAll(): void {
  const s = state;
  if (!s) return;
  els.title.textContent = `Tabletop: ${s.scenario}`;
  els.desc.textContent = s.description;
  document.title = `Facilitator: ${s.scenario}`;
  if (!s.clusters.some((c) => c.name === cluster)) cluster = s.focus;
  fillSelect(els.cluster, s.clusters.map((c) => ({ value: c.name, label: `${c.name} (${c.nodes.toLocaleString('en')} nodes)` })), cluster);
  const prevInject = els.injectCluster.value || s.focus;
  fillSelect(els.injectCluster, [...s.clusters.map((c) => ({ value: c.name, label: c.name })), { value: '*', label: 'every cluster' }], prevInject);
  els.workloads.textContent = '';
  for (const w of s.workloads) {
    const o = el('option');
    o.value = `${w.namespace}/${w.name}`;
    els.workloads.append(o);
  }
  if (!els.client.value && s.workloads[0]) els.client.value = `${s.workloads[0].namespace}/${s.workloads[0].name}`;
  const deployable = s.workloads.map((w) => ({ value: `${w.namespace}/${w.name}`, label: `${w.namespace}/${w.name} (${w.kind})` }));
  fillSelect(els.deploy, deployable.length ? deployable : [{ value: '', label: 'none in this scenario' }], els.deploy.value);
  els.deploy.disabled = !deployable.length;
  document.querySelectorAll<HTMLButtonElement>('button.tt-inject[data-params~="workload"]').forEach((b) => (b.disabled = !deployable.length));
  drawKube();
  drawClock();
  drawChart(true);
  drawSteps();
  drawScores(s.scores);
  drawHints(s.hints);
  drawEvents();
  drawEnded();
}

function fillSelect(sel: HTMLSelectElement, options: { value: string; label: string }[], value: string): void {
  sel.textContent = '';
  for (const o of options) {
    const opt = el('option', undefined, o.label);
    opt.value = o.value;
    sel.append(opt);
  }
  sel.value = options.some((o) => o.value === value) ? value : (options[0]?.value ?? '');
}

function drawKube(): void {
  const s = state!;
  els.kube.textContent = '';
  if (!s.running || !s.kubeconfig) return;
  const contexts = s.clusters.map((c) => c.name).join(', ');
  els.kube.append(
    el('span', 'codicon codicon-terminal'),
    document.createTextNode(` Participants: new terminals get KUBECONFIG=`),
    pathCode(s.kubeconfig),
    document.createTextNode(` (contexts ${contexts}, each also as <name>-breakglass; current: ${s.focus}). Runbook steps run against the same clusters.`),
  );
}

function drawClock(): void {
  const s = state!;
  const c = s.clock;
  els.clock.textContent = fmtClock(c.t);
  els.clockNote.textContent = !s.running ? 'simulated — ended' : c.paused ? 'simulated — paused' : `simulated — ${c.speed}× real time`;
  els.pace.textContent = !s.running
    ? ''
    : c.paused
      ? 'The clock is paused: nothing happens on the clusters until you press Play.'
      : c.speed === 1
        ? 'Real time: a minute here is a minute of the incident. Pause while you read; 10× or more to watch DNS decay or the recovery.'
        : `${c.speed}× real time: a minute here is ${c.speed} minutes of the incident — the scores count them. Pause or go back to 1× while you read.`;
  els.scoresWhen.textContent = s.running ? 'so far' : 'final';
  document.body.dataset.paused = String(c.paused || !s.running);
  const icon = el('span', `codicon codicon-${c.paused ? 'debug-start' : 'debug-pause'}`);
  els.play.textContent = '';
  els.play.append(icon, document.createTextNode(c.paused ? ' Play' : ' Pause'));
  els.play.dataset.action = c.paused ? 'play' : 'pause';
  document.querySelectorAll<HTMLButtonElement>('button.tt-speed').forEach((b) => b.setAttribute('aria-pressed', String(Number(b.dataset.speed) === c.speed)));
  const last = s.readings[s.readings.length - 1]?.clusters[cluster];
  els.now.textContent = last
    ? `at ${fmtClock(s.readings[s.readings.length - 1].simT)}: load ${pct(last.load)}, DNS ${pct(last.dnsSuccess)}, errors ${pct(last.errorRatio)}, ${last.replicasReady}/${last.replicas} API servers ready, ${Math.round(last.rejectedPerSecond)} rejected/s, offending load ${Math.round(last.offendingRps)} req/s`
    : '';
  reportDrawn();
}

function injectedEvents(): TabletopEventView[] {
  return (state?.events ?? []).filter((e) => e.injectedBy && (e.cluster === cluster || !state?.clusters.some((c) => c.name === e.cluster)));
}

/** Vertical lines for steps (solid, green/red, numbered) and injected events (purple, dashed). */
function markersPlugin(): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u: uPlot) => {
          const s = state;
          if (!s) return;
          const ctx = u.ctx;
          const dpr = window.devicePixelRatio || 1;
          const { left, top, width, height } = u.bbox;
          const line = (t: number, color: string, dash: number[], label?: string) => {
            const x = Math.round(u.valToPos(t, 'x', true));
            if (x < left - 1 || x > left + width + 1) return;
            ctx.save();
            ctx.strokeStyle = color;
            ctx.lineWidth = 1.5 * dpr;
            ctx.setLineDash(dash.map((d) => d * dpr));
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            if (label) {
              ctx.fillStyle = color;
              ctx.font = `${Math.round(10 * dpr)}px sans-serif`;
              ctx.textBaseline = 'top';
              ctx.fillText(label, x + 3 * dpr, top + 2 * dpr);
            }
            ctx.restore();
          };
          for (const e of injectedEvents()) line(e.simT, theme.injected, [5, 4]);
          for (const m of s.markers) line(m.simT, m.state === 'succeeded' || m.state === 'skipped' ? theme.ok : theme.bad, []);
          // Step numbers in the strip above the plot, never over the lines: markers closer than a
          // label's width share one label ("#4–8").
          ctx.save();
          ctx.font = `${Math.round(10 * dpr)}px sans-serif`;
          ctx.textBaseline = 'bottom';
          ctx.fillStyle = theme.muted;
          for (const g of markerLabels(s.markers.map((m) => ({ n: m.n, x: u.valToPos(m.simT, 'x', true) })), (t) => ctx.measureText(t).width, 4 * dpr)) {
            if (g.x < left - 1 || g.x > left + width + 1) continue;
            ctx.fillText(g.label, Math.min(g.x + 2 * dpr, left + width - ctx.measureText(g.label).width), top - 2 * dpr);
          }
          ctx.restore();
        },
      ],
    },
  };
}

function plotWidth(): number {
  return Math.max(280, Math.floor(els.chart.clientWidth || 600));
}

function xMax(): number {
  const s = state!;
  const lastT = s.readings[s.readings.length - 1]?.simT ?? 0;
  const lastMarker = Math.max(0, ...s.markers.map((m) => m.simT));
  return Math.max(300, lastT, lastMarker, s.clock.t);
}

function drawChart(rebuild = false): void {
  const s = state;
  if (!s) return;
  const series = chartSeries(s.readings, cluster);
  const data: uPlot.AlignedData = [series.x, series.load, series.dns, series.errors];
  if (plot && !rebuild) {
    plot.setData(data);
    reportDrawn();
    return;
  }
  plot?.destroy();
  els.chart.textContent = '';
  const th = theme;
  const axis: uPlot.Axis = { stroke: th.muted, font: th.font, grid: { stroke: th.grid, width: 1 }, ticks: { stroke: th.grid, width: 1 } };
  plot = new uPlot(
    {
      width: plotWidth(),
      height: CHART_HEIGHT,
      legend: { show: true, live: false },
      // Room above the plot for the step numbers.
      padding: [16, 12, 0, 0],
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: () => [0, xMax()] },
        y: { range: (_u, _min, max) => [0, Math.max(1.05, Math.min(LOAD_CAP, max) * 1.05)] },
      },
      axes: [
        { ...axis, space: 60, incrs: TIME_STEPS, values: (_u, vals) => vals.map((v) => axisTime(v)) },
        { ...axis, size: 50, space: 30, values: (_u, vals) => vals.map((v) => `${Math.round(v * 100)}%`) },
      ],
      series: [
        { label: 'T+', value: (_u, v) => (v == null ? '—' : fmtClock(v)) },
        { label: 'API-server load', stroke: th.load, width: 2, value: (_u, v) => (v == null ? '—' : pct(v)), spanGaps: false },
        { label: 'DNS success', stroke: th.dns, width: 2, value: (_u, v) => (v == null ? '—' : pct(v)), spanGaps: false },
        { label: 'user-visible errors', stroke: th.errors, width: 2, value: (_u, v) => (v == null ? '—' : pct(v)), spanGaps: false },
      ],
      plugins: [markersPlugin()],
    },
    data,
    els.chart,
  );
  reportDrawn();
}

function drawSteps(): void {
  const s = state!;
  els.steps.textContent = '';
  for (const m of s.markers) {
    const li = el('li', `tt-step tt-${m.state}`);
    li.value = m.n;
    li.append(el('span', 'tt-time', fmtClock(m.simT)), document.createTextNode(' '), el('code', undefined, m.stepId), document.createTextNode(` ${m.state} `), el('span', 'tt-muted', `(${m.runbook})`));
    els.steps.append(li);
  }
}

function row(table: HTMLTableElement, head: string, value: string, note?: string): void {
  const tr = el('tr');
  tr.append(el('th', undefined, head));
  const td = el('td', undefined, value);
  if (note) td.append(el('span', 'tt-muted', ` ${note}`));
  tr.append(td);
  table.append(tr);
}

function drawScores(sc: TabletopScoresView): void {
  const t = els.scores;
  t.textContent = '';
  if (sc.impactAt === undefined) row(t, 'Impact', 'none yet');
  else {
    row(t, 'Impact began', fmtClock(sc.impactAt), sc.impactCluster ? `(${sc.impactCluster})` : undefined);
    row(t, 'Time to detect', fmtDur(sc.timeToDetect), sc.detectedBy ? `(${sc.detectedBy})` : undefined);
    row(t, 'Time to mitigate', fmtDur(sc.timeToMitigate), '(offending load stopped)');
    row(t, 'Time to recover', sc.recovered ? fmtDur(sc.timeToRecover) : 'not recovered', `(seed incident: ${fmtDur(sc.referenceSeconds)})`);
    for (const c of sc.clusters) row(t, `  ${c.name}`, `impact ${fmtClock(c.impactedAt ?? 0)}`, c.recoveredAt !== undefined ? `recovered ${fmtClock(c.recoveredAt)}` : 'not recovered');
  }
  const r = sc.requests;
  row(t, "Participants' requests", String(r.total), `(${r.whileSaturated} while saturated, ${r.refused} refused); ${r.exempt} through the break-glass identity`);
}

function drawHints(h: TabletopHintsView): void {
  els.hintCount.textContent = h.total === 0 ? 'none in this scenario' : `${h.revealed.length} of ${h.total} revealed${h.available ? `, ${h.available} available` : ''}`;
  els.hints.textContent = '';
  for (const x of h.revealed) {
    const li = el('li');
    li.append(el('span', 'tt-time', `after ${fmtClock(x.after)}`), document.createTextNode(' '), el('span', undefined, x.text));
    els.hints.append(li);
  }
  const btn = document.querySelector<HTMLButtonElement>('button[data-action="hint"]');
  if (btn) btn.disabled = !state?.running || h.available === 0;
}

function eventItem(e: TabletopEventView): HTMLLIElement {
  const li = el('li', e.injectedBy ? 'tt-event tt-injected' : 'tt-event');
  li.append(el('span', 'tt-time', fmtClock(e.simT)), el('span', 'tt-cluster', e.cluster), el('span', 'tt-detail', e.detail));
  if (e.injectedBy) li.append(el('span', 'tt-badge', `injected by ${e.injectedBy}`));
  return li;
}

function drawEvents(): void {
  const s = state!;
  els.events.textContent = '';
  const shown = s.events.slice(-EVENTS_SHOWN).reverse();
  for (const e of shown) els.events.append(eventItem(e));
  if (!shown.length) els.events.append(el('li', 'tt-muted', 'nothing yet'));
}

function drawEnded(): void {
  const s = state!;
  document.body.dataset.running = String(s.running);
  document.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('button.tt-speed, button.tt-inject, #tt-play, button[data-action="end"], button[data-action="hint"], #tt-deploy').forEach((b) => {
    if (!s.running) b.disabled = true;
  });
  if (!s.running) {
    const b = els.banner;
    b.hidden = false;
    b.className = 'tt-banner tt-info';
    b.textContent = '';
    b.append(el('span', 'codicon codicon-flag'), document.createTextNode(` The exercise ended at ${fmtClock(s.clock.t)}.${s.report ? ' The after-action report is written.' : ''} `));
    if (s.report) {
      const open = el('button', 'bg-btn', 'Open Report');
      open.type = 'button';
      open.dataset.action = 'open-report';
      b.append(open);
    }
  }
}

let noticeTimer: number | undefined;
function notice(level: 'info' | 'warning' | 'error', message: string): void {
  if (state && !state.running) return;
  const b = els.banner;
  b.hidden = false;
  b.className = `tt-banner tt-${level}`;
  b.textContent = '';
  b.append(el('span', `codicon codicon-${level === 'error' ? 'error' : level === 'warning' ? 'warning' : 'info'}`), document.createTextNode(` ${message}`));
  if (noticeTimer !== undefined) clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => {
    if (state?.running) b.hidden = true;
  }, 8000);
}

// ---- what the page drew, for the tests (throttled) -----------------------------------------------

let drawnTimer: number | undefined;
function reportDrawn(): void {
  if (drawnTimer !== undefined) return;
  drawnTimer = window.setTimeout(() => {
    drawnTimer = undefined;
    const s = state;
    if (!s) return;
    const drawn: TabletopDrawn = {
      cluster,
      clock: els.clock.textContent ?? '',
      points: plot ? plot.data[0].length : 0,
      markers: plot ? s.markers.length + injectedEvents().length : 0,
      events: els.events.querySelectorAll('li.tt-event').length,
      workloads: els.deploy.disabled ? 0 : els.deploy.options.length,
    };
    post({ type: 'ttDrawn', drawn });
  }, 300);
}

// ---- messages ------------------------------------------------------------------------------------

function onMessage(m: TabletopToWebview): void {
  if (m.type === 'ttState') {
    state = m.state;
    drawAll();
    return;
  }
  if (m.type === 'ttNotice') {
    notice(m.level, m.message);
    return;
  }
  const s = state;
  if (!s) return;
  switch (m.type) {
    case 'ttClock':
      s.clock = m.clock;
      drawClock();
      plot?.redraw(false, true);
      break;
    case 'ttReading':
      appendReading(s.readings, m.reading as TabletopReadingView);
      drawChart();
      drawClock();
      break;
    case 'ttEvent':
      s.events.push(m.event);
      if (els.events.querySelector('li.tt-muted')) els.events.textContent = '';
      els.events.prepend(eventItem(m.event));
      while (els.events.children.length > EVENTS_SHOWN) els.events.lastElementChild?.remove();
      if (m.event.injectedBy) plot?.redraw(false, false);
      reportDrawn();
      break;
    case 'ttMarker':
      s.markers.push(m.marker as TabletopMarkerView);
      drawSteps();
      plot?.redraw(false, true);
      reportDrawn();
      break;
    case 'ttScores':
      s.scores = m.scores;
      s.hints = m.hints;
      drawScores(m.scores);
      drawHints(m.hints);
      break;
    case 'ttEnded':
      s.running = false;
      s.scores = m.scores;
      s.clock = { ...s.clock, paused: true };
      if (m.report) s.report = m.report;
      drawScores(m.scores);
      drawKube();
      drawClock();
      drawEnded();
      break;
  }
}

window.addEventListener('message', (ev: MessageEvent) => {
  const m = parseTabletopToWebview(ev.data);
  if (m) onMessage(m);
});

// ---- intents -------------------------------------------------------------------------------------

// The page shows no links today; should one appear (in a message, a client name), it neither
// reaches VS Code's opener nor navigates the page.
guardLinks();

document.body.addEventListener('click', (ev) => {
  const btn = (ev.target as HTMLElement).closest<HTMLButtonElement>('button');
  if (!btn || btn.disabled) return;
  if (btn.dataset.speed) {
    post({ type: 'ttSpeed', speed: Number(btn.dataset.speed) });
    return;
  }
  // Injection buttons come from the scenario-action registry (the panel draws them): each names
  // its action and the parameters it takes, read here from the card's inputs.
  const inject = btn.dataset.inject;
  if (inject && btn.classList.contains('tt-inject')) {
    const title = btn.textContent?.trim() || inject;
    const m: Record<string, unknown> = { type: 'ttInject', action: inject, cluster: els.injectCluster.value || state?.focus || '' };
    for (const p of (btn.dataset.params ?? '').split(' ').filter(Boolean) as InjectParam[]) {
      const r = paramValue(p, title);
      if (typeof r === 'string') return notice('error', r);
      Object.assign(m, r);
    }
    post(m as TabletopToHost);
    return;
  }
  switch (btn.dataset.action) {
    case 'play':
      post({ type: 'ttPlay' });
      break;
    case 'pause':
      post({ type: 'ttPause' });
      break;
    case 'hint':
      post({ type: 'ttRevealHint' });
      break;
    case 'export':
      post({ type: 'ttExport' });
      break;
    case 'end':
      post({ type: 'ttEnd' });
      break;
    case 'open-report':
      post({ type: 'ttOpenReport' });
      break;
  }
});

/** An injection's parameter from its input, as the message carries it; a string says what is wrong. */
function paramValue(p: InjectParam, title: string): Record<string, unknown> | string {
  switch (p) {
    case 'replicas': {
      const n = Number(els.replicas.value);
      return Number.isInteger(n) && n >= 1 && n <= 50 ? { replicas: n } : 'Replicas: a whole number from 1 to 50.';
    }
    case 'client': {
      const m = /^([a-z0-9][-a-z0-9.]*)\/([a-z0-9][-a-z0-9.]*)$/.exec(els.client.value.trim());
      return m ? { namespace: m[1], name: m[2] } : `${title}: give the client as namespace/name (e.g. monitoring/telemetry-agent).`;
    }
    case 'workload': {
      const w = state?.workloads.find((x) => `${x.namespace}/${x.name}` === els.deploy.value);
      return w ? { namespace: w.namespace, name: w.name } : `${title}: this scenario has no workload to deploy.`;
    }
    case 'latency':
      return INJECT_PARAMS.latency.fromMessage({ latency: els.etcdLatency.value }) ?? `${title}: give the latency of every etcd request as a duration, e.g. 200ms.`;
    case 'duration':
      return INJECT_PARAMS.duration.fromMessage({ duration: els.etcdFor.value.trim() || undefined }) ?? `${title}: give how long as a duration (e.g. 10m), or leave it empty for the rest of the exercise.`;
  }
}

els.cluster.addEventListener('change', () => {
  cluster = els.cluster.value;
  drawChart(true);
  drawClock();
});

if (typeof ResizeObserver !== 'undefined') {
  new ResizeObserver(() => plot?.setSize({ width: plotWidth(), height: CHART_HEIGHT })).observe(els.chart);
}

// A theme change: colours are baked into the plot, so it is made again.
new MutationObserver(() => {
  theme = readTheme();
  if (state) drawChart(true);
}).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });

announceReady(() => post({ type: 'ready' }), () => state !== undefined);
