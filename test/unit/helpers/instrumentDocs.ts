// What the instrumentation tests share: parsed documents (real tree-sitter grammars), the source
// files of a corpus folder, and applying propagation fixes until none is offered.
import fs from 'node:fs';
import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { type CodeLanguage, languageOf } from '../../../src/core/code/codeIndex';
import { planPropagation, propagationSites } from '../../../src/core/instrument/propagate';
import { applyEdits } from '../../../src/core/instrument/text';
import type { SourceDoc } from '../../../src/core/instrument/types';
import { type GrammarName, loadParsers } from '../../../src/sources/workspace/grammars';

const parsers = new Map<GrammarName, Parser>();

/** Loads the grammars `docOf` needs (call from a `before` hook). */
export async function useParsers(langs: GrammarName[]): Promise<void> {
  const loaded = await loadParsers(langs);
  if (loaded.errors.length) throw new Error(loaded.errors.join('; '));
  for (const [k, v] of loaded.parsers) parsers.set(k, v);
}

/** `file` (its text, or the file read from disk) parsed by the grammar of its extension. */
export function docOf(file: string, text = fs.readFileSync(file, 'utf8')): SourceDoc {
  const lang = languageOf(file) as CodeLanguage;
  const parser = parsers.get(lang);
  if (!parser) throw new Error(`no ${lang} grammar loaded (useParsers)`);
  return { text, root: parser.parse(text)!.rootNode, lang, fileName: path.basename(file) };
}

/** Files below `dir` whose names match `names`, skipping node_modules, cdk.out and target. */
export function sourceFiles(dir: string, names: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' || d.name === 'cdk.out' || d.name === 'target' ? [] : sourceFiles(p, names);
    return names.test(d.name) ? [p] : [];
  });
}

/** `kind target line` of each propagation site in `text`, quiet ones marked ` quiet`, or left out when `quiet` is false. */
export function siteLines(name: string, text: string, quiet = true): string[] {
  return propagationSites(docOf(name, text)).filter((s) => quiet || !s.quiet).map((s) => `${s.kind} ${s.target} ${s.line}${s.quiet ? ' quiet' : ''}`);
}

/**
 * Applies the first propagation site (quiet ones too when `quiet`) until none is left, checking that
 * every step still parses; the text and the titles in order. A site offered again and again fails.
 */
export function propagateAll(name: string, text: string, quiet = true): { text: string; titles: string[] } {
  const titles: string[] = [];
  for (let i = 0; i < 20; i++) {
    const doc = docOf(name, text);
    if (doc.root.hasError) throw new Error(`${name} does not parse after ${titles.join(', ')}`);
    const [site] = propagationSites(doc).filter((s) => quiet || !s.quiet);
    if (!site) return { text, titles };
    const plan = planPropagation(doc, site);
    titles.push(plan.title);
    text = applyEdits(text, plan.edits);
  }
  throw new Error('propagation sites keep coming back');
}
