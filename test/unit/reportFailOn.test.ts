import assert from 'node:assert/strict';
import { describeViolation, evaluateFailOn, parseFailOn } from '../../src/core/analysis/failOn';
import type { FunctionRow } from '../../src/core/analysis/functionReport';

describe('report: --fail-on', () => {
  it('parses the documented example into base units', () => {
    const r = parseFailOn('p95>800ms,coldStartRate>5%,costPerMonth>100');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.rules.map((x) => [x.metric, x.op, x.threshold]), [['p95', '>', 800], ['coldStartRate', '>', 0.05], ['costPerMonth', '>', 100]]);
  });

  it('accepts seconds, fractions, dollars, >= and spaces', () => {
    const r = parseFailOn(' p99 >= 1.5s , errorRate>0.01, costPer1M > $2.5 ,invocations<10');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.rules.map((x) => [x.metric, x.op, x.threshold]), [['p99', '>=', 1500], ['errorRate', '>', 0.01], ['costPer1M', '>', 2.5], ['invocations', '<', 10]]);
  });

  it('explains each bad clause', () => {
    assert.deepEqual(parseFailOn('p42>1ms').errors, [`'p42>1ms': unknown metric 'p42' (known: p50, p90, p95, p99, max, initP50, initP95, errorRate, faultRate, throttleRate, coldStartRate, costPerInvocation, costPer1M, costPerMonth, invocations, errors, coldStarts)`]);
    assert.deepEqual(parseFailOn('p95>800kg').errors, [`'p95>800kg': p95 takes ms or s, not 'kg'`]);
    assert.deepEqual(parseFailOn('coldStartRate>5').errors, [`'coldStartRate>5': a rate is a fraction 0..1 or a percentage 0..100% (got 5)`]);
    assert.deepEqual(parseFailOn('p95=800').errors, [`'p95=800': expected <metric><op><value>, e.g. p95>800ms (ops: > >= < <=)`]);
    assert.deepEqual(parseFailOn('p95>1ms,,p99>2ms').errors, [`empty clause in 'p95>1ms,,p99>2ms'`]);
    assert.equal(parseFailOn('').errors.length, 1);
  });

  it('names the function, metric, value and threshold of each crossing', () => {
    const row = (name: string, p95Ms: number | null, coldStartRate: number, costPerMonthUsd: number | null) => ({ name, p95Ms, coldStartRate, costPerMonthUsd } as unknown as FunctionRow);
    const { rules } = parseFailOn('p95>800ms,coldStartRate>5%,costPerMonth>100');
    const v = evaluateFailOn(rules, [row('orders', 912, 0.25, null), row('billing', 20, 0.01, 150.5), row('idle', null, 0, 0)]);
    assert.deepEqual(v.map(describeViolation), [
      'orders: p95 = 912 ms crosses p95>800ms (threshold 800 ms)',
      'orders: coldStartRate = 25% crosses coldStartRate>5% (threshold 5%)',
      'billing: costPerMonth = $150.5 crosses costPerMonth>100 (threshold $100)',
    ]);
  });
});
