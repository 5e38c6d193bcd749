/**
 * "Propagate trace context" for C# (AWSSDK request objects, Amazon.Lambda.SQSEvents/SNSEvents records,
 * OpenTelemetry .NET propagators with System.Diagnostics activities). The wire matches the other
 * languages' edits: SQS/SNS message attributes (String), EventBridge `Detail._tracing`, Lambda Invoke
 * `ClientContext.custom` (base64 JSON) or the payload's `_tracing` for asynchronous invocations.
 */
import type { Node } from 'web-tree-sitter';
import { classLayout, importPoint } from './compiled';
import type { PropagationSite, Target } from './propagate';
import { csharpReceiveEdits, csharpReceiveSites } from './propagateCsharpReceive';
import { enclosingFunction } from './selection';
import { descendants, eolOf, freeIn, indentAt, lineStart, named, nextLineStart } from './text';
import { InstrumentError, type InstrumentPlan, type PackageNeed, type SourceDoc, type TextEdit } from './types';

const SENDS: Record<string, Target> = { SendMessageAsync: 'sqs', PublishAsync: 'sns', PutEventsAsync: 'eventbridge', InvokeAsync: 'lambda' };
const REQUESTS: Record<Target, string> = { sqs: 'SendMessageRequest', sns: 'PublishRequest', eventbridge: 'PutEventsRequest', lambda: 'InvokeRequest' };
// A request that already sets these is left alone: the trace context would replace what it sets.
const ALREADY: Record<Target, string[]> = { sqs: ['MessageAttributes'], sns: ['MessageAttributes'], eventbridge: [], lambda: ['ClientContext', 'ClientContextBase64'] };
const MODEL: Partial<Record<Target, string>> = { sqs: 'Amazon.SQS.Model', sns: 'Amazon.SimpleNotificationService.Model' };
const OTEL_API: PackageNeed = { ecosystem: 'nuget', name: 'OpenTelemetry.Api', install: 'dotnet add package OpenTelemetry.Api' };
const HELPER = 'WithTraceContext';
const CONTEXT = 'new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current)';


function statementOf(n: Node): Node {
  let s = n;
  while (s.parent && s.parent.type !== 'block') s = s.parent;
  return s;
}

/** `new X(...) { ... }` for the send's request: in the call, or in a local variable of the same method. */
function requestOf(arg: Node | undefined, target: Target, method: Node): Node | undefined {
  if (arg?.type === 'argument') arg = named(arg)[0];
  if (!arg) return undefined;
  if (arg.type === 'identifier') {
    const decl = descendants(method, 'variable_declarator').find((d) => named(d)[0]?.text === arg.text && d.startIndex < arg.startIndex);
    const value = decl ? named(decl).find((x) => x.type === 'object_creation_expression') : undefined;
    return value ? requestOf(value, target, method) : undefined;
  }
  return arg.type === 'object_creation_expression' && arg.childForFieldName('type')?.text.split('.').pop() === REQUESTS[target] ? arg : undefined;
}

/** `Name = value` entries of an object initializer. */
function entries(creation: Node): Map<string, Node> {
  const init = creation.childForFieldName('initializer') ?? named(creation).find((x) => x.type === 'initializer_expression');
  return new Map((init ? named(init) : []).filter((a) => a.type === 'assignment_expression').map((a) => [a.childForFieldName('left')?.text ?? '', a.childForFieldName('right')!]));
}

const initializerOf = (creation: Node) => creation.childForFieldName('initializer') ?? named(creation).find((x) => x.type === 'initializer_expression');

/** `Detail = ...` values of the PutEventsRequestEntry initializers inside a PutEvents request. */
function details(request: Node): Node[] {
  return descendants(request, 'object_creation_expression').filter((c) => c.childForFieldName('type')?.text.split('.').pop() === 'PutEventsRequestEntry')
    .map((c) => entries(c).get('Detail')).filter((d): d is Node => d !== undefined);
}

/** The payload of an asynchronous Invoke (`InvocationType = InvocationType.Event` or `"Event"`); null when synchronous. */
function asyncPayload(request: Node): Node | null | undefined {
  const e = entries(request);
  return /^(InvocationType\.Event|"Event")$/.test(e.get('InvocationType')?.text ?? '') ? e.get('Payload') : null;
}

