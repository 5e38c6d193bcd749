import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Span } from '../../src/core/model';
import { spanDurationMs } from '../../src/core/model';
import { buildTraceTree } from '../../src/core/trace';
import { decodeXRay } from '../../src/core/xray';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const collector = path.join(corpus, 'xray/otel-collector-contrib');

function decodeFile(rel: string) {
  return decodeXRay(fs.readFileSync(path.join(corpus, rel), 'utf8'), rel);
}

function only(spans: Span[], name: string): Span {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `exactly one span named ${name}`);
  return found[0];
}

function byId(spans: Span[], id: string): Span {
  const s = spans.find((x) => x.spanId === id);
  assert.ok(s, `span ${id}`);
  return s;
}

describe('decodeXRay: OTel Collector X-Ray receiver corpus', () => {
  // file -> [spans, errors]: every file in the folder, so a new file without an expectation fails.
  const expected: Record<string, [number, number]> = {
    'awsMissingAwsField.txt': [1, 0],
    'awsValidAwsFields.txt': [1, 0],
    'ddbSample.txt': [18, 0],
    'indepSubsegment.txt': [1, 0],
    'indepSubsegmentWithInvalidSqlUrl.txt': [1, 0],
    'indepSubsegmentWithSql.txt': [1, 0],
    'invalidNamespace.txt': [18, 0],
    'minCauseIsExceptionId.txt': [1, 0],
    'minCauseIsInvalid.txt': [1, 1],
    'minInProgress.txt': [1, 0],
    'minOtherFields.txt': [1, 0],
    'segmentValidationFailed.txt': [0, 1],
    'serverSample.txt': [1, 0],
    'contrib-main/awsValidAwsFields.txt': [1, 0],
    'contrib-main/indepSubsegmentWithContentLengthString.txt': [1, 0],
    'contrib-main/indepSubsegmentWithLocalNamespace.txt': [1, 0],
    'contrib-main/segmentWithParentId.txt': [1, 0],
    'udp-wire-format/ddbSample.txt': [18, 0],
    'udp-wire-format/originEBField.txt': [1, 0],
    'udp-wire-format/serverSample.txt': [1, 0],
  };

  it('decodes every file of the folder with the expected span and error counts', () => {
    const files = ['', 'contrib-main', 'udp-wire-format'].flatMap((dir) =>
      fs.readdirSync(path.join(collector, dir)).filter((f) => f.endsWith('.txt')).map((f) => (dir ? `${dir}/${f}` : f)));
    assert.deepEqual(files.sort(), Object.keys(expected).sort());
    for (const f of files) {
      const r = decodeFile(`xray/otel-collector-contrib/${f}`);
      assert.deepEqual([r.spans.length, r.errors.length], expected[f], f);
    }
  });

  it('ddbSample: the Go SDK trace with its DynamoDB calls, fault and stack frames', () => {
    const { spans } = decodeFile('xray/otel-collector-contrib/ddbSample.txt');
    assert.ok(spans.every((s) => s.traceId === '5f29ab21d4ebf299219a65bd5c31d6da'));
    const root = only(spans, 'DDB');
    assert.equal(root.spanId, '88ad1df59cd7a7be');
    assert.equal(root.parentSpanId, undefined);
    assert.equal(root.kind, 'server');
    assert.equal(root.startUnixUs, 1596566305535414);
    assert.equal(root.endUnixUs, 1596566305592855);
    assert.deepEqual(root.status, { code: 'error', message: 'ResourceNotFoundException: Requested resource not found' });
    assert.equal(root.xray?.type, 'segment');
    assert.equal(root.xray?.fault, true);
    assert.equal(root.resource.attributes['service.name'], 'DDB');
    assert.equal(root.resource.attributes['telemetry.sdk.name'], 'X-Ray for Go');
    assert.equal(root.attributes['enduser.id'], 'xraysegmentdump');

    const ddb = spans.filter((s) => s.name === 'dynamodb');
    assert.deepEqual(ddb.map((s) => [s.spanId, s.kind, s.attributes['rpc.method'], s.attributes['aws.dynamodb.table_names'], s.attributes['http.response.status_code'], s.status.code]), [
      ['7318c46a385557f5', 'client', 'DescribeTable', ['xray_sample_table'], 200, 'unset'],
      ['71631df3f58bdfc5', 'client', 'PutItem', ['does_not_exist'], 400, 'error'],
    ]);
    const put = ddb[1];
    assert.equal(put.parentSpanId, '7df694142c905d8d');
    assert.equal(put.attributes['rpc.system'], 'aws-api');
    assert.equal(put.attributes['rpc.service'], 'DynamoDB');
    assert.equal(put.attributes['aws.request.id'], 'TJUJNR0JV84CFHJL93D3GIA0LBVV4KQNSO5AEMVJF66Q9ASUAAJG');
    assert.equal(put.attributes['cloud.region'], 'us-west-2');
    assert.equal(put.xray?.aws?.operation, 'PutItem');
    assert.equal(put.xray?.workingDirectory, '/home/ubuntu/opentelemetry-collector-contrib/receiver/awsxrayreceiver/testdata/rawsegment/sampleapp');
    const ex = put.xray?.exceptions?.[0];
    assert.equal(ex?.type, 'dynamodb.ResourceNotFoundException');
    assert.equal(ex?.remote, true);
    assert.equal(ex?.stack.length, 10);
    assert.deepEqual(ex?.stack[4], { path: 'sampleapp/sample.go', line: 62, label: 'ddbExpectedFailure.func1' });
    assert.deepEqual(ex?.stack.filter((f) => f.path === 'sampleapp/sample.go').map((f) => f.line), [62, 41, 36]);
    assert.equal(put.events.length, 1);
    assert.equal(put.events[0].name, 'exception');
    assert.equal(put.events[0].attributes['exception.type'], 'dynamodb.ResourceNotFoundException');
    assert.match(String(put.events[0].attributes['exception.stacktrace']), /\n {4}at ddbExpectedFailure\.func1 \(sampleapp\/sample\.go:62\)\n/);

    // The nested Go SDK phases keep their shape: attempt > connect > dns/dial/tls.
    const tree = buildTraceTree(spans);
    assert.deepEqual(tree.rows.map((r) => `${'  '.repeat(r.depth)}${r.span.name}`), [
      'DDB', '  DDB.DescribeExistingTableAndPutToMissingTable', '    dynamodb', '      marshal', '      attempt',
      '        connect', '          dns', '          dial', '          tls', '        request', '        response',
      '      unmarshal', '    dynamodb', '      marshal', '      attempt', '        request', '        response', '      wait',
    ]);
    assert.equal(spans.filter((s) => s.status.code === 'error').length, 5);
  });

  it('the daemon wire format of ddbSample decodes to the same spans', () => {
    const plain = decodeFile('xray/otel-collector-contrib/ddbSample.txt').spans;
    const wire = decodeFile('xray/otel-collector-contrib/udp-wire-format/ddbSample.txt').spans;
    const strip = (s: Span) => ({ ...s, origin: undefined });
    assert.deepEqual(wire.map(strip), plain.map(strip));
  });

  it('keeps an unknown namespace raw and treats the call as internal', () => {
    const { spans } = decodeFile('xray/otel-collector-contrib/invalidNamespace.txt');
    const s = byId(spans, '7318c46a385557f5');
    assert.equal(s.xray?.namespace, 'invalidNs');
    assert.equal(s.kind, 'internal');
  });

  it('serverSample: HTTP server segment with OTel HTTP attributes', () => {
    const [s] = decodeFile('xray/otel-collector-contrib/serverSample.txt').spans;
    assert.equal(s.traceId, '5f2aebccb475d14618c51eaa28753d37');
    assert.equal(s.kind, 'server');
    assert.deepEqual(s.status, { code: 'unset' });
    assert.deepEqual(s.attributes, {
      'http.request.method': 'GET', 'url.full': 'http://localhost:8000/', 'server.address': 'localhost',
      'client.address': '127.0.0.1', 'user_agent.original': 'Go-http-client/1.1', 'http.response.status_code': 200,
    });
    assert.equal(spanDurationMs(s), 0.194);
    assert.deepEqual(s.xray?.extra, { service: { compiler_version: 'go1.14.6', compiler: 'gc' }, Dummy: false });
  });

  it('aws fields become resource attributes (account, EC2 host, region from the zone)', () => {
    const [s] = decodeFile('xray/otel-collector-contrib/contrib-main/awsValidAwsFields.txt').spans;
    assert.deepEqual(s.resource.attributes, {
      'service.name': 'SampleServer', 'cloud.provider': 'aws', 'cloud.account.id': '000000000000',
      'cloud.region': 'us-west-2', 'cloud.availability_zone': 'us-west-2c', 'host.id': 'i-075ad396f12bc325a',
      'host.type': 'm5.xlarge', 'host.image.id': 'ami-003634241a8fcdec0', 'container.id': 'd8453812a556',
      'telemetry.sdk.name': 'X-Ray for Go', 'telemetry.sdk.version': '1.1.0',
    });
    assert.equal((s.xray?.aws?.elastic_beanstalk as Record<string, unknown>).environment_name, 'scorekeep');
  });

  it('origin maps to cloud.platform', () => {
    const [s] = decodeFile('xray/otel-collector-contrib/udp-wire-format/originEBField.txt').spans;
    assert.equal(s.xray?.origin, 'AWS::ElasticBeanstalk::Environment');
    assert.equal(s.resource.attributes['cloud.platform'], 'aws_elastic_beanstalk');
  });

  it('an in-progress segment has no end', () => {
    const [s] = decodeFile('xray/otel-collector-contrib/minInProgress.txt').spans;
    assert.equal(s.name, 'LongOperation');
    assert.equal(s.endUnixUs, undefined);
    assert.equal(spanDurationMs(s), undefined);
  });

  it('a segment with parent_id keeps it as parent', () => {
    const [s] = decodeFile('xray/otel-collector-contrib/contrib-main/segmentWithParentId.txt').spans;
    assert.equal(s.parentSpanId, 'bda182a644eee9b3');
    assert.equal(s.xray?.type, 'segment');
  });

  it('cause given as an exception id: error status, id kept', () => {
    const [s] = decodeFile('xray/otel-collector-contrib/minCauseIsExceptionId.txt').spans;
    assert.deepEqual(s.status, { code: 'error' });
    assert.equal(s.xray?.extra?.cause_id, 'abcdefghijklmnop');
    assert.equal(s.xray?.exceptions, undefined);
  });

  it('an invalid cause is reported and the span still kept', () => {
    const r = decodeFile('xray/otel-collector-contrib/minCauseIsInvalid.txt');
    assert.equal(r.spans[0].status.code, 'error');
    assert.deepEqual(r.errors, [{
      source: 'xray/otel-collector-contrib/minCauseIsInvalid.txt', line: 1,
      reason: 'cause is neither an object nor an exception id (got 200); ignored (id 5cc4a447f5d4d696)',
    }]);
  });

  it('a document without start_time is an error naming the segment', () => {
    const r = decodeFile('xray/otel-collector-contrib/segmentValidationFailed.txt');
    assert.deepEqual(r.errors, [{
      source: 'xray/otel-collector-contrib/segmentValidationFailed.txt', line: 1, reason: 'missing start_time (id bda182a644eee9b3)',
    }]);
  });

  it('minOtherFields: throttle, origin and a non-ARN resource_arn kept raw', () => {
    const [s] = decodeFile('xray/otel-collector-contrib/minOtherFields.txt').spans;
    assert.equal(s.xray?.type, 'subsegment');
    assert.equal(s.parentSpanId, 'defdfd9912dc5a56');
    assert.equal(s.xray?.throttle, true);
    assert.equal(s.xray?.origin, 'AWS::EC2::Instance');
    assert.deepEqual(s.status, { code: 'unset' });
    assert.equal(s.xray?.extra?.resource_arn, 'chicken');
  });

  it('independent subsegments: remote HTTP call, content_length as a string, local namespace', () => {
    const [http] = decodeFile('xray/otel-collector-contrib/indepSubsegment.txt').spans;
    assert.deepEqual([http.kind, http.parentSpanId, http.traceId], ['client', 'defdfd9912dc5a56', '581cf771a006649127e371903a2de979']);
    assert.deepEqual(http.attributes, {
      'http.request.method': 'POST', 'url.full': 'https://api.example.com/health', 'server.address': 'api.example.com',
      'http.response.status_code': 200, 'http.response.body.size': 861,
    });
    assert.equal(http.xray?.extra?.traced, true);
    const [str] = decodeFile('xray/otel-collector-contrib/contrib-main/indepSubsegmentWithContentLengthString.txt').spans;
    assert.equal(str.attributes['http.response.body.size'], 861);
    assert.equal((str.xray?.http?.response as Record<string, unknown>).content_length, '861');
    const [local] = decodeFile('xray/otel-collector-contrib/contrib-main/indepSubsegmentWithLocalNamespace.txt').spans;
    assert.deepEqual([local.kind, local.xray?.namespace], ['internal', 'local']);
  });

  it('SQL subsegments map to db.* attributes', () => {
    for (const f of ['indepSubsegmentWithSql.txt', 'indepSubsegmentWithInvalidSqlUrl.txt']) {
      const [s] = decodeFile(`xray/otel-collector-contrib/${f}`).spans;
      assert.equal(s.kind, 'client');
      assert.equal(s.attributes['db.statement'], 'SELECT  *  FROM  customers  WHERE  customer_id=?;');
      assert.equal(s.attributes['db.system'], 'postgresql');
      assert.equal(s.attributes['db.user'], 'dbuser');
      assert.equal(s.xray?.sql?.database_version, '9.5.4');
    }
  });

  it('AWS calls of other services get their semantic attributes (aws fields as the Node SDK names them)', () => {
    const call = (name: string, aws: Record<string, unknown>) => decodeXRay(JSON.stringify({
      trace_id: '1-5f187253-6a106696d56b1f4ef9eba2ed', id: 'aaaaaaaaaaaaaaaa', parent_id: 'bbbbbbbbbbbbbbbb', type: 'subsegment',
      namespace: 'aws', name, start_time: 1595437651.5, end_time: 1595437652, aws,
    }), 't').spans[0].attributes;
    assert.deepEqual(call('Lambda', { operation: 'Invoke', region: 'eu-west-1', function_name: 'arn:aws:lambda:eu-west-1:123456789012:function:billing:live' }), {
      'rpc.system': 'aws-api', 'rpc.service': 'Lambda', 'rpc.method': 'Invoke', 'faas.invoked_name': 'billing',
      'faas.invoked_provider': 'aws', 'faas.invoked_region': 'eu-west-1', 'cloud.region': 'eu-west-1',
    });
    assert.equal(call('SNS', { operation: 'Publish', topic_arn: 'arn:aws:sns:eu-west-1:123456789012:orders-events' })['messaging.destination.name'], 'orders-events');
    const s3 = call('S3', { operation: 'GetObject', bucket_name: 'invoices', key: '2026/11/a.pdf' });
    assert.deepEqual([s3['aws.s3.bucket'], s3['aws.s3.key']], ['invoices', '2026/11/a.pdf']);
    assert.deepEqual(call('DynamoDB', { operation: 'BatchGetItem', table_names: ['a', 'b'] })['aws.dynamodb.table_names'], ['a', 'b']);
  });
});
