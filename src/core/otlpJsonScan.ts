/**
 * The fast path of OTLP/JSON decoding: spans built straight from the text, without the JSON.parse
 * object tree (which costs ~1.7 kB per span, all garbage once the spans are built). It walks
 * resourceSpans / scopeSpans (or legacy instrumentationLibrarySpans, or the Jaeger `{"result": ...}`
 * envelope) / spans and skips every other member after checking its grammar.
 *
 * It gives exactly what the JSON.parse path gives or nothing: a span it cannot read the same way is
 * decoded alone through JSON.parse and `jsonSpanFields` (so its warning reads the same); anything
 * else unexpected (malformed text, other document shapes, a duplicate key above the spans) makes it
 * return false with `st.result` untouched, and the caller decodes the document through JSON.parse.
 */
import type { Resource, Scope } from './model';
import { type JsonDecodeState, decodeJsonSpan } from './otlpJsonFields';
import { MALFORMED, SURPRISE } from './otlpJsonScanLexer';
import { SpanScanner } from './otlpJsonScanSpan';
import { type SpanContext, buildSpan } from './otlpSpan';

/**
 * Texts shorter than this (in UTF-16 code units, ~bytes for ASCII) decode faster through JSON.parse:
 * its tree is cheap while small, and the scanner's JavaScript costs about 6 us per span at any size.
 * Measured on the bench Lambda data (CPU time per decode, scanner / JSON.parse path): 300 KB 1.35,
 * 1 MB 1.34, 2.9 MB 1.12, 4.9 MB 0.84, 19.5 MB 0.66.
 */
export const SCAN_MIN_CHARS = 4_000_000;

/**
 * Decodes one OTLP/JSON trace document (optional BOM) into `st.result`. Returns false, with
 * `st.result` as it was, when the document needs the JSON.parse path. Never throws. Pass the same
 * `scanner` for every line of a JSON-lines file so its string sharing carries over.
 */
export function scanOtlpJson(text: string, st: JsonDecodeState, scanner?: SpanScanner): boolean {
  const spansBefore = st.result.spans.length;
  const errorsBefore = st.result.errors.length;
  const sc = scanner ?? new SpanScanner(text, st);
  sc.reset(text);
  try {
    if (text.charCodeAt(0) === 0xfeff) sc.p = 1;
    document(sc);
    sc.ws();
    if (sc.p !== sc.n) throw MALFORMED;
    return true;
  } catch {
    st.result.spans.length = spansBefore;
    st.result.errors.length = errorsBefore;
    return false;
  }
}

/** A scanner to share between the lines of one JSON-lines file of `textLength` characters. */
export function newOtlpJsonScanner(st: JsonDecodeState, textLength: number): SpanScanner {
  return new SpanScanner('', st, textLength);
}

/** The top-level object, or (`envelope`) the Jaeger `result` object inside it. */
function document(sc: SpanScanner, envelope = false): void {
  if ((envelope ? sc.at() : sc.ws()) !== 123) throw SURPRISE;
  // JSON.parse path: a top-level resourceSpans wins over a Jaeger envelope; both at once is left to it.
  let found = false;
  let more = sc.objStart();
  while (more) {
    sc.key();
    const body = sc.isKey('resourceSpans') ? 1 : !envelope && sc.isKey('result') ? 2 : 0;
    if (body) {
      if (found) throw SURPRISE;
      found = true;
      if (body === 1) resourceSpansList(sc);
      else document(sc, true);
    } else sc.skipValue();
    more = sc.objNext();
  }
  if (!found) throw SURPRISE;
}

function resourceSpansList(sc: SpanScanner): void {
  if (sc.at() !== 91) throw SURPRISE;
  let r = 0;
  let more = sc.arrStart();
  while (more) {
    resourceSpans(sc, r++);
    more = sc.arrNext();
  }
}

