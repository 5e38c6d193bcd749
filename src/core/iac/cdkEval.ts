/**
 * Static evaluation of CDK app sources (TypeScript/JavaScript, Python, Java, C#, Go) on tree-sitter
 * syntax trees: literals, variables of the same file, `path.join(__dirname, ...)`, `Code.fromAsset`,
 * runtimes and durations, and the props of construct calls. Anything computed evaluates to undefined.
 */
import type { Node } from 'web-tree-sitter';
import { kids } from '../code/codeIndex';
import { joinPosix } from './types';

/** A statically evaluated CDK value; undefined when computed. */
export type Val = string | number | { asset: string } | { inline: string } | { file: string } | { runtime: string } | { dir: true } | Record<string, unknown> | undefined;

/** Call and construction node types of the five grammars. */
export const CALLS = new Set(['call_expression', 'call', 'method_invocation', 'invocation_expression', 'new_expression', 'object_creation_expression']);
/** String literal node types of the five grammars. */
export const STRINGS = new Set(['string', 'string_literal', 'interpreted_string_literal', 'raw_string_literal', 'verbatim_string_literal', 'template_string']);
const NUMBERS = new Set(['number', 'integer', 'decimal_integer_literal', 'integer_literal', 'int_literal', 'float']);

// `lambda.Runtime.NODEJS_22_X`, `Runtime.PYTHON_3_12`, Go's `awslambda.Runtime_PROVIDED_AL2023()`.
const RUNTIME_REF = /^[\w.]*Runtime[._][A-Z0-9_]+(\(\))?$/;

/** Props key set when some props are computed (a spread or a variable that is not static). */
export const DYNAMIC = '\u0000dynamic';

/** Marks a path already relative to the workspace (built from `__dirname`). */
export const WS = '\u0000ws:';

/** Where a `Code.fromAsset`/`entry` path resolves: the app folder, or the workspace for `__dirname` paths. */
export function resolveAssetPath(x: string, appDir: string): string {
  return x.startsWith(WS) ? x.slice(WS.length) : joinPosix(appDir, x);
}


/** CDK's `Runtime.NODEJS_22_X` / `Runtime_PYTHON_3_12()` constant -> the Lambda runtime id. */
export function cdkRuntimeId(constant: string): string | undefined {
  const m = /Runtime[._]([A-Z0-9_]+)/.exec(constant);
  if (!m) return undefined;
  const c = m[1];
  let r: RegExpExecArray | null;
  if ((r = /^NODEJS_(\d+)_X$/.exec(c))) return `nodejs${r[1]}.x`;
  if ((r = /^PYTHON_(\d+)_(\d+)$/.exec(c))) return `python${r[1]}.${r[2]}`;
  if ((r = /^JAVA_(\d+)$/.exec(c))) return `java${r[1]}`;
  if ((r = /^DOTNET_(\d+)$/.exec(c))) return `dotnet${r[1]}`;
  if ((r = /^RUBY_(\d+)_(\d+)$/.exec(c))) return `ruby${r[1]}.${r[2]}`;
  if ((r = /^PROVIDED_(AL2023|AL2)$/.exec(c))) return `provided.${r[1].toLowerCase()}`;
  if (c === 'PROVIDED') return 'provided';
  if (c === 'GO_1_X') return 'go1.x';
  return undefined;
}

