/**
 * Layers and environment variables of CDK app sources: `new LayerVersion(...)` with
 * `Code.fromAsset` (and `PythonLayerVersion` `entry`) as workspace layers, a function's `layers`
 * (same-file constructs, `LayerVersion.fromLayerVersionArn` ARNs) and `environment`, also when
 * added later by `fn.addLayers(...)` / `fn.addEnvironment(k, v)`. TypeScript/JavaScript and Python
 * spellings, and the Java/Go/C# ones where their trees have the same shape. ARNs built from
 * `${this.region}`-like parts keep those parts as `${...}`, so the layer name still matches;
 * anything else computed is reported, never guessed.
 */
import type { Node } from 'web-tree-sitter';
import { kids } from '../code/codeIndex';
import { args, calleeName, CALLS, type ConstructCall, constructCall, type Ctx, evalNode, lookupAssignment, resolveAssetPath, STRINGS, unquote } from './cdkEval';
import type { FunctionDecl, LayerDecl } from './types';

const LAYER = /^(LayerVersion|PythonLayerVersion|NewLayerVersion)$/;
const FROM_ARN = /^(fromLayerVersionArn|from_layer_version_arn|FromLayerVersionArn)$/;
const FROM_ATTRS = /^(fromLayerVersionAttributes|from_layer_version_attributes|FromLayerVersionAttributes)$/;
const ADD_LAYERS = /^(addLayers|add_layers|AddLayers)$/;
const ADD_ENV = /^(addEnvironment|add_environment|AddEnvironment)$/;
/** Variables that decide auto-instrumentation: a computed value is worth a warning. */
const TRACING_VARS = new Set(['AWS_LAMBDA_EXEC_WRAPPER', 'DD_LAMBDA_HANDLER', 'NEW_RELIC_LAMBDA_HANDLER']);
const LIST_CALLS = /^(of|asList|List|Array)$/;
/** CDK's `AdotLambdaExecWrapper` members and the scripts they name (aws-lambda/lib/adot-layers.ts). */
const ADOT_WRAPPERS: Record<string, string> = {
  REGULAR_HANDLER: '/opt/otel-handler', PROXY_HANDLER: '/opt/otel-proxy-handler', STREAM_HANDLER: '/opt/otel-stream-handler',
  INSTRUMENT_HANDLER: '/opt/otel-instrument', SQS_HANDLER: '/opt/otel-sqs-handler',
};

const short = (n: Node) => n.text.replace(/\s+/g, ' ').slice(0, 60);

/** Layers a CDK source file declares with their content in the workspace; `warnings` gets those whose content is not static. */
export function cdkLayerDecls(file: string, ctx: Ctx, appDir: string, warnings: string[]): LayerDecl[] {
  const out: LayerDecl[] = [];
  for (const n of ctx.root.descendantsOfType([...CALLS])) {
    const c = n && constructCall(n, ctx, LAYER);
    if (!c) continue;
    const code = c.props.code as { asset?: unknown } | undefined;
    const content = c.type === 'PythonLayerVersion' ? c.props.entry : code?.asset;
    if (typeof content !== 'string') {
      warnings.push(`${file}:${c.line}: layer ${c.id}: ${c.type === 'PythonLayerVersion' ? '`entry`' : 'code'} is not a static ${c.type === 'PythonLayerVersion' ? 'path' : 'Code.fromAsset'}: its /opt frames stay unmapped`);
      continue;
    }
    const layerName = typeof c.props.layername === 'string' && c.props.layername ? c.props.layername : undefined;
    out.push({ name: c.id, contentDir: resolveAssetPath(content, appDir), declaredIn: { file, line: c.line }, ...(layerName ? { layerName } : {}) });
  }
  return out;
}