/** C# sends without injection, SQS/SNS record loops and EventBridge handlers without extraction, and (quiet) directly invoked handlers. */
export function csharpPropagationSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  const calls = (fn: Node, name: string) => descendants(fn, 'invocation_expression').filter((c) => c.childForFieldName('function')?.childForFieldName('name')?.text === name);
  for (const loop of descendants(doc.root, 'foreach_statement')) {
    const method = enclosingFunction(loop);
    const right = loop.childForFieldName('right');
    if (!method || right?.type !== 'member_access_expression' || right.childForFieldName('name')?.text !== 'Records' || calls(method, 'Extract').length) continue;
    // The records' type: the loop's own, or the handler parameter's (SQSEvent / SNSEvent).
    const param = (method.childForFieldName('parameters') ? named(method.childForFieldName('parameters')!) : []).find((p) => p.childForFieldName('name')?.text === right.childForFieldName('expression')?.text);
    const types = `${loop.childForFieldName('type')?.text ?? ''} ${param?.childForFieldName('type')?.text ?? ''}`;
    const target = /\bSQS(Event|Message)\b/.test(types) ? 'sqs' : /\bSNS(Event|Record)\b/.test(types) ? 'sns' : undefined;
    if (target && loop.childForFieldName('body')?.type === 'block') out.push({ kind: 'extract', target, statement: loop, line: loop.startPosition.row + 1 });
  }
  for (const call of descendants(doc.root, 'invocation_expression')) {
    const target = SENDS[call.childForFieldName('function')?.childForFieldName('name')?.text ?? ''];
    const method = enclosingFunction(call);
    if (!target || !method) continue;
    const request = requestOf(named(call.childForFieldName('arguments') ?? call)[0], target, method);
    if (!request || ALREADY[target].some((k) => entries(request).has(k))) continue;
    // A send in an expression lambda has no statement of its own in that function to put the carrier before.
    if (enclosingFunction(statementOf(request))?.id !== method.id) continue;
    const carriers = new Set(calls(method, 'Inject').map((c) => named(named(c.childForFieldName('arguments')!)[1] ?? c)[0]?.text ?? '').filter(Boolean));
    if (descendants(request, 'identifier').some((id) => carriers.has(id.text))) continue;
    if (target === 'eventbridge' && !details(request).length) continue;
    if (target === 'lambda' && asyncPayload(request) === undefined) continue;
    out.push({ kind: 'inject', target, statement: statementOf(request), params: request, line: call.startPosition.row + 1 });
  }
  const receives = csharpReceiveSites(doc);
  // Quiet sites last, so the first site of a sender stays its send.
  return [...[...out, ...receives.filter((r) => !r.quiet)].sort((a, b) => a.line - b.line), ...receives.filter((r) => r.quiet)];
}

