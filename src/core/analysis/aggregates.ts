/**
 * Per-function (and per-version) aggregates over a time window: invocations, latency percentiles,
 * error/fault/throttle rates, cold starts and INIT time, billed duration. Pure and single-pass:
 * one accumulator per (function, version); function totals are merged from version digests.
 */
import { DEFAULT_EXACT_LIMIT, DurationDigest, type PercentileSummary } from './percentiles';
import type { Architecture, Invocation } from './invocations';

export interface AggregateOptions {
  /** Only invocations that started at or after this time (Unix ms). */
  sinceUnixMs?: number;
  /** Only invocations that started before this time (Unix ms). */
  untilUnixMs?: number;
  /** Values kept exactly before percentiles switch to the sketch (default 10 000). */
  exactLimit?: number;
}

/** Figures for one function or one version of it. Rates are fractions in [0, 1]; NaN-free (0 when no invocations). */
export interface InvocationStats {
  /** Invocations that ran (throttled requests are not counted here). */
  invocations: number;
  /** Invocations that failed in any way: X-Ray error or fault, OTel status ERROR. */
  errors: number;
  /** Invocations with an X-Ray fault or OTel status ERROR (the function itself failed). */
  faults: number;
  /** Requests throttled before they ran. */
  throttles: number;
  /** errors / invocations. */
  errorRate: number;
  /** faults / invocations. */
  faultRate: number;
  /** throttles / (invocations + throttles). */
  throttleRate: number;
  /** Handler duration percentiles over finished invocations (ms). */
  duration: PercentileSummary;
  coldStarts: number;
  /** coldStarts / invocations. */
  coldStartRate: number;
  /** INIT duration percentiles over cold starts whose INIT time is known (ms). */
  init: PercentileSummary;
  /** SnapStart restore percentiles (ms); count 0 when none. */
  restore: PercentileSummary;
  /** Sum over finished invocations of ceil(durationMs): Lambda bills per 1 ms. */
  billedDurationMsTotal: number;
  /** Sum over cold starts of ceil(initDurationMs). */
  billedInitMsTotal: number;
  /** Invocations still in progress (no end time): counted, but not in duration percentiles. */
  inProgress: number;
  /** Most often seen configured memory from `faas.max_memory`, MB. */
  memoryMb?: number;
  /** Highest memory used seen on any invocation, MB. */
  maxMemoryUsedMb?: number;
  region?: string;
  architecture?: Architecture;
  firstStartUnixMs: number;
  lastStartUnixMs: number;
}

export interface VersionAggregate extends InvocationStats {
  /** `faas.version` / ARN qualifier; null for invocations that did not say. */
  version: string | null;
}

export interface FunctionAggregate extends InvocationStats {
  functionName: string;
  /** One entry per version when any invocation carried one; empty otherwise. Sorted by invocations, descending. */
  versions: VersionAggregate[];
}

class Acc {
  invocations = 0; errors = 0; faults = 0; throttles = 0; coldStarts = 0; inProgress = 0;
  billedDurationMsTotal = 0; billedInitMsTotal = 0;
  duration: DurationDigest; init: DurationDigest; restore: DurationDigest;
  memory = new Map<number, number>();
  maxUsed: number | undefined;
  region: string | undefined; architecture: Architecture | undefined;
  first = Infinity; last = -Infinity;
  constructor(limit: number) {
    this.duration = new DurationDigest(limit); this.init = new DurationDigest(limit); this.restore = new DurationDigest(limit);
  }

  add(v: Invocation): void {
    const t = v.startUnixUs;
    if (t < this.first) this.first = t;
    if (t > this.last) this.last = t;
    if (v.region && !this.region) this.region = v.region;
    if (v.architecture && !this.architecture) this.architecture = v.architecture;
    if (v.throttle) { this.throttles++; return; }
    this.invocations++;
    if (v.error || v.fault) this.errors++;
    if (v.fault) this.faults++;
    const d = v.durationMs;
    if (d === undefined) this.inProgress++;
    else { this.duration.add(d); this.billedDurationMsTotal += Math.ceil(Math.max(0, d)); }
    if (v.coldStart) {
      this.coldStarts++;
      if (v.initDurationMs !== undefined) { this.init.add(v.initDurationMs); this.billedInitMsTotal += Math.ceil(Math.max(0, v.initDurationMs)); }
      if (v.restoreDurationMs !== undefined) this.restore.add(v.restoreDurationMs);
    }
    if (v.memoryMb !== undefined) this.memory.set(v.memoryMb, (this.memory.get(v.memoryMb) ?? 0) + 1);
    if (v.maxMemoryUsedMb !== undefined && (this.maxUsed === undefined || v.maxMemoryUsedMb > this.maxUsed)) this.maxUsed = v.maxMemoryUsedMb;
  }

