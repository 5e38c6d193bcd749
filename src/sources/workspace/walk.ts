/** Lists a workspace's files, skipping dependency and build folders and simple .gitignore entries. */
import fs from 'node:fs';
import path from 'node:path';

/** Folders never worth walking for declarations or handler sources. */
export const DEFAULT_IGNORED = new Set(['node_modules', '.git', '.hg', '.svn', '.aws-sam', '.serverless', '.terraform', 'target', 'bin', 'obj', '.venv', 'venv', '__pycache__', '.idea', '.vscode', 'coverage', '.gradle', 'build', 'dist']);

/** One file's identity for change detection. */
export interface FileStamp {
  mtimeMs: number;
  size: number;
}

/**
 * Walks `root`; returns workspace-relative posix paths (sorted) and their stamps. Symlinks are not
 * followed. `.gitignore` lines naming a plain folder or file (no glob) are honoured at any depth.
 */
export function walkWorkspace(root: string, maxFiles = 200_000): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  const ignored = new Set(DEFAULT_IGNORED);
  try {
    for (const l of fs.readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n')) {
      const t = l.trim().replace(/^\/|\/$/g, '');
      if (t && !t.startsWith('#') && !/[*?[!]/.test(t) && !t.includes('/')) ignored.add(t);
    }
  } catch { /* no .gitignore */ }
  const stack = [''];
  while (stack.length && out.size < maxFiles) {
    const rel = stack.pop()!;
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) { if (!ignored.has(e.name)) stack.push(r); continue; }
      if (!e.isFile()) continue;
      try { const st = fs.statSync(path.join(root, r)); out.set(r, { mtimeMs: st.mtimeMs, size: st.size }); } catch { /* vanished */ }
    }
  }
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Folders never walked inside a layer: VCS data, caches, npm's executables and package-manager stores. */
const LAYER_IGNORED = new Set(['.git', '__pycache__', '.bin', '.cache', '.pnpm', '.yarn']);

/** Reads a JSON file, or undefined. */
function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return v && typeof v === 'object' ? v as Record<string, unknown> : undefined;
  } catch { return undefined; }
}

/**
 * Package folders under one `node_modules` that a package manager installed (third-party code).
 * A package counts as installed when npm wrote install metadata into its package.json
 * (`_resolved`/`_integrity`/`_from`, npm 6 and older), when npm's hidden lockfile
 * `node_modules/.package-lock.json` records where it was resolved from (npm 7 and later; `file:`
 * and linked packages are the project's own), or when the manifest beside `node_modules` depends on
 * it by a registry version (not `file:`/`link:`/`workspace:`). Anything else is hand-written code.
 */
function installedPackages(nodeModulesAbs: string): (pkgRel: string) => boolean {
  const lock = readJson(path.join(nodeModulesAbs, '.package-lock.json'));
  const lockPackages = (lock?.packages ?? {}) as Record<string, { resolved?: string; link?: boolean }>;
  const manifest = readJson(path.join(path.dirname(nodeModulesAbs), 'package.json'));
  const deps = { ...(manifest?.dependencies as Record<string, string> | undefined), ...(manifest?.optionalDependencies as Record<string, string> | undefined) };
  return (pkg) => {
    const own = readJson(path.join(nodeModulesAbs, pkg, 'package.json'));
    if (own && ('_resolved' in own || '_integrity' in own || '_from' in own)) return true;
    const entry = lockPackages[`node_modules/${pkg}`];
    if (entry && !entry.link && typeof entry.resolved === 'string' && !entry.resolved.startsWith('file:')) return true;
    const spec = deps[pkg];
    return typeof spec === 'string' && !/^(file|link|workspace|portal):/.test(spec);
  };
}

/**
 * Walks the content folders of Lambda layers (workspace-relative), including their `node_modules`:
 * a Node layer's own code lives in `nodejs/node_modules/<pkg>`, which the workspace walk skips.
 * Installed third-party packages (see `installedPackages`) and every nested
 * `node_modules/<pkg>/node_modules` (dependencies of a package) are skipped. At most `maxFiles`
 * files in all; paths are workspace-relative posix, sorted.
 */
export function walkLayerContent(root: string, dirs: readonly string[], maxFiles = 20_000): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  for (const dir of new Set(dirs)) {
    if (dir === '.' || dir.startsWith('..')) continue;
    // [relative path, inside a node_modules already]
    const stack: [string, boolean][] = [[dir, false]];
    while (stack.length && out.size < maxFiles) {
      const [rel, inModules] = stack.pop()!;
      let entries: fs.Dirent[];
      try { entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true }); } catch { continue; }
      const isModules = path.posix.basename(rel) === 'node_modules';
      const installed = isModules ? installedPackages(path.join(root, rel)) : undefined;
      for (const e of entries) {
        const r = `${rel}/${e.name}`;
        if (e.isDirectory()) {
          if (LAYER_IGNORED.has(e.name)) continue;
          if (e.name === 'node_modules' && inModules) continue;
          if (installed && e.name.startsWith('@')) {
            let scoped: fs.Dirent[] = [];
            try { scoped = fs.readdirSync(path.join(root, r), { withFileTypes: true }); } catch { /* unreadable */ }
            for (const s of scoped) if (s.isDirectory() && !installed(`${e.name}/${s.name}`)) stack.push([`${r}/${s.name}`, true]);
            continue;
          }
          if (installed && installed(e.name)) continue;
          stack.push([r, inModules || isModules || e.name === 'node_modules']);
          continue;
        }
        // npm's own bookkeeping (.package-lock.json, .yarn-integrity) is not layer code
        if (!e.isFile() || out.size >= maxFiles || (isModules && e.name.startsWith('.'))) continue;
        try { const st = fs.statSync(path.join(root, r)); out.set(r, { mtimeMs: st.mtimeMs, size: st.size }); } catch { /* vanished */ }
      }
    }
  }
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
