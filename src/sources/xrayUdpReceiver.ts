/**
 * The local X-Ray daemon receiver: UDP datagrams `{"format":"json","version":1}\n<segment document>`
 * from the X-Ray SDKs (plain mode: whole segments; Lambda mode: every subsegment alone). Datagrams
 * that arrive while the store is busy are appended together in the next batch; the queue is bounded
 * (spans beyond it are counted as dropped, since UDP has no back channel).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { decodeXRayDatagram } from '../core/xray';
import type { DecodeError, Span } from '../core/model';
import type { TraceStore } from './storeApi';
import { explainListenError } from './httpListen';

export const DEFAULT_XRAY_HOST = '127.0.0.1';
export const DEFAULT_XRAY_PORT = 2000;
/** The daemon reads datagrams of up to 64 KiB; anything longer is not a segment it would accept. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 64 * 1024;

export interface XRayUdpReceiverOptions {
  store: TraceStore;
  host?: string;
  /** Default 2000; 0 picks a free port. */
  port?: number;
  /** Datagrams longer than this are counted as errors and ignored (default 64 KiB). */
  maxDatagramBytes?: number;
  /** Spans waiting for the store beyond which new datagrams are dropped (default 100,000). */
  maxQueuedSpans?: number;
  /** Called after each append to the store. */
  onBatch?: (batch: XRayUdpBatch) => void;
  /** Called for each datagram that could not be used. */
  onError?: (error: DecodeError) => void;
}

export interface XRayUdpBatch {
  datagrams: number;
  spans: number;
  accepted: number;
  duplicates: number;
  /** Distinct peers (`udp:host:port`) in this batch. */
  peers: string[];
}

export interface XRayUdpCounters {
  datagrams: number;
  spansAccepted: number;
  spansDuplicate: number;
  /** Oversized, undecodable or dropped datagrams. */
  errors: number;
  droppedSpans: number;
}

export interface XRayUdpReceiver {
  readonly host: string;
  readonly port: number;
  readonly counters: XRayUdpCounters;
  /** Resolves when every datagram received so far is in the store (or failed). */
  flush(): Promise<void>;
  /** Stops listening and flushes. */
  close(): Promise<void>;
}

/** Starts the receiver; rejects with PortInUseError (naming a free port) if the port is taken. */
export async function startXRayUdpReceiver(opts: XRayUdpReceiverOptions): Promise<XRayUdpReceiver> {
  const host = opts.host ?? DEFAULT_XRAY_HOST;
  const port = opts.port ?? DEFAULT_XRAY_PORT;
  const maxBytes = opts.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  const maxQueued = opts.maxQueuedSpans ?? 100_000;
  const counters: XRayUdpCounters = { datagrams: 0, spansAccepted: 0, spansDuplicate: 0, errors: 0, droppedSpans: 0 };
  let queue: Span[] = [];
  let queuedDatagrams = 0;
  let peers = new Set<string>();
  let running: Promise<void> | undefined;

  const error = (e: DecodeError): void => { counters.errors++; opts.onError?.(e); };

  const drain = async (): Promise<void> => {
    while (queue.length) {
      const spans = queue;
      const batch: XRayUdpBatch = { datagrams: queuedDatagrams, spans: spans.length, accepted: 0, duplicates: 0, peers: [...peers] };
      queue = [];
      queuedDatagrams = 0;
      peers = new Set();
      try {
        const r = await opts.store.append(spans);
        batch.accepted = r.accepted;
        batch.duplicates = r.duplicates;
        counters.spansAccepted += r.accepted;
        counters.spansDuplicate += r.duplicates;
      } catch (e) {
        error({ source: batch.peers.join(','), reason: `store append failed: ${e instanceof Error ? e.message : String(e)}` });
      }
      opts.onBatch?.(batch);
    }
  };
  const kick = (): void => {
    // One drain loop at a time, so appends stay in arrival order.
    running ??= drain().finally(() => { running = undefined; if (queue.length) kick(); });
  };

  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => {
    counters.datagrams++;
    const source = `udp:${rinfo.address}:${rinfo.port}`;
    if (msg.length > maxBytes) { error({ source, reason: `datagram of ${msg.length} bytes is over the ${maxBytes} byte limit` }); return; }
    const d = decodeXRayDatagram(msg, source);
    for (const e of d.errors) error(e);
    if (!d.spans.length) return;
    if (queue.length + d.spans.length > maxQueued) {
      counters.droppedSpans += d.spans.length;
      error({ source, reason: `store is behind: ${d.spans.length} spans dropped` });
      return;
    }
    for (const s of d.spans) queue.push(s);
    queuedDatagrams++;
    peers.add(source);
    // Let datagrams that arrive in the same tick join one append.
    setImmediate(kick);
  });
  socket.on('error', () => { counters.errors++; });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', (e) => { try { socket.close(); } catch { /* never bound */ } void explainListenError(e, 'udp', host, port, '--xray-port PORT').then(reject); });
    socket.bind(port, host, () => resolve());
  });
  const flush = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    while (running || queue.length) {
      kick();
      await running;
    }
  };
  return {
    host,
    port: socket.address().port,
    counters,
    flush,
    async close() {
      await new Promise<void>((r) => socket.close(() => r()));
      await flush();
    },
  };
}
