/** Adds a needed package to a manifest where that is safe: package.json dependencies, requirements.txt. */
import { applyEdits as applyJsonEdits, modify, parseTree, findNodeAtLocation } from 'jsonc-parser';
import { eolOf } from './text';
import type { PackageNeed, TextEdit } from './types';

/** The normalized distribution name of a requirements line (`Foo_Bar[x]>=1` -> `foo-bar`), or undefined for comments/options. */
function requirementName(line: string): string | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#') || t.startsWith('-')) return undefined;
  const m = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(t);
  return m ? m[0].toLowerCase().replace(/[._]+/g, '-') : undefined;
}

/**
 * Edits adding `pkg` to a manifest's text (`package.json` or `requirements.txt`, by `manifestName`),
 * or [] when it is already listed. Undefined when the manifest kind is not edited automatically.
 */
export function manifestEdits(manifestName: string, text: string, pkg: PackageNeed): TextEdit[] | undefined {
  const base = manifestName.replace(/^.*[\\/]/, '');
  if (base === 'package.json' && pkg.ecosystem === 'npm') {
    const tree = parseTree(text);
    if (!tree || tree.type !== 'object') return undefined;
    for (const sect of ['dependencies', 'devDependencies', 'peerDependencies']) if (findNodeAtLocation(tree, [sect, pkg.name])) return [];
    const eol = eolOf(text);
    const indentM = /\n([ \t]+)"/.exec(text);
    const edits = modify(text, ['dependencies', pkg.name], pkg.version ?? '*', { formattingOptions: { insertSpaces: !indentM?.[1].startsWith('\t'), tabSize: indentM?.[1].length ?? 2, eol } });
    return edits.map((e) => ({ start: e.offset, end: e.offset + e.length, newText: e.content }));
  }
  if (base === 'requirements.txt' && pkg.ecosystem === 'pip') {
    const want = requirementName(pkg.name);
    if (text.split(/\r?\n/).some((l) => requirementName(l) === want)) return [];
    const eol = eolOf(text);
    const sep = text.length && !text.endsWith('\n') ? eol : '';
    return [{ start: text.length, end: text.length, newText: `${sep}${pkg.name}${pkg.version ?? ''}${eol}` }];
  }
  return undefined;
}

/** `manifestEdits` applied (for callers holding the text). */
export function withPackage(manifestName: string, text: string, pkg: PackageNeed): string | undefined {
  const edits = manifestEdits(manifestName, text, pkg);
  if (!edits) return undefined;
  return applyJsonEdits(text, edits.map((e) => ({ offset: e.start, length: e.end - e.start, content: e.newText })));
}
