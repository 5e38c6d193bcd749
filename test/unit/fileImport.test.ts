import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { decodeBytes, detectFormat } from '../../src/core/decode';
import { summarizeTrace } from '../../src/core/summary';
import { importPaths } from '../../src/sources/fileImport';
import { openStore, type FileTraceStore } from '../../src/sources/store/fileTraceStore';
import { tempDir } from './storeHelpers';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const collectorFile = path.join(corpus, 'otlp/fileexporter/otel-tui/test_data.json');
const enc = (s: string) => new TextEncoder().encode(s);

describe('decodeBytes: format by content', () => {
  const cases: [string, string][] = [
    ['otlp/fileexporter/otel-tui/test_data.json', 'otlp-json-lines'],
    ['otlp/otlp2parquet/traces.jsonl', 'otlp-json-lines'],
    ['otlp/json/opentelemetry-proto/trace.json', 'otlp-json'],
    ['otlp/json/jaeger/apiv3-GetTrace.json', 'otlp-json'],
    ['otlp/json/data-prepper/legacy-instrumentationLibrarySpans/test-request-instrumentation-library.json', 'otlp-json'],
    ['otlp/protobuf/opentelemetry-proto/trace.protobuf-bin', 'otlp-protobuf'],
    ['otlp/otlp2parquet/traces.pb', 'otlp-protobuf'],
    ['xray/otel-collector-contrib/ddbSample.txt', 'xray'],
    ['xray/otel-collector-contrib/udp-wire-format/ddbSample.txt', 'xray'],
    ['captured/moto-BatchGetTraces-response.json', 'xray'],
    ['otlp/otlp2parquet/README.md', 'unknown'],
  ];
  for (const [file, format] of cases) {
    it(`${file} is ${format}`, () => assert.equal(detectFormat(fs.readFileSync(path.join(corpus, file))), format));
  }

  it('decodes the same spans from the protobuf and JSON twins', () => {
    const pb = decodeBytes(fs.readFileSync(path.join(corpus, 'otlp/otlp2parquet/traces.pb')), 'pb');
    const js = decodeBytes(fs.readFileSync(path.join(corpus, 'otlp/otlp2parquet/traces.jsonl')), 'js');
    assert.equal(pb.spans.length, 19);
    assert.deepEqual(pb.spans.map((s) => s.spanId).sort(), js.spans.map((s) => s.spanId).sort());
  });

  it('reads JSON after a BOM and blank lines, not mistaking a leading newline for protobuf', () => {
    const doc = fs.readFileSync(path.join(corpus, 'otlp/json/opentelemetry-proto/trace.json'), 'utf8');
    const r = decodeBytes(enc(`\uFEFF\n\n  ${doc}`), 'bom.json');
    assert.deepEqual(r.errors, []);
    assert.equal(r.spans.length, 1);
  });

  it('gives one clear error for binary garbage, an empty file, foreign JSON and gzip', () => {
    assert.deepEqual(decodeBytes(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1, 2]), 'g.bin').errors,
      [{ source: 'g.bin', offset: 0, reason: 'not a trace file: neither OTLP protobuf nor UTF-8 JSON (it starts with bytes de ad be ef 00 01 02)' }]);
    assert.deepEqual(decodeBytes(enc(' \n\t'), 'e.json').errors, [{ source: 'e.json', reason: 'empty file: no trace data' }]);
    assert.deepEqual(decodeBytes(enc('{"name": "x", "version": 2}'), 'pkg.json').errors,
      [{ source: 'pkg.json', reason: 'not a trace document: found JSON without OTLP "resourceSpans" or X-Ray "trace_id"/"Traces"' }]);
    assert.match(decodeBytes(zlib.gzipSync(enc('{}')), 'x.gz').errors[0].reason, /gzip/);
    assert.match(decodeBytes(enc('hello world'), 'h.txt').errors[0].reason, /it starts with "hello world"/);
  });

  it('finds an X-Ray document whose trace_id comes after 64 KiB of metadata', () => {
    const doc = { name: 'fn', id: '70de5b6f19ff9a0a', start_time: 1.5e9, end_time: 1.5e9 + 1, metadata: { big: { blob: 'm'.repeat(70_000) } }, trace_id: '1-581cf771-a006649127e371903a2de979' };
    const r = decodeBytes(enc(JSON.stringify(doc)), 'late.json');
    assert.deepEqual(r.errors, []);
    assert.equal(r.spans[0].traceId, '581cf771a006649127e371903a2de979');
  });

  it('reports malformed JSON with its line', () => {
    const r = decodeBytes(fs.readFileSync(path.join(corpus, 'otlp/otlp2parquet/invalid/malformed.json')), 'm.json');
    assert.equal(r.spans.length, 0);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].line, 21);
    assert.match(r.errors[0].reason, /^malformed JSON/);
  });
});

