/**
 * Type-checks Rust files against stub crates: the API surface the instrument edits use (`tracing` with its
 * `#[instrument]` attribute, `lambda_runtime`) and what the SAM Rust template needs besides (serde derives,
 * `tokio::main`, tracing-subscriber's fmt builder). Offline; each rustc run well under a second.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// `#[instrument(...)]` keeps the item and evaluates each `fields(name = value)` value in a const, so a
// wrong path there fails; arguments other than tracing's own are refused.
const ATTRIBUTES_STUB = `extern crate proc_macro;
use proc_macro::{Delimiter, TokenStream, TokenTree};

#[proc_macro_attribute]
pub fn instrument(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut checks = String::new();
    let mut toks = args.into_iter().peekable();
    while let Some(t) = toks.next() {
        if let TokenTree::Ident(id) = &t {
            let name = id.to_string();
            if name == "fields" {
                if let Some(TokenTree::Group(g)) = toks.peek() {
                    if g.delimiter() == Delimiter::Parenthesis {
                        for part in g.stream().to_string().split(',') {
                            if let Some((_, value)) = part.split_once('=') { checks.push_str(&format!("let _ = {};", value.trim())); }
                        }
                    }
                }
            } else if !["skip_all", "err", "ret", "skip", "level", "name", "target"].contains(&name.as_str()) {
                return format!("compile_error!(\\"unknown instrument argument {}\\");", name).parse().unwrap();
            }
        }
    }
    let mut out: TokenStream = format!("const _: () = {{ {} }};", checks).parse().unwrap();
    out.extend(item);
    out
}
`;

// The parts of lambda_runtime 0.13 a handler and its main use (Context with the invoker's client_context).
const LAMBDA_RUNTIME_STUB = `use std::future::Future;
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
// The invoker's ClientContext, as lambda_runtime's types.rs has it (custom: the trace context's place).
pub struct ClientApplication { pub installation_id: String, pub app_title: String }
pub struct ClientContext { pub client: ClientApplication, pub custom: std::collections::HashMap<String, String>, pub environment: std::collections::HashMap<String, String> }
pub struct Context { pub request_id: String, pub client_context: Option<ClientContext> }
pub struct LambdaEvent<T> { pub payload: T, pub context: Context }
pub struct ServiceFn<F>(F);
pub fn service_fn<F>(f: F) -> ServiceFn<F> { ServiceFn(f) }
pub async fn run<F, A, Fut, R, E>(_handler: ServiceFn<F>) -> Result<(), Error>
where F: FnMut(LambdaEvent<A>) -> Fut, Fut: Future<Output = Result<R, E>> { Ok(()) }
`;

// Derives and attributes that only need to exist for a type check: serde's derives expand to nothing, tokio::main keeps the fn.
const DERIVES_STUB = `extern crate proc_macro;
use proc_macro::TokenStream;
#[proc_macro_derive(Serialize)]
pub fn serialize(_item: TokenStream) -> TokenStream { TokenStream::new() }
#[proc_macro_derive(Deserialize)]
pub fn deserialize(_item: TokenStream) -> TokenStream { TokenStream::new() }
`;
const TOKIO_MACROS_STUB = `extern crate proc_macro;
use proc_macro::TokenStream;
#[proc_macro_attribute]
pub fn main(_args: TokenStream, item: TokenStream) -> TokenStream { item }
`;
const SERDE_STUB = 'pub use serde_derive::{Deserialize, Serialize};\npub trait Serialize {}\npub trait Deserialize<\'de> {}\n';
const TOKIO_STUB = 'pub use tokio_macros::main;\n';
// tracing-subscriber 0.3's fmt() builder as the SAM Rust template uses it.
const SUBSCRIBER_STUB = `pub struct SubscriberBuilder;
pub fn fmt() -> SubscriberBuilder { SubscriberBuilder }
impl SubscriberBuilder {
    pub fn with_max_level(self, _level: tracing::Level) -> Self { self }
    pub fn with_target(self, _display: bool) -> Self { self }
    pub fn without_time(self) -> Self { self }
    pub fn json(self) -> Self { self }
    pub fn init(self) {}
}
`;

// Signatures follow tracing 0.1: Span::in_scope, Span::current, Span::record, info_span!, Instrument::instrument, #[instrument], field::Empty.
const TRACING_STUB = `pub use tracing_attributes::instrument;
pub mod field { pub struct Empty; }
pub struct Level;
impl Level { pub const ERROR: Level = Level; pub const WARN: Level = Level; pub const INFO: Level = Level; pub const DEBUG: Level = Level; }
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
pub struct Span;
impl Span {
    pub fn in_scope<F: FnOnce() -> T, T>(&self, f: F) -> T { f() }
    pub fn current() -> Span { Span }
    pub fn record<V: std::fmt::Debug>(&self, _field: &str, _value: V) -> &Self { self }
    pub fn entered(self) -> EnteredSpan { EnteredSpan(self, std::marker::PhantomData) }
}
pub struct EnteredSpan(Span, std::marker::PhantomData<*const ()>);
#[macro_export]
macro_rules! info_span { ($name:expr $(, $($rest:tt)*)?) => {{ let _: &str = $name; $crate::Span }} }
pub trait Instrument: Sized {
    fn instrument(self, _span: Span) -> Instrumented<Self> { Instrumented(self) }
}
impl<T: Sized> Instrument for T {}
pub struct Instrumented<T>(T);
impl<T: Future> Future for Instrumented<T> {
    type Output = T::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T::Output> {
        // SAFETY: the inner future is never moved out of the pinned wrapper.
        unsafe { self.map_unchecked_mut(|s| &mut s.0) }.poll(cx)
    }
}
`;

// For trace propagation: the signatures of opentelemetry 0.2x (global propagator and tracer, HashMap as
// Injector/Extractor, mark_span_as_active), the aws-sdk-* fluent builders the edits call, aws_lambda_events'
// SQS/SNS records, base64's Engine, and serde_json (json! checks each value expression; its keys are not parsed).
const OTEL_STUB = `use std::borrow::Cow;
pub struct Context;
impl Context { pub fn current() -> Context { Context } pub fn new() -> Context { Context } }
pub mod propagation {
    use std::collections::HashMap;
    use std::hash::BuildHasher;
    pub trait Injector { fn set(&mut self, key: &str, value: String); }
    pub trait Extractor { fn get(&self, key: &str) -> Option<&str>; fn keys(&self) -> Vec<&str>; }
    impl<S: BuildHasher> Injector for HashMap<String, String, S> { fn set(&mut self, key: &str, value: String) { self.insert(key.to_lowercase(), value); } }
    impl<S: BuildHasher> Extractor for HashMap<String, String, S> {
        fn get(&self, key: &str) -> Option<&str> { HashMap::get(self, &key.to_lowercase()).map(|v| v.as_str()) }
        fn keys(&self) -> Vec<&str> { HashMap::keys(self).map(|k| k.as_str()).collect() }
    }
    pub trait TextMapPropagator {
        fn inject_context(&self, cx: &crate::Context, injector: &mut dyn Injector);
        fn inject(&self, injector: &mut dyn Injector) { self.inject_context(&crate::Context::current(), injector) }
        fn extract_with_context(&self, cx: &crate::Context, extractor: &dyn Extractor) -> crate::Context;
        fn extract(&self, extractor: &dyn Extractor) -> crate::Context { self.extract_with_context(&crate::Context::current(), extractor) }
    }
}
pub mod trace {
    pub trait Span {}
    pub struct BoxedSpan;
    impl Span for BoxedSpan {}
    pub trait Tracer {
        type Span: Span;
        fn start_with_context<T>(&self, name: T, parent_cx: &crate::Context) -> Self::Span where T: Into<std::borrow::Cow<'static, str>>;
    }
    pub struct ContextGuard(std::marker::PhantomData<*const ()>);
    pub fn mark_span_as_active<T: Span + Send + Sync + 'static>(_span: T) -> ContextGuard { ContextGuard(std::marker::PhantomData) }
}
pub mod global {
    use crate::propagation::{Extractor, Injector, TextMapPropagator};
    struct Noop;
    impl TextMapPropagator for Noop {
        fn inject_context(&self, _cx: &crate::Context, _injector: &mut dyn Injector) {}
        fn extract_with_context(&self, _cx: &crate::Context, _extractor: &dyn Extractor) -> crate::Context { crate::Context }
    }
    pub fn get_text_map_propagator<T, F>(mut f: F) -> T where F: FnMut(&dyn TextMapPropagator) -> T { f(&Noop) }
    pub struct BoxedTracer;
    pub fn tracer(_name: impl Into<super::Cow<'static, str>>) -> BoxedTracer { BoxedTracer }
    impl crate::trace::Tracer for BoxedTracer {
        type Span = crate::trace::BoxedSpan;
        fn start_with_context<T>(&self, _name: T, _parent_cx: &crate::Context) -> Self::Span where T: Into<super::Cow<'static, str>> { crate::trace::BoxedSpan }
    }
}
`;

/** An aws-sdk-* crate with one operation: a fluent builder with `setters` (`name: type` each) and an async `send`. */
function sdkStub(op: string, setters: string[], types: string): string {
  const builder = setters.map((s) => { const [n, t] = s.split(': '); return `    pub fn ${n}(self, _v: ${t}) -> Self { self }\n`; }).join('');
  return `pub mod types { ${types} }
pub mod primitives { pub struct Blob(Vec<u8>); impl Blob { pub fn new<T: Into<Vec<u8>>>(input: T) -> Self { Blob(input.into()) } } }
pub mod error { #[derive(Debug)] pub struct BuildError; #[derive(Debug)] pub struct SdkError; impl std::fmt::Display for SdkError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("sdk") } } impl std::error::Error for SdkError {} }
pub struct Client;
pub struct Output;
pub struct Builder;
impl Client { pub fn ${op}(&self) -> Builder { Builder } }
impl Builder {
${builder}    pub async fn send(self) -> Result<Output, error::SdkError> { Ok(Output) }
}
`;
}
const ATTR_VALUE = 'pub struct MessageAttributeValue; pub struct MessageAttributeValueBuilder; impl MessageAttributeValue { pub fn builder() -> MessageAttributeValueBuilder { MessageAttributeValueBuilder } } '
  + 'impl MessageAttributeValueBuilder { pub fn data_type(self, _v: impl Into<String>) -> Self { self } pub fn string_value(self, _v: impl Into<String>) -> Self { self } pub fn build(self) -> Result<MessageAttributeValue, crate::error::BuildError> { Ok(MessageAttributeValue) } }';
