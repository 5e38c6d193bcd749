/**
 * Functions declared in AWS SAM / CloudFormation templates (YAML or JSON), including templates that
 * CDK synthesized (`aws:asset:path` / `aws:cdk:path` metadata) and cookiecutter templates that are
 * not valid YAML as written.
 */
import { child, type DocNode, num, parseJsonDoc, parseYamlDoc, plain, str } from './docTree';
import { dirnamePosix, type FunctionDecl, type IacFileResult, joinPosix } from './types';

/** True when the parsed document looks like a CloudFormation/SAM template. */
export function isCloudFormation(root: DocNode | undefined): boolean {
  if (root?.kind !== 'map') return false;
  if (root.entries.has('AWSTemplateFormatVersion') || root.entries.has('Transform')) return true;
  const res = child(root, 'Resources');
  return res?.kind === 'map' && [...res.entries.values()].some((r) => str(child(r, 'Type'))?.startsWith('AWS::'));
}

const JINJA_STMT = /\{%-?[\s\S]*?-?%\}/g;
const JINJA_EXPR = /\{\{[\s\S]*?\}\}/g;
/** What a blanked `{{ expression }}` reads as; values holding it are treated as unknown. */
export const PLACEHOLDER = 'TEMPLATE_PLACEHOLDER';

/**
 * Blanks cookiecutter/Jinja tags so the rest can be read as YAML. A line that held only a statement
 * (`{%- if ... %}`) becomes empty, so line numbers stay those of the file as written.
 */
export function blankTemplateTags(text: string): { text: string; count: number } {
  let count = 0;
  const out = text.replace(JINJA_STMT, (m) => { count++; return m.replace(/[^\n]/g, ''); })
    .replace(JINJA_EXPR, () => { count++; return PLACEHOLDER; });
  return { text: out, count };
}

/** Reads a template: JSON (comments/BOM tolerated) or YAML; recovers cookiecutter templates. */
export function readTemplate(file: string, text: string): { root?: DocNode; warnings: string[] } {
  const warnings: string[] = [];
  if (/\.json$/i.test(file)) {
    const r = parseJsonDoc(text);
    for (const p of r.problems) warnings.push(`${file}: ${p} (recovered)`);
    return { root: r.root, warnings };
  }
  let r = parseYamlDoc(text);
  if (text.includes('{%') || text.includes('{{')) {
    const blanked = blankTemplateTags(text);
    const r2 = parseYamlDoc(blanked.text);
    if (blanked.count > 0 && (r.problems.length > 0 || r2.problems.length === 0)) {
      const why = r.problems.length ? `not valid YAML as written (${r.problems[0]})` : 'contains template tags';
      warnings.push(`${file}: ${why}; cookiecutter/Jinja template: ${blanked.count} tags blanked before reading`);
      r = r2;
    }
  }
  for (const p of r.problems) warnings.push(`${file}: ${p}`);
  return { root: r.root, warnings };
}

interface Ctx {
  params: Map<string, unknown>;
  mappings: DocNode | undefined;
}

/** Evaluates what can be known statically; `${X}` stays in place where X is unknown. */
function evalValue(n: DocNode | undefined, ctx: Ctx): string | undefined {
  if (!n) return undefined;
  if (n.kind === 'scalar') { const s = str(n); return s?.includes(PLACEHOLDER) ? undefined : s; }
  if (n.kind !== 'map' || n.entries.size !== 1) return undefined;
  const [[k, v]] = [...n.entries];
  if (k === 'Ref') {
    const name = str(v) ?? '';
    const d = ctx.params.get(name);
    return d !== undefined && d !== '' ? String(d) : `\${${name}}`;
  }
  if (k === 'Fn::Sub') {
    const tpl = v.kind === 'seq' ? str(v.items[0]) : str(v);
    if (tpl === undefined) return undefined;
    return tpl.replace(/\$\{([^}!]+)\}/g, (m, name: string) => {
      const d = ctx.params.get(name);
      return d !== undefined && d !== '' ? String(d) : m;
    });
  }
  if (k === 'Fn::FindInMap' && v.kind === 'seq' && v.items.length === 3) {
    const [a, b, c] = v.items.map((x) => evalValue(x, ctx));
    const hit = a && b && c ? child(child(child(ctx.mappings, a), b), c) : undefined;
    return hit ? str(hit) : undefined;
  }
  if (k === 'Fn::Join' && v.kind === 'seq' && v.items.length === 2 && v.items[1].kind === 'seq') {
    const parts = v.items[1].items.map((x) => evalValue(x, ctx));
    return parts.every((p) => p !== undefined) ? parts.join(str(v.items[0]) ?? '') : undefined;
  }
  return undefined;
}

