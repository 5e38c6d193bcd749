/**
 * The attribute part of the OTLP/JSON scanner: `[{key, value}]` lists and every AnyValue type
 * (string, bool, int as number or string, double, array, kvlist, bytes), giving what `jsonAttributes`
 * gives. A shape it does not read the same way throws `SURPRISE` (see otlpJsonScanSpan.ts).
 */
import type { AttrValue, Attributes } from './model';
import { INT_TEXT } from './otlpJsonFields';
import { JsonLexer, SURPRISE } from './otlpJsonScanLexer';
import { MAX_VALUE_DEPTH, setAttr } from './otlpSpan';

/** Attribute lists and AnyValues read straight from the text. */
export class AttributeScanner extends JsonLexer {
  /** A string value, shared with equal keys and names. */
  keyString(): string {
    if (this.at() !== 34) throw SURPRISE;
    this.str();
    return this.sharedKey();
  }

  /** A string value as a new string (escapes decoded). */
  protected plainString(): string {
    if (this.at() !== 34) throw SURPRISE;
    this.str();
    return this.strValue();
  }

  /** `[{key, value}]` -> a new attributes object, in list order (a later equal key wins). */
  attributes(): Attributes {
    if (this.at() !== 91) throw SURPRISE;
    const out: Attributes = {};
    let more = this.arrStart();
    while (more) {
      this.keyValue(out, 0);
      more = this.arrNext();
    }
    return out;
  }

  /** One `{key, value}` at `p` into `out`, its value at nesting `depth`. */
  private keyValue(out: Attributes, depth: number): void {
    if (this.at() !== 123) throw SURPRISE;
    let key: string | undefined;
    let value: AttrValue = null;
    let hasValue = false;
    let more = this.objStart();
    while (more) {
      this.key();
      if (this.k1 - this.k0 === 3 && this.isKey('key')) {
        if (key !== undefined) throw SURPRISE; // JSON.parse would keep the last
        key = this.keyString();
      } else if (this.k1 - this.k0 === 5 && this.isKey('value')) {
        if (hasValue) throw SURPRISE;
        hasValue = true;
        if (this.at() === 123) value = this.anyValue(depth);
        else this.skipValue();
      } else this.skipValue();
      more = this.objNext();
    }
    if (key === undefined) throw SURPRISE;
    if (key === '__proto__') setAttr(out, key, value);
    else out[key] = value;
  }

  /** An AnyValue object at `p`; its one known member decides the type, none gives null. */
  private anyValue(depth: number): AttrValue {
    let value: AttrValue = null;
    let found = false;
    let more = this.objStart();
    while (more) {
      this.key();
      const len = this.k1 - this.k0;
      let hit = true;
      if (len === 11 && this.isKey('stringValue')) {
        if (this.at() === 34) {
          this.str();
          value = this.sharedValue();
        } else this.skipValue();
      } else if (len === 8 && this.isKey('intValue')) value = this.intValue();
      else if (len === 9 && this.isKey('boolValue')) value = this.boolValue();
      else if (len === 11 && this.isKey('doubleValue')) {
        const c = this.at();
        if (c === 45 || (c >= 48 && c <= 57)) value = this.num();
        else throw SURPRISE;
      } else if (len === 10 && this.isKey('arrayValue')) value = this.arrayValue(depth);
      else if (len === 11 && this.isKey('kvlistValue')) value = this.kvlistValue(depth);
      else if (len === 10 && this.isKey('bytesValue')) {
        if (this.at() === 34) value = this.plainString();
        else this.skipValue();
      } else {
        hit = false;
        this.skipValue();
      }
      if (hit) {
        // Two typed members: the JSON.parse path's precedence decides, not text order.
        if (found) throw SURPRISE;
        found = true;
      }
      more = this.objNext();
    }
    return value;
  }

  private intValue(): number {
    const c = this.at();
    if (c === 45 || (c >= 48 && c <= 57)) return this.num();
    if (c !== 34) throw SURPRISE;
    this.str();
    const t = this.t;
    let i = this.s0;
    const neg = t.charCodeAt(i) === 45;
    if (neg) i++;
    const digits = this.s1 - i;
    if (this.esc) {
      const text = this.strValue();
      if (INT_TEXT.test(text)) return Number(text);
      throw SURPRISE;
    }
    if (digits < 1 || digits > 20) throw SURPRISE;
    let v = 0;
    for (let j = i; j < this.s1; j++) {
      const d = t.charCodeAt(j) - 48;
      if (d < 0 || d > 9) throw SURPRISE;
      v = v * 10 + d;
    }
    if (digits > 15) return Number(t.slice(this.s0, this.s1));
    return neg ? -v : v;
  }

  private boolValue(): boolean {
    const c = this.at();
    if (c === 116 && this.t.startsWith('true', this.p)) {
      this.p += 4;
      return true;
    }
    if (c === 102 && this.t.startsWith('false', this.p)) {
      this.p += 5;
      return false;
    }
    throw SURPRISE;
  }

  private arrayValue(depth: number): AttrValue[] {
    if (depth >= MAX_VALUE_DEPTH || this.at() !== 123) throw SURPRISE;
    let out: AttrValue[] | undefined;
    let more = this.objStart();
    while (more) {
      this.key();
      if (this.isKey('values')) {
        if (out !== undefined || this.at() !== 91) throw SURPRISE;
        out = [];
        let el = this.arrStart();
        while (el) {
          if (this.at() === 123) out.push(this.anyValue(depth + 1));
          else {
            this.skipValue();
            out.push(null);
          }
          el = this.arrNext();
        }
      } else this.skipValue();
      more = this.objNext();
    }
    // push() leaves spare capacity; a copy is exact.
    return out === undefined || out.length === 0 ? [] : out.slice();
  }

  private kvlistValue(depth: number): Record<string, AttrValue> {
    if (depth >= MAX_VALUE_DEPTH || this.at() !== 123) throw SURPRISE;
    const out: Record<string, AttrValue> = {};
    let seen = false;
    let more = this.objStart();
    while (more) {
      this.key();
      if (this.isKey('values')) {
        if (seen || this.at() !== 91) throw SURPRISE;
        seen = true;
        let el = this.arrStart();
        while (el) {
          this.keyValue(out, depth + 1);
          el = this.arrNext();
        }
      } else this.skipValue();
      more = this.objNext();
    }
    return out;
  }
}
