import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { InstrumentError } from '../../src/core/instrument/types';
import { docOf, propagateAll, siteLines, sourceFiles, useParsers } from './helpers/instrumentDocs';
import { hasRustc, rustcCheck } from './instrumentRustc';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');

const SENDER = `use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use lambda_runtime::{Error, LambdaEvent};
use serde_json::{json, Value};

pub async fn handler(event: LambdaEvent<Value>, sqs: &aws_sdk_sqs::Client, sns: &aws_sdk_sns::Client, events: &aws_sdk_eventbridge::Client, lambda: &aws_sdk_lambda::Client) -> Result<Value, Error> {
    let body = event.payload.to_string();
    sqs.send_message()
        .queue_url("https://sqs/q")
        .message_body(body.clone())
        .send()
        .await?;
    sns.publish().topic_arn("arn:aws:sns:us-east-1:1:t").message(body.clone()).send().await?;
    let entry = PutEventsRequestEntry::builder()
        .source("orders")
        .detail_type("placed")
        .detail(json!({ "order": 1 }).to_string())
        .build();
    events.put_events().entries(entry).send().await?;
    lambda
        .invoke()
        .function_name("next")
        .payload(aws_sdk_lambda::primitives::Blob::new(body))
        .send()
        .await?;
    Ok(json!({ "ok": true }))
}

pub async fn audit(lambda: &aws_sdk_lambda::Client, body: String) -> Result<(), Error> {
    lambda
        .invoke()
        .function_name("audit")
        .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
        .payload(aws_sdk_lambda::primitives::Blob::new(body))
        .send()
        .await?;
    Ok(())
}
`;

const SENDER_OUT = `use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use lambda_runtime::{Error, LambdaEvent};
use serde_json::{json, Value};
use std::collections::HashMap;

pub async fn handler(event: LambdaEvent<Value>, sqs: &aws_sdk_sqs::Client, sns: &aws_sdk_sns::Client, events: &aws_sdk_eventbridge::Client, lambda: &aws_sdk_lambda::Client) -> Result<Value, Error> {
    let body = event.payload.to_string();
    let mut trace_carrier: HashMap<String, String> = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&opentelemetry::Context::current(), &mut trace_carrier));
    let trace_attributes: HashMap<_, _> = trace_carrier.into_iter()
        .filter_map(|(k, v)| aws_sdk_sqs::types::MessageAttributeValue::builder().data_type("String").string_value(v).build().ok().map(|a| (k, a)))
        .collect();
    sqs.send_message()
        .set_message_attributes(Some(trace_attributes))
        .queue_url("https://sqs/q")
        .message_body(body.clone())
        .send()
        .await?;
    let mut trace_carrier2: HashMap<String, String> = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&opentelemetry::Context::current(), &mut trace_carrier2));
    let trace_attributes2: HashMap<_, _> = trace_carrier2.into_iter()
        .filter_map(|(k, v)| aws_sdk_sns::types::MessageAttributeValue::builder().data_type("String").string_value(v).build().ok().map(|a| (k, a)))
        .collect();
    sns.publish().set_message_attributes(Some(trace_attributes2)).topic_arn("arn:aws:sns:us-east-1:1:t").message(body.clone()).send().await?;
    let mut trace_carrier3: HashMap<String, String> = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&opentelemetry::Context::current(), &mut trace_carrier3));
    let trace_detail = {
        let detail = json!({ "order": 1 }).to_string();
        match serde_json::from_str::<serde_json::Value>(&detail) {
            Ok(serde_json::Value::Object(mut fields)) => {
                fields.insert("_tracing".to_string(), serde_json::json!(trace_carrier3));
                serde_json::Value::Object(fields).to_string()
            }
            _ => detail.to_string(),
        }
    };
    let entry = PutEventsRequestEntry::builder()
        .source("orders")
        .detail_type("placed")
        .detail(trace_detail)
        .build();
    events.put_events().entries(entry).send().await?;
    let mut trace_carrier4: HashMap<String, String> = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&opentelemetry::Context::current(), &mut trace_carrier4));
    lambda
        .invoke()
        .client_context(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, serde_json::json!({ "custom": trace_carrier4 }).to_string()))
        .function_name("next")
        .payload(aws_sdk_lambda::primitives::Blob::new(body))
        .send()
        .await?;
    Ok(json!({ "ok": true }))
}

pub async fn audit(lambda: &aws_sdk_lambda::Client, body: String) -> Result<(), Error> {
    let mut trace_carrier: HashMap<String, String> = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&opentelemetry::Context::current(), &mut trace_carrier));
    let trace_payload: Vec<u8> = {
        let payload = body;
        match serde_json::from_slice::<serde_json::Value>(payload.as_ref()) {
            Ok(serde_json::Value::Object(mut fields)) => {
                fields.insert("_tracing".to_string(), serde_json::json!(trace_carrier));
                serde_json::Value::Object(fields).to_string().into_bytes()
            }
            _ => payload.into(),
        }
    };
    lambda
        .invoke()
        .function_name("audit")
        .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
        .payload(aws_sdk_lambda::primitives::Blob::new(trace_payload))
        .send()
        .await?;
    Ok(())
}
`;

