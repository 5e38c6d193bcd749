/**
 * A span-id -> index table on typed arrays. Span ids are 16 hex digits: they are read as two
 * 32-bit halves and kept in open addressing, so a 100k-span trace is indexed without 100k string
 * hashes in a Map (which measured 5-15x slower once the table leaves the CPU cache). Ids that are
 * not 16 hex digits are hashed by their characters and compared as strings.
 */

const EMPTY = -1;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

export class SpanIdIndex {
  private readonly slots: Int32Array;
  private readonly hi: Int32Array;
  private readonly lo: Int32Array;
  private readonly mask: number;
  private readonly ids: readonly string[];
  private h = 0;
  private l = 0;
  private exact = true;
  /** How many ids repeated an earlier one (the first of them is the one indexed). */
  readonly duplicates: number = 0;

  /** Indexes `ids`; the first of duplicate ids wins. */
  constructor(ids: readonly string[]) {
    this.ids = ids;
    let size = 16;
    while (size < ids.length * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.hi = new Int32Array(ids.length);
    this.lo = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      this.split(ids[i]);
      this.hi[i] = this.h; this.lo[i] = this.l;
      let s = this.hash();
      for (;;) {
        const j = this.slots[s];
        if (j === EMPTY) { this.slots[s] = i; break; }
        if (this.same(j, ids[i])) { (this as { duplicates: number }).duplicates++; break; }
        s = (s + 1) & this.mask;
      }
    }
  }

  /** Index of the span with this id, or -1. */
  get(id: string): number {
    this.split(id);
    let s = this.hash();
    for (;;) {
      const j = this.slots[s];
      if (j === EMPTY) return -1;
      if (this.same(j, id)) return j;
      s = (s + 1) & this.mask;
    }
  }

  private same(j: number, id: string): boolean {
    if (this.hi[j] !== this.h || this.lo[j] !== this.l) return false;
    return this.exact || this.ids[j] === id;
  }

  private hash(): number {
    return (Math.imul(this.h ^ Math.imul(this.l, 0x9e3779b1), 0x85ebca6b) >>> 7) & this.mask;
  }

  private split(id: string): void {
    let h = 0, l = 0, ok = id.length === 16;
    if (ok) {
      for (let k = 0; k < 8; k++) { const v = hexVal(id.charCodeAt(k)); if (v < 0) { ok = false; break; } h = (h << 4) | v; }
      if (ok) for (let k = 8; k < 16; k++) { const v = hexVal(id.charCodeAt(k)); if (v < 0) { ok = false; break; } l = (l << 4) | v; }
    }
    if (!ok) {
      h = 0x811c9dc5; l = id.length;
      for (let k = 0; k < id.length; k++) { const c = id.charCodeAt(k); h = Math.imul(h ^ c, 0x01000193); l = Math.imul(l ^ c, 0x5bd1e995) + k; }
    }
    this.h = h | 0; this.l = l | 0; this.exact = ok;
  }
}
