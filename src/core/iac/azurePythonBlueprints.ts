/**
 * Which Python v2 Azure Functions the worker indexes: it loads only the app's script file
 * (`function_app.py`), so a `func.Blueprint()` module's functions exist only when the script
 * registers that blueprint (`app.register_functions(bp)` / `app.register_blueprint(bp)`) after
 * importing it. Pure: works on syntax trees already parsed.
 */
import type { Node } from 'web-tree-sitter';
import { kids } from '../code/codeIndex';
import type { FunctionDecl, IacFileResult } from './types';


/** A blueprint the script registers: the module it comes from (dotted, app-relative) and its name there. */
interface Registration { module: string; name: string }

/** `blueprints/reports.py` -> `blueprints.reports`; `pkg/__init__.py` -> `pkg` (paths relative to the app folder). */
function moduleOf(appRelPath: string): string {
  return appRelPath.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

/** Variables of `root` bound to `func.Blueprint()` (or a `DFApp`-like app) calls, with their lines. */
function blueprintVars(root: Node): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of root.descendantsOfType('assignment')) {
    const right = a?.childForFieldName('right');
    if (a && right?.type === 'call' && /(^|\.)Blueprint$/.test(right.childForFieldName('function')?.text ?? '')) out.set(a.childForFieldName('left')?.text ?? '', a.startPosition.row + 1);
  }
  return out;
}

/** Imported names of a Python file: local name -> dotted target (`from m import x as y` gives y -> m.x). */
function importedNames(root: Node): Map<string, string> {
  const out = new Map<string, string>();
  const dotted = (n: Node | undefined) => (n?.type === 'relative_import' ? kids(n).find((k) => k.type === 'dotted_name')?.text ?? '' : n?.text ?? '');
  for (const imp of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!imp) continue;
    const modNode = imp.childForFieldName('module_name');
    const from = imp.type === 'import_from_statement' ? dotted(modNode ?? undefined) : undefined;
    for (const k of kids(imp)) {
      if (modNode && k.startIndex === modNode.startIndex) continue;
      let name: string;
      let alias: string;
      if (k.type === 'aliased_import') { name = k.childForFieldName('name')?.text ?? ''; alias = k.childForFieldName('alias')?.text ?? ''; }
      else if (k.type === 'dotted_name') { name = k.text; alias = from !== undefined ? k.text : k.text.split('.')[0]; }
      else continue;
      // `import a.b` binds `a` (to the package a); `import a.b as c` binds c to a.b; `from m import x` binds x to m.x.
      out.set(alias, from !== undefined ? (from ? `${from}.${name}` : name) : k.type === 'aliased_import' ? name : alias);
    }
  }
  return out;
}

/** Blueprints the script registers, resolved through its imports. */
function registrations(script: Node, scriptModule: string): Registration[] {
  const imports = importedNames(script);
  const local = blueprintVars(script);
  const out: Registration[] = [];
  for (const call of script.descendantsOfType('call')) {
    const f = call?.childForFieldName('function');
    if (!call || f?.type !== 'attribute' || !/^register_(functions|blueprint)$/.test(f.childForFieldName('attribute')?.text ?? '')) continue;
    const arg = kids(call.childForFieldName('arguments'))[0];
    if (!arg) continue;
    const parts = arg.text.split('.');
    const head = imports.get(parts[0]);
    const full = head !== undefined ? [head, ...parts.slice(1)].join('.') : local.has(arg.text) ? `${scriptModule}.${arg.text}` : arg.text;
    const i = full.lastIndexOf('.');
    if (i > 0) out.push({ module: full.slice(0, i), name: full.slice(i + 1) });
  }
  return out;
}

/**
 * Keeps the functions of `file` (a Python file of the app in `appDir`) that the worker indexes:
 * all of them on a FunctionApp; a blueprint's only when `script` (the app's function_app.py)
 * registers it. Each unregistered blueprint with functions gives a warning. Without a script the
 * result is returned as it is.
 */
export function azurePythonIndexed(file: string, root: Node, r: IacFileResult, appDir: string, script?: { file: string; root: Node }): IacFileResult {
  const bps = blueprintVars(root);
  if (!script || !bps.size) return r;
  const rel = (p: string) => (appDir === '.' ? p : p.slice(appDir.length + 1));
  const regs = registrations(script.root, moduleOf(rel(script.file)));
  const mod = moduleOf(rel(file));
  // The decorator object of each function definition line: which app or blueprint it is on.
  const owner = new Map<number, string>();
  for (const d of root.descendantsOfType('decorated_definition')) {
    const def = d?.childForFieldName('definition');
    const deco = kids(d).find((k) => k.type === 'decorator');
    const callee = kids(deco)[0];
    const obj = (callee?.type === 'call' ? callee.childForFieldName('function') : callee)?.childForFieldName('object')?.text;
    if (def && obj) owner.set(def.startPosition.row + 1, obj);
  }
  const dropped = new Map<string, FunctionDecl[]>();
  const functions = r.functions.filter((fn) => {
    const bp = fn.location ? owner.get(fn.location.line) : undefined;
    if (!bp || !bps.has(bp) || regs.some((g) => g.module === mod && g.name === bp)) return true;
    dropped.set(bp, [...(dropped.get(bp) ?? []), fn]);
    return false;
  });
  if (!dropped.size) return r;
  const warnings = [...r.warnings];
  for (const [bp, fns] of dropped) {
    warnings.push(`${file}:${bps.get(bp)}: blueprint ${bp} is not registered by ${script.file} (no app.register_functions(${bp}) of it): ${fns.map((f) => f.name).join(', ')} not indexed by the Functions host`);
  }
  return { ...r, functions, warnings };
}
