/**
 * Functions of the seeds' other clouds: Azure Functions (`<Name>/function.json`, `host.json`
 * custom handlers) and Google Cloud Functions (functions-framework registrations in code).
 */
import type { Node } from 'web-tree-sitter';
import { kids } from '../code/codeIndex';
import { child, type DocNode, parseJsonDoc, str } from './docTree';
import { dirnamePosix, type FunctionDecl, type IacFileResult, joinPosix } from './types';

const RUNTIME_BY_EXT: Record<string, string> = { js: 'node', mjs: 'node', cjs: 'node', ts: 'node', py: 'python', dll: 'dotnet', ps1: 'powershell', java: 'java' };

/**
 * Reads an Azure `function.json`. The function's name is its folder's name; `scriptFile`
 * (default `index.js` / `__init__.py` beside it) and `entryPoint` name the handler.
 * `hostJson` is the app's host.json text when present (for custom handlers).
 */
export function extractAzureFunction(file: string, text: string, hostJson?: string, workerRuntime?: string): IacFileResult {
  const res: IacFileResult = { functions: [], warnings: [], references: [] };
  const { root, problems } = parseJsonDoc(text);
  for (const p of problems) res.warnings.push(`${file}: ${p} (recovered)`);
  const bindings = child(root, 'bindings');
  if (bindings?.kind !== 'seq') return res;
  const dir = dirnamePosix(file);
  const name = dir.split('/').pop() ?? dir;
  const trigger = bindings.items.map((b) => str(child(b, 'type'))).find((t) => t?.endsWith('Trigger'));
  const fn: FunctionDecl = { name, aliases: [], kind: 'azure', packageType: 'zip', declaredIn: { file, line: root?.line ?? 1 }, warnings: [] };
  if (trigger) fn.warnings.push(`trigger ${trigger}`);
  const custom = hostJson ? customHandler(hostJson) : undefined;
  const scriptFile = str(child(root, 'scriptFile'));
  const entry = str(child(root, 'entryPoint'));
  if (custom) {
    fn.runtime = 'custom';
    fn.handler = custom;
    fn.warnings.push(`custom handler: the executable ${custom} serves every function`);
  } else {
    const script = scriptFile ? joinPosix(dir, scriptFile) : undefined;
    const ext = script?.split('.').pop() ?? (workerRuntime === 'python' ? 'py' : 'js');
    fn.runtime = RUNTIME_BY_EXT[ext] ?? workerRuntime;
    if (fn.runtime === 'dotnet' && entry) {
      // Precompiled: `entryPoint` is Namespace.Class.Method in the assembly `scriptFile`.
      const asm = (script ?? '').split('/').pop()?.replace(/\.dll$/, '') ?? '';
      const i = entry.lastIndexOf('.');
      fn.handler = `${asm}::${entry.slice(0, i)}::${entry.slice(i + 1)}`;
      fn.codeUri = dirnamePosix(dir);
      fn.warnings.push('precompiled .NET: sources searched in the app folder');
    } else {
      fn.sourceFile = script ?? joinPosix(dir, fn.runtime === 'python' ? '__init__.py' : 'index.js');
      fn.codeUri = dirnamePosix(fn.sourceFile);
      fn.handler = entry ?? (fn.runtime === 'python' ? 'main' : 'default');
    }
  }
  res.functions.push(fn);
  return res;
}

function customHandler(hostJson: string): string | undefined {
  const { root } = parseJsonDoc(hostJson);
  return str(child(child(child(root, 'customHandler'), 'description'), 'defaultExecutablePath'));
}

/** `FUNCTIONS_WORKER_RUNTIME` from local.settings.json, if any. */
export function azureWorkerRuntime(localSettings: string): string | undefined {
  const { root } = parseJsonDoc(localSettings);
  return str(child(child(root as DocNode, 'Values'), 'FUNCTIONS_WORKER_RUNTIME'));
}


function unquote(t: string): string {
  return t.replace(/^[`'"]|[`'"]$/g, '');
}

/**
 * Google Cloud Functions registered through the functions-framework in one parsed file:
 * `functions.http('name', fn)` / `cloudEvent` (Node), `@functions_framework.http` (Python),
 * `functions.HTTP("name", fn)` / `CloudEvent` (Go). The handler's location is known here.
 */
export function extractGcpFunctions(file: string, root: Node, lang: 'javascript' | 'typescript' | 'python' | 'go'): FunctionDecl[] {
  const out: FunctionDecl[] = [];
  const runtime = lang === 'python' ? 'python' : lang === 'go' ? 'go' : 'nodejs';
  const mk = (name: string, declLine: number, defLine: number): FunctionDecl => ({
    name, aliases: [], kind: 'gcp', runtime, handler: name, packageType: 'zip', codeUri: dirnamePosix(file),
    declaredIn: { file, line: declLine }, location: { file, line: defLine }, warnings: [],
  });
  if (lang === 'python') {
    for (const d of root.descendantsOfType('decorated_definition')) {
      const def = d?.childForFieldName('definition');
      if (!d || def?.type !== 'function_definition') continue;
      if (!kids(d).some((x) => x.type === 'decorator' && /functions_framework\.(http|cloud_event|typed)\b/.test(x.text))) continue;
      const name = def.childForFieldName('name')?.text ?? '';
      out.push(mk(name, d.startPosition.row + 1, def.startPosition.row + 1));
    }
    return out;
  }
  const decls = new Map<string, number>();
  for (const n of root.descendantsOfType(['function_declaration', 'variable_declarator'])) {
    const id = n?.childForFieldName('name');
    if (n && id && !decls.has(id.text)) decls.set(id.text, n.startPosition.row + 1);
  }
  for (const call of root.descendantsOfType('call_expression')) {
    const f = call?.childForFieldName('function');
    if (!call || !f) continue;
    const prop = (f.childForFieldName('property') ?? f.childForFieldName('field'))?.text;
    const ok = lang === 'go' ? prop === 'HTTP' || prop === 'CloudEvent' : prop === 'http' || prop === 'cloudEvent';
    if (!ok) continue;
    const [nameArg, fnArg] = kids(call.childForFieldName('arguments'));
    if (!nameArg || !fnArg || !/string/.test(nameArg.type)) continue;
    const name = unquote(nameArg.text);
    const line = fnArg.type === 'identifier' ? decls.get(fnArg.text) : fnArg.startPosition.row + 1;
    const fn = mk(name, call.startPosition.row + 1, line ?? call.startPosition.row + 1);
    if (!line) fn.warnings.push(`\`${fnArg.text}\` is not declared in this file; the registration is shown`);
    out.push(fn);
  }
  return out;
}
