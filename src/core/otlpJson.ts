/**
 * OTLP/JSON trace decoder: ExportTraceServiceRequest / TracesData (`resourceSpans`), the Jaeger
 * api_v3 `{"result": ...}` envelope, and the old `instrumentationLibrarySpans` names. Accepts what
 * real producers write: hex ids in any case or older base64 ids, enum numbers or names, 64-bit
 * integers as strings or numbers. Unknown fields are ignored.
 */
import { StringInterner, base64ToBytes } from './intern';
import { bytesToHex } from './ids';
import type { AttrValue, Attributes, DecodeResult, Resource, Scope, Span, SpanEvent, SpanLink, SpanOrigin, SpanStatus } from './model';
import type { SpanFields } from './otlpSpan';
import {
  newSpanFields, KIND_BY_NAME, MAX_VALUE_DEPTH, NO_EVENTS, NO_LINKS, NO_START_TIME, STATUS_BY_NAME, SpanProblem, buildSpan, describeSpan,
  jsonNanosToUs, makeStatus, pushError, setAttr,
} from './otlpSpan';


/** State of one decode call (one file or request), shared by all documents of a JSON-lines file. */
export interface JsonDecodeState {
  source: string;
  origin: SpanOrigin;
  result: DecodeResult;
  ids: StringInterner;
  strings: StringInterner;
  /** Recent attribute keys by (index, length, last char), and recent string values per key: a cheap compare
   * finds most repeats before the hashing interner is asked. */
  keySlots: string[];
  keyValues: Map<string, KeyValues>;
  /** The previous span's raw and decoded trace id, parent id and name. */
  last: { traceIn: unknown; traceOut: string; parentIn: unknown; parentOut: string | undefined };
  /** Recent span names by length. */
  nameSlots: string[];
  /** Scratch record refilled for every span. */
  fields: SpanFields;
  /** 1-based line of the document being decoded, for JSON-lines files. */
  line?: number;
}

export function newJsonDecodeState(source: string): JsonDecodeState {
  return {
    source,
    origin: { format: 'otlp-json', source },
    result: { spans: [], errors: [] },
    ids: new StringInterner(),
    strings: new StringInterner(),
    keySlots: new Array<string>(1024).fill(''),
    keyValues: new Map(),
    fields: newSpanFields(),
    last: { traceIn: undefined, traceOut: '', parentIn: undefined, parentOut: undefined },
    nameSlots: new Array<string>(256).fill(''),
  };
}

/**
 * Decodes one OTLP/JSON document (UTF-8 text, optional BOM). Never throws: malformed JSON gives one
 * DecodeError with the line and character offset; a bad span gives an error naming it and is left
 * out while the others are kept. Times are whole Unix microseconds.
 */
export function decodeOtlpJson(text: string, source: string): DecodeResult {
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
    for (let i = 0; i < spans.length; i++) {
      const raw = spans[i];
      let result: Span | string;
      let noStart = false;
      try {
        const fields = jsonSpanFields(raw, st);
        noStart = fields.startUnixUs === undefined;
        result = buildSpan(fields, ctx);
      } catch (e) {
        result = problemText(e);
      }
      if (typeof result === 'string') warn(st, raw, r, scopeKey, s, i, result + '; span skipped');
      else {
        if (noStart) warn(st, raw, r, scopeKey, s, i, NO_START_TIME);
        st.result.spans.push(result);
      }
    }
  }
}

function warn(st: JsonDecodeState, raw: any, r: number, scopeKey: string, s: number, i: number, reason: string): void {
  const name = raw !== null && typeof raw === 'object' && typeof raw.name === 'string' ? raw.name : undefined;
  const where = `resourceSpans[${r}].${scopeKey}[${s}].spans[${i}]`;
  pushError(st.result.errors, st.source, `${describeSpan(name, where)} ${reason}`, { line: st.line });
}

function problemText(e: unknown): string {
  if (e instanceof SpanProblem) return e.message;
  // A stack overflow or similar from hostile input: report it, never crash the caller.
  return `could not be decoded (${e instanceof Error ? e.message : String(e)})`;
}