describe('importPaths', () => {
  let dir: string;
  let store: FileTraceStore;
  beforeEach(async () => { dir = tempDir('ti-import-'); store = await openStore(path.join(dir, 'store')); });
  afterEach(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('imports the Collector file: 547 spans in 141 traces among 97 lines, metrics and logs lines skipped', async () => {
    const [r] = await importPaths([collectorFile], store);
    assert.deepEqual(r, {
      file: collectorFile, format: 'otlp-json-lines', spans: 547, accepted: 547, duplicates: 0, traces: 141, lines: 97,
      skipped: { metrics: 40, logs: 16 }, errors: [],
    });
    assert.deepEqual(store.stats().traces, 141);
    assert.deepEqual(store.stats().spans, 547);
    const again = await importPaths([collectorFile], store);
    assert.equal(again[0].duplicates, 547);
    assert.equal(store.stats().spans, 547);
  });

  it('streams a big JSON-lines file in chunks with the same result and true line numbers', async () => {
    const lines = fs.readFileSync(collectorFile, 'utf8').split('\n');
    lines.splice(60, 0, '{"resourceSpans": [ broken');
    const file = path.join(dir, 'big.jsonl');
    fs.writeFileSync(file, lines.join('\n'));
    const [r] = await importPaths([file], store, { streamAboveBytes: 1, chunkChars: 50_000 });
    assert.equal(r.spans, 547);
    assert.equal(r.traces, 141);
    assert.equal(r.lines, 98);
    assert.deepEqual(r.skipped, { metrics: 40, logs: 16 });
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].line, 61);
    assert.match(r.errors[0].reason, /malformed JSON/);
  });

  it('keeps store summaries equal to summarizeTrace over the stored spans, for every corpus trace', async () => {
    await importPaths([path.join(corpus, 'otlp'), path.join(corpus, 'xray'), path.join(corpus, 'captured')], store);
    const list = await store.listTraces();
    assert.ok(list.length > 150);
    for (const sum of list) {
      const trace = await store.getTrace(sum.traceId);
      assert.deepEqual(sum, summarizeTrace(sum.traceId, trace!.spans), sum.traceId);
    }
  });

  it('walks directories: non-trace files are ignored, bad files report errors, the rest import', async () => {
    const results = await importPaths([path.join(corpus, 'otlp/otlp2parquet')], store);
    const byName = new Map(results.map((r) => [path.relative(path.join(corpus, 'otlp/otlp2parquet'), r.file), r]));
    assert.deepEqual([...byName.keys()], ['README.md', 'invalid/README.md', 'invalid/malformed.json', 'invalid/trace_invalid_base64.json',
      'invalid/trace_invalid_kind.json', 'invalid/trace_mixed_encoding.json', 'trace.json', 'trace.pb', 'traces.jsonl', 'traces.pb']);
    assert.equal(byName.get('README.md')?.ignored, 'not a trace file');
    assert.equal(byName.get('invalid/malformed.json')?.errors[0].line, 21);
    assert.equal(byName.get('traces.jsonl')?.accepted, 19);
    assert.equal(byName.get('traces.pb')?.duplicates, 19);
    assert.equal(store.stats().spans, 21);
  });

  it('names unreadable, empty, garbage and too-large files without stopping the others', async () => {
    const empty = path.join(dir, 'empty.json');
    fs.writeFileSync(empty, '');
    const garbage = path.join(dir, 'garbage.bin');
    fs.writeFileSync(garbage, Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0x42]));
    const pretty = path.join(corpus, 'otlp/json/jaeger/example_trace.json');
    const results = await importPaths([path.join(dir, 'missing.json'), empty, garbage, collectorFile], store);
    assert.match(results[0].errors[0].reason, /^cannot read: ENOENT/);
    assert.equal(results[1].errors[0].reason, 'empty file: no trace data');
    assert.match(results[2].errors[0].reason, /^not a trace file/);
    assert.equal(results[3].accepted, 547);
    const [big] = await importPaths([pretty], store, { maxDocumentBytes: 100 });
    assert.equal(big.spans, 0);
    assert.match(big.errors[0].reason, /^too large to import as one document \(0 MiB; the limit is 0 MiB\)/);
  });

  it('unpacks gzip before detecting the format', async () => {
    const gz = path.join(dir, 'data.json.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(collectorFile)));
    const [r] = await importPaths([gz], store);
    assert.equal(r.format, 'otlp-json-lines');
    assert.equal(r.spans, 547);
    assert.equal(r.traces, 141);
  });
});
