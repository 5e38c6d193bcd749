import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as AWSXRay from 'aws-xray-sdk-core';
import { mergeSpans } from '../../src/core/trace';
import { decodeXRay } from '../../src/core/xray';

// Documents made by the real aws-xray-sdk-core in this process (what it would send to the daemon:
// `Segment.format()`), so the stack frames point into this very file.
describe('decodeXRay: documents from the live aws-xray-sdk-core', () => {
  before(() => AWSXRay.setContextMissingStrategy('IGNORE_ERROR'));

  function failingHandler(): { seg: AWSXRay.Segment; inProgress: string } {
    const seg = new AWSXRay.Segment('orders-svc');
    seg.addAnnotation('orderId', 'o-7');
    const handler = seg.addNewSubsegment('## handler');
    const ddb = handler.addNewSubsegment('DynamoDB');
    ddb.namespace = 'aws';
    ddb.addAttribute('aws', { operation: 'GetItem', region: 'eu-west-1', table_name: 'Orders' });
    ddb.close();
    const inProgress = seg.format();
    handler.addError(new Error('card declined')); // XRAY_SDK_ERROR_LINE
    handler.close();
    seg.close();
    return { seg, inProgress };
  }

  it('maps the segment, its subsegments and the error with frames in this file', () => {
    const { seg } = failingHandler();
    const r = decodeXRay(seg.format(), 'sdk');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.spans.map((s) => [s.name, s.kind, s.parentSpanId === undefined ? null : r.spans.findIndex((p) => p.spanId === s.parentSpanId)]), [
      ['orders-svc', 'server', null], ['## handler', 'internal', 0], ['DynamoDB', 'client', 1],
    ]);
    const [root, handler, ddb] = r.spans;
    assert.equal(root.traceId, seg.trace_id.replace(/-/g, '').slice(1));
    assert.equal(root.spanId, seg.id);
    assert.deepEqual(root.xray?.annotations, { orderId: 'o-7' });
    assert.deepEqual(root.scope, { name: 'X-Ray for Node.js', version: '3.12.0' });
    assert.deepEqual(handler.status, { code: 'error', message: 'card declined' });
    assert.equal(handler.xray?.workingDirectory, process.cwd());
    const expectedLine = fs.readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.includes('// XRAY_SDK_ERROR_LINE')) + 1;
    assert.deepEqual(handler.xray?.exceptions?.[0].stack[0], { path: __filename, line: expectedLine, label: 'failingHandler' });
    assert.deepEqual([ddb.attributes['rpc.method'], ddb.attributes['aws.dynamodb.table_names'], ddb.attributes['cloud.region']], ['GetItem', ['Orders'], 'eu-west-1']);
  });

  it('an in-progress copy sent first is replaced by the closed segment', () => {
    const { seg, inProgress } = failingHandler();
    const early = decodeXRay(inProgress, 'early').spans;
    assert.deepEqual(early.map((s) => [s.name, s.endUnixUs === undefined]), [['orders-svc', true], ['## handler', true], ['DynamoDB', false]]);
    const merged = mergeSpans(early, decodeXRay(seg.format(), 'late').spans);
    assert.equal(merged.length, 3);
    assert.ok(merged.every((s) => s.endUnixUs !== undefined));
    assert.equal(merged[1].status.code, 'error');
  });
});