/** Plans the edit for one C# propagation site (OpenTelemetry .NET API). */
export function planCsharpPropagation(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const L = (i: string, s: string) => `${i}${s}${eol}`;
  const { cls, body, member, unit } = classLayout(text, site.statement, site.line);
  const method = site.statement.type === 'method_declaration' ? site.statement : enclosingFunction(site.statement)!;
  const methodBody = method.childForFieldName('body');
  const braceOwnLine = !!methodBody && text.slice(lineStart(text, methodBody.startIndex), methodBody.startIndex).trim() === '';
  const taken = new Set(descendants(cls, 'identifier').map((i) => i.text));
  // Locals need only be free in their method and not hide a field.
  const localNames = new Set([...descendants(method, 'identifier'), ...descendants(body, 'field_declaration').flatMap((f) => descendants(f, 'variable_declarator').map((d) => named(d)[0]!))].map((i) => i.text));
  const usings = new Set(descendants(root, 'using_directive').map((u) => named(u)[0]?.text));
  const added: string[] = [];
  const using = (ns: string) => { if (!usings.has(ns)) { usings.add(ns); added.push(ns); } };
  ['System.Diagnostics', 'OpenTelemetry', 'OpenTelemetry.Context.Propagation'].forEach(using);
  const edits: TextEdit[] = [];
  const finish = (title: string, notes: string[]): InstrumentPlan => {
    const imp = importPoint(text, root, ['using_directive'], []);
    // Usings inside a namespace block keep its indentation.
    const indent = imp.follows ? indentAt(text, imp.at - 1) : '';
    if (added.length) edits.unshift({ start: imp.at, end: imp.at, newText: added.map((n) => `${indent}using ${n};${eol}`).join('') + (imp.follows ? '' : eol) });
    return { title, edits, packages: [OTEL_API], notes: [...notes, 'Propagators.DefaultTextMapPropagator is W3C trace context and baggage once the OpenTelemetry SDK (a TracerProvider) is set up; before that it propagates nothing.'] };
  };

  /** The class's ActivitySource field, added when it has none. */
  const activitySource = (): string => {
    const sourceField = descendants(body, 'field_declaration').find((f) => f.text.includes('new ActivitySource('));
    if (sourceField) return descendants(sourceField, 'variable_declarator')[0]?.namedChildren[0]?.text ?? 'Telemetry';
    const source = freeIn(taken, 'Telemetry');
    const ns = descendants(root, 'namespace_declaration', 'file_scoped_namespace_declaration')[0]?.childForFieldName('name')?.text;
    const name = `${ns ? `${ns}.` : ''}${cls.childForFieldName('name')?.text ?? 'Function'}`;
    const at = nextLineStart(text, body.startIndex);
    edits.push({ start: at, end: at, newText: L(member, `private static readonly ActivitySource ${source} = new ActivitySource("${name}");`) + (/^[ \t]*\r?\n/.test(text.slice(at)) ? '' : eol) });
    return source;
  };

  if (site.kind === 'extract' && (site.target === 'lambda' || site.target === 'eventbridge')) {
    const { title, notes } = csharpReceiveEdits(site, { text, eol, edits, using, free: (w) => { const n = freeIn(localNames, w); localNames.add(n); return n; }, activitySource });
    return finish(title, notes);
  }
  if (site.kind === 'extract') {
    const loopBody = site.statement.childForFieldName('body')!;
    const stmts = named(loopBody);
    const open = nextLineStart(text, loopBody.startIndex);
    if (!stmts.length || stmts[0].startPosition.row === loopBody.startPosition.row) throw new InstrumentError(`line ${site.line}: the loop body is not laid out one statement per line; format the file first`);
    const base = indentAt(text, stmts[0].startIndex);
    const rec = site.statement.childForFieldName('left')!.text;
    const sns = site.target === 'sns';
    const source = activitySource();
    using('System');
    const [parent, activity, attrs, key, attr] = ['parent', 'activity', 'attributes', 'key', 'attribute'].map((n) => freeIn(localNames, n));
    const value = `${attr}.${sns ? 'Value' : 'StringValue'}`;
    edits.push({ start: open, end: open, newText:
      L(base, `var ${parent} = Propagators.DefaultTextMapPropagator.Extract(default, ${rec}.${sns ? 'Sns.MessageAttributes' : 'MessageAttributes'}, (${attrs}, ${key}) => ${attrs} != null && ${attrs}.TryGetValue(${key}, out var ${attr}) && ${value} != null ? new[] { ${value} } : Array.Empty<string>());`)
      + L(base, `using var ${activity} = ${source}.StartActivity("process ${site.target} record", ActivityKind.Consumer, ${parent}.ActivityContext);`) });
    return finish(`Propagate trace context: continue the sender's trace for each ${site.target.toUpperCase()} record`,
      [`Senders put the W3C traceparent in the ${site.target.toUpperCase()} message attributes (the edits of this extension do, in every language).`]);
  }

  const request = site.params!;
  const base = indentAt(text, site.statement.startIndex);
  const carrier = freeIn(localNames, 'traceCarrier');
  const [c, k, v] = ['c', 'k', 'v'].map((n) => freeIn(localNames, n));
  const at = lineStart(text, site.statement.startIndex);
  using('System.Collections.Generic');
  const addEntry = (entry: string): TextEdit => {
    const init = initializerOf(request);
    if (!init) return { start: request.endIndex, end: request.endIndex, newText: ` { ${entry} }` };
    const items = named(init);
    const last = items[items.length - 1];
    if (!last) return { start: init.startIndex + 1, end: init.startIndex + 1, newText: ` ${entry} ` };
    const tail = text.slice(last.endIndex, init.endIndex - 1);
    const comma = tail.trimStart().startsWith(',');
    const pos = comma ? last.endIndex + tail.indexOf(',') + 1 : last.endIndex;
    return last.startPosition.row !== init.startPosition.row
      ? { start: pos, end: pos, newText: `${comma ? '' : ','}${eol}${indentAt(text, last.startIndex)}${entry}${comma ? ',' : ''}` }
      : { start: pos, end: pos, newText: `${comma ? '' : ','} ${entry}` };
  };
  const model = MODEL[site.target];
  if (model) {
    // Both model namespaces imported make the simple name ambiguous.
    const other = Object.values(MODEL).find((m) => m !== model)!;
    const mav = usings.has(other) && usings.has(model) ? `${model}.MessageAttributeValue` : (using(model), 'MessageAttributeValue');
    edits.push({ start: at, end: at, newText: L(base, `var ${carrier} = new Dictionary<string, ${mav}>();`)
      + L(base, `Propagators.DefaultTextMapPropagator.Inject(${CONTEXT}, ${carrier}, (${c}, ${k}, ${v}) => ${c}[${k}] = new ${mav} { DataType = "String", StringValue = ${v} });`) });
    edits.push(addEntry(`MessageAttributes = ${carrier}`));
    return finish(`Propagate trace context to ${site.target.toUpperCase()}`, [`The W3C traceparent goes in the ${site.target.toUpperCase()} message attributes (String); SQS allows 10 message attributes per message.`]);
  }
  edits.push({ start: at, end: at, newText: L(base, `var ${carrier} = new Dictionary<string, string>();`) + L(base, `Propagators.DefaultTextMapPropagator.Inject(${CONTEXT}, ${carrier}, (${c}, ${k}, ${v}) => ${c}[${k}] = ${v});`) });
  let where: string;
  if (site.target === 'eventbridge') {
    for (const d of details(request)) edits.push({ start: d.startIndex, end: d.endIndex, newText: `${HELPER}(${d.text}, "_tracing", ${carrier})` });
    where = 'the event detail (_tracing)';
  } else {
    const payload = asyncPayload(request);
    if (payload) {
      edits.push({ start: payload.startIndex, end: payload.endIndex, newText: `${HELPER}(${payload.text}, "_tracing", ${carrier})` });
      where = 'the payload (_tracing): Lambda passes ClientContext to synchronous invocations only';
    } else {
      using('System');
      using('System.Text');
      edits.push(addEntry(`ClientContextBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(${HELPER}("{}", "custom", ${carrier})))`));
      where = 'the Invoke ClientContext (custom; at most 3,583 bytes)';
    }
  }
  if (!descendants(body, 'method_declaration').some((m) => m.childForFieldName('name')?.text === HELPER)) {
    using('System.Text.Json.Nodes');
    const close = lineStart(text, body.endIndex - 1);
    if (text.slice(close, body.endIndex - 1).trim()) throw new InstrumentError('the class\'s closing brace is not on a line of its own; format the file first');
    const m2 = member + unit;
    const head = `private static string ${HELPER}(string json, string key, IDictionary<string, string> carrier)`;
    edits.push({ start: close, end: close, newText: eol
      + L(member, '/// <summary>The JSON object <paramref name="json"/> with the W3C trace context in <paramref name="carrier"/> added as its field <paramref name="key"/>.</summary>')
      + (braceOwnLine ? L(member, head) + L(member, '{') : L(member, `${head} {`))
      + L(m2, 'var node = JsonNode.Parse(json)?.AsObject() ?? new JsonObject();') + L(m2, 'var fields = new JsonObject();')
      + L(m2, 'foreach (var entry in carrier) fields[entry.Key] = entry.Value;') + L(m2, 'node[key] = fields;') + L(m2, 'return node.ToJsonString();') + L(member, '}') });
  }
  return finish(`Propagate trace context to ${site.target === 'eventbridge' ? 'EventBridge' : 'Lambda Invoke'}`, [`The W3C traceparent goes in ${where}; receivers extract it with the OpenTelemetry propagator.`]);
}