const ATTRS = ['message_attributes: (impl Into<String>, types::MessageAttributeValue)', 'set_message_attributes: Option<std::collections::HashMap<String, types::MessageAttributeValue>>'];
const PROPAGATION_CRATES: Record<string, string> = {
  opentelemetry: OTEL_STUB,
  aws_sdk_sqs: sdkStub('send_message', ['queue_url: impl Into<String>', 'message_body: impl Into<String>', ...ATTRS], ATTR_VALUE).replace('pub fn message_attributes(self, _v: (impl Into<String>, types::MessageAttributeValue))', 'pub fn message_attributes(self, _k: impl Into<String>, _v: types::MessageAttributeValue)'),
  aws_sdk_sns: sdkStub('publish', ['topic_arn: impl Into<String>', 'message: impl Into<String>', ...ATTRS], ATTR_VALUE).replace('pub fn message_attributes(self, _v: (impl Into<String>, types::MessageAttributeValue))', 'pub fn message_attributes(self, _k: impl Into<String>, _v: types::MessageAttributeValue)'),
  aws_sdk_eventbridge: sdkStub('put_events', ['entries: types::PutEventsRequestEntry'], 'pub struct PutEventsRequestEntry; pub struct PutEventsRequestEntryBuilder; impl PutEventsRequestEntry { pub fn builder() -> PutEventsRequestEntryBuilder { PutEventsRequestEntryBuilder } } '
    + 'impl PutEventsRequestEntryBuilder { pub fn source(self, _v: impl Into<String>) -> Self { self } pub fn detail_type(self, _v: impl Into<String>) -> Self { self } pub fn detail(self, _v: impl Into<String>) -> Self { self } pub fn build(self) -> PutEventsRequestEntry { PutEventsRequestEntry } }'),
  aws_sdk_lambda: sdkStub('invoke', ['function_name: impl Into<String>', 'client_context: impl Into<String>', 'payload: primitives::Blob', 'invocation_type: types::InvocationType'], 'pub enum InvocationType { Event, RequestResponse }'),
  aws_lambda_events: `pub mod event {
    pub mod sqs {
        pub struct SqsEvent { pub records: Vec<SqsMessage> }
        pub struct SqsMessage { pub message_id: Option<String>, pub body: Option<String>, pub message_attributes: std::collections::HashMap<String, SqsMessageAttribute> }
        pub struct SqsMessageAttribute { pub string_value: Option<String>, pub data_type: Option<String> }
    }
    pub mod eventbridge { pub struct EventBridgeEvent<T1 = serde_json::Value> { pub source: String, pub detail_type: String, pub detail: T1 } }
    pub mod sns {
        pub struct SnsEvent { pub records: Vec<SnsRecord> }
        pub struct SnsRecord { pub sns: SnsMessage }
        pub struct SnsMessage { pub message: String, pub message_attributes: std::collections::HashMap<String, MessageAttribute> }
        pub struct MessageAttribute { pub data_type: String, pub value: String }
    }
}
`,
  // tracing-opentelemetry 0.2x: the OpenTelemetry context of a tracing span, and setting its parent.
  tracing_opentelemetry: 'pub trait OpenTelemetrySpanExt { fn context(&self) -> opentelemetry::Context; fn set_parent(&self, cx: opentelemetry::Context); }\n'
    + 'impl OpenTelemetrySpanExt for tracing::Span { fn context(&self) -> opentelemetry::Context { opentelemetry::Context } fn set_parent(&self, _cx: opentelemetry::Context) {} }\n',
  base64: 'pub trait Engine { fn encode<T: AsRef<[u8]>>(&self, input: T) -> String { let _ = input.as_ref(); String::new() } }\npub mod engine { pub mod general_purpose { pub struct GeneralPurpose; impl crate::Engine for GeneralPurpose {} pub const STANDARD: GeneralPurpose = GeneralPurpose; } }\n',
  serde_json: `pub type Map<K, V> = std::collections::BTreeMap<K, V>;
pub enum Value { Null, Bool(bool), String(String), Array(Vec<Value>), Object(Map<String, Value>) }
impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> { match self { Value::Object(m) => m.get(key), _ => None } }
    pub fn as_object(&self) -> Option<&Map<String, Value>> { match self { Value::Object(m) => Some(m), _ => None } }
    pub fn as_str(&self) -> Option<&str> { match self { Value::String(s) => Some(s), _ => None } }
}
impl std::fmt::Display for Value { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("null") } }
#[derive(Debug)] pub struct Error;
impl std::fmt::Display for Error { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("json") } }
impl std::error::Error for Error {}
pub trait FromJson: Sized {}
impl FromJson for Value {}
pub fn from_str<T: FromJson>(_s: &str) -> Result<T, Error> { Err(Error) }
pub fn from_slice<T: FromJson>(_v: &[u8]) -> Result<T, Error> { Err(Error) }
#[macro_export]
macro_rules! json {
    ({ $($k:literal : $v:expr),* $(,)? }) => {{ $(let _ = &$v;)* $crate::Value::Null }};
    ($v:expr) => {{ let _ = &$v; $crate::Value::Null }};
}
`,
};

