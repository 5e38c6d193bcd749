/**
 * A JSON lexer over a string (charCodeAt, no tree) for the OTLP/JSON scanner: whitespace, strings,
 * numbers, literals, object/array stepping, a validating skip of any value, and string sharing by
 * text range. Strict RFC 8259 grammar, so text it accepts is text JSON.parse accepts.
 *
 * It throws two sentinels: `MALFORMED` when the text is not JSON (or nests deeper than
 * `MAX_SKIP_DEPTH`), and `SURPRISE` when the text is JSON of a shape the fast path leaves to the
 * JSON.parse path. Strings it returns are fresh flat strings, never slices: a V8 sliced string would
 * keep the whole document text alive for as long as the span.
 */

/** Thrown when the text is not JSON (or too deep for the scanner): the caller falls back. */
export const MALFORMED = new Error('malformed JSON');
/** Thrown when the JSON has a shape the fast path does not handle: the caller falls back. */
export const SURPRISE = new Error('unexpected OTLP/JSON shape');

/** Containers nested deeper than this anywhere make the scanner give up (JSON.parse copes). */
const MAX_SKIP_DEPTH = 512;

/** Sharing tables grow with the text, up to 2^13 slots: filling big ones would dominate small requests. */
const MAX_TABLE_BITS = 13;
/** Strings longer than this are not looked up in the sharing tables (rarely repeated). */
const MAX_SHARED_CHARS = 64;

// Characters that end the plain (copyable) part of a string: backslash and control characters
// (tab, LF and CR are looked for apart: they are common between tokens).
const SPECIAL = /[\\\x00-\x08\x0b\x0c\x0e-\x1f]/g;

const HEX_KIND = new Int8Array(128);
for (const c of '0123456789abcdef') HEX_KIND[c.charCodeAt(0)] = 1;
for (const c of 'ABCDEF') HEX_KIND[c.charCodeAt(0)] = 2;

/** Cursor over one JSON text; `p` is the index of the next unread character. */
export class JsonLexer {
  t: string;
  n: number;
  p = 0;
  /** Where the next backslash or control character (other than tab, LF, CR) is, from some earlier
   * string start on (n: none); the same for LF, CR and tab. */
  private special = -1;
  private nl = -1;
  /** Pretty-printed text: a newline on every line would make the cached positions move per line,
   * so strings are read char by char instead. */
  private lines = false;
  private cr = -1;
  private tab = -1;
  /** The last string token read by `str()`: content [s0, s1), and whether it has escapes. */
  s0 = 0;
  s1 = 0;
  esc = false;
  /** The last object key read by `key()`: [k0, k1). */
  k0 = 0;
  k1 = 0;
  /** Direct-mapped tables of recent strings: a hit costs no allocation. */
  private readonly keys: string[];
  private readonly values: string[];
  private readonly spanIds: string[];
  /** Apart from span ids (one new per span), so a trace's id stays found until its last span. */
  private readonly traceIds: string[];
  private readonly mask: number;
  private readonly stack = new Uint8Array(MAX_SKIP_DEPTH);

  /** `sizeHint`: about how many characters will be read (sizes the sharing tables). */
  constructor(text: string, sizeHint = text.length) {
    this.t = text;
    this.n = text.length;
    const bits = Math.max(6, Math.min(MAX_TABLE_BITS, Math.ceil(Math.log2(Math.max(1, sizeHint) / 32))));
    this.mask = (1 << bits) - 1;
    this.keys = new Array<string>(1 << bits).fill('');
    this.values = new Array<string>(1 << bits).fill('');
    this.spanIds = new Array<string>(1 << bits).fill('');
    this.traceIds = new Array<string>(1 << bits).fill('');
  }

  /** Starts over on another text (JSON lines), keeping the sharing tables. */
  reset(text: string): void {
    this.t = text;
    this.n = text.length;
    this.p = 0;
    this.special = this.cr = this.tab = -1;
    this.nl = this.next('\n', 0);
    this.lines = this.nl < this.n - 2;
  }

  /** Moves back to `pos` (an earlier value start) to read it again. */
  rewind(pos: number): void {
    this.p = pos;
    // They may lie past a backslash or control character between pos and here.
    this.special = this.nl = this.cr = this.tab = -1;
  }

