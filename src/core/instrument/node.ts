/** "Add tracing to handler" for Node.js handlers (JavaScript and TypeScript, CommonJS and ESM). */
import type { Node } from 'web-tree-sitter';
import { freeName, importLine, jsStyle, type JsStyle } from './jsCommon';
import { descendants, indentAt, indentUnit, lineStart, nextLineStart, reindent } from './text';
import type { HandlerSite, InstrumentPlan, InstrumentStyle, PackageNeed, SourceDoc, TextEdit } from './types';

export const NPM: Record<InstrumentStyle, PackageNeed> = {
  otel: { ecosystem: 'npm', name: '@opentelemetry/api', version: '^1.9.0', install: 'npm install @opentelemetry/api' },
  powertools: { ecosystem: 'npm', name: '@aws-lambda-powertools/tracer', version: '^2.28.0', install: 'npm install @aws-lambda-powertools/tracer' },
  xray: { ecosystem: 'npm', name: 'aws-xray-sdk-core', version: '^3.12.0', install: 'npm install aws-xray-sdk-core' },
};

interface Body {
  /** Replaced range. */
  start: number;
  end: number;
  /** Indent of the line where the body opens, and one indentation step. */
  base: string;
  unit: string;
  /** The original statements re-indented by `extra` (a function so each style picks its depth). */
  statements: (extra: string) => string;
}

function bodyOf(doc: SourceDoc, fn: Node, s: JsStyle): Body {
  const { text, root } = doc;
  const body = fn.childForFieldName('body')!;
  const base = indentAt(text, body.startIndex);
  const inner = body.type === 'statement_block' ? body.namedChildren.filter((n): n is Node => n !== null) : [];
  const unit = indentUnit(text, base, inner[0], '  ');
  if (body.type !== 'statement_block') {
    return { start: body.startIndex, end: body.endIndex, base, unit, statements: (extra) => `${base}${unit}${extra}return ${body.text}${s.semi}${s.eol}` };
  }
  const open = nextLineStart(text, body.startIndex);
  const close = lineStart(text, body.endIndex - 1);
  const multiline = text.slice(body.startIndex + 1, open).trim() === '' && text.slice(close, body.endIndex - 1).trim() === '' && open <= close;
  const statements = multiline
    ? (extra: string) => reindent(text, root, open, close, extra)
    : (extra: string) => (inner.length ? `${base}${unit}${extra}${text.slice(body.startIndex + 1, body.endIndex - 1).trim()}${s.eol}` : '');
  return { start: body.startIndex, end: body.endIndex, base, unit, statements };
}

/** A module-scope Powertools `new Tracer(...)` binding already in the file, if any. */
export function existingTracer(root: Node): string | undefined {
  for (const d of descendants(root, 'variable_declarator')) {
    const v = d.childForFieldName('value');
    if (v?.type === 'new_expression' && v.childForFieldName('constructor')?.text === 'Tracer' && d.parent?.parent?.id === root.id) return d.childForFieldName('name')?.text;
  }
  return undefined;
}

/** The whole `middy(fn).use(...)` chain when `fn` is the function given to middy, else undefined. */
function middyChain(fn: Node): Node | undefined {
  const call = fn.parent?.parent;
  if (call?.type !== 'call_expression' || call.childForFieldName('function')?.text !== 'middy') return undefined;
  let top: Node = call;
  while (top.parent?.type === 'member_expression' && top.parent.parent?.type === 'call_expression') top = top.parent.parent;
  return top;
}

