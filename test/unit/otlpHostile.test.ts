// Hostile and random input: the decoders never throw, never hang, and say where the bytes broke.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { decodeCollectorFile } from '../../src/core/collectorFile';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { decodeOtlpProtobuf } from '../../src/core/otlpProtobuf';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');
const VALID = new Uint8Array(fs.readFileSync(path.join(CORPUS, 'captured/lambda/otel-lambda-3.pb')));

// A minimal protobuf writer for hand-made messages.
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) { out.push((n % 128) | 128); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}
const field = (no: number, body: number[]): number[] => [...varint((no << 3) | 2), ...varint(body.length), ...body];
const str = (s: string): number[] => [...new TextEncoder().encode(s)];
const fixed64 = (no: number, lo: number, hi: number): number[] => {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, lo, true);
  v.setUint32(4, hi, true);
  return [...varint((no << 3) | 1), ...b];
};
const TRACE = Array.from({ length: 16 }, (_, i) => i + 1);
const SPAN = Array.from({ length: 8 }, (_, i) => i + 0x21);
function request(spanFields: number[]): Uint8Array {
  const span = [...field(1, TRACE), ...field(2, SPAN), ...field(5, str('op')), ...fixed64(7, 1000000, 395000000), ...fixed64(8, 2000000, 395000000), ...spanFields];
  return new Uint8Array(field(1, field(2, field(2, span))));
}

