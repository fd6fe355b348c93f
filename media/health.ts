// Cluster-health panels in a webview: the standalone Cluster Health page (this file is its script)
// and the ```health fences of the Runbook view (media/runbook.ts mounts them). Draws only: the
// extension decides what a panel watches and sends snapshots; every number is shown with its
// source and age, and greyed when it is a leftover from before the API server stopped answering.
import uPlot from 'uplot';
import type { HealthSnapshot, Reading } from '../src/cluster/poller';
import {
  appendSnapshot, chartCaption, chartData, chartNote, chartReading, chartsFor, describeReading, formatAge, formatCost, formatNumber, formatSeconds,
  isStale, parseSignals, STATE_WORDS, type ChartSpec, type HealthSignal,
} from '../src/views/healthView';
import { MAX_COMPARED, parseHealthClusters, parseHealthToWebview, type HealthClustersMessage, type HealthTargetView, type HealthToHost, type HealthToWebview } from '../src/views/messages/health';
import { announceReady, el, guardLinks } from './dom';
import { readTheme, type ChartTheme } from './theme';

const CHART_HEIGHT = 130;

/** Axis times as "15:04:05" (one row; the date is rarely what an incident needs). */
function clockTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Colour of a series: fixed for the well-known ones so they look the same in every panel. */
function seriesColor(theme: ChartTheme, chart: ChartSpec, label: string, i: number): string {
  const [blue, orange, green, , , red] = theme.palette;
  if (chart.id === 'inflight') return label === 'limit' ? red : blue;
  if (chart.id === 'latency') return label === 'read p99' ? blue : orange;
  if (chart.id === 'dns') return green;
  if (chart.id === 'nodes') return label === 'ready' ? green : theme.muted;
  return theme.palette[i % theme.palette.length];
}

function axisValue(chart: ChartSpec, v: number): string {
  if (chart.unit === 'seconds') return formatSeconds(v);
  if (chart.unit === 'perSecond') return `${formatNumber(v)}/s`;
  return Math.abs(v) >= 10_000 ? `${Math.round(v / 1000)}k` : formatNumber(v, 1);
}

interface AgeView {
  el: HTMLElement;
  at: number;
  text: (now: number) => string;
  stale?: HTMLElement;
}

interface ChartView {
  spec: ChartSpec;
  root: HTMLElement;
  caption: HTMLElement;
  source: HTMLElement;
  note: HTMLElement;
  plotEl: HTMLElement;
  plot?: uPlot;
  /** The series the plot was made with: a new priority level means a new plot. */
  labels: string;
}

/** One panel: header line, target, outage banner, charts, top clients. */
export class HealthPanelView {
  private history: HealthSnapshot[] = [];
  private target?: HealthTargetView;
  /** The extension's clock minus this page's, from the last message. */
  private offset = 0;
  private theme = readTheme();
  private readonly signals: HealthSignal[];
  private readonly unknownSignals: string[];
  private readonly charts: ChartView[] = [];
  private readonly els: {
    state: HTMLElement;
    summary: HTMLElement;
    target: HTMLElement;
    cost: HTMLElement;
    path: HTMLElement;
    message: HTMLElement;
    outage: HTMLElement;
    readyz: HTMLElement;
    chartsBox: HTMLElement;
    clients: HTMLElement;
  };
  private readonly resize?: ResizeObserver;
  /** Texts that show an age, kept current by tick(). */
  private ages: AgeView[] = [];
  /** The target the message box was drawn for. */
  private messageFor?: HealthTargetView;

