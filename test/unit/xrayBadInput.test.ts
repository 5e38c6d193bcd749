import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Span } from '../../src/core/model';
import { decodeXRay, decodeXRayDatagram } from '../../src/core/xray';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const HEADER = '{"format":"json","version":1}';

function doc(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ trace_id: '1-5f187253-6a106696d56b1f4ef9eba2ed', id, name: `n-${id}`, start_time: 1595437651.5, end_time: 1595437652, ...extra });
}

describe('decodeXRay: bad input gives errors with source and line, the rest still decodes', () => {
  it('a malformed line among JSON lines', () => {
    const text = [doc('1111111111111111'), '{"id": nope}', doc('3333333333333333')].join('\n');
    const r = decodeXRay(text, 'f.jsonl');
    assert.deepEqual(r.spans.map((s) => s.spanId), ['1111111111111111', '3333333333333333']);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].source, 'f.jsonl');
    assert.equal(r.errors[0].line, 2);
    assert.match(r.errors[0].reason, /^malformed JSON: /);
  });

  it('a truncated document (missing closing brace) does not swallow the next ones', () => {
    const text = [doc('1111111111111111'), '{"id": "2222222222222222", "name": "cut', doc('3333333333333333'), doc('4444444444444444')].join('\n');
    const r = decodeXRay(text, 'f');
    assert.deepEqual(r.spans.map((s) => s.spanId), ['1111111111111111', '3333333333333333', '4444444444444444']);
    assert.deepEqual(r.errors, [{ source: 'f', line: 2, reason: 'unterminated JSON value (missing closing bracket)' }]);
  });

  it('the line of a syntax error inside a pretty-printed document', () => {
    const pretty = JSON.stringify(JSON.parse(doc('2222222222222222')), null, 2).replace('"name"', '"name" "oops",');
    const r = decodeXRay(`${doc('1111111111111111')}\n${pretty}\n`, 'f');
    assert.equal(r.spans.length, 1);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].line, 5, r.errors[0].reason); // line 2 opens the document, "name" is its 4th line
  });

  it('text that is not JSON at all, between documents', () => {
    const r = decodeXRay(`hello world\n${doc('1111111111111111')}`, 'f');
    assert.equal(r.spans.length, 1);
    assert.deepEqual(r.errors, [{ source: 'f', line: 1, reason: 'not JSON: "hello world"' }]);
  });

  it('documents that are not objects', () => {
    const r = decodeXRay(`[1, "x", null, ${doc('1111111111111111')}]`, 'f');
    assert.equal(r.spans.length, 1);
    assert.deepEqual(r.errors.map((e) => e.reason), [
      'document 1: a segment document must be a JSON object, got number 1',
      'document 2: a segment document must be a JSON object, got the string "x"',
      'document 3: a segment document must be a JSON object, got null',
    ]);
    assert.deepEqual(decodeXRay('42', 'f').errors.map((e) => e.reason), ['a segment document must be a JSON object, got number 42']);
  });

  it('missing or malformed ids and times, each named', () => {
    const cases: [string, string][] = [
      [doc('1111111111111111', { id: undefined }), 'missing id'],
      [doc('12345'), 'id "12345" is not 16 hex digits'],
      [doc('1111111111111111', { trace_id: undefined }), 'missing trace_id (id 1111111111111111)'],
      [doc('1111111111111111', { trace_id: '1-5f187253-6a106696' }), 'trace_id "1-5f187253-6a106696" is not an X-Ray trace id (1-<8 hex>-<24 hex>) (id 1111111111111111)'],
      [doc('1111111111111111', { start_time: undefined }), 'missing start_time (id 1111111111111111)'],
      [doc('1111111111111111', { start_time: '1595437651' }), 'start_time "1595437651" is not epoch seconds (id 1111111111111111)'],
      [doc('1111111111111111', { end_time: 1595437650 }), 'end_time 1595437650 is before start_time 1595437651.5 (id 1111111111111111)'],
      [doc('1111111111111111', { parent_id: 'xyz' }), 'parent_id "xyz" is not 16 hex digits (id 1111111111111111)'],
      [doc('1111111111111111', { type: 'subsegment' }), 'a subsegment sent on its own needs parent_id (id 1111111111111111)'],
    ];
    for (const [text, reason] of cases) {
      const r = decodeXRay(`${doc('aaaaaaaaaaaaaaaa')}\n${text}`, 'f');
      assert.deepEqual(r.spans.map((s) => s.spanId), ['aaaaaaaaaaaaaaaa'], reason);
      assert.deepEqual(r.errors, [{ source: 'f', line: 2, reason }]);
    }
  });

  it('a bad subsegment drops itself and what it embeds, not its siblings', () => {
    const text = doc('1111111111111111', {
      subsegments: [
        { id: 'bad', name: 'x', start_time: 1595437651.6, end_time: 1595437651.7, subsegments: [{ id: '3333333333333333', name: 'y', start_time: 1595437651.6, end_time: 1595437651.7 }] },
        { id: '4444444444444444', name: 'ok', start_time: 1595437651.6, end_time: 1595437651.7 },
      ],
    });
    const r = decodeXRay(text, 'f');
    assert.deepEqual(r.spans.map((s) => s.spanId), ['1111111111111111', '4444444444444444']);
    assert.deepEqual(r.errors.map((e) => e.reason), ['subsegments[0]: id "bad" is not 16 hex digits (dropped with its 1 nested subsegment)']);
  });

  it('empty input and a daemon header without a document', () => {
    assert.deepEqual(decodeXRay(' \n', 'f').errors, [{ source: 'f', reason: 'empty input: no X-Ray documents' }]);
    assert.deepEqual(decodeXRay(HEADER, 'f').errors, [{ source: 'f', line: 1, reason: 'daemon header without a segment document' }]);
    const r = decodeXRay(`${HEADER}\n${HEADER}\n${doc('1111111111111111')}`, 'f');
    assert.equal(r.spans.length, 1);
    assert.deepEqual(r.errors, [{ source: 'f', line: 1, reason: 'daemon header without a segment document' }]);
  });

  it('OTLP JSON given to the X-Ray decoder says so', () => {
    const text = fs.readFileSync(path.join(corpus, 'captured/otlp/ExportTraceServiceRequest.json'), 'utf8');
    assert.deepEqual(decodeXRay(text, 'o.json'), { spans: [], errors: [{ source: 'o.json', line: 1, reason: 'this is OTLP JSON, not an X-Ray document (import it as OTLP)' }] });
  });

  it('keeps every exception field: truncated and skipped frames, the cause chain', () => {
    const cause = { exceptions: [
      { id: 'aaaaaaaaaaaaaaaa', message: 'outer', type: 'Wrapped', truncated: 2, skipped: 5, cause: 'bbbbbbbbbbbbbbbb', stack: [{ path: 'a.js', line: 3, label: 'f' }, { path: 'b.js' }] },
      { id: 'bbbbbbbbbbbbbbbb', message: 'inner', remote: true },
    ] };
    const [s] = decodeXRay(doc('1111111111111111', { fault: true, cause }), 'f').spans;
    assert.deepEqual(s.xray?.exceptions, [
      { id: 'aaaaaaaaaaaaaaaa', message: 'outer', type: 'Wrapped', truncated: 2, skipped: 5, cause: 'bbbbbbbbbbbbbbbb', stack: [{ path: 'a.js', line: 3, label: 'f' }, { path: 'b.js', line: null }] },
      { id: 'bbbbbbbbbbbbbbbb', message: 'inner', remote: true, stack: [] },
    ]);
    assert.deepEqual(s.status, { code: 'error', message: 'outer' });
    assert.deepEqual(s.events.map((e) => e.attributes['exception.message']), ['outer', 'inner']);
  });

  it('span links: X-Ray trace ids converted, malformed links skipped', () => {
    const links = [
      { trace_id: '1-5f187253-6a106696d56b1f4ef9eba2ed', id: 'AAAAAAAAAAAAAAAA', attributes: { 'aws.xray.link.kind': 'consumer' } },
      { trace_id: '1-5f187253-6a10', id: 'bbbbbbbbbbbbbbbb' },
      'x',
    ];
    const [s] = decodeXRay(doc('1111111111111111', { links }), 'f').spans;
    assert.deepEqual(s.links, [{ traceId: '5f1872536a106696d56b1f4ef9eba2ed', spanId: 'aaaaaaaaaaaaaaaa', attributes: { 'aws.xray.link.kind': 'consumer' } }]);
    assert.equal(s.xray?.extra, undefined);
  });

  it('BatchGetTraces: a broken Document string is named by trace and segment', () => {
    const resp = { Traces: [{ Id: '1-5f187253-6a106696d56b1f4ef9eba2ed', Segments: [{ Id: '1111111111111111', Document: '{"id":' }, { Id: '2222222222222222', Document: doc('2222222222222222', { trace_id: undefined }) }] }] };
    const r = decodeXRay(JSON.stringify(resp), 'api');
    assert.deepEqual(r.spans.map((s) => [s.spanId, s.traceId]), [['2222222222222222', '5f1872536a106696d56b1f4ef9eba2ed']]);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].reason, /^trace 1-5f187253-6a106696d56b1f4ef9eba2ed segment 1111111111111111: malformed Document JSON: /);
  });
});

