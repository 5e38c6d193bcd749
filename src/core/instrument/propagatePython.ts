/**
 * "Propagate trace context" for Python (boto3, OpenTelemetry W3C propagation). Where the context
 * travels matches the JavaScript edits, so senders and receivers in either language agree:
 * SQS/SNS message attributes, EventBridge `Detail._tracing`, Lambda Invoke `ClientContext.custom`.
 */
import type { Node } from 'web-tree-sitter';
import { PIP, pyHeadText, pyImportPoint } from './python';
import type { PropagationSite, Target } from './propagate';
import { enclosingFunction } from './selection';
import { descendants, eolOf, freeIn, indentAt, lineStart, named, nextLineStart } from './text';
import { InstrumentError, type InstrumentPlan, type SourceDoc, type TextEdit } from './types';
import { wrapPython } from './wrap';

const SENDS: Record<string, Target> = { send_message: 'sqs', publish: 'sns', put_events: 'eventbridge', invoke: 'lambda' };
// The keyword argument a send must have to be that API (boto3 `invoke` also exists on other clients).
const NEEDS: Record<Target, string> = { sqs: 'MessageBody', sns: 'Message', eventbridge: 'Entries', lambda: 'FunctionName' };
const ALREADY: Record<Target, string> = { sqs: 'MessageAttributes', sns: 'MessageAttributes', eventbridge: '', lambda: 'ClientContext' };

function statementOf(n: Node): Node {
  let s = n;
  while (s.parent && !/^block$|^module$/.test(s.parent.type)) s = s.parent;
  return s;
}

function calledNames(fn: Node): string[] {
  return descendants(fn, 'call').map((c) => {
    const f = c.childForFieldName('function');
    return (f?.childForFieldName('attribute') ?? f)?.text ?? '';
  });
}

/** Names passed to `inject(...)` in `fn`: a send naming one of them already carries the context. */
function injectedCarriers(fn: Node): Set<string> {
  return new Set(descendants(fn, 'call').filter((c) => /(^|\.)inject$/.test(c.childForFieldName('function')?.text ?? ''))
    .map((c) => c.childForFieldName('arguments')?.namedChildren[0]?.text ?? '').filter(Boolean));
}

