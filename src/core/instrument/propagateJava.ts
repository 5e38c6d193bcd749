/**
 * "Propagate trace context" for Java (AWS SDK for Java v2 builders, aws-lambda-java-events records,
 * OpenTelemetry W3C propagation). The wire matches the JavaScript and Python edits: SQS/SNS message
 * attributes (String), EventBridge `Detail._tracing`, Lambda Invoke `ClientContext.custom` (base64
 * JSON) or the payload's `_tracing` for asynchronous invocations.
 */
import type { Node } from 'web-tree-sitter';
import { classLayout, importPoint } from './compiled';
import type { PropagationSite, Target } from './propagate';
import { isLambdaContext, javaInvokeSites, javaParams } from './propagateJavaReceive';
import { enclosingFunction } from './selection';
import { descendants, eolOf, freeIn, indentAt, lineStart, named, nextLineStart, reindent } from './text';
import { InstrumentError, type InstrumentPlan, type PackageNeed, type SourceDoc, type TextEdit } from './types';

const SENDS: Record<string, Target> = { sendMessage: 'sqs', publish: 'sns', putEvents: 'eventbridge', invoke: 'lambda' };
const REQUESTS: Record<Target, string> = { sqs: 'SendMessageRequest', sns: 'PublishRequest', eventbridge: 'PutEventsRequest', lambda: 'InvokeRequest' };
// A builder that already sets these is left alone: the trace context would replace what it sets.
const ALREADY: Record<Target, string> = { sqs: 'messageAttributes', sns: 'messageAttributes', eventbridge: '', lambda: 'clientContext' };
const MODEL: Partial<Record<Target, string>> = { sqs: 'software.amazon.awssdk.services.sqs.model', sns: 'software.amazon.awssdk.services.sns.model' };
const EVENTS = 'com.amazonaws.services.lambda.runtime.events';
const RECORDS: Record<string, 'sqs' | 'sns'> = { SQSMessage: 'sqs', 'SQSEvent.SQSMessage': 'sqs', SNSRecord: 'sns', 'SNSEvent.SNSRecord': 'sns' };
const VAR_RECORDS: Record<string, 'sqs' | 'sns'> = { SQSEvent: 'sqs', SNSEvent: 'sns' };
const OTEL_API: PackageNeed = { ecosystem: 'maven', name: 'io.opentelemetry:opentelemetry-api', install: 'add io.opentelemetry:opentelemetry-api to pom.xml / build.gradle' };
const HELPER = 'withTraceContext';

/** A request built in the call (`X.builder()...build()` or a Consumer-builder lambda) or in a local variable of the same method. */
interface Built {
  /** The chain's last call before `.build()`, or the lambda's body: new builder calls go after it. */
  tail: Node;
  /** Every call of the chain. */
  calls: Node[];
  /** The statement holding the chain (the carrier goes before it). */
  statement: Node;
}

function chainCalls(n: Node): Node[] {
  const out: Node[] = [];
  for (let c: Node | null = n; c?.type === 'method_invocation'; c = c.childForFieldName('object')) out.push(c);
  return out;
}

function statementOf(n: Node): Node {
  let s = n;
  while (s.parent && !/^block$|^switch_block_statement_group$|^constructor_body$/.test(s.parent.type)) s = s.parent;
  return s;
}

function builtRequest(arg: Node | null | undefined, target: Target, method: Node): Built | undefined {
  if (!arg) return undefined;
  if (arg.type === 'lambda_expression') {
    const body = arg.childForFieldName('body');
    const calls = body ? chainCalls(body) : [];
    const root = calls[calls.length - 1]?.childForFieldName('object');
    const param = arg.childForFieldName('parameters')?.text.replace(/[()\s]/g, '');
    return calls.length && root?.text === param ? { tail: body!, calls, statement: statementOf(arg) } : undefined;
  }
  if (arg.type === 'identifier') {
    const decl = descendants(method, 'variable_declarator').find((d) => d.childForFieldName('name')?.text === arg.text && d.startIndex < arg.startIndex);
    return decl ? builtRequest(decl.childForFieldName('value'), target, method) : undefined;
  }
  if (arg.type !== 'method_invocation' || arg.childForFieldName('name')?.text !== 'build') return undefined;
  const calls = chainCalls(arg);
  const builder = calls[calls.length - 1];
  if (builder?.childForFieldName('name')?.text !== 'builder' || !/(^|\.)\w+$/.test(builder.childForFieldName('object')?.text ?? '')
    || builder.childForFieldName('object')!.text.split('.').pop() !== REQUESTS[target] || calls.length < 2) return undefined;
  return { tail: arg.childForFieldName('object')!, calls: calls.slice(1), statement: statementOf(arg) };
}

