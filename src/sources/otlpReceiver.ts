/**
 * The local OTLP/HTTP receiver: `POST /v1/traces` (protobuf or JSON, optionally gzip) on loopback.
 * A 200 is sent only after the store says the spans are durable; when the store falls behind, the
 * number of pending appends is bounded and further exports get 429 with `Retry-After`.
 * No CORS: a web page cannot make a browser send these content types here without a preflight,
 * which this receiver does not grant.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpJson } from '../core/otlpJson';
import { decodeOtlpProtobuf } from '../core/otlpProtobuf';
import type { DecodeResult } from '../core/model';
import type { TraceStore } from './storeApi';
import { BodyError, DEFAULT_MAX_BODY_BYTES, decodeContentEncoding, mediaType, readBody } from './httpBody';
import { explainListenError } from './httpListen';
import { CONTENT_TYPES, exportResponseBody, statusBody, type OtlpEncoding, type PartialSuccess } from './httpOtlpResponse';

export const DEFAULT_OTLP_HOST = '127.0.0.1';
export const DEFAULT_OTLP_PORT = 4318;

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

export interface OtlpReceiverOptions {
  store: TraceStore;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4318; 0 picks a free port. */
  port?: number;
  /** Wire body limit in bytes (default 64 MiB); 413 above. */
  maxBodyBytes?: number;
  /** Limit of a body after gzip inflation in bytes (default: 4 x maxBodyBytes); 413 above. */
  maxInflatedBytes?: number;
  /** Trace exports whose spans are being appended at once; further ones get 429 (default 16). */
  maxPendingAppends?: number;
  /** Seconds a 429 asks the exporter to wait (default 1). */
  retryAfterSeconds?: number;
  /** Called once per answered export request. */
  onBatch?: (batch: OtlpBatch) => void;
}

/** One answered export request. */
export interface OtlpBatch {
  signal: OtlpSignal;
  /** `host:port` of the client. */
  peer: string;
  encoding: OtlpEncoding;
  gzip: boolean;
  status: number;
  /** Spans decoded (traces only). */
  spans: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Why the request failed or what was rejected. */
  message?: string;
}

/** Counts since start; read them any time. */
export interface OtlpCounters {
  requests: Record<OtlpSignal, number>;
  spansAccepted: number;
  spansDuplicate: number;
  spansRejected: number;
  /** Answers by HTTP status. */
  statuses: Record<number, number>;
}

export interface OtlpReceiver {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  readonly counters: OtlpCounters;
  /** Stops accepting, waits for in-flight appends; the store stays open. */
  close(): Promise<void>;
}

const PATHS: Record<string, OtlpSignal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