  constructor(
    readonly root: HTMLElement,
    private readonly post: (m: HealthToHost) => void,
  ) {
    const { signals, unknown } = parseSignals(root.dataset.signals ?? '');
    this.signals = signals;
    this.unknownSignals = unknown;
    const title = root.dataset.title || 'Cluster health';
    root.textContent = '';
    root.dataset.state = 'connecting';

    const head = el('div', 'bg-health-head');
    head.append(el('span', 'codicon codicon-pulse'), el('span', 'bg-health-title', title));
    const state = el('span', 'bg-health-state', 'connecting');
    const summary = el('span', 'bg-health-summary', 'waiting for the first poll…');
    head.append(state, summary);
    const meta = el('div', 'bg-health-meta');
    const target = el('span', 'bg-health-target', '');
    const cost = el('span', 'bg-health-cost', '');
    meta.append(target, cost);
    // Which path the readings come through: the ordinary context, or the break-glass one and why.
    const path = el('div', 'bg-health-path');
    path.hidden = true;
    const message = el('div', 'bg-health-message');
    message.hidden = true;
    const outage = el('div', 'bg-health-outage');
    outage.hidden = true;
    outage.setAttribute('role', 'alert');
    const readyz = el('div', 'bg-health-readyz');
    readyz.hidden = !signals.includes('readyz');
    const chartsBox = el('div', 'bg-health-charts');
    const clients = el('div', 'bg-health-clients');
    clients.hidden = !signals.includes('clients');
    root.append(head, path, meta, message, outage, readyz, chartsBox, clients);
    this.els = { state, summary, target, cost, path, message, outage, readyz, chartsBox, clients };

    for (const spec of chartsFor(signals)) {
      const box = el('figure', 'bg-chart');
      box.dataset.chart = spec.id;
      const cap = el('figcaption');
      const caption = el('span', 'bg-chart-value', 'no reading yet');
      const source = el('span', 'bg-source', '');
      // Spaces between the parts, not only a margin: the caption's text (read aloud, copied) stays words apart.
      cap.append(el('span', 'bg-chart-title', spec.title), ' ', caption, ' ', source);
      const plotEl = el('div', 'bg-chart-plot');
      const note = el('div', 'bg-chart-note');
      box.append(cap, plotEl, note);
      chartsBox.append(box);
      this.charts.push({ spec, root: box, caption, source, note, plotEl, labels: '' });
    }
    if (typeof ResizeObserver !== 'undefined') {
      this.resize = new ResizeObserver(() => {
        for (const c of this.charts) c.plot?.setSize({ width: this.plotWidth(c), height: CHART_HEIGHT });
      });
      this.resize.observe(chartsBox);
    }
  }

  private now(): number {
    return Date.now() + this.offset;
  }

  private plotWidth(c: ChartView): number {
    return Math.max(160, Math.floor(c.plotEl.clientWidth || c.root.clientWidth || 300));
  }

  onMessage(msg: HealthToWebview): void {
    switch (msg.type) {
      case 'healthTarget':
        this.target = msg.target;
        if (msg.target.status !== 'watching') this.history = [];
        break;
      case 'healthHistory':
        this.offset = msg.sentAt - Date.now();
        this.history = msg.snapshots.slice();
        break;
      case 'health':
        this.offset = msg.sentAt - Date.now();
        appendSnapshot(this.history, msg.snapshot);
        break;
    }
    this.draw();
  }

  /** The theme changed: colours are baked into the plots, so they are made again. */
  retheme(): void {
    this.theme = readTheme();
    for (const c of this.charts) {
      c.plot?.destroy();
      c.plot = undefined;
      c.labels = '';
    }
    this.draw();
  }

  /**
   * Shows `text(now)` in `el` and keeps it current every second; `stale`, when given, is greyed
   * once the reading taken at `at` counts as a leftover.
   */
  private track(el: HTMLElement, at: number, text: (now: number) => string, stale?: HTMLElement): void {
    this.ages.push({ el, at, text, stale });
    this.tickOne(this.ages[this.ages.length - 1], this.now());
  }

  private tickOne(a: AgeView, now: number): void {
    a.el.textContent = a.text(now);
    const s = this.history[this.history.length - 1];
    if (a.stale && s) a.stale.classList.toggle('bg-stale', isStale({ at: a.at }, s, now));
  }

  /** Every second: ages move, and readings not refreshed for a while turn grey. Nothing is rebuilt. */
  tick(): void {
    const now = this.now();
    for (const a of this.ages) this.tickOne(a, now);
  }

