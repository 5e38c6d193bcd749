import assert from 'node:assert/strict';
import { clampView, formatDurationUs, rowWindow, scrollTopForRow, spanBounds, ticks, viewForSpan, zoomView } from '../../src/core/waterfall/layout';

describe('waterfall: layout', () => {
  it('places bars as fractions of the visible range, clamped to [0,1]', () => {
    assert.deepEqual(spanBounds(250, 500, 1000, { start: 0, end: 1 }), { start: 0.25, end: 0.75, visible: true });
    assert.deepEqual(spanBounds(250, 500, 1000, { start: 0.5, end: 1 }), { start: 0, end: 0.5, visible: true });
    assert.equal(spanBounds(100, 50, 1000, { start: 0.5, end: 1 }).visible, false);
  });

  it('labels ticks at round offsets that cover the view', () => {
    const t = ticks({ start: 0, end: 1 }, 1_450_000, 4);
    assert.deepEqual(t.map((x) => x.label), ['0 µs', '500 ms', '1 s']);
    assert.ok(Math.abs(t[1].fraction - 500 / 1450) < 1e-12);
    assert.deepEqual(ticks({ start: 0.1, end: 0.2 }, 1_000_000, 5).map((x) => x.label), ['100 ms', '120 ms', '140 ms', '160 ms', '180 ms', '200 ms']);
  });

  it('formats durations with units and three significant digits', () => {
    assert.deepEqual([0, 850, 12_500, 1_250_000, 125_000_000].map(formatDurationUs), ['0 µs', '850 µs', '12.5 ms', '1.25 s', '2 min 5 s']);
  });

  it('zooms around an anchor and never leaves [0,1]', () => {
    assert.deepEqual(zoomView({ start: 0, end: 1 }, 0.5, 0.5), { start: 0.25, end: 0.75 });
    assert.deepEqual(zoomView({ start: 0, end: 1 }, 0.5, 0), { start: 0, end: 0.5 });
    assert.deepEqual(zoomView({ start: 0.25, end: 0.75 }, 4, 0.5), { start: 0, end: 1 });
    assert.deepEqual(clampView(0.9, 1.3), { start: 0.6, end: 1 });
    const v = viewForSpan(500, 100, 1000);
    assert.ok(Math.abs(v.start - 0.495) < 1e-12 && Math.abs(v.end - 0.605) < 1e-12);
  });

  it('maps scroll positions to rows, scaling past the browser height limit', () => {
    assert.deepEqual(rowWindow(220, 440, 100, 22), { first: 10, offsetPx: 0, spacerPx: 2200, visible: 21 });
    assert.equal(scrollTopForRow(10, 440, 100, 22), 220);
    const big = rowWindow(15_000_000 - 440, 440, 1_000_000, 22);
    assert.equal(big.spacerPx, 15_000_000);
    assert.equal(big.first, 1_000_000 - 20);
    const mid = scrollTopForRow(500_000, 440, 1_000_000, 22);
    assert.equal(rowWindow(mid, 440, 1_000_000, 22).first, 500_000);
  });
});
