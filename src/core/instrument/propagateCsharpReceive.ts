/**
 * "Propagate trace context" on the receiving side of C# handlers (Amazon.Lambda.Core): an EventBridge
 * handler whose detail keeps `_tracing` (CloudWatchEvent<JsonElement | JsonNode | JsonObject |
 * Dictionary<string, object>>; a typed detail class drops the field when it is deserialized, so it gets
 * nothing), and (quietly) a handler another function may invoke: `ILambdaContext.ClientContext.Custom`
 * (synchronous Invoke) else the payload's `_tracing` (InvocationType Event) when the input keeps it.
 */
import type { Node } from 'web-tree-sitter';
import { findHandlers } from './handlers';
import type { PropagationSite } from './propagate';
import { descendants, indentAt, named, nextLineStart } from './text';
import { InstrumentError, type TextEdit } from './types';
import type { SourceDoc } from './types';

const EVENTBRIDGE = /^(?:[\w.]+\.)?(CloudWatchEvent|EventBridgeEvent)<(.+)>$/;
// Event types of the Amazon.Lambda.*Events packages: a source that is not another function's Invoke.
const SOURCE_TYPES = /^(?:[\w.]+\.)?(SQS|SNS|APIGateway|ApplicationLoadBalancer|S3|DynamoDB|Kinesis|KinesisFirehose|CloudWatch|Scheduled|Cognito|Kafka|Lex|Connect|SimpleEmail|CodeCommit|Config|MQ|ActiveMQ|RabbitMQ|LambdaFunctionUrl)\w*(Event|Request)\b/;

type Kind = 'element' | 'node' | 'dictionary';
/** How a value of `type` keeps a `_tracing` object, or undefined when it cannot (a typed class, a string map). */
function keeps(type: string): Kind | undefined {
  const t = type.replace(/\s+/g, '').replace(/^System\.Text\.Json\.(Nodes\.)?/, '').replace(/^System\.Collections\.Generic\./, '');
  // Not JsonElement? (a Nullable<JsonElement> has no ValueKind of its own).
  if (t === 'JsonElement') return 'element';
  if (/^Json(Node|Object)\??$/.test(t)) return 'node';
  return /^I?Dictionary<string,object\??>\??$/.test(t) ? 'dictionary' : undefined;
}

const paramsOf = (m: Node) => (m.childForFieldName('parameters') ? named(m.childForFieldName('parameters')!).filter((p) => p.type === 'parameter') : []);
const typeOf = (p: Node) => p.childForFieldName('type')?.text ?? '';
const extracts = (m: Node) => descendants(m, 'invocation_expression').some((c) => c.childForFieldName('function')?.childForFieldName('name')?.text === 'Extract');

/** EventBridge handlers whose detail keeps `_tracing` (a hint), and handlers of direct invocations (quiet), that do not extract. */
export function csharpReceiveSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  for (const m of descendants(doc.root, 'method_declaration')) {
    const event = paramsOf(m).find((p) => EVENTBRIDGE.test(typeOf(p)));
    if (!event || m.childForFieldName('body')?.type !== 'block' || extracts(m)) continue;
    // A typed detail class has no _tracing member once deserialized: nothing to continue from.
    if (keeps(EVENTBRIDGE.exec(typeOf(event))![2])) out.push({ kind: 'extract', target: 'eventbridge', statement: m, line: m.childForFieldName('name')!.startPosition.row + 1 });
  }
  for (const h of findHandlers(doc)) {
    if (h.fn.childForFieldName('body')?.type !== 'block' || extracts(h.fn)) continue;
    const params = paramsOf(h.fn);
    // A Lambda handler takes (input, ILambdaContext) or less: a Handle(request, cancellationToken) is some other interface's method.
    if (!params.some((p) => /(^|\.)ILambdaContext$/.test(typeOf(p))) && (h.name !== 'FunctionHandler' || params.length > 1)) continue;
    const input = params.find((p) => !/(^|\.)ILambdaContext$/.test(typeOf(p)));
    if (input && (SOURCE_TYPES.test(typeOf(input)) || EVENTBRIDGE.test(typeOf(input)))) continue;
    out.push({ kind: 'extract', target: 'lambda', statement: h.fn, line: h.line, quiet: true });
  }
  return out;
}

/** What planCsharpPropagation lends the receive edit: usings, free local names, the class's ActivitySource. */
export interface CsharpEditContext {
  text: string;
  eol: string;
  edits: TextEdit[];
  using: (ns: string) => void;
  free: (want: string) => string;
  activitySource: () => string;
}