  /** Draws what changed with a message: header, target, banners, readings, plots. */
  private draw(): void {
    const t = this.target;
    const s = this.history[this.history.length - 1];
    this.ages = [];
    const { state, summary, target, cost, message, outage } = this.els;

    // What is watched, or why nothing is.
    const watching = t?.status === 'watching';
    target.textContent = t ? t.label + (t.note ? ` — ${t.note}` : '') : '';
    if (this.unknownSignals.length && watching) target.textContent += ` — unknown signals ignored: ${this.unknownSignals.join(', ')}`;
    message.hidden = !t || watching;
    if (t && !watching && this.messageFor !== t) this.showMessage(t);
    this.messageFor = t;

    // The header line: the state in words, and the summary.
    this.root.dataset.state = watching && s ? s.state : watching ? 'connecting' : 'idle';
    state.dataset.state = this.root.dataset.state;
    state.textContent = watching && s ? STATE_WORDS[s.state] : !t || watching ? 'connecting' : t.status === 'none' ? 'no cluster' : t.status === 'restricted' ? 'restricted' : 'not watching';
    summary.textContent = !watching ? '' : s ? s.summary : 'waiting for the first poll…';
    cost.textContent = watching && s ? `this panel's poller: ${formatCost(s.cost)} (at most ${t?.budgetPerMinute ?? 12} a minute on all paths, shared by every panel of this cluster)` : '';
    this.drawPath(s, watching);

    // When the API server stops answering: keep the last values (greyed, with their age) and point the way out.
    const down = watching && !!s && (s.state === 'unreachable' || s.error !== undefined);
    this.root.classList.toggle('bg-stale', down);
    outage.hidden = !down;
    if (down && s) this.showOutage(s);

    this.drawReadyz(s, watching);
    for (const c of this.charts) this.drawChart(c, s, watching);
    this.drawClients(s, watching);
  }

  private showMessage(t: HealthTargetView): void {
    const m = this.els.message;
    m.textContent = '';
    m.className = `bg-health-message bg-${t.status}`;
    m.append(el('span', `codicon codicon-${t.status === 'restricted' ? 'shield' : t.status === 'none' ? 'info' : 'warning'}`), document.createTextNode(` ${t.message ?? ''}`));
    if (t.status === 'none' || t.status === 'error') {
      const setting = t.simulated ? 'breakglass.simulatedKubeconfig' : 'breakglass.realKubeconfig';
      const row = el('div', 'bg-health-actions');
      const btn = el('button', 'bg-btn', `Set ${setting}…`);
      btn.type = 'button';
      btn.addEventListener('click', () => this.post({ type: 'openSetting', setting }));
      row.append(btn);
      m.append(row);
    }
  }

  private showOutage(s: HealthSnapshot): void {
    const o = this.els.outage;
    o.textContent = '';
    const lead =
      s.state === 'unreachable'
        ? `No API server replica answers on any path (${s.error ?? 'no answer'}). The values below are the last ones read, greyed, with their age.`
        : `The API server is shedding this panel's requests (${s.error}); the panel backs off. The values below are from earlier polls, greyed.`;
    const age = el('span');
    o.append(el('span', 'codicon codicon-flame'), document.createTextNode(` ${lead} Last answer: `), age, document.createTextNode('. '));
    // One notion of "last answer", the poller's: no value shown is newer than it.
    const answered = s.lastAnswer;
    if (answered) this.track(age, answered.at, (now) => `${formatAge(now - answered.at)}, through ${answered.via}`);
    else age.textContent = 'none since the poller started';
    const steps = (this.root.dataset.breakglassSteps ?? '').split(/\s+/).filter(Boolean);
    if (steps.length) {
      o.append(document.createTextNode("Don't wait for it: use this runbook's break-glass steps: "));
      steps.forEach((id, i) => {
        const a = el('a', undefined, id);
        a.href = `#step-${id}`;
        if (i) o.append(document.createTextNode(', '));
        o.append(a);
      });
      o.append(document.createTextNode('.'));
    } else {
      const fb = this.target?.fallback;
      o.append(
        document.createTextNode(
          `Don't wait for it: use your runbook's break-glass steps (they work without this API server's ordinary paths${fb ? `; the context ${fb} is exempt from API Priority and Fairness while a replica is up` : ''}).`,
        ),
      );
    }
  }

  /** ` — from /metrics via X, 12 s ago`, or once it is a leftover ` — last read 3 min ago, from …`, kept current. */
  private source(r: Pick<Reading<unknown>, 'source' | 'at'>, stale?: HTMLElement): HTMLElement {
    const e = el('span', 'bg-source');
    this.track(e, r.at, (now) => {
      const s = this.history[this.history.length - 1];
      return ` — ${describeReading(r, now, !!s && isStale(r, s, now))}`;
    }, stale);
    return e;
  }

