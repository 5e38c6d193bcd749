#!/usr/bin/env node
// `npm run package`: the release .vsix of the extension. Builds dist/ (every dependency is bundled in,
// hence --no-dependencies), runs @vscode/vsce, then lists what the package holds and its size.
// Usage: node scripts/demo/package.mjs [--out FILE] [--no-build]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outArg = argv.indexOf('--out');
const out = path.resolve(outArg >= 0 ? argv[outArg + 1] : path.join(root, `${pkg.name}-${pkg.version}.vsix`));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) { console.error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`); process.exit(1); }
}

if (!argv.includes('--no-build')) run('node', ['scripts/build.mjs']);
fs.mkdirSync(path.dirname(out), { recursive: true });
// the repository URL is not a GitHub one, so relative README links (docs/, images) stay relative
run('npx', ['vsce', 'package', '--no-dependencies', '--no-rewrite-relative-links', '--allow-missing-repository', '--out', out]);
const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
const files = list.status === 0 ? list.stdout.split('\n').filter((f) => f.startsWith('extension/')) : [];
const tops = new Map();
for (const f of files) { const parts = f.split('/'); const top = parts[1] + (parts.length > 2 ? '/' : ''); tops.set(top, (tops.get(top) ?? 0) + 1); }
const sizeKb = fs.statSync(out).size / 1024;
console.log(`\n${path.relative(process.cwd(), out) || out}: ${sizeKb >= 1024 ? `${(sizeKb / 1024).toFixed(2)} MB` : `${sizeKb.toFixed(0)} KB`}, ${files.length} files`);
console.log([...tops].map(([t, n]) => `  ${t}${t.endsWith('/') ? ` (${n} file${n > 1 ? 's' : ''})` : ''}`).join('\n'));
