/**
 * The parts of OTLP/JSON decoding below the span: the per-call state with its string-sharing caches,
 * ids, times, enums, status, attributes (AnyValue), events and links. Untyped JSON.parse output is
 * checked at every access; a problem throws `SpanProblem`, which rejects the span.
 */
import { StringInterner, base64ToBytes } from './intern';
import { bytesToHex } from './ids';
import type { AttrValue, Attributes, DecodeResult, Span, SpanEvent, SpanLink, SpanOrigin, SpanStatus } from './model';
import type { SpanContext, SpanFields } from './otlpSpan';
import {
  KIND_BY_NAME, MAX_VALUE_DEPTH, NO_EVENTS, NO_LINKS, NO_START_TIME, STATUS_BY_NAME, SpanProblem, buildSpan, describeSpan,
  jsonNanosToUs, makeStatus, newSpanFields, pushError, setAttr,
} from './otlpSpan';

/** State of one decode call (one file or request), shared by all documents of a JSON-lines file. */
export interface JsonDecodeState {
  source: string;
  origin: SpanOrigin;
  result: DecodeResult;
  ids: StringInterner;
  strings: StringInterner;
  /** Recent attribute keys by (`quickHash`, index), and recent string values per key: an equal-string
   * check finds most repeats before the hashing interner is asked. */
  keySlots: string[];
  keyValues: Map<string, KeyValues>;
  /** The previous span's raw and decoded trace id, parent id and name. */
  last: { traceIn: unknown; traceOut: string; parentIn: unknown; parentOut: string | undefined };
  /** Recent span names by `quickHash`. */
  nameSlots: string[];
  /** Scratch record refilled for every span. */
  fields: SpanFields;
  /** 1-based line of the document being decoded, for JSON-lines files. */
  line?: number;
}

/** Fresh state for one file or request; its origin object is shared by every span decoded with it. */
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

export const ZERO_SPAN_ID = '0000000000000000';

/** OTLP/JSON nanoseconds -> whole microseconds, or a SpanProblem. */
function jsonTime(v: unknown, field: string): number {
  const us = jsonNanosToUs(v);
  if (us === undefined) throw new SpanProblem(`has an invalid ${field} ${JSON.stringify(v)?.slice(0, 40)} (expected integer nanoseconds)`);
  return us;
}

/** An enum given as a number, a decimal string or its name (`SPAN_KIND_SERVER`); absent = 0. */
export function jsonEnum(v: unknown, names: Readonly<Record<string, number>>, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (Object.prototype.hasOwnProperty.call(names, v)) return names[v];
    if (/^\d+$/.test(v)) return Number(v);
  }
  throw new SpanProblem(`has an unknown ${field} ${JSON.stringify(v)?.slice(0, 60)}`);
}

/** `{code, message}` with code 0..2 (number or `STATUS_CODE_*` name); absent = unset. */
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
export function jsonId(v: unknown, n: number, st: JsonDecodeState, what: string, share: boolean): string {
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

/** `[{key, value: AnyValue}]` -> plain object; keys and repeated values shared across spans. */
export function jsonAttributes(list: any, st: JsonDecodeState): Attributes {
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
    const value = typeof sv === 'string' ? sharedValue(st, key, sv) : jsonValue(v, st, 0, key);
    // setAttr's `__proto__` guard inline: this runs for every attribute of every span.
    if (key === '__proto__') setAttr(out, key, value);
    else out[key] = value;
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

export interface KeyValues {
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

/** An intValue given as a string: a decimal integer of at most 20 digits (the scanner accepts the same). */
export const INT_TEXT = /^-?\d{1,20}$/;

/** `key` is the attribute's top-level key: values are shared per key. */
function jsonValue(v: any, st: JsonDecodeState, depth: number, key: string): AttrValue {
  if (v === null || typeof v !== 'object') return null;
  let x = v.stringValue;
  if (x !== undefined) return typeof x === 'string' ? sharedValue(st, key, x) : null;
  x = v.intValue;
  if (x !== undefined) {
    if (typeof x === 'number') return x;
    if (typeof x === 'string' && INT_TEXT.test(x)) return Number(x);
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

/** Span events; times in whole Unix microseconds (absent = 0). */
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

/** Span links; their ids are checked like span ids. */
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

/**
 * Fills the call's scratch record (no allocation per span) from one JSON span. It lives beside the
 * field decoders it calls per span so those are same-module calls (under a CommonJS loader an
 * imported call goes through an export getter).
 */
export function jsonSpanFields(s: any, st: JsonDecodeState): SpanFields {
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

/**
 * Decodes one parsed span at resourceSpans[r].<scopeKey>[s].spans[i] into `st.result`: kept (with a
 * warning when it has no start time) or reported and left out.
 */
export function decodeJsonSpan(raw: unknown, ctx: SpanContext, st: JsonDecodeState, r: number, scopeKey: string, s: number, i: number): void {
  let result: Span | string;
  let noStart = false;
  try {
    const fields = jsonSpanFields(raw, st);
    noStart = fields.startUnixUs === undefined;
    result = buildSpan(fields, ctx);
  } catch (e) {
    result = problemText(e);
  }
  if (typeof result !== 'string') st.result.spans.push(result);
  const reason = typeof result === 'string' ? result + '; span skipped' : noStart ? NO_START_TIME : undefined;
  if (reason === undefined) return;
  const name = raw !== null && typeof raw === 'object' && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : undefined;
  pushError(st.result.errors, st.source, `${describeSpan(name, `resourceSpans[${r}].${scopeKey}[${s}].spans[${i}]`)} ${reason}`, { line: st.line });
}

/** The reason for a SpanProblem, or for anything else thrown while decoding (never rethrown). */
export function problemText(e: unknown): string {
  if (e instanceof SpanProblem) return e.message;
  // A stack overflow or similar from hostile input: report it, never crash the caller.
  return `could not be decoded (${e instanceof Error ? e.message : String(e)})`;
}
