/**
 * Functions declared in Terraform: `resource "aws_lambda_function"` (with `filename` or an
 * `archive_file` data source) and `module` blocks using terraform-aws-modules/lambda (`source_path`).
 * Works on a tree-sitter HCL syntax tree that the caller parsed; no I/O here.
 */
import type { Node } from 'web-tree-sitter';
import { dirnamePosix, type FunctionDecl, type IacFileResult, joinPosix } from './types';

type Val = string | number | boolean | null | undefined | Val[] | { [k: string]: Val };

interface Env {
  moduleDir: string;
  vars: Map<string, Val>;
  archives: Map<string, { sourceDir?: string; sourceFile?: string; outputPath?: string }>;
}

const named = (n: Node | null | undefined): Node[] => (n ? n.namedChildren.filter((c): c is Node => c !== null) : []);

/** Evaluates an HCL expression where it is static; references it cannot know give undefined. */
function evalExpr(n: Node | null | undefined, env: Env): Val {
  if (!n) return undefined;
  switch (n.type) {
    case 'expression': {
      const kids = named(n);
      if (kids[0]?.type === 'variable_expr') return evalRef(kids, env);
      return evalExpr(kids[0], env);
    }
    case 'literal_value': return evalExpr(named(n)[0], env);
    case 'numeric_lit': return Number(n.text);
    case 'bool_lit': return n.text === 'true';
    case 'null_lit': return null;
    case 'string_lit': case 'template_expr': case 'quoted_template': {
      let out = '';
      for (const c of named(n)) {
        if (c.type === 'template_literal') out += c.text;
        else if (c.type === 'template_interpolation') {
          const v = evalExpr(named(c).find((x) => x.type === 'expression'), env);
          if (v === undefined || v === null || typeof v === 'object') out += `\${${named(c).find((x) => x.type === 'expression')?.text ?? ''}}`;
          else out += String(v);
        } else if (c.type === 'quoted_template' || c.type === 'heredoc_template') out += evalExpr(c, env) ?? '';
      }
      return out;
    }
    case 'collection_value': return evalExpr(named(n)[0], env);
    case 'tuple': return named(n).filter((c) => c.type === 'expression').map((c) => evalExpr(c, env));
    case 'object': {
      const o: Record<string, Val> = {};
      for (const el of named(n).filter((c) => c.type === 'object_elem')) {
        const key = el.childForFieldName('key');
        const k = key ? (named(key)[0]?.type === 'variable_expr' ? key.text : String(evalExpr(key, env))) : '';
        o[k] = evalExpr(el.childForFieldName('val'), env);
      }
      return o;
    }
    case 'conditional': {
      // The condition is rarely static; what both branches agree on is known either way.
      const [, a, b] = named(n).filter((c) => c.type === 'expression').map((c) => evalExpr(c, env));
      return agreed(a, b);
    }
    case 'function_call': {
      const name = named(n)[0]?.text;
      const args = named(named(n).find((c) => c.type === 'function_arguments')).filter((c) => c.type === 'expression').map((c) => evalExpr(c, env));
      if (name === 'compact' && Array.isArray(args[0])) return args[0].filter((x) => x !== null && x !== undefined && x !== '');
      return undefined;
    }
    default: return undefined;
  }
}

/** What two possible values have in common: the value when equal, the agreeing keys of two objects, else undefined. */
function agreed(a: Val, b: Val): Val {
  if (a === b) return a;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const o: Record<string, Val> = {};
    for (const [k, v] of Object.entries(a)) if (k in b && JSON.stringify(b[k]) === JSON.stringify(v)) o[k] = v;
    return o;
  }
  return undefined;
}

function evalRef(parts: Node[], env: Env): Val {
  const head = parts[0].text;
  const attrs = parts.slice(1).filter((p) => p.type === 'get_attr').map((p) => named(p)[0]?.text ?? '');
  if (head === 'path' && attrs[0] === 'module') return env.moduleDir;
  if (head === 'var' && attrs.length === 1) return env.vars.get(attrs[0]);
  if (head === 'data' && attrs[0] === 'archive_file' && attrs[2] === 'output_path') {
    const a = env.archives.get(attrs[1]);
    return a ? `archive:${attrs[1]}` : undefined;
  }
  return undefined;
}

function attributes(block: Node): Map<string, Node> {
  const body = named(block).find((c) => c.type === 'body');
  const m = new Map<string, Node>();
  for (const a of named(body)) if (a.type === 'attribute') m.set(named(a)[0]?.text ?? '', a);
  return m;
}

function labels(block: Node): string[] {
  return named(block).filter((c) => c.type === 'string_lit').map((c) => named(c).filter((x) => x.type === 'template_literal').map((x) => x.text).join(''));
}

/**
 * Extracts functions from one parsed `.tf` file. `vars` are the folder's variable defaults (from
 * `terraformVariables` over every .tf file of the folder).
 */
