// The OTLP/JSON scanner (spans straight from the text) against the JSON.parse path it replaces:
// every real OTLP JSON / JSON-lines file, the bench data set, random documents and hostile text
// must decode to deep-equal results (spans, errors and their reasons, warnings, skipped counts).
// By default only big texts take the scanner (SCAN_MIN_CHARS); these tests force it with 0.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { decodeOtlpJson, decodeOtlpJsonViaParse } from '../../src/core/otlpJson';
import { newJsonDecodeState } from '../../src/core/otlpJsonFields';
import { scanOtlpJson } from '../../src/core/otlpJsonScan';
import { decodeCollectorFile } from '../../src/core/collectorFile';
import { lambdaDataset } from '../../bench/data/lambdaDataset';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else if (/\.jsonl?$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Whether the fast path decoded the text by itself (no whole-document fallback). */
function scanned(text: string): boolean {
  return scanOtlpJson(text, newJsonDecodeState('t'));
}

const same = (text: string, source = 'doc.json'): void => {
  assert.deepStrictEqual(decodeOtlpJson(text, source, 0), decodeOtlpJsonViaParse(text, source));
};

describe('OTLP/JSON scanner equals the JSON.parse path', () => {
  const otlpFiles = [...filesUnder(path.join(CORPUS, 'otlp')), ...filesUnder(path.join(CORPUS, 'captured'))];

  it('on every OTLP JSON and JSON-lines file in the corpus, and reads the trace files without falling back', () => {
    assert.ok(otlpFiles.length >= 30, `found only ${otlpFiles.length} files`);
    const fellBack: string[] = [];
    for (const f of otlpFiles) {
      const rel = path.relative(CORPUS, f);
      const text = fs.readFileSync(f, 'utf8');
      assert.deepStrictEqual(decodeOtlpJson(text, rel, 0), decodeOtlpJsonViaParse(text, rel), rel);
      assert.deepStrictEqual(decodeCollectorFile(text, rel, 0), decodeCollectorFile(text, rel, Infinity), rel);
      if (/"resourceSpans"/.test(text) && !f.endsWith('.jsonl') && !scanned(text)) fellBack.push(rel);
    }
    // Only otel-tui's file needs the JSON.parse path as a whole: it is JSON lines named .json.
    assert.deepEqual(fellBack, ['otlp/fileexporter/otel-tui/test_data.json']);
  });

  it('keeps the per-span warnings of the JSON.parse path (Jaeger span without timestamps, bad ids)', () => {
    const rel = 'otlp/json/jaeger/apiv3-GetTrace.json';
    const r = decodeOtlpJson(fs.readFileSync(path.join(CORPUS, rel), 'utf8'), rel, 0);
    assert.ok(r.errors.some((e) => e.reason.includes('has no start time')), JSON.stringify(r.errors));
    const bad = 'otlp/otlp2parquet/invalid/trace_invalid_base64.json';
    const rb = decodeOtlpJson(fs.readFileSync(path.join(CORPUS, bad), 'utf8'), bad, 0);
    assert.ok(rb.errors.length > 0 && rb.errors.every((e) => e.reason.endsWith('span skipped')), JSON.stringify(rb.errors));
  });

  it('on the bench Lambda data set (real SDK + otlp-transformer), every span by the fast path', async () => {
    const data = await lambdaDataset(300);
    assert.ok(scanned(data.json));
    const r = decodeOtlpJson(data.json, 'bench.json', 0);
    assert.equal(r.spans.length, data.spans);
    assert.deepEqual(r.errors, []);
    same(data.json, 'bench.json');
    // Pretty-printed and as JSON lines (one document per line) too.
    same(JSON.stringify(JSON.parse(data.json), null, 2));
    const lines = `${data.json}\n${data.json}\n`;
    assert.deepStrictEqual(decodeCollectorFile(lines, 'x.jsonl', 0), decodeCollectorFile(lines, 'x.jsonl', Infinity));
  });

  it('on random OTLP documents: ids hex/base64, times as strings or numbers, every AnyValue, escapes, unknown fields, whitespace', () => {
    let runs = 0;
    let scannedDocs = 0;
    fc.assert(fc.property(otlpDocument, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (doc, seed) => {
      const text = toJsonText(doc, seed);
      runs++;
      if (scanned(text)) scannedDocs++;
      same(text);
      const lines = `${toJsonText(doc, seed + 1, true)}\n${toJsonText(doc, seed + 2, true)}`;
      assert.deepStrictEqual(decodeCollectorFile(lines, 'r.jsonl', 0), decodeCollectorFile(lines, 'r.jsonl', Infinity));
    }), { numRuns: 300 });
    // The documents must mostly exercise the scanner, not its whole-document fallback.
    assert.ok(scannedDocs > runs * 0.6, `only ${scannedDocs} of ${runs} random documents were read by the scanner`);
  });

  it('on a document cut at every offset: the same malformed-JSON errors, never a throw', () => {
    const text = fs.readFileSync(path.join(CORPUS, 'otlp/json/jaeger/link_attributes_trace.json'), 'utf8');
    const compact = JSON.stringify(JSON.parse(text));
    for (const t of [text, compact]) {
      for (let i = 0; i < t.length; i++) same(t.slice(0, i));
    }
  });

  it('on hostile text: deep nesting, huge strings, lone surrogates, 1e999, duplicate keys, bad escapes', () => {
    const span = (extra: string): string => `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1544712660000000000"${extra}}]}]}]}`;
    const deepValue = (n: number): string => '{"arrayValue":{"values":['.repeat(n) + '{"intValue":1}' + ']}}'.repeat(n);
    const cases = [
      span(`,"attributes":[{"key":"deep","value":${deepValue(40)}}]`),
      span(`,"attributes":[{"key":"deep","value":${deepValue(600)}}]`),
      span(`,"junk":${'['.repeat(100000)}${']'.repeat(100000)}`),
      span(`,"junk":${'['.repeat(100000)}`),
      span(`,"name":"${'x'.repeat(1 << 20)}"`),
      span(',"name":"\\ud800 lone \\udc00 \\ud83d\\ude80 ok"'),
      span(',"name":"raw \ud800 lone"'),
      span(',"endTimeUnixNano":1e999'),
      span(',"endTimeUnixNano":-0'),
      span(',"attributes":[{"key":"n","value":{"doubleValue":1e999}},{"key":"i","value":{"intValue":-0}}]'),
      span(',"name":"a","name":"b"'),
      span(',"name":"esc \\"},{\\" \\\\","kind":"SPAN_KIND_BAD"'),
      span(',"attributes":[{"key":"k","value":{"stringValue":"a","intValue":"5"}}]'),
      span(',"attributes":[{"value":{"stringValue":"v"},"key":"k"}]'),
      span(',"name":"bad \\x escape"'),
      span(',"name":"tab\tinside"'),
      span(',"name":"cr\rinside"'),
      span(',"name":"nl\ninside"'),
      span(',"name":"ctl\u0001inside"'),
      span(',"name":"ok"') + '\r\n',
      span(',\n"name":"pretty"'),
      span(',"kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_ERROR","message":"\\"quoted\\" \\n"}'),
      span(',"kind":7'),
      span(',"kind":2.5'),
      span(',"flags":"257","traceState":"a=b"'),
      span(',"endTimeUnixNano":"1"'),
      span(',"attributes":[{"key":"__proto__","value":{"stringValue":"p"}},{"key":"k","value":{"kvlistValue":{"values":[{"key":"__proto__","value":{"boolValue":true}}]}}}]'),
      span(',"tr\\u0061ceId":"00000000000000000000000000000001"'),
      '{"result":{"resourceSpans":[]},"resourceSpans":[]}',
      '{"resourceSpans":null}',
      '{"resourceMetrics":[]}',
      '[]',
      '',
      '\ufeff{"resourceSpans":[]}',
      '{"resourceSpans":[]} x',
      '{"resourceSpans":[01]}',
      '{"resourceSpans":[1.]}',
      '{"resourceSpans":[],}',
    ];
    // A span with an escaped quote and an unknown kind is decoded alone through JSON.parse; the
    // document stays on the fast path.
    assert.ok(scanned(cases.find((c) => c.includes('SPAN_KIND_BAD'))!));
    for (const c of cases) {
      same(c);
      assert.deepStrictEqual(decodeCollectorFile(c, 'h.jsonl', 0), decodeCollectorFile(c, 'h.jsonl', Infinity));
    }
  });
});

// Random OTLP/JSON documents: mostly valid spans (so most take the fast path), with every odd
// form producers use, and now and then one the decoders must reject the same way.
/** `normal` most of the time, `odd` about one time in 60 (a span draws dozens of values). */
const mostly = <T>(normal: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: normal, weight: 60 }, { arbitrary: odd, weight: 1 });
const hex = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const id = (bytes: number): fc.Arbitrary<string | undefined> => mostly(
  fc.oneof(
    { arbitrary: hex(2 * bytes), weight: 8 },
    { arbitrary: hex(2 * bytes).map((s) => s.toUpperCase()), weight: 1 },
    { arbitrary: fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('base64')), weight: 1 },
  ),
  fc.constantFrom<string | undefined>('', 'zz', '0'.repeat(2 * bytes), undefined),
);
const someText = fc.oneof(
  { arbitrary: fc.constantFrom('GET /orders', 'eu-west-1', 'a/b', 'quote " and \\ slash', 'grüße 世界 🚀', '\ud800', 'x\udc00y', ''), weight: 2 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 1 },
  { arbitrary: fc.string({ minLength: 60, maxLength: 80 }), weight: 1 },
);
type J = unknown;
const kv = (value: fc.Arbitrary<J>): fc.Arbitrary<J> => fc.record({ key: someText, value }, { requiredKeys: ['key'] });
const { anyValue } = fc.letrec<{ anyValue: J }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small' },
    fc.record({ stringValue: someText }),
    fc.record({ intValue: mostly(fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)), fc.constantFrom('x', 1.5, '+1', null)) }),
    fc.record({ boolValue: mostly<J>(fc.boolean(), fc.constantFrom('true', 1, null)) }),
    fc.record({ doubleValue: mostly(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('1.5', 'NaN', NaN)) }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(kv(tie('anyValue')), { maxLength: 3 }) }) }),
    fc.record({ bytesValue: fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString('base64')) }),
    mostly(fc.constant({}), fc.constantFrom(null, { unknownValue: 1 }, { stringValue: 'two', intValue: 2 })),
  ),
}));
const attributes = fc.array(kv(anyValue), { maxLength: 5 });
const nanos = fc.bigInt({ min: 0n, max: 2n ** 62n });
/** 0: decimal string, 1: number, 2: not an integer, 3: not a number. */
const timeForm = mostly(fc.constantFrom(0, 0, 1), fc.constantFrom(2, 3));
const timeAs = (ns: bigint, form: number): J => (form === 0 ? String(ns) : form === 1 ? Number(ns) : form === 2 ? Number(ns) / 1e3 + 0.5 : 'soon');
const span = fc.record({
  traceId: id(16), spanId: id(8), parentSpanId: fc.oneof(id(8), fc.constant('')),
  name: someText, kind: mostly(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', '3')), fc.constantFrom('BAD', null, 6, 2.5)),
  start: nanos, dur: mostly(fc.bigInt({ min: 0n, max: 2n ** 40n }), fc.bigInt({ min: -5n, max: -1n })), startForm: timeForm, endForm: timeForm,
  attributes, droppedAttributesCount: fc.nat(),
  events: fc.array(fc.record({ timeUnixNano: fc.oneof(nanos.map(String), fc.constant(0)), name: someText, attributes }, { requiredKeys: [] }), { maxLength: 2 }),
  links: fc.array(fc.record({ traceId: id(16), spanId: id(8), traceState: fc.constantFrom('', 'a=b'), attributes }, { requiredKeys: ['traceId', 'spanId'] }), { maxLength: 2 }),
  status: fc.record({ code: mostly(fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constantFrom('STATUS_CODE_ERROR', 'STATUS_CODE_OK')), fc.constantFrom(3, 'NOPE')), message: someText }, { requiredKeys: [] }),
  flags: mostly(fc.nat(), fc.constantFrom('257', -1, 'x')), traceState: fc.constantFrom('', 'congo=t61rcWkgMzE'),
}, { requiredKeys: ['traceId', 'spanId', 'start', 'dur', 'startForm', 'endForm'] }).map(({ start, dur, startForm, endForm, ...rest }) => ({
  ...rest, startTimeUnixNano: timeAs(start, startForm), endTimeUnixNano: timeAs(start + dur < 0n ? 0n : start + dur, endForm),
}));
const otlpDocument = fc.record({
  resourceSpans: fc.array(fc.record({
    resource: fc.record({ attributes, droppedAttributesCount: fc.nat() }, { requiredKeys: [] }),
    scopeSpans: fc.array(fc.record({
      scope: fc.record({ name: someText, version: fc.constantFrom('', '1.0.0') }, { requiredKeys: [] }),
      spans: fc.array(span, { maxLength: 4 }),
      schemaUrl: fc.constant('https://opentelemetry.io/schemas/1.4.0'),
    }, { requiredKeys: ['spans'] }), { maxLength: 3 }),
  }, { requiredKeys: [] }), { maxLength: 3 }),
  shape: fc.constantFrom('plain', 'plain', 'legacy', 'envelope'),
}).map(({ resourceSpans, shape }): J => {
  if (shape === 'envelope') return { result: { resourceSpans } };
  if (shape === 'plain') return { resourceSpans };
  return { resourceSpans: resourceSpans.map(({ scopeSpans, ...r }) => ({ ...r, instrumentationLibrarySpans: scopeSpans?.map(({ scope, ...s }) => ({ ...s, instrumentationLibrary: scope })) })) };
});