/** Reads `layers` and `environment` of the function construct `call` (and later `addLayers`/`addEnvironment` on it) into `fn`. */
export function addCdkLayersAndEnv(fn: FunctionDecl, call: Node, c: ConstructCall, ctx: Ctx): void {
  const layers = c.raw.get('layers');
  if (layers) addLayerList(fn, layers, ctx);
  const env = c.raw.get('environment');
  const vars: Record<string, string> = {};
  if (env) readEnv(fn, env, ctx, vars);
  const adot = c.raw.get('adotinstrumentation');
  if (adot) {
    // CDK's built-in ADOT support sets AWS_LAMBDA_EXEC_WRAPPER to the chosen wrapper after `environment`.
    const w = /AdotLambdaExecWrapper[._]([A-Z_]+)/.exec(adot.text)?.[1];
    if (w && ADOT_WRAPPERS[w]) vars.AWS_LAMBDA_EXEC_WRAPPER = ADOT_WRAPPERS[w];
    else fn.warnings.push(`adotInstrumentation \`${short(adot)}\` has no static AdotLambdaExecWrapper: auto-instrumentation is not read from it`);
  }
  const binding = bindingOf(call);
  for (const { method, n } of (binding && laterCalls(ctx).get(binding)) || []) {
    const a = args(n);
    if (ADD_LAYERS.test(method)) for (const x of a) addLayer(fn, x, ctx);
    else if (ADD_ENV.test(method) && a.length >= 2) setVar(fn, vars, a[0], a[1], ctx);
  }
  if (Object.keys(vars).length) fn.environment = vars;
}

/** The file's `addLayers`/`addEnvironment` calls by receiver, in source order: walked once per file, not once per function. */
const laterCallsOf = new WeakMap<Ctx, Map<string, { method: string; n: Node }[]>>();
function laterCalls(ctx: Ctx): Map<string, { method: string; n: Node }[]> {
  let byReceiver = laterCallsOf.get(ctx);
  if (byReceiver) return byReceiver;
  byReceiver = new Map();
  for (const n of ctx.root.descendantsOfType([...CALLS])) {
    if (!n) continue;
    const [obj, method] = receiverAndMethod(n);
    if (!ADD_LAYERS.test(method) && !ADD_ENV.test(method)) continue;
    const list = byReceiver.get(obj) ?? [];
    list.push({ method, n });
    byReceiver.set(obj, list);
  }
  laterCallsOf.set(ctx, byReceiver);
  return byReceiver;
}

function receiverAndMethod(n: Node): [string, string] {
  if (n.type === 'method_invocation') return [n.childForFieldName('object')?.text ?? '', n.childForFieldName('name')?.text ?? ''];
  const f = n.childForFieldName('function')?.text ?? '';
  const i = f.lastIndexOf('.');
  return i < 0 ? ['', f] : [f.slice(0, i), f.slice(i + 1)];
}

/** The variable or member a construct call is assigned to (`const fn = ...`, `this.fn = ...`, `fn := ...`). */
function bindingOf(call: Node): string | undefined {
  let n: Node = call;
  while (n.parent && ['method_invocation', 'await_expression', 'parenthesized_expression', 'as_expression', 'non_null_expression', 'expression_list', 'equals_value_clause'].includes(n.parent.type)) n = n.parent;
  const p = n.parent;
  if (!p) return undefined;
  if (p.type === 'variable_declarator') return (p.childForFieldName('name') ?? kids(p)[0])?.text;
  if (p.type === 'assignment' || p.type === 'assignment_expression' || p.type === 'short_var_declaration') return p.childForFieldName('left')?.text;
  return undefined;
}

/** The items of a list literal (JS/Python/Go/C#, Java `List.of`), through one variable; undefined when not a list. */
function listItems(n: Node, ctx: Ctx, depth = 0): Node[] | undefined {
  if (depth > 4) return undefined;
  if (n.type === 'identifier') { const v = lookupAssignment(ctx.root, n.text); return v ? listItems(v, ctx, depth + 1) : undefined; }
  if (n.type === 'unary_expression' && n.text.startsWith('&')) return listItems(kids(n)[0], ctx, depth + 1);
  if (n.type === 'composite_literal') return kids(n.childForFieldName('body')).map((k) => kids(k)[0] ?? k);
  if (/array_creation_expression$/.test(n.type)) { const init = kids(n).find((k) => k.type === 'initializer_expression'); return init ? kids(init) : undefined; }
  if (['array', 'list', 'tuple', 'collection_expression', 'initializer_expression'].includes(n.type)) {
    return kids(n).filter((k) => k.type !== 'comment').flatMap((k) => (k.type === 'spread_element' || k.type === 'list_splat' ? listItems(kids(k)[0], ctx, depth + 1) ?? [k] : [k]));
  }
  if (CALLS.has(n.type) && LIST_CALLS.test(calleeName(n))) return args(n);
  return undefined;
}

function addLayerList(fn: FunctionDecl, n: Node, ctx: Ctx): void {
  const items = listItems(n, ctx);
  if (!items) { fn.warnings.push(`layers \`${short(n)}\` are not known statically: their /opt frames stay unmapped`); return; }
  for (const x of items) addLayer(fn, x, ctx);
}

