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

// The parts of lambda_runtime 0.13 a handler and its main use.
const LAMBDA_RUNTIME_STUB = `use std::future::Future;
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
pub struct Context { pub request_id: String }
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
}
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
  const externs = ['serde', 'tokio', 'tracing_subscriber'].flatMap((c) => ['--extern', `${c}=${lib2(c)}`]);
  return sources.map((s) => {
    const f = path.join(dir, `${s.name}.rs`);
    fs.writeFileSync(f, s.text);
    const r = spawnSync('rustc', ['--edition', '2021', '--crate-type', 'lib', '--extern', `tracing=${lib}`, '--extern', `lambda_runtime=${runtime}`, ...externs, '-L', dir, '--emit=metadata', '-o', path.join(dir, `${s.name}.rmeta`), f], { encoding: 'utf8' });
    const heads = (kind: string) => r.stderr.split('\n').filter((l) => l.startsWith(kind) && !/^warning: \d+ warnings? emitted/.test(l)).join('\n');
    return { name: s.name, errors: r.status === 0 ? '' : heads('error') || r.stderr, warnings: heads('warning') };
  });
}
