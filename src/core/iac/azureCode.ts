/**
 * Azure Functions registered in code, without function.json: the Node.js v4 programming model
 * (`app.http('name', { handler })`, `app.timer`, `app.storageQueue`...) and the Python v2 model
 * (`app = func.FunctionApp()` / `bp = func.Blueprint()` with `@app.route`, `@app.timer_trigger`...,
 * `@app.function_name(name=...)`). Each registration pins its handler's definition line.
 */
import type { Node } from 'web-tree-sitter';
import { kids } from '../code/codeIndex';
import { dirnamePosix, type FunctionDecl, joinPosix } from './types';


/** Node v4 `app.<method>` -> the binding type it registers (as function.json would name it). */
const NODE_TRIGGERS: Record<string, string> = {
  http: 'httpTrigger', get: 'httpTrigger', post: 'httpTrigger', put: 'httpTrigger', patch: 'httpTrigger', deleteRequest: 'httpTrigger',
  timer: 'timerTrigger', storageQueue: 'queueTrigger', storageBlob: 'blobTrigger', serviceBusQueue: 'serviceBusTrigger',
  serviceBusTopic: 'serviceBusTrigger', eventHub: 'eventHubTrigger', eventGrid: 'eventGridTrigger', cosmosDB: 'cosmosDBTrigger',
  sql: 'sqlTrigger', mySql: 'mySqlTrigger', warmup: 'warmupTrigger', webPubSub: 'webPubSubTrigger', generic: 'generic',
};

const PY_APP = /(^|\.)(FunctionApp|AsgiFunctionApp|WsgiFunctionApp|Blueprint|DFApp)$/;

