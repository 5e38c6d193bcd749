/** Locates a declared function's handler in the workspace, dispatching on its runtime. */
import { parse as parseToml } from 'smol-toml';
import { type CodeIndex, type CodeLanguage, filesUnder, isDir } from './codeIndex';
import { locateCsharpHandler, locateJavaHandler } from './compiledHandlers';
import { found, type HandlerLocation, unresolved } from './location';
import { locateGoHandler, locateRustHandler } from './nativeHandlers';
import { findExport, locateNodeHandler } from './nodeHandler';
import { findPythonFunction, locatePythonHandler, locateRubyHandler } from './scriptHandlers';
import { dirnamePosix, type FunctionDecl, joinPosix } from '../iac/types';

/** The language family a function's code is written in, from runtime, handler form and files. */
export function runtimeLanguage(fn: FunctionDecl, index: CodeIndex, codeDir: string): CodeLanguage | undefined {
  const rt = (fn.runtime ?? '').toLowerCase();
  if (rt.startsWith('nodejs') || rt === 'node') return 'typescript';
  if (rt.startsWith('python')) return 'python';
  if (rt.startsWith('java')) return 'java';
  if (rt.startsWith('dotnet')) return 'csharp';
  if (rt.startsWith('ruby')) return 'ruby';
  if (rt.startsWith('go')) return 'go';
  if (rt === 'rust' || fn.binary) return 'rust';
  const h = fn.handler ?? '';
  if (!rt && /^[\w.]+::\w+$/.test(h)) return 'java';
  if (!rt && h.split('::').length === 3) return 'csharp';
  if (rt.startsWith('provided') || !rt) {
    if (index.has(joinPosix(codeDir, 'Cargo.toml'))) return 'rust';
    if (index.has(joinPosix(codeDir, 'go.mod')) || filesUnder(index, codeDir, '.go').length) return 'go';
    if (fn.handler?.split('::').length === 3) return 'csharp';
  }
  return undefined;
}

/** Locates `fn`'s handler; never throws. */
export function locateHandler(fn: FunctionDecl, index: CodeIndex): HandlerLocation {
  const declDir = dirnamePosix(fn.declaredIn.file);
  if (fn.location) return found(fn.location.file, fn.location.line, fn.handler ?? fn.name, []);
  if (fn.runtime === 'custom') return unresolved(`custom handler executable ${fn.handler ?? ''}: its source language is not declared`);
  if (fn.packageType === 'image') return unresolved(`container image function (${fn.imageUri ?? 'image'}): its code is not in the workspace`);
  if (fn.packageType === 'inline' && fn.inlineCode) return locateInline(fn, index);
  if (fn.sourceFile) return locateInFile(fn, index, fn.sourceFile);
  if (!fn.codeUri) return unresolved(fn.warnings[0] ?? 'no code location declared');
  const codeIsDir = isDir(index, fn.codeUri);
  const artifact = /\.(zip|jar|tar\.gz)$/i.test(fn.codeUri) || (!codeIsDir && fn.codeUri.split('/').some((x) => BUILD_DIRS.has(x)));
  let codeDir: string;
  if (codeIsDir) codeDir = fn.codeUri;
  else if (artifact) {
    const root = sourceRootOfArtifact(index, fn.codeUri);
    if (!root) return unresolved(`${fn.codeUri} is a prebuilt archive that is not in the workspace; its sources are unknown`);
    codeDir = root;
  }
  else if (index.has(fn.codeUri)) codeDir = dirnamePosix(fn.codeUri);
  else return unresolved(`code folder ${fn.codeUri} is not in the workspace (build output or a CDK asset not synthesized here)`);
  const deep = artifact;
  const archiveNote = artifact ? [`${fn.codeUri} is a build artifact; sources searched in ${codeDir}`] : [];
  const lang = runtimeLanguage(fn, index, codeDir);
  const h = fn.handler;
  const withNote = (r: HandlerLocation): HandlerLocation => ({ ...r, codeDir, warnings: [...archiveNote, ...r.warnings] });
  if (!h && lang !== 'go' && lang !== 'rust') return unresolved(fn.warnings.find((w) => w.startsWith('handler')) ?? 'no handler declared');
  switch (lang) {
    case 'typescript': return withNote(locateNodeHandler(index, codeDir, h ?? '', fn.entryPoints, deep));
    case 'python': return withNote(locatePythonHandler(index, codeDir, h ?? '', deep));
    case 'ruby': return withNote(locateRubyHandler(index, codeDir, h ?? ''));
    case 'java': return withNote(locateJavaHandler(index, codeDir, h ?? ''));
    case 'csharp': return withNote(locateCsharpHandler(index, codeDir, h ?? ''));
    case 'go': return withNote(locateGo(fn, index, codeDir));
    case 'rust': return withNote(locateRust(fn, index, codeDir));
    default: return unresolved(`runtime ${fn.runtime ?? '(none)'}: no handler locator for it`);
  }
}

