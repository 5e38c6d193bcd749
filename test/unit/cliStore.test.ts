import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/sources/store/fileTraceStore';
import { tempDir } from './storeHelpers';

const ROOT = path.resolve(__dirname, '../..');
const corpus = path.resolve(__dirname, '../../../shared/corpus');
const collectorFile = path.join(corpus, 'otlp/fileexporter/otel-tui/test_data.json');
const malformed = path.join(corpus, 'otlp/otlp2parquet/invalid/malformed.json');
const ddb = path.join(corpus, 'xray/otel-collector-contrib/ddbSample.txt');

interface Ran { code: number; stdout: string; stderr: string }

function cli(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli.js', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('trace-insight import / traces / show (built CLI)', () => {
  let dir: string;
  let store: string;
  let garbage: string;
  let empty: string;
  let imported: Ran;

  before(async function () {
    this.timeout(120_000);
    await new Promise<void>((resolve, reject) => execFile(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: ROOT }, (e) => (e ? reject(e) : resolve())));
    dir = tempDir('ti-cli-');
    store = path.join(dir, 'store');
    garbage = path.join(dir, 'garbage.bin');
    fs.writeFileSync(garbage, Buffer.from([0xc3, 0x28, 0x00, 0x01, 0xfe, 0xff, 0x10, 0x20]));
    empty = path.join(dir, 'empty.json');
    fs.writeFileSync(empty, '');
    imported = await cli('import', collectorFile, malformed, garbage, empty, ddb, '--store', store);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('import says what each file held, names every bad file with its line, and exits 1', () => {
    assert.equal(imported.code, 1);
    assert.deepEqual(imported.stdout.split('\n'), [
      `${collectorFile}: 547 spans in 141 traces (97 lines, 56 non-trace lines skipped)`,
      `${ddb}: 18 spans in 1 trace`,
      `Stored 565 new spans from 5 files in ${store}; 3 files had errors`,
      '',
    ]);
    const err = imported.stderr.split('\n');
    assert.match(err[0], new RegExp(`^${malformed.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:21: malformed JSON: `));
    assert.equal(err[1], `${garbage}: byte 0: not a trace file: neither OTLP protobuf nor UTF-8 JSON (it starts with bytes c3 28 00 01 fe ff 10 20)`);
    assert.equal(err[2], `${empty}: empty file: no trace data`);
    assert.equal(err.length, 4);
  });

  it('importing again stores nothing twice', async () => {
    const again = await cli('import', ddb, '--store', store);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, `${ddb}: 18 spans in 1 trace (18 already stored)\nStored 0 new spans from 1 file in ${store}\n`);
  });

  it('traces --json lists every trace newest first with its summary', async () => {
    const r = await cli('traces', '--store', store, '--limit', '0', '--json');
    assert.equal(r.code, 0);
    const list = JSON.parse(r.stdout) as { traceId: string; startUnixMs: number }[];
    assert.equal(list.length, 142);
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].startUnixMs >= list[i].startUnixMs);
    assert.deepEqual(list.find((t) => t.traceId === '43e16db8b39d2847d082975ab07acfa6'), {
      traceId: '43e16db8b39d2847d082975ab07acfa6', rootName: 'HTTP GET', startUnixMs: 1730291068889, durationMs: 7.276,
      spanCount: 18, errorCount: 0, coldStart: false, functions: [],
    });
    const three = JSON.parse((await cli('traces', '--store', store, '--limit', '3', '--json')).stdout);
    assert.deepEqual(three, list.slice(0, 3));
    assert.deepEqual(JSON.parse((await cli('traces', '--store', store, '--since', '7d', '--json')).stdout), []);
    assert.deepEqual(JSON.parse((await cli('traces', '--store', store, '--function', 'nope', '--json')).stdout), []);
  });

  it('traces prints a table of at most 50 rows by default', async () => {
    const r = await cli('traces', '--store', store);
    const rows = r.stdout.trimEnd().split('\n');
    assert.equal(rows.length, 51);
    assert.match(rows[0], /^START \(UTC\) +DURATION +SPANS +ERRORS +COLD +TRACE ID +ROOT +FUNCTIONS$/);
  });

  it('show --json gives the spans in tree order with exact fields; X-Ray ids work too', async () => {
    const r = await cli('show', '43e16db8b39d2847d082975ab07acfa6', '--store', store, '--json');
    assert.equal(r.code, 0);
    const t = JSON.parse(r.stdout) as { traceId: string; spans: { spanId: string; parentSpanId: string | null }[] };
    assert.equal(t.traceId, '43e16db8b39d2847d082975ab07acfa6');
    assert.equal(t.spans.length, 18);
    assert.deepEqual(t.spans[0], {
      spanId: '4f9891bad042caab', parentSpanId: null, name: 'HTTP GET', kind: 'server', startUnixMs: 1730291068889, durationMs: 7.125,
      status: { code: 'unset' },
      attributes: {
        'app.synthetic_request': true, 'http.target': '/api/recommendations', 'http.method': 'GET', 'http.user_agent': 'python-requests/2.31.0',
        'http.url': 'frontend-proxy:8080/api/recommendations?productIds=2ZYFJ3GM2N', 'http.flavor': '1.1', 'http.status_code': 200,
      },
    });
    const seen = new Set<string>();
    for (const s of t.spans) { if (s.parentSpanId) assert.ok(seen.has(s.parentSpanId), 'parent before child'); seen.add(s.spanId); }
    const viaXRay = await cli('show', '1-43e16db8-b39d2847d082975ab07acfa6', '--store', store, '--json');
    assert.equal(viaXRay.stdout, r.stdout);
  });

  it('show prints an indented tree with durations', async () => {
    const r = await cli('show', '43e16db8b39d2847d082975ab07acfa6', '--store', store);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Trace 43e16db8b39d2847d082975ab07acfa6 (X-Ray 1-43e16db8-b39d2847d082975ab07acfa6)');
    assert.equal(lines[1], 'HTTP GET: 7.28 ms, 18 spans, 0 errors, started 2024-10-30T12:24:28.889Z');
    assert.equal(lines[3], 'HTTP GET  7.13 ms  (+0 us, server)');
    assert.equal(lines[4], '  grpc.oteldemo.RecommendationService/ListRecommendations  4.18 ms  (+1.00 ms, client)');
    assert.equal(lines[5], '    /oteldemo.RecommendationService/ListRecommendations  2.66 ms  (+2.06 ms, server)');
  });

  it('show of an unknown or malformed id exits 1 with a clear message', async () => {
    const unknown = await cli('show', '0123456789abcdef0123456789abcdef', '--store', store);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `trace-insight show: no trace 0123456789abcdef0123456789abcdef in ${store}\n`);
    const bad = await cli('show', 'not-an-id', '--store', store);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /'not-an-id' is not a trace id/);
  });

  it('--function finds the traces of one Lambda function', async () => {
    const s2 = path.join(dir, 'lambda-store');
    const r = await cli('import', path.join(corpus, 'captured/lambda'), '--store', s2);
    assert.equal(r.code, 0, r.stderr);
    const fn = JSON.parse((await cli('traces', '--store', s2, '--function', 'orders-api-OrdersFunction-9XK2L', '--json')).stdout) as { functions: string[]; coldStart: boolean }[];
    assert.equal(fn.length, 6);
    assert.ok(fn.every((t) => t.functions.includes('orders-api-OrdersFunction-9XK2L')));
    assert.equal(fn.filter((t) => t.coldStart).length, 2);
  });

  it('refuses to import while another process writes the store', async () => {
    const s3 = path.join(dir, 'locked');
    const holder = await openStore(s3);
    try {
      const r = await cli('import', ddb, '--store', s3);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`in use by process ${process.pid}`));
    } finally { await holder.close(); }
  });

  it('--help of every command names every option; unknown options exit 2', async () => {
    const expect: Record<string, string[]> = {
      import: ['--store'], traces: ['--store', '--function', '--since', '--limit', '--json'], show: ['--store', '--json'],
    };
    for (const [cmd, opts] of Object.entries(expect)) {
      const r = await cli(cmd, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: trace-insight ${cmd}`));
      for (const o of [...opts, '--help']) assert.ok(r.stdout.includes(`  ${o}`), `${cmd} --help lists ${o}`);
    }
    const bad = await cli('traces', '--store', store, '--colour');
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'trace-insight traces: unknown option --colour (see --help)\n');
  });
});
