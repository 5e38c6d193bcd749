/** Shared by the receiver tests: raw HTTP posts, real exporter runs, SDK span batches, temp stores. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { sdkRecorder, startSpan } from './otelSdk';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** POSTs `body` and collects the answer; a server that cuts the connection still gives its status. */
export function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // The server may close while we still write a body it refused; the response is what counts.
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs a real exporter's export() and resolves with its result. */
export function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

export function succeeded(r: ExportResult): boolean {
  return r.code === ExportResultCode.SUCCESS;
}

/**
 * `traces` traces of `perTrace` SDK spans each (a root `GET /orders/{n}` with children `db-{k}`),
 * made by the real SDK with seeded ids; `service` becomes service.name.
 */
export async function sdkBatch(traces: number, perTrace: number, seed: number, service = 'orders-api'): Promise<ReadableSpan[]> {
  const rec = sdkRecorder({ 'service.name': service, 'faas.name': `${service}-fn` }, seed);
  const tracer = rec.tracer('receiver-test', '1.0.0');
  const t0 = 1_795_000_000_000;
  for (let t = 0; t < traces; t++) {
    const root = startSpan(tracer, `GET /orders/${t}`, t0 + t, { kind: 1, attributes: { 'http.route': '/orders/{id}', 'order.n': t } });
    for (let k = 1; k < perTrace; k++) {
      const child = startSpan(tracer, `db-${k}`, t0 + t + k * 0.001, { kind: 2, attributes: { 'db.system': 'dynamodb', k } }, root);
      child.end(t0 + t + k * 0.001 + 0.5);
    }
    root.end(t0 + t + 2);
  }
  const spans = rec.spans();
  await rec.shutdown();
  return spans;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