export function extractTerraform(file: string, root: Node, vars: Map<string, Val> = new Map()): IacFileResult {
  const result: IacFileResult = { functions: [], warnings: [], references: [] };
  const dir = dirnamePosix(file);
  const env: Env = { moduleDir: dir, vars, archives: new Map() };
  if (root.hasError) result.warnings.push(`${file}: line ${firstErrorLine(root)}: HCL syntax error (recovered)`);
  const blocks = named(named(root).find((c) => c.type === 'body')).filter((c) => c.type === 'block');
  for (const b of blocks) {
    const [kw] = [named(b)[0]?.text];
    const l = labels(b);
    if (kw === 'data' && l[0] === 'archive_file') {
      const at = attributes(b);
      const v = (k: string) => { const x = evalExpr(at.get(k)?.childForFieldName?.('val') ?? named(at.get(k)).find((c) => c.type === 'expression'), env); return typeof x === 'string' ? x : undefined; };
      env.archives.set(l[1], { sourceDir: v('source_dir'), sourceFile: v('source_file'), outputPath: v('output_path') });
    }
  }
  let region: string | undefined;
  for (const b of blocks) {
    if (named(b)[0]?.text !== 'provider' || labels(b)[0] !== 'aws' || attributes(b).has('alias')) continue;
    const r = evalExpr(named(attributes(b).get('region')).find((c) => c.type === 'expression'), env);
    if (typeof r === 'string' && !r.includes('${')) region = r;
  }
  for (const b of blocks) {
    const kw = named(b)[0]?.text;
    const l = labels(b);
    const isResource = kw === 'resource' && l[0] === 'aws_lambda_function';
    const at = attributes(b);
    const get = (k: string): Val => evalExpr(named(at.get(k)).find((c) => c.type === 'expression'), env);
    const layerName = get('layer_name');
    const named_ = typeof layerName === 'string' ? { layerName } : {};
    if (kw === 'resource' && l[0] === 'aws_lambda_layer_version') {
      const code = layerCode(get('filename'), env);
      if (code) (result.layers ??= []).push({ name: l[1], contentDir: joinPosix(dir, stripModuleDir(code, dir)), declaredIn: { file, line: b.startPosition.row + 1 }, ...named_ });
      continue;
    }
    const source = get('source');
    if (kw === 'module' && get('create_layer') === true) {
      // terraform-aws-modules/lambda with create_layer: a layer, used as module.<name>.lambda_layer_arn.
      const sp = sourcePath(get('source_path'));
      if (typeof sp === 'string' && !sp.includes('${')) (result.layers ??= []).push({ name: `module.${l[0]}`, contentDir: joinPosix(dir, stripModuleDir(sp, dir)), declaredIn: { file, line: b.startPosition.row + 1 }, ...named_ });
      continue;
    }
    const isModule = kw === 'module' && typeof source === 'string' && (/terraform-aws-modules\/lambda\/aws/.test(source) || (at.has('source_path') && at.has('handler')) || (at.has('handler') && at.has('function_name') && at.has('runtime')));
    if (!isResource && !isModule) continue;
    const name = isResource ? l[1] : l[0];
    const fn: FunctionDecl = { name, aliases: [], kind: 'terraform', packageType: 'zip', declaredIn: { file, line: b.startPosition.row + 1 }, warnings: [] };
    const s = (k: string) => { const v = get(k); return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined; };
    const handlerText = named(at.get('handler')).find((c) => c.type === 'expression')?.text;
    fn.handler = s('handler');
    if (fn.handler === undefined && handlerText) fn.warnings.push(`handler is \`${handlerText}\`, known only when the module is used`);
    fn.runtime = s('runtime');
    const fnName = s('function_name');
    if (fnName) fn.aliases.push(fnName);
    if (region) fn.region = region;
    const mem = get('memory_size');
    if (typeof mem === 'number') fn.memoryMb = mem;
    const to = get('timeout');
    if (typeof to === 'number') fn.timeoutSec = to;
    const arch = get('architectures');
    if (Array.isArray(arch) && typeof arch[0] === 'string') fn.architecture = arch[0];
    if (s('package_type') === 'Image') { fn.packageType = 'image'; fn.imageUri = s('image_uri'); }
    if (isModule) {
      const sp = sourcePath(get('source_path'));
      const local = s('local_existing_package');
      if (typeof sp === 'string' && !sp.includes('${')) fn.codeUri = joinPosix(dir, stripModuleDir(sp, dir));
      else if (local && !local.includes('${')) fn.codeUri = joinPosix(dir, stripModuleDir(local, dir));
      else fn.warnings.push(at.has('source_path') ? `source_path \`${named(at.get('source_path')).find((c) => c.type === 'expression')?.text}\` is not static` : 'no source_path: the package is built elsewhere');
    } else {
      const filename = s('filename');
      if (filename?.startsWith('archive:')) {
        const a = env.archives.get(filename.slice(8));
        const src = a?.sourceDir ?? (a?.sourceFile ? dirnamePosix(a.sourceFile) : undefined);
        if (src && !src.includes('${')) fn.codeUri = joinPosix(dir, stripModuleDir(src, dir));
      } else if (filename && !filename.includes('${var.')) {
        // A zip built next to its sources: look for the handler beside the archive.
        fn.codeUri = dirnamePosix(joinPosix(dir, stripModuleDir(filename, dir)));
        fn.warnings.push(`code is the archive ${filename}; its sources are looked for in ${fn.codeUri}`);
      } else if (!at.has('s3_bucket') && fn.packageType === 'zip') fn.warnings.push('no static filename: the package is built elsewhere');
    }
    readLayers(fn, at.get('layers'), env);
    const envBlock = nestedBlock(b, 'environment');
    const vars = isModule ? get('environment_variables') : envBlock ? evalExpr(named(attributes(envBlock).get('variables')).find((c) => c.type === 'expression'), env) : undefined;
    const environment = Object.fromEntries(Object.entries(vars && typeof vars === 'object' && !Array.isArray(vars) ? vars : {})
      .filter((e): e is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof e[1]) && !String(e[1]).includes('${')).map(([k, v]) => [k, String(v)]));
    if (Object.keys(environment).length) fn.environment = environment;
    result.functions.push(fn);
  }
  return result;
}

