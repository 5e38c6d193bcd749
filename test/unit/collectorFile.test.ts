// Collector `file` exporter output (JSON lines mixing traces, metrics and logs).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeCollectorFile } from '../../src/core/collectorFile';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');
const OTEL_TUI = path.join(CORPUS, 'otlp/fileexporter/otel-tui/test_data.json');

describe('decodeCollectorFile', () => {
  it('imports the real otel-tui capture: 547 spans in 141 traces from 41 trace lines, skipping 40 metrics and 16 logs lines', () => {
    const text = fs.readFileSync(OTEL_TUI, 'utf8');
    const r = decodeCollectorFile(text, 'test_data.json');
    assert.deepEqual(r.errors, []);
    assert.equal(r.spans.length, 547);
    assert.equal(new Set(r.spans.map((s) => s.traceId)).size, 141);
    assert.deepEqual(r.skipped, { metrics: 40, logs: 16 });
    const lines = text.split('\n').filter((l) => l.includes('"resourceSpans"'));
    assert.equal(lines.length, 41);
    // Every span of the file is there once, and all share one origin object.
    assert.equal(new Set(r.spans.map((s) => `${s.traceId}/${s.spanId}`)).size, 547);
    assert.ok(r.spans.every((s) => s.origin === r.spans[0].origin));
    assert.deepEqual(r.spans[0].origin, { format: 'otlp-json', source: 'test_data.json' });
    const services = [...new Set(r.spans.map((s) => String(s.resource.attributes['service.name'])))].sort();
    assert.deepEqual(services, ['adservice', 'checkoutservice', 'flagd', 'frontend', 'frontend-proxy', 'loadgenerator', 'productcatalogservice', 'recommendationservice']);
  });

  it('reports a bad line with its 1-based line number and still imports the others', () => {
    const good = fs.readFileSync(path.join(CORPUS, 'otlp/otlp2parquet/traces.jsonl'), 'utf8').split('\n').filter(Boolean);
    const text = [good[0], '{"resourceSpans": [ {"scopeSpans": [', good[1], '', '{"resourceLogs": []}', good[2]].join('\r\n') + '\n';
    const r = decodeCollectorFile(text, 'mixed.jsonl');
    assert.equal(r.spans.length, 3);
    assert.deepEqual(r.skipped, { logs: 1 });
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].line, 2);
    assert.equal(r.errors[0].source, 'mixed.jsonl');
    assert.match(r.errors[0].reason, /^malformed JSON/);
  });

  it('names the line of a span with a bad id', () => {
    const line = (traceId: string) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId, spanId: 'b7ad6b7169203331', name: 'op', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' }] }] }] });
    const r = decodeCollectorFile([line('0af7651916cd43dd8448eb211c80319c'), line('0af7')].join('\n'), 'f');
    assert.equal(r.spans.length, 1);
    assert.equal(r.errors[0].line, 2);
    assert.match(r.errors[0].reason, /^span "op" at resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\] has an invalid trace id "0af7"/);
  });

  it('also reads one pretty-printed OTLP/JSON document', () => {
    const text = fs.readFileSync(path.join(CORPUS, 'otlp/json/opentelemetry-proto/trace.json'), 'utf8');
    for (const t of [text, '\n\n' + text]) {
      const r = decodeCollectorFile(t, 'trace.json');
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.spans.map((s) => s.name), ["I'm a server span"]);
    }
  });
});
