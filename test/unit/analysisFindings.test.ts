import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findFindings, statementShape, traceFindings, urlTemplate } from '../../src/core/analysis/findings';
import { aggregateByLine, codeAttributeLine } from '../../src/core/analysis/perLine';
import type { Span, Trace } from '../../src/core/model';
import { decodeXRay } from '../../src/core/xray';
import { lambdaSpan, span } from './analysisSpans';

const trace = (spans: Span[]): Trace => ({ traceId: spans[0].traceId, spans });

describe('analysis: findings', () => {
  describe('N+1', () => {
    const entry = lambdaSpan('orders', { startMs: 0, durMs: 200 });
    const gets = Array.from({ length: 6 }, (_, i) => span({
      name: 'DynamoDB.GetItem', kind: 'client', parent: entry.spanId, startMs: 10 + i * 20, durMs: 15,
      attrs: { 'rpc.service': 'DynamoDB', 'rpc.method': 'GetItem', 'aws.dynamodb.table_names': ['orders-table'] },
    }));
    const http = Array.from({ length: 4 }, (_, i) => span({
      name: 'GET', kind: 'client', parent: entry.spanId, startMs: 150 + i, durMs: 1,
      attrs: { 'http.request.method': 'GET', 'url.full': `http://inv:8081/v1/stock/SKU-77${i}1?x=1` },
    }));

    it('reports a downstream call repeated >= 5 times in one invocation with every span', () => {
      const f = traceFindings(trace([entry, ...gets, ...http]));
      const n1 = f.filter((x) => x.kind === 'n-plus-one');
      assert.equal(n1.length, 1);
      assert.deepEqual(n1[0].spanIds, gets.map((g) => g.spanId));
      assert.equal(n1[0].message, 'DynamoDB.GetItem orders-table ran 6 times in one invocation of orders (90 ms in total): batch them or fetch once');
    });

    it('groups URLs by template: 4 stock calls reach a threshold of 4', () => {
      assert.equal(urlTemplate('http://inv:8081/v1/stock/SKU-7731?x=1'), 'http://inv:8081/v1/stock/{id}');
      const f = traceFindings(trace([entry, ...http]), { nPlusOneThreshold: 4 });
      assert.deepEqual(f.map((x) => [x.kind, x.spanIds.length]), [['n-plus-one', 4]]);
      assert.match(f[0].message, /^GET http:\/\/inv:8081\/v1\/stock\/\{id\} ran 4 times/);
    });

    it('the same calls in different invocations are not N+1', () => {
      const other = lambdaSpan('orders', { startMs: 500, durMs: 100 });
      const spread = gets.map((g, i) => ({ ...g, parentSpanId: i < 3 ? entry.spanId : other.spanId }));
      assert.deepEqual(traceFindings(trace([entry, other, ...spread])), []);
    });

    it('SQL statements differing only in literals are one call shape', () => {
      assert.equal(statementShape("SELECT * FROM t WHERE id = 42 AND name = 'x'"), 'SELECT * FROM t WHERE id = ? AND name = ?');
    });
  });

  describe('broken propagation', () => {
    it('spans whose parent never arrived, grouped by the missing parent; a remote parent is info, a local one a warning', () => {
      const remote = lambdaSpan('orders', { parent: '2dbb6fd2728418fd' });
      remote.flags = 769; // 0x301: sampled, parent remote
      const local = span({ name: 'child', parent: '1111111111111111' });
      local.flags = 257;
      const f = traceFindings(trace([remote, local]));
      assert.deepEqual(f.map((x) => [x.kind, x.severity, x.spanIds]), [
        ['missing-parent', 'info', [remote.spanId]], ['missing-parent', 'warning', [local.spanId]],
      ]);
      assert.match(f[0].message, /^span orders points to parent 2dbb6fd2728418fd, which never arrived: it was propagated in/);
    });

    it('X-Ray and W3C halves of one request that did not join: the same request id in two traces', () => {
      const otel = span({ traceId: 'b'.repeat(32), name: 'DynamoDB.GetItem', kind: 'client', attrs: { 'aws.request.id': 'REQ-1' } });
      const xr = span({ traceId: 'c'.repeat(32), name: 'DynamoDB', xray: { type: 'segment' }, attrs: { 'aws.request.id': 'REQ-1' } });
      const f = findFindings([trace([otel]), trace([xr])]).filter((x) => x.kind === 'split-trace');
      assert.equal(f.length, 1);
      assert.deepEqual([f[0].traceId, f[0].otherTraceId, f[0].spanIds], ['b'.repeat(32), 'c'.repeat(32), [otel.spanId, xr.spanId]]);
      assert.match(f[0].message, /\(OpenTelemetry\) and in trace c+ \(X-Ray\)/);
    });

    it('a Lambda invocation traced by X-Ray (active tracing) and by OTel under a new W3C trace id is one split request', () => {
      // X-Ray's AWS::Lambda segment carries the Lambda request id; the OTel span calls it faas.invocation_id
      const xr = decodeXRay(JSON.stringify({
        name: 'orders-fn', id: '1a2b3c4d5e6f7081', trace_id: '1-6b025824-3050f64fc7eae9a18ddc71d2', start_time: 1795315748, end_time: 1795315748.2,
        origin: 'AWS::Lambda', aws: { request_id: '8d7c69fa-fbe3-4e8e-8c92-4e489ff33cef' },
      }), 'xray.json');
      assert.deepEqual(xr.errors, []);
      const otel = lambdaSpan('orders-fn', { traceId: 'b41192ef1b5fae7fd4b9b6f76e3ef943', attrs: { 'faas.invocation_id': '8d7c69fa-fbe3-4e8e-8c92-4e489ff33cef' } });
      const f = findFindings([{ traceId: xr.spans[0].traceId, spans: xr.spans }, trace([otel])]).filter((x) => x.kind === 'split-trace');
      assert.deepEqual(f.map((x) => [x.traceId, x.otherTraceId]), [['6b0258243050f64fc7eae9a18ddc71d2', 'b41192ef1b5fae7fd4b9b6f76e3ef943']]);
      assert.match(f[0].message, /\(X-Ray\) and in trace b41192ef1b5fae7fd4b9b6f76e3ef943 \(OpenTelemetry\)/);
    });

    it('an SQS producer with no consumer linked is reported; a linked one is not', () => {
      const send = span({ traceId: 'd'.repeat(32), name: 'SQS.SendMessage', kind: 'producer', attrs: { 'rpc.service': 'SQS', 'rpc.method': 'SendMessage', 'messaging.system': 'aws_sqs' } });
      const lonely = findFindings([trace([send])]);
      assert.deepEqual(lonely.map((x) => [x.kind, x.spanIds]), [['unlinked-producer', [send.spanId]]]);
      const consumer = span({ traceId: 'e'.repeat(32), name: 'orders-queue process', kind: 'consumer', attrs: { 'messaging.system': 'aws_sqs' }, links: [{ traceId: send.traceId, spanId: send.spanId, attributes: {} }] });
      assert.deepEqual(findFindings([trace([send]), trace([consumer])]), []);
      const unlinked = { ...consumer, links: [] };
      assert.deepEqual(findFindings([trace([unlinked])]).map((x) => x.kind), ['unlinked-consumer']);
    });
  });
});