describe('OTLP decoders on hostile input', () => {
  it('decodes a hand-made request (checks the test encoder itself)', () => {
    const r = decodeOtlpProtobuf(request(field(9, [...field(1, str('k')), ...field(2, field(1, str('v')))])), 'hand');
    assert.deepEqual(r.errors, []);
    assert.equal(r.spans[0].spanId, '2122232425262728');
    assert.equal(r.spans[0].traceId, '0102030405060708090a0b0c0d0e0f10');
    assert.deepEqual(r.spans[0].attributes, { k: 'v' });
    assert.equal(r.spans[0].endUnixUs! - r.spans[0].startUnixUs, 1000);
  });

  it('reads the deprecated instrumentation_library_spans (field 1000), bytes, kvlists, and skips unknown fields of every wire type', () => {
    const unknown = [
      ...varint((40 << 3) | 0), ...varint(300),          // varint
      ...fixed64(41, 7, 7),                              // fixed64
      ...field(42, str('ignored')),                      // length-delimited
      ...varint((43 << 3) | 5), 1, 2, 3, 4,              // fixed32
    ];
    const attrs = [
      ...field(9, [...field(1, str('blob')), ...field(2, field(7, [0, 0, 48, 57]))]),
      ...field(9, [...field(1, str('kv')), ...field(2, field(6, field(1, [...field(1, str('inner')), ...field(2, [0x10, 1])])))]),
      ...field(9, [...field(1, str('neg')), ...field(2, [0x18, 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]), // int64 -5: ten bytes
    ];
    const span = [...unknown, ...field(1, TRACE), ...field(2, SPAN), ...field(5, str('legacy')), ...attrs,
      ...fixed64(7, 1000000, 395000000), ...fixed64(8, 2000000, 395000000),
      ...field(15, [...field(2, str('boom')), 0x18, 2]), ...varint((16 << 3) | 5), 0x01, 0x03, 0, 0, ...unknown];
    const library = [...field(1, [...field(1, str('io.opentelemetry.auto.servlet-3.0')), ...field(2, str('1.2'))]), ...field(2, span)];
    const bytes = new Uint8Array([...unknown, ...field(1, [...field(1, field(1, [...field(1, str('service.name')), ...field(2, field(1, str('svc')))])), ...field(1000, library)])]);
    const r = decodeOtlpProtobuf(bytes, 'legacy');
    assert.deepEqual(r.errors, []);
    assert.equal(r.spans.length, 1);
    const s = r.spans[0];
    assert.deepEqual(s.scope, { name: 'io.opentelemetry.auto.servlet-3.0', version: '1.2' });
    assert.deepEqual(s.resource.attributes, { 'service.name': 'svc' });
    assert.deepEqual(s.attributes, { blob: 'AAAwOQ==', kv: { inner: true }, neg: -5 });
    assert.deepEqual(s.status, { code: 'error', message: 'boom' });
    assert.equal(s.flags, 0x301);
    assert.equal(s.endUnixUs! - s.startUnixUs, 1000);
  });

  it('reports every truncation of a real request with a byte offset inside the data, never throwing', () => {
    for (let cut = 1; cut < VALID.length; cut++) {
      const r = decodeOtlpProtobuf(VALID.subarray(0, cut), 'cut');
      assert.ok(r.errors.length >= 1, `cut at ${cut} reported nothing`);
      assert.ok(r.errors.every((e) => e.offset === undefined || (e.offset >= 0 && e.offset <= cut)), `cut at ${cut}`);
      assert.ok(r.spans.length < 3, `cut at ${cut} still gave all spans`);
    }
  });

  it('refuses a length that points past the end, naming the offset, without allocating it', () => {
    const r = decodeOtlpProtobuf(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01]), 'huge');
    assert.deepEqual(r.spans, []);
    assert.deepEqual(r.errors, [{
      source: 'huge', offset: 1,
      reason: 'corrupt or truncated protobuf in request at byte 1: field 1 says 2147483647 bytes but only 1 remain in its message',
    }]);
    const inner = decodeOtlpProtobuf(request(field(5, [])).slice(0, -1), 'short');
    assert.equal(inner.spans.length, 0);
    assert.match(inner.errors[0].reason, /^corrupt or truncated protobuf in request at byte 1: field 1 says \d+ bytes but only \d+ remain/);
  });

  it('rejects a span with a huge string length, keeping the request readable', () => {
    const bytes = request([0x2a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const r = decodeOtlpProtobuf(bytes, 'x');
    assert.equal(r.spans.length, 0);
    assert.match(r.errors[0].reason, /^span "op" at byte \d+ is corrupt at byte \d+: field 5 says 4294967295 bytes but only 0 remain in its message; span skipped$/);
  });

  it('caps arrayValue nesting instead of overflowing the stack (protobuf and JSON)', () => {
    // Built inside out in reverse, so 20000 levels cost linear time.
    const rev = [...field(1, str('leaf'))].reverse();
    for (let i = 0; i < 20000; i++) {
      rev.push(...varint(rev.length).reverse(), 0x0a); // ArrayValue.values = 1
      rev.push(...varint(rev.length).reverse(), 0x2a); // AnyValue.array_value = 5
    }
    const v = rev.reverse();
    const r = decodeOtlpProtobuf(request(field(9, [...field(1, str('deep')), ...field(2, v)])), 'deep.pb');
    assert.equal(r.spans.length, 0);
    assert.match(r.errors[0].reason, /^span "op" at byte \d+ has an attribute value nested deeper than 32 levels; span skipped$/);

    const json = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"op","attributes":[{"key":"deep","value":${'{"arrayValue":{"values":['.repeat(20000)}{"stringValue":"leaf"}${']}}'.repeat(20000)}}]}]}]}]}`;
    const j = decodeOtlpJson(json, 'deep.json');
    assert.equal(j.spans.length, 0);
    assert.match(j.errors[0].reason, /has an attribute value nested deeper than 32 levels; span skipped$/);
  });

  it('rejects wrong-length ids in protobuf, naming the span, and keeps the others', () => {
    const good = request([]);
    const badSpan = [...field(1, TRACE.slice(0, 8)), ...field(2, SPAN), ...field(5, str('short-trace'))];
    const both = new Uint8Array(field(1, field(2, [...field(2, badSpan), ...field(2, [...good].slice(6))])));
    const r = decodeOtlpProtobuf(both, 'ids');
    assert.equal(r.spans.length, 1);
    assert.match(r.errors[0].reason, /^span "short-trace" at byte \d+ has a trace id of 8 bytes, expected 16; span skipped$/);
  });

  it('reports groups, invalid wire types, field 0 and overlong varints', () => {
    const cases: [number[], string][] = [
      [[0x0b, 0x0c], 'at byte 0: unsupported wire type 3 for field 1'],
      [[0x0e], 'at byte 0: unsupported wire type 6 for field 1'],
      [[0x00, 0x01], 'at byte 0: invalid field number 0 (not protobuf, or corrupt)'],
      [[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'at byte 1: varint longer than 10 bytes'],
    ];
    for (const [bytes, reason] of cases) {
      const r = decodeOtlpProtobuf(new Uint8Array(bytes), 'w');
      assert.equal(r.spans.length, 0);
      assert.deepEqual(r.errors.map((e) => e.reason), [`corrupt or truncated protobuf in request ${reason}`]);
    }
  });

  it('never throws on random bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const r = decodeOtlpProtobuf(bytes, 'random');
      assert.ok(Array.isArray(r.spans) && Array.isArray(r.errors));
    }), { numRuns: 400 });
  });

  it('never throws on a real request with random bytes overwritten, and keeps ids well-formed (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(VALID.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(VALID.length), (edits, cut) => {
      const bytes = VALID.slice(0, Math.max(cut, 1));
      for (const [at, b] of edits) if (at < bytes.length) bytes[at] = b;
      const r = decodeOtlpProtobuf(bytes, 'mutated');
      for (const s of r.spans) {
        assert.match(s.traceId, /^[0-9a-f]{32}$/);
        assert.match(s.spanId, /^[0-9a-f]{16}$/);
        assert.ok(s.endUnixUs === undefined || s.endUnixUs >= s.startUnixUs);
      }
    }), { numRuns: 400 });
  });

  it('never throws on arbitrary JSON values where OTLP structures are expected (property)', () => {
    const anyJson = fc.jsonValue({ maxDepth: 5 });
    fc.assert(fc.property(anyJson, anyJson, anyJson, (a, b, c) => {
      const docs = [a, { resourceSpans: a }, { resourceSpans: [{ resource: b, scopeSpans: [{ scope: c, spans: [a, b] }] }] },
        { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: a, spanId: b, attributes: [{ key: 'k', value: c }], events: a, links: [b], status: c, kind: a }] }] }] }];
      for (const d of docs) {
        const text = JSON.stringify(d);
        const r = decodeOtlpJson(text, 'j');
        assert.ok(Array.isArray(r.errors));
        decodeCollectorFile(text + '\n' + text, 'c');
      }
    }), { numRuns: 300 });
  });
});
