/**
 * Pulls traces from the AWS X-Ray API into the store: trace ids from GetTraceSummaries (window cut
 * into <= 6 h chunks, every NextToken page followed, filter expression passed through), then the
 * documents with BatchGetTraces (<= 5 ids per call, UnprocessedTraceIds retried), or, when
 * Transaction Search sends segments to CloudWatch Logs, with StartTraceRetrieval + ListRetrievedTraces.
 * Traces already in the store are not fetched again. Cancel with `signal`.
 */
import { BatchGetTracesCommand, GetTraceSegmentDestinationCommand, GetTraceSummariesCommand, type XRayClient } from '@aws-sdk/client-xray';
import { normalizeTraceId } from '../../core/ids';
import type { DecodeError, Span } from '../../core/model';
import { decodeXRay } from '../../core/xray';
import type { TraceStore } from '../storeApi';
import { createXRayClient, explainAwsError, type XRayClientOptions } from './credentials';
import { abortError, abortableSleep, withRetry, type RetryOptions } from './retry';
import { splitWindow } from './timeWindow';
import { fetchViaTransactionSearch } from './transactionSearch';

export interface XRayPullOptions extends XRayClientOptions {
  store: TraceStore;
  startUnixMs: number;
  endUnixMs: number;
  /** An X-Ray filter expression, e.g. `service("orders-fn")`; see `defaultFunctionFilter`. */
  filterExpression?: string;
  signal?: AbortSignal;
  /** Injected client (tests); otherwise built from the client options. */
  client?: XRayClient;
  retry?: Omit<RetryOptions, 'signal' | 'onRetry'>;
  /** Told what happens, one short line at a time. */
  onProgress?: (event: PullProgress) => void;
  /** Chunk length for GetTraceSummaries in ms (default and maximum 6 h). */
  chunkMs?: number;
  /** Rounds of retrying UnprocessedTraceIds before giving up on them (default 5). */
  unprocessedRounds?: number;
}

export type PullProgress =
  | { kind: 'destination'; destination: string }
  | { kind: 'summaries'; chunk: number; chunks: number; found: number; skipped: number }
  | { kind: 'fetched'; traces: number; of: number; spansAccepted: number }
  | { kind: 'retry'; what: string; attempt: number; delayMs: number; reason: string };

export interface XRayPullResult {
  /** `xray` (BatchGetTraces) or `transaction-search` (StartTraceRetrieval). */
  mode: 'xray' | 'transaction-search';
  /** Distinct trace ids the summaries named. */
  traceIdsFound: number;
  /** Of those, already in the store. */
  traceIdsSkipped: number;
  tracesFetched: number;
  spansAccepted: number;
  spansDuplicate: number;
  /** X-Ray trace ids the service never returned. */
  unprocessed: string[];
  decodeErrors: DecodeError[];
}

/** The filter that keeps a function's traces: `service("fn-name")`. */
export function defaultFunctionFilter(functionName: string): string {
  return `service(${JSON.stringify(functionName)})`;
}

/** Shared by both fetch paths: decode documents, append, count. */
export interface FetchContext {
  client: XRayClient;
  store: TraceStore;
  source: string;
  signal?: AbortSignal;
  retry: RetryOptions;
  result: XRayPullResult;
  progress: (e: PullProgress) => void;
  /** Sends a command with retries and the pull's cancel signal. */
  send: Send;
  /** Appends the spans of documents decoded from one response. */
  storeDocuments(documents: string[]): Promise<void>;
}