  /** The path line: through which context the readings come, and why when it is the break-glass one. */
  private drawPath(s: HealthSnapshot | undefined, watching: boolean): void {
    const p = this.els.path;
    p.textContent = '';
    const fb = this.target?.fallback;
    p.hidden = !watching || (!s?.via && !fb);
    if (p.hidden) return;
    p.classList.toggle('bg-fallback', !!s?.via?.fallback);
    if (s?.error !== undefined && s.via) {
      // Nothing answered in the last poll: say which paths were tried, not that one is in use.
      p.append(el('span', 'codicon codicon-debug-disconnect'), el('span', 'bg-label', ' No answer through '), el('span', 'bg-path-name', s.via.path));
      if (s.via.fallback && s.ordinaryFailure) p.append(document.createTextNode(` nor through the ordinary context ${s.ordinaryFailure.path}.`));
      else p.append(document.createTextNode(fb && !s.via.fallback ? ` (the break-glass context ${fb} is tried while it backs off).` : '.'));
    } else if (s?.via?.fallback) {
      p.append(el('span', 'codicon codicon-shield'), el('span', 'bg-label', ' Reading through '), el('span', 'bg-path-name', s.via.path));
      const f = s.ordinaryFailure;
      if (f) {
        const why = el('span');
        this.track(why, f.at, (now) => ` — the ordinary context ${f.path} was refused (${f.error}) ${formatAge(now - f.at)}; it is tried again as it backs off.`);
        p.append(why);
      }
    } else {
      p.append(el('span', 'codicon codicon-plug'), el('span', 'bg-label', ' Reading through '), el('span', 'bg-path-name', s?.via?.path ?? '…'));
      p.append(document.createTextNode(fb ? ` — if it is shed or does not answer, through ${fb} (break-glass).` : ' — no break-glass context for this cluster: nothing to fall back on.'));
    }
  }

  private drawReadyz(s: HealthSnapshot | undefined, watching: boolean): void {
    const r = this.els.readyz;
    if (!this.signals.includes('readyz')) return;
    r.textContent = '';
    r.classList.remove('bg-stale');
    if (!watching) return;
    const z = s?.readyz;
    if (!s || !z) {
      r.append(el('span', 'bg-label', 'readyz'), document.createTextNode(' no answer yet'));
      return;
    }
    const line = el('span');
    line.append(el('span', 'bg-label', 'readyz'), el('span', z.value.ok ? 'bg-ok' : 'bg-bad', z.value.ok ? ' ready' : ` failing: ${z.value.failed.join(', ') || 'unknown check'}`));
    line.append(this.source(z, line));
    r.append(line);
    const size = s.nodes ?? s.pods;
    if (size && this.signals.includes('size')) {
      const extra: string[] = [];
      if (s.nodes) extra.push(`${formatNumber(s.nodes.value, 0)} nodes`);
      if (s.pods) extra.push(`${formatNumber(s.pods.value, 0)} pods`);
      const objs = el('span', 'bg-gap');
      objs.append(el('span', 'bg-label', 'objects'), document.createTextNode(` ${extra.join(', ')}`));
      objs.append(this.source(size, objs));
      r.append(objs);
    }
  }

