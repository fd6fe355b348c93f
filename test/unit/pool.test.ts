// The bounded worker pool (src/common/pool.ts): never more than `limit` calls in flight, a free
// worker takes the next item at once, results in the items' order, no new item after an abort or
// an error, and the error only once the calls in flight have ended.
import assert from 'node:assert/strict';
import { mapPool } from '../../src/common/pool';

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('mapPool', () => {
  it('keeps at most `limit` calls in flight and returns results in the items’ order', async () => {
    let inFlight = 0;
    let peak = 0;
    // Later items finish first: the order of results must not follow the order of completion.
    const items = [50, 40, 30, 20, 10, 5, 1];
    const out = await mapPool(items, 3, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick(ms);
      inFlight--;
      return `${i}:${ms}`;
    });
    assert.equal(peak, 3);
    assert.deepEqual(out, items.map((ms, i) => `${i}:${ms}`));
  });

  it('a free worker takes the next item at once (no batches)', async () => {
    const started: number[] = [];
    const t0 = Date.now();
    // Item 0 is slow; items 1..4 are quick: with two workers they all start while item 0 runs.
    await mapPool([200, 10, 10, 10, 10], 2, async (ms, i) => {
      started.push(Date.now() - t0);
      await tick(ms);
      return i;
    });
    assert.equal(started.length, 5);
    assert.ok(Math.max(...started) < 150, `starts at ${started.join(', ')} ms`);
  });

  it('runs everything one at a time with a limit below 1, and nothing for no items', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapPool([1, 2, 3], 0, async (x) => {
      peak = Math.max(peak, ++inFlight);
      await tick(1);
      inFlight--;
      return x * 2;
    });
    assert.equal(peak, 1);
    assert.deepEqual(out, [2, 4, 6]);
    assert.deepEqual(await mapPool([], 4, async () => assert.fail('called')), []);
  });

  it('starts no item after the signal aborts; items never started have no result', async () => {
    const abort = new AbortController();
    const seen: number[] = [];
    const out = await mapPool(
      [0, 1, 2, 3, 4, 5, 6, 7],
      2,
      async (x) => {
        seen.push(x);
        if (x === 2) abort.abort();
        await tick(5);
        return x;
      },
      abort.signal,
    );
    // 0 and 1 start together, 2 aborts: at most the one other worker's item after it started.
    assert.ok(seen.length <= 4 && seen.includes(2), `started ${seen.join(', ')}`);
    for (let i = 0; i < out.length; i++) assert.equal(out[i], seen.includes(i) ? i : undefined);
  });

  it('starts nothing when the signal has already aborted', async () => {
    const out = await mapPool([1, 2], 2, async () => assert.fail('called'), AbortSignal.abort());
    assert.deepEqual(out, [undefined, undefined]);
  });

  it('rejects with the first error once the calls in flight have ended, starting nothing more', async () => {
    const started: number[] = [];
    let finished = 0;
    const p = mapPool([0, 1, 2, 3, 4, 5], 2, async (x) => {
      started.push(x);
      if (x === 0) throw new Error('boom 0');
      await tick(30);
      finished++;
      if (x === 1) throw new Error('boom 1');
      return x;
    });
    await assert.rejects(p, /boom 0/);
    // Item 1 was in flight when item 0 failed: the pool waited for it, and started nothing after.
    assert.deepEqual(started, [0, 1]);
    assert.equal(finished, 1);
  });
});