/** Plans the edits adding `style` tracing to the JS/TS handler `site`. */
export function planNode(doc: SourceDoc, site: HandlerSite, style: InstrumentStyle): InstrumentPlan {
  const s = jsStyle(doc, site.fn.startIndex);
  const b = bodyOf(doc, site.fn, s);
  const isAsync = site.fn.children.some((c) => c?.type === 'async');
  const q = (x: string) => `${s.quote}${x}${s.quote}`;
  const cast = s.ts ? ' as Error' : '';
  const { eol, semi } = s;
  const i1 = b.base + b.unit, i2 = i1 + b.unit, i3 = i2 + b.unit;
  const L = (indent: string, code: string) => `${indent}${code}${eol}`;
  const notes: string[] = [];
  const params = site.fn.childForFieldName('parameters')?.namedChildren.length ?? 0;
  if (!isAsync && params >= 3) notes.push(`${site.name} uses a callback: the span ends when the function returns, before the callback runs; make it async to cover all its work.`);
  let setup: string[] = [];
  let imports: string[] = [];
  let body: string;
  const cold = freeName(s, 'coldStart');
  if (style === 'otel') {
    const tracer = freeName(s, 'tracer');
    const scope = doc.fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
    imports = [importLine(s, ['trace', 'SpanStatusCode'], '@opentelemetry/api')];
    setup = [`const ${tracer} = trace.getTracer(${q(scope)})${semi}`, `let ${cold} = true${semi}`];
    body = `{${eol}` + L(i1, `return ${tracer}.startActiveSpan(${q(site.name)}, ${isAsync ? 'async ' : ''}(span) => {`)
      + L(i2, `span.setAttribute(${q('faas.coldstart')}, ${cold})${semi}`) + L(i2, `${cold} = false${semi}`) + L(i2, 'try {')
      + b.statements(b.unit + b.unit)
      + L(i2, '} catch (err) {') + L(i3, `span.recordException(err${cast})${semi}`)
      + L(i3, `span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) })${semi}`) + L(i3, `throw err${semi}`)
      + L(i2, '} finally {') + L(i3, `span.end()${semi}`) + L(i2, '}') + L(i1, `})${semi}`) + `${b.base}}`;
    notes.push('@opentelemetry/api records nothing until an SDK is registered: deploy with the OpenTelemetry Lambda layer (AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler) or set up a TracerProvider at init.');
  } else if (style === 'powertools' && middyChain(site.fn)) {
    // A middy handler gets Powertools' middleware rather than edits to its body.
    const chain = middyChain(site.fn)!;
    const have = existingTracer(doc.root);
    const tracer = have ?? freeName(s, 'tracer');
    imports = [importLine(s, ['captureLambdaHandler'], '@aws-lambda-powertools/tracer/middleware'), ...(have ? [] : [importLine(s, ['Tracer'], '@aws-lambda-powertools/tracer')])];
    if (!have) setup = [`const ${tracer} = new Tracer()${semi}`];
    const edits: TextEdit[] = [{ start: s.importAt, end: s.importAt, newText: imports.map((l) => l + eol).join('') + (setup.length ? (s.afterImports ? eol : '') + setup.map((l) => l + eol).join('') + (s.afterImports ? '' : eol) : '') }];
    edits.push({ start: chain.endIndex, end: chain.endIndex, newText: `.use(captureLambdaHandler(${tracer}))` });
    return { title: '', edits, packages: [NPM.powertools], notes: ['captureLambdaHandler annotates ColdStart, records errors and the response; the function needs active tracing (Tracing: Active).'] };
  } else if (style === 'powertools') {
    const have = existingTracer(doc.root);
    const tracer = have ?? freeName(s, 'tracer');
    if (!have) { imports = [importLine(s, ['Tracer'], '@aws-lambda-powertools/tracer')]; setup = [`const ${tracer} = new Tracer()${semi}`]; }
    body = `{${eol}` + L(i1, `const segment = ${tracer}.getSegment()${semi}`)
      + L(i1, `const subsegment = segment?.addNewSubsegment(${q(`## ${site.name}`)})${semi}`)
      + L(i1, `if (subsegment) ${tracer}.setSegment(subsegment)${semi}`)
      + L(i1, `${tracer}.annotateColdStart()${semi}`) + L(i1, `${tracer}.addServiceNameAnnotation()${semi}`) + L(i1, 'try {')
      + b.statements(b.unit)
      + L(i1, '} catch (err) {') + L(i2, `${tracer}.addErrorAsMetadata(err${cast})${semi}`) + L(i2, `throw err${semi}`)
      + L(i1, '} finally {') + L(i2, `subsegment?.close()${semi}`) + L(i2, `if (segment) ${tracer}.setSegment(segment)${semi}`) + L(i1, '}') + `${b.base}}`;
    notes.push('Powertools Tracer needs active tracing on the function (Tracing: Active); middy users can use captureLambdaHandler(tracer) instead.');
  } else {
    const xray = freeName(s, 'AWSXRay');
    imports = [importLine(s, [], 'aws-xray-sdk-core', xray)];
    setup = [`let ${cold} = true${semi}`];
    const head = L(i2, `subsegment?.addAnnotation(${q('ColdStart')}, ${cold})${semi}`) + L(i2, `${cold} = false${semi}`);
    body = isAsync
      ? `{${eol}` + L(i1, `return ${xray}.captureAsyncFunc(${q(`## ${site.name}`)}, async (subsegment) => {`) + head + L(i2, 'try {')
        + b.statements(b.unit + b.unit)
        + L(i2, '} catch (err) {') + L(i3, `subsegment?.addError(err${cast})${semi}`) + L(i3, `throw err${semi}`)
        + L(i2, '} finally {') + L(i3, `subsegment?.close()${semi}`) + L(i2, '}') + L(i1, `})${semi}`) + `${b.base}}`
      // captureFunc closes the subsegment and records a thrown error itself
      : `{${eol}` + L(i1, `return ${xray}.captureFunc(${q(`## ${site.name}`)}, (subsegment) => {`) + head
        + b.statements(b.unit) + L(i1, `})${semi}`) + `${b.base}}`;
    notes.push('The X-Ray SDKs reach end of support in February 2027; OpenTelemetry is the recommended choice for new tracing.');
  }
  const edits: TextEdit[] = [];
  const setupText = setup.length ? (s.afterImports ? eol : '') + setup.map((l) => l + eol).join('') + (s.afterImports ? '' : eol) : '';
  const importText = imports.map((l) => l + eol).join('') + (!s.afterImports && imports.length && !setup.length ? eol : '');
  if (importText || setupText) edits.push({ start: s.importAt, end: s.importAt, newText: importText + setupText });
  edits.push({ start: b.start, end: b.end, newText: body });
  return { title: '', edits, packages: imports.length ? [NPM[style]] : [], notes };
}
