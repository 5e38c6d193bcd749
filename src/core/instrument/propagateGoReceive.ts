/**
 * "Propagate trace context" on the receiving side of a Go handler (aws-lambda-go) that another function
 * invokes: the invoker's context arrives in the Lambda ClientContext `custom` (synchronous Invoke; the
 * runtime decodes it into `lambdacontext.FromContext(ctx).ClientContext.Custom`) or in the payload's
 * `_tracing` (InvocationType Event), as the Go, JavaScript and Python senders of this extension write it.
 */
import type { Node } from 'web-tree-sitter';
import { type GoImport, goImportEdits, goImportNames } from './goImports';
import { findHandlers } from './handlers';
import type { PropagationSite } from './propagate';
import { mergeAt } from './propagateGo';
import { descendants, eolOf, freeIn, indentAt, lineStart } from './text';
import { InstrumentError, type InstrumentPlan, type SourceDoc, type TextEdit } from './types';

const OTEL = 'go.opentelemetry.io/otel', PROPAGATION = 'go.opentelemetry.io/otel/propagation', LAMBDACONTEXT = 'github.com/aws/aws-lambda-go/lambdacontext';
const MAP_PAYLOAD = /^map\[string\](interface\{\}|any)$/;

const paramsOf = (fn: Node) => descendants(fn.childForFieldName('parameters') ?? fn, 'parameter_declaration').filter((p) => p.parent?.id === fn.childForFieldName('parameters')?.id);
const extracts = (fn: Node) => descendants(fn, 'call_expression').some((c) => /(^|\.)Extract$/.test(c.childForFieldName('function')?.text ?? ''));

/** The lambda.Start handler of a Go file when it takes no aws-lambda-go event (SQS, API Gateway, ...) and does not extract. */
export function goInvokeSites(doc: SourceDoc): PropagationSite[] {
  return findHandlers(doc).filter((h) => {
    const body = h.fn.childForFieldName('body');
    // A factory (`lambda.Start(makeHandler(cfg))`) runs once at start: the invocation is the func it returns.
    if (/^func\b/.test(h.fn.childForFieldName('result')?.text ?? '')) return false;
    // An events.* parameter says who invokes it (a queue, a topic, an API, a schedule): not another function.
    return body && !paramsOf(h.fn).some((p) => /\bevents\./.test(p.childForFieldName('type')?.text ?? '')) && !extracts(h.fn);
  }).map((h) => ({ kind: 'extract', target: 'lambda', statement: h.fn, line: h.line, quiet: true }));
}

/** `field` of struct type `name` declared in the file whose JSON name is `_tracing` and whose type holds strings by key. */
function tracingField(root: Node, name: string): string | undefined {
  const spec = descendants(root, 'type_spec').find((t) => t.childForFieldName('name')?.text === name);
  const field = spec ? descendants(spec, 'field_declaration').find((f) => /json:"_tracing[",]/.test(f.childForFieldName('tag')?.text ?? '')) : undefined;
  return field && /^(map\[string\]string|propagation\.MapCarrier)$/.test(field.childForFieldName('type')?.text ?? '') ? field.childForFieldName('name')?.text : undefined;
}

