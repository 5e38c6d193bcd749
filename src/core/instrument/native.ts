/** "Add tracing to handler" for Go (`otellambda.InstrumentHandler`) and Rust (`tracing` `#[instrument]` + the OpenTelemetry layer). */
import { goStartTarget } from '../code/nativeHandlers';
import { descendants, eolOf, indentAt, lineStart, nextLineStart } from './text';
import { type HandlerSite, InstrumentError, type InstrumentPlan, type InstrumentStyle, type SourceDoc, type TextEdit } from './types';

const OTELLAMBDA = 'go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda';

/** Plans wrapping the handler given to `lambda.Start` in `otellambda.InstrumentHandler`. */
export function planGo(doc: SourceDoc, site: HandlerSite, style: InstrumentStyle): InstrumentPlan {
  if (style !== 'otel') throw new InstrumentError('Go handlers get OpenTelemetry tracing (otellambda); Powertools has no Go library and the X-Ray SDK for Go reaches end of support in February 2027');
  const { text, root } = doc;
  const eol = eolOf(text);
  const target = goStartTarget(root);
  const call = descendants(root, 'call_expression').find((c) => c.startPosition.row + 1 === target?.line);
  const arg = call?.childForFieldName('arguments')?.namedChildren.find((n) => n?.text === site.name);
  if (!call || !arg) throw new InstrumentError(`lambda.Start is not given ${site.name} directly`);
  const edits: TextEdit[] = [{ start: arg.startIndex, end: arg.endIndex, newText: `otellambda.InstrumentHandler(${arg.text})` }];
  const decl = descendants(root, 'import_declaration')[0];
  const specList = decl ? descendants(decl, 'import_spec_list')[0] : undefined;
  if (specList) {
    const close = lineStart(text, specList.endIndex - 1);
    const specs = descendants(specList, 'import_spec');
    const indent = specs.length ? indentAt(text, specs[0].startIndex) : '\t';
    edits.push({ start: close, end: close, newText: `${indent}"${OTELLAMBDA}"${eol}` });
  } else if (decl) {
    const at = nextLineStart(text, decl.endIndex);
    edits.push({ start: at, end: at, newText: `import "${OTELLAMBDA}"${eol}` });
  } else {
    const pkg = descendants(root, 'package_clause')[0];
    const at = pkg ? nextLineStart(text, pkg.endIndex) : 0;
    edits.push({ start: at, end: at, newText: `${eol}import "${OTELLAMBDA}"${eol}` });
  }
  return {
    title: '', edits,
    packages: [{ ecosystem: 'go', name: OTELLAMBDA, install: `go get ${OTELLAMBDA}` }],
    notes: ['otellambda starts a span per invocation and records errors; pass xrayconfig.WithRecommendedOptions(tp) to export to X-Ray and flush before the function freezes.'],
  };
}

/** Plans `#[tracing::instrument]` on the Rust handler, with a cold-start field recorded on its span. */
export function planRust(doc: SourceDoc, site: HandlerSite, style: InstrumentStyle): InstrumentPlan {
  if (style !== 'otel') throw new InstrumentError('Rust handlers get tracing with the OpenTelemetry layer; there is no Powertools or X-Ray SDK for Rust');
  const { text, root } = doc;
  const eol = eolOf(text);
  const fn = site.fn;
  const body = fn.childForFieldName('body');
  const first = body?.namedChildren.find((n) => n !== null);
  if (!body || !first || first.startPosition.row === body.startPosition.row) throw new InstrumentError(`${site.name}'s body is not laid out one statement per line`);
  const returnsResult = /^Result\b/.test(fn.childForFieldName('return_type')?.text ?? '');
  const indent = indentAt(text, fn.startIndex);
  const inner = indentAt(text, first.startIndex);
  const attrs = `${indent}#[tracing::instrument(skip_all${returnsResult ? ', err' : ''}, fields(faas.coldstart = tracing::field::Empty))]${eol}`;
  const cold = `${indent}static COLD_START: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);${eol}${eol}`;
  let declStart = fn.startIndex;
  for (let p = fn.previousSibling; p && (p.type === 'attribute_item' || p.type === 'line_comment' || p.type === 'block_comment'); p = p.previousSibling) declStart = p.startIndex;
  const edits: TextEdit[] = [
    { start: lineStart(text, declStart), end: lineStart(text, declStart), newText: cold },
    { start: lineStart(text, fn.startIndex), end: lineStart(text, fn.startIndex), newText: attrs },
    { start: lineStart(text, first.startIndex), end: lineStart(text, first.startIndex), newText: `${inner}tracing::Span::current().record("faas.coldstart", COLD_START.swap(false, std::sync::atomic::Ordering::Relaxed));${eol}` },
  ];
  const hasLayer = descendants(root, 'identifier', 'scoped_identifier').some((n) => n.text.startsWith('tracing_opentelemetry'));
  const notes = ['#[instrument] records a span per invocation (and the error with `err`).'];
  if (!hasLayer) notes.push('Spans reach OpenTelemetry through the tracing-opentelemetry layer: in main, build the subscriber with tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("lambda"))) and flush the provider after each invocation.');
  return { title: '', edits, packages: [{ ecosystem: 'cargo', name: 'tracing', install: 'cargo add tracing tracing-opentelemetry opentelemetry opentelemetry_sdk opentelemetry-otlp' }], notes };
}
