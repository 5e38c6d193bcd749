/**
 * "Propagate trace context": inject the current context into messages a handler sends (Lambda Invoke,
 * SQS, SNS, EventBridge) and extract it from the SQS/SNS records, EventBridge events and invocations it
 * receives (OpenTelemetry W3C propagation; the X-Ray SDK propagates through AWSTraceHeader by itself).
 */
import type { Node } from 'web-tree-sitter';
import { extendImport, freeName, jsStyle } from './jsCommon';
import { goPropagationSites, planGoPropagation } from './propagateGo';
import { jsReceiveSites, otelBound, otelImportLine, planJsReceive } from './propagateJsReceive';
import { csharpPropagationSites, planCsharpPropagation } from './propagateCsharp';
import { javaPropagationSites, planJavaPropagation } from './propagateJava';
import { planPythonPropagation, pythonPropagationSites } from './propagatePython';
import { planRustPropagation, rustPropagationSites } from './propagateRust';
import { enclosingFunction } from './selection';
import { descendants, eolOf, indentAt, lineStart, named } from './text';
import { InstrumentError, type InstrumentPlan, type SourceDoc, type TextEdit } from './types';
import { wrapJs } from './wrap';

/** Where context travels: SQS/SNS message attributes, EventBridge detail, Lambda Invoke ClientContext. */
export type Target = 'sqs' | 'sns' | 'eventbridge' | 'lambda';
const V3: Record<string, Target> = { SendMessageCommand: 'sqs', PublishCommand: 'sns', PutEventsCommand: 'eventbridge', InvokeCommand: 'lambda' };
const V2: Record<string, Target> = { sendMessage: 'sqs', publish: 'sns', putEvents: 'eventbridge', invoke: 'lambda' };
const INJECTS = new Set(['inject', 'injectContext']);

/** A send without context injection, or a receive loop without extraction. */
export interface PropagationSite {
  kind: 'inject' | 'extract';
  target: Target;
  /** What gets the edit: the send's statement, the `for` loop over records, or the handler function (EventBridge, Invoke). */
  statement: Node;
  /** The object literal / call whose arguments get the context (inject only). */
  params?: Node;
  line: number;
  /** Offered as an action only, without a hint: the handler may be invoked by another function (nothing in the code says so). */
  quiet?: boolean;
}

function statementOf(n: Node): Node {
  let s = n;
  while (s.parent && !/statement_block|^block$|^module$|^program$/.test(s.parent.type)) s = s.parent;
  return s;
}

function callsIn(fn: Node | undefined, lang: string): string[] {
  if (!fn) return [];
  return descendants(fn, lang === 'python' ? 'call' : 'call_expression').map((c) => {
    const f = c.childForFieldName('function');
    return (f?.childForFieldName('property') ?? f?.childForFieldName('attribute') ?? f)?.text ?? '';
  });
}

/** Names of the carriers `propagation.inject(ctx, carrier)` fills in `fn`. */
function injectedCarriers(fn: Node): string[] {
  return descendants(fn, 'call_expression').filter((c) => INJECTS.has(c.childForFieldName('function')?.childForFieldName('property')?.text ?? ''))
    .map((c) => c.childForFieldName('arguments')?.namedChildren[1]?.text ?? '').filter(Boolean);
}

/** The object literal a JS send passes: inline, or the `const params = {...}` it names in the same function. */
function paramsObject(arg: Node | null | undefined, fn: Node | undefined): Node | undefined {
  if (!arg) return undefined;
  if (arg.type === 'object') return arg;
  if (arg.type === 'identifier' && fn) {
    const d = descendants(fn, 'variable_declarator').find((v) => v.childForFieldName('name')?.text === arg.text);
    const v = d?.childForFieldName('value');
    return v?.type === 'object' ? v : undefined;
  }
  return undefined;
}

/**
 * Sends without injection, SQS/SNS record loops without extraction, and handlers of EventBridge events
 * (a hint) or of direct invocations (`quiet`: an action only) that do not extract the context, in `doc`.
 */