const callNamed = (calls: Node[], name: string) => calls.find((c) => c.childForFieldName('name')?.text === name);
const firstArg = (call: Node | undefined) => call?.childForFieldName('arguments')?.namedChildren.find((x): x is Node => x !== null && x.type !== 'comment');

/** `.detail(x)` calls of the PutEventsRequestEntry builders inside a PutEvents request. */
function detailCalls(built: Built): Node[] {
  return built.calls.flatMap((c) => descendants(c.childForFieldName('arguments') ?? c, 'method_invocation')).filter((c) => c.childForFieldName('name')?.text === 'detail'
    && chainCalls(c).some((b) => b.childForFieldName('name')?.text === 'builder' && /PutEventsRequestEntry$/.test(b.childForFieldName('object')?.text ?? '')));
}

/** The JSON string an asynchronous Invoke (`invocationType(InvocationType.EVENT)` or `"Event"`) sends: `SdkBytes.fromUtf8String(x)`'s `x`. */
function asyncPayload(built: Built): Node | null | undefined {
  if (!/^(InvocationType\.EVENT|"Event")$/.test(firstArg(callNamed(built.calls, 'invocationType'))?.text ?? '')) return null;
  const p = firstArg(callNamed(built.calls, 'payload'));
  return p?.type === 'method_invocation' && /(^|\.)SdkBytes$/.test(p.childForFieldName('object')?.text ?? '') && p.childForFieldName('name')?.text === 'fromUtf8String' ? firstArg(p) : undefined;
}

/** Java sends without injection, SQS/SNS record loops and EventBridge (ScheduledEvent) handlers without extraction, and (quiet) directly invoked handlers. */
export function javaPropagationSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  for (const loop of descendants(doc.root, 'enhanced_for_statement')) {
    const method = enclosingFunction(loop);
    const events = /^(\w+)\.getRecords\(\)$/.exec(loop.childForFieldName('value')?.text ?? '')?.[1];
    if (!method || !events) continue;
    // `var` records: the type of the handler parameter they come from (SQSEvent / SNSEvent) says which.
    const param = descendants(method.childForFieldName('parameters') ?? method, 'formal_parameter').find((f) => f.childForFieldName('name')?.text === events);
    const declared = loop.childForFieldName('type')?.text ?? '';
    const target = declared === 'var' ? VAR_RECORDS[param?.childForFieldName('type')?.text.split('.').pop() ?? ''] : RECORDS[declared];
    if (!target) continue;
    if (descendants(method, 'method_invocation').some((c) => c.childForFieldName('name')?.text === 'extract')) continue;
    if (loop.childForFieldName('body')?.type === 'block') out.push({ kind: 'extract', target, statement: loop, line: loop.startPosition.row + 1 });
  }
  // EventBridge handlers (a ScheduledEvent parameter) that read the detail a sender may have put _tracing in.
  for (const m of descendants(doc.root, 'method_declaration')) {
    const event = descendants(m.childForFieldName('parameters') ?? m, 'formal_parameter')[0];
    const name = event?.childForFieldName('name')?.text;
    if (event?.childForFieldName('type')?.text.split('.').pop() !== 'ScheduledEvent' || m.childForFieldName('body')?.type !== 'block') continue;
    const invocations = descendants(m, 'method_invocation');
    const detail = invocations.find((c) => c.childForFieldName('name')?.text === 'getDetail' && c.childForFieldName('object')?.text === name);
    if (detail && !invocations.some((c) => c.childForFieldName('name')?.text === 'extract')) out.push({ kind: 'extract', target: 'eventbridge', statement: m, line: detail.startPosition.row + 1 });
  }
  for (const call of descendants(doc.root, 'method_invocation')) {
    const target = SENDS[call.childForFieldName('name')?.text ?? ''];
    const method = enclosingFunction(call);
    if (!target || !method || !call.childForFieldName('object')) continue;
    const built = builtRequest(firstArg(call), target, method);
    if (!built || (ALREADY[target] && callNamed(built.calls, ALREADY[target]))) continue;
    // A send in an expression lambda has no statement of its own in that function to put the carrier before.
    if (enclosingFunction(built.statement)?.id !== method.id) continue;
    const carriers = new Set(descendants(method, 'method_invocation').filter((c) => c.childForFieldName('name')?.text === 'inject')
      .map((c) => c.childForFieldName('arguments')?.namedChildren[1]?.text ?? '').filter(Boolean));
    if (built.calls.some((c) => descendants(c, 'identifier').some((id) => carriers.has(id.text)))) continue;
    if (target === 'eventbridge' && !detailCalls(built).length) continue;
    if (target === 'lambda' && asyncPayload(built) === undefined) continue;
    out.push({ kind: 'inject', target, statement: built.statement, params: call, line: call.startPosition.row + 1 });
  }
  // After the sends and receives, so the first site of a sender stays its send.
  return [...out.sort((a, b) => a.line - b.line), ...javaInvokeSites(doc)];
}