/** Runs a pull; rejects with a clear Error for missing credentials/region, AbortError on cancel. */
export async function pullXRayTraces(opts: XRayPullOptions): Promise<XRayPullResult> {
  const client = opts.client ?? createXRayClient(opts);
  const progress = (e: PullProgress): void => opts.onProgress?.(e);
  const retry: RetryOptions = {
    ...opts.retry,
    signal: opts.signal,
    onRetry: (what, attempt, e, delayMs) => progress({ kind: 'retry', what, attempt, delayMs, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
  };
  const result: XRayPullResult = { mode: 'xray', traceIdsFound: 0, traceIdsSkipped: 0, tracesFetched: 0, spansAccepted: 0, spansDuplicate: 0, unprocessed: [], decodeErrors: [] };
  const region = opts.region ?? (await client.config.region().catch(() => undefined)) ?? '?';
  const send: Send = (what, cmd) =>
    withRetry(what, () => client.send(cmd as never, { abortSignal: opts.signal }) as unknown as Promise<never>, retry);
  const ctx: FetchContext = {
    send, client, store: opts.store, source: `xray-api:${region}`, signal: opts.signal, retry, result, progress,
    async storeDocuments(documents) {
      const spans: Span[] = [];
      for (const doc of documents) {
        const d = decodeXRay(doc, ctx.source);
        for (const s of d.spans) spans.push(s);
        result.decodeErrors.push(...d.errors);
      }
      if (!spans.length) return;
      const r = await opts.store.append(spans);
      result.spansAccepted += r.accepted;
      result.spansDuplicate += r.duplicates;
    },
  };

  try {
    const ids = await findTraceIds(opts, ctx, send);
    result.mode = (await segmentDestination(ctx, send)) === 'CloudWatchLogs' ? 'transaction-search' : 'xray';
    if (result.mode === 'transaction-search') await fetchViaTransactionSearch(ctx, ids, opts.startUnixMs, opts.endUnixMs);
    else await batchGet(ctx, ids, opts.unprocessedRounds ?? 5, send);
    return result;
  } catch (e) {
    if (opts.signal?.aborted) throw abortError();
    throw explainAwsError(e, opts);
  } finally {
    if (!opts.client) client.destroy();
  }
}

/** A command of the X-Ray client, sent with retries; T is its output shape as far as it is used. */
export type Send = <T>(what: string, cmd: object) => Promise<T>;

async function findTraceIds(opts: XRayPullOptions, ctx: FetchContext, send: Send): Promise<string[]> {
  const chunks = splitWindow(opts.startUnixMs, opts.endUnixMs, Math.min(opts.chunkMs ?? 6 * 3_600_000, 6 * 3_600_000));
  const seen = new Set<string>();
  const ids: string[] = [];
  for (let i = 0; i < chunks.length; i++) {
    let token: string | undefined;
    do {
      const page = await send<{ TraceSummaries?: { Id?: string }[]; NextToken?: string }>('GetTraceSummaries', new GetTraceSummariesCommand({
        StartTime: new Date(chunks[i].startUnixMs),
        EndTime: new Date(chunks[i].endUnixMs),
        FilterExpression: opts.filterExpression || undefined,
        NextToken: token,
      }));
      for (const s of page.TraceSummaries ?? []) {
        if (!s.Id || seen.has(s.Id)) continue;
        seen.add(s.Id);
        ctx.result.traceIdsFound++;
        const w3c = normalizeTraceId(s.Id);
        if (w3c && ctx.store.hasTrace(w3c)) ctx.result.traceIdsSkipped++;
        else ids.push(s.Id);
      }
      token = page.NextToken || undefined;
    } while (token);
    ctx.progress({ kind: 'summaries', chunk: i + 1, chunks: chunks.length, found: ctx.result.traceIdsFound, skipped: ctx.result.traceIdsSkipped });
  }
  return ids;
}

/** `XRay` or `CloudWatchLogs`; services without the call (older regions, moto) count as XRay. */
async function segmentDestination(ctx: FetchContext, send: Send): Promise<string> {
  let destination = 'XRay';
  try {
    const r = await send<{ Destination?: string }>('GetTraceSegmentDestination', new GetTraceSegmentDestinationCommand({}));
    destination = r.Destination ?? 'XRay';
  } catch (e) {
    if (ctx.signal?.aborted) throw e;
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    // Credential problems must surface; a missing operation (404) or a denied one means the classic path.
    if (status === undefined && /credential|region/i.test(String(e))) throw e;
  }
  ctx.progress({ kind: 'destination', destination });
  return destination;
}

async function batchGet(ctx: FetchContext, ids: string[], rounds: number, send: Send): Promise<void> {
  let todo = ids;
  const fetched = new Set<string>();
  for (let round = 0; todo.length && round <= rounds; round++) {
    if (round > 0) await (ctx.retry.sleep ?? abortableSleep)(Math.min(20_000, 200 * 2 ** round), ctx.signal);
    const again: string[] = [];
    for (let i = 0; i < todo.length; i += 5) {
      const batch = todo.slice(i, i + 5);
      let token: string | undefined;
      do {
        const r = await send<{ Traces?: { Id?: string; Segments?: { Document?: string }[] }[]; UnprocessedTraceIds?: string[]; NextToken?: string }>(
          'BatchGetTraces', new BatchGetTracesCommand({ TraceIds: batch, NextToken: token }));
        const docs: string[] = [];
        for (const t of r.Traces ?? []) {
          if (t.Id && !fetched.has(t.Id)) { fetched.add(t.Id); ctx.result.tracesFetched++; }
          for (const s of t.Segments ?? []) if (s.Document) docs.push(s.Document);
        }
        await ctx.storeDocuments(docs);
        again.push(...(r.UnprocessedTraceIds ?? []));
        token = r.NextToken || undefined;
      } while (token);
      ctx.progress({ kind: 'fetched', traces: ctx.result.tracesFetched, of: ids.length, spansAccepted: ctx.result.spansAccepted });
    }
    todo = again;
  }
  ctx.result.unprocessed = todo;
}