/** Fills the call's scratch record (no allocation per span) from one JSON span. */
function jsonSpanFields(s: any, st: JsonDecodeState): SpanFields {
  if (s === null || typeof s !== 'object') throw new SpanProblem('is not an object');
  const f = st.fields;
  // Neighbouring spans mostly share the trace id and the parent id: an equal-string check skips the
  // hex check and the interner. Span ids are unique, so they are checked but not interned.
  const t = s.traceId;
  if (t === st.last.traceIn && typeof t === 'string') f.traceId = st.last.traceOut;
  else {
    f.traceId = jsonId(t, 16, st, 'trace id', true);
    st.last.traceIn = t;
    st.last.traceOut = f.traceId;
  }
  f.spanId = jsonId(s.spanId, 8, st, 'span id', false);
  const p = s.parentSpanId;
  if (p === undefined || p === null || p === '') f.parentSpanId = undefined;
  else if (p === st.last.parentIn && typeof p === 'string') f.parentSpanId = st.last.parentOut;
  else {
    const parentSpanId = jsonId(p, 8, st, 'parent span id', false);
    f.parentSpanId = parentSpanId === ZERO_SPAN_ID ? undefined : parentSpanId;
    st.last.parentIn = p;
    st.last.parentOut = f.parentSpanId;
  }
  const start = s.startTimeUnixNano;
  const end = s.endTimeUnixNano;
  const startUnixUs = start === undefined ? undefined : jsonTime(start, 'startTimeUnixNano');
  const endUnixUs = end === undefined ? undefined : jsonTime(end, 'endTimeUnixNano');
  f.startUnixUs = startUnixUs === 0 ? undefined : startUnixUs;
  f.endUnixUs = endUnixUs === 0 ? undefined : endUnixUs;
  const name = s.name;
  if (typeof name !== 'string') f.name = '';
  else {
    const slot = quickHash(name) & 255;
    const known = st.nameSlots[slot];
    f.name = name === known ? known : (st.nameSlots[slot] = st.strings.intern(name));
  }
  f.kind = jsonEnum(s.kind, KIND_BY_NAME, 'kind');
  f.status = jsonStatus(s.status);
  f.attributes = jsonAttributes(s.attributes, st);
  f.events = jsonEvents(s.events, st);
  f.links = jsonLinks(s.links, st);
  const flags = s.flags;
  f.flags = typeof flags === 'number' ? flags >>> 0 : typeof flags === 'string' && /^\d+$/.test(flags) ? Number(flags) >>> 0 : 0;
  const ts = s.traceState;
  f.traceState = typeof ts === 'string' && ts !== '' ? st.strings.intern(ts) : undefined;
  return f;
}

const ZERO_SPAN_ID = '0000000000000000';

function jsonTime(v: unknown, field: string): number {
  const us = jsonNanosToUs(v);
  if (us === undefined) throw new SpanProblem(`has an invalid ${field} ${JSON.stringify(v)?.slice(0, 40)} (expected integer nanoseconds)`);
  return us;
}

function jsonEnum(v: unknown, names: Readonly<Record<string, number>>, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (Object.prototype.hasOwnProperty.call(names, v)) return names[v];
    if (/^\d+$/.test(v)) return Number(v);
  }
  throw new SpanProblem(`has an unknown ${field} ${JSON.stringify(v)?.slice(0, 60)}`);
}

function jsonStatus(s: any): SpanStatus {
  if (s === undefined || s === null || typeof s !== 'object') return makeStatus(0, undefined);
  const code = jsonEnum(s.code, STATUS_BY_NAME, 'status code');
  if (code !== 0 && code !== 1 && code !== 2) throw new SpanProblem(`has an unknown status code ${code}`);
  return makeStatus(code, typeof s.message === 'string' ? s.message : undefined);
}

const HEX_OK = new Int8Array(128).fill(0);
for (const c of '0123456789abcdef') HEX_OK[c.charCodeAt(0)] = 1;
for (const c of 'ABCDEF') HEX_OK[c.charCodeAt(0)] = 2;

/** A trace/span id as 2*n lowercase hex, from hex (any case) or base64 of n bytes. */
function jsonId(v: unknown, n: number, st: JsonDecodeState, what: string, share: boolean): string {
  if (typeof v === 'string') {
    if (v.length === 2 * n) {
      let flags = 0;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        const k = c < 128 ? HEX_OK[c] : 0;
        if (k === 0) { flags = -1; break; }
        flags |= k;
      }
      if (flags === 1) return share ? st.ids.intern(v) : v;
      if (flags === 3 || flags === 2) return share ? st.ids.intern(v.toLowerCase()) : v.toLowerCase();
    }
    const bytes = base64ToBytes(v);
    if (bytes && bytes.length === n) return share ? st.ids.intern(bytesToHex(bytes)) : bytesToHex(bytes);
    const got = bytes ? `${v.length} characters that decode as base64 to ${bytes.length} bytes` : 'neither hex nor base64';
    throw new SpanProblem(`has an invalid ${what} ${JSON.stringify(v.slice(0, 48))}: expected ${2 * n} hex digits or base64 of ${n} bytes, got ${got}`);
  }
  if (v === undefined || v === null) throw new SpanProblem(`has no ${what}`);
  throw new SpanProblem(`has an invalid ${what} (a ${typeof v}, expected a hex string)`);
}

