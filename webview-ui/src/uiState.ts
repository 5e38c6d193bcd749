// What the waterfall shows right now; owned by app.ts, read by the views.
import type { TraceView } from '../../src/core/waterfall/traceView';
import type { RowFilter } from '../../src/core/waterfall/rows';
import type { ViewRange } from '../../src/core/waterfall/layout';

export interface UiState {
  v: TraceView;
  /** collapsed[i] = 1: span i's children are hidden. */
  collapsed: Uint8Array;
  /** filterKeep() result, null when no filter. */
  keep: Uint8Array | null;
  /** Span indices shown as rows, in order. */
  rows: Int32Array;
  /** Selected span index, -1 for none. */
  sel: number;
  view: ViewRange;
  filter: RowFilter;
  query: string;
  matches: Int32Array;
  /** Index into `matches` of the current match, -1 for none. */
  matchPos: number;
  /** isMatch[i] = 1 when span i matches the search. */
  isMatch: Uint8Array;
  critical: boolean;
}

/** What survives hiding and reloading (host getState/setState). */
export interface SavedState {
  traceId: string;
  scrollTopPx: number;
  view: ViewRange;
  selSpanId: string | null;
  collapsedSpanIds: string[];
  query: string;
  filter: RowFilter;
  critical: boolean;
}

/** Row height in CSS pixels; rows are fixed-height so row i sits at i * ROW_PX. */
export const ROW_PX = 22;
