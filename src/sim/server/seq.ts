// Lazily materialised, random-access sequences of objects: object i is computed from its index.
// A list page touches only the objects it returns (plus those a selector skips).
import type { SimObject } from './simObject';

export interface Seq {
  readonly count: number;
  at(i: number): SimObject;
  /** Labels every object of this sequence carries (lets a label selector skip it whole). */
  readonly constLabels?: Record<string, string>;
}

export function rangeSeq(count: number, at: (i: number) => SimObject, constLabels?: Record<string, string>): Seq {
  return { count: Math.max(0, count), at, constLabels };
}

export function arraySeq(items: SimObject[]): Seq {
  return { count: items.length, at: (i) => items[i] };
}

export const EMPTY: Seq = { count: 0, at: () => { throw new RangeError('empty'); } };

/** Sequences one after another. */
export class ConcatSeq implements Seq {
  readonly count: number;
  private readonly starts: number[] = [];
  private readonly parts: Seq[];

  constructor(parts: Seq[]) {
    this.parts = parts.filter((p) => p.count > 0);
    let n = 0;
    for (const p of this.parts) {
      this.starts.push(n);
      n += p.count;
    }
    this.count = n;
  }

  private partOf(i: number): number {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  at(i: number): SimObject {
    const p = this.partOf(i);
    return this.parts[p].at(i - this.starts[p]);
  }

  /**
   * Objects from index `from` on, as [index, object]; parts for which `skip` says true are passed
   * over without materialising anything.
   */
  *from(from: number, skip?: (part: Seq) => boolean): Generator<[number, SimObject]> {
    if (from >= this.count) return;
    for (let p = this.partOf(Math.max(0, from)); p < this.parts.length; p++) {
      const part = this.parts[p];
      const start = this.starts[p];
      if (skip?.(part)) continue;
      for (let j = Math.max(0, from - start); j < part.count; j++) yield [start + j, part.at(j)];
    }
  }
}

export function concat(parts: Seq[]): ConcatSeq {
  return new ConcatSeq(parts);
}
