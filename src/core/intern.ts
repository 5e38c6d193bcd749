/**
 * String sharing and byte <-> text helpers for the decoders. Decoded spans repeat the same
 * attribute keys, values, trace ids and parent ids many times; sharing one string per distinct
 * value keeps memory per span small. Pure: no Buffer, works in a webview too.
 */

const HEX_CODES = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX_CODES[i] = '0123456789abcdef'.charCodeAt(i);

/** Shares equal strings within one decode call. */
export class StringInterner {
  private readonly map = new Map<string, string>();

  intern(s: string): string {
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    this.map.set(s, s);
    return s;
  }
}

const MAX_CACHED_BYTES = 96;
const TABLE_BITS = 13;
const TABLE_MASK = (1 << TABLE_BITS) - 1;

/**
 * Turns byte ranges into UTF-8 text, returning the same string object for the same bytes, without
 * building a string first when the bytes were seen recently. Strings longer than 96 bytes are
 * decoded but not shared (they are rarely repeated).
 */
export class ByteStringCache {
  // Direct-mapped table of recent strings; a collision simply replaces the older entry.
  private readonly strings: (string | undefined)[] = new Array(1 << TABLE_BITS);
  private readonly codes: number[] = [];
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  /** The string for bytes[start, end). */
  get(bytes: Uint8Array, start: number, end: number): string {
    const len = end - start;
    if (len === 0) return '';
    if (len > MAX_CACHED_BYTES) return this.decode(bytes, start, end);
    // Hash the length and a few bytes at each end and the middle; the full check is the compare.
    const mid = start + (len >> 1);
    let h = Math.imul(len, 0x9e3779b1) ^ bytes[start] ^ (bytes[end - 1] << 8) ^ (bytes[mid] << 16) ^ (bytes[end - 2 >= start ? end - 2 : start] << 24);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ bytes[start + (len >> 2)];
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) ^ bytes[end - 1 - (len >> 2)];
    const slot = (h ^ (h >>> 15)) & TABLE_MASK;
    const cached = this.strings[slot];
    if (cached !== undefined && cached.length === len) {
      // Exact: only ASCII strings can equal their bytes char for char (U+FFFD never equals a byte).
      let i = 0;
      while (i < len && cached.charCodeAt(i) === bytes[start + i]) i++;
      if (i === len) return cached;
    }
    const s = this.decode(bytes, start, end);
    this.strings[slot] = s;
    return s;
  }

  private decode(bytes: Uint8Array, start: number, end: number): string {
    const len = end - start;
    if (len <= 64) {
      const codes = this.codes;
      codes.length = len;
      for (let i = 0; i < len; i++) {
        const b = bytes[start + i];
        if (b > 0x7f) return this.decoder.decode(bytes.subarray(start, end));
        codes[i] = b;
      }
      return String.fromCharCode.apply(null, codes);
    }
    return this.decoder.decode(bytes.subarray(start, end));
  }
}

/**
 * Lowercase hex of 8- or 16-byte ids, one shared string per id seen recently: a trace id repeats
 * on every span of its trace, a span id on its children (as their parent id).
 */
export class HexIdCache {
  private readonly strings: (string | undefined)[] = new Array(1 << TABLE_BITS);
  private readonly words: Int32Array;
  private readonly codes: number[] = [];

  constructor(private readonly idBytes: 8 | 16) {
    this.words = new Int32Array((1 << TABLE_BITS) * (idBytes / 4));
  }

  /** The hex of bytes[start, start + idBytes); the caller checked the length. */
  get(view: DataView, bytes: Uint8Array, start: number): string {
    const n = this.idBytes / 4;
    const w0 = view.getInt32(start, true);
    const w1 = view.getInt32(start + 4, true);
    let h = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1), 0x85ebca6b);
    let w2 = 0, w3 = 0;
    if (n === 4) {
      w2 = view.getInt32(start + 8, true);
      w3 = view.getInt32(start + 12, true);
      h = Math.imul(h ^ w2 ^ Math.imul(w3, 0xc2b2ae35), 0x85ebca6b);
    }
    const slot = (h ^ (h >>> 16)) & TABLE_MASK;
    const at = slot * n;
    const words = this.words;
    const cached = this.strings[slot];
    if (cached !== undefined && words[at] === w0 && words[at + 1] === w1 && (n === 2 || (words[at + 2] === w2 && words[at + 3] === w3))) return cached;
    const codes = this.codes;
    codes.length = this.idBytes * 2;
    for (let i = 0; i < this.idBytes; i++) {
      const b = bytes[start + i];
      codes[2 * i] = HEX_CODES[b >> 4];
      codes[2 * i + 1] = HEX_CODES[b & 15];
    }
    const s = String.fromCharCode.apply(null, codes);
    this.strings[slot] = s;
    words[at] = w0;
    words[at + 1] = w1;
    if (n === 4) {
      words[at + 2] = w2;
      words[at + 3] = w3;
    }
    return s;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE[B64.charCodeAt(i)] = i;
B64_VALUE['-'.charCodeAt(0)] = 62; // base64url
B64_VALUE['_'.charCodeAt(0)] = 63;

/** Standard base64 (with padding) of bytes[start, end). */
export function bytesToBase64(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (end - i === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + '==';
  } else if (end - i === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '=';
  }
  return out;
}

/** Decodes base64 or base64url (padding optional); undefined if any character is invalid. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  if (text.length - len > 2 || len % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_VALUE[c] : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
