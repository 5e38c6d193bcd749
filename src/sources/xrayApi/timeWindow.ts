/** Splitting a time window into chunks that GetTraceSummaries accepts. */

/** The longest window one GetTraceSummaries query should cover: 6 hours. */
export const MAX_CHUNK_MS = 6 * 60 * 60 * 1000;

export interface TimeChunk {
  startUnixMs: number;
  endUnixMs: number;
}

/**
 * [startUnixMs, endUnixMs) cut into consecutive chunks of at most `chunkMs`, oldest first; empty
 * when the window is empty.
 */
export function splitWindow(startUnixMs: number, endUnixMs: number, chunkMs = MAX_CHUNK_MS): TimeChunk[] {
  const out: TimeChunk[] = [];
  for (let s = startUnixMs; s < endUnixMs; s += chunkMs) out.push({ startUnixMs: s, endUnixMs: Math.min(endUnixMs, s + chunkMs) });
  return out;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `15m`, `3h`, `2d`, `1w` or combinations like `1h30m` -> milliseconds; undefined if malformed. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?[smhdw])+$/.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}