/**
 * A function's `layers`: `aws_lambda_layer_version.x.arn` and `module.x.lambda_layer_arn` name
 * layers of the module's folder; ARN strings (also from variable defaults) are external layers;
 * other expressions cannot be known before apply and are reported.
 */
function readLayers(fn: FunctionDecl, attr: Node | undefined, env: Env): void {
  const expr = named(attr).find((c) => c.type === 'expression');
  if (!expr) return;
  const text = expr.text;
  const local = [...text.matchAll(/aws_lambda_layer_version\.([\w-]+)\.arn|module\.([\w-]+)\.lambda_layer_(?:layer_)?arn/g)].map((m) => m[1] ?? `module.${m[2]}`);
  if (local.length) fn.layers = local;
  const items = tupleItems(expr);
  for (const item of items) {
    if (/aws_lambda_layer_version\.|module\.[\w-]+\.lambda_layer/.test(item.text)) continue;
    const v = evalExpr(item, env);
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (typeof x === 'string' && x !== '') (fn.externalLayers ??= []).push(x);
      else if (x === undefined) fn.warnings.push(`layer \`${item.text}\` is known only when applied: its /opt frames stay unmapped`);
    }
  }
}

/** The element expressions of a tuple expression, looking through `compact([...])`/`concat(...)`. */
function tupleItems(expr: Node): Node[] {
  let n: Node | undefined = expr;
  for (let guard = 0; n && guard < 4; guard++) {
    const k: Node | undefined = named(n)[0];
    if (!k) return [];
    if (k.type === 'collection_value') { const t = named(k)[0]; return t?.type === 'tuple' ? named(t).filter((c) => c.type === 'expression') : []; }
    if (k.type === 'function_call') {
      const args = named(named(k).find((c) => c.type === 'function_arguments')).filter((c) => c.type === 'expression');
      return args.flatMap((a) => tupleItems(a));
    }
    if (k.type === 'expression') { n = k; continue; }
    return [expr];
  }
  return [];
}

function nestedBlock(b: Node, name: string): Node | undefined {
  const body = named(b).find((c) => c.type === 'body');
  return named(body).find((c) => c.type === 'block' && named(c)[0]?.text === name);
}

/** terraform-aws-modules `source_path`: a string, `{ path = ... }` or a list of either (the first path). */
function sourcePath(sp: Val): Val {
  if (Array.isArray(sp)) return sp.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? x.path : x)).find((x) => typeof x === 'string');
  if (sp && typeof sp === 'object') return (sp as Record<string, Val>).path;
  return sp;
}

function stripModuleDir(p: string, dir: string): string {
  return p.startsWith(`${dir}/`) ? p.slice(dir.length + 1) : p === dir ? '.' : p;
}

function firstErrorLine(n: Node): number {
  if (n.type === 'ERROR' || n.isMissing) return n.startPosition.row + 1;
  for (const c of named(n)) if (c.hasError) return firstErrorLine(c);
  return n.startPosition.row + 1;
}

/** Variable defaults declared in one parsed `.tf` file (`variable "x" { default = ... }`). */
export function terraformVariables(root: Node): Map<string, Val> {
  const out = new Map<string, Val>();
  const env: Env = { moduleDir: '.', vars: new Map(), archives: new Map() };
  for (const b of named(named(root).find((c) => c.type === 'body'))) {
    if (b.type !== 'block' || named(b)[0]?.text !== 'variable') continue;
    const d = attributes(b).get('default');
    if (d) out.set(labels(b)[0], evalExpr(named(d).find((c) => c.type === 'expression'), env));
  }
  return out;
}

/** A layer's content folder: the archive_file's source, or (a zip built in place) the folder holding the zip. */
function layerCode(filename: Val, env: Env): string | undefined {
  if (typeof filename !== 'string' || filename.includes('${')) return undefined;
  if (!filename.startsWith('archive:')) return dirnamePosix(filename);
  const a = env.archives.get(filename.slice(8));
  const src = a?.sourceDir ?? (a?.sourceFile ? dirnamePosix(a.sourceFile) : undefined);
  return src && !src.includes('${') ? src : undefined;
}
