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
