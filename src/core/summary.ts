/** One line per trace for lists (CLI, tree views, the store's index). */
import { coldStartOf, functionNameOf } from './lambda';
import type { Span, TraceSummary } from './model';

/**
 * Summarizes the spans of one trace (duplicates should be merged first, see `mergeSpans`).
 * The root is the earliest span without a parent, else the earliest whose parent never arrived
 * (X-Ray Lambda mode never sends the function segment), else the earliest span. In-progress spans
 * count up to their start. An empty span list gives an empty summary at time 0.
 */
export function summarizeTrace(traceId: string, spans: readonly Span[]): TraceSummary {
  const ids = new Set<string>();
  for (const s of spans) ids.add(s.spanId);
  let noParent: Span | undefined;
  let orphan: Span | undefined;
  let earliest: Span | undefined;
  let startUs = Infinity;
  let endUs = -Infinity;
  let errorCount = 0;
  const functions = new Set<string>();
  for (const s of spans) {
    if (!s.parentSpanId) noParent = earlier(noParent, s);
    else if (!ids.has(s.parentSpanId)) orphan = earlier(orphan, s);
    earliest = earlier(earliest, s);
    startUs = Math.min(startUs, s.startUnixUs);
    endUs = Math.max(endUs, s.endUnixUs ?? s.startUnixUs);
    if (s.status.code === 'error') errorCount++;
    const fn = functionNameOf(s);
    if (fn) functions.add(fn);
  }
  const root = noParent ?? orphan ?? earliest;
  return {
    traceId,
    rootName: root?.name ?? '',
    startUnixMs: spans.length ? startUs / 1000 : 0,
    durationMs: spans.length ? (endUs - startUs) / 1000 : 0,
    spanCount: spans.length,
    errorCount,
    coldStart: coldStartOf(spans) === true,
    functions: [...functions].sort(),
  };
}

function earlier(a: Span | undefined, b: Span): Span {
  return !a || b.startUnixUs < a.startUnixUs || (b.startUnixUs === a.startUnixUs && b.spanId < a.spanId) ? b : a;
}