const RECEIVER = `use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sns::SnsEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};

pub async fn on_queue(event: LambdaEvent<SqsEvent>) -> Result<(), Error> {
    for record in event.payload.records {
        println!("{:?}", record.body);
    }
    Ok(())
}

pub async fn on_topic(event: LambdaEvent<SnsEvent>) -> Result<(), Error> {
    for record in &event.payload.records {
        println!("{}", record.sns.message);
    }
    Ok(())
}

pub async fn on_event(event: LambdaEvent<EventBridgeEvent>) -> Result<(), Error> {
    println!("{}", event.payload.detail_type);
    Ok(())
}
`;

const RECEIVER_OUT = `use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sns::SnsEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use std::collections::HashMap;

pub async fn on_queue(event: LambdaEvent<SqsEvent>) -> Result<(), Error> {
    for record in event.payload.records {
        let trace_carrier: HashMap<String, String> = record.message_attributes.iter().filter_map(|(k, v)| v.string_value.clone().map(|s| (k.clone(), s))).collect();
        let trace_parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&trace_carrier));
        let _trace_guard = opentelemetry::trace::mark_span_as_active(opentelemetry::trace::Tracer::start_with_context(&opentelemetry::global::tracer("recv"), "process sqs record", &trace_parent));
        println!("{:?}", record.body);
    }
    Ok(())
}

pub async fn on_topic(event: LambdaEvent<SnsEvent>) -> Result<(), Error> {
    for record in &event.payload.records {
        let trace_carrier: HashMap<String, String> = record.sns.message_attributes.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
        let trace_parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&trace_carrier));
        let _trace_guard = opentelemetry::trace::mark_span_as_active(opentelemetry::trace::Tracer::start_with_context(&opentelemetry::global::tracer("recv"), "process sns record", &trace_parent));
        println!("{}", record.sns.message);
    }
    Ok(())
}

pub async fn on_event(event: LambdaEvent<EventBridgeEvent>) -> Result<(), Error> {
    let trace_carrier: HashMap<String, String> = event.payload.detail.get("_tracing").and_then(|t| t.as_object()).map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()).unwrap_or_default();
    let trace_parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&trace_carrier));
    let _trace_guard = opentelemetry::trace::mark_span_as_active(opentelemetry::trace::Tracer::start_with_context(&opentelemetry::global::tracer("recv"), "process eventbridge event", &trace_parent));
    println!("{}", event.payload.detail_type);
    Ok(())
}
`;

const TRACED = `use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};

#[tracing::instrument(skip_all)]
pub async fn handler(event: LambdaEvent<SqsEvent>, sqs: &aws_sdk_sqs::Client) -> Result<(), Error> {
    for record in event.payload.records {
        sqs.send_message()
            .queue_url("https://sqs/next")
            .message_body(record.body.unwrap_or_default())
            .send()
            .await?;
    }
    Ok(())
}
`;

