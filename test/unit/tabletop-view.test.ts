// The facilitator chart's step numbers: markers closer than a label's width share one label, so
// numbers never pile up ("#4#5#6#7#8") over each other or the lines.
import assert from 'node:assert/strict';
import { markerLabels } from '../../src/views/tabletopView';

/** A fixed-width font: 6 px per character. */
const measure = (t: string) => t.length * 6;

describe('facilitator chart: step labels', () => {
  it('one label per marker when they are apart', () => {
    assert.deepEqual(markerLabels([{ n: 1, x: 10 }, { n: 2, x: 100 }], measure, 4), [{ label: '#1', x: 10 }, { label: '#2', x: 100 }]);
  });

  it('markers closer than a label share one: "#4–8", at the first one', () => {
    const ms = [4, 5, 6, 7, 8].map((n, i) => ({ n, x: 200 + i * 3 }));
    assert.deepEqual(markerLabels([{ n: 3, x: 50 }, ...ms, { n: 9, x: 400 }], measure, 4), [
      { label: '#3', x: 50 },
      { label: '#4–8', x: 200 },
      { label: '#9', x: 400 },
    ]);
  });

  it('no two labels overlap, whatever the spacing', () => {
    const ms = Array.from({ length: 60 }, (_, i) => ({ n: i + 1, x: Math.round(Math.abs(Math.sin(i)) * 600) }));
    const labels = markerLabels(ms, measure, 4).sort((a, b) => a.x - b.x);
    for (let i = 1; i < labels.length; i++) assert.ok(labels[i].x >= labels[i - 1].x + measure(labels[i - 1].label) + 4, JSON.stringify([labels[i - 1], labels[i]]));
  });
});
