/**
 * What handler location needs from a workspace, injected by the caller so the locators stay pure:
 * the file list and parsed syntax trees (tree-sitter), both already in memory.
 */
import type { Node } from 'web-tree-sitter';

/** Languages with a grammar. */
export type CodeLanguage = 'javascript' | 'typescript' | 'tsx' | 'python' | 'java' | 'go' | 'csharp' | 'rust' | 'ruby';

export interface CodeIndex {
  /** Every file of the workspace, workspace-relative posix paths, sorted. */
  readonly files: readonly string[];
  has(file: string): boolean;
  /** The syntax tree's root of a file, or undefined when unreadable or of no known language. */
  tree(file: string): Node | undefined;
  /** A file's text (for small config files such as Cargo.toml), or undefined. */
  text(file: string): string | undefined;
  /** Parses text that is not a file (inline template code). */
  parseText(text: string, lang: CodeLanguage): Node | undefined;
}

/** The language of a source file by extension, or undefined. */
export function languageOf(file: string): CodeLanguage | undefined {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  switch (ext) {
    case 'js': case 'mjs': case 'cjs': case 'jsx': return 'javascript';
    case 'ts': case 'mts': case 'cts': return 'typescript';
    case 'tsx': return 'tsx';
    case 'py': return 'python';
    case 'java': return 'java';
    case 'go': return 'go';
    case 'cs': return 'csharp';
    case 'rs': return 'rust';
    case 'rb': return 'ruby';
    default: return undefined;
  }
}

/** Named children without nulls. */
export function kids(n: Node | null | undefined): Node[] {
  return n ? n.namedChildren.filter((c): c is Node => c !== null) : [];
}

/** Depth-first search for nodes of the given types (pre-order). */
export function findAll(n: Node, types: ReadonlySet<string>): Node[] {
  return n.descendantsOfType([...types]).filter((x): x is Node => x !== null);
}

/** True when `dir` is a folder holding at least one indexed file. */
export function isDir(index: CodeIndex, dir: string): boolean {
  if (dir === '.' || dir === '') return index.files.length > 0;
  const prefix = `${dir}/`;
  let lo = 0, hi = index.files.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (index.files[mid] < prefix) lo = mid + 1; else hi = mid; }
  return lo < index.files.length && index.files[lo].startsWith(prefix);
}

/** Files under `dir` (recursively), skipping build output folders. */
export function filesUnder(index: CodeIndex, dir: string, ext?: string): string[] {
  const prefix = dir === '.' || dir === '' ? '' : `${dir}/`;
  return index.files.filter((f) => f.startsWith(prefix) && (!ext || f.endsWith(ext)) && !/(^|\/)(bin|obj|node_modules|target|\.aws-sam|cdk\.out)\//.test(f.slice(prefix.length)));
}