/** `test` (a condition declaring `t`) and the Dictionary<string, string> built from `t`, for a value `x` of kind `k` holding `_tracing`. */
function tracingOf(x: string, k: Kind, free: (w: string) => string, using: (ns: string) => void): { test: string; dict: string } {
  const t = free('tracing'), f = free('field');
  using('System.Linq');
  const fromElement = `${t}.EnumerateObject().Where(${f} => ${f}.Value.ValueKind == JsonValueKind.String).ToDictionary(${f} => ${f}.Name, ${f} => ${f}.Value.GetString() ?? "")`;
  if (k === 'node') {
    using('System.Text.Json.Nodes');
    const o = free('fields');
    return { test: `${x} is JsonObject ${o} && ${o}["_tracing"] is JsonObject ${t}`, dict: `${t}.Where(${f} => ${f}.Value is JsonValue).ToDictionary(${f} => ${f}.Key, ${f} => ${f}.Value?.ToString() ?? "")` };
  }
  using('System.Text.Json');
  if (k === 'element') return { test: `${x}.ValueKind == JsonValueKind.Object && ${x}.TryGetProperty("_tracing", out var ${t}) && ${t}.ValueKind == JsonValueKind.Object`, dict: fromElement };
  // System.Text.Json gives object values of a Dictionary<string, object> as JsonElement.
  const v = free('value');
  return { test: `${x} != null && ${x}.TryGetValue("_tracing", out var ${v}) && ${v} is JsonElement ${t} && ${t}.ValueKind == JsonValueKind.Object`, dict: fromElement };
}

/** Adds the edits that start the handler's activity with the sender's or invoker's context as parent; the title and notes. */
export function csharpReceiveEdits(site: PropagationSite, x: CsharpEditContext): { title: string; notes: string[] } {
  const { text, eol, using, free } = x;
  const L = (i: string, s: string) => `${i}${s}${eol}`;
  const m = site.statement;
  const block = m.childForFieldName('body')!;
  const stmts = named(block);
  if (!stmts.length || stmts[0].startPosition.row === block.startPosition.row) throw new InstrumentError(`line ${site.line}: the handler body is not laid out one statement per line; format the file first`);
  const base = indentAt(text, stmts[0].startIndex);
  const open = nextLineStart(text, block.startIndex);
  using('System');
  using('System.Collections.Generic');
  const [c, k, v] = ['carrier', 'key', 'entry'].map(free);
  const getter = `(${c}, ${k}) => ${c} != null && ${c}.TryGetValue(${k}, out var ${v}) ? new[] { ${v} } : Array.Empty<string>()`;
  const lines: string[] = [];
  const carrier = free('traceCarrier'), parent = free('parent'), activity = free('activity');
  const eb = site.target === 'eventbridge';
  const params = paramsOf(m);
  let payload = false;
  if (eb) {
    const event = params.find((p) => EVENTBRIDGE.test(typeOf(p)))!;
    const { test, dict } = tracingOf(`${event.childForFieldName('name')!.text}.Detail`, keeps(EVENTBRIDGE.exec(typeOf(event))![2])!, free, using);
    lines.push(`var ${carrier} = ${test} ? ${dict} : new Dictionary<string, string>();`);
  } else {
    let ctx = params.find((p) => /(^|\.)ILambdaContext$/.test(typeOf(p)))?.childForFieldName('name')?.text;
    if (!ctx) {
      // The .NET runtime passes the ILambdaContext to a handler that declares it.
      ctx = free('context');
      using('Amazon.Lambda.Core');
      const list = m.childForFieldName('parameters')!;
      x.edits.push({ start: list.endIndex - 1, end: list.endIndex - 1, newText: `${params.length ? ', ' : ''}ILambdaContext ${ctx}` });
    }
    lines.push(`var ${carrier} = ${ctx}.ClientContext?.Custom;`);
    const input = params.find((p) => !/(^|\.)ILambdaContext$/.test(typeOf(p)));
    const kind = input ? keeps(typeOf(input)) : undefined;
    if (input && kind) {
      // An asynchronous Invoke gets no ClientContext: the payload's _tracing, which this input keeps.
      const { test, dict } = tracingOf(input.childForFieldName('name')!.text, kind, free, using);
      lines.push(`if ((${carrier} == null || ${carrier}.Count == 0) && ${test}) ${carrier} = ${dict};`);
      payload = true;
    }
  }
  const name = eb ? 'process eventbridge event' : m.childForFieldName('name')!.text;
  lines.push(`var ${parent} = Propagators.DefaultTextMapPropagator.Extract(default, ${carrier}, ${getter});`);
  lines.push(`using var ${activity} = ${x.activitySource()}.StartActivity("${name}", ActivityKind.${eb ? 'Consumer' : 'Server'}, ${parent}.ActivityContext);`);
  x.edits.push({ start: open, end: open, newText: lines.map((l) => L(base, l)).join('') });
  return eb
    ? { title: 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)', notes: ['Senders put the W3C traceparent in Detail._tracing (the edits of this extension do, in every language).'] }
    : { title: 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)',
      notes: [`Invokers put the W3C traceparent in ClientContext.custom${payload ? ', or in the payload\'s _tracing for InvocationType=Event' : ''} (the edits of this extension do); an invocation without it starts a new trace.${payload ? '' : ' An asynchronous invocation carries it in the payload\'s _tracing, which this input type does not keep.'}`] };
}