/** `json.dumps(...)` values of `'Detail'` keys in an EventBridge call's arguments. */
function detailDumps(call: Node): Node[] {
  return descendants(call, 'pair').filter((p) => /^['"]Detail['"]$/.test(p.childForFieldName('key')?.text ?? ''))
    .map((p) => p.childForFieldName('value')).filter((v): v is Node => v?.type === 'call' && v.childForFieldName('function')?.text === 'json.dumps');
}

/** The `json.dumps(x)` argument `x` of an asynchronous Invoke (`InvocationType="Event"`), which gets no ClientContext. */
function asyncPayload(call: Node): Node | undefined {
  const kw = (name: string) => descendants(call, 'keyword_argument').find((k) => k.childForFieldName('name')?.text === name)?.childForFieldName('value');
  if (!/^['"]Event['"]$/.test(kw('InvocationType')?.text ?? '')) return undefined;
  const payload = kw('Payload');
  if (payload?.type !== 'call' || payload.childForFieldName('function')?.text !== 'json.dumps') return undefined;
  return payload.childForFieldName('arguments')?.namedChildren.find((x): x is Node => x !== null && x.type !== 'keyword_argument');
}

function params(fn: Node): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => p !== null).map((p) => p.text.split(/[:=]/)[0].trim());
}

/** Python sends without injection, record loops and EventBridge/Lambda-invoked handlers without extraction. */
export function pythonPropagationSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  for (const loop of descendants(doc.root, 'for_statement')) {
    const right = loop.childForFieldName('right');
    const fn = enclosingFunction(loop);
    const key = right?.type === 'subscript' ? descendants(right, 'string_content').map((x) => x.text).pop() : undefined;
    if (key !== 'Records' || !fn || calledNames(fn).includes('extract')) continue;
    const keys = new Set(descendants(loop.childForFieldName('body') ?? loop, 'string_content').map((x) => x.text));
    const target = keys.has('Sns') ? 'sns' : keys.has('messageAttributes') || keys.has('body') ? 'sqs' : undefined;
    if (target) out.push({ kind: 'extract', target, statement: loop, line: loop.startPosition.row + 1 });
  }
  // Handlers (two parameters, the second the Lambda context) of EventBridge events or of direct invocations.
  for (const fn of doc.root.namedChildren.map((n) => (n?.type === 'decorated_definition' ? n.childForFieldName('definition') : n)).filter((n): n is Node => n?.type === 'function_definition')) {
    const [event, context] = params(fn);
    if (!event || !context || !/context|ctx/.test(context) || calledNames(fn).includes('extract')) continue;
    const body = fn.childForFieldName('body');
    if (!body) continue;
    const detail = descendants(body, 'subscript', 'call').find((n) => n.text.startsWith(n.type === 'call' ? `${event}.get(` : `${event}[`) && /^\w+(\[|\.get\()\s*['"]detail['"]/.test(n.text));
    // Records (SQS, SNS, S3, streams) and API Gateway fields say who invokes it: not another function's Invoke.
    const records = descendants(body, 'string_content').some((s) => /^(Records|body|httpMethod|requestContext|pathParameters|queryStringParameters|rawPath|headers)$/.test(s.text));
    if (detail) out.push({ kind: 'extract', target: 'eventbridge', statement: fn, line: detail.startPosition.row + 1 });
    else if (!records) out.push({ kind: 'extract', target: 'lambda', statement: fn, line: fn.startPosition.row + 1, quiet: true });
  }
  for (const c of descendants(doc.root, 'call')) {
    const target = SENDS[c.childForFieldName('function')?.childForFieldName('attribute')?.text ?? ''];
    const fn = enclosingFunction(c);
    if (!target || !fn) continue;
    const kw = descendants(c, 'keyword_argument').map((k) => k.childForFieldName('name')?.text);
    if (!kw.includes(NEEDS[target]) || (ALREADY[target] && kw.includes(ALREADY[target]))) continue;
    const carriers = injectedCarriers(fn);
    if (descendants(c, 'identifier').some((id) => carriers.has(id.text))) continue;
    if (target === 'eventbridge' && !detailDumps(c).length) continue;
    out.push({ kind: 'inject', target, statement: statementOf(c), params: c, line: c.startPosition.row + 1 });
  }
  return out.sort((a, b) => a.line - b.line);
}

function moduleImports(root: Node): Set<string> {
  return new Set(root.namedChildren.filter((n): n is Node => n?.type === 'import_statement').flatMap((n) => descendants(n, 'dotted_name').map((d) => d.text)));
}

function fromImported(root: Node, module: string): string[] {
  return descendants(root, 'import_from_statement').filter((i) => i.childForFieldName('module_name')?.text === module).flatMap((i) => descendants(i, 'dotted_name').slice(1).map((d) => d.text));
}

/** Plans the edit for one Python propagation site (OpenTelemetry). */
export function planPythonPropagation(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const extractImport = { module: 'opentelemetry.propagate', name: 'extract' };
  if (site.kind === 'extract' && site.statement.type === 'function_definition') {
    const body = site.statement.childForFieldName('body');
    const all = named(body);
    const stmts = all[0]?.type === 'expression_statement' && all[0].namedChildren[0]?.type === 'string' ? all.slice(1) : all;
    if (!stmts.length || stmts[0].startPosition.row === site.statement.startPosition.row) throw new InstrumentError('the handler\'s body is not on lines of its own');
    const [event, context] = params(site.statement);
    const eb = site.target === 'eventbridge';
    // ClientContext.custom for synchronous invocations, the payload's _tracing for asynchronous ones.
    const carrier = eb ? `${event}.get("detail", {}).get("_tracing", {})` : `getattr(${context}.client_context, "custom", None) or (${event}.get("_tracing") if isinstance(${event}, dict) else None) or {}`;
    const plan = wrapPython(doc, stmts, 'otel', eb ? 'process eventbridge event' : site.statement.childForFieldName('name')?.text ?? 'invoked', { expr: `extract(${carrier})`, imports: [extractImport] });
    return { ...plan, title: eb ? 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)' : 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)',
      notes: [eb ? 'Senders put the W3C traceparent in Detail._tracing (the JavaScript and Python edits of this extension do).' : 'Invokers put the W3C traceparent in ClientContext.custom, or in the payload\'s _tracing for InvocationType=Event (the edits of this extension do); an invocation without it starts a new trace.'] };
  }
  if (site.kind === 'extract') {
    const body = site.statement.childForFieldName('body');
    const stmts = named(body);
    const rec = site.statement.childForFieldName('left')?.text ?? 'record';
    const carrier = site.target === 'sns'
      ? `{k: v.get("Value") for k, v in ${rec}["Sns"].get("MessageAttributes", {}).items()}`
      : `{k: v.get("stringValue") for k, v in ${rec}.get("messageAttributes", {}).items()}`;
    const plan = wrapPython(doc, stmts, 'otel', `process ${site.target} record`, { expr: `extract(${carrier})`, imports: [extractImport] });
    return { ...plan, title: `Propagate trace context: continue the sender's trace for each ${site.target.toUpperCase()} record` };
  }
  const base = indentAt(text, site.statement.startIndex);
  const { importAt, follows } = pyImportPoint(doc, site.statement.startIndex);
  const fn = enclosingFunction(site.statement);
  const taken = new Set(fn ? descendants(fn, 'identifier').map((i) => i.text) : []);
  const carrier = freeIn(taken, 'trace_carrier');
  const imports = moduleImports(root);
  const importLines = fromImported(root, 'opentelemetry.propagate').includes('inject') ? [] : ['from opentelemetry.propagate import inject'];
  const edits: TextEdit[] = [];
  if (site.target === 'lambda' && !asyncPayload(site.params!)) {
    for (const m of ['base64', 'json'].filter((x) => !imports.has(x))) {
      // Standard-library modules join the file's first group of plain imports, in order.
      const group: Node[] = [];
      for (const n of root.namedChildren) { if (n?.type === 'import_statement' && (!group.length || n.startPosition.row === group[group.length - 1].endPosition.row + 1)) group.push(n); else if (group.length) break; }
      const next = group.find((g) => (g.namedChildren[0]?.text ?? '') > m);
      if (group.length) { const at = next ? lineStart(text, next.startIndex) : nextLineStart(text, group[group.length - 1].endIndex); edits.push({ start: at, end: at, newText: `import ${m}${eol}` }); }
      else importLines.unshift(`import ${m}`);
    }
  }
  if (importLines.length) edits.unshift({ start: importAt, end: importAt, newText: pyHeadText(eol, follows, importLines, []) });
  edits.push({ start: lineStart(text, site.statement.startIndex), end: lineStart(text, site.statement.startIndex), newText: `${base}${carrier} = {}${eol}${base}inject(${carrier})${eol}` });
  const args = site.params!.childForFieldName('arguments')!;
  const last = named(args).pop()!;
  if (site.target === 'sqs' || site.target === 'sns') {
    edits.push({ start: last.endIndex, end: last.endIndex, newText: `, MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in ${carrier}.items()}` });
  } else if (site.target === 'lambda') {
    const payload = asyncPayload(site.params!);
    if (payload) edits.push({ start: payload.startIndex, end: payload.endIndex, newText: `{**${payload.text}, "_tracing": ${carrier}}` });
    else edits.push({ start: last.endIndex, end: last.endIndex, newText: `, ClientContext=base64.b64encode(json.dumps({"custom": ${carrier}}).encode()).decode()` });
  } else {
    for (const d of detailDumps(site.params!)) {
      const a = d.childForFieldName('arguments')!.namedChildren.find((x) => x !== null && x.type !== 'keyword_argument');
      if (!a) throw new InstrumentError(`line ${d.startPosition.row + 1}: json.dumps without the detail to carry the trace context`);
      edits.push({ start: a.startIndex, end: a.endIndex, newText: `{**${a.text}, "_tracing": ${carrier}}` });
    }
  }
  const where = { sqs: 'the SQS message attributes', sns: 'the SNS message attributes', eventbridge: 'the event detail (_tracing)',
    lambda: asyncPayload(site.params!) ? 'the payload (_tracing): Lambda passes ClientContext to synchronous invocations only' : 'the Invoke ClientContext (custom; at most 3,583 bytes)' }[site.target];
  return { title: `Propagate trace context to ${site.target === 'eventbridge' ? 'EventBridge' : site.target === 'lambda' ? 'Lambda Invoke' : site.target.toUpperCase()}`, edits, packages: [PIP.otel],
    notes: [site.target === 'sqs' || site.target === 'sns' ? 'Receivers extract it with opentelemetry.propagate.extract from the record\'s messageAttributes (stringValue).' : `The W3C traceparent goes in ${where}; receivers extract it with opentelemetry.propagate.extract.`] };
}
