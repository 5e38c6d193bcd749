/** Statement ranges for "Wrap in a span": whole statements of one block, and the lines that call out (AWS SDK, HTTP, databases). */
import type { Node } from 'web-tree-sitter';
import { descendants } from './text';
import type { SourceDoc } from './types';

const BLOCKS = new Set(['statement_block', 'block', 'statement_list', 'program', 'module', 'switch_body']);
const FUNCTIONS = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition', 'function', 'lambda', 'generator_function_declaration',
  'method_declaration', 'constructor_declaration', 'lambda_expression', 'local_function_statement', 'anonymous_method_expression',
  'func_literal', 'function_item', 'closure_expression']);

/** The statements of one block covering `[start, end)`, or undefined when the range crosses blocks. */
export function statementsIn(doc: SourceDoc, start: number, end: number): Node[] | undefined {
  const text = doc.text;
  let s = start, e = Math.max(start, end);
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  const stmtAt = (offset: number): Node[] => {
    const chain: Node[] = [];
    for (let n: Node | null = doc.root.descendantForIndex(offset, offset); n; n = n.parent) if (n.parent && BLOCKS.has(n.parent.type) && n.type !== 'comment') chain.push(n);
    return chain;
  };
  const a = stmtAt(s), b = stmtAt(Math.max(s, e - 1));
  for (const x of a) {
    const y = b.find((n) => n.parent?.id === x.parent?.id);
    if (!y) continue;
    const parent = x.parent!;
    const list = parent.namedChildren.filter((n): n is Node => n !== null && n.startIndex >= x.startIndex && n.endIndex <= y.endIndex && n.type !== 'comment');
    if (list.length && parent.type !== 'program' && parent.type !== 'module') return list;
    return undefined;
  }
  return undefined;
}

/** The innermost function around `n`. */
export function enclosingFunction(n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (FUNCTIONS.has(p.type)) return p;
  return undefined;
}

/** Nodes of `types` inside `nodes` that belong to the same function (not to a nested one). */
export function ownDescendants(nodes: Node[], ...types: string[]): Node[] {
  const fn = nodes[0] ? enclosingFunction(nodes[0]) : undefined;
  return nodes.flatMap((n) => [...(types.includes(n.type) ? [n] : []), ...descendants(n, ...types)]).filter((d) => enclosingFunction(d)?.id === fn?.id);
}

// Callee names that reach a network service: AWS SDK v2/v3, HTTP clients, database drivers.
const JS_CALLS = /^(send|promise|fetch|request|get|post|put|patch|delete|query|execute|invoke|sendMessage|publish|putEvents|putItem|getItem|scan|update|batchWrite|batchGet)$/;
const JS_OBJECTS = /(client|ddb|dynamo|docClient|s3|sqs|sns|lambda|eventbridge|events|kinesis|axios|http|https|got|pool|db|knex|prisma|redis|pg|mysql|sql)$/i;
const PY_OBJECTS = /(client|table|resource|s3|sqs|sns|dynamodb|ddb|lambda_client|requests|session|http|cursor|conn|connection|db|engine|redis|urllib3)$/i;

const clean = (x: string) => x.replace(/[^\w.$-]/g, '').slice(-40) || 'call';

/** A short span name for a call: `GetItem` (from `new GetItemCommand`), `ddb.send`, `sqs.sendMessage` (for `.promise()`), `requests.get`. */
export function callName(call: Node): string {
  const f = call.childForFieldName('function');
  const firstArg = call.childForFieldName('arguments')?.namedChildren[0];
  if (firstArg?.type === 'new_expression') return clean(firstArg.childForFieldName('constructor')?.text.replace(/Command$/, '') ?? 'call');
  const obj = f?.childForFieldName('object');
  const prop = f?.childForFieldName('property') ?? f?.childForFieldName('attribute');
  if (obj && prop) {
    if (obj.type === 'call_expression' || obj.type === 'call') return prop.text === 'promise' || prop.text === 'then' ? callName(obj) : clean(`${callName(obj)}.${prop.text}`);
    return clean(`${obj.text.slice(obj.text.lastIndexOf('.') + 1)}.${prop.text}`);
  }
  return clean(f?.text ?? 'call');
}

/** Calls in `n` that look like AWS SDK, HTTP or database calls (by their callee's names, read from the syntax tree). */
export function outboundCalls(doc: SourceDoc, n: Node): Node[] {
  const py = doc.lang === 'python';
  return descendants(n, py ? 'call' : 'call_expression').filter((c) => {
    const f = c.childForFieldName('function');
    if (!f) return false;
    if (!py && f.type === 'identifier') return f.text === 'fetch';
    const obj = f.childForFieldName(py ? 'object' : 'object');
    const prop = f.childForFieldName(py ? 'attribute' : 'property');
    if (!obj || !prop) return false;
    const objName = obj.text.slice(obj.text.lastIndexOf('.') + 1).replace(/\W/g, '');
    // `dynamodb.Table(...)`, `boto3.client(...)` build objects locally: no request leaves the function
    if (py) return !/^[A-Z]|^(client|resource|Session)$/.test(prop.text) && (PY_OBJECTS.test(objName) || obj.text.startsWith('boto3.'));
    return JS_CALLS.test(prop.text) && (JS_OBJECTS.test(objName) || prop.text === 'send' || prop.text === 'promise');
  });
}