/** Imports what the edit names: the simple name when imported or free, else the qualified name. */
function javaTypes(doc: SourceDoc) {
  const imports = descendants(doc.root, 'import_declaration').map((n) => n.text.replace(/^import\s+(static\s+)?|;$/g, '').replace(/\s+/g, ''));
  const explicit = new Map(imports.filter((i) => !i.endsWith('.*')).map((i) => [i.split('.').pop()!, i]));
  const wildcards = imports.filter((i) => i.endsWith('.*')).map((i) => i.slice(0, -2));
  const declared = new Set(descendants(doc.root, 'class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration').map((c) => c.childForFieldName('name')?.text));
  const added: string[] = [];
  const ref = (fqn: string): string => {
    const simple = fqn.split('.').pop()!, pkg = fqn.slice(0, -simple.length - 1);
    if (explicit.get(simple) === fqn || pkg === 'java.lang') return simple;
    // Another wildcard-imported AWS model package may hold the same simple name (sqs and sns MessageAttributeValue).
    if (explicit.has(simple) || declared.has(simple) || (simple === 'MessageAttributeValue' && wildcards.some((w) => w !== pkg && /awssdk\.services\.\w+\.model$/.test(w)))) return fqn;
    if (wildcards.includes(pkg)) return simple;
    explicit.set(simple, fqn);
    added.push(fqn);
    return simple;
  };
  return { ref, added };
}

