/**
 * The span part of the OTLP/JSON scanner: one span object read straight from the text into the
 * call's scratch `SpanFields`, with ids, times, enums, status, events and links (attributes: see
 * otlpJsonScanValues.ts). It gives what `jsonSpanFields` gives for the same span; anything it does not
 * handle the same way throws `SURPRISE` (or a `SpanProblem` from a shared field decoder), and the
 * caller then decodes that span through JSON.parse and `jsonSpanFields`.
 */
import type { Attributes, SpanEvent, SpanLink, SpanStatus } from './model';
import { type JsonDecodeState, ZERO_SPAN_ID, jsonEnum, jsonId } from './otlpJsonFields';
import { SURPRISE } from './otlpJsonScanLexer';
import { AttributeScanner } from './otlpJsonScanValues';
import type { SpanFields } from './otlpSpan';
import { KIND_BY_NAME, NO_EVENTS, NO_LINKS, STATUS_BY_NAME, jsonNanosToUs, makeStatus } from './otlpSpan';

// Module-local copies of what every span uses: under a CommonJS loader each use of an imported
// binding is a getter call.
const PLAIN_STATUS: readonly SpanStatus[] = [makeStatus(0, undefined), makeStatus(1, undefined), makeStatus(2, undefined)];
const UNSET = PLAIN_STATUS[0];
const SPAN_NO_EVENTS = NO_EVENTS;
const SPAN_NO_LINKS = NO_LINKS;
const ZERO_ID = ZERO_SPAN_ID;

/** Reads OTLP/JSON spans from text; `st` is the decode call's state (scratch record, id interner). */
export class SpanScanner extends AttributeScanner {
  /** The last lowercase-hex trace id read (a bad id is never kept here). */
  private lastTraceId = '-';
  constructor(text: string, readonly st: JsonDecodeState, sizeHint = text.length) {
    super(text, sizeHint);
  }

  /** The span object at `p` into `st.fields`; `p` ends after it. Throws SURPRISE for the slow path. */
  span(): SpanFields {
    if (this.at() !== 123) throw SURPRISE;
    let traceId: string | undefined;
    let spanId: string | undefined;
    let parentSpanId: string | undefined;
    let startUnixUs: number | undefined;
    let endUnixUs: number | undefined;
    let name = '';
    let kind = 0;
    let status: SpanStatus = UNSET;
    let attributes: Attributes | undefined;
    let events: SpanEvent[] = SPAN_NO_EVENTS;
    let links: SpanLink[] = SPAN_NO_LINKS;
    let flags = 0;
    let traceState: string | undefined;
    let seen = 0;
    let more = this.objStart();
    while (more) {
      this.key();
      let bit = 0;
      switch (this.k1 - this.k0) {
        case 4:
          if (this.isKey('name')) { bit = 1; name = this.keyString(); }
          else if (this.isKey('kind')) { bit = 2; kind = this.enumValue(KIND_BY_NAME, 'kind'); }
          break;
        case 5:
          if (this.isKey('links')) { bit = 4; links = this.links(); }
          else if (this.isKey('flags')) { bit = 8; flags = this.flags(); }
          break;
        case 6:
          if (this.isKey('spanId')) { bit = 16; spanId = this.id(8, 'span id'); }
          else if (this.isKey('status')) { bit = 32; status = this.status(); }
          else if (this.isKey('events')) { bit = 64; events = this.events(); }
          break;
        case 7:
          if (this.isKey('traceId')) { bit = 128; traceId = this.id(16, 'trace id'); }
          break;
        case 10:
          if (this.isKey('attributes')) { bit = 256; attributes = this.attributes(); }
          else if (this.isKey('traceState')) { bit = 512; traceState = this.traceState(); }
          break;
        case 12:
          if (this.isKey('parentSpanId')) { bit = 1024; parentSpanId = this.parentId(); }
          break;
        case 15:
          if (this.isKey('endTimeUnixNano')) { bit = 2048; endUnixUs = this.time(); }
          break;
        case 17:
          if (this.isKey('startTimeUnixNano')) { bit = 4096; startUnixUs = this.time(); }
          break;
        default:
          break;
      }
      if (bit === 0) this.skipValue();
      else if ((seen & bit) !== 0) throw SURPRISE; // duplicate key: JSON.parse keeps the last
      else seen |= bit;
      more = this.objNext();
    }
    if (traceId === undefined || spanId === undefined) throw SURPRISE;
    const f = this.st.fields;
    f.traceId = traceId;
    f.spanId = spanId;
    f.parentSpanId = parentSpanId;
    f.startUnixUs = startUnixUs === 0 ? undefined : startUnixUs;
    f.endUnixUs = endUnixUs === 0 ? undefined : endUnixUs;
    f.name = name;
    f.kind = kind;
    f.status = status;
    f.attributes = attributes ?? {};
    f.events = events;
    f.links = links;
    f.flags = flags;
    f.traceState = traceState;
    return f;
  }

  /** A trace/span id: lowercase hex of `n` bytes, from hex (any case) or base64. */
  id(n: number, what: string): string {
    if (this.at() !== 34) throw SURPRISE;
    this.str();
    // Neighbouring spans mostly share the trace id: one compare instead of a check and a lookup.
    const last = this.lastTraceId;
    if (n === 16 && this.s1 - this.s0 === 32 && !this.esc && this.t.startsWith(last, this.s0)) return last;
    if (n === 16) return (this.lastTraceId = this.newId(n, what));
    return this.newId(n, what);
  }

  private newId(n: number, what: string): string {
    const id = !this.esc && this.s1 - this.s0 === 2 * n ? this.sharedId(n === 16) : undefined;
    return id ?? jsonId(this.strValue(), n, this.st, what, true);
  }

