/** Node.js/TypeScript handlers: `path/file.export`, CommonJS and ESM exports. */
import type { Node } from 'web-tree-sitter';
import { type CodeIndex, filesUnder, kids } from './codeIndex';
import { type Candidate, found, type HandlerLocation, unresolved } from './location';
import { dirnamePosix, joinPosix } from '../iac/types';

const SOURCE_EXTS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'];

/** Finds where `exportName` is defined in a JS/TS module tree: 1-based line, or undefined. */
export function findExport(root: Node, exportName: string): { line: number; how: string; from?: { module: string; name: string } } | undefined {
  const locals = new Map<string, number>();
  for (const st of kids(root)) {
    const decl = st.type === 'export_statement' ? st.childForFieldName('declaration') ?? st : st;
    for (const name of declaredNames(decl)) if (!locals.has(name)) locals.set(name, st.startPosition.row + 1);
  }
  const line = (n: Node) => n.startPosition.row + 1;
  for (const st of kids(root)) {
    if (st.type === 'export_statement') {
      const decl = st.childForFieldName('declaration');
      if (decl && declaredNames(decl).includes(exportName)) return { line: line(st), how: 'ESM export declaration' };
      if (exportName === 'default' && st.text.startsWith('export default')) {
        const v = st.childForFieldName('value');
        return { line: v?.type === 'identifier' ? locals.get(v.text) ?? line(st) : line(st), how: 'ESM default export' };
      }
      const from = st.childForFieldName('source')?.text.slice(1, -1);
      for (const spec of kids(kids(st).find((c) => c.type === 'export_clause'))) {
        const nameN = spec.childForFieldName('name');
        const alias = spec.childForFieldName('alias') ?? nameN;
        if (alias?.text === exportName && nameN) {
          return { line: locals.get(nameN.text) ?? line(spec), how: 'ESM export list', ...(from ? { from: { module: from, name: nameN.text } } : {}) };
        }
      }
    }
    if (st.type !== 'expression_statement') continue;
    const asg = kids(st)[0];
    if (asg?.type !== 'assignment_expression') continue;
    const left = asg.childForFieldName('left');
    const right = asg.childForFieldName('right');
    const lt = left?.text.replace(/\s/g, '') ?? '';
    if (lt === `exports.${exportName}` || lt === `module.exports.${exportName}`) {
      if (right?.type === 'identifier' && locals.has(right.text)) return { line: locals.get(right.text)!, how: 'CommonJS export of a local' };
      return { line: line(st), how: 'CommonJS exports assignment' };
    }
    if (lt === 'module.exports' && exportName === 'default' && right && right.type !== 'object') {
      return { line: right.type === 'identifier' ? locals.get(right.text) ?? line(st) : line(st), how: 'module.exports = function' };
    }
    if (lt === 'module.exports' && right?.type === 'object') {
      for (const p of kids(right)) {
        if (p.type === 'shorthand_property_identifier' && p.text === exportName) return { line: locals.get(p.text) ?? line(p), how: 'module.exports object' };
        if (p.type === 'pair' && p.childForFieldName('key')?.text.replace(/['"]/g, '') === exportName) {
          const v = p.childForFieldName('value');
          if (v?.type === 'identifier' && locals.has(v.text)) return { line: locals.get(v.text)!, how: 'module.exports object' };
          return { line: line(p), how: 'module.exports object' };
        }
        if (p.type === 'method_definition' && p.childForFieldName('name')?.text === exportName) return { line: line(p), how: 'module.exports object method' };
      }
    }
  }
  return undefined;
}

/** Follows `export { x as y } from './m'` up to 5 modules deep. */
function followReexport(index: CodeIndex, base: string, name: string, depth = 0): { file: string; line: number } | undefined {
  if (depth > 5) return undefined;
  for (const ext of SOURCE_EXTS) {
    for (const f of [base + ext, `${base}/index${ext}`]) {
      const root = index.has(f) ? index.tree(f) : undefined;
      const hit = root ? findExport(root, name) : undefined;
      if (!hit) continue;
      if (hit.from?.module.startsWith('.')) return followReexport(index, joinPosix(dirnamePosix(f), hit.from.module), hit.from.name, depth + 1) ?? { file: f, line: hit.line };
      return { file: f, line: hit.line };
    }
  }
  return undefined;
}

function declaredNames(n: Node): string[] {
  switch (n.type) {
    case 'function_declaration': case 'generator_function_declaration': case 'class_declaration':
      return [n.childForFieldName('name')?.text ?? ''];
    case 'lexical_declaration': case 'variable_declaration':
      return kids(n).filter((d) => d.type === 'variable_declarator').map((d) => d.childForFieldName('name')?.text ?? '');
    default: return [];
  }
}

/** Exported names of a module (for honest "did you mean" candidates). */
function exportedNames(root: Node): string[] {
  const out: string[] = [];
  for (const st of kids(root)) {
    if (st.type === 'export_statement') {
      const d = st.childForFieldName('declaration');
      if (d) out.push(...declaredNames(d));
      for (const spec of kids(kids(st).find((c) => c.type === 'export_clause'))) out.push((spec.childForFieldName('alias') ?? spec.childForFieldName('name'))?.text ?? '');
    } else if (st.type === 'expression_statement' && kids(st)[0]?.type === 'assignment_expression') {
      const lt = kids(st)[0].childForFieldName('left')?.text ?? '';
      const m = /^(?:module\.)?exports\.(\w+)$/.exec(lt.replace(/\s/g, ''));
      if (m) out.push(m[1]);
    }
  }
  return out.filter(Boolean);
}

/**
 * Locates a Node.js handler `module.export` under `codeDir`. `entryPoints` (bundler entries)
 * name the source files when the handler module is a bundle output.
 */
export function locateNodeHandler(index: CodeIndex, codeDir: string, handler: string, entryPoints: string[] = [], deep = false): HandlerLocation {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) return unresolved(`handler \`${handler}\` is not of the form file.export`);
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const tried: string[] = [];
  const bases = [joinPosix(codeDir, modulePath)];
  for (const ep of entryPoints) {
    const noExt = ep.replace(/\.[cm]?[jt]sx?$/, '');
    if (noExt.split('/').pop() === modulePath.split('/').pop()) bases.unshift(joinPosix(codeDir, noExt));
  }
  // Compiled output folders: the sources usually sit in src/ or beside them.
  const m = /^(?:\.\/)?(dist|build|out|lib)\/(.*)$/.exec(modulePath);
  if (m) bases.push(joinPosix(codeDir, `src/${m[2]}`), joinPosix(codeDir, m[2]));
  const warnings: string[] = [];
  if (deep && !bases.some((b) => SOURCE_EXTS.some((e) => index.has(b + e)))) {
    const suffixes = SOURCE_EXTS.map((e) => `/${modulePath}${e}`);
    const hits = filesUnder(index, codeDir).filter((f) => suffixes.some((x) => f.endsWith(x)));
    const dirs = [...new Set(hits.map((f) => f.slice(0, f.length - modulePath.length - f.slice(f.lastIndexOf('.')).length - 1)))];
    if (dirs.length === 1) { bases.push(joinPosix(dirs[0], modulePath)); warnings.push(`sources found in ${dirs[0]}`); }
    else if (dirs.length > 1) return unresolved(`${dirs.length} folders under ${codeDir} hold ${modulePath}`, [], hits.map((f) => ({ file: f, line: 1, why: 'same module path' })));
  }
  for (const base of bases) {
    for (const ext of SOURCE_EXTS) {
      const f = base + ext;
      if (!index.has(f)) continue;
      tried.push(f);
      const root = index.tree(f);
      if (!root) continue;
      const hit = findExport(root, exportName);
      if (hit?.from?.module.startsWith('.')) {
        const target = followReexport(index, joinPosix(dirnamePosix(f), hit.from.module), hit.from.name);
        if (target) return found(target.file, target.line, exportName, [...warnings, `re-exported from ${target.file}`]);
      }
      if (hit) return found(f, hit.line, exportName, warnings);
      warnings.push(`${f} does not export \`${exportName}\``);
    }
  }
  if (tried.length === 0) {
    const candidates: Candidate[] = [];
    for (const ext of SOURCE_EXTS) {
      for (const f of index.files) {
        if (!f.startsWith(`${codeDir}/`) || !f.endsWith(ext) || f.slice(codeDir.length + 1).includes('/')) continue;
        const root = index.tree(f);
        const names = root ? exportedNames(root) : [];
        if (root && names.includes(exportName)) candidates.push({ file: f, line: findExport(root, exportName)!.line, why: `exports \`${exportName}\` but the handler names module \`${modulePath}\`` });
      }
    }
    return unresolved(`no ${modulePath}{${SOURCE_EXTS.join(',')}} in ${codeDir}`, warnings, candidates);
  }
  return unresolved(`\`${exportName}\` is not exported by ${tried.join(', ')}`, warnings);
}