/** Plans running a Go handler's body in a span whose parent is the context its invoker propagated. */
export function planGoInvoke(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const fn = site.statement;
  const list = fn.childForFieldName('body')?.namedChildren.find((n) => n?.type === 'statement_list');
  const first = list?.namedChildren[0];
  if (!first || first.startPosition.row === fn.startPosition.row) throw new InstrumentError('the handler\'s body is not on lines of its own');
  const names = goImportNames(root);
  const imports: GoImport[] = [];
  const taken = new Set([...names.values(), ...descendants(root, 'identifier', 'type_identifier', 'field_identifier', 'package_identifier').map((i) => i.text)]);
  const pkg = (path: string, alias: string): string => {
    const got = names.get(path);
    if (got) return got;
    const base = path.split('/').pop()!;
    const clash = [...names.values()].includes(base) || taken.has(base);
    if (!imports.some((i) => i.path === path)) imports.push(clash ? { path, alias } : { path });
    return clash ? alias : base;
  };
  const name = (want: string) => { const n = freeIn(taken, want); taken.add(n); return n; };
  const edits: TextEdit[] = [];
  const params = paramsOf(fn);
  const ctxParam = params.find((p) => p.childForFieldName('type')?.text === 'context.Context' || p.childForFieldName('type')?.text === `${names.get('context') ?? 'context'}.Context`);
  let ctx = ctxParam?.childForFieldName('name')?.text;
  let bodyUsesCtx = !!ctx && descendants(fn.childForFieldName('body')!, 'identifier').some((i) => i.text === ctx);
  if (ctxParam && (!ctx || ctx === '_')) {
    if (!ctx) throw new InstrumentError('the handler\'s parameters have no names; name its context.Context parameter');
    ctx = name('ctx');
    const id = ctxParam.childForFieldName('name')!;
    edits.push({ start: id.startIndex, end: id.endIndex, newText: ctx });
    bodyUsesCtx = false;
  } else if (!ctxParam) {
    // aws-lambda-go passes the context first to a handler that declares it.
    if (params.some((p) => !p.childForFieldName('name'))) throw new InstrumentError('the handler\'s parameters have no names; add a ctx context.Context parameter');
    ctx = name('ctx');
    const open = fn.childForFieldName('parameters')!;
    edits.push({ start: open.startIndex + 1, end: open.startIndex + 1, newText: `${ctx} ${pkg('context', 'context')}.Context${params.length ? ', ' : ''}` });
  }
  const event = params.find((p) => p !== ctxParam);
  const eventName = event?.childForFieldName('name')?.text;
  const eventType = event?.childForFieldName('type')?.text ?? '';
  const base = indentAt(text, first.startIndex), u = '\t';
  const L = (i: string, x: string) => `${i}${x}${eol}`;
  const carrier = name('traceCarrier'), lc = name('lc'), ok = name('ok');
  let code = L(base, `var ${carrier} ${pkg(PROPAGATION, 'propagation')}.MapCarrier`)
    + L(base, `if ${lc}, ${ok} := ${pkg(LAMBDACONTEXT, 'lambdacontext')}.FromContext(${ctx}); ${ok} {`) + L(base + u, `${carrier} = ${lc}.ClientContext.Custom`) + L(base, '}');
  // An asynchronous invocation (InvocationType Event) gets no ClientContext: its payload's _tracing, when the event keeps it.
  const struct = /^\*?(\w+)$/.exec(eventType)?.[1];
  const field = struct ? tracingField(root, struct) : undefined;
  let payload = false;
  if (eventName && eventName !== '_' && MAP_PAYLOAD.test(eventType)) {
    const t = name('tracing'), k = name('k'), v = name('v'), s = name('s');
    code += L(base, `if ${t}, ${ok} := ${eventName}["_tracing"].(map[string]interface{}); ${ok} && len(${carrier}) == 0 {`) + L(base + u, `${carrier} = ${pkg(PROPAGATION, 'propagation')}.MapCarrier{}`)
      + L(base + u, `for ${k}, ${v} := range ${t} {`) + L(base + u + u, `if ${s}, ${ok} := ${v}.(string); ${ok} {`) + L(base + u + u + u, `${carrier}[${k}] = ${s}`) + L(base + u + u, '}') + L(base + u, '}') + L(base, '}');
    payload = true;
  } else if (eventName && eventName !== '_' && field) {
    code += L(base, `if len(${carrier}) == 0${eventType.startsWith('*') ? ` && ${eventName} != nil` : ''} {`) + L(base + u, `${carrier} = ${pkg(PROPAGATION, 'propagation')}.MapCarrier(${eventName}.${field})`) + L(base, '}');
    payload = true;
  }
  const tracerVar = root.namedChildren.filter((n) => n?.type === 'var_declaration').flatMap((v) => descendants(v!, 'var_spec')).find((v) => /\botel\.Tracer\(/.test(v.text))?.childForFieldName('name')?.text;
  const tracer = tracerVar ?? `${pkg(OTEL, 'otel')}.Tracer("${doc.fileName.replace(/^.*[\\/]/, '').replace(/\.go$/, '')}")`;
  const span = name('span');
  code += L(base, `${bodyUsesCtx ? ctx : '_'}, ${span} := ${tracer}.Start(${pkg(OTEL, 'otel')}.GetTextMapPropagator().Extract(${ctx}, ${carrier}), "${fn.childForFieldName('name')?.text ?? 'invoked'}")`) + L(base, `defer ${span}.End()`);
  const at = lineStart(text, first.startIndex);
  edits.push({ start: at, end: at, newText: code });
  return {
    title: 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)',
    edits: mergeAt([...goImportEdits(doc, imports), ...edits].sort((a, b) => a.start - b.start)),
    packages: [{ ecosystem: 'go', name: OTEL, install: `go get ${OTEL}` }],
    notes: [`Invokers put the W3C traceparent in ClientContext.custom${payload ? ', or in the payload\'s _tracing for InvocationType=Event' : ''} (the edits of this extension do); an invocation without it starts a new trace.${payload ? '' : ' An asynchronous invocation carries it in the payload\'s _tracing, which this event type does not keep.'}`],
  };
}
