import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
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
      // blueprints/admin.py is imported but never registered: not listed
      ['InvoiceQueue', 'python', 'invoice_queue', 'python/blueprints/billing.py', 10, 'python/blueprints/billing.py:8', ['trigger queueTrigger']],
      ['get_report', 'python', 'get_report', 'python/blueprints/reports.py', 9, 'python/blueprints/reports.py:8', ['trigger httpTrigger']],
      ['http_trigger', 'python', 'http_trigger', 'python/function_app.py', 15, 'python/function_app.py:14', ['trigger httpTrigger']],
      ['CleanupTimer', 'python', 'cleanup', 'python/function_app.py', 26, 'python/function_app.py:24', ['trigger timerTrigger']],
      ['process_order', 'python', 'process_order', 'python/function_app.py', 34, 'python/function_app.py:32', ['trigger queueTrigger']],
    ]);
    assert.deepEqual(r.warnings, ['python/blueprints/admin.py:3: blueprint bp is not registered by python/function_app.py (no app.register_functions(bp) of it): purge, nightly_purge not indexed by the Functions host']);
    assert.ok(r.functions.every((f) => f.kind === 'azure'));
    assert.ok(!r.functions.some((f) => f.declaredIn.startsWith('not-an-app/')), 'a file outside any host.json app registers nothing');
  });

  it('lists a Python blueprint once function_app.py registers it, on the next incremental run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-azbp-'));
    try {
      fs.cpSync(path.join(fixture, 'python'), dir, { recursive: true });
      const d = new WorkspaceDiscovery(dir);
      assert.ok(!(await d.run()).functions.some((f) => f.file === 'blueprints/admin.py'));
      const app = path.join(dir, 'function_app.py');
      fs.writeFileSync(app, fs.readFileSync(app, 'utf8').replace('app.register_blueprint(billing.bp)\n', 'app.register_blueprint(billing.bp)\napp.register_functions(admin_bp)\n'));
      const after = await d.run();
      assert.deepEqual(after.functions.filter((f) => f.file === 'blueprints/admin.py').map((f) => [f.name, f.line]), [['purge', 7], ['nightly_purge', 12]]);
      assert.deepEqual(after.warnings, []);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
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