/** JSON text of `v` with random whitespace, \u escapes, key order and (rarely) duplicate keys; `oneLine` keeps it on one line. */
function toJsonText(v: J, seed: number, oneLine = false): string {
  let x = seed | 1;
  const rnd = (n: number): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
  const ws = (): string => (rnd(4) !== 0 ? '' : oneLine ? [' ', '\t'][rnd(2)] : [' ', '\n  ', '\t', '\r\n'][rnd(4)]);
  // Member names are rarely escaped (the scanner leaves such a document to JSON.parse); values often.
  const str = (s: string, name = false): string => {
    let out = '"';
    const escapeOdds = name ? (rnd(1000) === 0 ? 3 : 0) : 12;
    for (const ch of s) {
      const c = ch.charCodeAt(0);
      if (ch === '"' || ch === '\\' || c < 0x20 || (escapeOdds > 0 && rnd(escapeOdds) === 0)) {
        const hex4 = c.toString(16).padStart(4, '0');
        out += ch.length === 1 ? '\\u' + (rnd(2) === 0 ? hex4 : hex4.toUpperCase()) : ch;
      } else if (ch === '/' && rnd(2) === 0) out += '\\/';
      else out += ch;
    }
    return out + '"';
  };
  const write = (val: J): string => {
    if (val === null || typeof val === 'boolean') return String(val);
    if (typeof val === 'number') return Number.isFinite(val) ? String(val) : 'null';
    if (typeof val === 'string') return str(val);
    if (Array.isArray(val)) return '[' + ws() + val.map((e) => write(e === undefined ? null : e)).join(ws() + ',' + ws()) + ws() + ']';
    const entries = Object.entries(val as Record<string, J>).filter(([, e]) => e !== undefined);
    if (entries.length > 1 && rnd(30) === 0) entries.reverse();
    if (entries.length > 0 && rnd(100) === 0) entries.push(entries[rnd(entries.length)]);
    if (rnd(10) === 0) entries.push(['unknownField', { nested: [1, 'two', { three: null }] }]);
    return '{' + ws() + entries.map(([k, e]) => str(k, true) + ws() + ':' + ws() + write(e)).join(ws() + ',' + ws()) + ws() + '}';
  };
  return ws() + write(v) + ws();
}