/** True when rustc runs here. */
export const hasRustc = (): boolean => spawnSync('rustc', ['--version'], { stdio: 'ignore' }).status === 0;

/** Builds the stub crates in `dir` and type-checks each source (edition 2021, metadata only); returns rustc's errors and warnings per file (empty when none). */
export function rustcCheck(dir: string, sources: { name: string; text: string }[]): { name: string; errors: string; warnings: string }[] {
  fs.mkdirSync(dir, { recursive: true });
  const lib = path.join(dir, 'libtracing.rlib'), runtime = path.join(dir, 'liblambda_runtime.rlib'), attrs = path.join(dir, 'libtracing_attributes.so');
  const build = (name: string, text: string, out: string, ...extra: string[]) => {
    const f = path.join(dir, `${name}.rs`);
    fs.writeFileSync(f, text);
    const r = spawnSync('rustc', ['--edition', '2021', '--crate-name', name, ...extra, f, '-o', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the ${name} stub does not build: ${r.stderr}`);
  };
  build('tracing_attributes', ATTRIBUTES_STUB, attrs, '--crate-type', 'proc-macro');
  build('tracing', TRACING_STUB, lib, '--crate-type', 'lib', '--extern', `tracing_attributes=${attrs}`);
  build('lambda_runtime', LAMBDA_RUNTIME_STUB, runtime, '--crate-type', 'lib');
  const lib2 = (name: string) => path.join(dir, `lib${name}.rlib`), so = (name: string) => path.join(dir, `lib${name}.so`);
  build('serde_derive', DERIVES_STUB, so('serde_derive'), '--crate-type', 'proc-macro');
  build('tokio_macros', TOKIO_MACROS_STUB, so('tokio_macros'), '--crate-type', 'proc-macro');
  build('serde', SERDE_STUB, lib2('serde'), '--crate-type', 'lib', '--extern', `serde_derive=${so('serde_derive')}`);
  build('tokio', TOKIO_STUB, lib2('tokio'), '--crate-type', 'lib', '--extern', `tokio_macros=${so('tokio_macros')}`);
  build('tracing_subscriber', SUBSCRIBER_STUB, lib2('tracing_subscriber'), '--crate-type', 'lib', '--extern', `tracing=${lib}`, '-L', dir);
  // The propagation crates are built only for sources that name them (each build takes a rustc run).
  // aws_lambda_events names serde_json::Value (EventBridgeEvent's default detail): serde_json is built first.
  const order = ['serde_json', 'opentelemetry', ...Object.keys(PROPAGATION_CRATES).filter((c) => c !== 'serde_json' && c !== 'opentelemetry')];
  const more = order.filter((c) => sources.some((s) => s.text.includes(c) || (c === 'serde_json' && s.text.includes('aws_lambda_events')) || (c === 'opentelemetry' && s.text.includes('tracing_opentelemetry'))));
  const deps: Record<string, string[]> = { aws_lambda_events: ['--extern', `serde_json=${lib2('serde_json')}`], tracing_opentelemetry: ['--extern', `opentelemetry=${lib2('opentelemetry')}`, '--extern', `tracing=${lib}`] };
  for (const c of more) build(c, PROPAGATION_CRATES[c], lib2(c), '--crate-type', 'lib', '-L', dir, ...(deps[c] ?? []));
  const externs = ['serde', 'tokio', 'tracing_subscriber', ...more].flatMap((c) => ['--extern', `${c}=${lib2(c)}`]);
  return sources.map((s) => {
    const f = path.join(dir, `${s.name}.rs`);
    fs.writeFileSync(f, s.text);
    const r = spawnSync('rustc', ['--edition', '2021', '--crate-type', 'lib', '--extern', `tracing=${lib}`, '--extern', `lambda_runtime=${runtime}`, ...externs, '-L', dir, '--emit=metadata', '-o', path.join(dir, `${s.name}.rmeta`), f], { encoding: 'utf8' });
    const heads = (kind: string) => r.stderr.split('\n').filter((l) => l.startsWith(kind) && !/^warning: \d+ warnings? emitted/.test(l)).join('\n');
    return { name: s.name, errors: r.status === 0 ? '' : heads('error') || r.stderr, warnings: heads('warning') };
  });
}