describe('analysis: findings on random traces (property)', () => {
  it('never throw, and every span a finding names is in its trace', () => {
    const node = fc.record({ parent: fc.nat(40), orphan: fc.boolean(), name: fc.constantFrom('GET', 'DynamoDB.GetItem', 'SQS.SendMessage', 'q'),
      kind: fc.constantFrom('client', 'server', 'producer', 'consumer', 'internal'), req: fc.option(fc.constantFrom('r1', 'r2'), { nil: undefined }) });
    fc.assert(fc.property(fc.array(fc.array(node, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }), (traces) => {
      const built: Trace[] = traces.map((rows, t) => {
        const traceId = (t + 1).toString(16).padStart(32, '0');
        const spans: Span[] = [];
        rows.forEach((r, i) => spans.push(span({
          traceId, name: r.name, kind: r.kind as Span['kind'],
          parent: r.orphan ? 'abcdefabcdefabcd' : i > 0 ? spans[r.parent % i].spanId : undefined,
          attrs: { ...(r.name === 'SQS.SendMessage' ? { 'rpc.service': 'SQS', 'rpc.method': 'SendMessage' } : {}), ...(r.req ? { 'aws.request.id': r.req } : {}) },
        })));
        return { traceId, spans };
      });
      const ids = new Map(built.map((t) => [t.traceId, new Set(t.spans.map((s) => s.spanId))]));
      return findFindings(built, { nPlusOneThreshold: 2 }).every((f) => f.spanIds.length > 0 && f.spanIds.every((id) => ids.get(f.traceId)?.has(id) || (f.otherTraceId !== undefined && ids.get(f.otherTraceId)?.has(id))));
    }), { numRuns: 150 });
  });
});

describe('analysis: per line', () => {
  it('counts, p50, p95 and error rate per mapped line, costliest first', () => {
    const at = (line: number, durMs: number, error = false): Span => span({ name: 'q', durMs, error, attrs: { 'code.file.path': 'src/db.ts', 'code.line.number': line } });
    const spans = [at(10, 5), at(10, 7), at(10, 9, true), at(10, 100), at(22, 300), span({ name: 'unmapped' })];
    const r = aggregateByLine(spans, codeAttributeLine);
    assert.equal(r.unmapped, 1);
    assert.deepEqual(r.lines.map((l) => [l.file, l.line, l.count, l.p50Ms, l.p95Ms, l.errorRate, l.totalMs]), [
      ['src/db.ts', 22, 1, 300, 300, 0, 300],
      // sorted [5, 7, 9, 100]: p50 rank 2 -> 7, p95 rank ceil(3.8)=4 -> 100; 1 error of 4
      ['src/db.ts', 10, 4, 7, 100, 0.25, 121],
    ]);
  });
});
