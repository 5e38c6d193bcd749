import assert from 'node:assert/strict';
import { adviseFunction, rightSizedMemoryMb } from '../../src/core/analysis/advice';
import { aggregateInvocations } from '../../src/core/analysis/aggregates';
import { estimateCost, formatUsd, initBilledAt, MONTH_MS, type CostInput } from '../../src/core/analysis/cost';
import { buildFunctionRow } from '../../src/core/analysis/functionReport';
import type { Invocation } from '../../src/core/analysis/invocations';
import { LAMBDA_PRICES, lookupPrices, tieredDurationCostUsd } from '../../src/core/pricing/lambdaPrices';

const close = (a: number, b: number, rel = 1e-9): void => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} != ${b}`);

describe('cost: price table', () => {
  it('has a source for every region and both architectures with ascending, finally unbounded tiers', () => {
    for (const [region, r] of Object.entries(LAMBDA_PRICES.lambda.regions)) {
      assert.ok(r.source.length > 0 && r.source.every((k) => k in LAMBDA_PRICES.sources), region);
      for (const arch of ['x86_64', 'arm64'] as const) {
        const tiers = r[arch].gbSecondTiers;
        assert.equal(tiers[tiers.length - 1].upToGbSeconds, null, `${region} ${arch}`);
        for (let i = 1; i < tiers.length - 1; i++) assert.ok((tiers[i].upToGbSeconds as number) > (tiers[i - 1].upToGbSeconds as number));
      }
    }
    assert.ok(LAMBDA_PRICES.xray.source in LAMBDA_PRICES.sources);
  });

  it('us-east-1 matches the published prices', () => {
    const x = lookupPrices('us-east-1', 'x86_64').prices, a = lookupPrices('us-east-1', 'arm64').prices;
    assert.equal(x.gbSecondTiers[0].usdPerGbSecond, 0.0000166667);
    assert.equal(a.gbSecondTiers[0].usdPerGbSecond, 0.0000133334);
    assert.equal(x.requestPerMillionUsd, 0.2);
  });

  it('fills the tiers in order: 7B x86 GB-s = 6B at the first price + 1B at the second', () => {
    const tiers = lookupPrices('us-east-1', 'x86_64').prices.gbSecondTiers;
    close(tieredDurationCostUsd(7e9, tiers), 6e9 * 0.0000166667 + 1e9 * 0.000015);
    close(tieredDurationCostUsd(20e9, tiers), 6e9 * 0.0000166667 + 9e9 * 0.000015 + 5e9 * 0.0000133334);
  });

  it('an unknown region falls back to the default region and says so', () => {
    const l = lookupPrices('xx-nowhere-9', 'arm64');
    assert.deepEqual([l.region, l.regionFallback], ['us-east-1', true]);
  });

  it('INIT is billed from 2025-08-01', () => {
    assert.equal(initBilledAt(Date.parse('2025-07-31T23:59:59Z')), false);
    assert.equal(initBilledAt(Date.parse('2025-08-01T00:00:00Z')), true);
  });
});

describe('cost: estimate', () => {
  // 4 invocations, billed 100 + 21 + 30 + 50 = 201 ms, one cold start with ceil(250.4) = 251 ms INIT,
  // 512 MB arm64 in us-east-1, observed over one hour.
  const input: CostInput = {
    invocations: 4, billedDurationMsTotal: 201, billedInitMsTotal: 251, memoryMb: 512, memorySource: 'faas.max_memory',
    architecture: 'arm64', region: 'us-east-1', windowMs: 3_600_000, initBilled: true,
  };
  const c = estimateCost(input);
  // GB-s per invocation = (201/4 + 251/4) ms / 1000 × 512/1024 GB = 0.113 × 0.5 = 0.0565
  const gbs = ((201 / 4 + 251 / 4) / 1000) * (512 / 1024);
  const perInv = 0.2 / 1e6 + gbs * 0.0000133334;

  it('prices one invocation: request + GB-s × price', () => {
    close(c.gbSecondsPerInvocation, 0.0565);
    close(c.perInvocation.usd, perInv);
    close(c.per1M.usd, perInv * 1e6);
    assert.match(c.perInvocation.formula, /\$0\.20\/1M requests \+ \(50\.25 ms billed \+ 62\.75 ms INIT per invocation\) \/ 1000 × 512 MB \/ 1024 × \$0\.00001333\/GB-s/);
  });

  it('scales the observed rate to 30 days: 4 per hour = 2880 per month', () => {
    assert.equal(c.invocationsPerMonth, 4 * (MONTH_MS / 3_600_000));
    assert.equal(c.invocationsPerMonth, 2880);
    close(c.perMonth!.usd, perInv * 2880);
    assert.match(c.perMonth!.formula, /4 invocations in 60 min scaled to 30 days = 2880 invocations/);
  });

  it('shows X-Ray recording cost apart: 2880 traces × $5/1M', () => {
    close(c.xrayRecordedPerMonth!.usd, 2880 * 5 / 1e6);
    close(c.xrayRetrievedPer1k.usd, 1000 * 0.5 / 1e6);
  });

  it('without INIT billing the cold start adds nothing', () => {
    const off = estimateCost({ ...input, initBilled: false });
    close(off.perInvocation.usd, 0.2 / 1e6 + ((201 / 4) / 1000) * 0.5 * 0.0000133334);
  });

  it('no window (one invocation) gives no monthly figure rather than a made-up one', () => {
    const one = estimateCost({ ...input, invocations: 1, windowMs: undefined });
    assert.equal(one.perMonth, null);
    assert.equal(one.invocationsPerMonth, null);
  });

  it('a huge monthly volume uses the tiered average price', () => {
    // 1e12 invocations/month × 0.0565 GB-s = 5.65e10 GB-s: far into the third arm64 tier
    const big = estimateCost({ ...input, windowMs: MONTH_MS / 2.5e11 }); // 4 × 2.5e11 = 1e12 invocations/month
    const tiers = lookupPrices('us-east-1', 'arm64').prices.gbSecondTiers;
    close(big.usdPerGbSecond, tieredDurationCostUsd(5.65e10, tiers) / 5.65e10, 1e-6);
    assert.ok(big.usdPerGbSecond < 0.0000133334);
  });
});

describe('advice', () => {
  function inv(durationMs: number, o: Partial<Invocation> = {}): Invocation {
    return { functionName: 'f', traceId: 't', spanId: 's', startUnixUs: 1_795_315_600_000_000 + durationMs * 1000, durationMs, error: false, fault: false, throttle: false, coldStart: false, evidence: 'otel', ...o };
  }
  // 100 invocations 1..100 ms; one cold start with 900 ms INIT; 1024 MB x86, 200 MB used at peak
  const invs = Array.from({ length: 100 }, (_, i) => inv(i + 1, i === 0 ? { coldStart: true, initDurationMs: 900 } : { maxMemoryUsedMb: 200 }));
  const [agg] = aggregateInvocations(invs);

  it('timeout risk: p99 + INIT p95 against the timeout', () => {
    // p99 = 99 ms, INIT p95 = 900 ms: 999 ms of a 1 s timeout = 99.9 % -> warning
    const row = buildFunctionRow(agg, { timeoutSec: 1, memoryMb: 1024, architecture: 'x86_64' });
    const t = row.advice.find((a) => a.kind === 'timeout-risk')!;
    assert.equal(t.severity, 'warning');
    close(t.value, 0.999);
    assert.match(t.formula, /\(99 ms p99 \+ 900 ms INIT p95\) \/ 1000 ms = 99\.9%/);
    const ok = buildFunctionRow(agg, { timeoutSec: 3, memoryMb: 1024 });
    assert.equal(ok.advice.some((a) => a.kind === 'timeout-risk'), false);
    const over = buildFunctionRow(agg, { timeoutSec: 0.5 as number, memoryMb: 1024 });
    assert.equal(over.advice.find((a) => a.kind === 'timeout-risk')!.severity, 'critical');
  });

  it('memory right-sizing when used memory is known: 200 MB used of 1024 -> 320 MB', () => {
    assert.equal(rightSizedMemoryMb(200), 320); // ceil(200 × 1.5 / 64) × 64 = ceil(4.6875) × 64
    const row = buildFunctionRow(agg, { memoryMb: 1024, architecture: 'arm64' });
    const m = row.advice.find((a) => a.kind === 'memory-oversized')!;
    assert.equal(m.value, 320);
    const tight = buildFunctionRow(agg, { memoryMb: 210 });
    assert.equal(tight.advice.find((a) => a.kind === 'memory-tight')!.severity, 'warning');
  });

  it('arm64 difference for the same duration, only for x86 functions', () => {
    const x86 = buildFunctionRow(agg, { memoryMb: 1024, architecture: 'x86_64' });
    const a = x86.advice.find((x) => x.kind === 'arm64-savings')!;
    // same GB-s, price difference (0.0000166667 - 0.0000133334) per GB-s
    const c = x86.cost;
    close(a.value, c.gbSecondsPerInvocation * (0.0000166667 - 0.0000133334) * (c.invocationsPerMonth as number), 1e-6);
    const arm = buildFunctionRow(agg, { memoryMb: 1024, architecture: 'arm64' });
    assert.equal(arm.advice.some((x) => x.kind === 'arm64-savings'), false);
  });

  it('cold-start share of total latency', () => {
    const row = buildFunctionRow(agg, { memoryMb: 1024 });
    const s = row.advice.find((a) => a.kind === 'cold-start-share')!;
    // INIT 900 ms / (900 + (1 + ... + 100) = 5050 ms) = 900 / 5950
    close(s.value, 900 / 5950);
    assert.equal(s.severity, 'warning');
  });

  it('a function row takes memory from the infrastructure over faas.max_memory, else assumes 128 MB', () => {
    assert.deepEqual([buildFunctionRow(agg, { memoryMb: 1024 }).memorySource, buildFunctionRow(agg).memorySource, buildFunctionRow(agg).memoryMb], ['infrastructure', 'assumed', 128]);
    assert.equal(adviseFunction(agg, undefined, undefined, undefined).length, 1); // only the cold-start share without cost
  });
});

describe('cost: formatting', () => {
  it('shows USD with 4 significant digits and no exponent', () => {
    assert.deepEqual([2.9166685e-7, 0.2, 0.0000166667, 0.05, 1234.567, 0].map(formatUsd), ['$0.0000002917', '$0.20', '$0.00001667', '$0.05', '$1234.57', '$0']);
  });
});
