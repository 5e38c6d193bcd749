/**
 * The short texts lenses and line hints show: durations (`84 ms`, `1.2 s`), counts (`12.4k`),
 * rates (`0.8%`) and costs (`$0.21`, `~$38`). Pure; no vscode.
 */
import { formatUsd } from '../../core/analysis/cost';

/** `0.42 ms`, `4.2 ms`, `84 ms`, `1.2 s`, `12 s`, `2.5 min`; `–` for a missing value. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${trim(ms.toFixed(2))} ms`;
  if (ms < 10) return `${trim(ms.toFixed(1))} ms`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (ms < 9_950) return `${trim((ms / 1000).toFixed(1))} s`;
  if (ms < 119_500) return `${Math.round(ms / 1000)} s`;
  return `${trim((ms / 60_000).toFixed(1))} min`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** `7`, `999`, `1.2k`, `12.4k`, `124k`, `1.2M`. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 100_000) return `${trim((n / 1000).toFixed(1))}k`;
  if (n < 999_500) return `${Math.round(n / 1000)}k`;
  if (n < 100_000_000) return `${trim((n / 1e6).toFixed(1))}M`;
  return `${Math.round(n / 1e6)}M`;
}

/** A fraction in [0, 1] as a percentage with one decimal: `0.8%`, `50%`, `0%`. */
export function formatRate(f: number): string {
  return `${trim((f * 100).toFixed(1))}%`;
}

/** Monthly cost on a lens: `~$38` at $10 and more, `~$1.46` below, `~$0.0042` under a dollar. */
export function formatMonthlyUsd(usd: number): string {
  if (usd >= 10) return `~$${Math.round(usd).toLocaleString('en-US')}`;
  return `~${formatUsd(usd)}`;
}

/** `1 call` / `40 calls`, with the count shortened. */
export function formatCalls(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'call' : 'calls'}`;
}
