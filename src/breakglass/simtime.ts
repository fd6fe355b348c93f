// Simulated time for simulated actions. An action says "this happens at simulated second t" and
// waits on a timeline; it never sleeps for the simulated duration in real time.
import type { SimTimeline } from './types';

/** A headless simulation: the action steps it itself, as fast as possible. */
export function headlessTimeline(sim: { now(): number; step(dt?: number): void }): SimTimeline {
  return {
    now: () => sim.now(),
    async until(t, signal) {
      // Bounded: one step per simulated second up to t.
      const steps = Math.max(0, Math.ceil(t - sim.now()));
      for (let i = 0; i < steps && sim.now() < t; i++) {
        if (signal.aborted) throw new Error('cancelled');
        sim.step(1);
        // Let other work (the runbook view, a served API) run between chunks of steps.
        if (i % 200 === 199) await new Promise((r) => setImmediate(r));
      }
    },
  };
}

/**
 * A clock someone else drives (`breakglass sim serve`, the tabletop): waits, polling, until the
 * cluster's simulated time reaches t. Gives up when the clock does not move for `stallMs` of real
 * time (a paused or stopped clock) so that no wait is endless.
 */
export function clockTimeline(cluster: { now(): number }, o: { pollMs?: number; stallMs?: number } = {}): SimTimeline {
  const pollMs = o.pollMs ?? 50;
  const stallMs = o.stallMs ?? 60_000;
  return {
    now: () => cluster.now(),
    until(t, signal) {
      return new Promise<void>((resolve, reject) => {
        let last = cluster.now();
        let lastMove = Date.now();
        const timer = setInterval(() => {
          const now = cluster.now();
          if (now >= t) return done();
          if (now !== last) {
            last = now;
            lastMove = Date.now();
          } else if (Date.now() - lastMove > stallMs) return done(new Error(`the simulated clock has not moved for ${Math.round(stallMs / 1000)} s (paused?): stopped waiting at T+${now}s for T+${t}s`));
        }, pollMs);
        const onAbort = (): void => done(new Error('cancelled'));
        const done = (e?: Error): void => {
          clearInterval(timer);
          signal.removeEventListener('abort', onAbort);
          if (e) reject(e);
          else resolve();
        };
        if (cluster.now() >= t) return done();
        if (signal.aborted) return done(new Error('cancelled'));
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

/** Deterministic value in [0, 1) for an index (per-node jitter without a shared generator). */
export function unitHash(i: number, salt = 0): number {
  let h = (i + 1) * 0x9e3779b1 + salt * 0x85ebca6b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * Seconds one SSH session to one node takes in simulation: TCP + key exchange + authentication
 * 0.4–0.8 s, then the command (stopping a container, writing a rule) 1.0–2.0 s. About 2.1 s on
 * average; at concurrency c, N nodes take about N / c × 2.1 s.
 */
export function simSessionSeconds(i: number, salt = 0): number {
  return 0.4 + 0.4 * unitHash(i, salt) + 1.0 + 1.0 * unitHash(i, salt + 7919);
}

/**
 * When each of `n` sessions finishes (simulated seconds from the start), with at most
 * `concurrency` at once, each taking `dur(i)`: a worker takes the next node as soon as it is free.
 */
export function scheduleSessions(n: number, concurrency: number, dur: (i: number) => number): Float64Array {
  const width = Math.max(1, Math.min(concurrency, n));
  const free = new Float64Array(width);
  const finish = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let w = 0;
    for (let j = 1; j < width; j++) if (free[j] < free[w]) w = j;
    free[w] += dur(i);
    finish[i] = free[w];
  }
  return finish;
}