/** Starts the receiver; rejects with PortInUseError (naming a free port) if the port is taken. */
export async function startOtlpReceiver(opts: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const host = opts.host ?? DEFAULT_OTLP_HOST;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxInflated = opts.maxInflatedBytes ?? maxBody * 4;
  const maxPending = opts.maxPendingAppends ?? 16;
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const counters: OtlpCounters = { requests: { traces: 0, metrics: 0, logs: 0 }, spansAccepted: 0, spansDuplicate: 0, spansRejected: 0, statuses: {} };
  let pending = 0;
  const inFlight = new Set<Promise<unknown>>();

  const server = http.createServer((req, res) => {
    const p = handle(req, res).catch(() => { if (!res.headersSent) { res.statusCode = 500; res.end(); } });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  // Exporters keep connections alive; a modest timeout frees sockets of clients that vanished.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 120_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
    const type = mediaType(req.headers['content-type']);
    const encoding: OtlpEncoding = type === 'application/json' ? 'json' : 'protobuf';
    const gzip = /gzip/i.test(String(req.headers['content-encoding'] ?? ''));
    const signal = PATHS[(req.url ?? '').split('?')[0]];
    const batch: OtlpBatch = { signal: signal ?? 'traces', peer, encoding, gzip, status: 200, spans: 0, accepted: 0, duplicates: 0, rejected: 0 };

    const answer = (status: number, body: Buffer, extra: Record<string, string> = {}, unread = false): void => {
      counters.statuses[status] = (counters.statuses[status] ?? 0) + 1;
      batch.status = status;
      const headers: Record<string, string | number> = { 'Content-Type': CONTENT_TYPES[encoding], 'Content-Length': body.length, ...extra };
      res.writeHead(status, headers);
      res.end(body);
      if (unread) discardRest(req, maxBody);
      if (signal) opts.onBatch?.(batch);
    };
    const fail = (status: number, message: string, extra: Record<string, string> = {}, unread = false): void => {
      batch.message = message;
      answer(status, statusBody(encoding, status, message), extra, unread);
    };

    if (!signal) { fail(404, `no such path ${req.url ?? ''}: use /v1/traces, /v1/metrics or /v1/logs`); req.resume(); return; }
    if (req.method !== 'POST') { fail(405, 'only POST is accepted', { Allow: 'POST' }); req.resume(); return; }
    counters.requests[signal]++;
    if (type !== 'application/json' && type !== 'application/x-protobuf') {
      fail(415, `unsupported Content-Type '${type}': send application/x-protobuf or application/json`, {}, true);
      return;
    }
    if (signal === 'traces' && pending >= maxPending) {
      // Shed load before reading the body; checked again after decoding, when it counts.
      fail(429, 'the trace store is behind; retry later', { 'Retry-After': String(retryAfter) }, true);
      return;
    }
    let bytes: Buffer;
    try {
      bytes = await decodeContentEncoding(await readBody(req, maxBody), req.headers['content-encoding'], maxInflated);
    } catch (e) {
      if (e instanceof BodyError) fail(e.status, e.message, {}, true);
      else res.destroy();
      return;
    }
    if (signal !== 'traces') { answer(200, exportResponseBody(encoding)); return; }

    const source = `http:${peer}`;
    const decoded: DecodeResult = encoding === 'json' ? decodeOtlpJson(bytes.toString('utf8'), source) : decodeOtlpProtobuf(bytes, source);
    batch.spans = decoded.spans.length;
    if (decoded.errors.some((e) => STRUCTURAL.test(e.reason))) {
      // A body that cannot be read as a whole is refused whole: partial reads would be guesses.
      batch.spans = 0;
      fail(400, `undecodable ${encoding} body: ${describeErrors(decoded)}`);
      return;
    }
    if (pending >= maxPending) {
      fail(429, 'the trace store is behind; retry later', { 'Retry-After': String(retryAfter) });
      return;
    }
    pending++;
    try {
      const r = decoded.spans.length ? await opts.store.append(decoded.spans) : { accepted: 0, duplicates: 0 };
      batch.accepted = r.accepted;
      batch.duplicates = r.duplicates;
      counters.spansAccepted += r.accepted;
      counters.spansDuplicate += r.duplicates;
    } catch (e) {
      fail(503, `the trace store failed: ${e instanceof Error ? e.message : String(e)}`, { 'Retry-After': String(retryAfter) });
      return;
    } finally {
      pending--;
    }
    let partial: PartialSuccess | undefined;
    if (decoded.errors.length) {
      // Spans left out count as rejected; other problems are warnings (rejected 0 + message, as the spec allows).
      partial = { rejectedSpans: decoded.errors.filter((e) => SKIPPED.test(e.reason)).length, errorMessage: describeErrors(decoded) };
      batch.rejected = partial.rejectedSpans;
      batch.message = partial.errorMessage;
      counters.spansRejected += partial.rejectedSpans;
    }
    answer(200, exportResponseBody(encoding, partial));
  }

  const port = opts.port ?? DEFAULT_OTLP_PORT;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => { void explainListenError(e, 'tcp', host, port, '--otlp-port PORT').then(reject); });
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    host,
    port: actual,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    counters,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * Reads and drops what the client still sends after an early answer, so that it reads the answer
 * instead of a connection reset (closing a socket with unread input resets it); a client that
 * keeps sending past `limitBytes` more is cut off.
 */
function discardRest(req: http.IncomingMessage, limitBytes: number): void {
  let dropped = 0;
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > limitBytes) req.socket.destroy();
  });
  req.resume();
}

/** Decoder reasons meaning the body itself is damaged (core/otlpProtobuf.ts, core/otlpJson.ts). */
const STRUCTURAL = /^(corrupt or truncated protobuf|malformed JSON|could not decode)/;
const SKIPPED = /spans? (were )?skipped$/;

function describeErrors(d: DecodeResult): string {
  const shown = d.errors.slice(0, 3).map((e) => (e.offset !== undefined ? `offset ${e.offset}: ` : e.line !== undefined ? `line ${e.line}: ` : '') + e.reason);
  return shown.join('; ') + (d.errors.length > 3 ? ` (and ${d.errors.length - 3} more)` : '');
}
