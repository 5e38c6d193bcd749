import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { docOf, propagateAll, siteLines, sourceFiles, useParsers } from './helpers/instrumentDocs';
import { hasRustc, rustcCheck } from './instrumentRustc';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');

// A serde_json Value payload keeps the payload's _tracing (an asynchronous invoker's); client_context.custom comes first.
const VALUE = `use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let name = event.payload.get("name").and_then(|v| v.as_str()).unwrap_or("world").to_string();
    Ok(json!({ "message": format!("hello {name}") }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
`;

const VALUE_OUT = `use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::collections::HashMap;

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let trace_carrier: HashMap<String, String> = event.context.client_context.as_ref().map(|c| c.custom.clone()).filter(|c| !c.is_empty()).or_else(|| event.payload.get("_tracing").and_then(|t| t.as_object()).map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())).unwrap_or_default();
    let trace_parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&trace_carrier));
    let _trace_guard = opentelemetry::trace::mark_span_as_active(opentelemetry::trace::Tracer::start_with_context(&opentelemetry::global::tracer("main"), "handler", &trace_parent));
    let name = event.payload.get("name").and_then(|v| v.as_str()).unwrap_or("world").to_string();
    Ok(json!({ "message": format!("hello {name}") }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
`;

// A typed payload: client_context only; a file traced with tracing parents an entered tracing span.
const TYPED = `use std::collections::HashMap;

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Request {
    command: String,
}

#[derive(Serialize)]
struct Response {
    msg: String,
    seen: HashMap<String, String>,
}

#[tracing::instrument(skip(event))]
async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
    let command = event.payload.command;
    Ok(Response { msg: format!("Command {}.", command), seen: HashMap::new() })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(function_handler)).await
}
`;

const TYPED_OUT = `use std::collections::HashMap;

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Request {
    command: String,
}

#[derive(Serialize)]
struct Response {
    msg: String,
    seen: HashMap<String, String>,
}

#[tracing::instrument(skip(event))]
async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
    let trace_carrier: HashMap<String, String> = event.context.client_context.as_ref().map(|c| c.custom.clone()).unwrap_or_default();
    let trace_parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&trace_carrier));
    let trace_span = tracing::info_span!("function_handler");
    let _ = tracing_opentelemetry::OpenTelemetrySpanExt::set_parent(&trace_span, trace_parent);
    let _trace_guard = trace_span.entered();
    let command = event.payload.command;
    Ok(Response { msg: format!("Command {}.", command), seen: HashMap::new() })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(function_handler)).await
}
`;

describe('instrument: a Rust handler invoked by another function continues the invoker\'s trace (client_context custom, payload _tracing)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['rust']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-rust-invoke-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('offers the service_fn handler quietly (an action only): event.context.client_context custom, then a Value payload\'s _tracing', () => {
    assert.deepEqual(siteLines('main.rs', VALUE), ['extract lambda 4 quiet']);
    const doc = docOf('main.rs', VALUE);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(plan.title, 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)');
    assert.match(plan.notes[0], /or in the payload's _tracing for InvocationType=Event/);
    assert.equal(applyEdits(VALUE, plan.edits), VALUE_OUT);
  });

  it('a typed payload: client_context only (the note says so); with tracing, an entered tracing span whose parent is the extracted context', () => {
    const doc = docOf('main.rs', TYPED);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(applyEdits(TYPED, plan.edits), TYPED_OUT);
    assert.match(plan.notes[0], /payload's _tracing, which this payload type does not keep/);
  });

  it('keeps CRLF line endings; applied twice changes nothing', () => {
    const once = propagateAll('main.rs', VALUE.replace(/\n/g, '\r\n')).text;
    assert.equal(once, VALUE_OUT.replace(/\n/g, '\r\n'));
    assert.deepEqual(siteLines('main.rs', once), []);
    assert.deepEqual(siteLines('main.rs', TYPED_OUT), []);
  });

  it('not offered on handlers of event sources (LambdaEvent<SqsEvent>, <ApiGatewayProxyRequest>) or without a LambdaEvent (lambda_http)', () => {
    const handler = (param: string) => `use lambda_runtime::{service_fn, Error};\n\nasync fn handler(${param}) -> Result<(), Error> {\n    Ok(())\n}\n\n#[tokio::main]\nasync fn main() -> Result<(), Error> {\n    lambda_runtime::run(service_fn(handler)).await\n}\n`;
    assert.deepEqual(siteLines('main.rs', handler('event: LambdaEvent<SqsEvent>')), []);
    assert.deepEqual(siteLines('main.rs', handler('event: LambdaEvent<aws_lambda_events::apigw::ApiGatewayProxyRequest>')), []);
    assert.deepEqual(siteLines('main.rs', handler('event: Request')), []);
    assert.deepEqual(siteLines('main.rs', handler('event: LambdaEvent<Order>')), ['extract lambda 3 quiet']);
  });

  it('type-checks with rustc against the stubs (lambda_runtime Context with client_context); a wrong field name is caught', function () {
    if (!hasRustc()) this.skip();
    const results = rustcCheck(path.join(tmp, 'rustc'), [{ name: 'value', text: VALUE_OUT }, { name: 'typed', text: TYPED_OUT }, { name: 'wrong', text: VALUE_OUT.replace('c.custom.clone()', 'c.customs.clone()') }]);
    assert.deepEqual(results.map((r) => r.errors), ['', '', results[2].errors]);
    assert.match(results[2].errors, /no field `customs`/);
  });

  it('every Rust file of corpus/iac: each quiet site applies, parses, is not offered again, and the SAM template handler type-checks', function () {
    const applied: Record<string, string> = {};
    for (const file of sourceFiles(iac, /\.rs$/)) {
      const doc = docOf(file);
      assert.equal(doc.root.hasError, false, file);
      if (!propagationSites(doc).some((s) => s.quiet)) continue;
      const out = propagateAll(file, doc.text).text;
      assert.equal(docOf(file, out).root.hasError, false, file);
      assert.deepEqual(propagationSites(docOf(file, out)), [], file);
      applied[path.relative(iac, file)] = out;
    }
    // The forwarder's handlers take API Gateway events; the SAM template's takes its own Request struct.
    assert.deepEqual(Object.keys(applied), ['sam/sam-app-templates/al2023-rust-hello/project/rust_app/src/main.rs']);
    const out = Object.values(applied)[0];
    assert.match(out, /async fn function_handler\(event: LambdaEvent<Request>\) -> Result<Response, Error> \{\n    let trace_carrier: HashMap<String, String> = event\.context\.client_context\.as_ref\(\)\.map\(\|c\| c\.custom\.clone\(\)\)\.unwrap_or_default\(\);\n/);
    if (!hasRustc()) this.skip();
    assert.deepEqual(rustcCheck(path.join(tmp, 'corpus'), [{ name: 'sam', text: out }]).map((r) => r.errors), ['']);
  });
});