/** A string literal's text without quotes and with simple escapes read; '' for a template with substitutions. */
export function unquote(n: Node): string {
  if (n.type === 'template_string' && kids(n).some((k) => k.type === 'template_substitution')) return '';
  const t = n.text.replace(/^[rbuf@]*/i, '');
  const q = t[0];
  const body = t.startsWith('"""') || t.startsWith("'''") ? t.slice(3, -3) : t.slice(1, -1);
  if (q === '`' && n.type === 'raw_string_literal') return body;
  return body.replace(/\\(["'\\nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** The called name's last part: `lambda.LayerVersion.fromLayerVersionArn` -> `fromLayerVersionArn`, Go's `awslambda.NewFunction` -> `NewFunction`. */
export function calleeName(call: Node): string {
  const f = call.childForFieldName('function') ?? call.childForFieldName('constructor') ?? call.childForFieldName('type') ?? call.childForFieldName('name');
  const t = (call.type === 'method_invocation' ? call.childForFieldName('name') : f)?.text ?? '';
  const last = t.split(/[.:]/).pop() ?? t;
  return last.includes('_') && /^[A-Z]/.test(last) ? last.split('_').pop()! : last;
}

/** Positional and keyword argument nodes of a call, comments dropped. */
export function args(call: Node): Node[] {
  const a = call.childForFieldName('arguments');
  return kids(a).map((x) => (x.type === 'argument' ? kids(x)[0] ?? x : x)).filter((x) => x.type !== 'comment');
}

/** The file being read: its folder and syntax tree (variables are looked up file-wide). */
export interface Ctx { srcDir: string; root: Node }

/** Evaluates what is static (strings, numbers, objects, assets, runtimes, durations); undefined otherwise. */
export function evalNode(n: Node | undefined, ctx: Ctx, depth = 0): Val {
  if (!n || depth > 6) return undefined;
  if (STRINGS.has(n.type)) return unquote(n);
  if (NUMBERS.has(n.type)) return Number(n.text);
  if (n.type === 'parenthesized_expression' || n.type === 'unary_expression' || n.type === 'expression_statement' || n.type === 'argument') return evalNode(kids(n)[0], ctx, depth + 1);
  if (n.type === 'identifier') {
    if (n.text === '__dirname') return { dir: true };
    return evalNode(lookupAssignment(ctx.root, n.text), ctx, depth + 1);
  }
  if (n.type === 'object' || n.type === 'composite_literal' || n.type === 'initializer_expression') return objectProps(n, ctx, depth);
  if (RUNTIME_REF.test(n.text)) { const r = cdkRuntimeId(n.text); return r ? { runtime: r } : undefined; }
  if (n.type === 'binary_expression' || n.type === 'binary_operator') {
    const [l, r] = [evalNode(n.childForFieldName('left') ?? undefined, ctx, depth + 1), evalNode(n.childForFieldName('right') ?? undefined, ctx, depth + 1)];
    return typeof l === 'string' && typeof r === 'string' ? l + r : undefined;
  }
  if (!CALLS.has(n.type)) return undefined;
  const name = calleeName(n);
  const a = args(n);
  const v0 = () => evalNode(a[0], ctx, depth + 1);
  if (name === 'String' || name === 'Number' || name === 'Strings') return v0();
  if (name === 'join') {
    const parts = a.map((x) => evalNode(x, ctx, depth + 1));
    if (parts.some((p) => p === undefined || (typeof p === 'object' && !('dir' in p)))) return undefined;
    const joined = parts.reduce<string>((acc, p) => (typeof p === 'object' ? ctx.srcDir : joinPosix(acc, String(p))), '.');
    return typeof parts[0] === 'object' ? WS + joined : joined;
  }
  if (/^(fromAsset|from_asset|FromAsset|AssetCode)$/.test(name)) { const v = v0(); return typeof v === 'string' ? { asset: v } : undefined; }
  if (/^(fromInline|from_inline|FromInline|InlineCode|NewInlineCode)$/.test(name)) {
    const v = v0();
    return typeof v === 'string' ? { inline: v } : v && typeof v === 'object' && 'file' in v ? v : undefined;
  }
  if (name === 'readFileSync' || name === 'open') { const v = v0(); return typeof v === 'string' ? { file: v } : undefined; }
  if (name === 'read') {
    // Python: `with open("f") as fp: code = fp.read()`.
    const obj = n.childForFieldName('function')?.childForFieldName('object')?.text;
    const w = ctx.root.descendantsOfType('as_pattern').find((x) => x?.childForFieldName('alias')?.text === obj);
    return w ? evalNode(kids(w)[0], ctx, depth + 1) : undefined;
  }
  if (/^(seconds|Seconds|minutes|Minutes)$/.test(name)) { const v = v0(); return typeof v === 'number' ? (/^m/i.test(name) ? v * 60 : v) : undefined; }
  return undefined;
}

/** The value node assigned to `name` in the file (a declaration, or an assignment to `name`, `this.x`, `self.x`). */
export function lookupAssignment(root: Node, name: string): Node | undefined {
  for (const n of root.descendantsOfType(['variable_declarator', 'assignment', 'assignment_expression', 'short_var_declaration'])) {
    if (!n) continue;
    if (n.type === 'variable_declarator' && (n.childForFieldName('name') ?? kids(n)[0])?.text === name) {
      // C#'s declarator has no value field: `var x = <value>` keeps the value as its last child.
      return n.childForFieldName('value') ?? (kids(n).length > 1 ? kids(n)[kids(n).length - 1] : undefined);
    }
    if (n.type === 'short_var_declaration' && n.childForFieldName('left')?.text === name) return kids(n.childForFieldName('right'))[0];
    if (n.type !== 'variable_declarator' && n.childForFieldName('left')?.text === name) return n.childForFieldName('right') ?? undefined;
  }
  return undefined;
}

function objectProps(n: Node, ctx: Ctx, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const body = n.type === 'composite_literal' ? n.childForFieldName('body') : n;
  for (const p of kids(body)) {
    if (p.type === 'pair') out[norm(p.childForFieldName('key')?.text ?? '')] = evalNode(p.childForFieldName('value') ?? undefined, ctx, depth + 1);
    else if (p.type === 'spread_element') { const v = evalNode(kids(p)[0], ctx, depth + 1); if (v && typeof v === 'object') Object.assign(out, v); else out[DYNAMIC] = true; }
    else if (p.type === 'keyed_element') { const [k, v] = kids(p); out[norm(k?.text ?? '')] = evalNode(kids(v)[0] ?? v, ctx, depth + 1); }
    else if (p.type === 'assignment_expression') out[norm(p.childForFieldName('left')?.text ?? '')] = evalNode(p.childForFieldName('right') ?? undefined, ctx, depth + 1);
  }
  return out;
}

/** `memorySize`, `memory_size`, `MemorySize` -> `memorysize`. */
export function norm(k: string): string {
  return k.replace(/['"_]/g, '').toLowerCase();
}

/** One construct call: its id, type, evaluated props (keys normalised by `norm`) and their value nodes. */
export interface ConstructCall { id: string; type: string; props: Record<string, unknown>; raw: Map<string, Node>; line: number }

/** Props of one construct call of a type matching `pattern` in any of the five languages, plus its id and line. */
export function constructCall(n: Node, ctx: Ctx, pattern: RegExp): ConstructCall | undefined {
  const line = n.startPosition.row + 1;
  if (n.type === 'method_invocation' && n.childForFieldName('name')?.text === 'create') {
    // Java builder: `Function.Builder.create(this, "id").handler("x")....build()`.
    const obj = n.childForFieldName('object')?.text ?? '';
    const type = obj.replace(/\.Builder$/, '').split('.').pop() ?? '';
    if (!obj.endsWith('.Builder') || !pattern.test(type)) return undefined;
    const id = evalNode(args(n)[1], ctx);
    const props: Record<string, unknown> = {};
    const raw = new Map<string, Node>();
    for (let p = n.parent; p && p.type === 'method_invocation'; p = p.parent) {
      const name = p.childForFieldName('name')?.text ?? '';
      if (name !== 'build') { props[norm(name)] = evalNode(args(p)[0], ctx); if (args(p)[0]) raw.set(norm(name), args(p)[0]); }
    }
    return typeof id === 'string' ? { id, type, props, raw, line } : undefined;
  }
  if (!CALLS.has(n.type)) return undefined;
  const type = calleeName(n);
  if (!pattern.test(type) || n.type === 'method_invocation') return undefined;
  const a = args(n);
  const id = evalNode(a[1], ctx);
  if (typeof id !== 'string') return undefined;
  let props: Record<string, unknown> = {};
  const raw = new Map<string, Node>();
  if (a[2] && a[2].type !== 'keyword_argument') {
    const init = a[2];
    const target = init.type === 'object_creation_expression' ? kids(init).find((k) => k.type === 'initializer_expression') : init;
    const v = evalNode(target, ctx);
    if (v && typeof v === 'object') props = v as Record<string, unknown>;
    else props[DYNAMIC] = true;
    rawProps(target, ctx, raw);
  }
  for (const k of kids(n.childForFieldName('arguments'))) {
    const key = norm(k.childForFieldName('name')?.text ?? '');
    const value = k.childForFieldName('value');
    if (k.type === 'keyword_argument') { props[key] = evalNode(value ?? undefined, ctx); if (value) raw.set(key, value); }
  }
  return { id, type: type.replace(/^New/, '') || 'Function', props, raw, line };
}

/** Value nodes of an object of props, through variables and spreads (later keys win, as in JS). */
function rawProps(n: Node | undefined, ctx: Ctx, out: Map<string, Node>, depth = 0): void {
  if (!n || depth > 4) return;
  if (n.type === 'identifier') { rawProps(lookupAssignment(ctx.root, n.text), ctx, out, depth + 1); return; }
  if (n.type === 'unary_expression') { rawProps(kids(n)[0], ctx, out, depth + 1); return; }
  const body = n.type === 'composite_literal' ? n.childForFieldName('body') : n;
  for (const p of kids(body)) {
    if (p.type === 'pair') { const v = p.childForFieldName('value'); if (v) out.set(norm(p.childForFieldName('key')?.text ?? ''), v); }
    else if (p.type === 'spread_element') rawProps(kids(p)[0], ctx, out, depth + 1);
    else if (p.type === 'keyed_element') { const [k, v] = kids(p); if (k && v) out.set(norm(k.text), kids(v)[0] ?? v); }
    else if (p.type === 'assignment_expression') { const v = p.childForFieldName('right'); if (v) out.set(norm(p.childForFieldName('left')?.text ?? ''), v); }
  }
}
