/**
 * OTLP/JSON trace decoder: ExportTraceServiceRequest / TracesData (`resourceSpans`), the Jaeger
 * api_v3 `{"result": ...}` envelope, and the old `instrumentationLibrarySpans` names. Accepts what
 * real producers write: hex ids in any case or older base64 ids, enum numbers or names, 64-bit
 * integers as strings or numbers. Unknown fields are ignored.
 */
import type { DecodeResult, Resource, Scope } from './model';
import { pushError } from './otlpSpan';
import { type JsonDecodeState, decodeJsonSpan, jsonAttributes, newJsonDecodeState, problemText } from './otlpJsonFields';
import { SCAN_MIN_CHARS, scanOtlpJson } from './otlpJsonScan';

/**
 * Decodes one OTLP/JSON document (UTF-8 text, optional BOM). Never throws: malformed JSON gives one
 * DecodeError with the line and character offset; a bad span gives an error naming it and is left
 * out while the others are kept. Times are whole Unix microseconds. `scanMinChars`: see
 * `SCAN_MIN_CHARS` (0 always tries the scanner first; the result is the same either way).
 */
export function decodeOtlpJson(text: string, source: string, scanMinChars = SCAN_MIN_CHARS): DecodeResult {
  // From `scanMinChars` characters on, the scanner builds spans straight from the text (there the
  // JSON.parse tree's garbage costs more than the scanner's JavaScript); what it does not handle,
  // the JSON.parse path does.
  if (text.length >= scanMinChars) {
    const st = newJsonDecodeState(source);
    if (scanOtlpJson(text, st)) return st.result;
  }
  return decodeOtlpJsonViaParse(text, source);
}

/** `decodeOtlpJson` through JSON.parse and the object tree: the reference the scanner must equal. */
export function decodeOtlpJsonViaParse(text: string, source: string): DecodeResult {
  const st = newJsonDecodeState(source);
  const doc = parseJson(text, st);
  if (doc !== undefined) decodeJsonDocument(doc, st);
  return st.result;
}

/** JSON.parse with the error turned into a DecodeError; undefined when the text is not JSON. */
export function parseJson(text: string, st: JsonDecodeState): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const offset = m ? Number(m[1]) + bom : /end of JSON/i.test(msg) ? text.length : undefined;
    let reason = `malformed JSON: ${msg}`;
    let line = st.line;
    if (offset !== undefined && st.line === undefined) {
      let l = 1;
      let lineStart = 0;
      for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { l++; lineStart = i + 1; }
      line = l;
      if (!/line \d+/.test(msg)) reason += ` (line ${l} column ${offset - lineStart + 1})`;
    }
    pushError(st.result.errors, st.source, reason, { line, offset });
    return undefined;
  }
}

/** What kind of OTLP document this is (for JSON-lines files that mix signals). */
export function jsonDocumentKind(doc: unknown): 'traces' | 'metrics' | 'logs' | 'unknown' {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return 'unknown';
  const d = doc as any;
  const body = d.result !== null && typeof d.result === 'object' && !('resourceSpans' in d) ? d.result : d;
  if ('resourceSpans' in body) return 'traces';
  if ('resourceMetrics' in body) return 'metrics';
  if ('resourceLogs' in body) return 'logs';
  return Object.keys(body).length === 0 ? 'traces' : 'unknown';
}

/** Decodes an already parsed document into `st.result`. */
export function decodeJsonDocument(doc: unknown, st: JsonDecodeState): void {
  const kind = jsonDocumentKind(doc);
  const errors = st.result.errors;
  if (kind === 'metrics' || kind === 'logs') {
    const skipped = (st.result.skipped ??= {});
    skipped[kind] = (skipped[kind] ?? 0) + 1;
    return;
  }
  const d = doc as any;
  if (kind === 'unknown') {
    if (d !== null && typeof d === 'object' && d.error !== undefined) {
      const err = d.error;
      const msg = typeof err === 'object' && err !== null && typeof err.message === 'string' ? err.message : JSON.stringify(err);
      pushError(errors, st.source, `the document is an error response: ${msg}`, { line: st.line });
    } else {
      const what = d === null || typeof d !== 'object' ? JSON.stringify(d)?.slice(0, 40) ?? typeof d
        : Array.isArray(d) ? 'an array' : `an object with keys ${Object.keys(d).slice(0, 5).join(', ')}`;
      pushError(errors, st.source, `not an OTLP trace document: expected "resourceSpans", found ${what}`, { line: st.line });
    }
    return;
  }
  const body = d.result !== null && typeof d.result === 'object' && !('resourceSpans' in d) ? d.result : d;
  const list = body.resourceSpans;
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    pushError(errors, st.source, '"resourceSpans" is not an array', { line: st.line });
    return;
  }
  for (let r = 0; r < list.length; r++) decodeResourceSpans(list[r], r, st);
}

function decodeResourceSpans(rs: any, r: number, st: JsonDecodeState): void {
  if (rs === null || typeof rs !== 'object') return;
  let resource: Resource;
  try {
    resource = { attributes: jsonAttributes(rs.resource?.attributes, st) };
  } catch (e) {
    pushError(st.result.errors, st.source, `resourceSpans[${r}].resource: ${problemText(e)}; its spans were skipped`, { line: st.line });
    return;
  }
  const legacy = rs.scopeSpans === undefined && rs.instrumentationLibrarySpans !== undefined;
  const scopeKey = legacy ? 'instrumentationLibrarySpans' : 'scopeSpans';
  const scopes = rs[scopeKey];
  if (!Array.isArray(scopes)) return;
  for (let s = 0; s < scopes.length; s++) {
    const ss = scopes[s];
    if (ss === null || typeof ss !== 'object') continue;
    const sc = legacy ? ss.instrumentationLibrary : ss.scope;
    const scope: Scope = { name: typeof sc?.name === 'string' ? st.strings.intern(sc.name) : '' };
    if (typeof sc?.version === 'string' && sc.version !== '') scope.version = st.strings.intern(sc.version);
    const ctx = { resource, scope, origin: st.origin };
    const spans = ss.spans;
    if (!Array.isArray(spans)) continue;
    for (let i = 0; i < spans.length; i++) decodeJsonSpan(spans[i], ctx, st, r, scopeKey, s, i);
  }
}
