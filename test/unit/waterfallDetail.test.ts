import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeXRay } from '../../src/core/xray';
import { SpanFlag, isWebviewMessage } from '../../src/shared/protocol';
import { toCompactTrace } from '../../src/core/waterfall/compactTrace';
import { parseStackTrace, spanDetail } from '../../src/core/waterfall/spanDetail';
import { lambdaColdStartTrace } from '../e2e/fixtures';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

describe('waterfall: a real X-Ray capture (ddbSample.txt, Go SDK -> DynamoDB)', () => {
  const file = path.join(CORPUS, 'xray/otel-collector-contrib/ddbSample.txt');
  const decoded = decodeXRay(fs.readFileSync(file, 'utf8'), file);
  const { payload: t, order } = toCompactTrace({ traceId: decoded.spans[0].traceId, spans: decoded.spans });

  it('lays out all 18 segments and subsegments in tree order', () => {
    const rows = Array.from(t.depth, (d, i) => `${' '.repeat(d)}${t.strings[t.nameStr[i]]}`);
    assert.deepEqual(rows, [
      'DDB', ' DDB.DescribeExistingTableAndPutToMissingTable', '  dynamodb', '   marshal', '   attempt', '    connect', '     dns', '     dial',
      '     tls', '    request', '    response', '   unmarshal', '  dynamodb', '   marshal', '   attempt', '    request', '    response', '   wait',
    ]);
    assert.equal(t.durationUs, 57441);
  });

  it('marks exactly the faulted segments (the failing PutItem and its retries)', () => {
    const faulted = Array.from(t.flags, (f, i) => ((f & SpanFlag.Fault) !== 0 ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(faulted, [0, 1, 12, 14, 17]);
  });

  it('shows the exception once with its Go stack frames', () => {
    const d = spanDetail(order[12]);
    assert.equal(d.exceptions.length, 1);
    assert.equal(d.exceptions[0].type, 'dynamodb.ResourceNotFoundException');
    assert.deepEqual(d.exceptions[0].frames.slice(-2), [{ path: 'runtime/proc.go', line: 203, label: 'main' }, { path: 'runtime/asm_amd64.s', line: 1373, label: 'goexit' }]);
    assert.ok(d.exceptions[0].frames.length > 2);
  });
});

describe('waterfall: span detail', () => {
  it('groups X-Ray http/aws/annotations/metadata into their own blocks', () => {
    const spans = lambdaColdStartTrace().spans;
    const ddb = spans.find((s) => s.name === 'DynamoDB')!;
    const d = spanDetail(ddb);
    assert.deepEqual(d.sections.map((s) => s.title), ['AWS', 'X-Ray annotations', 'X-Ray metadata', 'X-Ray', 'Resource', 'Ids']);
    assert.deepEqual(d.sections[0].entries, [{ key: 'operation', value: 'PutItem' }, { key: 'region', value: 'us-east-1' }, { key: 'table_name', value: 'orders' }]);
    assert.deepEqual(d.sections[2].entries, [{ key: 'debug', value: '{"attempt":1}' }]);
    assert.equal(d.status, 'error: ResourceNotFoundException');
    const sql = spanDetail(spans.find((s) => s.name === 'SELECT orders')!);
    assert.deepEqual(sql.sections[0], { title: 'SQL', entries: [{ key: 'db.statement', value: 'SELECT * FROM orders WHERE id = $1' }, { key: 'db.system', value: 'postgresql' }] });
  });

  it('parses Node, Python and Java stack traces into clickable frames', () => {
    assert.deepEqual(parseStackTrace([
      'Error: boom',
      '    at handler (/var/task/src/index.js:42:13)',
      '    at /var/task/node_modules/x/lib.js:7:1',
      'Traceback (most recent call last):',
      '  File "/var/task/app.py", line 12, in lambda_handler',
      '    raise ValueError()',
      '\tat com.example.Handler.handleRequest(Handler.java:88)',
      '\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)',
    ].join('\n')), [
      { path: '/var/task/src/index.js', line: 42, label: 'handler' },
      { path: '/var/task/node_modules/x/lib.js', line: 7 },
      { path: '/var/task/app.py', line: 12, label: 'lambda_handler' },
      { path: 'Handler.java', line: 88, label: 'com.example.Handler.handleRequest' },
    ]);
  });
});

describe('waterfall: protocol', () => {
  it('accepts only well-formed webview messages', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'openSource', path: 'a.js', line: 3, spanId: '1000000000000001' }));
    assert.ok(isWebviewMessage({ type: 'openSource', path: 'a.js', line: null, spanId: '1000000000000001' }));
    assert.ok(!isWebviewMessage({ type: 'openSource', path: 'a.js', line: '3', spanId: '1000000000000001' }));
    assert.ok(!isWebviewMessage({ type: 'revealSpan', index: 1.5, spanId: 'x' }));
    assert.ok(!isWebviewMessage({ type: 'nope' }));
    assert.ok(!isWebviewMessage(null));
  });
});