  /** Skips whitespace; returns the char code at `p` (NaN at the end). */
  ws(): number {
    const t = this.t;
    let p = this.p;
    let c = t.charCodeAt(p);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++p);
    this.p = p;
    return c;
  }

  /** Reads the string whose quote is at `p` into s0/s1/esc; `p` ends after the closing quote. */
  str(): void {
    const t = this.t;
    const s0 = this.p + 1;
    if (this.lines) {
      let i = s0;
      let c = t.charCodeAt(i);
      while (c !== 34) {
        if (c === 92 || !(c >= 32)) return this.strSlow(s0, i);
        c = t.charCodeAt(++i);
      }
      this.s0 = s0;
      this.s1 = i;
      this.esc = false;
      this.p = i + 1;
      return;
    }
    // The closing quote by indexOf (a native scan); the string is plain when no backslash or
    // control character comes before it. Where the next of those is stays cached: newlines, tabs
    // and CRs (common between tokens) are found by indexOf, the rest by one regex pass.
    const q = t.indexOf('"', s0);
    if (this.special < s0) this.findSpecial(s0);
    if (this.nl < s0) this.nl = this.next('\n', s0);
    if (this.cr < s0) this.cr = this.next('\r', s0);
    if (this.tab < s0) this.tab = this.next('\t', s0);
    if (q >= 0 && q < this.special && q < this.nl && q < this.cr && q < this.tab) {
      this.s0 = s0;
      this.s1 = q;
      this.esc = false;
      this.p = q + 1;
      return;
    }
    this.strSlow(s0, s0);
  }

  private next(c: string, from: number): number {
    const i = this.t.indexOf(c, from);
    return i < 0 ? this.n : i;
  }

  private findSpecial(from: number): void {
    SPECIAL.lastIndex = from;
    const m = SPECIAL.exec(this.t);
    this.special = m === null ? this.n : m.index;
  }

  private strSlow(s0: number, i: number): void {
    const t = this.t;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        const e = t.charCodeAt(i + 1);
        if (e === 117) {
          for (let k = i + 2; k < i + 6; k++) {
            const h = t.charCodeAt(k);
            if (!(h < 128 && HEX_KIND[h] !== 0)) throw MALFORMED;
          }
          i += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
        else throw MALFORMED;
      } else if (!(c >= 32)) throw MALFORMED; // control character or end of text
      else i++;
    }
    this.s0 = s0;
    this.s1 = i;
    this.esc = true;
    this.p = i + 1;
  }

  /** The last string token as a new flat string (JSON.parse copies; a short slice copies too). */
  strValue(): string {
    const a = this.s0;
    const b = this.s1;
    if (!this.esc && b - a < 13) return this.t.slice(a, b);
    return JSON.parse(this.t.slice(a - 1, b + 1)) as string;
  }

  /** The last string token, shared with earlier equal keys/names (no allocation when seen recently). */
  sharedKey(): string {
    return this.esc || this.s1 - this.s0 > MAX_SHARED_CHARS ? this.strValue() : this.lookup(this.keys);
  }

  /** Like `sharedKey`, for attribute values, trace states and other repeated data. */
  sharedValue(): string {
    return this.esc || this.s1 - this.s0 > MAX_SHARED_CHARS ? this.strValue() : this.lookup(this.values);
  }

  /**
   * The last string token (no escapes, an id's length) as a lowercase-hex id shared with equal ids,
   * or undefined when it is not lowercase hex. Only checked ids enter the tables, so a hit needs
   * no check.
   */
  sharedId(traceId: boolean): string | undefined {
    const table = traceId ? this.traceIds : this.spanIds;
    const slot = this.slot();
    const known = table[slot];
    if (known.length === this.s1 - this.s0 && this.t.startsWith(known, this.s0)) return known;
    if (this.hexKind() !== 1) return undefined;
    return (table[slot] = this.strValue());
  }

  private lookup(table: string[]): string {
    if (this.s1 === this.s0) return '';
    const slot = this.slot();
    const known = table[slot];
    if (known.length === this.s1 - this.s0 && this.t.startsWith(known, this.s0)) return known;
    return (table[slot] = this.strValue());
  }

  /** The sharing-table slot of [s0, s1) (not empty): its length and five characters (ends and
   * middle); the compare after it decides, a collision only costs a copy. */
  private slot(): number {
    const t = this.t;
    const a = this.s0;
    const b = this.s1;
    const m = a + ((b - a) >> 1);
    // For one character, a - 1 is the opening quote.
    let h = Math.imul((b - a) ^ (t.charCodeAt(a) << 7) ^ (t.charCodeAt(b - 1) << 14) ^ (t.charCodeAt(m) << 21), 0x9e3779b1);
    h ^= t.charCodeAt(m - 1) ^ (t.charCodeAt(b - 2) << 8);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    return (h ^ (h >>> 13)) & this.mask;
  }

  /** 1 when [s0, s1) is all lowercase hex, 3 or 2 when it has uppercase hex, -1 otherwise. */
  private hexKind(): number {
    const t = this.t;
    let kind = 0;
    for (let i = this.s0; i < this.s1; i++) {
      const c = t.charCodeAt(i);
      const k = c < 128 ? HEX_KIND[c] : 0;
      if (k === 0) return -1;
      kind |= k;
    }
    return kind;
  }

  /** Reads a number token at `p` (JSON grammar); `p` ends after it. */
  num(): number {
    const t = this.t;
    const a = this.p;
    let i = a;
    let c = t.charCodeAt(i);
    const neg = c === 45;
    if (neg) c = t.charCodeAt(++i);
    const d0 = i;
    if (c === 48) c = t.charCodeAt(++i);
    else if (c >= 49 && c <= 57) do c = t.charCodeAt(++i); while (c >= 48 && c <= 57);
    else throw MALFORMED;
    let simple = true;
    if (c === 46) {
      simple = false;
      c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) throw MALFORMED;
      do c = t.charCodeAt(++i); while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      simple = false;
      c = t.charCodeAt(++i);
      if (c === 43 || c === 45) c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) throw MALFORMED;
      do c = t.charCodeAt(++i); while (c >= 48 && c <= 57);
    }
    this.p = i;
    if (simple && i - d0 <= 15) {
      let v = 0;
      for (let j = d0; j < i; j++) v = v * 10 + (t.charCodeAt(j) - 48);
      return neg ? -v : v;
    }
    return Number(t.slice(a, i));
  }

  /** At `{`: steps in; true when a key follows (at `p`), false when the object was empty. */
  objStart(): boolean {
    this.p++;
    const c = this.ws();
    if (c === 34) return true;
    if (c === 125) {
      this.p++;
      return false;
    }
    throw MALFORMED;
  }

  /** After a member: true when another key follows, false after the closing brace. */
  objNext(): boolean {
    const c = this.ws();
    if (c === 44) {
      this.p++;
      if (this.ws() !== 34) throw MALFORMED;
      return true;
    }
    if (c === 125) {
      this.p++;
      return false;
    }
    throw MALFORMED;
  }

  /** Reads a key (quote at `p`) and its colon into k0/k1; `p` ends at the value. Escaped keys are a surprise. */
  key(): void {
    this.str();
    if (this.esc) throw SURPRISE;
    this.k0 = this.s0;
    this.k1 = this.s1;
    if (this.ws() !== 58) throw MALFORMED;
    this.p++;
    this.ws();
  }

  /** Whether the last key is `k`. */
  isKey(k: string): boolean {
    const n = k.length;
    if (this.k1 - this.k0 !== n) return false;
    // A loop the JIT inlines beats a startsWith call for keys this short (measured: ~3% per decode).
    const t = this.t;
    const a = this.k0;
    for (let j = 0; j < n; j++) if (t.charCodeAt(a + j) !== k.charCodeAt(j)) return false;
    return true;
  }

  /** At `[`: steps in; true when an element follows (at `p`), false when the array was empty. */
  arrStart(): boolean {
    this.p++;
    if (this.ws() === 93) {
      this.p++;
      return false;
    }
    return true;
  }

  /** After an element: true when another follows (at `p`), false after the closing bracket. */
  arrNext(): boolean {
    const c = this.ws();
    if (c === 44) {
      this.p++;
      this.ws();
      return true;
    }
    if (c === 93) {
      this.p++;
      return false;
    }
    throw MALFORMED;
  }

  /** The char code at `p`. */
  at(): number {
    return this.t.charCodeAt(this.p);
  }

  /** Skips one value of any type at `p`, checking its grammar; iterative, so depth costs no stack. */
  skipValue(): void {
    const stack = this.stack;
    let depth = 0;
    for (;;) {
      // A value starts here.
      let c = this.ws();
      if (c === 123 || c === 91) {
        const isObj = c === 123 ? 1 : 0;
        this.p++;
        if (this.ws() === (isObj === 1 ? 125 : 93)) this.p++; // empty: a whole value
        else {
          if (depth >= MAX_SKIP_DEPTH) throw MALFORMED;
          stack[depth++] = isObj;
          if (isObj === 1) this.memberKey();
          continue;
        }
      } else if (c === 34) this.str();
      else if (c === 116) this.lit('true');
      else if (c === 102) this.lit('false');
      else if (c === 110) this.lit('null');
      else this.num();
      // After a value: close containers or go to the next member/element.
      for (;;) {
        if (depth === 0) return;
        c = this.ws();
        if (c === 44) {
          this.p++;
          if (stack[depth - 1] === 1) this.memberKey();
          break;
        }
        if (c === (stack[depth - 1] === 1 ? 125 : 93)) {
          this.p++;
          depth--;
        } else throw MALFORMED;
      }
    }
  }

  private memberKey(): void {
    if (this.ws() !== 34) throw MALFORMED;
    this.str();
    if (this.ws() !== 58) throw MALFORMED;
    this.p++;
  }

  private lit(word: string): void {
    if (!this.t.startsWith(word, this.p)) throw MALFORMED;
    this.p += word.length;
  }
}