  private parentId(): string | undefined {
    const c = this.at();
    if (c === 110) {
      this.skipValue(); // null
      return undefined;
    }
    if (c !== 34) throw SURPRISE;
    this.str();
    if (this.s1 === this.s0) return undefined;
    const id = (!this.esc && this.s1 - this.s0 === 16 ? this.sharedId(false) : undefined) ?? jsonId(this.strValue(), 8, this.st, 'parent span id', true);
    return id === ZERO_ID ? undefined : id;
  }

  /** Nanoseconds (digit string or number) -> whole microseconds, as `jsonNanosToUs`. */
  private time(): number {
    const c = this.at();
    let us: number | undefined;
    if (c === 34) {
      this.str();
      if (this.esc) us = jsonNanosToUs(this.strValue());
      else {
        const t = this.t;
        const a = this.s0;
        const n = this.s1 - a;
        if (n === 0 || n > 20) throw SURPRISE;
        us = 0;
        for (let i = 0; i < n; i++) {
          const d = t.charCodeAt(a + i) - 48;
          if (d < 0 || d > 9) throw SURPRISE;
          if (i < n - 3) us = us * 10 + d;
        }
      }
    } else if (c === 45 || (c >= 48 && c <= 57)) us = jsonNanosToUs(this.num());
    if (us === undefined) throw SURPRISE;
    return us;
  }

  private enumValue(names: Readonly<Record<string, number>>, field: string): number {
    const c = this.at();
    if (c === 45 || (c >= 48 && c <= 57)) return this.num();
    if (c !== 34) throw SURPRISE;
    this.str();
    return jsonEnum(this.strValue(), names, field);
  }

  private flags(): number {
    const c = this.at();
    if (c === 45 || (c >= 48 && c <= 57)) return this.num() >>> 0;
    if (c !== 34) throw SURPRISE;
    this.str();
    if (this.esc) {
      const text = this.strValue();
      if (/^\d+$/.test(text)) return Number(text) >>> 0;
      throw SURPRISE;
    }
    if (this.s1 === this.s0) throw SURPRISE;
    for (let i = this.s0; i < this.s1; i++) {
      const d = this.t.charCodeAt(i);
      if (d < 48 || d > 57) throw SURPRISE;
    }
    return Number(this.t.slice(this.s0, this.s1)) >>> 0;
  }

  private traceState(): string | undefined {
    if (this.at() !== 34) throw SURPRISE;
    this.str();
    return this.s1 === this.s0 ? undefined : this.sharedValue();
  }

  private status(): SpanStatus {
    if (this.at() !== 123) throw SURPRISE;
    let code = 0;
    let message: string | undefined;
    let seen = 0;
    let more = this.objStart();
    while (more) {
      this.key();
      if (this.isKey('code')) {
        if ((seen & 1) !== 0) throw SURPRISE;
        seen |= 1;
        code = this.enumValue(STATUS_BY_NAME, 'status code');
      } else if (this.isKey('message')) {
        if ((seen & 2) !== 0) throw SURPRISE;
        seen |= 2;
        message = this.plainString();
      } else this.skipValue();
      more = this.objNext();
    }
    if (code !== 0 && code !== 1 && code !== 2) throw SURPRISE;
    return message ? makeStatus(code, message) : PLAIN_STATUS[code];
  }

  private events(): SpanEvent[] {
    if (this.at() !== 91) throw SURPRISE;
    if (!this.arrStart()) return SPAN_NO_EVENTS;
    const out: SpanEvent[] = [];
    do {
      if (this.at() !== 123) throw SURPRISE;
      let name = '';
      let timeUnixUs = 0;
      let attributes: Attributes | undefined;
      let seen = 0;
      let more = this.objStart();
      while (more) {
        this.key();
        let bit = 0;
        if (this.isKey('timeUnixNano')) { bit = 1; timeUnixUs = this.time(); }
        else if (this.isKey('name')) { bit = 2; name = this.keyString(); }
        else if (this.isKey('attributes')) { bit = 4; attributes = this.attributes(); }
        else this.skipValue();
        if ((seen & bit) !== 0) throw SURPRISE;
        seen |= bit;
        more = this.objNext();
      }
      out.push({ name, timeUnixUs, attributes: attributes ?? {} });
    } while (this.arrNext());
    return out.slice();
  }

  private links(): SpanLink[] {
    if (this.at() !== 91) throw SURPRISE;
    if (!this.arrStart()) return SPAN_NO_LINKS;
    const out: SpanLink[] = [];
    do {
      if (this.at() !== 123) throw SURPRISE;
      let traceId: string | undefined;
      let spanId: string | undefined;
      let traceState: string | undefined;
      let attributes: Attributes | undefined;
      let seen = 0;
      let more = this.objStart();
      while (more) {
        this.key();
        let bit = 0;
        if (this.isKey('traceId')) { bit = 1; traceId = this.id(16, 'link trace id'); }
        else if (this.isKey('spanId')) { bit = 2; spanId = this.id(8, 'link span id'); }
        else if (this.isKey('traceState')) { bit = 4; traceState = this.plainString(); }
        else if (this.isKey('attributes')) { bit = 8; attributes = this.attributes(); }
        else this.skipValue();
        if ((seen & bit) !== 0) throw SURPRISE;
        seen |= bit;
        more = this.objNext();
      }
      if (traceId === undefined || spanId === undefined) throw SURPRISE;
      const link: SpanLink = { traceId, spanId, attributes: attributes ?? {} };
      if (traceState) link.traceState = traceState;
      out.push(link);
    } while (this.arrNext());
    return out.slice();
  }
}
