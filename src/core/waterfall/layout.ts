/**
 * Waterfall geometry kept outside the view, as in jaeger-ui's TraceTimelineViewer/utils.ts:
 * positions are fractions in [0,1] of the visible time range, so the view only multiplies by pixels.
 */

/** The visible time range as fractions of the trace duration, 0 <= start < end <= 1. */
export interface ViewRange {
  start: number;
  end: number;
}

/** Smallest zoom window, as a fraction of the trace. */
export const MIN_VIEW_SPAN = 1e-6;

/**
 * Where a span's bar goes in the visible range: `start`/`end` as fractions in [0,1] of the
 * timeline width, clamped; `visible` false when the span lies wholly outside the range.
 */
export function spanBounds(startUs: number, durUs: number, traceDurUs: number, view: ViewRange): { start: number; end: number; visible: boolean } {
  const w = (view.end - view.start) * traceDurUs;
  const viewStartUs = view.start * traceDurUs;
  const s = (startUs - viewStartUs) / w;
  const e = (startUs + durUs - viewStartUs) / w;
  return { start: clamp01(s), end: clamp01(e), visible: e >= 0 && s <= 1 };
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** A ViewRange clamped to [0,1], at least MIN_VIEW_SPAN wide, keeping its width when moved past an edge. */
export function clampView(start: number, end: number): ViewRange {
  let w = Math.min(1, Math.max(MIN_VIEW_SPAN, end - start));
  if (!(w > 0)) w = 1;
  let s = Math.max(0, Math.min(start, 1 - w));
  if (!Number.isFinite(s)) s = 0;
  return { start: s, end: s + w };
}

/** Zooms by `factor` (< 1 zooms in) around `anchor`, a fraction of the current view. */
export function zoomView(view: ViewRange, factor: number, anchor: number): ViewRange {
  const w = view.end - view.start;
  const at = view.start + w * clamp01(anchor);
  const nw = w * factor;
  return clampView(at - nw * clamp01(anchor), at - nw * clamp01(anchor) + nw);
}

/** The view showing span [startUs, startUs+durUs) with 5% margin on each side. */
export function viewForSpan(startUs: number, durUs: number, traceDurUs: number): ViewRange {
  const s = startUs / traceDurUs;
  const w = Math.max(durUs / traceDurUs, MIN_VIEW_SPAN);
  return clampView(s - w * 0.05, s + w * 1.05);
}

/** One tick of the time axis: `fraction` of the timeline width and its label. */
export interface Tick {
  fraction: number;
  offsetUs: number;
  label: string;
}

/**
 * Ticks at round offsets (1, 2 or 5 x 10^k microseconds from the trace start) covering the view,
 * at most `maxTicks` + 1 of them, labelled with `formatDurationUs`.
 */
export function ticks(view: ViewRange, traceDurUs: number, maxTicks: number): Tick[] {
  const fromUs = view.start * traceDurUs;
  const toUs = view.end * traceDurUs;
  const span = toUs - fromUs;
  if (!(span > 0) || maxTicks < 1) return [];
  const raw = span / maxTicks;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: Tick[] = [];
  for (let k = Math.ceil(fromUs / step); k * step <= toUs + step * 1e-9; k++) {
    const offsetUs = k * step;
    out.push({ fraction: (offsetUs - fromUs) / span, offsetUs, label: formatDurationUs(offsetUs) });
  }
  return out;
}

/** `0 µs`, `850 µs`, `12.5 ms`, `1.25 s`, `2 min 5 s`: at most 3 significant digits. */
export function formatDurationUs(us: number): string {
  if (!Number.isFinite(us)) return '?';
  const a = Math.abs(us);
  if (a < 1000) return `${trim(us)} µs`;
  if (a < 1e6) return `${trim(us / 1000)} ms`;
  if (a < 60e6) return `${trim(us / 1e6)} s`;
  const min = Math.floor(us / 60e6);
  return `${min} min ${Math.round((us - min * 60e6) / 1e6)} s`;
}

function trim(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/**
 * Which rows to draw for a scroll position. Browsers cap element heights (~33M px in Chromium),
 * so above `maxScrollPx` the scroll range is scaled: scrollTop maps linearly onto the rows.
 * Returns the first row, the pixel offset of that row inside the viewport, and the spacer height.
 */
export function rowWindow(scrollTopPx: number, viewportPx: number, rowCount: number, rowPx: number, maxScrollPx = 15_000_000): { first: number; offsetPx: number; spacerPx: number; visible: number } {
  const full = rowCount * rowPx;
  const spacerPx = Math.min(full, maxScrollPx);
  const visible = Math.ceil(viewportPx / rowPx) + 1;
  if (full <= maxScrollPx) {
    const first = Math.max(0, Math.min(rowCount - 1, Math.floor(scrollTopPx / rowPx)));
    return { first: Math.max(0, first), offsetPx: first * rowPx - scrollTopPx, spacerPx, visible };
  }
  const maxTop = Math.max(1, spacerPx - viewportPx);
  const exact = (Math.max(0, Math.min(scrollTopPx, maxTop)) / maxTop) * Math.max(0, rowCount - viewportPx / rowPx);
  const first = Math.floor(exact + 1e-6);
  return { first, offsetPx: -(exact - first) * rowPx, spacerPx, visible };
}

/** Inverse of rowWindow: the scrollTop that puts `row` at the top of the viewport. */
export function scrollTopForRow(row: number, viewportPx: number, rowCount: number, rowPx: number, maxScrollPx = 15_000_000): number {
  const full = rowCount * rowPx;
  if (full <= maxScrollPx) return row * rowPx;
  const spacerPx = maxScrollPx;
  const maxTop = Math.max(1, spacerPx - viewportPx);
  const rowsRange = Math.max(1, rowCount - viewportPx / rowPx);
  return (row / rowsRange) * maxTop;
}
