/**
 * Every message between the extension host and the trace waterfall webview. Plain data only:
 * numbers for times, typed arrays for the columns of a trace, no class instances, no Maps, no
 * vscode.Uri. Both sides end their `switch`
 * with `assertNever` so a new message type is a compile error until it is handled.
 *
 * Handshake: the webview posts `ready` once its listener is installed; the host queues everything
 * until then.
 */

/** Bits of `CompactTrace.flags[i]`. */
export const SpanFlag = {
  /** Status error (OTLP) or X-Ray `error` (4xx). */
  Error: 1,
  /** X-Ray `fault` (5xx). */
  Fault: 2,
  /** X-Ray `throttle` (429). */
  Throttle: 4,
  /** The Lambda `Initialization` phase of a cold start. */
  Init: 8,
  /** A span that belongs to a cold-started invocation (`faas.coldstart` true). */
  ColdStart: 16,
  /** No end time yet; duration runs to the end of the trace. */
  InProgress: 32,
  /** On the critical path (the chain of spans that decided the trace's duration). */
  Critical: 64,
  /** Its parent span is not in the trace. */
  Orphan: 128,
} as const;

/**
 * A whole trace in columnar form: one entry per span in every column, spans in pre-order DFS
 * order (a parent before its children, siblings by start time). Index i of every column is the
 * same span. Columns are typed arrays: postMessage copies them as raw buffers (structured clone),
 * so 1M spans cross to the webview in milliseconds and need no per-element conversion there.
 */
export interface CompactTrace {
  traceId: string;
  /** Number of spans (length of every per-span column). */
  count: number;
  /** Earliest span start, Unix microseconds. Span starts below are relative to it. */
  startUnixUs: number;
  /** From the earliest start to the latest end, microseconds (>= 1). */
  durationUs: number;
  /** Deduplicated strings; the `*Str` columns index into it. */
  strings: string[];
  /** Span ids, 16 characters each, concatenated in span order. */
  spanIds: string;
  /** Start relative to `startUnixUs`, microseconds. */
  startUs: Float64Array;
  /** Duration in microseconds (>= 0). */
  durUs: Float64Array;
  /** Tree depth, 0 for roots. */
  depth: Uint32Array;
  /** Index of the parent span, -1 for roots. */
  parent: Int32Array;
  /** One past the last descendant: span i's subtree is rows [i, subtreeEnd[i]). */
  subtreeEnd: Int32Array;
  /** Span name (index into `strings`). */
  nameStr: Int32Array;
  /** Service or function name (index into `strings`). */
  serviceStr: Int32Array;
  /** `SpanFlag` bits. */
  flags: Uint8Array;
  /**
   * Attributes searchable in the webview: span i owns pairs attrOffsets[i] .. attrOffsets[i+1]-1 of
   * `attrKeyStr`/`attrValStr` (length count + 1). Non-string values are JSON text.
   */
  attrOffsets: Int32Array;
  attrKeyStr: Int32Array;
  attrValStr: Int32Array;
}

/** One key/value line of a detail section; values are display text. */
export interface DetailEntry {
  key: string;
  value: string;
}

/** A titled block of the detail pane (Attributes, Resource, HTTP, SQL, AWS, Annotations...). */
export interface DetailSection {
  title: string;
  entries: DetailEntry[];
}

/** One stack frame; `line` is 1-based or null when unknown. */
export interface DetailFrame {
  path: string;
  line: number | null;
  label?: string;
}

/** An exception with its stack, from X-Ray `cause` or an OTLP `exception` event. */
export interface DetailException {
  type: string;
  message: string;
  frames: DetailFrame[];
}

/** Everything the detail pane shows about one span. Built by `core/waterfall/spanDetail.ts`. */
export interface SpanDetail {
  spanId: string;
  name: string;
  kind: string;
  /** Duration in microseconds, or null while in progress. */
  durationUs: number | null;
  status: string;
  sections: DetailSection[];
  events: { name: string; offsetUs: number; entries: DetailEntry[] }[];
  links: { traceId: string; spanId: string; entries: DetailEntry[] }[];
  exceptions: DetailException[];
}

/** Messages from the extension host to the webview. */
export type HostMessage =
  /** Show this trace, replacing any other; keep saved state if the trace id is the same. */
  | { type: 'trace'; trace: CompactTrace }
  /** The detail of span `index`, answering `requestDetail`. */
  | { type: 'spanDetail'; index: number; detail: SpanDetail }
  /** Result of `revealSpan` / `openSource`: show `message` when the code could not be opened. */
  | { type: 'revealResult'; spanId: string | null; ok: boolean; message: string }
  /** Select span `spanId` and scroll it into view (e.g. from a CodeLens). */
  | { type: 'selectSpan'; spanId: string };

/** Messages from the webview to the extension host. */
export type WebviewMessage =
  /** The webview is listening: send the queued messages now. */
  | { type: 'ready' }
  /** Send `spanDetail` for span `index` (its id is `spanId`). */
  | { type: 'requestDetail'; index: number; spanId: string }
  /** The user chose a span: reveal its source line (or answer with `revealResult` saying why not). */
  | { type: 'revealSpan'; index: number; spanId: string }
  /** The user clicked a stack frame: open `path` at 1-based `line` (null: top of file). */
  | { type: 'openSource'; path: string; line: number | null; spanId: string }
  /** Something failed in the webview; the host logs it. */
  | { type: 'error'; message: string };

/** Exhaustiveness check for `switch (msg.type)`. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}

/** True if `x` looks like a WebviewMessage (the host must not trust the webview's shape). */
export function isWebviewMessage(x: unknown): x is WebviewMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'ready': return true;
    case 'requestDetail':
    case 'revealSpan': return Number.isInteger(m.index) && typeof m.spanId === 'string';
    case 'openSource': return typeof m.path === 'string' && (m.line === null || Number.isInteger(m.line)) && typeof m.spanId === 'string';
    case 'error': return typeof m.message === 'string';
    default: return false;
  }
}