  private drawChart(c: ChartView, s: HealthSnapshot | undefined, watching: boolean): void {
    c.root.hidden = !watching;
    if (!watching) return;
    const r = s ? chartReading(c.spec.id, s) : undefined;
    c.caption.textContent = s ? chartCaption(c.spec.id, s) : 'no reading yet';
    c.source.textContent = '';
    c.root.classList.remove('bg-stale');
    if (r) c.source.append(this.source(r, c.root));
    const data = chartData(c.spec.id, this.history);
    const labels = data.series.map((x) => x.label).join('\u0000');
    const note = chartNote(c.spec.id, this.history, (ms) => clockTime(ms / 1000));
    const points = data.series.some((x) => x.values.some((v) => v !== null));
    c.note.textContent = points ? note : '';
    c.note.hidden = !points || !note;
    if (!points) {
      c.plot?.destroy();
      c.plot = undefined;
      c.labels = '';
      c.plotEl.textContent = '';
      c.plotEl.append(el('div', 'bg-chart-empty', note));
      return;
    }
    const aligned: uPlot.AlignedData = [data.x, ...data.series.map((x) => x.values)];
    if (c.plot && c.labels === labels) {
      c.plot.setData(aligned);
      return;
    }
    c.plot?.destroy();
    c.plotEl.textContent = '';
    c.labels = labels;
    const th = this.theme;
    const axis: uPlot.Axis = { stroke: th.muted, font: th.font, grid: { stroke: th.grid, width: 1 }, ticks: { stroke: th.grid, width: 1 } };
    c.plot = new uPlot(
      {
        width: this.plotWidth(c),
        height: CHART_HEIGHT,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // One point alone still gets a minute either side, so the axis shows its time.
          x: {
            time: true,
            range: (u, min, max) => {
              const xs = u.data[0];
              return xs.length === 1 ? [xs[0] - 60, xs[0] + 60] : [min, max];
            },
          },
          y: { range: (_u, min, max) => uPlot.rangeNum(Math.min(0, min), max > 0 ? max : 1, 0.1, true) },
        },
        axes: [
          { ...axis, space: 60, values: (_u, vals) => vals.map(clockTime) },
          { ...axis, size: 60, space: 24, values: (_u, vals) => vals.map((v) => axisValue(c.spec, v)) },
        ],
        series: [
          {},
          ...data.series.map((x, i) => ({
            label: x.label,
            stroke: seriesColor(th, c.spec, x.label, i),
            width: 1.5,
            dash: x.label === 'limit' || x.label === 'sampled' ? [4, 3] : undefined,
            points: { show: true, size: 4 },
            spanGaps: false,
          })),
        ],
      },
      aligned,
      c.plotEl,
    );
  }

  private drawClients(s: HealthSnapshot | undefined, watching: boolean): void {
    if (!this.signals.includes('clients')) return;
    const box = this.els.clients;
    box.textContent = '';
    box.classList.remove('bg-stale');
    if (!watching) return;
    const tc = s?.topClients;
    const head = el('div', 'bg-health-subhead');
    head.append(el('span', 'bg-label', 'Top clients'));
    if (!tc) {
      const flows = s?.loadByFlowSchema;
      if (flows && flows.value.length) {
        // Any cluster: the APF flow schemas carrying the load, from /metrics.
        const fh = el('div', 'bg-health-subhead');
        fh.append(el('span', 'bg-label', 'Load by flow schema'), this.source(flows, box));
        const t = el('table', 'bg-clients');
        const hr = el('tr');
        for (const h of ['flow schema', 'priority level', 'requests/s', 'rejected/s']) hr.append(el('th', undefined, h));
        const th = el('thead');
        th.append(hr);
        const tb = el('tbody');
        for (const f of flows.value) {
          const row = el('tr');
          row.append(el('td', undefined, f.flowSchema), el('td', undefined, f.priorityLevel), el('td', 'bg-num', formatNumber(f.perSecond, 1)), el('td', 'bg-num', formatNumber(f.rejectedPerSecond, 1)));
          tb.append(row);
        }
        t.append(th, tb);
        box.append(fh, t);
        return;
      }
      head.append(document.createTextNode(this.target?.simulated ? ' — no reading yet (read every fourth poll)' : ' — per client only in simulation (/sim/v1/clients); per flow schema once two scrapes of /metrics are in'));
      box.append(head);
      return;
    }
    head.append(this.source(tc, box));
    const table = el('table', 'bg-clients');
    const thead = el('thead');
    const tbody = el('tbody');
    const tr = el('tr');
    for (const h of ['user agent', 'user', 'requests last minute']) tr.append(el('th', undefined, h));
    thead.append(tr);
    for (const c of tc.value) {
      const row = el('tr');
      row.append(el('td', undefined, c.userAgent), el('td', undefined, c.user), el('td', 'bg-num', formatNumber(c.requestsLastMinute, 0)));
      tbody.append(row);
    }
    if (tc.value.length === 0) {
      const row = el('tr');
      const td = el('td', 'bg-muted', 'no client in the last minute');
      td.colSpan = 3;
      row.append(td);
      tbody.append(row);
    }
    table.append(thead, tbody);
    box.append(head, table);
  }

  dispose(): void {
    this.resize?.disconnect();
    for (const c of this.charts) c.plot?.destroy();
  }
}

/**
 * Mounts every `.bg-health[data-health-id]` of the page; returns a dispatcher for the health
 * messages. Ages tick every second; a theme change redraws the plots in its colours.
 */
