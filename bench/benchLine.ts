/** One benchmark measure, printed as one JSON line by bench/index.ts. */
export interface BenchLine {
  measure: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run. */
  baseline: string;
  baselineValue: number;
  /** value / baselineValue. */
  ratio: number;
  /** Optional: the target this measure is held to, e.g. "<= 1.3". */
  target?: string;
}

export function line(measure: string, value: number, unit: string, baseline: string, baselineValue: number, target?: string): BenchLine {
  const r = baselineValue === 0 ? NaN : value / baselineValue;
  return { measure, value: round(value), unit, baseline, baselineValue: round(baselineValue), ratio: round(r), ...(target ? { target } : {}) };
}

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 1000) / 1000;
}

/** Median of `runs` timings (ms) of fn, after one warm-up call. */
export async function medianMs(fn: () => unknown | Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** A benchmark module: bench/<name>.bench.ts exports `run`. */
export type BenchModule = { run: () => Promise<BenchLine[]> };
