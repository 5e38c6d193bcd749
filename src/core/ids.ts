/**
 * Trace and span ids. The model keeps W3C form (lowercase hex); X-Ray's `1-<8 hex epoch>-<24 hex>`
 * is the same 128 bits, so one request seen by both sources is one trace.
 */

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const XRAY_ID = /^1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})$/;

/** `1-5f84c7a1-...` (24 hex) -> 32 lowercase hex; undefined if not an X-Ray trace id. */
export function xrayToW3cTraceId(xrayId: string): string | undefined {
  const m = XRAY_ID.exec(xrayId);
  return m ? (m[1] + m[2]).toLowerCase() : undefined;
}

/** 32 hex -> `1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy`; undefined if not 32 hex digits. */
export function w3cToXrayTraceId(traceId: string): string | undefined {
  const id = traceId.toLowerCase();
  return HEX32.test(id) ? `1-${id.slice(0, 8)}-${id.slice(8)}` : undefined;
}

/** Accepts either form (any case) and returns the model's 32 lowercase hex, or undefined. */
export function normalizeTraceId(id: string): string | undefined {
  const lower = id.trim().toLowerCase();
  if (HEX32.test(lower)) return lower;
  return xrayToW3cTraceId(id.trim());
}

export function isSpanId(id: string): boolean {
  return HEX16.test(id);
}

export function isTraceId(id: string): boolean {
  return HEX32.test(id);
}

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex of bytes[start, end). */
export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    out += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15];
  }
  return out;
}