const TRACED_OUT = `use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use std::collections::HashMap;

#[tracing::instrument(skip_all)]
pub async fn handler(event: LambdaEvent<SqsEvent>, sqs: &aws_sdk_sqs::Client) -> Result<(), Error> {
    for record in event.payload.records {
        let trace_carrier: HashMap<String, String> = record.message_attributes.iter().filter_map(|(k, v)| v.string_value.clone().map(|s| (k.clone(), s))).collect();
        let trace_parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&trace_carrier));
        let trace_span = tracing::info_span!("process sqs record");
        let _ = tracing_opentelemetry::OpenTelemetrySpanExt::set_parent(&trace_span, trace_parent);
        let _trace_guard = trace_span.entered();
        let mut trace_carrier2: HashMap<String, String> = HashMap::new();
        opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&tracing_opentelemetry::OpenTelemetrySpanExt::context(&tracing::Span::current()), &mut trace_carrier2));
        let trace_attributes: HashMap<_, _> = trace_carrier2.into_iter()
            .filter_map(|(k, v)| aws_sdk_sqs::types::MessageAttributeValue::builder().data_type("String").string_value(v).build().ok().map(|a| (k, a)))
            .collect();
        sqs.send_message()
            .set_message_attributes(Some(trace_attributes))
            .queue_url("https://sqs/next")
            .message_body(record.body.unwrap_or_default())
            .send()
            .await?;
    }
    Ok(())
}
`;

