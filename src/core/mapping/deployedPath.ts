/**
 * Deployed file paths (`/var/task/...`, `/opt/...`, `.aws-sam/build/<Fn>/...`, `dist/...`, a
 * developer's absolute path) mapped to workspace files.
 */

/** What the mapping knows about the function that produced the frame. */
export interface FunctionCode {
  /** Workspace-relative folder deployed as the function's code (its `/var/task`). */
  codeDir: string;
  /** `LAMBDA_TASK_ROOT` / X-Ray `working_directory` when known (e.g. `/var/task/orders`). */
  taskRoot?: string;
  /** Workspace-relative content folders of the layers this function uses (what its `/opt` holds). */
  layerDirs?: string[];
}

export type PathMapping =
  | { file: string; via: string }
  | { file?: undefined; unmapped: string; candidates?: string[] };

const LIBRARY = /(^|\/)(node_modules|site-packages|dist-packages|\.venv|vendor)\/|^node:|^node$|^internal\/|^<|^runtime\/|^github\.com\/|^golang\.org\/|@v\d/;

/**
 * True for frames of the runtime, of dependencies or of the SDKs: never the user's code. Paths under
 * `/opt` are layer content, which may be the user's own code even under `node_modules`: they are
 * not library paths here, and `mapDeployedPath` tells whether a workspace layer holds them.
 */
export function isLibraryPath(p: string): boolean {
  if (/^\/opt\//.test(p.replace(/\\/g, '/').replace(/^file:\/\//, ''))) return false;
  return LIBRARY.test(p) || p === 'native' || /^(java|javax|jdk|sun|com\.amazonaws|software\.amazon)\//.test(p) || /^System\./.test(p);
}

function under(dir: string, rel: string): string {
  return dir === '.' || dir === '' ? rel : `${dir}/${rel}`;
}

/**
 * Maps one deployed path to a workspace file. `files` is the sorted workspace file list;
 * `fn` the function's code folder when the span's function is known; `samBuild` maps a
 * `.aws-sam/build/<LogicalId>` folder to that function's code folder.
 */
export function mapDeployedPath(path: string, files: readonly string[], fn?: FunctionCode, samBuild?: ReadonlyMap<string, string>, layerDirs?: readonly string[]): PathMapping {
  const has = (f: string) => binaryHas(files, f);
  const p = path.replace(/\\/g, '/').replace(/^file:\/\//, '');
  // Layer code is user code even under node_modules/site-packages: check /opt before the library test.
  if (/^\/opt\//.test(p)) return mapLayerPath(p.slice(5), has, [...(fn?.layerDirs ?? []), ...(layerDirs ?? [])]);
  if (isLibraryPath(path)) return { unmapped: 'library or runtime frame' };
  if (has(p)) return { file: p, via: 'workspace path' };
  const sam = /(?:^|\/)\.aws-sam\/build\/([^/]+)\/(.+)$/.exec(p);
  if (sam) {
    const dir = samBuild?.get(sam[1]);
    if (dir && has(under(dir, sam[2]))) return { file: under(dir, sam[2]), via: `.aws-sam/build/${sam[1]} is ${dir}` };
  }
  if (fn) {
    const roots = [fn.taskRoot, '/var/task'].filter((r): r is string => !!r).map((r) => r.replace(/\/$/, ''));
    for (const root of roots) {
      if (!p.startsWith(`${root}/`)) continue;
      const segs = p.slice(root.length + 1).split('/');
      for (let i = 0; i < segs.length; i++) {
        const cand = under(fn.codeDir, segs.slice(i).join('/'));
        if (has(cand)) return { file: cand, via: `${root}${i ? `/${segs.slice(0, i).join('/')}` : ''} is ${fn.codeDir}` };
      }
    }
    const rel = p.startsWith('/') ? undefined : under(fn.codeDir, p);
    if (rel && has(rel)) return { file: rel, via: `relative to ${fn.codeDir}` };
  }
  return suffixMatch(p, files, fn?.codeDir);
}

/**
 * `/opt/<rest>` looked up in each layer folder (the function's own layers first). A layer
 * folder usually holds the runtime folder itself (`nodejs/`, `python/`, `java/lib/`), but some
 * projects point the layer at that folder's content, so the runtime prefix is also tried stripped.
 */
function mapLayerPath(rest: string, has: (f: string) => boolean, dirs: readonly string[]): PathMapping {
  const rels = [rest];
  const site = /^python\/lib\/python[\d.]+\/site-packages\/(.+)$/.exec(rest);
  if (site) rels.push(`python/${site[1]}`, site[1]);
  const runtime = /^(nodejs\/node\d+\/node_modules|nodejs\/node_modules|nodejs|python|java\/lib|java|ruby\/gems\/[^/]+|ruby\/lib|ruby|bin|lib)\/(.+)$/.exec(rest);
  if (runtime) rels.push(runtime[2]);
  if (/^nodejs\/node_modules\//.test(rest)) rels.push(rest.slice('nodejs/'.length));
  for (const dir of new Set(dirs)) {
    for (const rel of rels) {
      const cand = under(dir, rel);
      if (has(cand)) return { file: cand, via: `/opt is layer ${dir}` };
    }
  }
  return { unmapped: 'no layer in the workspace contains it' };
}

/** The longest path suffix naming exactly one workspace file (preferring the function's folder). */
export function suffixMatch(p: string, files: readonly string[], preferDir?: string): PathMapping {
  const segs = p.split('/').filter(Boolean);
  for (let k = segs.length; k >= 1; k--) {
    const suffix = segs.slice(segs.length - k).join('/');
    const hits = files.filter((f) => f === suffix || f.endsWith(`/${suffix}`));
    if (hits.length === 1) return { file: hits[0], via: `path suffix ${suffix}` };
    if (hits.length > 1) {
      const local = preferDir ? hits.filter((f) => f.startsWith(`${preferDir}/`)) : [];
      if (local.length === 1) return { file: local[0], via: `path suffix ${suffix} in ${preferDir}` };
      return { unmapped: `${hits.length} workspace files end with ${suffix}`, candidates: hits.slice(0, 10) };
    }
  }
  return { unmapped: 'no workspace file matches this path' };
}

function binaryHas(files: readonly string[], f: string): boolean {
  let lo = 0, hi = files.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (files[mid] < f) lo = mid + 1; else hi = mid; }
  return lo < files.length && files[lo] === f;
}
