import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DecodeResult, Span } from '../../src/core/model';
import { buildTraceTree, mergeSpans } from '../../src/core/trace';
import { decodeXRay, decodeXRayDatagram } from '../../src/core/xray';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const read = (rel: string) => fs.readFileSync(path.join(corpus, rel));
const decodeFile = (rel: string) => decodeXRay(read(rel).toString('utf8'), rel);
const withoutOrigin = (r: DecodeResult) => r.spans.map((s) => ({ ...s, origin: undefined }));

function named(spans: Span[], name: string): Span {
  const s = spans.find((x) => x.name === name);
  assert.ok(s, name);
  return s;
}

/** The JSON after "Output::" in an aws-cli RST example (indented block). */
function rstOutput(rst: string): string {
  const lines = rst.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Output::') + 1;
  const block: string[] = [];
  for (const l of lines.slice(start)) {
    if (l.trim() !== '' && !l.startsWith('    ')) break;
    block.push(l.slice(4));
  }
  return block.join('\n');
}

describe('decodeXRay: captured SDK datagrams and API responses', () => {
  const datagramFiles = [
    ...fs.readdirSync(path.join(corpus, 'captured/udp')).map((f) => `captured/udp/${f}`),
    ...fs.readdirSync(path.join(corpus, 'captured/lambda')).filter((f) => /^(powertools|python-lambda)-\d+\.txt$/.test(f)).map((f) => `captured/lambda/${f}`),
  ];

  it('decodes every captured datagram, as text and as UDP bytes, to the same spans', () => {
    assert.equal(datagramFiles.length, 44);
    let spans = 0;
    for (const f of datagramFiles) {
      const text = decodeFile(f);
      const bytes = decodeXRayDatagram(new Uint8Array(read(f)), `udp:${f}`);
      assert.deepEqual([text.errors, bytes.errors], [[], []], f);
      assert.deepEqual(withoutOrigin(bytes), withoutOrigin(text), f);
      assert.ok(bytes.spans.every((s) => s.origin.source === `udp:${f}` && s.origin.format === 'xray'));
      spans += text.spans.length;
    }
    // 40 Lambda-mode subsegments, plus 1 + 1 Lambda-mode, 4 plain Node, 2 Python in udp/.
    assert.equal(spans, 48);
  });

  it('Node SDK plain segment: resource, annotations, AWS and HTTP calls, stack frames', () => {
    const { spans } = decodeFile('captured/udp/node-sdk-plain-segment.txt');
    assert.deepEqual(spans.map((s) => [s.name, s.kind, s.parentSpanId ?? null, s.status.code]), [
      ['orders-service', 'server', null, 'unset'],
      ['DynamoDB', 'client', 'afb420fb231a27ec', 'unset'],
      ['payments.example.com', 'client', 'afb420fb231a27ec', 'error'],
      ['## processOrder', 'internal', 'afb420fb231a27ec', 'error'],
    ]);
    const root = spans[0];
    assert.equal(root.traceId, '6b0246b80b7a7ddb1c629571c2ad89aa');
    assert.deepEqual(root.xray?.annotations, { orderId: 'o-1001', itemCount: 3 });
    assert.equal(root.attributes['enduser.id'], 'user-42');
    assert.equal(root.resource.attributes['cloud.platform'], 'aws_ec2');
    assert.equal(root.resource.attributes['process.runtime.version'], 'v20.20.2');
    assert.deepEqual(root.scope, { name: 'X-Ray for Node.js', version: '3.12.0' });
    assert.ok(spans.every((s) => s.resource === root.resource), 'subsegments share the segment resource');
    const pay = named(spans, 'payments.example.com');
    assert.equal(pay.status.message, 'Payment provider returned 500');
    assert.equal(pay.attributes['http.response.status_code'], 500);
    const stack = pay.xray?.exceptions?.[0].stack;
    assert.deepEqual(stack?.[0], { path: '/var/task/srcdir/emit-xray-sdk.cjs', line: 12, label: 'chargeCard' });
    assert.deepEqual(stack?.[2], { path: 'node', line: null, label: 'Module._compile' });
  });

  it('Node SDK Lambda mode: subsegments decode alone and, merged, form one tree under the missing facade', () => {
    const ddb = decodeFile('captured/udp/node-sdk-lambda-mode-subsegment-DynamoDB.txt').spans;
    const handler = decodeFile('captured/udp/node-sdk-lambda-mode-subsegment-handler.txt').spans;
    assert.deepEqual([ddb[0].xray?.type, ddb[0].parentSpanId, ddb[0].kind], ['subsegment', 'f7467b992983953d', 'client']);
    assert.deepEqual(handler[0].resource, { attributes: {} });
    const tree = buildTraceTree(mergeSpans(ddb, handler));
    assert.deepEqual(tree.rows.map((r) => [r.depth, r.span.name]), [[0, '## handler'], [1, 'DynamoDB']]);
    assert.deepEqual(tree.orphans.map((s) => [s.spanId, s.parentSpanId]), [['f7467b992983953d', '90c2896f25782866']]);
    assert.equal(handler[0].xray?.workingDirectory, '/var/task/srcdir');
    assert.equal(handler[0].xray?.exceptions?.[0].stack[1].line, 51);
  });

  it('Python SDK datagram: microsecond times, in_progress false, embedded subsegment with its fault', () => {
    const { spans } = decodeFile('captured/udp/python-sdk-datagram.txt');
    // Math.round(seconds * 1e6): 1795311302.7084584 is stored as ...708458.4xx, which the double rounds up.
    assert.deepEqual(spans.map((s) => [s.name, s.startUnixUs, s.endUnixUs, s.parentSpanId]), [
      ['py-orders', 1795311302707904, 1795311302708459, undefined],
      ['DynamoDB', 1795311302708023, 1795311302708427, '11cf45a3527acede'],
    ]);
    const ddb = spans[1];
    assert.deepEqual(ddb.status, { code: 'error', message: 'bad item' });
    assert.deepEqual(ddb.xray?.exceptions?.[0].stack, [{ path: 'emit-xray-sdk-python.py', line: 11, label: '<module>' }]);
  });

  it('Powertools error invocation: the handler points at the child holding the exception', () => {
    const [checkInventory] = decodeFile('captured/lambda/powertools-14.txt').spans;
    assert.equal(checkInventory.name, '### checkInventory');
    assert.equal(checkInventory.xray?.workingDirectory, '/var/task/orders');
    assert.deepEqual(checkInventory.xray?.exceptions?.[0].stack[0], { path: '/var/task/orders/index.js', line: 41, label: 'IncomingMessage.<anonymous>' });
    assert.deepEqual(checkInventory.status, { code: 'error', message: 'inventory service returned 503: {"message":"inventory backend unavailable"}' });
    const [handler] = decodeFile('captured/lambda/powertools-15.txt').spans;
    assert.deepEqual(handler.status, { code: 'error' });
    assert.equal(handler.xray?.extra?.cause_id, checkInventory.spanId);
    assert.equal(handler.xray?.exceptions, undefined);
  });

  it('Python SDK error invocation: relative stack paths and the cause as a bare exception id', () => {
    const [check] = decodeFile('captured/lambda/python-lambda-14.txt').spans;
    assert.deepEqual(check.xray?.exceptions?.[0].stack.map((f) => `${f.path}:${f.line}`),
      ['runtime.py:57', 'runtime.py:47', 'lambda_function.py:47', 'lambda_function.py:30']);
    const [handler] = decodeFile('captured/lambda/python-lambda-15.txt').spans;
    assert.equal(handler.xray?.extra?.cause_id, 'e34d8de64def5a20');
    const [get] = decodeFile('captured/lambda/python-lambda-3.txt').spans;
    assert.equal(get.attributes['http.request.method'], 'GET');
    assert.equal(get.attributes['url.full'], 'http://127.0.0.1:8081/v1/stock/SKU-4410');
    const [ddb] = decodeFile('captured/lambda/python-lambda-1.txt').spans;
    assert.equal(ddb.attributes['rpc.service'], 'DynamoDB');
    assert.equal(ddb.attributes['aws.dynamodb.table_names']?.toString(), 'orders-api-OrdersTable-1R8Q4SPL0WJ3T');
  });

  it('several datagrams in one text (as a capture file holds them) decode like each alone', () => {
    const files = [1, 2, 3, 4, 5].map((i) => `captured/lambda/powertools-${i}.txt`);
    const joined = decodeXRay(files.map((f) => read(f).toString('utf8').trimEnd()).join('\n'), 'joined');
    const alone = files.flatMap((f) => decodeFile(f).spans);
    assert.deepEqual(joined.errors, []);
    assert.deepEqual(withoutOrigin(joined), alone.map((s) => ({ ...s, origin: undefined })));
  });

  it('moto BatchGetTraces response: the Lambda service and function segments, subsegments, unprocessed ids', () => {
    const r = decodeFile('captured/moto-BatchGetTraces-response.json');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.skipped, { unprocessedTraceIds: 1 });
    assert.deepEqual(buildTraceTree(r.spans).rows.map((row) => `${'  '.repeat(row.depth)}${row.span.name}`), [
      'orders-handler', '  orders-handler', '    Initialization', '    Invocation', '      ## handler',
      '        DynamoDB', '        payments.example.com', '    SQS', '    Overhead',
    ]);
    const [service, fn] = r.spans;
    assert.equal(service.xray?.origin, 'AWS::Lambda');
    assert.equal(service.attributes['faas.invocation_id'], 'req-83356f4426427a39');
    assert.equal(service.attributes['http.response.status_code'], 502);
    assert.equal(fn.xray?.origin, 'AWS::Lambda::Function');
    assert.deepEqual(fn.resource.attributes, {
      'service.name': 'orders-handler', 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda', 'cloud.account.id': '123456789012',
      'cloud.resource_id': 'arn:aws:lambda:us-east-1:123456789012:function:orders-handler', 'faas.name': 'orders-handler',
      'cloud.region': 'us-east-1', 'telemetry.sdk.name': 'X-Ray for Node.js', 'telemetry.sdk.version': '3.12.0',
      'aws.log.group.names': ['/aws/lambda/orders-handler'],
    });
    assert.deepEqual(fn.xray?.extra?.cause_paths, ['/var/task/src/handlers/orders.js', '/var/task/node_modules/axios/lib/core/settle.js']);
    const payments = named(r.spans, 'payments.example.com');
    assert.deepEqual(payments.xray?.exceptions, [{ id: '3a4a534628ad2ead', stack: [] }]);
    assert.deepEqual(named(r.spans, 'SQS').attributes, {
      'rpc.system': 'aws-api', 'rpc.service': 'SQS', 'rpc.method': 'SendMessage', 'messaging.system': 'aws_sqs',
      'messaging.destination.name': 'audit', 'cloud.region': 'us-east-1',
    });
  });

  it('several BatchGetTraces pages, as an array or one per line, decode like one', () => {
    const page = JSON.stringify(JSON.parse(read('captured/moto-BatchGetTraces-response.json').toString('utf8')));
    const one = decodeFile('captured/moto-BatchGetTraces-response.json');
    for (const text of [`[${page},${page}]`, `${page}\n${page}\n`]) {
      const r = decodeXRay(text, 'pages');
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.skipped, { unprocessedTraceIds: 2 });
      assert.deepEqual(r.spans.map((s) => s.spanId), [...one.spans, ...one.spans].map((s) => s.spanId));
    }
  });

  it('moto GetTraceSummaries response: no spans, counted as skipped', () => {
    const r = decodeFile('captured/moto-GetTraceSummaries-raw-response.json');
    assert.deepEqual(r, { spans: [], errors: [], skipped: { traceSummaries: 26 } });
  });

  it('aws-cli batch-get-traces example: Scorekeep, its DynamoDB call and the inferred DynamoDB segment', () => {
    const text = rstOutput(read('xray/aws-cli-examples/batch-traces-get.rst').toString('utf8'));
    const r = decodeXRay(text, 'batch-traces-get.rst');
    assert.deepEqual(r.errors, []);
    assert.equal(r.skipped, undefined);
    const tree = buildTraceTree(r.spans);
    assert.deepEqual(tree.rows.map((row) => [row.depth, row.span.name, row.span.xray?.type, row.span.kind]), [
      [0, 'Scorekeep', 'segment', 'server'],
      [1, 'DynamoDB', 'subsegment', 'client'],
      [2, 'DynamoDB', 'inferred', 'server'],
    ]);
    const inferred = tree.rows[2].span;
    assert.equal(inferred.xray?.origin, 'AWS::DynamoDB::Table');
    assert.equal(inferred.parentSpanId, '2d6900034ccfe558');
    assert.equal(inferred.attributes['rpc.method'], 'UpdateItem');
    assert.equal(tree.rows[0].span.startUnixUs, 1568835610432000);
    assert.equal(tree.rows[0].span.attributes['http.request.method'], 'POST');
    assert.equal(tree.rows[0].span.resource.attributes['host.id'], 'i-0e3cf4d2de0f3f37a');
  });

  it('aws-cli get-service-graph example: no spans; the truncated output is an error at its first line', () => {
    const text = rstOutput(read('xray/aws-cli-examples/get-service-graph.rst').toString('utf8'));
    const r = decodeXRay(text, 'get-service-graph.rst');
    assert.equal(r.spans.length, 0);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].line, 2); // the block starts with an empty line
    assert.match(r.errors[0].reason, /^malformed JSON: .*TRUNCA/);
    const complete = decodeXRay(JSON.stringify({ Services: [{ ReferenceId: 0, Name: 'Scorekeep', Edges: [] }] }), 'graph');
    assert.deepEqual(complete, { spans: [], errors: [], skipped: { serviceGraphServices: 1 } });
  });
});
