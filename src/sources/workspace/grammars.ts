/**
 * Loads the tree-sitter runtime and grammar WebAssembly files, lazily and once per language.
 * In the bundles they sit in `dist/wasm/`; from sources (tests) they come from node_modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TreeSitter from 'web-tree-sitter';
import type { CodeLanguage } from '../../core/code/codeIndex';

/** Grammar languages: the code languages plus Terraform's HCL. */
export type GrammarName = CodeLanguage | 'terraform';

const FILES: Record<GrammarName, string> = {
  javascript: 'tree-sitter-javascript.wasm', typescript: 'tree-sitter-typescript.wasm', tsx: 'tree-sitter-tsx.wasm',
  python: 'tree-sitter-python.wasm', java: 'tree-sitter-java.wasm', go: 'tree-sitter-go.wasm',
  csharp: 'tree-sitter-c-sharp.wasm', rust: 'tree-sitter-rust.wasm', ruby: 'tree-sitter-ruby.wasm',
  terraform: 'tree-sitter-terraform.wasm',
};

function candidates(file: string): string[] {
  const dirs = [path.join(__dirname, 'wasm'), path.join(__dirname, '..', 'wasm')];
  try { dirs.push(path.join(path.dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm')); } catch { /* not installed: bundle only */ }
  try { dirs.push(path.dirname(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json'))); } catch { /* idem */ }
  try { dirs.push(path.dirname(require.resolve('web-tree-sitter/web-tree-sitter.wasm'))); } catch { /* idem */ }
  return dirs.map((d) => path.join(d, file));
}

function locate(file: string): string {
  const hit = candidates(file).find((f) => fs.existsSync(f));
  if (!hit) throw new Error(`grammar file ${file} not found (looked in ${candidates(file).map(path.dirname).join(', ')})`);
  return hit;
}

// require, not import: bundlers pick the ESM build for imports, and it needs import.meta.url,
// which the CJS bundles do not have.
const { Language, Parser } = require('web-tree-sitter') as typeof TreeSitter;
type Language = TreeSitter.Language;
type Parser = TreeSitter.Parser;

let init: Promise<void> | undefined;
const languages = new Map<GrammarName, Promise<Language>>();

/** A parser for `name`, loading the runtime and the grammar on first use. */
export async function loadLanguage(name: GrammarName): Promise<Language> {
  init ??= Parser.init({ locateFile: () => locate('web-tree-sitter.wasm') });
  await init;
  let p = languages.get(name);
  if (!p) { p = Language.load(locate(FILES[name])); languages.set(name, p); }
  return p;
}

/** Loads several grammars; returns a synchronous lookup of parsers for those that loaded, and errors. */
export async function loadParsers(names: Iterable<GrammarName>): Promise<{ parsers: Map<GrammarName, Parser>; errors: string[] }> {
  const parsers = new Map<GrammarName, Parser>();
  const errors: string[] = [];
  await Promise.all([...new Set(names)].map(async (n) => {
    try {
      const lang = await loadLanguage(n);
      const parser = new Parser();
      parser.setLanguage(lang);
      parsers.set(n, parser);
    } catch (e) {
      errors.push(`grammar ${n}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }));
  return { parsers, errors };
}
