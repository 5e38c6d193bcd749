/** Go and Rust lines that call AWS SDK clients, HTTP or databases, their span names, and which of them no span covers yet. */
import type { Node } from 'web-tree-sitter';
import { descendants } from './text';
import type { SourceDoc } from './types';

// Go: `svc.PutItem(ctx, in)` (AWS SDK v2), `http.Get(url)`, `client.Do(req)`, `db.QueryContext(ctx, q)`.
const GO_OBJECTS = /(client|svc|ddb|dynamo|dynamodb|s3|sqs|sns|lambda|events|eventbridge|kinesis|http|pool|db|conn|tx|rdb|redis|sql)$/i;
// Methods that build or tear down locally: no request leaves the function.
const GO_LOCAL = /^(New|With|Close|Err|Scan|Next|Rows|Columns|Set|Add|String|Error|Start|End)/;
// Rust: `client.put_item()...send().await` (AWS SDK), `reqwest::get(url)`, `sqlx::query(...)`, `client.get(url).send()` (reqwest).
const RUST_CLIENTS = /(client|ddb|dynamo|dynamodb|s3|sqs|sns|lambda|events|eventbridge|kinesis|http|reqwest)$/i;
const RUST_PATHS = /^(reqwest::(get|Client)|sqlx::query\w*)$/;

const clean = (x: string) => x.replace(/::/g, '.').replace(/[^\w.$-]/g, '').slice(-40) || 'call';

function lastSegment(x: string): string {
  return x.slice(Math.max(x.lastIndexOf('.'), x.lastIndexOf(':')) + 1).replace(/\W/g, '');
}

/** The innermost call of a Rust method chain (`client.put_item()` in `client.put_item().key(k).send()`). */
function chainRoot(call: Node): Node {
  let c = call;
  for (;;) {
    const obj = c.childForFieldName('function')?.childForFieldName('value');
    const inner = obj?.type === 'await_expression' || obj?.type === 'try_expression' ? obj.namedChildren[0] : obj;
    if (inner?.type !== 'call_expression') return c;
    c = inner;
  }
}

/** A short span name for a Go or Rust call: `svc.PutItem`, `http.Get`, `client.put_item` (the chain's first method), `reqwest.get`, `sqlx.query`. */
export function nativeCallName(call: Node): string {
  const f = call.childForFieldName('function');
  if (!f) return 'call';
  if (f.type === 'selector_expression') return clean(`${lastSegment(f.childForFieldName('operand')?.text ?? '')}.${f.childForFieldName('field')?.text ?? ''}`);
  if (f.type === 'field_expression') {
    const root = chainRoot(call).childForFieldName('function')!;
    if (root.type !== 'field_expression') return clean(root.text);
    return clean(`${lastSegment(root.childForFieldName('value')?.text ?? '')}.${root.childForFieldName('field')?.text ?? ''}`);
  }
  return clean(f.text);
}

/** Calls in `n` that look like AWS SDK, HTTP or database calls in Go or Rust (by the names in the syntax tree). */
export function nativeOutboundCalls(doc: SourceDoc, n: Node): Node[] {
  const calls = descendants(n, 'call_expression');
  if (doc.lang === 'go') {
    return calls.filter((c) => {
      const f = c.childForFieldName('function');
      if (f?.type !== 'selector_expression') return false;
      const method = f.childForFieldName('field')?.text ?? '';
      const obj = lastSegment(f.childForFieldName('operand')?.text ?? '');
      // `ctx.Deadline()` is not a client; `awslambda.NewFunction` is CDK's Go package building a stack; `XxxRequest` only builds a request.
      return /^[A-Z]/.test(method) && !GO_LOCAL.test(method) && !/Request$/.test(method) && GO_OBJECTS.test(obj) && obj !== 'ctx' && !/^(aws|otel)[a-z0-9]+$/.test(obj);
    });
  }
  if (doc.lang !== 'rust') return [];
  return calls.filter((c) => {
    const f = c.childForFieldName('function');
    if (f?.type === 'scoped_identifier') return RUST_PATHS.test(f.text);
    if (f?.type !== 'field_expression' || f.childForFieldName('field')?.text !== 'send') return false;
    const root = chainRoot(c).childForFieldName('function');
    return root?.type === 'field_expression' && RUST_CLIENTS.test(lastSegment(root.childForFieldName('value')?.text ?? ''));
  });
}

/** True when a span already covers `call`: inside `in_scope(...)`/`.instrument(...)` (Rust), or after a `tracer.Start` in its block with no `span.End()` between (Go). */
function coveredBySpan(doc: SourceDoc, call: Node, stmt: Node): boolean {
  for (let n: Node | null = call.parent; n; n = n.parent) {
    if (doc.lang === 'rust' && n.type === 'call_expression' && /^(in_scope|instrument)$/.test(n.childForFieldName('function')?.childForFieldName('field')?.text ?? '')) return true;
    if (n.type === 'function_item' || n.type === 'function_declaration' || n.type === 'method_declaration') break;
  }
  if (doc.lang !== 'go') return false;
  const callsOf = (n: Node, method: string) => descendants(n, 'call_expression').some((c) => c.childForFieldName('function')?.childForFieldName('field')?.text === method);
  for (let s: Node | null = stmt; s?.parent; s = s.parent) {
    if (s.parent.type !== 'statement_list') continue;
    const before = s.parent.namedChildren.filter((x): x is Node => x !== null && x.endIndex <= s!.startIndex);
    const start = before.map((x) => x.type === 'short_var_declaration' && callsOf(x, 'Start')).lastIndexOf(true);
    if (start >= 0 && !before.slice(start + 1).some((x) => x.type !== 'defer_statement' && callsOf(x, 'End'))) return true;
  }
  return false;
}

/** Go/Rust statements that call AWS SDK clients, HTTP or databases outside any span, each with a span name (source order). */
export function nativeWrapCandidates(doc: SourceDoc): { statement: Node; spanName: string }[] {
  const out = new Map<number, { statement: Node; spanName: string }>();
  // Go clients set up with otelaws middleware / an otelhttp transport trace each call already.
  const http = (c: Node) => /http|^(client|Do|Get|Post|Head)$/i.test(nativeCallName(c).replace(/\.\w+$/, ''));
  const traced = (c: Node) => doc.lang === 'go' && ((/\botelaws\.AppendMiddlewares\b/.test(doc.text) && !http(c) && !/^(db|sql|pool|conn|tx|rdb|redis)/i.test(nativeCallName(c))) || (/\botelhttp\.NewTransport\b/.test(doc.text) && http(c)));
  for (const call of nativeOutboundCalls(doc, doc.root)) {
    if (traced(call)) continue;
    let stmt: Node | undefined;
    for (let n: Node | null = call; n && !stmt; n = n.parent) if (n.parent && (n.parent.type === 'statement_list' || n.parent.type === 'block')) stmt = n;
    if (!stmt || stmt.type === 'statement_list' || out.has(stmt.id) || coveredBySpan(doc, call, stmt)) continue;
    out.set(stmt.id, { statement: stmt, spanName: nativeCallName(call) });
  }
  return [...out.values()].sort((a, b) => a.statement.startIndex - b.statement.startIndex);
}
