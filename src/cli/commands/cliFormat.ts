/** Small formatting helpers shared by the store commands (import, traces, show). */
import { UsageError, type ParsedArgs } from '../args';
import type { DecodeError } from '../../core/model';

/** Rejects flags the command does not know (`help` and `json` are always allowed). */
export function checkFlags(args: ParsedArgs, known: readonly string[]): void {
  for (const f of Object.keys(args.flags)) {
    if (f !== 'help' && !known.includes(f)) throw new UsageError(`unknown option --${f} (see --help)`);
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `file:line: reason`, `file: byte N: reason` or `file: reason`. */
export function formatDecodeError(e: DecodeError): string {
  if (e.line !== undefined) return `${e.source}:${e.line}: ${e.reason}`;
  if (e.offset !== undefined) return `${e.source}: byte ${e.offset}: ${e.reason}`;
  return `${e.source}: ${e.reason}`;
}

/** Milliseconds as a short human duration: `850 us`, `12.3 ms`, `1.52 s`, `2 min 5 s`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return 'in progress';
  if (ms < 1) return `${Math.round(ms * 1000)} us`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `15m`, `2h`, `7d`, `30s`, `1w` -> milliseconds; throws UsageError otherwise. */
export function parseDurationMs(text: string, flag: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} takes a duration like 15m, 2h or 7d (got '${text}')`);
  return Number(m[1]) * UNIT_MS[m[2]];
}
