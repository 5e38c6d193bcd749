/** What JS/TS edits need to know about a file: module system, quotes, semicolons, where imports go. */
import type { Node } from 'web-tree-sitter';
import { descendants, eolOf, freeIn, named, nextLineStart } from './text';
import type { SourceDoc, TextEdit } from './types';

/** Conventions of one JS/TS file. */
export interface JsStyle {
  esm: boolean;
  ts: boolean;
  quote: string;
  semi: string;
  eol: string;
  /** Offset where new import lines go (start of a line). */
  importAt: number;
  /** True when `importAt` follows existing imports (so new setup code needs a blank line before it). */
  afterImports: boolean;
  /** Names declared at module scope. */
  topNames: Set<string>;
}

function isRequireDecl(n: Node): boolean {
  return (n.type === 'lexical_declaration' || n.type === 'variable_declaration')
    && descendants(n, 'call_expression').some((c) => c.childForFieldName('function')?.text === 'require');
}

function isDirective(n: Node): boolean {
  return n.type === 'expression_statement' && n.namedChildren[0]?.type === 'string';
}

/** Reads the conventions of `doc` from its syntax tree. */
export function jsStyle(doc: SourceDoc, beforeOffset: number): JsStyle {
  const { root, text, fileName } = doc;
  const top = root.namedChildren.filter((n): n is Node => n !== null);
  const imports = top.filter((n) => n.startIndex < beforeOffset && (n.type === 'import_statement' || isRequireDecl(n)));
  const ext = fileName.slice(fileName.lastIndexOf('.'));
  const esm = ext === '.mjs' || ext === '.mts' || (ext !== '.cjs' && ext !== '.cts'
    && top.some((n) => n.type === 'import_statement' || n.type === 'export_statement'));
  const str = descendants(root, 'string').find((s) => s.parent?.type === 'import_statement' || s.parent?.parent?.type === 'call_expression');
  const quote = str?.text[0] === '"' ? '"' : "'";
  const stmts = top.filter((n) => n.type === 'lexical_declaration' || n.type === 'expression_statement' || n.type === 'import_statement');
  const semi = stmts.length && stmts.filter((n) => n.text.endsWith(';')).length * 2 < stmts.length ? '' : ';';
  let importAt: number;
  if (imports.length) importAt = nextLineStart(text, imports[imports.length - 1].endIndex);
  else {
    const first = top.find((n) => n.type !== 'comment' && !isDirective(n)) ?? top[top.length - 1];
    const directive = top.filter((n) => isDirective(n) && n.startIndex < (first?.startIndex ?? 0)).pop();
    importAt = directive ? nextLineStart(text, directive.endIndex) : first ? text.lastIndexOf('\n', first.startIndex - 1) + 1 : 0;
    if (text.startsWith('#!') && importAt === 0) importAt = nextLineStart(text, 0);
  }
  const topNames = new Set<string>();
  for (const n of top) {
    const decl = n.type === 'export_statement' ? n.childForFieldName('declaration') : n;
    if (!decl) continue;
    for (const d of descendants(decl, 'variable_declarator')) {
      const name = d.childForFieldName('name');
      if (name) for (const id of name.type === 'identifier' ? [name] : descendants(name, 'identifier', 'shorthand_property_identifier_pattern')) topNames.add(id.text);
    }
    const id = decl.childForFieldName('name');
    if (id) topNames.add(id.text);
    for (const id of descendants(decl, 'import_specifier', 'namespace_import', 'identifier').filter((x) => decl.type === 'import_statement' && x.type === 'identifier')) topNames.add(id.text);
  }
  return { esm, ts: doc.lang !== 'javascript', quote, semi, eol: eolOf(text), importAt, afterImports: imports.length > 0, topNames };
}

/** A free module-scope name: `want`, else `want` with a suffix. */
export function freeName(style: JsStyle, want: string): string {
  return freeIn(style.topNames, want);
}

/**
 * `import { a, b as c } from 'm'` or `const { a, b: c } = require('m')`, in the file's quotes and
 * semicolons. Names are given in the ESM form (`b as c`); `as` is not valid in a destructuring pattern.
 */
export function importLine(s: JsStyle, names: string[], module: string, defaultName?: string): string {
  const q = (x: string) => `${s.quote}${x}${s.quote}`;
  if (defaultName) return s.esm ? (s.ts ? `import * as ${defaultName} from ${q(module)}${s.semi}` : `import ${defaultName} from ${q(module)}${s.semi}`) : `const ${defaultName} = require(${q(module)})${s.semi}`;
  if (s.esm) return `import { ${names.join(', ')} } from ${q(module)}${s.semi}`;
  return `const { ${names.map((n) => n.replace(/^(\w+) as (\w+)$/, '$1: $2')).join(', ')} } = require(${q(module)})${s.semi}`;
}

/**
 * Adds `names` (ESM form, `b as c` for a rename) to the file's existing `import { ... } from 'module'`
 * or `const { ... } = require('module')`, so one module is imported once; undefined when there is none
 * to extend (no import of the module, or only a default/namespace one).
 */
export function extendImport(doc: SourceDoc, s: JsStyle, names: string[], module: string): TextEdit | undefined {
  if (!names.length) return undefined;
  for (const st of doc.root.namedChildren) {
    if (!st || !descendants(st, 'string_fragment').some((x) => x.text === module)) continue;
    const list = st.type === 'import_statement' ? descendants(st, 'named_imports')[0]
      : isRequireDecl(st) ? descendants(st, 'object_pattern')[0] : undefined;
    const items = named(list);
    const last = items[items.length - 1];
    if (!list || !last) continue;
    const cjs = list.type === 'object_pattern';
    const text = names.map((n) => (cjs ? n.replace(/^(\w+) as (\w+)$/, '$1: $2') : n)).join(', ');
    return { start: last.endIndex, end: last.endIndex, newText: `, ${text}` };
  }
  return undefined;
}
