// A bounded worker pool: at most `limit` calls of `fn` in flight, each worker taking the next item
// as soon as it is free (not in batches), results in the items' order. The break-glass fan-outs
// use it: SSH sessions to nodes, etcd deletion transactions, clusters of a multi-cluster step.

/**
 * Maps `items` through `fn` with at most `limit` calls in flight (at least one). Results come back
 * in the items' order, whatever order the calls finish in.
 *
 * With a `signal`: once it aborts no further item is started (calls in flight run to their end:
 * cancelling them is `fn`'s business); items never started have `undefined` as their result.
 *
 * If a call throws, no further item is started; the pool waits for the calls in flight and then
 * rejects with the first error, so that nothing keeps running behind the caller's back.
 */
export function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]>;
export function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, signal: AbortSignal | undefined): Promise<(R | undefined)[]>;
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  let failed = false;
  let error: unknown;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed && !signal?.aborted) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
  };
  const width = Math.min(Math.max(1, Math.floor(limit) || 1), items.length);
  await Promise.all(Array.from({ length: width }, worker));
  if (failed) throw error;
  return results;
}
