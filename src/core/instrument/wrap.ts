/** "Wrap in a span/subsegment" for selected statements (JavaScript/TypeScript and Python). */
import type { Node } from 'web-tree-sitter';
import { extendImport, freeName, importLine, jsStyle, type JsStyle } from './jsCommon';
import { existingTracer as jsExistingTracer, NPM } from './node';
import { existingTracer as pyExistingTracer, PIP, pyHeadText, pyImportPoint } from './python';
import { filePatchedBy } from './handlers';
import { callName, enclosingFunction, ownDescendants, outboundCalls, statementsIn } from './selection';
import { descendants, eolOf, indentAt, lineStart, nextLineStart, reindent } from './text';
import { nativeWrapCandidates } from './nativeCalls';
import { wrapCompiled } from './wrapCompiled';
import { wrapGo } from './wrapGo';
import { wrapRust } from './wrapRust';
import { InstrumentError, type InstrumentPlan, type InstrumentStyle, type SourceDoc, type TextEdit } from './types';

interface Binding { name: string; head?: TextEdit; importEdit?: TextEdit; packages: InstrumentPlan['packages'] }

function jsHead(s: JsStyle, imports: string[], setup: string[]): TextEdit | undefined {
  const setupText = setup.length ? (s.afterImports ? s.eol : '') + setup.map((l) => l + s.eol).join('') + (s.afterImports ? '' : s.eol) : '';
  const importText = imports.map((l) => l + s.eol).join('') + (!s.afterImports && imports.length && !setup.length ? s.eol : '');
  return importText || setupText ? { start: s.importAt, end: s.importAt, newText: importText + setupText } : undefined;
}

/** Names a module imports from `module` (ESM specifiers, CommonJS destructuring, default/namespace bindings). */
export function jsImportedNames(root: Node, module: string): { names: Set<string>; binding?: string } {
  const names = new Set<string>();
  let binding: string | undefined;
  for (const st of root.namedChildren) {
    if (!st) continue;
    const strings = descendants(st, 'string_fragment').map((x) => x.text);
    if (!strings.includes(module) || !(st.type === 'import_statement' || descendants(st, 'call_expression').some((c) => c.childForFieldName('function')?.text === 'require'))) continue;
    for (const sp of descendants(st, 'import_specifier')) names.add((sp.childForFieldName('alias') ?? sp.childForFieldName('name'))!.text);
    for (const sp of descendants(st, 'shorthand_property_identifier_pattern')) names.add(sp.text);
    const ns = descendants(st, 'namespace_import')[0];
    const clause = descendants(st, 'import_clause')[0]?.namedChildren.find((c) => c?.type === 'identifier');
    const decl = descendants(st, 'variable_declarator')[0]?.childForFieldName('name');
    binding = ns?.namedChildren[0]?.text ?? clause?.text ?? (decl?.type === 'identifier' ? decl.text : undefined) ?? binding;
  }
  return { names, binding };
}

/** The module-scope tracer for `style` in a JS/TS file, adding the import and setup when missing. */
function jsBinding(doc: SourceDoc, s: JsStyle, style: InstrumentStyle, extraOtel: string[] = []): Binding {
  if (style === 'otel') {
    const decl = descendants(doc.root, 'variable_declarator').find((d) => d.parent?.parent?.id === doc.root.id && /\.getTracer$/.test(d.childForFieldName('value')?.childForFieldName('function')?.text ?? ''));
    const have = jsImportedNames(doc.root, '@opentelemetry/api').names;
    const need = ['trace', 'SpanStatusCode', ...extraOtel].filter((n) => !have.has(n));
    const specifiers = need.map((n) => (n === 'otelContext' ? 'context as otelContext' : n));
    const extended = extendImport(doc, s, specifiers, '@opentelemetry/api');
    const imports = need.length && !extended ? [importLine(s, specifiers, '@opentelemetry/api')] : [];
    const name = decl?.childForFieldName('name')?.text ?? freeName(s, 'tracer');
    const scope = doc.fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
    const setup = decl ? [] : [`const ${name} = trace.getTracer(${s.quote}${scope}${s.quote})${s.semi}`];
    return { name, head: jsHead(s, imports, setup), importEdit: extended, packages: imports.length ? [NPM.otel] : [] };
  }
  if (style === 'powertools') {
    const have = jsExistingTracer(doc.root);
    if (have) return { name: have, packages: [] };
    const name = freeName(s, 'tracer');
    return { name, head: jsHead(s, [importLine(s, ['Tracer'], '@aws-lambda-powertools/tracer')], [`const ${name} = new Tracer()${s.semi}`]), packages: [NPM.powertools] };
  }
  const have = jsImportedNames(doc.root, 'aws-xray-sdk-core').binding;
  if (have) return { name: have, packages: [] };
  const name = freeName(s, 'AWSXRay');
  return { name, head: jsHead(s, [importLine(s, [], 'aws-xray-sdk-core', name)], []), packages: [NPM.xray] };
}

