/** Type-checks Rust files against a stub `tracing` crate (the API surface the instrument edits use), offline in well under a second. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// Signatures follow tracing 0.1: Span::in_scope, Span::current, Span::record, info_span!, Instrument::instrument.
const TRACING_STUB = `use std::future::Future;
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

/** Builds the stub crate in `dir` and type-checks each source (edition 2021, metadata only); returns rustc's errors per file (empty when it compiles). */
export function rustcCheck(dir: string, sources: { name: string; text: string }[]): { name: string; errors: string }[] {
  fs.mkdirSync(dir, { recursive: true });
  const stub = path.join(dir, 'tracing.rs'), lib = path.join(dir, 'libtracing.rlib');
  fs.writeFileSync(stub, TRACING_STUB);
  const built = spawnSync('rustc', ['--edition', '2021', '--crate-type', 'lib', '--crate-name', 'tracing', stub, '-o', lib], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the tracing stub does not build: ${built.stderr}`);
  return sources.map((s) => {
    const f = path.join(dir, `${s.name}.rs`);
    fs.writeFileSync(f, s.text);
    const r = spawnSync('rustc', ['--edition', '2021', '--crate-type', 'lib', '--extern', `tracing=${lib}`, '--emit=metadata', '-o', path.join(dir, `${s.name}.rmeta`), f], { encoding: 'utf8' });
    return { name: s.name, errors: r.status === 0 ? '' : r.stderr.split('\n').filter((l) => l.startsWith('error')).join('\n') || r.stderr };
  });
}
