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
const TABLE_BITS = 12;

/**
 * Turns byte ranges into strings (UTF-8 text or lowercase hex), returning the same string object
 * for the same bytes, without building a string first when the bytes were seen before.
 * Strings longer than 96 bytes are decoded but not shared (they are rarely repeated).
 */
export class ByteStringCache {
  // Open hash table of recent entries; a collision simply replaces the older entry.
  private readonly strings: (string | undefined)[] = new Array(1 << TABLE_BITS);
  private readonly hashes = new Int32Array(1 << TABLE_BITS);
  private readonly codes: number[] = [];
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly hex: boolean) {}

  /** The string for bytes[start, end). */
  get(bytes: Uint8Array, start: number, end: number): string {
    const len = end - start;
    if (len === 0) return '';
    if (len > MAX_CACHED_BYTES) return this.decode(bytes, start, end);
    let h = 0x811c9dc5 ^ len;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    const slot = (h ^ (h >>> 16)) & ((1 << TABLE_BITS) - 1);
    const cached = this.strings[slot];
    if (cached !== undefined && this.hashes[slot] === h && this.matches(cached, bytes, start, end)) return cached;
    const s = this.decode(bytes, start, end);
    this.strings[slot] = s;
    this.hashes[slot] = h;
    return s;
  }

  private matches(s: string, bytes: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    if (this.hex) {
      if (s.length !== len * 2) return false;
      for (let i = 0; i < len; i++) {
        const b = bytes[start + i];
        if (s.charCodeAt(2 * i) !== HEX_CODES[b >> 4] || s.charCodeAt(2 * i + 1) !== HEX_CODES[b & 15]) return false;
      }
      return true;
    }
    // Exact: only ASCII strings can equal their bytes char for char (U+FFFD never equals a byte).
    if (s.length !== len) return false;
    for (let i = 0; i < len; i++) if (s.charCodeAt(i) !== bytes[start + i]) return false;
    return true;
  }

  private decode(bytes: Uint8Array, start: number, end: number): string {
    const len = end - start;
    const codes = this.codes;
    if (this.hex) {
      codes.length = len * 2;
      for (let i = 0; i < len; i++) {
        const b = bytes[start + i];
        codes[2 * i] = HEX_CODES[b >> 4];
        codes[2 * i + 1] = HEX_CODES[b & 15];
      }
      return String.fromCharCode.apply(null, codes);
    }
    if (len <= 64) {
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