  merge(o: Acc): void {
    this.invocations += o.invocations; this.errors += o.errors; this.faults += o.faults; this.throttles += o.throttles;
    this.coldStarts += o.coldStarts; this.inProgress += o.inProgress;
    this.billedDurationMsTotal += o.billedDurationMsTotal; this.billedInitMsTotal += o.billedInitMsTotal;
    this.duration.merge(o.duration); this.init.merge(o.init); this.restore.merge(o.restore);
    for (const [k, n] of o.memory) this.memory.set(k, (this.memory.get(k) ?? 0) + n);
    if (o.maxUsed !== undefined && (this.maxUsed === undefined || o.maxUsed > this.maxUsed)) this.maxUsed = o.maxUsed;
    this.region ??= o.region; this.architecture ??= o.architecture;
    if (o.first < this.first) this.first = o.first;
    if (o.last > this.last) this.last = o.last;
  }

  stats(): InvocationStats {
    let memoryMb: number | undefined, best = 0;
    for (const [k, n] of this.memory) if (n > best) { best = n; memoryMb = k; }
    const attempts = this.invocations + this.throttles;
    return {
      invocations: this.invocations, errors: this.errors, faults: this.faults, throttles: this.throttles,
      errorRate: this.invocations ? this.errors / this.invocations : 0,
      faultRate: this.invocations ? this.faults / this.invocations : 0,
      throttleRate: attempts ? this.throttles / attempts : 0,
      duration: this.duration.summary(),
      coldStarts: this.coldStarts,
      coldStartRate: this.invocations ? this.coldStarts / this.invocations : 0,
      init: this.init.summary(),
      restore: this.restore.summary(),
      billedDurationMsTotal: this.billedDurationMsTotal,
      billedInitMsTotal: this.billedInitMsTotal,
      inProgress: this.inProgress,
      ...(memoryMb !== undefined ? { memoryMb } : {}),
      ...(this.maxUsed !== undefined ? { maxMemoryUsedMb: this.maxUsed } : {}),
      ...(this.region ? { region: this.region } : {}),
      ...(this.architecture ? { architecture: this.architecture } : {}),
      firstStartUnixMs: this.first / 1000,
      lastStartUnixMs: this.last / 1000,
    };
  }
}

/**
 * Aggregates invocations per function and version. Invocations outside the window are skipped.
 * Result sorted by function name. Cost is computed separately (cost.ts) from these figures.
 */
export function aggregateInvocations(invocations: Iterable<Invocation>, options: AggregateOptions = {}): FunctionAggregate[] {
  const limit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
  const sinceUs = options.sinceUnixMs === undefined ? -Infinity : options.sinceUnixMs * 1000;
  const untilUs = options.untilUnixMs === undefined ? Infinity : options.untilUnixMs * 1000;
  // function -> version ('' = not said) -> accumulator
  const byFunction = new Map<string, Map<string, Acc>>();
  let lastFn = '', lastVer = '', lastAcc: Acc | undefined;
  for (const v of invocations) {
    if (v.startUnixUs < sinceUs || v.startUnixUs >= untilUs) continue;
    const ver = v.version ?? '';
    let acc: Acc;
    // Invocations usually come in runs of one function; skip the map lookups for a run.
    if (lastAcc && v.functionName === lastFn && ver === lastVer) acc = lastAcc;
    else {
      let versions = byFunction.get(v.functionName);
      if (!versions) byFunction.set(v.functionName, (versions = new Map()));
      let a = versions.get(ver);
      if (!a) versions.set(ver, (a = new Acc(limit)));
      acc = a; lastAcc = a; lastFn = v.functionName; lastVer = ver;
    }
    acc.add(v);
  }
  const out: FunctionAggregate[] = [];
  for (const [functionName, versions] of byFunction) {
    const total = new Acc(limit);
    const versionRows: VersionAggregate[] = [];
    const anyVersion = [...versions.keys()].some((k) => k !== '');
    for (const [ver, acc] of versions) {
      if (anyVersion) versionRows.push({ version: ver === '' ? null : ver, ...acc.stats() });
      total.merge(acc);
    }
    versionRows.sort((a, b) => b.invocations - a.invocations);
    out.push({ functionName, ...total.stats(), versions: versionRows });
  }
  out.sort((a, b) => (a.functionName < b.functionName ? -1 : a.functionName > b.functionName ? 1 : 0));
  return out;
}
