import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Span, TraceSummary } from '../../src/core/model';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { summarizeTrace } from '../../src/core/summary';
import { groupByTrace, mergeSpans } from '../../src/core/trace';
import { decodeXRay } from '../../src/core/xray';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const read = (rel: string) => fs.readFileSync(path.join(corpus, rel), 'utf8');

function summaries(spans: Span[]): Omit<TraceSummary, 'traceId'>[] {
  return [...groupByTrace(spans)].map(([id, s]) => {
    const { traceId, ...rest } = summarizeTrace(id, s);
    assert.equal(traceId, id);
    return rest;
  });
}

function capture(prefix: string): Span[] {
  let spans: Span[] = [];
  for (let i = 1; i <= 20; i++) spans = mergeSpans(spans, decodeXRay(read(`captured/lambda/${prefix}-${i}.txt`), `${i}`).spans);
  return spans;
}

describe('summarizeTrace', () => {
  it('Powertools Lambda-mode traces: root is the handler subsegment, cold start on the first only', () => {
    const common = { rootName: '## index.handler', spanCount: 5, functions: [] };
    assert.deepEqual(summaries(capture('powertools')), [
      { ...common, startUnixMs: 1795315748003, durationMs: 64, errorCount: 0, coldStart: true },
      { ...common, startUnixMs: 1795315749871, durationMs: 42, errorCount: 0, coldStart: false },
      { ...common, startUnixMs: 1795315751716, durationMs: 36, errorCount: 3, coldStart: false },
      { ...common, startUnixMs: 1795315753555, durationMs: 34, errorCount: 0, coldStart: false },
    ]);
  });

  it('Python SDK Lambda-mode traces (microsecond times)', () => {
    const s = summaries(capture('python-lambda'));
    assert.deepEqual(s.map((x) => [x.rootName, x.spanCount, x.errorCount, x.coldStart, x.functions]), [
      ['lambda_handler', 5, 0, true, []], ['lambda_handler', 5, 0, false, []],
      ['lambda_handler', 5, 3, false, []], ['lambda_handler', 5, 0, false, []],
    ]);
    // lambda_handler 1795315850.850117 .. 1795315850.8850434 (the latest end).
    assert.equal(s[0].startUnixMs, 1795315850850.117);
    assert.ok(Math.abs(s[0].durationMs - 34.926) <= 0.001, String(s[0].durationMs));
  });

  it('OpenTelemetry Lambda traces: the function span is the root, faas.name the function', () => {
    const spans = [1, 2, 3, 4, 5, 6].flatMap((i) => decodeOtlpJson(read(`captured/lambda/otel-lambda-${i}.json`), `${i}`).spans);
    const s = summaries(spans);
    assert.deepEqual(s.map((x) => [x.rootName, x.spanCount, x.errorCount, x.coldStart, x.functions]),
      [true, false, false, false, true, false].map((cold, i) => ['orders-api-OrdersFunction-9XK2L', 3, i === 2 ? 2 : 0, cold, ['orders-api-OrdersFunction-9XK2L']]));
    assert.deepEqual([s[0].startUnixMs, s[0].durationMs], [1795315617212, 112.558]);
  });

  it('X-Ray BatchGetTraces Lambda trace: the AWS::Lambda segment is the root; faults counted', () => {
    assert.deepEqual(summaries(decodeXRay(read('captured/moto-BatchGetTraces-response.json'), 'moto').spans), [{
      rootName: 'orders-handler', startUnixMs: 1795311581110, durationMs: 448, spanCount: 9, errorCount: 4,
      coldStart: true, functions: ['orders-handler'],
    }]);
  });

  it('a non-Lambda trace, an in-progress span and an empty trace', () => {
    assert.deepEqual(summaries(decodeXRay(read('xray/otel-collector-contrib/ddbSample.txt'), 'd').spans), [{
      rootName: 'DDB', startUnixMs: 1596566305535.414, durationMs: 57.441, spanCount: 18, errorCount: 5, coldStart: false, functions: [],
    }]);
    const [inProgress] = summaries(decodeXRay(read('xray/otel-collector-contrib/minInProgress.txt'), 'p').spans);
    assert.deepEqual([inProgress.rootName, inProgress.durationMs], ['LongOperation', 0]);
    assert.deepEqual(summarizeTrace('00000000000000000000000000000000', []), {
      traceId: '00000000000000000000000000000000', rootName: '', startUnixMs: 0, durationMs: 0, spanCount: 0, errorCount: 0, coldStart: false, functions: [],
    });
  });
});
