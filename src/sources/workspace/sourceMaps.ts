/**
 * Finds the source map of a deployed bundle on disk: `sam build` output (`.aws-sam/build/<Fn>/`),
 * `dist/`/`build/` folders and `cdk.out` assets, none of which the workspace walk lists.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Where a function's deployed `/var/task` may have been built from in the workspace. */
export interface BuildLocation {
  /** Logical id: `.aws-sam/build/<logicalId>/`. */
  logicalId?: string;
  /** Workspace-relative code folder (its `dist/` and `build/` are tried). */
  codeDir?: string;
  /** Folder holding the SAM template (where `.aws-sam` is created). */
  projectDir?: string;
}

/**
 * Returns a lookup for `MappingContext.generatedMap`: deployed path -> the `.map` next to the
 * matching built file, read from disk. Map paths are workspace-relative.
 */
export function sourceMapLookup(root: string, where: BuildLocation): (deployedPath: string) => { mapFile: string; mapText: string } | undefined {
  const cache = new Map<string, { mapFile: string; mapText: string } | undefined>();
  return (deployed) => {
    if (cache.has(deployed)) return cache.get(deployed);
    const rel = /^\/var\/task\/(.+)$/.exec(deployed)?.[1];
    const sam = /(?:^|\/)(\.aws-sam\/build\/.+)$/.exec(deployed)?.[1];
    const candidates: string[] = [];
    if (sam) candidates.push(path.posix.join(where.projectDir ?? '.', sam));
    if (rel) {
      if (where.logicalId) candidates.push(path.posix.join(where.projectDir ?? '.', '.aws-sam/build', where.logicalId, rel));
      if (where.codeDir) for (const out of ['dist', 'build', '.']) candidates.push(path.posix.join(where.codeDir, out, rel));
    }
    let hit: { mapFile: string; mapText: string } | undefined;
    for (const c of candidates) {
      const mapFile = `${c}.map`;
      try { hit = { mapFile, mapText: fs.readFileSync(path.join(root, mapFile), 'utf8') }; break; } catch { /* try the next */ }
    }
    cache.set(deployed, hit);
    return hit;
  };
}
