/**
 * Imports trace files into a store: directories are walked recursively, each file's format is
 * detected from its content, and big Collector JSON-lines files are streamed line by line so their
 * size is not bounded by memory. One bad file never stops the others.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { decodeCollectorFile } from '../core/collectorFile';
import { decodeBytes, detectFormat, type DetectedFormat } from '../core/decode';
import type { DecodeError, DecodeResult } from '../core/model';
import type { TraceStore } from './storeApi';

export interface ImportOptions {
  /** Above this size (bytes) a JSON-lines file is streamed instead of read whole. Default 16 MiB. */
  streamAboveBytes?: number;
  /** Largest file (or decompressed gzip) imported as one document. Default 256 MiB. */
  maxDocumentBytes?: number;
  /** Characters of whole lines decoded and appended at a time when streaming. Default 4 Mi. */
  chunkChars?: number;
  /** Called as each file is done, in order. */
  onFile?: (result: FileImportResult) => void;
}

/** What importing one file did. `spans` counts decoded spans; `accepted + duplicates === spans`. */
export interface FileImportResult {
  file: string;
  format?: DetectedFormat;
  spans: number;
  accepted: number;
  duplicates: number;
  /** Distinct trace ids among the decoded spans. */
  traces: number;
  /** Non-blank lines, for JSON-lines files. */
  lines?: number;
  /** Valid documents that are not traces (metrics, logs lines), by kind. */
  skipped: Record<string, number>;
  errors: DecodeError[];
  /** Set when a file found by walking a directory was left alone because it holds no trace data. */
  ignored?: string;
}

const MiB = 1024 * 1024;
const HEAD_BYTES = 64 * 1024;

/** Imports every file named or found under the named directories; resolves with one result per file. */
export async function importPaths(paths: readonly string[], store: TraceStore, options: ImportOptions = {}): Promise<FileImportResult[]> {
  const results: FileImportResult[] = [];
  const done = (r: FileImportResult) => { results.push(r); options.onFile?.(r); };
  for (const p of paths) {
    let st: fs.Stats;
    try { st = await fs.promises.stat(p); } catch (e) { done(failed(p, `cannot read: ${errText(e)}`)); continue; }
    if (!st.isDirectory()) { done(await importFile(p, store, options, false)); continue; }
    let files: string[];
    try { files = await walk(p); } catch (e) { done(failed(p, `cannot list directory: ${errText(e)}`)); continue; }
    for (const f of files) done(await importFile(f, store, options, true));
  }
  return results;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile()) out.push(full);
    // Linked files are followed; linked directories are not (they can form cycles).
    else if (e.isSymbolicLink() && (await fs.promises.stat(full).catch(() => undefined))?.isFile()) out.push(full);
  }
  return out;
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^\w+: /, '')}` : String(err.message ?? e);
}

function emptyResult(file: string): FileImportResult {
  return { file, spans: 0, accepted: 0, duplicates: 0, traces: 0, skipped: {}, errors: [] };
}

function failed(file: string, reason: string): FileImportResult {
  return { ...emptyResult(file), errors: [{ source: file, reason }] };
}

/** Imports one file; never throws. `fromWalk`: found in a directory, so non-trace files are ignored. */
export async function importFile(file: string, store: TraceStore, options: ImportOptions, fromWalk: boolean): Promise<FileImportResult> {
  const streamAbove = options.streamAboveBytes ?? 16 * MiB;
  const maxDoc = options.maxDocumentBytes ?? 256 * MiB;
  const result = emptyResult(file);
  const traceIds = new Set<string>();
  const add = async (r: DecodeResult, lineBase = 0) => {
    for (const e of r.errors) result.errors.push(lineBase && e.line !== undefined ? { ...e, line: e.line + lineBase } : e);
    for (const [k, n] of Object.entries(r.skipped ?? {})) result.skipped[k] = (result.skipped[k] ?? 0) + n;
    if (r.spans.length === 0) return;
    for (const s of r.spans) traceIds.add(s.traceId);
    const a = await store.append(r.spans);
    result.spans += r.spans.length;
    result.accepted += a.accepted;
    result.duplicates += a.duplicates;
  };
  try {
    const fh = await fs.promises.open(file, 'r');
    let size: number;
    let head: Buffer;
    try {
      size = (await fh.stat()).size;
      head = Buffer.alloc(Math.min(size, HEAD_BYTES));
      await fh.read(head, 0, head.length, 0);
    } finally { await fh.close(); }
    let format = detectFormat(head);
    result.format = format;
    if (fromWalk && (format === 'unknown' || format === 'empty')) {
      result.ignored = format === 'empty' ? 'empty file' : 'not a trace file';
      return result;
    }
    if (format === 'otlp-json-lines' && size > streamAbove) {
      await streamJsonLines(file, result, add, options.chunkChars ?? 4 * MiB);
    } else if (size > maxDoc) {
      result.errors.push({ source: file, reason: `too large to import as one document (${(size / MiB).toFixed(0)} MiB; the limit is ${(maxDoc / MiB).toFixed(0)} MiB): split it, or write it as JSON lines` });
    } else {
      let bytes: Buffer = await fs.promises.readFile(file);
      if (format === 'gzip') {
        bytes = await new Promise<Buffer>((resolve, reject) => zlib.gunzip(bytes, { maxOutputLength: maxDoc }, (e, out) => (e ? reject(e) : resolve(out))));
        format = detectFormat(bytes);
        result.format = format;
      }
      if (format === 'otlp-json-lines') result.lines = countLines(bytes);
      await add(decodeBytes(bytes, file));
    }
  } catch (e) {
    result.errors.push({ source: file, reason: `cannot import: ${errText(e)}` });
  }
  result.traces = traceIds.size;
  return result;
}

function countLines(bytes: Buffer): number {
  let n = 0;
  let blank = true;
  for (const c of bytes) {
    if (c === 0x0a) { if (!blank) n++; blank = true; } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) blank = false;
  }
  return blank ? n : n + 1;
}

/** Decodes a JSON-lines file in chunks of whole lines; memory is bounded by the chunk (and the longest line). */
async function streamJsonLines(file: string, result: FileImportResult, add: (r: DecodeResult, lineBase: number) => Promise<void>, chunkChars: number): Promise<void> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let chunk: string[] = [];
  let chars = 0;
  let lineNo = 0;
  let chunkStart = 1;
  let lines = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() !== '') lines++;
    chunk.push(line);
    chars += line.length + 1;
    if (chars >= chunkChars) {
      await add(decodeCollectorFile(chunk.join('\n'), file), chunkStart - 1);
      chunk = []; chars = 0; chunkStart = lineNo + 1;
    }
  }
  if (chunk.length) await add(decodeCollectorFile(chunk.join('\n'), file), chunkStart - 1);
  result.lines = lines;
}