function addLayer(fn: FunctionDecl, n: Node, ctx: Ctx): void {
  const ref = layerRef(n, ctx);
  if (ref?.local !== undefined) { if (!(fn.layers ??= []).includes(ref.local)) fn.layers.push(ref.local); }
  else if (ref?.arn !== undefined) { if (!(fn.externalLayers ??= []).includes(ref.arn)) fn.externalLayers.push(ref.arn); }
  else fn.warnings.push(`layer \`${short(n)}\` is not known statically: its /opt frames stay unmapped`);
}

/** A layer expression: a LayerVersion construct of this file (its id) or an imported layer's ARN. */
function layerRef(n: Node, ctx: Ctx, depth = 0): { local?: string; arn?: string } | undefined {
  if (depth > 4) return undefined;
  if (['identifier', 'member_expression', 'attribute', 'field_access', 'selector_expression', 'member_access_expression'].includes(n.type)) {
    const v = lookupAssignment(ctx.root, n.text);
    return v ? layerRef(v, ctx, depth + 1) : undefined;
  }
  if (!CALLS.has(n.type)) return undefined;
  // Java builder: `LayerVersion.Builder.create(this, "X").code(...).build()` is read from its `create`.
  let create: Node | null = n;
  while (create?.type === 'method_invocation' && create.childForFieldName('name')?.text !== 'create') create = create.childForFieldName('object');
  const c = constructCall(create ?? n, ctx, LAYER) ?? constructCall(n, ctx, LAYER);
  if (c) return { local: c.id };
  const name = calleeName(n);
  let arnNode: Node | undefined;
  if (FROM_ARN.test(name)) arnNode = argAt(n, 2, 'layer_version_arn');
  else if (FROM_ATTRS.test(name)) {
    const attrs = argAt(n, 2, 'attrs');
    const pair = attrs && kids(attrs).find((p) => /^['"]?layer_?version_?arn['"]?$/i.test(p.childForFieldName('key')?.text ?? ''));
    arnNode = pair?.childForFieldName('value') ?? argAt(n, 2, 'layer_version_arn');
  }
  const arn = arnNode && arnPattern(arnNode, ctx);
  return arn && /:layer:/.test(arn) ? { arn } : undefined;
}

/** Positional argument `i`, or the Python keyword argument `keyword`. */
function argAt(call: Node, i: number, keyword: string): Node | undefined {
  const a = args(call);
  const kw = a.find((x) => x.type === 'keyword_argument' && x.childForFieldName('name')?.text === keyword);
  if (kw) return kw.childForFieldName('value') ?? undefined;
  return a[i] && a[i].type !== 'keyword_argument' ? a[i] : undefined;
}

/**
 * A string expression with its computed parts kept as `${expr}` (template and f-string
 * substitutions, `+` operands); same-file variables holding static strings are read. Undefined
 * when no part of it is a literal.
 */
export function arnPattern(n: Node, ctx: Ctx, depth = 0): string | undefined {
  const parts = patternParts(n, ctx, depth);
  return parts.some((p) => p.literal) ? parts.map((p) => p.text).join('') : undefined;
}

function patternParts(n: Node, ctx: Ctx, depth: number): { text: string; literal: boolean }[] {
  const unknown = [{ text: `\${${n.text}}`, literal: false }];
  if (depth > 6) return unknown;
  if (STRINGS.has(n.type)) {
    const subs = kids(n).filter((k) => k.type === 'template_substitution' || k.type === 'interpolation');
    if (!subs.length) return [{ text: unquote(n), literal: true }];
    const out: { text: string; literal: boolean }[] = [];
    for (const k of kids(n)) {
      if (k.type === 'string_fragment' || k.type === 'string_content') out.push({ text: k.text, literal: true });
      else if (k.type === 'template_substitution' || k.type === 'interpolation') { const e = kids(k)[0]; if (e) out.push(...patternParts(e, ctx, depth + 1)); }
    }
    return out;
  }
  if ((n.type === 'binary_expression' || n.type === 'binary_operator') && n.childForFieldName('operator')?.text === '+') {
    const [l, r] = [n.childForFieldName('left'), n.childForFieldName('right')];
    return l && r ? [...patternParts(l, ctx, depth + 1), ...patternParts(r, ctx, depth + 1)] : unknown;
  }
  if (n.type === 'parenthesized_expression') { const e = kids(n)[0]; return e ? patternParts(e, ctx, depth + 1) : unknown; }
  if (n.type === 'identifier') {
    const v = lookupAssignment(ctx.root, n.text);
    const parts = v ? patternParts(v, ctx, depth + 1) : [];
    return parts.some((p) => p.literal) ? parts : unknown;
  }
  if (CALLS.has(n.type) && /^(String|sub|Sub)$/.test(calleeName(n)) && args(n)[0]) return patternParts(args(n)[0], ctx, depth + 1);
  if (n.type === 'integer' || n.type === 'number') return [{ text: n.text, literal: true }];
  return unknown;
}

/** A value known statically as a string (a template or f-string with substitutions is not). */
function staticString(n: Node, ctx: Ctx): string | undefined {
  if (STRINGS.has(n.type) && kids(n).some((k) => k.type === 'template_substitution' || k.type === 'interpolation')) return undefined;
  if (n.type === 'identifier' || n.type === 'shorthand_property_identifier') { const v = lookupAssignment(ctx.root, n.text); return v ? staticString(v, ctx) : undefined; }
  const v = evalNode(n, ctx);
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function keyText(k: Node | null | undefined, ctx: Ctx): string | undefined {
  if (!k) return undefined;
  if (k.type === 'property_identifier' || k.type === 'identifier') return k.text;
  return staticString(kids(k)[0] && k.type === 'literal_element' ? kids(k)[0] : k, ctx);
}

function setVar(fn: FunctionDecl, vars: Record<string, string>, k: Node, v: Node, ctx: Ctx): void {
  const key = keyText(k, ctx);
  if (key === undefined) return;
  const value = staticString(v.type === 'literal_element' ? kids(v)[0] ?? v : v, ctx);
  if (value !== undefined) vars[key] = value;
  else {
    delete vars[key];
    if (TRACING_VARS.has(key)) fn.warnings.push(`environment ${key} is not known statically (\`${short(v)}\`): auto-instrumentation is not read from it`);
  }
}

/** Environment variables of an `environment` value: object/dict literals, spreads of same-file variables, Java `Map.of`, Go maps. */
function readEnv(fn: FunctionDecl, n: Node, ctx: Ctx, vars: Record<string, string>, depth = 0): void {
  if (depth > 4) return;
  if (n.type === 'identifier') {
    const v = lookupAssignment(ctx.root, n.text);
    if (v) readEnv(fn, v, ctx, vars, depth + 1);
    else fn.warnings.push(`environment \`${short(n)}\` is not known statically: auto-instrumentation is not read from it`);
    return;
  }
  if (n.type === 'unary_expression' && n.text.startsWith('&')) { readEnv(fn, kids(n)[0], ctx, vars, depth + 1); return; }
  if (n.type === 'object_creation_expression') { const init = kids(n).find((k) => k.type === 'initializer_expression'); if (init) { readEnv(fn, init, ctx, vars, depth + 1); return; } }
  const body = n.type === 'composite_literal' ? n.childForFieldName('body') : n.type === 'object' || n.type === 'dictionary' || n.type === 'initializer_expression' ? n : undefined;
  if (body) {
    for (const p of kids(body)) {
      if (p.type === 'pair') setVar(fn, vars, p.childForFieldName('key')!, p.childForFieldName('value')!, ctx);
      else if (p.type === 'keyed_element') { const [k, v] = kids(p); if (k && v) setVar(fn, vars, k, v, ctx); }
      else if (p.type === 'shorthand_property_identifier') setVar(fn, vars, p, p, ctx);
      else if (p.type === 'spread_element' || p.type === 'dictionary_splat') readEnv(fn, kids(p)[0], ctx, vars, depth + 1);
      else if (p.type === 'initializer_expression' && kids(p).length === 2) setVar(fn, vars, kids(p)[0], kids(p)[1], ctx);
    }
    return;
  }
  if (CALLS.has(n.type) && /^(of|dict)$/.test(calleeName(n))) {
    const a = args(n);
    for (const x of a) if (x.type === 'keyword_argument') setVar(fn, vars, x.childForFieldName('name')!, x.childForFieldName('value')!, ctx);
    const pos = a.filter((x) => x.type !== 'keyword_argument');
    for (let i = 0; i + 1 < pos.length; i += 2) setVar(fn, vars, pos[i], pos[i + 1], ctx);
    return;
  }
  fn.warnings.push(`environment \`${short(n)}\` is not known statically: auto-instrumentation is not read from it`);
}
