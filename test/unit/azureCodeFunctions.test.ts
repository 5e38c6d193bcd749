import assert from 'node:assert/strict';
import path from 'node:path';
import { azureMainSelects } from '../../src/core/iac/azureCode';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';

// No Azure app is in the corpus: these are the `func init` / `func new` templates of the Node.js v4
// and Python v2 programming models (functions registered in code, no function.json).
const fixture = path.resolve(__dirname, '../fixtures/azureCodeModel');

describe('Azure Functions registered in code (Node.js v4, Python v2)', () => {
  it('lists each registration named by its first argument or function_name, at its handler definition (also in the module it is imported from)', async () => {
    const r = await new WorkspaceDiscovery(fixture).run();
    const rows = r.functions.map((f) => [f.name, f.runtime, f.handler, f.file, f.line, f.declaredIn, f.warnings]);
    assert.deepEqual(rows, [
      ['thumbnail', 'node', 'thumbnail', 'node-js/src/functions/blobs.js', 6, 'node-js/src/functions/blobs.js:3', ['trigger blobTrigger']],
      ['httpTrigger1', 'node', 'httpTrigger1', 'node-js/src/functions/httpTrigger1.js', 6, 'node-js/src/functions/httpTrigger1.js:3', ['trigger httpTrigger']],
      ['legacy', 'node', 'legacy.handleLegacy', 'node-js/src/lib/legacy.js', 1, 'node-js/src/functions/legacy.js:4', ['trigger httpTrigger', 'handler imported from ../lib/legacy']],
      ['processOrder', 'node', 'processOrder', 'node-js/src/functions/orders.js', 8, 'node-js/src/functions/orders.js:17', ['trigger queueTrigger']],
      ['nightlyCleanup', 'node', 'nightlyCleanup', 'node-js/src/functions/orders.js', 13, 'node-js/src/functions/orders.js:24', ['trigger timerTrigger']],
      ['ping', 'node', 'ping', 'node-js/src/functions/orders.js', 29, 'node-js/src/functions/orders.js:29', ['trigger httpTrigger']],
      ['httpTrigger1', 'node', 'httpTrigger1', 'node-ts/src/functions/httpTrigger1.ts', 3, 'node-ts/src/functions/httpTrigger1.ts:11', ['trigger httpTrigger']],
      ['renderInvoice', 'node', 'handler', 'node-ts/src/functions/invoices.ts', 4, 'node-ts/src/functions/invoices.ts:9', ['trigger serviceBusTrigger']],
      ['refunds', 'node', 'refunds.refundHandler', 'node-ts/src/handlers/refunds.ts', 5, 'node-ts/src/functions/refunds.ts:4', ['trigger eventGridTrigger', 'handler imported from ../handlers/refunds']],
      ['get_report', 'python', 'get_report', 'python/blueprints/reports.py', 9, 'python/blueprints/reports.py:8', ['trigger httpTrigger']],
      ['http_trigger', 'python', 'http_trigger', 'python/function_app.py', 12, 'python/function_app.py:11', ['trigger httpTrigger']],
      ['CleanupTimer', 'python', 'cleanup', 'python/function_app.py', 23, 'python/function_app.py:21', ['trigger timerTrigger']],
      ['process_order', 'python', 'process_order', 'python/function_app.py', 31, 'python/function_app.py:29', ['trigger queueTrigger']],
    ]);
    assert.ok(r.functions.every((f) => f.kind === 'azure'));
    assert.ok(!r.functions.some((f) => f.declaredIn.startsWith('not-an-app/')), 'a file outside any host.json app registers nothing');
  });

  it("package.json main: a glob selects its files or their TypeScript sources; a single entry file may load any file", () => {
    const cases: [string | undefined, string, boolean][] = [
      ['{ "main": "src/functions/*.js" }', 'src/functions/orders.js', true],
      ['{ "main": "src/functions/*.js" }', 'src/experimental/draft.js', false],
      ['{ "main": "dist/src/functions/*.js" }', 'src/functions/httpTrigger1.ts', true],
      ['{ "main": "dist/src/functions/*.js" }', 'src/handlers/refunds.ts', false],
      ['{ "main": "dist/src/**/*.js" }', 'src/functions/deep/x.ts', true],
      ['{ "main": "src/{functions,jobs}/*.js" }', 'src/jobs/nightly.js', true],
      ['{ "main": "src/index.js" }', 'src/functions/any.js', true],
      [undefined, 'src/functions/any.js', true],
      ['{ not json', 'src/functions/any.js', true],
    ];
    assert.deepEqual(cases.map(([pkg, f]) => azureMainSelects(pkg, f)), cases.map((c) => c[2]));
  });
});