function jsonAttributes(list: any, st: JsonDecodeState): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    if (kv === null || typeof kv !== 'object') continue;
    let key = kv.key;
    if (typeof key !== 'string') continue;
    const slot = (quickHash(key) + i) & 1023;
    const known = st.keySlots[slot];
    if (key === known) key = known;
    else st.keySlots[slot] = key = st.strings.intern(key);
    const v = kv.value;
    const sv = v !== null && typeof v === 'object' ? v.stringValue : undefined;
    if (typeof sv === 'string') setAttr(out, key, sharedValue(st, key, sv));
    else setAttr(out, key, jsonValue(v, st, 0, key));
  }
  return out;
}

/** A cheap hash for the slot caches: every char of short strings, about 8 of longer ones. */
function quickHash(s: string): number {
  const n = s.length;
  const step = n <= 24 ? 1 : n >> 3;
  let h = n;
  for (let i = 0; i < n; i += step) h = Math.imul(h, 31) + s.charCodeAt(i);
  h = Math.imul(h, 31) + s.charCodeAt(n - 1);
  return (h ^ (h >>> 9)) >>> 0;
}

interface KeyValues {
  /** Recent values of this key, by a cheap hash of their characters. */
  slots: string[];
  /** Consecutive values not found in `slots`: ids and request ids are never worth sharing. */
  misses: number;
}

function sharedValue(st: JsonDecodeState, key: string, s: string): string {
  const n = s.length;
  if (n === 0 || n > 64) return s;
  let kv = st.keyValues.get(key);
  if (kv === undefined) st.keyValues.set(key, (kv = { slots: new Array<string>(16).fill(''), misses: 0 }));
  const slot = quickHash(s) & 15;
  const known = kv.slots[slot];
  if (s === known) {
    kv.misses = 0;
    return known;
  }
  if (kv.misses >= 16) return s;
  kv.misses++;
  return (kv.slots[slot] = st.strings.intern(s));
}

/** `key` is the attribute's top-level key: values are shared per key. */
function jsonValue(v: any, st: JsonDecodeState, depth: number, key: string): AttrValue {
  if (v === null || typeof v !== 'object') return null;
  let x = v.stringValue;
  if (x !== undefined) return typeof x === 'string' ? sharedValue(st, key, x) : null;
  x = v.intValue;
  if (x !== undefined) {
    if (typeof x === 'number') return x;
    if (typeof x === 'string' && /^-?\d{1,20}$/.test(x)) return Number(x);
    throw new SpanProblem(`has an attribute intValue that is not an integer: ${JSON.stringify(x)?.slice(0, 40)}`);
  }
  x = v.boolValue;
  if (x !== undefined) return x === true || x === 'true';
  x = v.doubleValue;
  if (x !== undefined) return typeof x === 'number' ? x : Number(x);
  x = v.arrayValue;
  if (x !== undefined) {
    if (depth >= MAX_VALUE_DEPTH) throw new SpanProblem(`has an attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
    const values = x?.values;
    if (!Array.isArray(values)) return [];
    const out = new Array<AttrValue>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = jsonValue(values[i], st, depth + 1, key);
    return out;
  }
  x = v.kvlistValue;
  if (x !== undefined) {
    if (depth >= MAX_VALUE_DEPTH) throw new SpanProblem(`has an attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
    const out: Record<string, AttrValue> = {};
    const values = x?.values;
    if (Array.isArray(values)) {
      for (const kv of values) if (kv !== null && typeof kv === 'object' && typeof kv.key === 'string') setAttr(out, kv.key, jsonValue(kv.value, st, depth + 1, key));
    }
    return out;
  }
  x = v.bytesValue;
  if (x !== undefined) return typeof x === 'string' ? x : null;
  return null;
}

function jsonEvents(list: any, st: JsonDecodeState): SpanEvent[] {
  if (!Array.isArray(list) || list.length === 0) return NO_EVENTS;
  const out: SpanEvent[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e === null || typeof e !== 'object') continue;
    const t = e.timeUnixNano;
    out.push({
      name: typeof e.name === 'string' ? st.strings.intern(e.name) : '',
      timeUnixUs: t === undefined ? 0 : jsonTime(t, 'event timeUnixNano'),
      attributes: jsonAttributes(e.attributes, st),
    });
  }
  return out.slice(); // exact capacity: push() leaves spare slots
}

function jsonLinks(list: any, st: JsonDecodeState): SpanLink[] {
  if (!Array.isArray(list) || list.length === 0) return NO_LINKS;
  const out: SpanLink[] = [];
  for (let i = 0; i < list.length; i++) {
    const l = list[i];
    if (l === null || typeof l !== 'object') continue;
    const link: SpanLink = {
      traceId: jsonId(l.traceId, 16, st, 'link trace id', true),
      spanId: jsonId(l.spanId, 8, st, 'link span id', true),
      attributes: jsonAttributes(l.attributes, st),
    };
    if (typeof l.traceState === 'string' && l.traceState !== '') link.traceState = l.traceState;
    out.push(link);
  }
  return out.slice();
}

