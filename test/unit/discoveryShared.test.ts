// One discovery per workspace root, shared by the editor's features: runs asked for at the same time
// run one after the other, and the file lists are those of a finished run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedDiscovery } from '../../src/sources/workspace/discovery';

const samApp = path.resolve(__dirname, '../fixtures/samApp');
const LAYER_FILE = 'layers/shared/nodejs/node_modules/shared-utils/index.js';

describe('workspace discovery shared by the editor features', function () {
  this.timeout(60_000);

  it('gives one instance per root', () => {
    assert.equal(sharedDiscovery(samApp), sharedDiscovery(samApp));
    assert.notEqual(sharedDiscovery(samApp), sharedDiscovery(path.resolve(__dirname, '../fixtures/azureCodeModel')));
  });

  it('runs started together give the same functions; files() holds the layer files, workspaceFiles() only the walk', async () => {
    const d = sharedDiscovery(samApp);
    const [a, b, c] = await Promise.all([d.run(), d.run(), d.run()]);
    const names = (r: typeof a) => r.functions.map((f) => `${f.name} ${f.file}:${f.line} ${(f.layerDirs ?? []).join(',')}`);
    assert.deepEqual(names(a), ['OrdersFunction orders/index.js:44 layers/shared', 'OrdersPythonFunction orders_py/lambda_function.py:36 ']);
    assert.deepEqual(names(b), names(a));
    assert.deepEqual(names(c), names(a));
    // The later runs found nothing changed: nothing parsed again.
    assert.deepEqual(c.parsedFiles, []);
    assert.ok(d.files().includes(LAYER_FILE));
    assert.ok(!d.workspaceFiles().includes(LAYER_FILE));
    assert.ok(d.workspaceFiles().includes('template.yaml'));
  });
});
