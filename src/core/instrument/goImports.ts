/** Go imports as gofmt and goimports keep them: which name each path has, and where new paths go. */
import type { Node } from 'web-tree-sitter';
import { descendants, eolOf, indentAt, lineStart, nextLineStart } from './text';
import type { SourceDoc, TextEdit } from './types';

/** An import path and the name it is imported as when not its last element. */
export interface GoImport { path: string; alias?: string }

/** The local name of each imported path. */
export function goImportNames(root: Node): Map<string, string> {
  return new Map(descendants(root, 'import_spec').map((s) => {
    const p = s.childForFieldName('path')?.text.slice(1, -1) ?? '';
    return [p, s.childForFieldName('name')?.text ?? p.split('/').pop()!.replace(/^v\d+$/, '')];
  }));
}

const isStd = (p: string) => !p.split('/')[0].includes('.');

/** Adds imports where gofmt/goimports keep them: the standard library in the first group, modules in the last, each group sorted. */
export function goImportEdits(doc: SourceDoc, need: GoImport[]): TextEdit[] {
  const { text, root } = doc;
  const eol = eolOf(text);
  const have = goImportNames(root);
  need = need.filter((n, i) => !have.has(n.path) && need.findIndex((m) => m.path === n.path) === i);
  if (!need.length) return [];
  const spec = (n: GoImport) => `${n.alias ? `${n.alias} ` : ''}"${n.path}"`;
  const decls = descendants(root, 'import_declaration');
  const list = decls.map((d) => descendants(d, 'import_spec_list')[0]).find((l) => l);
  if (!list) {
    const old = decls.flatMap((d) => descendants(d, 'import_spec')).map((s) => ({ path: s.childForFieldName('path')!.text.slice(1, -1), alias: s.childForFieldName('name')?.text }));
    const all = [...old, ...need].sort((a, b) => (a.path < b.path ? -1 : 1));
    const std = all.filter((n) => isStd(n.path)), mods = all.filter((n) => !isStd(n.path));
    const block = `import (${eol}${std.map((n) => `\t${spec(n)}${eol}`).join('')}${std.length && mods.length ? eol : ''}${mods.map((n) => `\t${spec(n)}${eol}`).join('')})`;
    if (decls.length) return [{ start: decls[0].startIndex, end: decls[decls.length - 1].endIndex, newText: block }];
    const pkg = descendants(root, 'package_clause')[0];
    const at = pkg ? nextLineStart(text, pkg.endIndex) : 0;
    return [{ start: at, end: at, newText: `${eol}${block}${eol}` }];
  }
  const specs = descendants(list, 'import_spec');
  const indent = specs.length ? indentAt(text, specs[0].startIndex) : '\t';
  const close = lineStart(text, list.endIndex - 1);
  const groups: Node[][] = [];
  for (const s of specs) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1].endPosition.row + 1 === s.startPosition.row) g.push(s); else groups.push([s]);
  }
  const pathOf = (s: Node) => s.childForFieldName('path')?.text.slice(1, -1) ?? '';
  const edits: TextEdit[] = [];
  for (const std of [true, false]) {
    const mine = need.filter((n) => isStd(n.path) === std).sort((a, b) => (a.path < b.path ? -1 : 1));
    if (!mine.length) continue;
    const group = std ? groups.find((g) => g.every((s) => isStd(pathOf(s)))) : [...groups].reverse().find((g) => g.some((s) => !isStd(pathOf(s))));
    if (!group) {
      // A new group: standard library before the first group, modules after the last.
      const at = std ? (groups.length ? lineStart(text, groups[0][0].startIndex) : close) : close;
      const lines = mine.map((n) => `${indent}${spec(n)}${eol}`).join('');
      edits.push({ start: at, end: at, newText: std ? lines + (groups.length ? eol : '') : (groups.length ? eol : '') + lines });
      continue;
    }
    const after = nextLineStart(text, group[group.length - 1].endIndex);
    for (const n of mine) {
      const next = group.find((s) => pathOf(s) > n.path);
      const at = next ? lineStart(text, next.startIndex) : after;
      edits.push({ start: at, end: at, newText: `${indent}${spec(n)}${eol}` });
    }
  }
  return edits;
}
