/** Python (`package/module.function` or `package.module.function`) and Ruby (`file.method`) handlers. */
import type { Node } from 'web-tree-sitter';
import { type CodeIndex, filesUnder, kids } from './codeIndex';
import { found, type HandlerLocation, unresolved } from './location';
import { joinPosix } from '../iac/types';

/** 1-based line of a top-level `def name` / `async def name` / `name = ...` in a Python module. */
export function findPythonFunction(root: Node, name: string): number | undefined {
  for (const st of kids(root)) {
    const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    if ((def?.type === 'function_definition' || def?.type === 'class_definition') && def.childForFieldName('name')?.text === name) return def.startPosition.row + 1;
    if (st.type === 'expression_statement') {
      const a = kids(st)[0];
      if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) return st.startPosition.row + 1;
    }
  }
  return undefined;
}

/** Locates a Python handler under `codeDir`. */
export function locatePythonHandler(index: CodeIndex, codeDir: string, handler: string, deep = false): HandlerLocation {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) return unresolved(`handler \`${handler}\` is not of the form module.function`);
  const mod = handler.slice(0, dot).replace(/\./g, '/');
  const fn = handler.slice(dot + 1);
  const files = [joinPosix(codeDir, `${mod}.py`), joinPosix(codeDir, `${mod}/__init__.py`)];
  if (deep && !files.some((f) => index.has(f))) {
    const hits = filesUnder(index, codeDir, `/${mod}.py`);
    if (hits.length === 1) files.push(hits[0]);
    else if (hits.length > 1) return unresolved(`${hits.length} files under ${codeDir} are ${mod}.py`, [], hits.map((f) => ({ file: f, line: 1, why: 'same module path' })));
  }
  for (const f of files) {
    if (!index.has(f)) continue;
    const root = index.tree(f);
    const line = root ? findPythonFunction(root, fn) : undefined;
    if (line) return found(f, line, fn);
    return unresolved(`${f} has no top-level \`${fn}\``);
  }
  return unresolved(`no ${files[0]} in the workspace`);
}

/** Locates a Ruby handler `file.method` (top-level `def` or `Module::Class.method` is not resolved). */
export function locateRubyHandler(index: CodeIndex, codeDir: string, handler: string): HandlerLocation {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) return unresolved(`handler \`${handler}\` is not of the form file.method`);
  const f = joinPosix(codeDir, `${handler.slice(0, dot)}.rb`);
  const name = handler.slice(dot + 1);
  if (!index.has(f)) return unresolved(`no ${f} in the workspace`);
  const root = index.tree(f);
  for (const st of kids(root)) {
    if (st.type === 'method' && st.childForFieldName('name')?.text === name) return found(f, st.startPosition.row + 1, name);
  }
  return unresolved(`${f} has no top-level \`def ${name}\``);
}