const BUILD_DIRS = new Set(['build', 'target', 'dist', 'out', 'bin', 'obj', '.aws-sam', 'release', 'Release']);

/** The folder whose sources an artifact was built from: the part of its path before a build-output folder. */
export function sourceRootOfArtifact(index: CodeIndex, artifact: string): string | undefined {
  const segs = artifact.split('/');
  const i = segs.findIndex((s) => BUILD_DIRS.has(s));
  const root = i >= 0 ? segs.slice(0, i).join('/') || '.' : dirnamePosix(artifact);
  return isDir(index, root) ? root : undefined;
}

function locateGo(fn: FunctionDecl, index: CodeIndex, codeDir: string): HandlerLocation {
  const h = fn.handler ?? '';
  const hint = h && h !== 'bootstrap' && h !== 'main' ? h.split('/').pop() : undefined;
  const dirs = new Set(filesUnder(index, codeDir, '.go').map(dirnamePosix));
  if (dirs.has(codeDir)) return locateGoHandler(index, codeDir, hint);
  const named = hint ? [...dirs].filter((d) => index.has(`${d}/${hint}.go`)) : [];
  if (named.length === 1) return locateGoHandler(index, named[0], hint);
  if (dirs.size === 1) return locateGoHandler(index, [...dirs][0], hint);
  return unresolved(`no Go package for \`${h}\` in ${codeDir}`, [], [...dirs].map((d) => ({ file: `${d}`, line: 1, why: 'Go package folder' })));
}

function locateRust(fn: FunctionDecl, index: CodeIndex, codeDir: string): HandlerLocation {
  const bin = fn.binary;
  const crates = [codeDir, ...(bin ? [joinPosix(codeDir, bin)] : [])].filter((d) => index.has(joinPosix(d, 'Cargo.toml')));
  for (const crate of crates) {
    const cargoFile = joinPosix(crate, 'Cargo.toml');
    let cargo: Record<string, unknown> = {};
    try { cargo = parseToml(index.text(cargoFile) ?? '') as Record<string, unknown>; } catch (e) {
      return unresolved(`${cargoFile}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    const members = (cargo.workspace as { members?: string[] } | undefined)?.members ?? [];
    if (!cargo.package && members.length) {
      const m = members.find((x) => x === bin) ?? (members.length === 1 ? members[0] : undefined);
      if (m) return locateRust({ ...fn, binary: undefined }, index, joinPosix(crate, m));
      continue;
    }
    const bins = (cargo.bin as { name?: string; path?: string }[] | undefined) ?? [];
    const b = bin ? bins.find((x) => x.name === bin) : bins.length === 1 ? bins[0] : undefined;
    const candidates = [b?.path, bin ? `src/bin/${bin}.rs` : undefined, 'src/main.rs'].filter((x): x is string => !!x).map((p) => joinPosix(crate, p));
    const main = candidates.find((f) => index.has(f));
    if (main) return locateRustHandler(index, main);
    return unresolved(`no source for binary ${bin ?? '(default)'} in ${cargoFile}`);
  }
  return unresolved(`no Cargo.toml in ${codeDir}`);
}

function locateInFile(fn: FunctionDecl, index: CodeIndex, file: string): HandlerLocation {
  const h = fn.handler ?? '';
  const name = h.slice(h.lastIndexOf('.') + 1);
  const root = index.has(file) ? index.tree(file) : undefined;
  if (!root) return unresolved(`${file} is not in the workspace`);
  const line = file.endsWith('.py') ? findPythonFunction(root, name) : findExport(root, name)?.line;
  return line ? found(file, line, name, [`inline code read from ${file}`]) : unresolved(`${file} defines no \`${name}\``);
}

function locateInline(fn: FunctionDecl, index: CodeIndex): HandlerLocation {
  const code = fn.inlineCode!;
  const rt = fn.runtime ?? '';
  const h = fn.handler ?? '';
  const name = h.slice(h.lastIndexOf('.') + 1);
  const lang: CodeLanguage | undefined = rt.startsWith('python') ? 'python' : rt.startsWith('nodejs') ? 'javascript' : undefined;
  const root = lang ? index.parseText(code.text, lang) : undefined;
  if (!root) return unresolved(`inline code for runtime ${rt} cannot be parsed here`);
  const line = lang === 'python' ? findPythonFunction(root, name) : findExport(root, name)?.line;
  if (!line) return unresolved(`inline code defines no \`${name}\``);
  return found(fn.declaredIn.file, code.firstLine + line - 1, name, ['inline code in the template']);
}

