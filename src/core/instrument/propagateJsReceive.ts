/**
 * "Propagate trace context" on the receiving side of Node.js/TypeScript handlers invoked by EventBridge
 * (the sender's context in `detail._tracing`) or by another function (Lambda Invoke: `ClientContext.custom`,
 * or the payload's `_tracing` for InvocationType=Event). Same wire format and detection as the Python edits.
 */
import type { Node } from 'web-tree-sitter';
import { findHandlers } from './handlers';
import { extendImport, freeName, importLine, jsStyle, type JsStyle } from './jsCommon';
import { NPM } from './node';
import type { PropagationSite } from './propagate';
import { descendants, indentAt, indentUnit, lineStart, named, nextLineStart, reindent } from './text';
import { InstrumentError, type InstrumentPlan, type SourceDoc, type TextEdit } from './types';
import { jsImportedNames } from './wrap';

// Records (SQS, SNS, S3, streams) and API Gateway fields say who invokes a handler: not another function's Invoke.
// JS also knows API Gateway authorizers (no Invoke either).
const NOT_INVOKED = /^(Records|body|httpMethod|requestContext|pathParameters|queryStringParameters|rawPath|headers|authorizationToken|methodArn|routeArn|identitySource)$/;
// A Lambda handler's parameters: `(event, context)` as in Python, or one parameter named like an event.
const CONTEXT_PARAM = /context|ctx/i;
const EVENT_PARAM = /^(event|evt|ev|e|payload|input|request|req|message|msg)$/i;
// TypeScript event types (aws-lambda) of event sources that are not a direct Invoke.
const SOURCE_TYPES = /\b(SQS|SNS|APIGateway|ALB|S3|DynamoDBStream|Kinesis|Firehose|Scheduled|EventBridge|CloudWatch|CloudFront|Cognito|MSK|SelfManagedKafka|SES|IoT|Lex|Connect|CodePipeline|CloudFormation|LambdaFunctionURL|Alexa)\w*(Event|Handler)\b/;

/** `import { ..., context as otelContext } from '@opentelemetry/api'`, or its CommonJS form (`context: otelContext`). */
export function otelImportLine(s: JsStyle, names: string[]): string {
  return importLine(s, names.map((n) => (n === 'otelContext' ? 'context as otelContext' : n)), '@opentelemetry/api');
}