describe('decodeXRayDatagram: bad datagrams', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('needs the daemon header', () => {
    assert.deepEqual(decodeXRayDatagram(enc(doc('1111111111111111')), 'udp:x').errors,
      [{ source: 'udp:x', offset: 0, reason: 'datagram does not start with the daemon header {"format":"json","version":1} and a newline' }]);
    assert.deepEqual(decodeXRayDatagram(enc(`{"format":"json","version":2}\n${doc('1111111111111111')}`), 'udp:x').errors.map((e) => e.reason),
      ['unsupported daemon header {"format":"json","version":2} (expected {"format":"json","version":1})']);
  });
  it('accepts the header with any spacing, as JSON', () => {
    const r = decodeXRayDatagram(enc(`{ "version": 1, "format": "json" }\n${doc('1111111111111111')}`), 'udp:x');
    assert.deepEqual([r.spans.length, r.errors], [1, []]);
  });
  it('reports a broken document at its byte offset, after the header', () => {
    const r = decodeXRayDatagram(enc(`${HEADER}\n{"id": "1111`), 'udp:x');
    assert.equal(r.spans.length, 0);
    assert.equal(r.errors[0].offset, HEADER.length + 1);
    assert.match(r.errors[0].reason, /^malformed JSON/);
    assert.deepEqual(decodeXRayDatagram(enc(`${HEADER}\n`), 'udp:x').errors, [{ source: 'udp:x', offset: HEADER.length + 1, reason: 'daemon header without a segment document' }]);
  });
  it('rejects bytes that are not UTF-8', () => {
    assert.deepEqual(decodeXRayDatagram(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'udp:x').errors, [{ source: 'udp:x', offset: 0, reason: 'datagram is not valid UTF-8' }]);
  });
});

