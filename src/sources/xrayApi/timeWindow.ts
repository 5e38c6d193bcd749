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
