/**
 * `--fail-on` thresholds for CI: `p95>800ms,coldStartRate>5%,costPerMonth>100`. Parsing never
 * throws; it returns rules or errors that say which clause is wrong and why.
 */
import type { FunctionRow } from './functionReport';

export type Comparison = '>' | '>=' | '<' | '<=';

type Unit = 'ms' | 'rate' | 'usd' | 'count';

interface MetricDef {
  unit: Unit;
  /** The row field the metric reads. */
  field: keyof FunctionRow;
}

/** Metrics a rule may name, with their units; `cost*` figures are USD. */
export const FAIL_ON_METRICS: Record<string, MetricDef> = {
  p50: { unit: 'ms', field: 'p50Ms' }, p90: { unit: 'ms', field: 'p90Ms' }, p95: { unit: 'ms', field: 'p95Ms' },
  p99: { unit: 'ms', field: 'p99Ms' }, max: { unit: 'ms', field: 'maxMs' },
  initP50: { unit: 'ms', field: 'initP50Ms' }, initP95: { unit: 'ms', field: 'initP95Ms' },
  errorRate: { unit: 'rate', field: 'errorRate' }, faultRate: { unit: 'rate', field: 'faultRate' },
  throttleRate: { unit: 'rate', field: 'throttleRate' }, coldStartRate: { unit: 'rate', field: 'coldStartRate' },
  costPerInvocation: { unit: 'usd', field: 'costPerInvocationUsd' }, costPer1M: { unit: 'usd', field: 'costPer1MUsd' },
  costPerMonth: { unit: 'usd', field: 'costPerMonthUsd' },
  invocations: { unit: 'count', field: 'invocations' }, errors: { unit: 'count', field: 'errors' }, coldStarts: { unit: 'count', field: 'coldStarts' },
};

export interface FailOnRule {
  /** The clause as written. */
  text: string;
  metric: string;
  op: Comparison;
  /** Threshold in the metric's base unit: ms, a fraction in [0, 1], USD, or a count. */
  threshold: number;
}

export interface FailOnParse {
  rules: FailOnRule[];
  /** One message per bad clause; empty when all parsed. */
  errors: string[];
}

const CLAUSE = /^([A-Za-z][A-Za-z0-9]*)\s*(>=|<=|>|<)\s*(\$?)\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([A-Za-z%$]*)$/;

/** Parses a comma-separated list of `metric op value[unit]` clauses. */
export function parseFailOn(expr: string): FailOnParse {
  const rules: FailOnRule[] = [];
  const errors: string[] = [];
  const clauses = expr.split(',').map((c) => c.trim());
  if (clauses.every((c) => c === '')) return { rules, errors: ['empty expression: expected clauses like p95>800ms,coldStartRate>5%,costPerMonth>100'] };
  for (const text of clauses) {
    if (text === '') { errors.push(`empty clause in '${expr}'`); continue; }
    const m = CLAUSE.exec(text);
    if (!m) { errors.push(`'${text}': expected <metric><op><value>, e.g. p95>800ms (ops: > >= < <=)`); continue; }
    const [, metric, op, dollar, numText, unitRaw] = m;
    const def = FAIL_ON_METRICS[metric];
    if (!def) { errors.push(`'${text}': unknown metric '${metric}' (known: ${Object.keys(FAIL_ON_METRICS).join(', ')})`); continue; }
    const value = Number(numText);
    const unit = unitRaw.toLowerCase();
    let threshold: number | undefined;
    switch (def.unit) {
      case 'ms':
        threshold = unit === '' || unit === 'ms' ? value : unit === 's' ? value * 1000 : undefined;
        break;
      case 'rate':
        threshold = unit === '%' ? value / 100 : unit === '' ? value : undefined;
        if (threshold !== undefined && threshold > 1) { errors.push(`'${text}': a rate is a fraction 0..1 or a percentage 0..100% (got ${numText}${unitRaw})`); continue; }
        break;
      case 'usd':
        threshold = unit === '' || unit === 'usd' || unit === '$' ? value : undefined;
        break;
      case 'count':
        threshold = unit === '' && !dollar ? value : undefined;
        break;
    }
    if (dollar && def.unit !== 'usd') threshold = undefined;
    if (threshold === undefined) {
      const allowed = { ms: 'ms or s', rate: '% or a fraction', usd: 'USD ($ or no unit)', count: 'no unit' }[def.unit];
      errors.push(`'${text}': ${metric} takes ${allowed}, not '${dollar}${unitRaw}'`);
      continue;
    }
    rules.push({ text, metric, op: op as Comparison, threshold });
  }
  return { rules, errors };
}

export interface FailOnViolation {
  function: string;
  metric: string;
  value: number;
  threshold: number;
  op: Comparison;
  rule: string;
}

function crosses(value: number, op: Comparison, t: number): boolean {
  switch (op) {
    case '>': return value > t;
    case '>=': return value >= t;
    case '<': return value < t;
    case '<=': return value <= t;
  }
}

/** Rules crossed by any row; metrics a row has no value for (null) are not violations. */
export function evaluateFailOn(rules: readonly FailOnRule[], rows: readonly FunctionRow[]): FailOnViolation[] {
  const out: FailOnViolation[] = [];
  for (const row of rows) {
    for (const r of rules) {
      const v = row[FAIL_ON_METRICS[r.metric].field];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (crosses(v, r.op, r.threshold)) out.push({ function: row.name, metric: r.metric, value: v, threshold: r.threshold, op: r.op, rule: r.text });
    }
  }
  return out;
}

/** `orders: p95 = 912 ms crosses p95>800ms` */
export function describeViolation(v: FailOnViolation): string {
  const unit = FAIL_ON_METRICS[v.metric].unit;
  const fmt = (x: number): string => unit === 'ms' ? `${Number(x.toPrecision(4))} ms` : unit === 'rate' ? `${Number((x * 100).toPrecision(4))}%` : unit === 'usd' ? `$${Number(x.toPrecision(4))}` : String(x);
  return `${v.function}: ${v.metric} = ${fmt(v.value)} crosses ${v.rule} (threshold ${fmt(v.threshold)})`;
}
