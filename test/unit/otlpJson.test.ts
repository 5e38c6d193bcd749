// OTLP/JSON decoding of every real JSON file in ../shared/corpus/otlp.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeOtlpJson } from '../../src/core/otlpJson';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');
const read = (rel: string): string => fs.readFileSync(path.join(CORPUS, rel), 'utf8');
const decode = (rel: string) => decodeOtlpJson(read(rel), rel);

describe('decodeOtlpJson on real files', () => {
  it('reads the canonical opentelemetry-proto example: upper-case hex ids, nanosecond strings, kind number', () => {
    const r = decode('otlp/json/opentelemetry-proto/trace.json');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.spans, [{
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      name: "I'm a server span",
      kind: 'server',
      startUnixUs: 1544712660000000,
      endUnixUs: 1544712661000000,
      status: { code: 'unset' },
      attributes: { 'my.span.attr': 'some value' },
      events: [],
      links: [],
      resource: { attributes: { 'service.name': 'my.service' } },
      scope: { name: 'my.library', version: '1.0.0' },
      origin: { format: 'otlp-json', source: 'otlp/json/opentelemetry-proto/trace.json' },
    }]);
  });

  it('reads Jaeger fixtures: several spans of one trace, empty scope, events, typed link attributes, bytes as base64', () => {
    const ex = decode('otlp/json/jaeger/example_trace.json');
    assert.deepEqual(ex.errors, []);
    assert.equal(ex.spans.length, 5);
    assert.deepEqual(new Set(ex.spans.map((s) => s.traceId)), new Set(['00000000000000000000000000000011']));
    assert.deepEqual(ex.spans.map((s) => s.kind), ['unspecified', 'unspecified', 'unspecified', 'server', 'client']);
    assert.deepEqual(ex.spans[0].scope, { name: '' });
    assert.equal(ex.spans[0].endUnixUs! - ex.spans[0].startUnixUs, 100);

    const link = decode('otlp/json/jaeger/link_attributes_trace.json').spans[0];
    assert.equal(link.links.length, 3);
    assert.deepEqual(link.links[0], {
      traceId: '000000000000000000000000000000ff', spanId: '00000000000000ff',
      attributes: {
        'opentracing.ref_type': 'child_of', sameplacelinkattribute1: 'sameplacevalue', sameplacelinkattribute2: 123,
        sameplacelinkattribute4: true, sameplacelinkattribute3: 72.5, linkblob: 'AAAwOQ==',
      },
    });
    const logs = decode('otlp/json/jaeger/log_tags_trace.json').spans[0];
    assert.deepEqual(logs.events[0], {
      name: '', timeUnixUs: 1485449191639875,
      attributes: { sameplacetag1: 'sameplacevalue', sameplacetag2: 123, sameplacetag4: true, sameplacetag3: 72.5, blob: 'AAAwOQ==' },
    });
    assert.deepEqual(decode('otlp/json/jaeger/scope_attributes_trace.json').spans[0].scope, { name: 'testing-library', version: '1.1.1' });
  });

  it('unwraps the Jaeger api_v3 {"result": ...} envelope and reports the span without timestamps', () => {
    for (const f of ['apiv3-GetTrace.json', 'apiv3-FindTraces.json']) {
      const r = decode(`otlp/json/jaeger/${f}`);
      assert.equal(r.spans.length, 1);
      const s = r.spans[0];
      assert.equal(s.traceId, '00000000000000000000000000000001');
      assert.equal(s.spanId, '0000000000000002');
      assert.equal(s.name, 'foobar');
      assert.equal(s.kind, 'server');
      assert.deepEqual(s.status, { code: 'error' });
      assert.equal(s.startUnixUs, 0);
      assert.equal(s.endUnixUs, undefined);
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0].reason, /^span "foobar" at resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\] has no start time/);
    }
  });

  it('reads data-prepper protobuf-JsonFormat files: base64 ids, enum names, empty parent = root', () => {
    const r = decode('otlp/json/data-prepper/test-request.json');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.spans.map((s) => [s.name, s.kind, s.spanId, s.parentSpanId, s.status.code]), [
      ['LoggingController.save', 'internal', '085ac082ffcfbf8d', 'cb1c0734d14940fd', 'ok'],
      ['HTTP PUT', 'client', '1b83d176c0b5fb46', '085ac082ffcfbf8d', 'ok'],
      ['/logs', 'server', 'cb1c0734d14940fd', undefined, 'ok'],
    ]);
    assert.equal(r.spans[0].traceId, 'ffa576d321173ac6cef3601c8f4bde75');
    assert.equal(r.spans[2].startUnixUs, 1597902043168010);
    assert.equal(r.spans[2].attributes['net.peer.port'], 41164);
    assert.equal(r.spans[2].attributes['http.user_agent'], 'curl/7.54.0');
    assert.equal(r.spans[2].traceState, undefined);
    assert.deepEqual(r.spans[0].resource.attributes.array, ['test string', false, 0]);
    assert.deepEqual(r.spans[0].resource.attributes['service.name'], 'analytics-service');
    assert.deepEqual(r.spans[0].scope, { name: 'io.opentelemetry.auto.spring-webmvc-3.1' });
    assert.equal(decode('otlp/json/data-prepper/test-request-both-span-types.json').spans.length, 3);
  });

  it('reads the legacy instrumentationLibrarySpans names, including a trace whose root is missing', () => {
    const two = decode('otlp/json/data-prepper/legacy-instrumentationLibrarySpans/sample-request-two-full-trace-group.json');
    assert.deepEqual(two.errors, []);
    assert.equal(two.spans.length, 6);
    assert.deepEqual(new Set(two.spans.map((s) => s.traceId)), new Set(['ffa576d321173ac6cef3601c8f4bde75', '6d0ff634d126b6ec2c180391e67b4237']));
    assert.deepEqual(two.spans.filter((s) => !s.parentSpanId).map((s) => s.name), ['/logs', '/logs']);
    assert.deepEqual(two.spans[0].scope, { name: 'io.opentelemetry.auto.spring-webmvc-3.1' });

    const missing = decode('otlp/json/data-prepper/legacy-instrumentationLibrarySpans/sample-request-one-trace-group-missing-root.json');
    assert.deepEqual(missing.errors, []);
    assert.deepEqual(missing.spans.map((s) => [s.name, s.parentSpanId]), [['LoggingController.save', '9a73bfa944f9c9ee'], ['HTTP PUT', '5ac57618587da71c']]);
    assert.equal(decode('otlp/json/data-prepper/legacy-instrumentationLibrarySpans/test-request-instrumentation-library.json').spans.length, 3);
  });

  it('rejects each span whose base64 ids decode to the wrong length, naming it', () => {
    const r = decode('otlp/json/data-prepper/test-request-multiple-traces.json');
    assert.equal(r.spans.length, 0);
    assert.deepEqual(r.errors.map((e) => e.reason), [
      'span "LoggingController.save" at resourceSpans[0].scopeSpans[0].spans[0] has an invalid trace id "VFJBQ0VJRDE=": expected 32 hex digits or base64 of 16 bytes, got 12 characters that decode as base64 to 8 bytes; span skipped',
      'span "LoggingController.save" at resourceSpans[0].scopeSpans[0].spans[1] has an invalid trace id "VFJBQ0VJRDI=": expected 32 hex digits or base64 of 16 bytes, got 12 characters that decode as base64 to 8 bytes; span skipped',
      'span "HTTP PUT" at resourceSpans[0].scopeSpans[1].spans[0] has an invalid trace id "VFJBQ0VJRDI=": expected 32 hex digits or base64 of 16 bytes, got 12 characters that decode as base64 to 8 bytes; span skipped',
      'span "LoggingController.save" at resourceSpans[0].scopeSpans[1].spans[1] has an invalid trace id "VFJBQ0VJRDM=": expected 32 hex digits or base64 of 16 bytes, got 12 characters that decode as base64 to 8 bytes; span skipped',
    ]);
    assert.ok(r.errors.every((e) => e.source === 'otlp/json/data-prepper/test-request-multiple-traces.json'));
  });

  it('keeps otel-desktop-viewer spans without timestamps, reporting them; an unknown value key is null', () => {
    const r = decode('otlp/json/otel-desktop-viewer/span.json');
    assert.equal(r.spans.length, 1);
    assert.equal(r.spans[0].name, 'spanitron');
    assert.deepEqual(r.spans[0].status, { code: 'ok' });
    assert.equal(r.spans[0].startUnixUs, 0);
    assert.deepEqual(r.spans[0].resource.attributes, { 'service.name': null });
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].reason, /"spanitron".*has no start time/);
    assert.deepEqual(decode('otlp/json/otel-desktop-viewer/span.stringValue.json').spans[0].resource.attributes, { 'service.name': 'test-with-curl' });
  });

  it('gives each otlp2parquet invalid file a clear error and no spans', () => {
    const cases: [string, RegExp][] = [
      ['trace_invalid_base64.json', /span "test-span" .* invalid trace id "!!!INVALID_BASE64!!!": .*neither hex nor base64; span skipped$/],
      ['trace_invalid_kind.json', /span "test-span" .* unknown kind "SPAN_KIND_INVALID_TYPE"; span skipped$/],
      ['trace_mixed_encoding.json', /span "test-span" .* invalid trace id "zzz": expected 32 hex digits or base64 of 16 bytes/],
    ];
    for (const [f, re] of cases) {
      const r = decode(`otlp/otlp2parquet/invalid/${f}`);
      assert.equal(r.spans.length, 0, f);
      assert.equal(r.errors.length, 1, f);
      assert.match(r.errors[0].reason, re);
    }
    const bad = decode('otlp/otlp2parquet/invalid/malformed.json');
    assert.equal(bad.spans.length, 0);
    assert.deepEqual(bad.errors, [{
      source: 'otlp/otlp2parquet/invalid/malformed.json',
      line: 21,
      offset: 447,
      reason: bad.errors[0].reason,
    }]);
    assert.match(bad.errors[0].reason, /^malformed JSON: .*position 447/);
  });

  it('reads the otlp2parquet demo trace: 2 spans of one trace, string attribute values kept as strings', () => {
    const r = decode('otlp/otlp2parquet/trace.json');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.spans.map((s) => [s.name, s.kind, s.parentSpanId]), [
      ['router frontend egress', 'client', '57526846903bb13e'],
      ['ingress', 'server', 'a96089bca71f3d1a'],
    ]);
    assert.equal(r.spans[0].attributes['http.status_code'], '200');
    assert.equal(r.spans[0].resource.attributes['service.name'], 'frontend-proxy');
  });
});

