// Bundles the integration suites (test/integration/**) into out/integration/ (git-ignored): index.js, the
// `run()` module the extension host loads (@vscode/test-electron's extensionTestsPath contract), and one
// <name>.test.js per suite, which index.js hands to mocha. `vscode` comes from the extension host and
// mocha from node_modules at run time, so neither is bundled.
// Usage: node scripts/buildIntegration.mjs
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const srcDir = path.join(root, 'test/integration');
const outDir = path.join(root, 'out/integration');

function suites(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return suites(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}

const t0 = Date.now();
const entryPoints = [path.join(srcDir, 'index.ts'), ...suites(srcDir)];
// stale bundles of deleted suites would still be run
fs.rmSync(outDir, { recursive: true, force: true });
await esbuild.build({
  entryPoints, outdir: outDir, outbase: srcDir, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning', absWorkingDir: root,
});
console.log(`built ${entryPoints.length - 1} integration suite(s) into ${path.relative(root, outDir)} in ${Date.now() - t0} ms`);
