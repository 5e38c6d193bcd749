// The same integration suites as scripts/vscode/runExtTests.js, run by @vscode/test-electron in a downloaded
// desktop VS Code (needs access to update.code.visualstudio.com, which the sandboxed machines here lack).
// Usage: npm run test:electron   Env: VSCODE_VERSION (default "stable")
import { runTests } from '@vscode/test-electron';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
try {
  await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/integration/index.js'),
    launchArgs: [path.join(root, 'test/fixtures/samApp'), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
  });
} catch (e) {
  console.error('integration suites failed:', e instanceof Error ? e.message : e);
  process.exit(1);
}
