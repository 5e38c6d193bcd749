/**
 * The contract of the local trace store, shared by the CLI, the receivers and the extension.
 * Implemented by `store/fileTraceStore.ts`.
 */
import type { Span, Trace, TraceSummary } from '../core/model';

export interface TraceQuery {
  /** Only traces in which this function took part (exact name, as in TraceSummary.functions). */
  functionName?: string;
  /** Only traces that started at or after this time (Unix ms). */
  sinceUnixMs?: number;
  /** Only traces that started before this time (Unix ms). */
  untilUnixMs?: number;
  /** At most this many, newest first. */
  limit?: number;
}

export interface AppendResult {
  /** New spans written. */
  accepted: number;
  /** Spans already in the store (same trace id and span id), dropped. */
  duplicates: number;
}

export interface StoreStats {
  traces: number;
  spans: number;
  /** Bytes on disk. */
  bytes: number;
}

export interface TraceStore {
  /** Appends spans; when the promise resolves they are on disk and survive a crash of this process. */
  append(spans: readonly Span[]): Promise<AppendResult>;
  /** Trace summaries, newest first. */
  listTraces(query?: TraceQuery): Promise<TraceSummary[]>;
  /** A whole trace with every span merged, or undefined. Accepts W3C or X-Ray ids. */
  getTrace(traceId: string): Promise<Trace | undefined>;
  /** True if any span of the trace is stored (no disk read). */
  hasTrace(traceId: string): boolean;
  stats(): StoreStats;
  /** Called after each append that stored new spans, with the affected trace ids. */
  onDidAppend(listener: (traceIds: string[]) => void): { dispose(): void };
  close(): Promise<void>;
}