describe('decodeOtlpJson on edge cases', () => {
  const doc = (span: Record<string, unknown>): string => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  const base = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'op', startTimeUnixNano: '1700000000000001999', endTimeUnixNano: 1700000000005000000 };

  it('truncates nanoseconds to whole microseconds from strings and numbers', () => {
    const s = decodeOtlpJson(doc(base), 'x').spans[0];
    assert.equal(s.startUnixUs, 1700000000000001);
    assert.equal(s.endUnixUs, 1700000000005000);
  });

  it('rejects a span that ends before it starts and keeps its neighbours', () => {
    const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [
      { ...base, name: 'backwards', startTimeUnixNano: '2000', endTimeUnixNano: '1000' }, { ...base, spanId: 'b7ad6b7169203332' },
    ] }] }] });
    const r = decodeOtlpJson(text, 'x');
    assert.deepEqual(r.spans.map((s) => s.spanId), ['b7ad6b7169203332']);
    assert.equal(r.errors[0].reason, 'span "backwards" at resourceSpans[0].scopeSpans[0].spans[0] ends before it starts (end 1 us < start 2 us); span skipped');
  });

  it('treats an all-zero parent id as a root and rejects a parent id of the wrong length', () => {
    assert.equal(decodeOtlpJson(doc({ ...base, parentSpanId: '0000000000000000' }), 'x').spans[0].parentSpanId, undefined);
    const r = decodeOtlpJson(doc({ ...base, parentSpanId: 'abc' }), 'x');
    assert.equal(r.spans.length, 0);
    assert.match(r.errors[0].reason, /invalid parent span id "abc"/);
  });

  it('stores a "__proto__" attribute as data, not as the prototype', () => {
    const s = decodeOtlpJson(doc({ ...base, attributes: [{ key: '__proto__', value: { stringValue: 'x' } }] }), 'x').spans[0];
    assert.equal(Object.getPrototypeOf(s.attributes), Object.prototype);
    assert.deepEqual(Object.keys(s.attributes), ['__proto__']);
  });

  it('reads kvlist values, 64-bit integers as strings, doubles as strings, and rejects a bad intValue', () => {
    const s = decodeOtlpJson(doc({ ...base, attributes: [
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: '-9007199254740991' } }, { key: 'b', value: { doubleValue: 'NaN' } }] } } },
    ] }), 'x').spans[0];
    assert.deepEqual(s.attributes.kv, { a: -9007199254740991, b: NaN });
    const bad = decodeOtlpJson(doc({ ...base, attributes: [{ key: 'n', value: { intValue: '12abc' } }] }), 'x');
    assert.equal(bad.spans.length, 0);
    assert.match(bad.errors[0].reason, /intValue that is not an integer: "12abc"; span skipped$/);
  });

  it('reports a document that is not OTLP traces instead of returning nothing silently', () => {
    const r = decodeOtlpJson('{"spans": []}', 'x');
    assert.deepEqual(r.errors, [{ source: 'x', reason: 'not an OTLP trace document: expected "resourceSpans", found an object with keys spans' }]);
    assert.deepEqual(decodeOtlpJson('{"resourceMetrics": []}', 'x'), { spans: [], errors: [], skipped: { metrics: 1 } });
    assert.deepEqual(decodeOtlpJson('{}', 'x'), { spans: [], errors: [] });
  });

  it('reports truncated JSON with the offset of the end', () => {
    const text = doc(base).slice(0, 60);
    const r = decodeOtlpJson(text, 'x');
    assert.equal(r.spans.length, 0);
    assert.equal(r.errors[0].offset, 60);
    assert.equal(r.errors[0].line, 1);
  });
});
