// The insights behind lenses, line hints and hovers, on a temp copy of the samApp fixture workspace and a
// temp store filled by the real importer from test/fixtures/samAppTraces (made by the real OTel SDK; see
// its generate.ts for how every figure below follows from the spans).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { importPaths } from '../../src/sources/fileImport';
import { InsightsService } from '../../src/sources/insights/insightsService';
import { openStore, type FileTraceStore } from '../../src/sources/store/fileTraceStore';
import { tempDir } from './storeHelpers';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const CAPTURED = path.join(FIXTURES, 'traces');

describe('InsightsService on the samApp workspace', () => {
  let dir: string;
  let ws: string;
  let store: FileTraceStore;
  let service: InsightsService;

  beforeEach(async () => {
    dir = tempDir('ti-insights-');
    ws = path.join(dir, 'ws');
    fs.cpSync(path.join(FIXTURES, 'samApp'), ws, { recursive: true });
    store = await openStore(path.join(dir, 'store'));
    // a debounce longer than any test: appends are merged until idle() flushes them, however slow the machine
    service = new InsightsService({ root: ws, debounceMs: 60_000 });
  });
  afterEach(async () => {
    service.dispose();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const lensTexts = (file: string) => (service.forFile(file)?.handlers ?? []).map((h) => [h.line, h.where, h.insight.texts ? Object.values(h.insight.texts) : 'no traces']);

  it('puts latency, cold start and cost lens texts on each handler and on its declaration', async () => {
    await importPaths([path.join(FIXTURES, 'samAppTraces')], store);
    await service.start(store);
    assert.deepEqual(lensTexts('orders/index.js'), [[44, 'handler', [
      '$(pulse) p50 195 ms · p95 285 ms · p99 295 ms · 40 calls · 5% errors',
      '$(snowflake) 10% cold · init p95 630 ms',
      '$(credit-card) $2.36 per 1M · ~$3.16/month',
    ]]]);
    assert.deepEqual(lensTexts('orders_py/lambda_function.py'), [[36, 'handler', [
      '$(pulse) p50 7.6 s · p95 9.6 s · p99 9.6 s · 10 calls · 0% errors',
      '$(snowflake) 10% cold · init p95 900 ms',
      '$(credit-card) $65.95 per 1M · ~$9.54/month',
    ]]]);
    const template = service.forFile('template.yaml')?.handlers ?? [];
    assert.deepEqual(template.map((h) => [h.line, h.where, h.insight.fn.name]), [[18, 'declaration', 'OrdersFunction'], [35, 'declaration', 'OrdersPythonFunction']]);
    assert.equal(template[0].insight.texts?.latency, '$(pulse) p50 195 ms · p95 285 ms · p99 295 ms · 40 calls · 5% errors');
  });

  it('gives mapped source lines their p95, count and error rate, and no hint on the handler line itself', async () => {
    await importPaths([path.join(FIXTURES, 'samAppTraces')], store);
    await service.start(store);
    assert.deepEqual(service.forFile('orders/index.js')?.lines.map((l) => [l.line, l.text, l.spanNames]), [
      [19, 'p95 60 ms · 40 calls · 5% errors', ['GET']],
      [36, 'p95 19 ms · 45 calls', ['DynamoDB.GetItem']],
    ]);
    assert.deepEqual(service.forFile('orders_py/lambda_function.py')?.lines.map((l) => [l.line, l.text]), [[22, 'p95 8.6 s · 10 calls']]);
  });

  it('knows the cold/warm split, the traces worth opening, the timeout risk and the N+1 finding', async () => {
    await importPaths([path.join(FIXTURES, 'samAppTraces')], store);
    await service.start(store);
    const [node, py] = service.snapshot.functions;
    assert.equal(node.fn.name, 'OrdersFunction');
    assert.deepEqual(node.traceNames, ['orders-api-OrdersFunction-9XK2L']);
    // cold: i = 0, 10, 20, 30 (100, 150, 200, 250 ms); warm: 100 + 5i for the other 36, so nearest rank
    // 18 is i = 19 (195 ms), rank 35 is i = 38 (290 ms), rank 36 is i = 39 (295 ms)
    assert.deepEqual(node.cold, { count: 4, p50Ms: 150, p95Ms: 250, p99Ms: 250 });
    assert.deepEqual(node.warm, { count: 36, p50Ms: 195, p95Ms: 290, p99Ms: 295 });
    assert.equal(node.timeoutRisk, undefined);
    const slowest = await store.getTrace(node.slowestTraceId ?? '');
    assert.equal(Math.max(...(slowest?.spans ?? []).map((s) => ((s.endUnixUs ?? 0) - s.startUnixUs) / 1000)), 295);
    const failed = await store.getTrace(node.latestErrorTraceId ?? '');
    assert.ok(failed?.spans.some((s) => s.attributes['url.full'] === 'http://127.0.0.1:8081/v1/stock/SKU-4427'), 'the latest failure is invocation 27');
    assert.deepEqual(node.findings.map((f) => [f.kind, f.traces]), [['n-plus-one', 1]]);
    assert.match(node.findings[0].message, /DynamoDB\.GetItem .*ran 6 times in one invocation of orders-api-OrdersFunction-9XK2L/);
    assert.equal(py.timeoutRisk?.severity, 'critical');
    assert.equal(py.timeoutRisk?.message, 'p99 + INIT p95 (10500 ms) exceeds the 10 s timeout: the slowest cold invocations time out');
    assert.equal(py.row?.costFormulas.per1M, '$0.00006595 × 1,000,000 = $65.95');
  });

  it('says which handlers have no traces, and follows appends (debounced) without rereading the workspace', async () => {
    await service.start(store);
    assert.deepEqual(lensTexts('orders/index.js'), [[44, 'handler', 'no traces']]);
    let changes = 0;
    service.onDidChange(() => changes++);
    await importPaths([CAPTURED], store);
    await service.idle();
    assert.equal(changes, 1, 'two imported files make one recomputation');
    // the captured pair: one cold invocation (112.558 ms), one failing warm one (54.666 ms)
    assert.deepEqual(lensTexts('orders/index.js'), [[44, 'handler', [
      '$(pulse) p50 55 ms · p95 113 ms · p99 113 ms · 2 calls · 50% errors',
      '$(snowflake) 50% cold',
      '$(credit-card) $0.90 per 1M · ~$1.46/month',
    ]]]);
    assert.deepEqual(lensTexts('orders_py/lambda_function.py'), [[36, 'handler', 'no traces']]);
  });

  it('moves the lens when the handler moves in the file, and maps trace names through functionMap', async () => {
    await importPaths([CAPTURED], store);
    await service.start(store);
    const file = path.join(ws, 'orders/index.js');
    fs.writeFileSync(file, `// a comment\n// another\n${fs.readFileSync(file, 'utf8')}`);
    service.workspaceChanged();
    await service.idle();
    assert.deepEqual(service.forFile('orders/index.js')?.handlers.map((h) => h.line), [46]);
    await service.setFunctionMap({ 'orders-api-OrdersFunction-9XK2L': 'OrdersPythonFunction' });
    assert.equal(service.forFile('orders/index.js')?.handlers[0].insight.texts, undefined);
    assert.match(service.forFile('orders_py/lambda_function.py')?.handlers[0].insight.texts?.latency ?? '', /2 calls/);
  });
});

describe('InsightsService on a Serverless Framework workspace', () => {
  it('puts the lens on the handler and on its key in serverless.yml, matched by the service-stage-function name', async () => {
    const root = tempDir('ti-insights-sls-');
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'serverless.yml'), 'service: orders\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  region: us-east-1\nfunctions:\n  getOrder:\n    handler: src/handler.get\n    timeout: 3\n');
    fs.writeFileSync(path.join(root, 'src/handler.js'), "'use strict';\n\nmodule.exports.get = async (event) => {\n  return { statusCode: 200 };\n};\n");
    const service = new InsightsService({ root });
    try {
      await service.start(undefined);
      const T0 = Date.UTC(2026, 10, 20) * 1000;
      // ten invocations of 2.5 s + 10 ms * i; the last is cold
      await service.ingest(Array.from({ length: 10 }, (_, i) => {
        const traceId = (i + 1).toString(16).padStart(32, 'a');
        return {
          traceId,
          spans: [{
            traceId, spanId: (i + 1).toString(16).padStart(16, '0'), name: 'orders-dev-getOrder', kind: 'server' as const,
            startUnixUs: T0 + i * 60_000_000, endUnixUs: T0 + i * 60_000_000 + (2500 + 10 * i) * 1000,
            status: { code: 'unset' as const }, attributes: { 'faas.coldstart': i === 9 }, events: [], links: [],
            resource: { attributes: { 'faas.name': 'orders-dev-getOrder', 'cloud.platform': 'aws_lambda', 'cloud.region': 'us-east-1' } },
            scope: { name: 'test' }, origin: { format: 'otlp-json' as const, source: 'test' },
          }],
        };
      }));
      const at = (f: string) => service.forFile(f)?.handlers.map((h) => [h.line, h.where, h.insight.texts?.latency, h.insight.texts?.cold]);
      const expected = ['$(pulse) p50 2.5 s · p95 2.6 s · p99 2.6 s · 10 calls · 0% errors', '$(snowflake) 10% cold'];
      assert.deepEqual(at('src/handler.js'), [[3, 'handler', ...expected]]);
      assert.deepEqual(at('serverless.yml'), [[7, 'declaration', ...expected]]);
      // p99 2590 ms is 86.3% of the 3 s timeout
      assert.equal(service.snapshot.functions[0].timeoutRisk?.message, 'p99 + INIT p95 (2590 ms) is 86.3% of the 3 s timeout');
    } finally {
      service.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