export function propagationSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  const py = doc.lang === 'python';
  if (doc.lang === 'go') return goPropagationSites(doc);
  if (doc.lang === 'rust') return rustPropagationSites(doc);
  if (py) return pythonPropagationSites(doc);
  if (doc.lang === 'java') return javaPropagationSites(doc);
  if (doc.lang === 'csharp') return csharpPropagationSites(doc);
  for (const n of descendants(doc.root, 'new_expression', 'call_expression')) {
    const fn = enclosingFunction(n);
    if (!fn) continue;
    let target: Target | undefined, arg: Node | null | undefined;
    if (n.type === 'new_expression') { target = V3[n.childForFieldName('constructor')?.text ?? '']; arg = n.childForFieldName('arguments')?.namedChildren[0]; }
    else {
      const f = n.childForFieldName('function');
      target = f?.type === 'member_expression' ? V2[f.childForFieldName('property')?.text ?? ''] : undefined;
      arg = n.childForFieldName('arguments')?.namedChildren[0];
    }
    const params = target ? paramsObject(arg, fn) : undefined;
    if (!target || !params || injectedCarriers(fn).some((c) => descendants(params, 'identifier').some((id) => id.text === c))) continue;
    out.push({ kind: 'inject', target, statement: statementOf(n), params, line: n.startPosition.row + 1 });
  }
  for (const loop of descendants(doc.root, 'for_in_statement')) {
    const right = loop.childForFieldName('right');
    const fn = enclosingFunction(loop);
    if (!right || !/\.Records$/.test(right.text) || !fn || callsIn(fn, doc.lang).includes('extract')) continue;
    // Only SQS and SNS records carry message attributes (not DynamoDB or Kinesis stream records).
    const props = new Set(descendants(loop, 'property_identifier').map((p) => p.text));
    const target = props.has('Sns') ? 'sns' : props.has('messageAttributes') || props.has('receiptHandle') || props.has('body') ? 'sqs' : undefined;
    if (target) out.push({ kind: 'extract', target, statement: loop, line: loop.startPosition.row + 1 });
  }
  // After the sends and record loops, so the first site of a sender stays its send.
  return [...out, ...jsReceiveSites(doc)];
}

