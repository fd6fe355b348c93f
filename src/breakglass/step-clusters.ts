// Which clusters a break-glass step names: plain data, no action code, so that the readiness
// badges (loaded at activation) can read it without loading the actions (dist/breakglass.js).

/**
 * The clusters a step names (`clusters: '*'` or a list of names; a single name is a list of one),
 * undefined when it names none (the run's own target), or a problem in words.
 */
export function stepClusters(body: unknown): '*' | string[] | undefined | string {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>).clusters;
  if (v === undefined || v === null) return undefined;
  if (v === '*') return '*';
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && x.trim() !== '')) {
    return "`clusters` must be '*' (every cluster) or a list of cluster names";
  }
  return list.map((x: string) => x.trim());
}

/** The clusters a parsed step acts on among those known, or a problem in words. */
export function selectClusters<T extends { name: string }>(body: unknown, known: T[], fallback: T[]): { clusters: T[]; problem?: string } {
  const want = stepClusters(body);
  if (want === undefined) return { clusters: fallback };
  if (want === '*') return { clusters: known };
  if (typeof want === 'string') return { clusters: [], problem: want };
  const missing = want.filter((n) => !known.some((k) => k.name === n));
  if (missing.length) return { clusters: [], problem: `unknown cluster(s) ${missing.join(', ')} (known: ${known.map((k) => k.name).join(', ') || 'none'})` };
  return { clusters: known.filter((k) => want.includes(k.name)) };
}
