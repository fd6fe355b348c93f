// The run as a picture: one small chart per cluster (API-server load, DNS success, user-visible
// errors over simulated time) with a marker for every step participants ran and every injected
// event. Plain SVG text, so the after-action report can embed it and any viewer can show it.
import type { SimClusterReading } from '../runbook/events';

export interface ChartMarker {
  simT: number;
  label: string;
  /** step: a participant's step; event: a scenario or injected event. */
  kind: 'step' | 'event';
  ok?: boolean;
  /** Shown above the marker (the step's number in the report's timeline). */
  tag?: string;
}

export interface ChartInput {
  title: string;
  samples: { simT: number; clusters: Record<string, SimClusterReading> }[];
  markers: ChartMarker[];
  /** Clusters to draw (default: every one in the samples). */
  clusters?: string[];
  recoveredErrorRatio?: number;
  /** Last simulated second to draw (default: the last sample or marker). */
  until?: number;
}

// Drawn at the size it is read at: the markdown preview shows an image at its own width, up to its
// column's (about 450 px in the tabletop's layout, whose middle column holds the report), so a
// narrow chart with 12 px text stays legible there instead of being scaled down to a third.
const W = 540;
const PLOT_H = 150;
const LEGEND_LINE = 17;
const LEFT = 52;
const RIGHT = 16;
const TOP = 34;
const GAP = 46;

const SERIES: { key: 'load' | 'dns' | 'err'; label: string; color: string }[] = [
  { key: 'load', label: 'API-server load (seats used / limit, capped at 150 %)', color: '#d9480f' },
  { key: 'dns', label: 'DNS success', color: '#1971c2' },
  { key: 'err', label: 'user-visible errors', color: '#c2255c' },
];

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function fmtSimT(t: number): string {
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = Math.floor(t % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : s && t < 600 ? `${m}m${String(s).padStart(2, '0')}s` : `${m}m`;
}

function niceStep(span: number): number {
  const targets = [60, 120, 300, 600, 900, 1800, 3600, 7200];
  return targets.find((s) => span / s <= 6) ?? 14_400;
}

export function renderChartSvg(input: ChartInput): string {
  const names = input.clusters ?? [...new Set(input.samples.flatMap((s) => Object.keys(s.clusters)))];
  const t0 = input.samples.length ? input.samples[0].simT : 0;
  const t1 = input.until ?? Math.max(t0 + 60, ...input.samples.map((s) => s.simT), ...input.markers.map((m) => m.simT));
  const samples = input.samples.filter((s) => s.simT <= t1);
  const markers = input.markers.filter((m) => m.simT <= t1);
  const plotW = W - LEFT - RIGHT;
  const x = (t: number): number => LEFT + ((t - t0) / (t1 - t0)) * plotW;
  const H = TOP + names.length * (PLOT_H + GAP) + (SERIES.length + 1) * LEGEND_LINE;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="18" font-size="14" font-weight="bold">${esc(input.title)}</text>`);
  const step = niceStep(t1 - t0);
  names.forEach((name, i) => {
    const top = TOP + i * (PLOT_H + GAP);
    const y = (v: number): number => top + PLOT_H - Math.max(0, Math.min(1.5, v)) * (PLOT_H / 1.5);
    out.push(`<text x="${LEFT}" y="${top - 6}" font-weight="bold">${esc(name)}</text>`);
    out.push(`<rect x="${LEFT}" y="${top}" width="${plotW}" height="${PLOT_H}" fill="#f8f9fa" stroke="#ced4da"/>`);
    for (const v of [0, 0.5, 1, 1.5]) {
      out.push(`<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e9ecef"/>`);
      out.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#495057">${Math.round(v * 100)}%</text>`);
    }
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      out.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top + PLOT_H}" y2="${top + PLOT_H + 4}" stroke="#868e96"/>`);
      out.push(`<text x="${x(t).toFixed(1)}" y="${top + PLOT_H + 15}" text-anchor="middle" fill="#495057">T+${fmtSimT(t)}</text>`);
    }
    if (input.recoveredErrorRatio !== undefined) {
      const yy = y(input.recoveredErrorRatio).toFixed(1);
      out.push(`<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${yy}" y2="${yy}" stroke="#c2255c" stroke-dasharray="2,3" opacity="0.6"/>`);
    }
    for (const s of SERIES) {
      const pts: string[] = [];
      for (const sm of samples) {
        const r = sm.clusters[name];
        if (!r) continue;
        const v = s.key === 'load' ? r.load : s.key === 'dns' ? r.dnsSuccess : r.errorRatio;
        pts.push(`${x(sm.simT).toFixed(1)},${y(v).toFixed(1)}`);
      }
      if (pts.length) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
    }
    let lastTagX = -Infinity;
    for (const m of markers) {
      const xx = x(m.simT).toFixed(1);
      if (m.tag && x(m.simT) - lastTagX >= 16) {
        out.push(`<text x="${xx}" y="${top + 11}" text-anchor="middle" font-size="10" fill="#343a40">${esc(m.tag)}</text>`);
        lastTagX = x(m.simT);
      }
      const color = m.kind === 'event' ? '#5f3dc4' : m.ok === false ? '#e03131' : '#2b8a3e';
      out.push(`<line x1="${xx}" x2="${xx}" y1="${top}" y2="${top + PLOT_H}" stroke="${color}" stroke-width="1" stroke-dasharray="${m.kind === 'event' ? '4,3' : 'none'}" opacity="0.7"><title>${esc(`T+${fmtSimT(m.simT)} ${m.label}`)}</title></line>`);
    }
  });
  // Legend and marker key, a line each (the chart is narrow).
  let ly = H - (SERIES.length + 1) * LEGEND_LINE + 12;
  for (const s of SERIES) {
    out.push(`<line x1="${LEFT}" x2="${LEFT + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/><text x="${LEFT + 24}" y="${ly}">${esc(s.label)}</text>`);
    ly += LEGEND_LINE;
  }
  out.push(`<line x1="${LEFT + 9}" x2="${LEFT + 9}" y1="${ly - 10}" y2="${ly + 2}" stroke="#2b8a3e"/><text x="${LEFT + 24}" y="${ly}">step run</text>`);
  out.push(`<line x1="${LEFT + 109}" x2="${LEFT + 109}" y1="${ly - 10}" y2="${ly + 2}" stroke="#5f3dc4" stroke-dasharray="4,3"/><text x="${LEFT + 124}" y="${ly}">event</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