function prop(props: DocNode | undefined, globals: DocNode | undefined, key: string): DocNode | undefined {
  return child(props, key) ?? child(globals, key);
}

/**
 * Extracts functions from a template already read by `readTemplate`. `file` is workspace-relative;
 * code paths are resolved against the template's folder.
 */
export function extractCloudFormation(file: string, root: DocNode | undefined, warnings: string[] = []): IacFileResult {
  const result: IacFileResult = { functions: [], warnings: [...warnings], references: [] };
  const dir = dirnamePosix(file);
  const params = new Map<string, unknown>();
  for (const [k, p] of child(root, 'Parameters')?.kind === 'map' ? (child(root, 'Parameters') as { entries: Map<string, DocNode> }).entries : []) {
    params.set(k, plain(child(p, 'Default')));
  }
  const ctx: Ctx = { params, mappings: child(root, 'Mappings') };
  const globals = child(child(root, 'Globals'), 'Function');
  const resources = child(root, 'Resources');
  if (resources?.kind !== 'map') return result;
  for (const [logicalId, res] of resources.entries) {
    const type = str(child(res, 'Type'));
    const props = child(res, 'Properties');
    const meta = child(res, 'Metadata');
    const declLine = resources.keyLines.get(logicalId) ?? res.line;
    if (type === 'AWS::Serverless::Application' || type === 'AWS::CloudFormation::Stack') {
      const loc = evalValue(child(props, type === 'AWS::CloudFormation::Stack' ? 'TemplateURL' : 'Location'), ctx);
      if (loc && !/^(https?|s3):/.test(loc) && !loc.includes('${')) result.references.push(joinPosix(dir, loc));
      continue;
    }
    if (type === 'AWS::Serverless::LayerVersion' || type === 'AWS::Lambda::LayerVersion') {
      const content = str(child(meta, 'aws:asset:path')) ?? evalValue(child(props, type === 'AWS::Lambda::LayerVersion' ? 'Content' : 'ContentUri'), ctx);
      const layerName = evalValue(child(props, 'LayerName'), ctx) ?? (type === 'AWS::Serverless::LayerVersion' ? logicalId : undefined);
      if (content && !/^s3:\/\//.test(content) && !content.includes('${')) {
        (result.layers ??= []).push({ name: logicalId, contentDir: joinPosix(dir, content), declaredIn: { file, line: declLine }, ...(layerName ? { layerName } : {}) });
      }
      continue;
    }
    if (type !== 'AWS::Serverless::Function' && type !== 'AWS::Lambda::Function') continue;
    const sam = type === 'AWS::Serverless::Function';
    const g = sam ? globals : undefined;
    const fn: FunctionDecl = {
      name: logicalId, aliases: [], kind: 'cloudformation', packageType: 'zip',
      declaredIn: { file, line: declLine }, warnings: [],
    };
    const assetPath = str(child(meta, 'aws:asset:path'));
    const cdkPath = str(child(meta, 'aws:cdk:path'));
    fn.kind = assetPath || cdkPath ? 'cdk-synth' : sam ? 'sam' : 'cloudformation';
    if (cdkPath) fn.aliases.push(cdkPath.replace(/\/Resource$/, ''));
    const fnName = evalValue(child(props, 'FunctionName'), ctx);
    if (fnName) fn.aliases.push(fnName);
    fn.runtime = evalValue(prop(props, g, 'Runtime'), ctx);
    fn.handler = evalValue(prop(props, g, 'Handler'), ctx);
    fn.memoryMb = num(prop(props, g, 'MemorySize')) ?? (evalValue(prop(props, g, 'MemorySize'), ctx) ? Number(evalValue(prop(props, g, 'MemorySize'), ctx)) || undefined : undefined);
    const t = evalValue(prop(props, g, 'Timeout'), ctx);
    fn.timeoutSec = t !== undefined && Number.isFinite(Number(t)) && t.trim() !== '' ? Number(t) : undefined;
    const arch = prop(props, g, 'Architectures');
    fn.architecture = arch?.kind === 'seq' ? evalValue(arch.items[0], ctx) : undefined;
    const code = child(props, 'Code');
    const image = str(child(props, 'PackageType')) === 'Image' || prop(props, g, 'ImageUri') !== undefined || child(code, 'ImageUri') !== undefined;
    const inline = sam ? child(props, 'InlineCode') : child(code, 'ZipFile');
    if (image) {
      fn.packageType = 'image';
      fn.imageUri = evalValue(prop(props, g, 'ImageUri') ?? child(code, 'ImageUri'), ctx) ?? (assetPath ? `asset ${assetPath}` : undefined);
      const cmd = child(child(props, 'ImageConfig'), 'Command');
      if (!fn.handler && cmd?.kind === 'seq') fn.handler = str(cmd.items[0]);
    } else if (inline && str(inline) !== undefined) {
      fn.packageType = 'inline';
      const isBlock = inline.kind === 'scalar' && inline.block;
      fn.inlineCode = { text: str(inline) ?? '', firstLine: isBlock ? inline.line + 1 : inline.line };
      fn.codeUri = file;
    } else {
      const codeUri = assetPath ?? evalValue(prop(props, g, 'CodeUri'), ctx) ?? (typeof plain(code) === 'string' ? String(plain(code)) : undefined);
      if (codeUri && !/^s3:\/\//.test(codeUri) && !codeUri.includes('${')) fn.codeUri = joinPosix(dir, codeUri);
      else if (codeUri) fn.warnings.push(`code is at ${codeUri}, not in the workspace`);
      else if (!code) { fn.codeUri = dir; fn.warnings.push('no CodeUri/Code: the template folder is assumed'); }
      else fn.warnings.push('code location (S3) is not in the workspace');
    }
    const buildMethod = str(child(meta, 'BuildMethod'));
    const bp = child(meta, 'BuildProperties');
    const eps = child(bp, 'EntryPoints');
    if (buildMethod === 'esbuild' && eps?.kind === 'seq') fn.entryPoints = eps.items.map(str).filter((s): s is string => !!s);
    const binary = str(child(bp, 'Binary'));
    if (binary) fn.binary = binary;
    // SAM adds the function's Layers to those of Globals, and merges Environment variables.
    const layerNodes = [child(g, 'Layers'), child(props, 'Layers')].flatMap((l) => (l?.kind === 'seq' ? l.items : []));
    for (const n of layerNodes) {
      const ref = layerEntry(n, resources, ctx);
      if (ref?.local) (fn.layers ??= []).push(ref.local);
      else if (ref?.external) (fn.externalLayers ??= []).push(ref.external);
    }
    const env: Record<string, string> = {};
    for (const vars of [child(child(g, 'Environment'), 'Variables'), child(child(props, 'Environment'), 'Variables')]) {
      for (const [k, v] of vars?.kind === 'map' ? vars.entries : []) {
        const value = evalValue(v, ctx);
        if (value !== undefined && !value.includes('${')) env[k] = value;
      }
    }
    if (Object.keys(env).length) fn.environment = env;
    result.functions.push(fn);
  }
  addLayerExports(result, child(root, 'Outputs'), ctx);
  return result;
}

/**
 * One `Layers` entry: a layer of this template (`!Ref X`), or what names a layer declared
 * elsewhere: an ARN (also from `!Sub` or a parameter default), `import:<Export>` for
 * `!ImportValue`, `cf:${Stack}.<Output>` for a nested stack's `!GetAtt Stack.Outputs.X`.
 */
function layerEntry(n: DocNode, resources: DocNode, ctx: Ctx): { local?: string; external?: string } | undefined {
  if (n.kind === 'map' && n.entries.size === 1) {
    const [[k, v]] = [...n.entries];
    if (k === 'Ref' && str(v) && child(resources, str(v)!)) return { local: str(v) };
    if (k === 'Fn::ImportValue') { const name = evalValue(v, ctx); return name ? { external: `import:${name}` } : undefined; }
    if (k === 'Fn::GetAtt') {
      const parts = v.kind === 'seq' ? v.items.map(str) : (str(v) ?? '').split('.');
      const [stack, ...attr] = parts.join('.').split('.');
      if (attr[0] === 'Outputs' && attr.length === 2) return { external: `cf:\${${stack}}.${attr[1]}` };
      return undefined;
    }
  }
  const value = evalValue(n, ctx);
  return value ? { external: value } : undefined;
}

/** Export names and output keys (`cf:${AWS::StackName}.<Key>`) of Outputs whose value is one of the template's layers. */
function addLayerExports(result: IacFileResult, outputs: DocNode | undefined, ctx: Ctx): void {
  if (outputs?.kind !== 'map' || !result.layers) return;
  for (const [key, o] of outputs.entries) {
    const value = child(o, 'Value');
    const target = str(child(value, 'Ref')) ?? (() => { const g = child(value, 'Fn::GetAtt'); return g?.kind === 'seq' ? str(g.items[0]) : str(g)?.split('.')[0]; })();
    const layer = result.layers.find((l) => l.name === target);
    if (!layer) continue;
    const exportName = evalValue(child(child(o, 'Export'), 'Name'), ctx);
    layer.exports = [...(layer.exports ?? []), ...(exportName ? [exportName] : []), `cf:\${AWS::StackName}.${key}`];
  }
}