function stringValue(n: Node | undefined): string | undefined {
  if (!n || !/^(string|template_string)$/.test(n.type) || kids(n).some((k) => k.type === 'template_substitution' || k.type === 'interpolation')) return undefined;
  return n.text.replace(/^[rbuf]*(['"`]{1,3})/i, '').replace(/(['"`]{1,3})$/, '');
}

function mk(file: string, name: string, runtime: string, handler: string, declLine: number, defLine: number, trigger: string): FunctionDecl {
  return {
    name, aliases: [], kind: 'azure', runtime, handler, packageType: 'zip', codeUri: dirnamePosix(file),
    declaredIn: { file, line: declLine }, location: { file, line: defLine }, warnings: [`trigger ${trigger}`],
  };
}

/** Names `app` is imported under from '@azure/functions' (`app`, or `app as x` / `{ app: x }`). */
function nodeAppNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/\{([^{}]*)\}\s*(?:=\s*require\(\s*['"]@azure\/functions['"]\s*\)|from\s*['"]@azure\/functions['"])/g)) {
    for (const part of m[1].split(',')) {
      const [orig, alias] = part.trim().split(/\s+as\s+|\s*:\s*/);
      if (orig === 'app') names.add(alias?.trim() || 'app');
    }
  }
  return names;
}

/** Node.js v4 registrations in one parsed JavaScript/TypeScript file. */
export function extractAzureNodeFunctions(file: string, root: Node): FunctionDecl[] {
  const out: FunctionDecl[] = [];
  const apps = nodeAppNames(root.text);
  if (!apps.size) return out;
  const decls = new Map<string, number>();
  for (const n of root.descendantsOfType(['function_declaration', 'variable_declarator'])) {
    const id = n?.childForFieldName('name');
    if (n && id?.type === 'identifier' && !decls.has(id.text)) decls.set(id.text, n.startPosition.row + 1);
  }
  for (const call of root.descendantsOfType('call_expression')) {
    const f = call?.childForFieldName('function');
    if (!call || f?.type !== 'member_expression' || !apps.has(f.childForFieldName('object')?.text ?? '')) continue;
    const method = f.childForFieldName('property')?.text ?? '';
    if (!(method in NODE_TRIGGERS)) continue;
    const [nameArg, opts] = kids(call.childForFieldName('arguments'));
    const name = stringValue(nameArg);
    if (!name || !opts) continue;
    let h: Node | undefined = opts;
    if (opts.type === 'object') {
      const pair = kids(opts).find((p) => ((p.type === 'pair' || p.type === 'method_definition') && (p.childForFieldName('key') ?? p.childForFieldName('name'))?.text === 'handler') || (p.type === 'shorthand_property_identifier' && p.text === 'handler'));
      h = pair?.type === 'pair' ? pair.childForFieldName('value') ?? undefined : pair;
    }
    const declLine = call.startPosition.row + 1;
    if (!h) { const fn = mk(file, name, 'node', name, declLine, declLine, NODE_TRIGGERS[method]); fn.warnings.push('no static `handler` in the options; the registration is shown'); out.push(fn); continue; }
    const isRef = h.type === 'identifier' || h.type === 'shorthand_property_identifier';
    const defLine = isRef ? decls.get(h.text) : h.startPosition.row + 1;
    const fn = mk(file, name, 'node', isRef ? h.text : name, declLine, defLine ?? declLine, NODE_TRIGGERS[method]);
    const imported = isRef && !defLine ? importedBinding(root, h.text) : undefined;
    if (imported) {
      // Located like a Lambda handler `module.export` in the imported module's folder (any source extension).
      const target = joinPosix(dirnamePosix(file), imported.module);
      delete fn.location;
      fn.codeUri = dirnamePosix(target);
      fn.handler = `${target.split('/').pop()}.${imported.exportName}`;
      fn.warnings.push(`handler imported from ${imported.module}`);
    } else if (!defLine) fn.warnings.push(`\`${h.text}\` is not declared in this file; the registration is shown`);
    out.push(fn);
  }
  return out;
}

/** The relative module and export a local name is imported from (`import { a as b }`, `const { a: b } = require()`). */
function importedBinding(root: Node, local: string): { module: string; exportName: string } | undefined {
  for (const imp of root.descendantsOfType('import_statement')) {
    const module = stringValue(imp?.childForFieldName('source') ?? undefined);
    if (!imp || !module?.startsWith('.')) continue;
    for (const spec of imp.descendantsOfType('import_specifier')) {
      const name = spec?.childForFieldName('name')?.text;
      if (name && (spec?.childForFieldName('alias')?.text ?? name) === local) return { module, exportName: name };
    }
    const clause = kids(imp).find((k) => k.type === 'import_clause');
    if (kids(clause).some((k) => k.type === 'identifier' && k.text === local)) return { module, exportName: 'default' };
  }
  for (const d of root.descendantsOfType('variable_declarator')) {
    const pattern = d?.childForFieldName('name');
    const value = d?.childForFieldName('value');
    const module = value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'require' ? stringValue(kids(value.childForFieldName('arguments'))[0]) : undefined;
    if (pattern?.type !== 'object_pattern' || !module?.startsWith('.')) continue;
    for (const p of kids(pattern)) {
      if (p.type === 'shorthand_property_identifier_pattern' && p.text === local) return { module, exportName: local };
      if (p.type === 'pair_pattern' && p.childForFieldName('value')?.text === local) return { module, exportName: p.childForFieldName('key')?.text ?? local };
    }
  }
  return undefined;
}

function decoratorCall(d: Node): { obj: string; name: string; call?: Node } | undefined {
  const e = kids(d)[0];
  const callee = e?.type === 'call' ? e.childForFieldName('function') : e;
  if (callee?.type !== 'attribute') return undefined;
  return { obj: callee.childForFieldName('object')?.text ?? '', name: callee.childForFieldName('attribute')?.text ?? '', call: e?.type === 'call' ? e : undefined };
}

function camel(s: string): string {
  return s.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** Python v2 decorated functions in one parsed Python file (a FunctionApp's or a Blueprint's). */
export function extractAzurePythonFunctions(file: string, root: Node): FunctionDecl[] {
  const apps = new Set<string>();
  for (const a of root.descendantsOfType('assignment')) {
    const right = a?.childForFieldName('right');
    if (a && right?.type === 'call' && PY_APP.test(right.childForFieldName('function')?.text ?? '')) apps.add(a.childForFieldName('left')?.text ?? '');
  }
  const out: FunctionDecl[] = [];
  if (!apps.size) return out;
  for (const d of root.descendantsOfType('decorated_definition')) {
    const def = d?.childForFieldName('definition');
    if (!d || def?.type !== 'function_definition') continue;
    const decos = kids(d).filter((x) => x.type === 'decorator').map(decoratorCall).filter((x) => !!x && apps.has(x.obj));
    const trigger = decos.find((x) => x && (x.name === 'route' || x.name === 'schedule' || x.name.endsWith('_trigger')));
    if (!trigger) continue;
    const defName = def.childForFieldName('name')?.text ?? '';
    const named = decos.find((x) => x?.name === 'function_name')?.call;
    const nameArgs = kids(named?.childForFieldName('arguments'));
    const nameNode = nameArgs.find((k) => k.type === 'keyword_argument' && k.childForFieldName('name')?.text === 'name')?.childForFieldName('value') ?? nameArgs.find((k) => k.type === 'string');
    const name = stringValue(nameNode ?? undefined) ?? defName;
    const type = trigger.name === 'route' ? 'httpTrigger' : trigger.name === 'schedule' ? 'timerTrigger' : camel(trigger.name);
    out.push(mk(file, name, 'python', defName, d.startPosition.row + 1, def.startPosition.row + 1, type));
  }
  return out;
}

function globRegex(glob: string): RegExp {
  const body = glob.replace(/^\.\//, '').replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\{([^{}]*)\}/g, (_m, alts: string) => `(${alts.split(',').join('|')})`)
    .replace(/\*\*\//g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '(.*/)?');
  return new RegExp(`^${body}$`);
}

/**
 * Whether the Node.js v4 app's package.json `main` loads `relPath` (relative to the app folder).
 * A glob selects the files it matches, or their TypeScript sources (`dist/src/functions/*.js` ->
 * `src/functions/*.ts`); a single entry file may require any other file, so it selects all.
 */
export function azureMainSelects(packageJson: string | undefined, relPath: string): boolean {
  let main: unknown;
  try { main = packageJson ? (JSON.parse(packageJson) as { main?: unknown }).main : undefined; } catch { return true; }
  if (typeof main !== 'string' || !/[*?{]/.test(main)) return true;
  const globs = [main, main.replace(/^(\.\/)?(dist|out|build|lib)\//, '').replace(/\.js$/, '.{ts,mts,cts,tsx}')];
  return globs.some((g) => globRegex(g).test(relPath));
}
