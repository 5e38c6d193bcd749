/** Bundled or compiled JavaScript lines mapped back to their sources through a source map. */
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { dirnamePosix, joinPosix } from '../iac/types';

/** The `//# sourceMappingURL=` of a generated file (external file name, or `data:` URL), if any. */
export function sourceMappingUrl(generatedText: string): string | undefined {
  const m = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(generatedText.slice(-4096));
  return m?.[1];
}

/** Decodes an inline `data:application/json;base64,` source map. */
export function inlineSourceMap(url: string): string | undefined {
  const m = /^data:application\/json(?:;charset=[\w-]+)?;base64,(.*)$/.exec(url);
  if (!m) return undefined;
  const bin = atob(m[1]);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/**
 * Maps a 1-based line (and 1-based column, default 1) of `generatedFile` through `mapText`, located
 * at `mapFile`. Returns the workspace-relative source path and 1-based line, or undefined.
 */
export function mapThroughSourceMap(mapText: string, mapFile: string, line: number, column = 1): { file: string; line: number; column: number; name?: string } | undefined {
  let map: TraceMap;
  try { map = new TraceMap(mapText); } catch { return undefined; }
  // Stack columns point at a token; search both directions so a column inside a token still maps.
  let pos = originalPositionFor(map, { line, column: Math.max(0, column - 1) });
  if (pos.source === null) pos = originalPositionFor(map, { line, column: Math.max(0, column - 1), bias: -1 });
  if (pos.source === null || pos.line === null) {
    for (let c = 0; c < 400 && pos.source === null; c += 4) pos = originalPositionFor(map, { line, column: c });
  }
  if (pos.source === null || pos.line === null) return undefined;
  const src = pos.source.replace(/^webpack:\/\/\/?/, '').replace(/^file:\/\//, '');
  const file = src.startsWith('/') ? src : joinPosix(dirnamePosix(mapFile), src);
  return { file, line: pos.line, column: (pos.column ?? 0) + 1, ...(pos.name ? { name: pos.name } : {}) };
}
