/**
 * X-Ray input in any of the shapes it travels in -> model spans. Framing only; the per-document
 * mapping lives in xraySegment.ts.
 */
import type { DecodeResult, SpanOrigin } from './model';
import { isObject, type Json } from './xrayAttributes';
import { decodeXRayDocument } from './xraySegment';

/**
 * Decodes X-Ray JSON text: one segment document; an array of documents; a `BatchGetTraces`
 * response (`Traces[].Segments[].Document` strings); daemon datagrams (`{"format":"json","version":1}`
 * line + document); or several documents / datagrams one after another (one per line or
 * pretty-printed). Bad documents become errors with the line where they start; the rest still
 * decode. `GetTraceSummaries` / `GetServiceGraph` responses hold no spans and are counted in
 * `skipped` (`traceSummaries`, `serviceGraphServices`), as are BatchGetTraces'
 * `unprocessedTraceIds`. Never throws.
 */
export function decodeXRay(text: string, source: string): DecodeResult {
  const out: DecodeResult = { spans: [], errors: [] };
  const origin: SpanOrigin = { format: 'xray', source };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    out.errors.push({ source, reason: 'empty input: no X-Ray documents' });
    return out;
  }
  let whole: unknown;
  let parsed = false;
  try {
    whole = JSON.parse(body);
    parsed = true;
  } catch {
    // Not one JSON value: a stream of documents or datagrams, scanned below.
  }
  if (parsed) {
    if (isDaemonHeader(whole)) out.errors.push({ source, line: 1, reason: 'daemon header without a segment document' });
    else decodeValue(whole, lineOf(body, firstNonSpace(body)), origin, out);
    return out;
  }
  decodeStream(body, origin, out);
  return out;
}

/**
 * Decodes one X-Ray daemon UDP datagram: the `{"format":"json","version":1}` header line, a newline,
 * then one segment or subsegment document. Errors carry byte offsets. Never throws.
 */
export function decodeXRayDatagram(bytes: Uint8Array, source: string): DecodeResult {
  const out: DecodeResult = { spans: [], errors: [] };
  const origin: SpanOrigin = { format: 'xray', source };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    out.errors.push({ source, offset: 0, reason: 'datagram is not valid UTF-8' });
    return out;
  }
  const nl = text.indexOf('\n');
  let header: unknown;
  try {
    header = JSON.parse(nl < 0 ? text : text.slice(0, nl));
  } catch {
    header = undefined;
  }
  if (!isDaemonHeader(header)) {
    out.errors.push({ source, offset: 0, reason: 'datagram does not start with the daemon header {"format":"json","version":1} and a newline' });
    return out;
  }
  const headerProblem = checkHeader(header);
  if (headerProblem) {
    out.errors.push({ source, offset: 0, reason: headerProblem });
    return out;
  }
  const offset = new TextEncoder().encode(text.slice(0, nl + 1)).length;
  if (nl < 0 || text.slice(nl + 1).trim() === '') {
    out.errors.push({ source, offset, reason: 'daemon header without a segment document' });
    return out;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.slice(nl + 1));
  } catch (e) {
    out.errors.push({ source, offset, reason: `malformed JSON: ${messageOf(e)}` });
    return out;
  }
  decodeXRayDocument(doc, origin, { offset }, out);
  return out;
}

function decodeValue(value: unknown, line: number, origin: SpanOrigin, out: DecodeResult): void {
  if (Array.isArray(value)) {
    // Saved API pages come as arrays of BatchGetTraces responses; anything else is a document.
    value.forEach((doc, i) => {
      if (isObject(doc) && Array.isArray(doc.Traces)) decodeBatchGetTraces(doc, line, origin, out);
      else decodeXRayDocument(doc, origin, { line, label: `document ${i + 1}` }, out);
    });
  } else if (isObject(value) && Array.isArray(value.Traces)) {
    decodeBatchGetTraces(value, line, origin, out);
  } else if (isObject(value) && Array.isArray(value.TraceSummaries) && value.id === undefined) {
    addSkipped(out, 'traceSummaries', value.TraceSummaries.length);
  } else if (isObject(value) && Array.isArray(value.Services) && value.id === undefined) {
    addSkipped(out, 'serviceGraphServices', value.Services.length);
  } else if (isObject(value) && ['resourceSpans', 'resourceMetrics', 'resourceLogs'].some((k) => k in value)) {
    out.errors.push({ source: origin.source, line, reason: 'this is OTLP JSON, not an X-Ray document (import it as OTLP)' });
  } else {
    decodeXRayDocument(value, origin, { line }, out);
  }
}

