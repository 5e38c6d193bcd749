import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planAddTracing } from '../../src/core/instrument/instrument';
import { applyEdits } from '../../src/core/instrument/text';
import { planWrap, wrapCandidates } from '../../src/core/instrument/wrap';
import { goCheck, hasGo } from './instrumentGoCheck';
import { hasRustc, rustcCheck } from './instrumentRustc';
import { docOf, sourceFiles, useParsers } from './helpers/instrumentDocs';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');
/** Wraps the statements from the line holding `from` through the line holding `to` (both texts found in `text`). */
function wrap(name: string, text: string, from: string, to = from): string {
  const doc = docOf(name, text);
  const s = text.indexOf(from), e = text.indexOf(to, s) + to.length;
  assert.ok(s >= 0 && e >= s, `${from} / ${to} in ${name}`);
  return applyEdits(text, planWrap(doc, s, e, 'otel').edits);
}

const GO = `package orders

import (
\t"context"
\t"fmt"
\t"net/http"

\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func Save(ctx context.Context, client *dynamodb.Client, in *dynamodb.PutItemInput) (string, error) {
\tout, err := client.PutItem(ctx, in)
\tif err != nil {
\t\treturn "", err
\t}
\treturn fmt.Sprint(out.ConsumedCapacity), nil
}

func Ping(url string) {
\tresp, err := http.Get(url)
\tif err == nil {
\t\tresp.Body.Close()
\t}
}

func Touch(ctx context.Context, client *dynamodb.Client, in *dynamodb.PutItemInput) error {
\tvar err error
\t_, err = client.PutItem(ctx, in)
\tfmt.Println("saved")
\treturn err
}
`;

const RUST = `use std::fmt;

#[derive(Debug)]
pub struct Error;
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "e") }
}
impl std::error::Error for Error {}

mod reqwest {
    pub async fn get(_url: &str) -> Result<String, super::Error> { Ok(String::new()) }
}

pub struct Client;
pub struct PutItem;
impl Client {
    pub fn put_item(&self) -> PutItem { PutItem }
}
impl PutItem {
    pub fn table_name(self, _t: &str) -> Self { self }
    pub async fn send(self) -> Result<u32, Error> { Ok(1) }
}

pub async fn handler(client: &Client, url: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let mut count = client.put_item().table_name("orders").send().await?;
    let label = "orders";
    count += 1;
    let body = reqwest::get(url).await?;
    Ok(format!("{label} {count} {body}"))
}

pub fn total(items: &[u32]) -> u32 {
    let sum: u32 = items.iter().sum();
    let doubled = sum * 2;
    println!("{sum}");
    doubled + 1
}
`;

