// Durations as people write them in runbooks, settings and agents' configuration: `500ms`, `20s`,
// `5m`, `1h30m` (or `1h 30m`), or a bare number of seconds.

/** A step's timeout when neither the step nor the settings name one. */
export const DEFAULT_STEP_TIMEOUT_MS = 10 * 60_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const s = text.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
    while (s[pos] === ' ') pos++;
  }
  return total;
}

/** Seconds, for configuration values whose default applies when they are not a duration (0 then). */
export function parseSeconds(text: string): number {
  return (parseDuration(text) ?? 0) / 1000;
}

/** `1h 2m 3.4s` style, for people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  // A whole number of seconds reads as written (`20s`, not `20.0s`); a measured one keeps its tenth.
  if (totalS < 60) return Number.isInteger(totalS) ? `${totalS}s` : `${totalS.toFixed(1)}s`;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const sec = Math.floor(totalS % 60);
  // Zero parts are left out: `2m`, `1h 30s`, `4h 22m`.
  return [h && `${h}h`, m && `${m}m`, sec && `${sec}s`].filter(Boolean).join(' ');
}

/**
 * A span of seconds in words, to the second under an hour and to the minute above: `42 s`,
 * `3 m 05 s`, `1 h 02 m`; `—` when it did not happen (a tabletop's time to detect before anyone
 * detected). The facilitator panel, the status notices and the after-action report all say it so.
 */
export function formatElapsed(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const sec = Math.round(seconds % 60);
  return h ? `${h} h ${p2(m)} m` : m ? `${m} m ${p2(sec)} s` : `${sec} s`;
}
