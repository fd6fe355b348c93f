// Prometheus text exposition format (version 0.0.4): parsing, and the arithmetic a health panel
// needs (counter rates and histogram quantiles from the difference of two scrapes).
//
// A small parser of our own: the npm packages we tried dropped the labels of histogram series
// (every `verb` of apiserver_request_duration_seconds collapsed into one), which is exactly the
// breakdown the panels need.
import { equalityRequirements, matchLabels } from '../common/labels';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Metric name -> samples. Histogram series keep their suffixes (_bucket, _sum, _count). */
export type Scrape = Map<string, Sample[]>;

function parseValue(s: string): number {
  switch (s) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default:
      return Number(s);
  }
}

/** Parses the text format; malformed lines are skipped (a scrape is best effort, never fatal). */
export function parsePrometheusText(text: string): Scrape {
  const out: Scrape = new Map();
  let i = 0;
  const n = text.length;
  while (i < n) {
    let end = text.indexOf('\n', i);
    if (end < 0) end = n;
    const line = text.slice(i, end).trim();
    i = end + 1;
    if (line === '' || line.startsWith('#')) continue;
    // name, optional {labels}, value, optional timestamp
    let j = 0;
    while (j < line.length && /[A-Za-z0-9_:]/.test(line[j])) j++;
    const name = line.slice(0, j);
    if (!name) continue;
    const labels: Record<string, string> = {};
    let ok = true;
    if (line[j] === '{') {
      j++;
      while (j < line.length && line[j] !== '}') {
        while (line[j] === ' ' || line[j] === ',') j++;
        if (line[j] === '}') break;
        const k0 = j;
        while (j < line.length && /[A-Za-z0-9_]/.test(line[j])) j++;
        const key = line.slice(k0, j);
        if (!key || line[j] !== '=' || line[j + 1] !== '"') {
          ok = false;
          break;
        }
        j += 2;
        let v = '';
        while (j < line.length && line[j] !== '"') {
          if (line[j] === '\\' && j + 1 < line.length) {
            const c = line[j + 1];
            v += c === 'n' ? '\n' : c;
            j += 2;
          } else v += line[j++];
        }
        if (line[j] !== '"') {
          ok = false;
          break;
        }
        j++;
        labels[key] = v;
      }
      if (line[j] !== '}') ok = false;
      j++;
    }
    if (!ok) continue;
    const rest = line.slice(j).trim().split(/\s+/);
    if (rest.length < 1 || rest[0] === '') continue;
    const value = parseValue(rest[0]);
    if (Number.isNaN(value) && rest[0] !== 'NaN') continue;
    const list = out.get(name);
    if (list) list.push({ labels, value });
    else out.set(name, [{ labels, value }]);
  }
  return out;
}

function matches(labels: Record<string, string>, want?: Record<string, string>): boolean {
  return matchLabels(equalityRequirements(want), labels);
}

/** Sum of a metric's samples whose labels match. */
export function sum(s: Scrape, name: string, want?: Record<string, string>): number | undefined {
  const list = s.get(name);
  if (!list) return undefined;
  let total = 0;
  let any = false;
  for (const x of list) {
    if (matches(x.labels, want)) {
      total += x.value;
      any = true;
    }
  }
  return any ? total : undefined;
}

/** Sum grouped by one label. */
export function sumBy(s: Scrape, name: string, label: string, want?: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of s.get(name) ?? []) {
    if (!matches(x.labels, want)) continue;
    const k = x.labels[label] ?? '';
    out[k] = (out[k] ?? 0) + x.value;
  }
  return out;
}

/** Per-second rate of a counter between two scrapes (a reset counts from zero). */
export function rate(prev: Scrape, cur: Scrape, name: string, seconds: number, want?: Record<string, string>): number | undefined {
  const a = sum(prev, name, want);
  const b = sum(cur, name, want);
  if (b === undefined || !(seconds > 0)) return undefined;
  const d = a === undefined || b < a ? b : b - a;
  return d / seconds;
}

/** Rate per value of one label. */
export function rateBy(prev: Scrape, cur: Scrape, name: string, label: string, seconds: number, want?: Record<string, string>): Record<string, number> {
  const a = sumBy(prev, name, label, want);
  const b = sumBy(cur, name, label, want);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) {
    const p = a[k];
    out[k] = (p === undefined || v < p ? v : v - p) / seconds;
  }
  return out;
}

/** Cumulative bucket counts (le -> count), summed over matching series. */
export function buckets(s: Scrape, histogram: string, want?: Record<string, string>): Map<number, number> {
  const out = new Map<number, number>();
  for (const x of s.get(`${histogram}_bucket`) ?? []) {
    if (!matches(x.labels, want)) continue;
    const le = parseValue(x.labels.le ?? '');
    if (Number.isNaN(le)) continue;
    out.set(le, (out.get(le) ?? 0) + x.value);
  }
  return out;
}

/**
 * The q-quantile of what a histogram observed between two scrapes, with PromQL's
 * histogram_quantile interpolation. undefined when nothing was observed.
 */
export function quantileBetween(prev: Scrape | undefined, cur: Scrape, histogram: string, q: number, want?: Record<string, string>): number | undefined {
  const b = buckets(cur, histogram, want);
  const a = prev ? buckets(prev, histogram, want) : new Map<number, number>();
  const les = [...b.keys()].sort((x, y) => x - y);
  if (les.length === 0) return undefined;
  const counts = les.map((le) => Math.max(0, (b.get(le) ?? 0) - (a.get(le) ?? 0)));
  const total = counts[counts.length - 1];
  if (!(total > 0)) return undefined;
  const rank = q * total;
  for (let i = 0; i < les.length; i++) {
    if (counts[i] >= rank) {
      const upper = les[i];
      const lower = i === 0 ? 0 : les[i - 1];
      const below = i === 0 ? 0 : counts[i - 1];
      if (!Number.isFinite(upper)) return lower; // in the +Inf bucket: the highest finite bound
      const inBucket = counts[i] - below;
      return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
    }
  }
  return les[les.length - 1];
}