export function mountHealthPanels(post: (m: HealthToHost) => void): { panels: Map<string, HealthPanelView>; dispatch(msg: HealthToWebview): void } {
  const panels = new Map<string, HealthPanelView>();
  document.querySelectorAll<HTMLElement>('.bg-health[data-health-id]').forEach((root) => {
    const id = root.dataset.healthId!;
    if (!panels.has(id)) panels.set(id, new HealthPanelView(root, post));
  });
  if (panels.size) {
    setInterval(() => {
      for (const p of panels.values()) p.tick();
    }, 1000);
    let pending: number | undefined;
    const onTheme = () => {
      if (pending !== undefined) return;
      pending = window.setTimeout(() => {
        pending = undefined;
        for (const p of panels.values()) p.retheme();
      }, 50);
    };
    const mo = new MutationObserver(onTheme);
    mo.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }
  return {
    panels,
    dispatch(msg) {
      panels.get(msg.panel)?.onMessage(msg);
    },
  };
}

/** Is this one of the health messages? (The Runbook view's script routes them here.) */
export function isHealthMessage(msg: { type: string }): msg is HealthToWebview {
  return msg.type === 'healthTarget' || msg.type === 'healthHistory' || msg.type === 'health';
}

// The standalone Cluster Health page.
declare function acquireVsCodeApi(): { postMessage(msg: HealthToHost): void };
if (document.body?.dataset.page === 'health') {
  const vscode = acquireVsCodeApi();
  guardLinks((href) => vscode.postMessage({ type: 'openLink', href }));
  const post = (m: HealthToHost) => vscode.postMessage(m);
  const { panels, dispatch } = mountHealthPanels(post);
  const picker = document.querySelector<HTMLElement>('.bg-health-picker');
  const columns = document.querySelector<HTMLElement>('.bg-health-columns');
  let laidOut = false;
  window.addEventListener('message', (ev: MessageEvent) => {
    const layout = parseHealthClusters(ev.data);
    if (layout && picker && columns) {
      laidOut = true;
      showClusters(layout, picker, columns, panels, post);
      return;
    }
    const msg = parseHealthToWebview(ev.data);
    if (msg) dispatch(msg);
  });
  announceReady(() => vscode.postMessage({ type: 'ready' }), () => laidOut);
}

/**
 * The standalone page's clusters: a toggle per cluster of the kubeconfig (at most MAX_COMPARED
 * shown at once, at least one), and a panel per chosen cluster, side by side when there is room.
 */
function showClusters(m: HealthClustersMessage, picker: HTMLElement, columns: HTMLElement, panels: Map<string, HealthPanelView>, post: (m: HealthToHost) => void): void {
  const chosen = m.panels.map((p) => p.context).filter((c): c is string => !!c);
  picker.textContent = '';
  picker.hidden = m.choices.length < 2;
  if (!picker.hidden) {
    picker.append(el('span', 'bg-label', 'Clusters'));
    for (const c of m.choices) {
      const on = chosen.includes(c.context);
      const b = el('button', 'bg-btn bg-toggle', c.context === c.cluster ? c.cluster : `${c.cluster} (${c.context})`);
      b.type = 'button';
      b.setAttribute('aria-pressed', String(on));
      b.dataset.context = c.context;
      b.title = on ? 'Shown: click to hide' : chosen.length >= MAX_COMPARED ? `At most ${MAX_COMPARED} side by side: hide one first` : 'Click to show it beside the others';
      b.disabled = (on && chosen.length === 1) || (!on && chosen.length >= MAX_COMPARED);
      b.addEventListener('click', () => post({ type: 'healthChoose', contexts: on ? chosen.filter((x) => x !== c.context) : [...chosen, c.context] }));
      picker.append(b);
    }
    picker.append(el('span', 'bg-muted', chosen.length > 1 ? 'side by side' : 'choose another to compare side by side'));
  }
  for (const v of panels.values()) v.dispose();
  panels.clear();
  columns.textContent = '';
  columns.dataset.count = String(m.panels.length);
  for (const p of m.panels) {
    const root = el('div', 'bg-health bg-health-standalone');
    root.dataset.healthId = p.id;
    root.dataset.title = p.context && m.choices.length > 1 ? (m.choices.find((c) => c.context === p.context)?.cluster ?? p.context) : 'Cluster health';
    columns.append(root);
    panels.set(p.id, new HealthPanelView(root, post));
  }
}