describe('instrument: Rust trace context through SQS, SNS, EventBridge and Lambda Invoke', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['rust']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-rs-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('injects with the global propagator into SQS/SNS message attributes (first in the chain), the EventBridge detail (_tracing), the Invoke ClientContext, and the payload (_tracing) of an asynchronous invoke', () => {
    assert.deepEqual(siteLines('send.rs', SENDER), ['inject sqs 7', 'inject sns 12', 'inject eventbridge 18', 'inject lambda 19', 'inject lambda 29']);
    const { text, titles } = propagateAll('send.rs', SENDER);
    assert.deepEqual(titles, ['Propagate trace context to SQS', 'Propagate trace context to SNS', 'Propagate trace context to EventBridge', 'Propagate trace context to Lambda Invoke', 'Propagate trace context to Lambda Invoke']);
    const doc = docOf('send.rs', SENDER);
    assert.match(planPropagation(doc, propagationSites(doc)[4]).notes[0], /payload \(_tracing\): Lambda passes ClientContext to synchronous invocations only/);
    assert.equal(text, SENDER_OUT);
    assert.deepEqual(siteLines('send.rs', text), []);
  });

  it('continues the sender\'s trace for each SQS/SNS record of a LambdaEvent (extracted from the message attributes) and in an EventBridge handler (Detail._tracing)', () => {
    assert.deepEqual(siteLines('recv.rs', RECEIVER), ['extract sqs 7', 'extract sns 14', 'extract eventbridge 20']);
    const { text, titles } = propagateAll('recv.rs', RECEIVER);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace for each SQS record', 'Propagate trace context: continue the sender\'s trace for each SNS record',
      'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)']);
    assert.equal(text, RECEIVER_OUT);
    assert.deepEqual(siteLines('recv.rs', text), []);
  });

  it('in a file traced with tracing (#[tracing::instrument]), injects the tracing span\'s context and parents a tracing span (tracing-opentelemetry)', () => {
    const { text, titles } = propagateAll('relay.rs', TRACED);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace for each SQS record', 'Propagate trace context to SQS']);
    assert.equal(text, TRACED_OUT);
    assert.deepEqual(siteLines('relay.rs', text), []);
    const doc = docOf('relay.rs', TRACED);
    assert.deepEqual(planPropagation(doc, propagationSites(doc)[0]).packages.map((p) => p.install), ['cargo add opentelemetry', 'cargo add tracing-opentelemetry']);
  });

  it('keeps CRLF line endings', () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    assert.equal(propagateAll('send.rs', crlf(SENDER)).text, crlf(SENDER_OUT));
    assert.equal(propagateAll('recv.rs', crlf(RECEIVER)).text, crlf(RECEIVER_OUT));
  });

  it('refuses, with the reason, an asynchronous invoke whose payload is not Blob::new(..) and a send that already sets its message attributes', () => {
    const refuse = (text: string, why: RegExp) => {
      const doc = docOf('r.rs', text);
      assert.throws(() => planPropagation(doc, propagationSites(doc)[0]), (e: unknown) => e instanceof InstrumentError && why.test(e.message));
    };
    refuse('async fn f(l: &Client) {\n    l.invoke().function_name("a").invocation_type(InvocationType::Event).payload(p).send().await;\n}\n', /asynchronous invoke \(InvocationType::Event\) gets no ClientContext, and its payload is not Blob::new/);
    refuse('async fn f(q: &Client) {\n    q.send_message().queue_url(u).set_message_attributes(Some(m)).send().await;\n}\n', /already calls set_message_attributes/);
    // Other clients' publish()/invoke() chains (no topic or function named) are not AWS sends.
    assert.deepEqual(siteLines('o.rs', 'async fn f(m: &Mqtt, s: &Svc) {\n    m.publish().payload(b).send().await;\n    s.invoke().send().await;\n}\n'), []);
  });

  it('the results type-check against the API signatures (rustc, offline stub crates); a wrong field is caught', function () {
    if (!hasRustc()) this.skip();
    const send = propagateAll('send.rs', SENDER).text, recv = propagateAll('recv.rs', RECEIVER).text;
    const traced = propagateAll('relay.rs', TRACED).text;
    const results = rustcCheck(path.join(tmp, 'rustc'), [{ name: 'send', text: send }, { name: 'recv', text: recv }, { name: 'traced', text: traced }, { name: 'wrong', text: recv.replace('v.string_value.clone()', 'v.value.clone()') }]);
    assert.deepEqual(results.map((r) => [r.name, r.errors, r.warnings]), [['send', '', ''], ['recv', '', ''], ['traced', '', ''], ['wrong', 'error[E0609]: no field `value` on type `&SqsMessageAttribute`\nerror: aborting due to 1 previous error', '']]);
  });

  it('every Rust file of corpus/iac: no send or record loop there lacks propagation, and each file with an SQS send added gets it applied (use line with the others), parsed and not offered again', () => {
    const files = sourceFiles(iac, /\.rs$/);
    assert.equal(files.length, 8);
    const failures: string[] = [], spelledOut: string[] = [];
    for (const file of files) {
      const doc = docOf(file);
      assert.equal(doc.root.hasError, false, file);
      // Invoked handlers (quiet sites) are tested in instrumentPropagateRustInvoke.test.ts.
      assert.deepEqual(propagationSites(doc).filter((x) => !x.quiet), [], file);
      const text = `${doc.text.replace(/\s*$/, '\n')}\nasync fn notify(sqs: &aws_sdk_sqs::Client) {\n    let _ = sqs\n        .send_message()\n        .message_body("x")\n        .send()\n        .await;\n}\n`;
      const d = docOf(file, text);
      const [site] = propagationSites(d);
      const out = applyEdits(text, planPropagation(d, site).edits);
      const rel = path.relative(iac, file);
      if (docOf(file, out).root.hasError) failures.push(`${rel}: does not parse`);
      if (propagationSites(docOf(file, out)).filter((x) => !x.quiet).length) failures.push(`${rel}: still offered`);
      if (!out.includes('        .send_message()\n        .set_message_attributes(Some(trace_attributes))\n        .message_body("x")\n')) failures.push(`${rel}: chain not extended`);
      const uses = out.split('\n').flatMap((l, i) => (l.startsWith('use ') ? [i] : []));
      // HashMap is imported after the last use line, unless the file already spells it std::collections::HashMap (then so do the edits).
      const spelled = doc.text.includes('std::collections::HashMap::');
      if (spelled ? !out.includes('let mut trace_carrier: std::collections::HashMap<String, String> = std::collections::HashMap::new();') : !out.split('\n')[uses[uses.length - 1]].startsWith('use std::collections::HashMap;')) failures.push(`${rel}: HashMap named differently than the file does`);
      if (spelled) spelledOut.push(rel);
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(spelledOut, ['sam/serverless-otlp-forwarder/todos/rust/src/backend/db.rs']);
  });
});
