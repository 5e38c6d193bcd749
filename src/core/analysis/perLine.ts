/**
 * Per source line: for spans mapped to a line (database, HTTP, AWS SDK calls...), how often the
 * line ran a span, its p50/p95 and error rate, so the editor can decorate the lines that cost time.
 * The span -> line mapping is a parameter (issue 4's mapping lives elsewhere).
 */
import type { Span } from '../model';
import { DEFAULT_EXACT_LIMIT, DurationDigest, type PercentileMethod } from './percentiles';

/** A source position; `file` as the mapper gives it (workspace-relative), `line` 1-based. */
export interface SourceLine {
  file: string;
  line: number;
}

/** Maps a span to the line that made it, or undefined when unmapped. */
export type SpanLineMapper = (span: Span) => SourceLine | undefined;

export interface LineStats {
  file: string;
  line: number;
  /** Finished and in-progress spans mapped here. */
  count: number;
  errors: number;
  /** errors / count, in [0, 1]. */
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  /** Sum of finished span durations (ms): what the line cost in total. */
  totalMs: number;
  percentileMethod: PercentileMethod;
  /** Distinct span names seen on the line (at most 5), e.g. `DynamoDB.GetItem`. */
  spanNames: string[];
}

export interface PerLineResult {
  /** Sorted by totalMs descending, then file and line. */
  lines: LineStats[];
  /** Spans the mapper could not place. */
  unmapped: number;
}

function isError(s: Span): boolean {
  return s.status.code === 'error' || (s.xray !== undefined && (s.xray.error || s.xray.fault));
}

/** Aggregates spans per mapped line. Pure; the mapper is called once per span. */
export function aggregateByLine(spans: Iterable<Span>, mapLine: SpanLineMapper, exactLimit = DEFAULT_EXACT_LIMIT): PerLineResult {
  const acc = new Map<string, { file: string; line: number; count: number; errors: number; totalMs: number; digest: DurationDigest; names: Set<string> }>();
  let unmapped = 0;
  for (const s of spans) {
    const where = mapLine(s);
    if (!where) { unmapped++; continue; }
    const key = `${where.file}\u0000${where.line}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { file: where.file, line: where.line, count: 0, errors: 0, totalMs: 0, digest: new DurationDigest(exactLimit), names: new Set() }));
    a.count++;
    if (isError(s)) a.errors++;
    if (a.names.size < 5) a.names.add(s.name);
    if (s.endUnixUs !== undefined) {
      const ms = Math.max(0, (s.endUnixUs - s.startUnixUs) / 1000);
      a.digest.add(ms);
      a.totalMs += ms;
    }
  }
  const lines: LineStats[] = [...acc.values()].map((a) => ({
    file: a.file, line: a.line, count: a.count, errors: a.errors, errorRate: a.errors / a.count,
    p50Ms: a.digest.quantile(0.5), p95Ms: a.digest.quantile(0.95), totalMs: a.totalMs,
    percentileMethod: a.digest.method, spanNames: [...a.names],
  }));
  lines.sort((x, y) => y.totalMs - x.totalMs || (x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line));
  return { lines, unmapped };
}

/**
 * A mapper from OTel code attributes (`code.file.path` + `code.line.number`, or the deprecated
 * `code.filepath` + `code.lineno`); paths are returned as recorded. A fallback when no workspace
 * mapping is available.
 */
export function codeAttributeLine(span: Span): SourceLine | undefined {
  const a = span.attributes;
  const file = a['code.file.path'] ?? a['code.filepath'];
  const line = a['code.line.number'] ?? a['code.lineno'];
  const n = typeof line === 'string' ? Number(line) : line;
  return typeof file === 'string' && file && typeof n === 'number' && Number.isInteger(n) && n > 0 ? { file, line: n } : undefined;
}
