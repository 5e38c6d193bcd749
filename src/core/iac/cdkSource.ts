/**
 * Functions declared in CDK app sources (TypeScript/JavaScript, Python, Java, C#, Go), read from
 * tree-sitter syntax trees: `lambda.Function`, `NodejsFunction` (`entry`, `handler`),
 * `PythonFunction`, `GoFunction`, `SingletonFunction`, with `Code.fromAsset` / inline code.
 * Only static values are evaluated; anything computed is reported, not guessed.
 */
import type { Node } from 'web-tree-sitter';
import { CALLS, type Ctx, constructCall, DYNAMIC, resolveAssetPath } from './cdkEval';
import { addCdkLayersAndEnv, cdkLayerDecls } from './cdkLayers';
import { dirnamePosix, type FunctionDecl, type IacFileResult, joinPosix } from './types';

export { cdkRuntimeId } from './cdkEval';

const CONSTRUCT = /^(Function|NodejsFunction|PythonFunction|GoFunction|SingletonFunction|DockerImageFunction|New(Go|Nodejs|Python|Singleton|DockerImage)?Function)$/;

const DEFAULT_ENTRY_EXTS = ['.ts', '.js', '.mjs', '.mts', '.cts', '.cjs'];

/**
 * CDK's default for a NodejsFunction without `entry`: `<defining file without extension>.<id>.ts`
 * beside the defining file, then the same with .js, .mjs, .mts, .cts, .cjs. Only a TypeScript or
 * JavaScript app has that default (CDK reads the defining file from its own stack trace).
 */
function defaultEntry(fn: FunctionDecl, file: string, id: string, handler: string | undefined): void {
  if (!/\.[cm]?[jt]sx?$/.test(file)) { fn.warnings.push('NodejsFunction without `entry`: outside a TypeScript/JavaScript app CDK has no default entry'); return; }
  const stem = `${file.split('/').pop()!.replace(/\.[^.]+$/, '')}.${id}`;
  const dir = dirnamePosix(file);
  fn.codeUri = dir;
  fn.entryPoints = DEFAULT_ENTRY_EXTS.map((e) => stem + e);
  fn.handler = `${stem}.${(handler ?? 'handler').split('.').pop()}`;
  fn.warnings.push(`no \`entry\`: CDK's default entry ${joinPosix(dir, stem)}{${DEFAULT_ENTRY_EXTS.join(',')}}`);
}

/**
 * Extracts functions (with their layers and environment) and layers from one CDK source file. `appDir` is the CDK app's folder (where cdk.json is):
 * relative asset paths resolve against it, as `cdk synth` runs there.
 */
export function extractCdkSource(file: string, root: Node, appDir: string): IacFileResult {
  const ctx: Ctx = { srcDir: dirnamePosix(file), root };
  const out: FunctionDecl[] = [];
  const warnings: string[] = [];
  const layers = cdkLayerDecls(file, ctx, appDir, warnings);
  for (const n of root.descendantsOfType([...CALLS])) {
    const c = n && constructCall(n, ctx, CONSTRUCT);
    if (!c) continue;
    const p = c.props;
    const fn: FunctionDecl = { name: c.id, aliases: [], kind: 'cdk', packageType: 'zip', declaredIn: { file, line: c.line }, warnings: [] };
    const rt = p.runtime as { runtime?: string } | undefined;
    fn.runtime = rt?.runtime ?? (c.type === 'NodejsFunction' ? 'nodejs' : c.type === 'GoFunction' ? 'provided.al2023' : undefined);
    const handler = typeof p.handler === 'string' ? p.handler : undefined;
    if (typeof p.functionname === 'string' && p.functionname) fn.aliases.push(p.functionname);
    if (typeof p.memorysize === 'number') fn.memoryMb = p.memorysize;
    if (typeof p.timeout === 'number') fn.timeoutSec = p.timeout;
    const resolve = (x: string) => resolveAssetPath(x, appDir);
    const code = p.code as Record<string, string> | undefined;
    const entry = typeof p.entry === 'string' ? resolve(p.entry) : undefined;
    if (c.type === 'DockerImageFunction') { fn.packageType = 'image'; }
    else if (c.type === 'NodejsFunction') {
      if (entry) {
        const base = entry.split('/').pop()!;
        fn.codeUri = dirnamePosix(entry);
        fn.entryPoints = [base];
        fn.handler = `${base.replace(/\.[cm]?[jt]sx?$/, '')}.${handler ?? 'handler'}`;
      } else if ('entry' in p) fn.warnings.push('NodejsFunction `entry` is not a static path');
      else if (p[DYNAMIC]) fn.warnings.push('NodejsFunction props are computed: its `entry` is unknown');
      else defaultEntry(fn, file, c.id, handler);
    } else if (c.type === 'PythonFunction') {
      if (entry) { fn.codeUri = entry; fn.handler = `${String(p.index ?? 'index.py').replace(/\.py$/, '')}.${handler ?? 'handler'}`; }
    } else if (c.type === 'GoFunction') {
      if (entry) fn.codeUri = entry;
    } else {
      fn.handler = handler;
      if (code?.asset !== undefined) fn.codeUri = resolve(code.asset);
      else if (code?.inline !== undefined) { fn.packageType = 'inline'; fn.inlineCode = { text: code.inline, firstLine: c.line }; fn.codeUri = file; }
      else if (code?.file !== undefined) { fn.sourceFile = joinPosix(appDir, code.file); fn.codeUri = dirnamePosix(fn.sourceFile); }
      else fn.warnings.push('code is not a static Code.fromAsset/fromInline');
    }
    if (!fn.handler && c.type !== 'GoFunction' && fn.packageType !== 'image') fn.warnings.push('handler is not a static string');
    addCdkLayersAndEnv(fn, n, c, ctx);
    out.push(fn);
  }
  return { functions: out, warnings, references: [], ...(layers.length ? { layers } : {}) };
}