function propOf(obj: Node, key: string): Node | undefined {
  return obj.namedChildren.find((p): p is Node => p?.type === 'pair' && p.childForFieldName('key')?.text.replace(/['"]/g, '') === key);
}

/** Plans the edit for one propagation site (OpenTelemetry). */
export function planPropagation(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text } = doc;
  const eol = eolOf(text);
  if (doc.lang === 'go') return planGoPropagation(doc, site);
  if (doc.lang === 'rust') return planRustPropagation(doc, site);
  if (doc.lang === 'python') return planPythonPropagation(doc, site);
  if (doc.lang === 'java') return planJavaPropagation(doc, site);
  if (doc.lang === 'csharp') return planCsharpPropagation(doc, site);
  const s = jsStyle(doc, site.statement.startIndex);
  const have = otelBound(doc.root);
  const need = ['propagation', 'otelContext'].filter((x) => !have.has(x));
  const importEdit = (names: string[]): TextEdit[] => {
    const extended = extendImport(doc, s, names.map((n) => (n === 'otelContext' ? 'context as otelContext' : n)), '@opentelemetry/api');
    return extended ? [extended] : names.length ? [{ start: s.importAt, end: s.importAt, newText: otelImportLine(s, names) + eol }] : [];
  };
  if (site.kind === 'extract' && (site.target === 'eventbridge' || site.target === 'lambda')) return planJsReceive(doc, site);
  if (site.kind === 'extract') {
    const body = site.statement.childForFieldName('body');
    const stmts = body?.type === 'statement_block' ? named(body) : [];
    if (!stmts.length) throw new InstrumentError('the loop body is not a block');
    const rec = site.statement.childForFieldName('left')?.text.replace(/^(const|let|var)\s+/, '') ?? 'record';
    const carrier = site.target === 'sns'
      ? `${rec}.Sns.MessageAttributes, { keys: (c) => Object.keys(c), get: (c, k) => c[k]?.Value }`
      : `${rec}.messageAttributes, { keys: (c) => Object.keys(c), get: (c, k) => c[k]?.stringValue }`;
    const plan = wrapJs(doc, stmts, 'otel', { spanName: `process ${site.target} record`, parentContext: `propagation.extract(otelContext.active(), ${carrier})`, extraOtel: ['propagation', 'otelContext'].filter((x) => !have.has(x)) });
    return { ...plan, title: `Propagate trace context: continue the sender's trace for each ${site.target.toUpperCase()} record` };
  }
  const fn = enclosingFunction(site.statement)!;
  const local = { ...s, topNames: new Set([...s.topNames, ...descendants(fn, 'identifier').map((x) => x.text)]) };
  const carrier = freeName(local, 'traceCarrier');
  // The carrier must exist before the params object that names it (it may be built before the send).
  const paramsStmt = statementOf(site.params!);
  const before = paramsStmt.startIndex < site.statement.startIndex && enclosingFunction(paramsStmt)?.id === fn.id ? paramsStmt : site.statement;
  const base = indentAt(text, before.startIndex);
  const edits: TextEdit[] = importEdit(need);
  edits.push({ start: lineStart(text, before.startIndex), end: lineStart(text, before.startIndex),
    newText: `${base}const ${carrier}${s.ts ? ': Record<string, string>' : ''} = {}${s.semi}${eol}${base}propagation.inject(otelContext.active(), ${carrier})${s.semi}${eol}` });
  const obj = site.params!;
  const attrs = `Object.fromEntries(Object.entries(${carrier}).map(([k, v]) => [k, { DataType: ${s.quote}String${s.quote}, StringValue: v }]))`;
  const addProp = (prop: string, into: Node = obj): TextEdit => {
    const obj = into;
    const props = named(obj);
    const lastProp = props[props.length - 1];
    if (!lastProp) return { start: obj.startIndex + 1, end: obj.startIndex + 1, newText: ` ${prop} ` };
    const multiline = lastProp.startPosition.row !== obj.startPosition.row;
    const comma = text.slice(lastProp.endIndex, obj.endIndex - 1).includes(',');
    const at = comma ? lastProp.endIndex + text.slice(lastProp.endIndex).indexOf(',') + 1 : lastProp.endIndex;
    return multiline
      ? { start: at, end: at, newText: `${comma ? '' : ','}${eol}${indentAt(text, lastProp.startIndex)}${prop}${comma ? ',' : ''}` }
      : { start: at, end: at, newText: `${comma ? '' : ','} ${prop}` };
  };
  if (site.target === 'sqs' || site.target === 'sns') {
    const existing = propOf(obj, 'MessageAttributes')?.childForFieldName('value');
    if (existing?.type === 'object') {
      edits.push(addProp(`...${attrs}`, existing));
    } else if (existing) throw new InstrumentError('MessageAttributes is not an object literal here; add the trace context to it by hand');
    else edits.push(addProp(`MessageAttributes: ${attrs}`));
  } else if (site.target === 'lambda') {
    const payload = propOf(obj, 'Payload')?.childForFieldName('value');
    const stringified = payload?.type === 'call_expression' && payload.childForFieldName('function')?.text === 'JSON.stringify' ? payload.childForFieldName('arguments')?.namedChildren[0] : undefined;
    // Lambda passes ClientContext to synchronous invocations only: an asynchronous one carries the context in its payload.
    if (/^['"`]Event['"`]$/.test(propOf(obj, 'InvocationType')?.childForFieldName('value')?.text ?? '') && stringified) {
      edits.push({ start: stringified.startIndex, end: stringified.endIndex, newText: `{ ...${stringified.text}, _tracing: ${carrier} }` });
    } else {
      if (propOf(obj, 'ClientContext')) throw new InstrumentError('the Invoke call already sets ClientContext; add the trace context to its custom field by hand');
      edits.push(addProp(`ClientContext: Buffer.from(JSON.stringify({ custom: ${carrier} })).toString(${s.quote}base64${s.quote})`));
    }
  } else {
    const entries = propOf(obj, 'Entries')?.childForFieldName('value');
    const details = entries?.type === 'array' ? entries.namedChildren.filter((e): e is Node => e?.type === 'object').map((e) => propOf(e, 'Detail')?.childForFieldName('value')) : [];
    const stringify = details.filter((d): d is Node => d?.type === 'call_expression' && d.childForFieldName('function')?.text === 'JSON.stringify');
    if (!stringify.length) throw new InstrumentError('no Entries[].Detail = JSON.stringify(...) to carry the trace context');
    for (const d of stringify) {
      const a = d.childForFieldName('arguments')!.namedChildren[0]!;
      edits.push({ start: a.startIndex, end: a.endIndex, newText: `{ ...${a.text}, _tracing: ${carrier} }` });
    }
  }
  const asyncInvoke = site.target === 'lambda' && edits.some((e) => e.newText.includes('_tracing'));
  const where = { sqs: 'the SQS message attributes', sns: 'the SNS message attributes', lambda: asyncInvoke ? 'the payload (_tracing): Lambda passes ClientContext to synchronous invocations only' : 'the Invoke ClientContext (custom)', eventbridge: 'the event detail (_tracing)' }[site.target];
  return { title: `Propagate trace context to ${site.target === 'eventbridge' ? 'EventBridge' : site.target === 'lambda' ? 'Lambda Invoke' : site.target.toUpperCase()}`, edits,
    packages: need.length ? [{ ecosystem: 'npm', name: '@opentelemetry/api', version: '^1.9.0', install: 'npm install @opentelemetry/api' }] : [],
    notes: [`The W3C traceparent goes in ${where}; SQS allows 10 message attributes per message.`] };
}