describe('instrument: wrap in a span for Go and Rust', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['go', 'rust']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-wrap-native-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('Go: offers the AWS SDK and HTTP call lines, named after the call', () => {
    assert.deepEqual(wrapCandidates(docOf('orders.go', GO)).map((c) => `${c.statement.startPosition.row + 1} ${c.spanName}`), ['12 client.PutItem', '20 http.Get', '28 client.PutItem']);
  });

  it('Go: `out, err :=` used after the selection stays visible: span started and ended around it, err recorded, ctx passed to the call is the span\'s', () => {
    const out = wrap('orders.go', GO, 'out, err :=');
    assert.equal(out.split('\n').slice(0, 27).join('\n'), `package orders

import (
\t"context"
\t"fmt"
\t"net/http"

\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"
\t"go.opentelemetry.io/otel"
\t"go.opentelemetry.io/otel/codes"
)

var tracer = otel.Tracer("orders")

func Save(ctx context.Context, client *dynamodb.Client, in *dynamodb.PutItemInput) (string, error) {
\tspanCtx, span := tracer.Start(ctx, "client.PutItem")
\tout, err := client.PutItem(spanCtx, in)
\tif err != nil {
\t\tspan.RecordError(err)
\t\tspan.SetStatus(codes.Error, err.Error())
\t}
\tspan.End()
\tif err != nil {
\t\treturn "", err
\t}
\treturn fmt.Sprint(out.ConsumedCapacity), nil
}`);
    const doc2 = docOf('orders.go', out);
    assert.equal(doc2.root.hasError, false);
    assert.deepEqual(wrapCandidates(doc2).map((c) => c.spanName), ['http.Get', 'client.PutItem'], 'the wrapped line is not offered again');
  });

  it('Go: a selection whose names do not escape runs in a closure with defer span.End(); the tracer and imports are added once', () => {
    const once = wrap('orders.go', GO, '_, err = client.PutItem', 'fmt.Println("saved")');
    assert.equal(once.slice(once.indexOf('func Touch')), `func Touch(ctx context.Context, client *dynamodb.Client, in *dynamodb.PutItemInput) error {
\tvar err error
\tfunc() {
\t\tctx, span := tracer.Start(ctx, "client.PutItem")
\t\tdefer span.End()
\t\t_, err = client.PutItem(ctx, in)
\t\tfmt.Println("saved")
\t\tif err != nil {
\t\t\tspan.RecordError(err)
\t\t\tspan.SetStatus(codes.Error, err.Error())
\t\t}
\t}()
\treturn err
}
`);
    const twice = wrap('orders.go', once, 'out, err :=');
    assert.equal(twice.match(/otel\.Tracer\(/g)?.length, 1);
    assert.equal(twice.match(/"go\.opentelemetry\.io\/otel\/codes"/g)?.length, 1);
    assert.equal(docOf('orders.go', twice).root.hasError, false);
  });

  it('Go: without a context.Context parameter the span starts from context.Background() and says so', () => {
    const doc = docOf('orders.go', GO);
    const at = GO.indexOf('resp, err :=');
    const plan = planWrap(doc, at, at + 5, 'otel');
    const out = applyEdits(GO, plan.edits);
    assert.ok(out.includes('\t_, span := tracer.Start(context.Background(), "http.Get")\n\tresp, err := http.Get(url)\n\tif err != nil {\n\t\tspan.RecordError(err)\n'), out);
    assert.match(plan.notes.join(' '), /no context\.Context parameter/);
  });

  it('Go: a selection with a defer is not moved into a closure (the defer must still run at the function\'s end); a second span in one function gets its own names', () => {
    const text = 'package p\n\nimport "context"\n\nfunc F(ctx context.Context) error {\n\trows, err := db.QueryContext(ctx, "select 1")\n\tdefer rows.Close()\n\t_, err = db.ExecContext(ctx, "delete")\n\treturn err\n}\n';
    let out = wrap('p.go', text, 'rows, err', 'defer rows');
    out = wrap('p.go', out, '_, err = db.ExecContext');
    assert.equal(out.slice(out.indexOf('func F')), `func F(ctx context.Context) error {
\tspanCtx, span := tracer.Start(ctx, "db.QueryContext")
\trows, err := db.QueryContext(spanCtx, "select 1")
\tdefer rows.Close()
\tif err != nil {
\t\tspan.RecordError(err)
\t\tspan.SetStatus(codes.Error, err.Error())
\t}
\tspan.End()
\tfunc() {
\t\tctx, span2 := tracer.Start(ctx, "db.ExecContext")
\t\tdefer span2.End()
\t\t_, err = db.ExecContext(ctx, "delete")
\t\tif err != nil {
\t\t\tspan2.RecordError(err)
\t\t\tspan2.SetStatus(codes.Error, err.Error())
\t\t}
\t}()
\treturn err
}
`);
    assert.match(out, /^import \(\n\t"context"\n\n\t"go\.opentelemetry\.io\/otel"\n\t"go\.opentelemetry\.io\/otel\/codes"\n\)\n/m);
    assert.equal(docOf('p.go', out).root.hasError, false);
  });

  it('Go: the results build with the Go compiler against the OpenTelemetry API (no unused variable, right signatures); so does Add tracing', function () {
    if (!hasGo()) this.skip();
    const sql = 'package p\n\nimport (\n\t"context"\n\t"database/sql"\n)\n\nvar db *sql.DB\n\nfunc F(ctx context.Context) error {\n\trows, err := db.QueryContext(ctx, "select 1")\n\tdefer rows.Close()\n\t_, err = db.ExecContext(ctx, "delete")\n\treturn err\n}\n';
    const handler = 'package main\n\nimport (\n\t"context"\n\n\t"github.com/aws/aws-lambda-go/lambda"\n)\n\nfunc handle(ctx context.Context, name string) (string, error) {\n\treturn "hi " + name, nil\n}\n\nfunc main() {\n\tlambda.Start(handle)\n}\n';
    const outs = {
      escapes: wrap('orders.go', GO, 'out, err :='), noCtx: wrap('orders.go', GO, 'resp, err :='), closure: wrap('orders.go', GO, '_, err = client.PutItem', 'fmt.Println("saved")'),
      deferred: wrap('p.go', wrap('p.go', sql, 'rows, err', 'defer rows'), '_, err = db.ExecContext'),
      addTracing: applyEdits(handler, planAddTracing(docOf('main.go', handler), 'otel').edits),
    };
    assert.match(outs.addTracing, /lambda\.Start\(otellambda\.InstrumentHandler\(handle\)\)/);
    const control = outs.escapes.replace('spanCtx, span :=', 'spanCtx, span, extra :=');
    const results = goCheck(path.join(tmp, 'go'), [...Object.entries(outs).map(([name, text]) => ({ name, text })), { name: 'original', text: GO }, { name: 'control', text: control }]);
    assert.deepEqual(results.filter((r) => r.name !== 'control' && r.errors), []);
    assert.match(results.find((r) => r.name === 'control')!.errors, /assignment mismatch/);
  });

  it('Go: refuses a selection that returns, and styles other than OpenTelemetry', () => {
    const doc = docOf('orders.go', GO);
    assert.throws(() => planWrap(doc, GO.indexOf('out, err'), GO.indexOf('return fmt'), 'otel'), /returns from the function/);
    assert.throws(() => planWrap(doc, GO.indexOf('out, err'), GO.indexOf('out, err') + 3, 'xray'), /uses OpenTelemetry/);
  });

  it('Rust: awaiting selections become an instrumented async block; bindings used after come out of it; ? keeps the function\'s error type', () => {
    let out = wrap('lib.rs', RUST, 'let mut count', 'let label');
    out = wrap('lib.rs', out, 'let body', 'Ok(format!');
    out = wrap('lib.rs', out, 'let sum', 'let doubled');
    assert.equal(out.split('\n')[0], 'use std::fmt;');
    assert.equal(out.split('\n')[1], 'use tracing::Instrument;');
    const fnText = out.slice(out.indexOf('pub async fn handler'));
    assert.equal(fnText, `pub async fn handler(client: &Client, url: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let (mut count, label) = async {
        let count = client.put_item().table_name("orders").send().await?;
        let label = "orders";
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((count, label))
    }.instrument(tracing::info_span!("client.put_item")).await?;
    count += 1;
    async {
        let body = reqwest::get(url).await?;
        Ok(format!("{label} {count} {body}"))
    }.instrument(tracing::info_span!("reqwest.get")).await
}

pub fn total(items: &[u32]) -> u32 {
    let (sum, doubled) = tracing::info_span!("work").in_scope(|| {
        let sum: u32 = items.iter().sum();
        let doubled = sum * 2;
        (sum, doubled)
    });
    println!("{sum}");
    doubled + 1
}
`);
    assert.deepEqual(wrapCandidates(docOf('lib.rs', out)), [], 'every call line is in a span now');
    if (!hasRustc()) return;
    // The result type-checks against tracing's API; a control with a wrong method name must not.
    const [ok, control] = rustcCheck(path.join(tmp, 'rs'), [{ name: 'wrapped', text: out }, { name: 'control', text: out.replace('.in_scope(', '.in_scope_x(') }]);
    assert.equal(ok.errors, '');
    assert.equal(ok.warnings, '', 'no warning either (the binding is mut outside the block only)');
    assert.match(control.errors, /in_scope_x/);
  });

  it('Rust: Add tracing (#[instrument] + cold start) on a lambda_runtime handler type-checks against tracing\'s and lambda_runtime\'s API', function () {
    const text = ['use lambda_runtime::{service_fn, Error, LambdaEvent};', '',
      'pub struct Request { pub id: u32 }', 'pub struct Response { pub id: u32 }', '',
      'async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {', '    let id = event.payload.id;', '    Ok(Response { id })', '}', '',
      'pub async fn main() -> Result<(), Error> {', '    lambda_runtime::run(service_fn(function_handler)).await', '}', ''].join('\n');
    const out = applyEdits(text, planAddTracing(docOf('main.rs', text), 'otel').edits);
    assert.deepEqual(out.split('\n').slice(5, 12), [
      'static COLD_START: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);', '',
      '#[tracing::instrument(skip_all, err, fields(faas.coldstart = tracing::field::Empty))]',
      'async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {',
      '    tracing::Span::current().record("faas.coldstart", COLD_START.swap(false, std::sync::atomic::Ordering::Relaxed));',
      '    let id = event.payload.id;', '    Ok(Response { id })']);
    if (!hasRustc()) this.skip();
    const [ok, original, control] = rustcCheck(path.join(tmp, 'add'), [{ name: 'traced', text: out }, { name: 'original', text }, { name: 'control', text: out.replace('tracing::field::Empty', 'tracing::field::Nothing') }]);
    assert.deepEqual([ok.errors, original.errors], ['', '']);
    assert.match(control.errors, /Nothing/);
  });

  it('Rust: a trailing if without ; stays the function\'s value inside the span (type-checks)', function () {
    const text = 'pub fn pick(a: bool) -> u32 {\n    let b = 1;\n    if a { b } else { 2 }\n}\n';
    const out = wrap('pick.rs', text, 'if a');
    assert.equal(out, 'pub fn pick(a: bool) -> u32 {\n    let b = 1;\n    tracing::info_span!("work").in_scope(|| {\n        if a { b } else { 2 }\n    })\n}\n');
    if (!hasRustc()) this.skip();
    assert.deepEqual(rustcCheck(path.join(tmp, 'tail'), [{ name: 'pick', text: out }]), [{ name: 'pick', errors: '', warnings: '' }]);
  });

  it('Rust: a binding stays mut only on the side of the split that mutates it (type-checks without warnings)', function () {
    const text = 'pub fn ids() -> Vec<u32> {\n    let mut v = Vec::new();\n    v.push(1);\n    v\n}\n';
    const out = wrap('ids.rs', text, 'let mut v', 'v.push');
    assert.equal(out, 'pub fn ids() -> Vec<u32> {\n    let v = tracing::info_span!("work").in_scope(|| {\n        let mut v = Vec::new();\n        v.push(1);\n        v\n    });\n    v\n}\n');
    if (!hasRustc()) this.skip();
    assert.deepEqual(rustcCheck(path.join(tmp, 'mut'), [{ name: 'ids', text: out }]), [{ name: 'ids', errors: '', warnings: '' }]);
  });

  it('Rust: refuses a selection that returns', () => {
    const text = 'fn f(x: u32) -> u32 {\n    if x > 1 {\n        return 1;\n    }\n    x\n}\n';
    assert.throws(() => planWrap(docOf('f.rs', text), text.indexOf('if x'), text.indexOf('    }\n    x') + 5, 'otel'), /returns from the function/);
  });

  it('wraps every Go and Rust call line of corpus/iac: parses (tree-sitter; rustc\'s parser for Rust), not offered again', () => {
    const failures: string[] = [];
    const rs: string[] = [];
    let wrapped = 0;
    for (const file of sourceFiles(iac, /\.(go|rs)$/)) {
      const doc = docOf(file);
      if (doc.root.hasError) continue;
      for (const c of wrapCandidates(doc)) {
        const where = `${path.relative(iac, file)}:${c.statement.startPosition.row + 1}`;
        let out: string;
        try { out = applyEdits(doc.text, planWrap(doc, c.statement.startIndex, c.statement.endIndex, 'otel').edits); } catch (e) { failures.push(`${where}: ${(e as Error).message}`); continue; }
        const doc2 = docOf(file, out);
        if (doc2.root.hasError) failures.push(`${where}: does not parse`);
        if (wrapCandidates(doc2).length !== wrapCandidates(doc).length - 1) failures.push(`${where}: still offered`);
        if (doc.lang === 'rust') { const f = path.join(tmp, 'corpus', `w${rs.length}.rs`); fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, out); rs.push(f); }
        wrapped++;
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(wrapped, 5, 'Go call lines (the corpus Rust handlers already run their calls in spans)');
    if (!hasRustc()) return;
    for (const f of rs) execFileSync('rustc', ['--edition', '2021', '-Zparse-crate-root-only', f], { stdio: 'pipe', env: { ...process.env, RUSTC_BOOTSTRAP: '1' } });
  });
});
