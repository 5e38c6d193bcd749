/** Java (`pkg.Class::method` or `pkg.Class`) and C# (`Assembly::Namespace.Class::Method`) handlers. */
import type { Node } from 'web-tree-sitter';
import { type CodeIndex, filesUnder, findAll, kids } from './codeIndex';
import { type Candidate, found, type HandlerLocation, unresolved } from './location';

// Annotations and attributes belong to the declaration node; the signature is where the name is.
function nameLine(n: Node): number {
  return (n.childForFieldName('name') ?? n).startPosition.row + 1;
}

const JAVA_CLASSES = new Set(['class_declaration', 'record_declaration', 'enum_declaration']);

/** Locates a Java handler among the `.java` files under `searchDir`. */
export function locateJavaHandler(index: CodeIndex, searchDir: string, handler: string): HandlerLocation {
  const [typeName, methodGiven] = handler.split('::');
  const parts = typeName.split('.');
  const cls = parts[parts.length - 1];
  const pkgPath = parts.slice(0, -1).join('/');
  const method = methodGiven || 'handleRequest';
  const all = filesUnder(index, searchDir, `/${cls}.java`).concat(index.has(`${searchDir}/${cls}.java`) ? [] : []);
  const files = all.filter((f) => f.endsWith(`${pkgPath ? `${pkgPath}/` : ''}${cls}.java`) || f === `${cls}.java`);
  if (files.length === 0) return unresolved(`no ${pkgPath ? `${pkgPath}/` : ''}${cls}.java under ${searchDir}`, [], all.map((f) => ({ file: f, line: 1, why: 'same class name, other package folder' })));
  const hits: Candidate[] = [];
  const warnings: string[] = [];
  for (const f of files) {
    const root = index.tree(f);
    if (!root) continue;
    const pkg = findAll(root, new Set(['package_declaration']))[0];
    const pkgName = pkg ? kids(pkg).find((c) => c.type === 'scoped_identifier' || c.type === 'identifier')?.text ?? '' : '';
    if (pkgName !== parts.slice(0, -1).join('.')) continue;
    for (const c of findAll(root, JAVA_CLASSES)) {
      if (c.childForFieldName('name')?.text !== cls) continue;
      const methods = kids(c.childForFieldName('body')).filter((m) => m.type === 'method_declaration' && m.childForFieldName('name')?.text === method);
      if (methods.length) hits.push({ file: f, line: nameLine(methods[0]), why: `${cls}.${method}` });
      else { warnings.push(`${cls} declares no \`${method}\`; the class is shown`); hits.push({ file: f, line: nameLine(c), why: `class ${cls}` }); }
    }
  }
  if (hits.length === 1) return found(hits[0].file, hits[0].line, `${cls}.${method}`, warnings);
  if (hits.length > 1) return unresolved(`${hits.length} classes match ${typeName}`, warnings, hits);
  return unresolved(`no class ${typeName} in ${files.join(', ')}`, warnings);
}

const CS_TYPES = new Set(['class_declaration', 'record_declaration', 'struct_declaration']);

function csNamespace(n: Node): string {
  const parts: string[] = [];
  let root: Node = n;
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'namespace_declaration') parts.unshift(p.childForFieldName('name')?.text ?? '');
    if (p.type === 'class_declaration') parts.unshift(p.childForFieldName('name')?.text ?? '');
    root = p;
  }
  const fileScoped = kids(root).find((c) => c.type === 'file_scoped_namespace_declaration');
  if (fileScoped) parts.unshift(fileScoped.childForFieldName('name')?.text ?? '');
  return parts.filter(Boolean).join('.');
}

/** Locates a .NET handler `Assembly::Namespace.Class::Method` among `.cs` files under `searchDir`. */
export function locateCsharpHandler(index: CodeIndex, searchDir: string, handler: string): HandlerLocation {
  const segs = handler.split('::');
  if (segs.length !== 3) return unresolved(`handler \`${handler}\` is not of the form Assembly::Namespace.Class::Method`);
  const [, typeName, method] = segs;
  const dot = typeName.lastIndexOf('.');
  const ns = dot < 0 ? '' : typeName.slice(0, dot);
  const cls = typeName.slice(dot + 1);
  const hits: Candidate[] = [];
  const nearMisses: Candidate[] = [];
  for (const f of filesUnder(index, searchDir, '.cs')) {
    const root = index.tree(f);
    if (!root) continue;
    for (const c of findAll(root, CS_TYPES)) {
      if (c.childForFieldName('name')?.text !== cls) continue;
      const cns = csNamespace(c);
      const ms = kids(c.childForFieldName('body')).filter((m) => m.type === 'method_declaration' && m.childForFieldName('name')?.text === method);
      const at = ms[0] ?? c;
      if (cns === ns) hits.push({ file: f, line: nameLine(at), why: ms.length ? `${typeName}.${method}` : `class ${typeName} (no ${method})` });
      else nearMisses.push({ file: f, line: nameLine(at), why: `class ${cls} in namespace ${cns || '(global)'}, not ${ns}` });
    }
  }
  if (hits.length === 1) return found(hits[0].file, hits[0].line, `${cls}.${method}`, hits[0].why.startsWith('class') ? [`${typeName} declares no ${method}`] : []);
  if (hits.length > 1) return unresolved(`${hits.length} declarations of ${typeName}`, [], hits);
  return unresolved(`no class ${typeName} under ${searchDir}`, [], nearMisses);
}