interface Runner { open: string; pre: string[]; catchLines: string[]; finallyLines: string[]; close: string; noTry?: boolean }

function jsRunner(s: JsStyle, style: InstrumentStyle, tracer: string, spanName: string, isAsync: boolean, parentContext?: string): Runner {
  const q = (x: string) => `${s.quote}${x}${s.quote}`;
  const cast = s.ts ? ' as Error' : '';
  const a = isAsync ? 'async ' : '';
  const semi = s.semi;
  if (style === 'otel') {
    return { open: `${tracer}.startActiveSpan(${q(spanName)}, ${parentContext ? `{}, ${parentContext}, ` : ''}${a}(span) => {`, pre: [], close: '})',
      catchLines: [`span.recordException(err${cast})${semi}`, `span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) })${semi}`, `throw err${semi}`],
      finallyLines: [`span.end()${semi}`] };
  }
  if (style === 'powertools') {
    return { open: `(${a}() => {`, close: '})()',
      pre: [`const segment = ${tracer}.getSegment()${semi}`, `const subsegment = segment?.addNewSubsegment(${q(`### ${spanName}`)})${semi}`, `if (subsegment) ${tracer}.setSegment(subsegment)${semi}`],
      catchLines: [`subsegment?.addError(err${cast})${semi}`, `throw err${semi}`], finallyLines: [`subsegment?.close()${semi}`, `if (segment) ${tracer}.setSegment(segment)${semi}`] };
  }
  if (!isAsync) return { open: `${tracer}.captureFunc(${q(`### ${spanName}`)}, () => {`, pre: [], catchLines: [], finallyLines: [], close: '})', noTry: true };
  return { open: `${tracer}.captureAsyncFunc(${q(`### ${spanName}`)}, async (subsegment) => {`, pre: [], close: '})',
    catchLines: [`subsegment?.addError(err${cast})${semi}`, `throw err${semi}`], finallyLines: [`subsegment?.close()${semi}`] };
}

function compose(r: Runner, eol: string, base: string, unit: string, body: (extra: string) => string): string {
  const i1 = base + unit, i2 = i1 + unit;
  const L = (i: string, x: string) => `${i}${x}${eol}`;
  let out = r.open + eol + r.pre.map((l) => L(i1, l)).join('');
  if (r.noTry) out += body(unit);
  else out += L(i1, 'try {') + body(unit + unit) + L(i1, '} catch (err) {') + r.catchLines.map((l) => L(i2, l)).join('') + L(i1, '} finally {') + r.finallyLines.map((l) => L(i2, l)).join('') + L(i1, '}');
  return out + base + r.close;
}

function unitOf(text: string, stmts: Node[], fallback: string): string {
  const block = stmts[0].parent!;
  const inner = indentAt(text, stmts[0].startIndex), outer = indentAt(text, block.startIndex);
  return inner.length > outer.length && inner.startsWith(outer) ? inner.slice(outer.length) : fallback;
}

/** Edits wrapping the JS/TS statements `stmts` in a span; `parentContext` (an expression) starts the span under an extracted context. */
export function wrapJs(doc: SourceDoc, stmts: Node[], style: InstrumentStyle, opts: { spanName?: string; parentContext?: string; extraOtel?: string[] } = {}): InstrumentPlan {
  const { text, root } = doc;
  const s = jsStyle(doc, stmts[0].startIndex);
  const b = jsBinding(doc, s, style, opts.extraOtel);
  const base = indentAt(text, stmts[0].startIndex);
  const unit = unitOf(text, stmts, '  ');
  const spanName = opts.spanName ?? (outboundCalls(doc, stmts[0])[0] ? callName(outboundCalls(doc, stmts[0])[0]) : outboundCalls(doc, stmts[stmts.length - 1])[0] ? callName(outboundCalls(doc, stmts[stmts.length - 1])[0]) : 'work');
  const edits: TextEdit[] = [...(b.importEdit ? [b.importEdit] : []), ...(b.head ? [b.head] : [])];
  const single = stmts.length === 1 && (stmts[0].type === 'lexical_declaration' || stmts[0].type === 'variable_declaration') ? descendants(stmts[0], 'variable_declarator') : [];
  const returned = stmts.length === 1 && stmts[0].type === 'return_statement' ? stmts[0].namedChildren.find((n) => n !== null && n.type !== 'comment') ?? null : null;
  const value = single.length === 1 ? single[0].childForFieldName('value') : returned;
  // `return call()` in an async function may return a promise: the span must wait for it (`return await`).
  const fnAsync = !!returned && !!enclosingFunction(stmts[0])?.children.some((c) => c?.type === 'async');
  const isAsync = ownDescendants(stmts, 'await_expression').length > 0 || fnAsync;
  const r = jsRunner(s, style, b.name, spanName, isAsync, opts.parentContext);
  if (value && !opts.parentContext) {
    const awaitIt = fnAsync && value.type !== 'await_expression' ? 'await ' : '';
    const ret = (extra: string) => `${base}${extra}return ${awaitIt}${reindent(text, root, value.startIndex, value.endIndex, extra)}${s.semi}${s.eol}`;
    edits.push({ start: value.startIndex, end: value.endIndex, newText: (isAsync ? 'await ' : '') + compose(r, s.eol, base, unit, ret) });
  } else {
    if (ownDescendants(stmts, 'return_statement').length) throw new InstrumentError('the selection returns from the function; select statements without return, or use "Add tracing to handler"');
    const declared = new Set(stmts.filter((n) => /lexical_declaration|variable_declaration/.test(n.type)).flatMap((n) => descendants(n, 'variable_declarator')).flatMap((d) => {
      const name = d.childForFieldName('name');
      return name ? (name.type === 'identifier' ? [name.text] : descendants(name, 'identifier', 'shorthand_property_identifier_pattern').map((x) => x.text)) : [];
    }));
    const after = stmts[0].parent!.namedChildren.filter((n): n is Node => n !== null && n.startIndex >= stmts[stmts.length - 1].endIndex);
    const used = after.flatMap((n) => descendants(n, 'identifier', 'shorthand_property_identifier')).find((id) => declared.has(id.text));
    if (used) throw new InstrumentError(`the selection declares ${used.text}, which is used after it (line ${used.startPosition.row + 1}); select through its last use`);
    const start = lineStart(text, stmts[0].startIndex), end = nextLineStart(text, stmts[stmts.length - 1].endIndex);
    const body = (extra: string) => reindent(text, root, start, end, extra);
    edits.push({ start, end, newText: `${base}${isAsync ? 'await ' : ''}${compose(r, s.eol, base, unit, body)}${s.semi}${s.eol}` });
  }
  return { title: `Wrap in a span: ${spanName}`, edits, packages: b.packages, notes: [] };
}

/** Wraps Python statements in a `with` span block; `parentContext` (an expression) continues an extracted context (OTel). */
export function wrapPython(doc: SourceDoc, stmts: Node[], style: InstrumentStyle, spanNameOpt?: string, parentContext?: { expr: string; imports: { module: string; name: string }[] }): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const first = outboundCalls(doc, stmts[0])[0];
  const spanName = spanNameOpt ?? (first ? callName(first) : 'work');
  const str = descendants(root, 'string').find((n) => n.parent?.type !== 'expression_statement');
  const q = str?.text.startsWith("'") ? "'" : '"';
  const { importAt, follows } = pyImportPoint(doc, stmts[0].startIndex);
  const assigned = (pred: (fn: string) => boolean) => descendants(root, 'assignment').find((a) => a.parent?.parent?.id === root.id && pred(a.childForFieldName('right')?.childForFieldName('function')?.text ?? ''))?.childForFieldName('left')?.text;
  const fromImports = (module: string) => descendants(root, 'import_from_statement').filter((i) => i.childForFieldName('module_name')?.text === module).flatMap((i) => descendants(i, 'dotted_name').slice(1).map((d) => d.text));
  let importLines: string[] = [], setup: string[] = [], withHead: string;
  const packages = [];
  if (style === 'otel') {
    let tracer = assigned((f) => f.endsWith('get_tracer'));
    if (!tracer) {
      tracer = assigned((f) => f === 'Tracer') === 'tracer' ? 'otel_tracer' : 'tracer';
      if (!fromImports('opentelemetry').includes('trace')) importLines = ['from opentelemetry import trace'];
      setup = [`${tracer} = trace.get_tracer(__name__)`];
      packages.push(PIP.otel);
    }
    for (const i of parentContext?.imports ?? []) if (!fromImports(i.module).includes(i.name)) importLines.push(`from ${i.module} import ${i.name}`);
    withHead = `with ${tracer}.start_as_current_span(${q}${spanName}${q}${parentContext ? `, context=${parentContext.expr}` : ''}):`;
  } else if (style === 'powertools') {
    let tracer = pyExistingTracer(root);
    if (!tracer) { tracer = 'tracer'; importLines = ['from aws_lambda_powertools import Tracer']; setup = ['tracer = Tracer()']; packages.push(PIP.powertools); }
    withHead = `with ${tracer}.provider.in_subsegment(${q}## ${spanName}${q}) as subsegment:`;
  } else {
    if (!fromImports('aws_xray_sdk.core').includes('xray_recorder')) { importLines = ['from aws_xray_sdk.core import xray_recorder']; packages.push(PIP.xray); }
    withHead = `with xray_recorder.in_subsegment(${q}## ${spanName}${q}):`;
  }
  const base = indentAt(text, stmts[0].startIndex);
  const unit = unitOf(text, stmts, '    ');
  const start = lineStart(text, stmts[0].startIndex), end = nextLineStart(text, stmts[stmts.length - 1].endIndex);
  const edits: TextEdit[] = [];
  const head = pyHeadText(eol, follows, importLines, setup);
  if (head) edits.push({ start: importAt, end: importAt, newText: head });
  edits.push({ start, end, newText: `${base}${withHead}${eol}${reindent(text, root, start, end, unit)}` });
  return { title: `Wrap in a span: ${spanName}`, edits, packages, notes: [] };
}

/** A span name from the first method call in `stmts` (`GetItem`, `client.send`), else `work`. */
function spanNameFor(stmts: Node[]): string {
  const call = stmts.flatMap((n) => descendants(n, 'method_invocation', 'invocation_expression'))[0];
  const name = call ? (call.childForFieldName('name')?.text ?? call.childForFieldName('function')?.text ?? '') : '';
  return name.replace(/[^\w.]/g, '').slice(-40) || 'work';
}

/**
 * Plans wrapping the statements covering `[start, end)` (UTF-16 offsets) in a span or subsegment.
 * Throws InstrumentError with the reason when the range is not whole statements of one block.
 */
export function planWrap(doc: SourceDoc, start: number, end: number, style: InstrumentStyle): InstrumentPlan {
  const stmts = statementsIn(doc, start, end);
  if (!stmts) throw new InstrumentError('select whole statements inside one function body');
  switch (doc.lang) {
    case 'javascript': case 'typescript': case 'tsx': return wrapJs(doc, stmts, style);
    case 'python': return wrapPython(doc, stmts, style);
    case 'java': case 'csharp': return wrapCompiled(doc, stmts, style, spanNameFor(stmts));
    case 'go': return wrapGo(doc, stmts, style);
    case 'rust': return wrapRust(doc, stmts, style);
    default: throw new InstrumentError(`wrapping a selection is available for JavaScript, TypeScript, Python, Java, C#, Go and Rust (not ${doc.lang})`);
  }
}

const SPAN_CALLS = /(startActiveSpan|startSpan|captureAsyncFunc|captureFunc|start_as_current_span|in_subsegment|capture)$/;

/** Statements that call AWS SDK clients, HTTP or databases outside any span, each with a span name. */
export function wrapCandidates(doc: SourceDoc): { statement: Node; spanName: string }[] {
  if (doc.lang === 'go' || doc.lang === 'rust') return nativeWrapCandidates(doc);
  if (!['javascript', 'typescript', 'tsx', 'python'].includes(doc.lang) || filePatchedBy(doc.root)) return [];
  const out = new Map<number, { statement: Node; spanName: string }>();
  for (const call of outboundCalls(doc, doc.root)) {
    let stmt: Node | undefined, traced = false;
    for (let n: Node | null = call; n; n = n.parent) {
      if (!stmt && n.parent && /statement_block|^block$/.test(n.parent.type)) stmt = n;
      const f = n.type === 'call_expression' || n.type === 'call' ? n.childForFieldName('function')?.text ?? '' : '';
      if (n.id !== call.id && SPAN_CALLS.test(f)) traced = true;
      if (n.type === 'with_statement' && SPAN_CALLS.test(descendants(n, 'call')[0]?.childForFieldName('function')?.text ?? '')) traced = true;
      if (n.type === 'decorated_definition' && descendants(n, 'decorator').some((d) => /capture|span/.test(d.text))) traced = true;
      // Powertools' manual subsegment: a sibling statement opened one (`segment?.addNewSubsegment(...)`).
      if (n.type === 'statement_block' && n.namedChildren.some((st) => st && st.startIndex < call.startIndex && descendants(st, 'property_identifier').some((p) => p.text === 'addNewSubsegment'))) traced = true;
    }
    if (stmt && !traced && !out.has(stmt.id)) out.set(stmt.id, { statement: stmt, spanName: callName(call) });
  }
  return [...out.values()];
}
