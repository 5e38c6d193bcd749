/**
 * Cold-start evidence on the spans of one invocation: X-Ray `Initialization` subsegments (and
 * `Restore` for SnapStart), OTel `faas.coldstart`, init spans some layers emit, and the Powertools /
 * hand-written `ColdStart` annotation.
 */
import type { AttrValue, Span } from '../model';

/** Span names that stand for the INIT phase (X-Ray's subsegment and what OTel layers emit). */
const INIT_NAMES = new Set(['Initialization', 'initialization', 'Init', 'init', 'INIT', 'faas.init', 'Lambda Init', 'platform.initRuntimeDone']);
/** Span names that stand for a SnapStart restore. */
const RESTORE_NAMES = new Set(['Restore', 'restore', 'SnapStart Restore', 'platform.restoreRuntimeDone']);

export function isInitSpan(span: Span): boolean {
  return INIT_NAMES.has(span.name);
}

export function isRestoreSpan(span: Span): boolean {
  return RESTORE_NAMES.has(span.name);
}

/** What the spans say about one invocation's start: cold or not, and how long INIT/restore took (ms). */
export interface ColdStartFacts {
  coldStart: boolean;
  /** Duration of the INIT phase in ms when a span recorded it. */
  initDurationMs?: number;
  /** Duration of a SnapStart restore in ms when a span recorded it. */
  restoreDurationMs?: number;
}

function boolish(v: AttrValue | undefined): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/** `faas.coldstart` on the span, or a `ColdStart` X-Ray annotation; undefined when neither says. */
export function coldStartFlag(span: Span): boolean | undefined {
  const a = boolish(span.attributes['faas.coldstart']);
  if (a !== undefined) return a;
  const ann = span.xray?.annotations;
  if (ann) return boolish(ann['ColdStart'] ?? ann['coldStart'] ?? ann['cold_start']);
  return undefined;
}

/**
 * Combines an invocation span with related spans (its children and the other spans of the same
 * function in the trace). An init or restore span makes it cold even without a flag.
 */
export function coldStartFacts(entry: Span, related: readonly Span[]): ColdStartFacts {
  let flag = coldStartFlag(entry);
  let initDurationMs: number | undefined;
  let restoreDurationMs: number | undefined;
  for (const s of related) {
    if (s === entry) continue;
    if (flag === undefined) {
      const f = coldStartFlag(s);
      if (f !== undefined) flag = f;
    }
    if (s.endUnixUs === undefined) continue;
    const ms = Math.max(0, (s.endUnixUs - s.startUnixUs) / 1000);
    if (isInitSpan(s)) initDurationMs = (initDurationMs ?? 0) + ms;
    else if (isRestoreSpan(s)) restoreDurationMs = (restoreDurationMs ?? 0) + ms;
  }
  const coldStart = flag === true || initDurationMs !== undefined || restoreDurationMs !== undefined;
  return {
    coldStart,
    ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    ...(restoreDurationMs !== undefined ? { restoreDurationMs } : {}),
  };
}
