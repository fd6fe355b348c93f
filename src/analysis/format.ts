// Numbers as findings, the CLI, CodeLens and hovers show them.
import type { ProfileEstimate } from './types';

export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(a >= 1e10 ? 0 : 1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (a >= 100) return Math.round(n).toLocaleString('en-US');
  if (a >= 10) return n.toFixed(0);
  if (a >= 1) return n.toFixed(1);
  if (a === 0) return '0';
  return n.toPrecision(2);
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function fmtRatio(r: number): string {
  if (r >= 10) return `${fmtNumber(r)}× the API servers' capacity`;
  if (r >= 1) return `${r.toFixed(1)}× the API servers' capacity`;
  if (r < 0.001) return "<0.1% of the API servers' capacity";
  return `${(r * 100).toFixed(r >= 0.1 ? 0 : 1)}% of the API servers' capacity`;
}

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

export function describe(e: ProfileEstimate): string {
  return `at ${e.profile} (${e.nodes.toLocaleString('en-US')} nodes): ${fmtNumber(e.requestsPerSecond)} req/s reading ${fmtNumber(e.objectsPerSecond)} objects/s${e.eventsPerSecond >= 0.01 ? ` and ${fmtNumber(e.eventsPerSecond)} watch events/s` : ''}, ${fmtBytes(e.bytesPerSecond)}/s — ${fmtRatio(e.capacityRatio)}`;
}

/** The profile with the highest share of capacity. */
export const worstEstimate = (est: ProfileEstimate[]) => est.reduce<ProfileEstimate | undefined>((a, b) => (!a || b.capacityRatio > a.capacityRatio ? b : a), undefined);
/** The highest share of capacity (0 for none). */
export const maxRatio = (est: ProfileEstimate[]) => est.reduce((m, e) => Math.max(m, e.capacityRatio), 0);
