import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { TraceCodeMapper } from '../../src/sources/workspace/traceCodeMapper';

const lambdaDir = path.resolve(__dirname, '../../../shared/corpus/captured/lambda');

describe('trace -> function -> line over the captured OTel Lambda traces', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-e2e-'));
    fs.cpSync(path.join(lambdaDir, 'handlers/otel'), path.join(dir, 'orders'), { recursive: true });
    // The SAM template this function would have been deployed with (stack orders-api).
    fs.writeFileSync(path.join(dir, 'template.yaml'), 'Transform: AWS::Serverless-2016-10-31\nResources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: orders/\n      Handler: index.handler\n      Runtime: nodejs20.x\n      MemorySize: 512\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('identifies orders-api-OrdersFunction-9XK2L as OrdersFunction and maps the error and the invocation', async () => {
    const mapper = new TraceCodeMapper(dir);
    const fns = await mapper.refresh();
    assert.deepEqual(fns.map((f) => [f.name, f.file, f.line, f.codeDir]), [['OrdersFunction', 'orders/index.js', 44, 'orders']]);
    const spans = [1, 2, 3, 4, 5, 6].flatMap((n) => decodeOtlpJson(fs.readFileSync(path.join(lambdaDir, `otel-lambda-${n}.json`), 'utf8'), `otel-lambda-${n}.json`).spans);
    const all = mapper.mapAll(spans);
    const lambda = all.results.filter((r, i) => spans[i].kind === 'server');
    assert.equal(lambda.length, 6);
    for (const r of lambda) assert.deepEqual([r.identity.confidence, r.identity.function?.name], ['pattern', 'OrdersFunction']);
    const err = lambda[2].location;
    assert.deepEqual([err.file, err.file && err.line, err.file && err.source], ['orders/index.js', 25, 'exception-stack']);
    assert.deepEqual([lambda[0].location.file, lambda[0].location.file && lambda[0].location.line], ['orders/index.js', 44]);
    assert.deepEqual([all.mapped, all.unmapped, all.reasons], [6, 12, { 'no code attributes, stack or function name to map': 12 }], 'DynamoDB and HTTP client spans carry no code location');
  });
});