/** Plans the edit for one Java propagation site (OpenTelemetry API). */
export function planJavaPropagation(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const L = (i: string, s: string) => `${i}${s}${eol}`;
  const { cls, body, member, unit } = classLayout(text, site.statement, site.line);
  const taken = new Set(descendants(cls, 'identifier', 'type_identifier').map((i) => i.text));
  // Locals need only be free in their method and not hide a field.
  const method = site.statement.type === 'method_declaration' ? site.statement : enclosingFunction(site.kind === 'inject' ? site.params! : site.statement)!;
  const localNames = new Set([...descendants(method, 'identifier'), ...descendants(body, 'field_declaration').flatMap((f) => descendants(f, 'variable_declarator').map((d) => d.childForFieldName('name')!))].map((i) => i.text));
  const { ref, added } = javaTypes(doc);
  const edits: TextEdit[] = [];
  const fieldsAt = nextLineStart(text, body.startIndex);
  const propagator = `${ref('io.opentelemetry.api.GlobalOpenTelemetry')}.getPropagators().getTextMapPropagator()`;
  const context = ref('io.opentelemetry.context.Context');
  const finish = (title: string, notes: string[]): InstrumentPlan => {
    const imp = importPoint(text, root, ['import_declaration'], ['package_declaration']);
    if (added.length) edits.unshift({ start: imp.at, end: imp.at, newText: (imp.follows || imp.at === 0 ? '' : eol) + added.map((n) => `import ${n};${eol}`).join('') + (imp.follows || /^[ \t]*\r?\n/.test(text.slice(imp.at)) ? '' : eol) });
    return { title, edits, packages: [OTEL_API], notes };
  };

  if (site.kind === 'extract') {
    const eb = site.target === 'eventbridge', sns = site.target === 'sns', invoked = site.target === 'lambda';
    const block = site.statement.childForFieldName('body')!;
    const stmts = named(block);
    if (!stmts.length || stmts[0].startPosition.row === block.startPosition.row || stmts[stmts.length - 1].endPosition.row === block.endPosition.row) {
      throw new InstrumentError(`line ${site.line}: the ${eb ? 'handler' : 'loop'} body is not laid out one statement per line; format the file first`);
    }
    const base = indentAt(text, stmts[0].startIndex), ownerIndent = indentAt(text, site.statement.startIndex);
    const step = base.length > ownerIndent.length && base.startsWith(ownerIndent) ? base.slice(ownerIndent.length) : unit;
    const mapRef = ref('java.util.Map');
    let getterName = '', carrierType = '', keys: string[], get: string[], carrier = '';
    const pre: string[] = [];
    if (invoked) {
      const params = javaParams(site.statement);
      let ctx = params.find((p) => isLambdaContext(p.childForFieldName('type')?.text ?? '', root))?.childForFieldName('name')?.text;
      if (!ctx) {
        // The Java runtime passes the Context to a handler method that declares it.
        ctx = freeIn(localNames, 'context');
        const list = site.statement.childForFieldName('parameters')!;
        edits.push({ start: list.endIndex - 1, end: list.endIndex - 1, newText: `${params.length ? ', ' : ''}${ref('com.amazonaws.services.lambda.runtime.Context')} ${ctx}` });
      }
      const input = params.find((p) => !isLambdaContext(p.childForFieldName('type')?.text ?? '', root));
      const inputType = input?.childForFieldName('type')?.text.replace(/\s+/g, '') ?? '';
      const clientCustom = `${ctx}.getClientContext() == null ? null : ${ctx}.getClientContext().getCustom()`;
      getterName = 'INVOKER_TRACE_CONTEXT';
      carrierType = 'Object';
      // An asynchronous Invoke gets no ClientContext: a Map input whose values may be maps keeps the payload's _tracing.
      if (/^(java\.util\.)?(Map|HashMap|LinkedHashMap)(<String,(Object|\?)>)?$/.test(inputType)) {
        const custom = freeIn(localNames, 'custom');
        pre.push(`${mapRef}<String, String> ${custom} = ${clientCustom};`);
        const name = input!.childForFieldName('name')!.text;
        carrier = `${custom} != null && !${custom}.isEmpty() ? ${custom} : ${name} == null ? null : ${name}.get("_tracing")`;
      } else carrier = clientCustom;
    }
    if (eb || invoked) {
      if (eb) {
        // EventBridge delivers the detail parsed: _tracing is a map inside it (or absent).
        const event = descendants(site.statement.childForFieldName('parameters')!, 'formal_parameter')[0].childForFieldName('name')!.text;
        [getterName, carrierType, carrier] = ['EVENT_DETAIL_TRACING', 'Object', `${event}.getDetail() == null ? null : ${event}.getDetail().get("_tracing")`];
      }
      keys = [`return carrier instanceof ${mapRef} ? ((${mapRef}<?, ?>) carrier).keySet().stream().map(String::valueOf).collect(${ref('java.util.stream.Collectors')}.toList()) : ${ref('java.util.List')}.of();`];
      get = [`Object value = carrier instanceof ${mapRef} ? ((${mapRef}<?, ?>) carrier).get(key) : null;`, 'return value instanceof String ? (String) value : null;'];
    } else {
      const attr = `${ref(`${EVENTS}.${sns ? 'SNSEvent' : 'SQSEvent'}`)}.MessageAttribute`;
      const rec = site.statement.childForFieldName('name')!.text;
      [getterName, carrierType, carrier] = [sns ? 'SNS_MESSAGE_ATTRIBUTES' : 'SQS_MESSAGE_ATTRIBUTES', `${mapRef}<String, ${attr}>`, sns ? `${rec}.getSNS().getMessageAttributes()` : `${rec}.getMessageAttributes()`];
      keys = ['return carrier.keySet();'];
      get = [`${attr} attribute = carrier == null ? null : carrier.get(key);`, `return attribute == null ? null : attribute.${sns ? 'getValue' : 'getStringValue'}();`];
    }
    const fields: string[] = [];
    if (!descendants(body, 'field_declaration').some((f) => descendants(f, 'variable_declarator')[0]?.childForFieldName('name')?.text === getterName)) {
      const m2 = member + unit, m3 = m2 + unit;
      const getter = ref('io.opentelemetry.context.propagation.TextMapGetter');
      fields.push(L(member, `private static final ${getter}<${carrierType}> ${getterName} = new ${getter}<>() {`)
        + L(m2, '@Override') + L(m2, `public Iterable<String> keys(${carrierType} carrier) {`) + keys.map((x) => L(m3, x)).join('') + L(m2, '}') + eol
        + L(m2, '@Override') + L(m2, `public String get(${carrierType} carrier, String key) {`) + get.map((x) => L(m3, x)).join('') + L(m2, '}') + L(member, '};'));
    }
    const tracerField = descendants(body, 'field_declaration').find((f) => f.text.includes('GlobalOpenTelemetry.getTracer'));
    const tracer = tracerField ? descendants(tracerField, 'variable_declarator')[0]?.childForFieldName('name')?.text ?? 'TRACER' : freeIn(taken, 'TRACER');
    if (!tracerField) fields.unshift(L(member, `private static final ${ref('io.opentelemetry.api.trace.Tracer')} ${tracer} = ${ref('io.opentelemetry.api.GlobalOpenTelemetry')}.getTracer("${cls.childForFieldName('name')?.text ?? 'Handler'}");`));
    if (fields.length) edits.push({ start: fieldsAt, end: fieldsAt, newText: fields.join(eol) + (/^[ \t]*\r?\n/.test(text.slice(fieldsAt)) ? '' : eol) });
    const [parent, span, scope, err] = ['parent', 'span', 'scope', 'e'].map((n) => freeIn(localNames, n));
    const start = lineStart(text, stmts[0].startIndex), end = nextLineStart(text, stmts[stmts.length - 1].endIndex);
    const spanName = eb ? 'process eventbridge event' : invoked ? site.statement.childForFieldName('name')!.text : `process ${site.target} record`;
    edits.push({ start, end, newText: pre.map((x) => L(base, x)).join('') + L(base, `${context} ${parent} = ${propagator}.extract(${context}.current(), ${carrier}, ${getterName});`)
      + L(base, `${ref('io.opentelemetry.api.trace.Span')} ${span} = ${tracer}.spanBuilder("${spanName}").setParent(${parent}).setSpanKind(${ref('io.opentelemetry.api.trace.SpanKind')}.${invoked ? 'SERVER' : 'CONSUMER'}).startSpan();`)
      + L(base, `try (${ref('io.opentelemetry.context.Scope')} ${scope} = ${span}.makeCurrent()) {`) + reindent(text, root, start, end, step)
      + L(base, `} catch (Throwable ${err}) {`) + L(base + step, `${span}.recordException(${err});`) + L(base + step, `${span}.setStatus(${ref('io.opentelemetry.api.trace.StatusCode')}.ERROR);`)
      + L(base + step, `throw ${err};`) + L(base, '} finally {') + L(base + step, `${span}.end();`) + L(base, '}') });
    if (invoked) {
      return finish('Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)', [`Invokers put the W3C traceparent in ClientContext.custom${carrier.includes('_tracing') ? ', or in the payload\'s _tracing for InvocationType=Event' : ''} (the edits of this extension do); an invocation without it starts a new trace.${carrier.includes('_tracing') ? '' : ' An asynchronous invocation carries it in the payload\'s _tracing, which this input type does not keep.'}`]);
    }
    return eb ? finish('Propagate trace context: continue the sender\'s trace from the event detail (_tracing)', ['Senders put the W3C traceparent in Detail._tracing (the edits of this extension do, in every language).'])
      : finish(`Propagate trace context: continue the sender's trace for each ${site.target.toUpperCase()} record`,
        [`Senders put the W3C traceparent in the ${site.target.toUpperCase()} message attributes (the edits of this extension do, in every language).`]);
  }

  const built = builtRequest(firstArg(site.params!), site.target, method)!;
  const stmt = built.statement;
  const base = indentAt(text, stmt.startIndex);
  const carrier = freeIn(localNames, 'traceCarrier');
  const mapRef = ref('java.util.Map'), hashMap = ref('java.util.HashMap');
  const at = lineStart(text, stmt.startIndex);
  const model = MODEL[site.target];
  // A new builder call goes on its own line when the chain's calls are on lines of their own.
  const addCall = (call: string): TextEdit => {
    const { tail } = built;
    const build = tail.parent?.type === 'method_invocation' && tail.parent.childForFieldName('object')?.id === tail.id ? tail.parent : undefined;
    const [from, name] = build ? [tail, build.childForFieldName('name')] : [tail.childForFieldName('object'), tail.childForFieldName('name')];
    const ownLine = from && name && text.slice(from.endIndex, name.startIndex).includes('\n');
    return { start: tail.endIndex, end: tail.endIndex, newText: ownLine ? `${eol}${indentAt(text, name.startIndex)}.${call}` : `.${call}` };
  };
  if (model) {
    const mav = ref(`${model}.MessageAttributeValue`);
    const [c, k, v] = ['carrier', 'key', 'value'].map((n) => freeIn(localNames, n));
    edits.push({ start: at, end: at, newText: L(base, `${mapRef}<String, ${mav}> ${carrier} = new ${hashMap}<>();`)
      + L(base, `${propagator}.inject(${context}.current(), ${carrier}, (${c}, ${k}, ${v}) -> ${c}.put(${k}, ${mav}.builder().dataType("String").stringValue(${v}).build()));`) });
    edits.push(addCall(`messageAttributes(${carrier})`));
    return finish(`Propagate trace context to ${site.target.toUpperCase()}`, [`The W3C traceparent goes in the ${site.target.toUpperCase()} message attributes (String); SQS allows 10 message attributes per message.`]);
  }
  edits.push({ start: at, end: at, newText: L(base, `${mapRef}<String, String> ${carrier} = new ${hashMap}<>();`) + L(base, `${propagator}.inject(${context}.current(), ${carrier}, ${mapRef}::put);`) });
  let where: string;
  if (site.target === 'eventbridge') {
    for (const d of detailCalls(built)) {
      const a = firstArg(d);
      if (!a) throw new InstrumentError(`line ${d.startPosition.row + 1}: detail() without the JSON to carry the trace context`);
      edits.push({ start: a.startIndex, end: a.endIndex, newText: `${HELPER}(${a.text}, "_tracing", ${carrier})` });
    }
    where = 'the event detail (_tracing)';
  } else {
    const payload = asyncPayload(built);
    if (payload) {
      edits.push({ start: payload.startIndex, end: payload.endIndex, newText: `${HELPER}(${payload.text}, "_tracing", ${carrier})` });
      where = 'the payload (_tracing): Lambda passes ClientContext to synchronous invocations only';
    } else {
      edits.push(addCall(`clientContext(${ref('java.util.Base64')}.getEncoder().encodeToString(${HELPER}("{}", "custom", ${carrier}).getBytes(${ref('java.nio.charset.StandardCharsets')}.UTF_8)))`));
      where = 'the Invoke ClientContext (custom; at most 3,583 bytes)';
    }
  }
  if (!descendants(body, 'method_declaration').some((m) => m.childForFieldName('name')?.text === HELPER)) {
    const close = lineStart(text, body.endIndex - 1);
    if (text.slice(close, body.endIndex - 1).trim()) throw new InstrumentError('the class\'s closing brace is not on a line of its own; format the file first');
    const m2 = member + unit;
    // Escaped by hand so the class needs no JSON library: keys and values are W3C header values.
    edits.push({ start: close, end: close, newText: eol + L(member, '/** The JSON object {@code json} with the W3C trace context in {@code carrier} added as its field {@code key}. */')
      + L(member, `private static String ${HELPER}(String json, String key, ${mapRef}<String, String> carrier) {`)
      + L(m2, 'StringBuilder fields = new StringBuilder();')
      + L(m2, String.raw`carrier.forEach((k, v) -> fields.append(fields.length() == 0 ? "" : ",").append('"').append(k).append("\":\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));`)
      + L(m2, 'String rest = json.trim().substring(1).trim();')
      + L(m2, String.raw`return "{\"" + key + "\":{" + fields + "}" + (rest.startsWith("}") ? "" : ",") + rest;`) + L(member, '}') });
  }
  return finish(`Propagate trace context to ${site.target === 'eventbridge' ? 'EventBridge' : 'Lambda Invoke'}`, [`The W3C traceparent goes in ${where}; receivers extract it with the OpenTelemetry propagator.`]);
}
