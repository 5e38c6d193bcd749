// The analysis over the real captured Lambda data (../shared/corpus/captured/lambda, see its README):
// which invocations were cold, which failed, and the figures that follow, checked by hand.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { aggregateInvocations } from '../../src/core/analysis/aggregates';
import { criticalPath } from '../../src/core/analysis/criticalPath';
import { findFindings } from '../../src/core/analysis/findings';
import { buildFunctionRow } from '../../src/core/analysis/functionReport';
import { extractInvocations } from '../../src/core/analysis/invocations';
import type { Span, Trace } from '../../src/core/model';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { groupByTrace } from '../../src/core/trace';
import { decodeXRay } from '../../src/core/xray';

const DIR = path.resolve(__dirname, '../../../shared/corpus/captured/lambda');

function load(prefix: string, count: number): Trace[] {
  const spans: Span[] = [];
  for (let i = 1; i <= count; i++) {
    const f = prefix === 'otel-lambda-' ? `${prefix}${i}.json` : `${prefix}${i}.txt`;
    const text = fs.readFileSync(path.join(DIR, f), 'utf8');
    const r = prefix === 'otel-lambda-' ? decodeOtlpJson(text, f) : decodeXRay(text, f);
    assert.deepEqual(r.errors, [], f);
    spans.push(...r.spans);
  }
  return [...groupByTrace(spans)].map(([traceId, s]) => ({ traceId, spans: s }));
}

describe('analysis: real captured Lambda data', () => {
  describe('OpenTelemetry (otel-lambda-1..6)', () => {
    const traces = load('otel-lambda-', 6);
    const invs = traces.flatMap((t) => extractInvocations(t));
    const [agg] = aggregateInvocations(invs);

    it('finds 6 invocations of one function, 2 cold (files 1 and 5), 1 failed (file 3)', () => {
      assert.equal(agg.functionName, 'orders-api-OrdersFunction-9XK2L');
      assert.deepEqual([agg.invocations, agg.coldStarts, agg.errors], [6, 2, 1]);
      const cold = invs.filter((v) => v.coldStart).map((v) => v.traceId).sort();
      assert.deepEqual(cold, ['6b02583106f6cf711ec9c88e1f6cc981', 'b41192ef1b5fae7fd4b9b6f76e3ef943']);
      assert.deepEqual(invs.filter((v) => v.fault).map((v) => v.traceId), ['f98d5c0c5597d3b253121ffebc8f0d74']);
      assert.deepEqual(agg.versions.map((v) => v.version), ['$LATEST']);
    });

    it('percentiles and billed duration from the Lambda spans', () => {
      // durations sorted: 34.054, 34.793, 39.848, 54.666, 104.015, 112.558 ms
      assert.equal(agg.duration.p50Ms, 39.848);   // rank ceil(0.5 × 6) = 3
      assert.equal(agg.duration.p95Ms, 112.558);  // rank ceil(0.95 × 6) = 6
      // ceil: 113 + 35 + 40 + 55 + 105 + 35
      assert.equal(agg.billedDurationMsTotal, 383);
      assert.deepEqual([agg.memoryMb, agg.region], [512, 'eu-west-1']); // faas.max_memory 536870912 bytes
    });

    it('prices it in eu-west-1 at 512 MB (x86_64 assumed: the spans do not say)', () => {
      const row = buildFunctionRow(agg);
      assert.deepEqual([row.memorySource, row.architecture, row.architectureSource, row.region], ['faas.max_memory', 'x86_64', 'assumed', 'eu-west-1']);
      const perInv = 0.2 / 1e6 + ((383 / 6) / 1000) * (512 / 1024) * 0.0000166667;
      assert.ok(Math.abs(row.costPerInvocationUsd - perInv) < 1e-15);
      // observed window: first start 1795315617212 ms to last 1795315763008 ms = 145 796 ms
      const perMonth = perInv * 6 * (30 * 86_400_000 / 145_796);
      assert.ok(Math.abs((row.costPerMonthUsd as number) - perMonth) < 1e-9);
      assert.equal(row.initBilled, true);
    });

    it('the W3C and xray-lambda propagated invocations show their missing upstream parents as info', () => {
      const f = findFindings(traces);
      assert.deepEqual(f.map((x) => [x.kind, x.severity, x.traceId]).sort(), [
        ['missing-parent', 'info', '19932ef7da6f0dea60d30a480380c5b6'],
        ['missing-parent', 'info', '6b02583106f6cf711ec9c88e1f6cc981'],
        ['missing-parent', 'info', '6b0258331afc41c022d4b8b51fe05eb3'],
      ]);
    });

    it('critical path of the failing invocation runs through the Lambda span, GetItem and the 503 call', () => {
      const t = traces.find((x) => x.traceId === 'f98d5c0c5597d3b253121ffebc8f0d74')!;
      const cp = criticalPath(t.spans);
      const names = cp.spanIds.map((id) => t.spans.find((s) => s.spanId === id)!.name);
      assert.deepEqual(names, ['orders-api-OrdersFunction-9XK2L', 'DynamoDB.GetItem', 'GET']);
      assert.equal(cp.totalMs, 54.666);
    });
  });

  for (const [prefix, handler, durations] of [
    ['powertools-', 'index.handler', [64, 42, 36, 34]],
    ['python-lambda-', 'lambda_handler', [34.927, 38.855, 30.201, 44.471]],
  ] as const) {
    describe(`X-Ray SDK Lambda mode (${prefix}1..20)`, () => {
      const traces = load(prefix, 20);
      const invs = traces.flatMap((t) => extractInvocations(t));

      it('one invocation per handler subsegment: first cold, third failed', () => {
        const byStart = [...invs].sort((a, b) => a.startUnixUs - b.startUnixUs);
        assert.deepEqual(byStart.map((v) => [v.functionName, v.coldStart, v.fault, v.durationMs]), durations.map((d, i) => [handler, i === 0, i === 2, d]));
      });

      it('aggregates: error rate 1/4, cold-start rate 1/4', () => {
        const [a] = aggregateInvocations(invs);
        assert.deepEqual([a.invocations, a.errorRate, a.coldStartRate], [4, 0.25, 0.25]);
      });

      it('the never-sent Lambda facade parent is an info finding, not a warning', () => {
        const f = findFindings(traces);
        assert.equal(f.length, 4);
        assert.ok(f.every((x) => x.kind === 'missing-parent' && x.severity === 'info'));
      });
    });
  }
});
