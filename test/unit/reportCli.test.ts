// `trace-insight report` end to end in-process: a real store filled with the captured OTel Lambda
// data, a SAM workspace declaring the function, and the three formats and exit codes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/cli/args';
import { run } from '../../src/cli/commands/report';
import type { ReportDocument } from '../../src/core/analysis/report';
import type { Span } from '../../src/core/model';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { openStore } from '../../src/sources/store/fileTraceStore';

const LAMBDA = path.resolve(__dirname, '../../../shared/corpus/captured/lambda');

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: orders/
      Handler: index.handler
      Runtime: nodejs20.x
      MemorySize: 1024
      Timeout: 3
      Architectures:
        - arm64
`;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  try {
    const code = await run(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
    return { code, out, err };
  } catch (e) {
    // what runCli (src/cli/main.ts) does with a UsageError
    if (e instanceof UsageError) return { code: 2, out, err: `${err}trace-insight report: ${e.message}\n` };
    throw e;
  }
}

describe('trace-insight report', function () {
  this.timeout(60_000);
  let dir: string, store: string, ws: string, handlerLine: number;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-report-'));
    store = path.join(dir, 'store');
    ws = path.join(dir, 'ws');
    fs.mkdirSync(path.join(ws, 'orders'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'template.yaml'), TEMPLATE);
    const src = fs.readFileSync(path.join(LAMBDA, 'handlers/otel/index.js'), 'utf8');
    fs.writeFileSync(path.join(ws, 'orders/index.js'), src);
    handlerLine = src.split('\n').findIndex((l) => /exports\.handler|function handler/.test(l)) + 1;
    const spans: Span[] = [];
    for (let i = 1; i <= 6; i++) {
      const f = `otel-lambda-${i}.json`;
      spans.push(...decodeOtlpJson(fs.readFileSync(path.join(LAMBDA, f), 'utf8'), f).spans);
    }
    const s = await openStore(store);
    await s.append(spans);
    await s.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--format json: one row per function with the handler, figures and findings', async () => {
    const r = await cli('--store', store, '--workspace', ws, '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as ReportDocument;
    assert.equal(doc.functions.length, 1);
    const f = doc.functions[0];
    assert.deepEqual(
      [f.name, f.handler, f.invocations, f.p50Ms, f.p95Ms, f.p99Ms, f.coldStarts, f.coldStartRate, f.errorRate, f.initP95Ms],
      ['orders-api-OrdersFunction-9XK2L', { file: 'orders/index.js', line: handlerLine }, 6, 39.848, 112.558, 112.558, 2, 2 / 6, 1 / 6, null]);
    // memory and architecture from the template beat faas.max_memory (512 MB): 1024 MB arm64 in eu-west-1
    assert.deepEqual([f.memoryMb, f.memorySource, f.architecture, f.timeoutSec, f.region], [1024, 'infrastructure', 'arm64', 3, 'eu-west-1']);
    assert.equal(f.identity.confidence, 'pattern'); // orders-api-OrdersFunction-9XK2L is a CloudFormation physical name
    const perInv = 0.2 / 1e6 + ((383 / 6) / 1000) * (1024 / 1024) * 0.0000133334;
    assert.ok(Math.abs(f.costPer1MUsd - perInv * 1e6) < 1e-9);
    assert.ok(typeof f.costPerMonthUsd === 'number' && f.costPerMonthUsd > 0);
    assert.equal(doc.findings.length, 3);
    assert.ok(doc.findings.every((x) => x.kind === 'missing-parent'));
    assert.equal(doc.failOn, null);
    // eu-west-1 prices cite their sources, and the document says what each source is
    assert.deepEqual(f.priceSources, ['artillery-prices', 'aws-tiered-pricing-blog']);
    assert.deepEqual(Object.keys(doc.prices.sources), ['artillery-prices', 'aws-init-billing-blog', 'aws-tiered-pricing-blog', 'aws-xray-pricing']);
  });

  it('per line: the Lambda spans map to the handler line, the failed one to the line that threw', async () => {
    const r = await cli('--store', store, '--workspace', ws, '--format', 'json');
    const doc = JSON.parse(r.out) as ReportDocument;
    // 6 Lambda spans: 5 map to the handler (the invocation span runs it), the failed one through its
    // exception stack (/var/task/orders/index.js:25:18); GetItem and GET spans carry no location
    assert.deepEqual(doc.lines?.top.map((l) => [l.file, l.line, l.count, l.errorRate]), [
      ['orders/index.js', handlerLine, 5, 0], ['orders/index.js', 25, 1, 1],
    ]);
    assert.deepEqual([doc.lines?.mapped, doc.lines?.unmapped], [6, 12]);
    const none = JSON.parse((await cli('--store', store, '--workspace', 'none', '--format', 'json')).out) as ReportDocument;
    assert.equal(none.lines, null);
  });

  it('--fail-on exits 1 and names function, metric, value and threshold', async () => {
    const r = await cli('--store', store, '--workspace', ws, '--fail-on', 'p95>100ms,coldStartRate>5%,costPerMonth>1000');
    assert.equal(r.code, 1);
    assert.match(r.out, /orders-api-OrdersFunction-9XK2L: p95 = 112\.6 ms crosses p95>100ms \(threshold 100 ms\)/);
    assert.match(r.out, /orders-api-OrdersFunction-9XK2L: coldStartRate = 33\.33% crosses coldStartRate>5% \(threshold 5%\)/);
    assert.doesNotMatch(r.out, /costPerMonth =/);
    const ok = await cli('--store', store, '--workspace', 'none', '--fail-on', 'p95>1s', '--format', 'json');
    assert.equal(ok.code, 0);
    assert.deepEqual((JSON.parse(ok.out) as ReportDocument).failOn, { rules: ['p95>1s'], violations: [] });
  });

  it('a bad --fail-on expression exits 2 with the reason, before reading anything', async () => {
    const r = await cli('--store', path.join(dir, 'nowhere'), '--fail-on', 'p95>800kg');
    assert.equal(r.code, 2);
    assert.equal(r.err, `trace-insight report: bad --fail-on expression:\n  'p95>800kg': p95 takes ms or s, not 'kg'\n`);
  });

  it('a missing store or bad option is a usage error (exit 2)', async () => {
    assert.match((await cli('--store', path.join(dir, 'nowhere'))).err, /no trace store at .*nowhere/);
    assert.equal((await cli('--store', store, '--format', 'yaml')).code, 2);
    assert.equal((await cli('--store', store, '--bogus')).code, 2);
  });

  it('table and markdown show the row with handler file:line and cost columns', async () => {
    const t = await cli('--store', store, '--workspace', ws);
    assert.equal(t.code, 0);
    const [head, row] = t.out.split('\n');
    assert.match(head, /^FUNCTION\s+HANDLER\s+INVOC\s+P50 ms\s+P95 ms\s+P99 ms\s+ERR\s+COLD\s+INIT P95\s+\$\/1M\s+\$\/MONTH$/);
    // $/1M: (0.2/1M + 383/6 ms / 1000 × 1 GB × $0.0000133334) × 1M = $1.05; $/month: × 6 × 30 d / 145 796 ms = $0.1121
    assert.match(row, new RegExp(`^orders-api-OrdersFunction-9XK2L\\s+orders/index\\.js:${handlerLine}\\s+6\\s+39\\.8\\s+112\\.6\\s+112\\.6\\s+17%\\s+33%\\s+-\\s+\\$1\\.05\\s+\\$0\\.1121$`));
    assert.match(t.out, /Findings \(3\):/);
    const md = await cli('--store', store, '--workspace', ws, '--format', 'markdown');
    assert.match(md.out, /^## Trace Insight report\n\n\| FUNCTION \| HANDLER \|/);
    assert.match(md.out, new RegExp(`\\| orders-api-OrdersFunction-9XK2L \\| \`orders/index\\.js:${handlerLine}\` \\| 6 \\|`));
  });

  it('--function keeps one function; --since outside the data gives no rows', async () => {
    const none = await cli('--store', store, '--workspace', 'none', '--function', 'other', '--format', 'json');
    assert.deepEqual((JSON.parse(none.out) as ReportDocument).functions, []);
    const byLogical = await cli('--store', store, '--workspace', ws, '--function', 'OrdersFunction', '--format', 'json');
    assert.equal((JSON.parse(byLogical.out) as ReportDocument).functions.length, 1);
    // the captured data is from 2026-11-22 ~02:46 UTC; a 1 s window before now holds none of it
    const recent = await cli('--store', store, '--workspace', 'none', '--since', '1s', '--format', 'json');
    assert.deepEqual((JSON.parse(recent.out) as ReportDocument).functions, []);
  });
});
