/** Test helpers for the store tests: spans built by hand, temp dirs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Span } from '../../src/core/model';

export const T0_US = 1_700_000_000_000_000;

export function traceIdOf(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export function spanIdOf(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** A finished span of 10 ms starting at T0 + offsetMs. */
export function makeSpan(trace: number, span: number, o: Partial<Span> & { offsetMs?: number } = {}): Span {
  const { offsetMs = 0, ...rest } = o;
  const start = T0_US + offsetMs * 1000;
  return {
    traceId: traceIdOf(trace), spanId: spanIdOf(span), name: `op-${span}`, kind: 'internal',
    startUnixUs: start, endUnixUs: start + 10_000, status: { code: 'unset' }, attributes: {}, events: [], links: [],
    resource: { attributes: { 'service.name': 'svc' } }, scope: { name: 'test' }, origin: { format: 'otlp-json', source: 'test' },
    ...rest,
  };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.tir')).sort().map((f) => path.join(dir, f));
}
