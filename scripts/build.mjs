// Builds the three bundles named in STYLE.md: extension (node), webview (web) and cli (node).
// esbuild instead of webpack: the same named configs, built in about a second on this 2-core machine.
// Usage: node scripts/build.mjs [--watch] [extension|webview|cli ...]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const watch = process.argv.includes('--watch');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

// jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow: bundle its ESM build.
const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root, legalComments: 'none', alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' } };
// Modules the extension loads with `await import()` on first use and that carry heavy dependencies: each
// becomes its own file in dist/, so loading dist/extension.js at activation does not parse them (the AWS
// SDK alone is about 1 MB). A chunk must not share classes checked with `instanceof` with the main bundle:
// each bundle has its own copy of the modules both import.
const lazyChunks = {
  'src/sources/xrayApi/xrayApiSource.ts': 'xrayApi.js',
  'src/sources/workspace/lazyWorkspace.ts': 'workspace.js',
};
const lazyChunkPlugin = {
  name: 'lazy-chunks',
  setup(b) {
    // The import() becomes a lazily run `require('./chunk.js')`: a require, since the extension host loads CommonJS.
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.namespace === 'lazy-chunk') return { path: args.path, external: true };
      if (args.kind !== 'dynamic-import') return undefined;
      const rel = path.relative(root, path.resolve(args.resolveDir, args.path)) + '.ts';
      return lazyChunks[rel] ? { path: `./${lazyChunks[rel]}`, namespace: 'lazy-chunk' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-chunk' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};
const extensionBase = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] };
const configs = {
  extension: { ...extensionBase, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [lazyChunkPlugin] },
  ...Object.fromEntries(Object.entries(lazyChunks).map(([src, out]) => [`extension:${out}`, { ...extensionBase, entryPoints: [src], outfile: `dist/${out}` }])),
  cli: { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  webview: { ...common, entryPoints: ['webview-ui/src/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'chrome120', minify: true },
};

// Grammar and runtime WebAssembly files that the parsers load at run time.
function copyWasm() {
  const out = path.join(root, 'dist', 'wasm');
  fs.mkdirSync(out, { recursive: true });
  // tree-sitter-wasms 0.1.13 grammars fail web-tree-sitter 0.27's dylink check; these load.
  const grammars = ['javascript', 'typescript', 'tsx', 'python', 'java', 'go', 'c-sharp', 'rust', 'ruby'];
  const files = grammars.map((g) => path.join(root, 'node_modules/@vscode/tree-sitter-wasm/wasm', `tree-sitter-${g}.wasm`));
  files.push(path.join(root, 'node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'));
  for (const f of files) {
    if (fs.existsSync(f)) fs.copyFileSync(f, path.join(out, path.basename(f)));
  }
  const rt = path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm');
  if (fs.existsSync(rt)) fs.copyFileSync(rt, path.join(out, 'web-tree-sitter.wasm'));
}

// The codicon font and stylesheet the waterfall webview links (codicon.css loads ./codicon.ttf).
function copyCodicons() {
  const out = path.join(root, 'dist', 'codicons');
  fs.mkdirSync(out, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    fs.copyFileSync(path.join(root, 'node_modules/@vscode/codicons/dist', f), path.join(out, f));
  }
}

// `extension` includes its lazy chunks.
const names = only.length ? Object.keys(configs).filter((n) => only.includes(n.split(':')[0])) : Object.keys(configs);
const t0 = Date.now();
copyWasm();
copyCodicons();
await Promise.all(names.map(async (name) => {
  const cfg = configs[name];
  if (!cfg) throw new Error(`unknown bundle ${name}`);
  if (watch) { const ctx = await esbuild.context(cfg); await ctx.watch(); return; }
  await esbuild.build(cfg);
}));
if (fs.existsSync(path.join(root, 'dist/cli.js'))) fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
if (!watch) console.log(`built ${names.join(', ')} in ${Date.now() - t0} ms`);