/** Names bound from '@opentelemetry/api' at module scope, renamed CommonJS bindings (`{ context: otelContext }`) included. */
export function otelBound(root: Node): Set<string> {
  const names = jsImportedNames(root, '@opentelemetry/api').names;
  for (const st of root.namedChildren) {
    if (st && (st.type === 'lexical_declaration' || st.type === 'variable_declaration') && /require\(\s*['"]@opentelemetry\/api['"]\s*\)/.test(st.text)) {
      for (const p of descendants(st, 'pair_pattern')) { const v = p.childForFieldName('value'); if (v?.type === 'identifier') names.add(v.text); }
    }
  }
  return names;
}

/** A parameter's bound name (`event`, `event: T`, `event = {}`), or undefined for a destructuring pattern. */
function paramName(p: Node | undefined): string | undefined {
  const id = p?.type === 'required_parameter' || p?.type === 'optional_parameter' ? p.childForFieldName('pattern') : p?.type === 'assignment_pattern' ? p.childForFieldName('left') : p;
  return id?.type === 'identifier' ? id.text : undefined;
}

function paramsOf(fn: Node): Node[] {
  const single = fn.childForFieldName('parameter');
  if (single) return [single];
  return named(fn.childForFieldName('parameters'));
}

function calledNames(fn: Node): string[] {
  return descendants(fn, 'call_expression').map((c) => {
    const f = c.childForFieldName('function');
    return (f?.childForFieldName('property') ?? f)?.text ?? '';
  });
}

/** Where `fn` reads `event.detail` (`event.detail`, `event['detail']`, `const { detail } = event`). */
function detailRead(fn: Node, event: string): Node | undefined {
  return descendants(fn, 'member_expression', 'subscript_expression', 'variable_declarator').find((n) => {
    if (n.type === 'member_expression') return n.childForFieldName('object')?.text === event && n.childForFieldName('property')?.text === 'detail';
    if (n.type === 'subscript_expression') return n.childForFieldName('object')?.text === event && /^['"`]detail['"`]$/.test(n.childForFieldName('index')?.text ?? '');
    const name = n.childForFieldName('name');
    return n.childForFieldName('value')?.text === event && name?.type === 'object_pattern' && descendants(name, 'shorthand_property_identifier_pattern', 'property_identifier').some((x) => x.text === 'detail');
  });
}

/** Handlers of a JS/TS file that receive EventBridge events or direct invocations without extracting the context. */
export function jsReceiveSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  if (doc.lang !== 'javascript' && doc.lang !== 'typescript' && doc.lang !== 'tsx') return out;
  const seen = new Set<number>();
  for (const h of findHandlers(doc)) {
    const fn = h.fn, body = fn.childForFieldName('body');
    if (seen.has(fn.id) || body?.type !== 'statement_block') continue;
    seen.add(fn.id);
    const params = paramsOf(fn);
    const event = paramName(params[0]);
    if (!event || calledNames(fn).includes('extract')) continue;
    if (!(params.length >= 2 ? CONTEXT_PARAM.test(paramName(params[1]) ?? '') : EVENT_PARAM.test(event))) continue;
    const detail = detailRead(body, event);
    if (detail) { out.push({ kind: 'extract', target: 'eventbridge', statement: fn, line: detail.startPosition.row + 1 }); continue; }
    const names = descendants(body, 'property_identifier', 'string_fragment', 'shorthand_property_identifier_pattern').map((x) => x.text);
    // The declared type says the event source (`const h: SQSHandler = ...`, `(event: APIGatewayProxyEvent)`).
    const declType = h.nameNode.parent?.type === 'variable_declarator' ? h.nameNode.parent.childForFieldName('type')?.text ?? '' : '';
    const typed = SOURCE_TYPES.test(declType) || SOURCE_TYPES.test(params.map((p) => p.text).join(','));
    if (names.some((n) => NOT_INVOKED.test(n)) || typed) continue;
    out.push({ kind: 'extract', target: 'lambda', statement: fn, line: h.line, quiet: true });
  }
  return out;
}

/**
 * New imports and module setup at `s.importAt`, one blank line between groups (as the Python edits do):
 * after the existing imports, or (in a file without imports) before the first code, reusing a blank
 * line already there (after a 'use strict' or a header comment) rather than doubling it.
 */
function headText(s: JsStyle, text: string, imports: string[], setup: string[]): string {
  const block = (ls: string[]) => ls.map((l) => l + s.eol).join('');
  if (s.afterImports) return block(imports) + (setup.length ? s.eol + block(setup) : '');
  const groups = [imports, setup].filter((g) => g.length).map(block);
  if (!groups.length) return '';
  const gapFollows = /^\r?\n/.test(text.slice(s.importAt));
  return (gapFollows && s.importAt > 0 ? s.eol : '') + groups.join(s.eol) + (gapFollows ? '' : s.eol);
}

/** Plans wrapping a JS/TS handler's body in a span whose parent is the context its sender or invoker propagated. */
export function planJsReceive(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text, root } = doc;
  const fn = site.statement;
  const body = fn.childForFieldName('body');
  const s = jsStyle(doc, fn.startIndex);
  const { eol, semi } = s;
  const q = (x: string) => `${s.quote}${x}${s.quote}`;
  if (body?.type !== 'statement_block') throw new InstrumentError('the handler\'s body is not a block');
  const open = nextLineStart(text, body.startIndex), close = lineStart(text, body.endIndex - 1);
  if (text.slice(body.startIndex + 1, open).trim() !== '' || text.slice(close, body.endIndex - 1).trim() !== '' || open > close) throw new InstrumentError('the handler\'s body is not on lines of its own');
  const params = paramsOf(fn);
  const event = paramName(params[0])!;
  const edits: TextEdit[] = [];
  const eb = site.target === 'eventbridge';
  const carrierType = (key: string) => `{ ${key}?: Record<string, string> }`;
  let carrier: string;
  if (eb) {
    carrier = s.ts ? `(${event}.detail as ${carrierType('_tracing')} | undefined)?._tracing ?? {}` : `${event}.detail?._tracing ?? {}`;
  } else {
    let ctx = paramName(params[1]);
    if (!ctx) {
      // Lambda passes the context to every handler: name it so its clientContext can be read.
      // A module-scope `context` (OTel's) is only shadowed inside the handler, which does not use it then.
      const taken = new Set(descendants(fn, 'identifier').map((x) => x.text));
      ctx = ['context', 'lambdaContext', 'invokeContext'].find((n) => !taken.has(n)) ?? 'lambdaContext';
      const added = `${ctx}${s.ts ? ': { clientContext?: unknown }' : ''}`;
      const single = fn.childForFieldName('parameter');
      if (single) edits.push({ start: single.startIndex, end: single.endIndex, newText: `(${single.text}, ${added})` });
      else edits.push({ start: params[0].endIndex, end: params[0].endIndex, newText: `, ${added}` });
    }
    // The Node runtime exposes the invoker's ClientContext JSON as parsed, so `custom` keeps the sender's lower case.
    carrier = s.ts
      ? `(${ctx}.clientContext as ${carrierType('custom')} | undefined)?.custom ?? (${event} as ${carrierType('_tracing')} | undefined)?._tracing ?? {}`
      : `${ctx}.clientContext?.custom ?? ${event}?._tracing ?? {}`;
  }
  // The module-scope tracer, as "Wrap in a span" and the SQS record fix create it.
  const decl = descendants(root, 'variable_declarator').find((d) => d.parent?.parent?.id === root.id && /\.getTracer$/.test(d.childForFieldName('value')?.childForFieldName('function')?.text ?? ''));
  const tracer = decl?.childForFieldName('name')?.text ?? freeName(s, 'tracer');
  const have = otelBound(root);
  const need = [...(decl ? [] : ['trace']), 'SpanStatusCode', 'propagation', 'otelContext'].filter((n) => !have.has(n));
  const extended = extendImport(doc, s, need.map((n) => (n === 'otelContext' ? 'context as otelContext' : n)), '@opentelemetry/api');
  if (extended) edits.unshift(extended);
  const imports = need.length && !extended ? [otelImportLine(s, need)] : [];
  const scope = doc.fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  const setup = decl ? [] : [`const ${tracer} = trace.getTracer(${q(scope)})${semi}`];
  const head = headText(s, text, imports, setup);
  if (head) edits.unshift({ start: s.importAt, end: s.importAt, newText: head });
  const base = indentAt(text, body.startIndex);
  const inner = body.namedChildren.filter((n): n is Node => n !== null);
  const unit = indentUnit(text, base, inner[0], '  ');
  const i1 = base + unit, i2 = i1 + unit, i3 = i2 + unit;
  const L = (indent: string, code: string) => `${indent}${code}${eol}`;
  const isAsync = fn.children.some((c) => c?.type === 'async');
  const spanName = eb ? 'process eventbridge event' : findHandlers(doc).find((h) => h.fn.id === fn.id)?.name ?? 'invoked';
  edits.push({ start: open, end: close, newText:
    L(i1, `return ${tracer}.startActiveSpan(${q(spanName)}, {}, propagation.extract(otelContext.active(), ${carrier}), ${isAsync ? 'async ' : ''}(span) => {`)
    + L(i2, 'try {') + reindent(text, root, open, close, unit + unit)
    + L(i2, '} catch (err) {') + L(i3, `span.recordException(err${s.ts ? ' as Error' : ''})${semi}`)
    + L(i3, `span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) })${semi}`) + L(i3, `throw err${semi}`)
    + L(i2, '} finally {') + L(i3, `span.end()${semi}`) + L(i2, '}') + L(i1, `})${semi}`) });
  return {
    title: eb ? 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)' : 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)',
    edits, packages: imports.length ? [NPM.otel] : [],
    notes: [eb ? 'Senders put the W3C traceparent in Detail._tracing (the JavaScript and Python edits of this extension do).' : 'Invokers put the W3C traceparent in ClientContext.custom, or in the payload\'s _tracing for InvocationType=Event (the edits of this extension do); an invocation without it starts a new trace.'],
  };
}