function decodeBatchGetTraces(resp: Json, line: number, origin: SpanOrigin, out: DecodeResult): void {
  for (const [t, trace] of (resp.Traces as unknown[]).entries()) {
    const traceId = isObject(trace) && typeof trace.Id === 'string' ? trace.Id : undefined;
    const traceLabel = traceId ? `trace ${traceId}` : `Traces[${t}]`;
    if (!isObject(trace) || !Array.isArray(trace.Segments)) {
      out.errors.push({ source: origin.source, line, reason: `${traceLabel}: no Segments array` });
      continue;
    }
    for (const [s, seg] of trace.Segments.entries()) {
      const label = `${traceLabel} segment ${isObject(seg) && typeof seg.Id === 'string' ? seg.Id : `[${s}]`}`;
      let doc: unknown = isObject(seg) ? seg.Document : undefined;
      if (typeof doc === 'string') {
        try {
          doc = JSON.parse(doc);
        } catch (e) {
          out.errors.push({ source: origin.source, line, reason: `${label}: malformed Document JSON: ${messageOf(e)}` });
          continue;
        }
      }
      decodeXRayDocument(doc, origin, { line, label, fallbackTraceId: traceId }, out);
    }
  }
  if (Array.isArray(resp.UnprocessedTraceIds) && resp.UnprocessedTraceIds.length) {
    addSkipped(out, 'unprocessedTraceIds', resp.UnprocessedTraceIds.length);
  }
}

/** Documents and datagrams one after another: each top-level JSON value found by bracket matching. */
function decodeStream(text: string, origin: SpanOrigin, out: DecodeResult): void {
  let pos = 0;
  let line = 1;
  let headerLine = 0; // line of a daemon header still waiting for its document
  const err = (l: number, reason: string): void => {
    out.errors.push({ source: origin.source, line: l, reason });
  };
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === 10) { line++; pos++; continue; }
    if (c === 32 || c === 9 || c === 13) { pos++; continue; }
    const startLine = line;
    if (c !== 123 /* { */ && c !== 91 /* [ */) {
      const eol = lineEnd(text, pos);
      err(startLine, `not JSON: ${JSON.stringify(text.slice(pos, Math.min(eol, pos + 40)))}`);
      pos = eol;
      continue;
    }
    // Most streams hold one value per line: try the line first, bracket-match only when it is not whole.
    const eol = lineEnd(text, pos);
    let value: unknown;
    let end = eol;
    let whole = true;
    try {
      value = JSON.parse(text.slice(pos, eol));
    } catch {
      whole = false;
      end = matchBracket(text, pos);
    }
    if (end < 0) {
      err(startLine, 'unterminated JSON value (missing closing bracket)');
      // Resume at the next line that starts a value in column 0: nested lines of a pretty-printed
      // document are indented, so this skips the broken document and nothing after it.
      const next = nextTopLevelStart(text, pos);
      line += countNewlines(text, pos, next);
      pos = next;
      continue;
    }
    if (!whole) {
      const chunk = text.slice(pos, end);
      line += countNewlines(text, pos, end);
      try {
        value = JSON.parse(chunk);
      } catch (e) {
        const at = /position (\d+)/.exec(messageOf(e));
        err(at ? startLine + countNewlines(chunk, 0, Number(at[1])) : startLine, `malformed JSON: ${messageOf(e)}`);
        headerLine = 0;
        pos = end;
        continue;
      }
    }
    pos = end;
    if (isDaemonHeader(value)) {
      if (headerLine) err(headerLine, 'daemon header without a segment document');
      const problem = checkHeader(value);
      if (problem) err(startLine, problem);
      headerLine = startLine;
      continue;
    }
    headerLine = 0;
    decodeValue(value, startLine, origin, out);
  }
  if (headerLine) err(headerLine, 'daemon header without a segment document');
}

function isDaemonHeader(v: unknown): v is Json {
  return isObject(v) && 'format' in v && 'version' in v && v.id === undefined && v.trace_id === undefined;
}

function checkHeader(h: Json): string | undefined {
  return h.format === 'json' && h.version === 1 ? undefined
    : `unsupported daemon header ${JSON.stringify(h)} (expected {"format":"json","version":1})`;
}

/** Index just past the bracket matching text[start], or -1 when the input ends first. */
function matchBracket(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

function nextTopLevelStart(text: string, from: number): number {
  let i = lineEnd(text, from);
  while (i < text.length) {
    const c = text.charCodeAt(i + 1);
    if (c === 123 || c === 91) return i + 1;
    i = lineEnd(text, i + 1);
  }
  return text.length;
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function firstNonSpace(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index : 0;
}

function lineOf(text: string, index: number): number {
  return 1 + countNewlines(text, 0, index);
}

function addSkipped(out: DecodeResult, kind: string, n: number): void {
  out.skipped ??= {};
  out.skipped[kind] = (out.skipped[kind] ?? 0) + n;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