describe('decodeXRay never throws', () => {
  it('on arbitrary JSON values and text', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const r = decodeXRay(JSON.stringify(v), 'p');
      return Array.isArray(r.spans) && Array.isArray(r.errors);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.string(), (s) => Array.isArray(decodeXRay(s, 'p').errors)), { numRuns: 300 });
  });

  it('on real documents with any field replaced by any value, and on any truncation', () => {
    const base = JSON.parse(fs.readFileSync(path.join(corpus, 'captured/udp/node-sdk-plain-segment.txt'), 'utf8').split('\n')[1]);
    const keys = [...Object.keys(base), 'subsegments'];
    // Whatever survives decoding is a well-formed span.
    const wellFormed = (s: Span) => /^[0-9a-f]{32}$/.test(s.traceId) && /^[0-9a-f]{16}$/.test(s.spanId)
      && (s.parentSpanId === undefined || /^[0-9a-f]{16}$/.test(s.parentSpanId))
      && Number.isInteger(s.startUnixUs) && (s.endUnixUs === undefined || s.endUnixUs >= s.startUnixUs)
      && (s.status.code === 'error') === (s.xray!.error || s.xray!.fault);
    const subKeys = Object.keys(base.subsegments[1]);
    // Found by this property: an object whose toString is not a function made the error message throw.
    const hostile = decodeXRay(JSON.stringify({ ...base, subsegments: { toString: {} } }), 'p');
    assert.equal(hostile.spans.length, 1);
    assert.match(hostile.errors[0].reason, /subsegments must be an array, got an object; ignored/);
    fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), fc.constantFrom(...subKeys), fc.jsonValue(), (k, v, sk, sv) => {
      const subsegments = base.subsegments.map((sub: object, i: number) => (i === 1 ? { ...sub, [sk]: sv } : sub));
      const r = decodeXRay(JSON.stringify({ ...base, subsegments, [k]: v }), 'p');
      return r.spans.length + r.errors.length > 0 && r.spans.every(wellFormed);
    }), { numRuns: 300 });
    const text = fs.readFileSync(path.join(corpus, 'xray/otel-collector-contrib/udp-wire-format/ddbSample.txt'), 'utf8');
    fc.assert(fc.property(fc.integer({ min: 0, max: text.length }), (n) => {
      const bytes = new TextEncoder().encode(text.slice(0, n));
      const r = decodeXRayDatagram(bytes, 'p');
      return n === text.length ? r.spans.length === 18 : r.spans.length === 0 && r.errors.length === 1;
    }), { numRuns: 200 });
  });
});
