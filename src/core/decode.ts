/**
 * One entry point for trace bytes of unknown format: the format is detected from the content (never
 * from a file name), then the matching decoder runs. Pure: bytes in, spans and errors out.
 */
import { decodeCollectorFile } from './collectorFile';
import type { DecodeResult } from './model';
import { decodeOtlpJson } from './otlpJson';
import { decodeOtlpProtobuf } from './otlpProtobuf';
import { decodeXRay } from './xray';

/**
 * What the bytes look like. `otlp-json-lines` is Collector file-exporter output (one document per
 * line); `xray` covers segment documents, arrays, BatchGetTraces responses and daemon datagrams.
 */
export type DetectedFormat = 'otlp-protobuf' | 'otlp-json' | 'otlp-json-lines' | 'xray' | 'empty' | 'gzip' | 'unknown';

/** How far into a JSON text the distinguishing keys are looked for. */
const SNIFF_CHARS = 64 * 1024;
const OTLP_KEY = /"(resourceSpans|instrumentationLibrarySpans|scopeSpans|resourceMetrics|resourceLogs|result)"\s*:/;
const XRAY_KEY = /"(trace_id|Traces|TraceSummaries|Segments)"\s*:|"format"\s*:\s*"json"/;

function firstContentByte(bytes: Uint8Array): number {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return i;
}

/** True when the bytes hold no control characters but tab, CR and LF (a cut UTF-8 tail is fine). */
function looksLikeText(bytes: Uint8Array): boolean {
  for (const c of bytes) if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  return true;
}

/** Detects the format of `bytes` by content (first non-whitespace byte, then the keys used). */
export function detectFormat(bytes: Uint8Array, text?: string): DetectedFormat {
  const i = firstContentByte(bytes);
  if (i >= bytes.length) return 'empty';
  const b = bytes[i];
  if (i === 0 && b === 0x1f && bytes[1] === 0x8b) return 'gzip';
  const json = (b === 0x7b /* { */ || b === 0x5b /* [ */) && looksLikeText(bytes.subarray(0, 256));
  // ExportTraceServiceRequest and TracesData both begin with field 1, length-delimited (tag 0x0a,
  // also a newline); the length and tag bytes that follow are control characters no JSON text has.
  if (!json) return bytes[0] === 0x0a ? 'otlp-protobuf' : 'unknown';
  const head = text !== undefined ? text.slice(0, SNIFF_CHARS) : new TextDecoder().decode(bytes.subarray(0, SNIFF_CHARS));
  const otlp = OTLP_KEY.exec(head);
  const xray = XRAY_KEY.exec(head);
  if (xray && (!otlp || xray.index < otlp.index)) return 'xray';
  if (!otlp) return 'unknown';
  return isJsonLines(head) ? 'otlp-json-lines' : 'otlp-json';
}

/** True when the first non-blank line is a complete JSON value and more content follows it. */
export function isJsonLines(text: string): boolean {
  const start = text.search(/\S/);
  if (start < 0) return false;
  const nl = text.indexOf('\n', start);
  if (nl < 0 || text.slice(nl + 1).trim() === '') return false;
  try {
    JSON.parse(text.slice(start, nl));
    return true;
  } catch {
    return false;
  }
}

function describeStart(bytes: Uint8Array): string {
  const i = firstContentByte(bytes);
  let sample = bytes.subarray(i, i + 24);
  const nl = sample.findIndex((c) => c === 0x0a || c === 0x0d);
  if (nl > 0) sample = sample.subarray(0, nl);
  return looksLikeText(sample) && sample.every((c) => c < 0x80)
    ? `it starts with ${JSON.stringify(new TextDecoder().decode(sample))}`
    : `it starts with bytes ${Array.from(sample.subarray(0, 8), (c) => c.toString(16).padStart(2, '0')).join(' ')}`;
}

/**
 * Decodes trace bytes of any supported format: OTLP protobuf, OTLP/JSON (one document or Collector
 * JSON lines, old field names, Jaeger `result` envelope) and X-Ray JSON. Never throws; anything
 * else (binary garbage, other JSON, gzip, an empty file) gives one DecodeError saying why.
 */
export function decodeBytes(bytes: Uint8Array, source: string): DecodeResult {
  const fail = (reason: string, offset?: number): DecodeResult => ({ spans: [], errors: [{ source, reason, ...(offset !== undefined ? { offset } : {}) }] });
  const format = detectFormat(bytes);
  switch (format) {
    case 'empty': return fail('empty file: no trace data');
    case 'gzip': return fail('gzip-compressed data: decompress it first');
    case 'otlp-protobuf': return decodeOtlpProtobuf(bytes, source);
    default: break;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(`not a trace file: neither OTLP protobuf nor UTF-8 JSON (${describeStart(bytes)})`, 0);
  }
  switch (format) {
    case 'xray': return decodeXRay(text, source);
    case 'otlp-json-lines': return decodeCollectorFile(text, source);
    case 'otlp-json': return decodeOtlpJson(text, source);
    default: {
      const first = text.charAt(text.search(/[^\s\uFEFF]/));
      if (first === '{' || first === '[') {
        // The telling key may sit past the sniffed head (a segment with large metadata first).
        if (XRAY_KEY.test(text)) return decodeXRay(text, source);
        if (OTLP_KEY.test(text)) return decodeOtlpJson(text, source);
        // JSON without any known key: let the OTLP decoder say whether it is malformed or just foreign.
        const r = decodeOtlpJson(text, source);
        if (r.errors.some((e) => e.reason.startsWith('malformed JSON'))) return r;
        return fail('not a trace document: found JSON without OTLP "resourceSpans" or X-Ray "trace_id"/"Traces"');
      }
      return fail(`not a trace file: neither OTLP protobuf nor JSON (${describeStart(bytes)})`, 0);
    }
  }
}