function resourceSpans(sc: SpanScanner, r: number): void {
  if (sc.at() !== 123) throw SURPRISE;
  // Spans point at this object; members may come in any order, so it is filled in when read.
  const resource: Resource = { attributes: {} };
  let seen = 0;
  let more = sc.objStart();
  while (more) {
    sc.key();
    let bit = 0;
    if (sc.isKey('resource')) {
      bit = 1;
      resource.attributes = resourceAttributes(sc);
    } else if (sc.isKey('scopeSpans')) {
      bit = 2;
      if ((seen & 4) !== 0) throw SURPRISE;
      scopeSpansList(sc, r, resource, false);
    } else if (sc.isKey('instrumentationLibrarySpans')) {
      bit = 4;
      if ((seen & 2) !== 0) throw SURPRISE;
      scopeSpansList(sc, r, resource, true);
    } else sc.skipValue();
    if ((seen & bit) !== 0) throw SURPRISE;
    seen |= bit;
    more = sc.objNext();
  }
}

function resourceAttributes(sc: SpanScanner): Resource['attributes'] {
  if (sc.at() !== 123) throw SURPRISE;
  let attributes: Resource['attributes'] | undefined;
  let more = sc.objStart();
  while (more) {
    sc.key();
    if (sc.isKey('attributes')) {
      if (attributes !== undefined) throw SURPRISE;
      attributes = sc.attributes();
    } else sc.skipValue();
    more = sc.objNext();
  }
  return attributes ?? {};
}

function scopeSpansList(sc: SpanScanner, r: number, resource: Resource, legacy: boolean): void {
  if (sc.at() !== 91) throw SURPRISE;
  let s = 0;
  let more = sc.arrStart();
  while (more) {
    scopeSpans(sc, r, s++, resource, legacy);
    more = sc.arrNext();
  }
}

function scopeSpans(sc: SpanScanner, r: number, s: number, resource: Resource, legacy: boolean): void {
  if (sc.at() !== 123) throw SURPRISE;
  const scopeKey = legacy ? 'instrumentationLibrarySpans' : 'scopeSpans';
  const scope: Scope = { name: '' };
  const ctx: SpanContext = { resource, scope, origin: sc.st.origin };
  let seen = 0;
  let more = sc.objStart();
  while (more) {
    sc.key();
    let bit = 0;
    if (sc.isKey(legacy ? 'instrumentationLibrary' : 'scope')) {
      bit = 1;
      readScope(sc, scope);
    } else if (sc.isKey('spans')) {
      bit = 2;
      if (sc.at() !== 91) throw SURPRISE;
      let i = 0;
      let el = sc.arrStart();
      while (el) {
        span(sc, ctx, r, scopeKey, s, i++);
        el = sc.arrNext();
      }
    } else sc.skipValue();
    if ((seen & bit) !== 0) throw SURPRISE;
    seen |= bit;
    more = sc.objNext();
  }
}

function readScope(sc: SpanScanner, scope: Scope): void {
  if (sc.at() !== 123) throw SURPRISE;
  let name: string | undefined;
  let version: string | undefined;
  let more = sc.objStart();
  while (more) {
    sc.key();
    if (sc.isKey('name')) {
      if (name !== undefined) throw SURPRISE;
      name = sc.keyString();
    } else if (sc.isKey('version')) {
      if (version !== undefined) throw SURPRISE;
      version = sc.keyString();
    } else sc.skipValue();
    more = sc.objNext();
  }
  scope.name = name ?? '';
  if (version) scope.version = version;
}

// A module-local copy: under a CommonJS loader each call of an imported function goes through a getter.
const build = buildSpan;

function span(sc: SpanScanner, ctx: SpanContext, r: number, scopeKey: string, s: number, i: number): void {
  const start = sc.p;
  try {
    const f = sc.span();
    if (f.startUnixUs !== undefined) {
      const built = build(f, ctx);
      if (typeof built !== 'string') {
        sc.st.result.spans.push(built);
        return;
      }
    }
  } catch (e) {
    if (e === MALFORMED) throw e;
  }
  // Rejected, warned about, or a shape left to JSON.parse: decode this span the JSON.parse way.
  sc.rewind(start);
  sc.skipValue();
  const raw: unknown = JSON.parse(sc.t.slice(start, sc.p));
  decodeJsonSpan(raw, ctx, sc.st, r, scopeKey, s, i);
}
