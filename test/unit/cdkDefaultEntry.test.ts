import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';

const fixture = path.resolve(__dirname, '../fixtures/cdkDefaultEntry');

describe('CDK NodejsFunction without entry', () => {
  it("resolves CDK's default entry <stack file>.<id>.ts, then .js, beside the stack file", async () => {
    const { functions } = await new WorkspaceDiscovery(fixture).run();
    const rows = functions.map((f) => [f.name, f.handler, f.file, f.line, f.declaredIn, f.unresolvedReason ?? null]);
    assert.deepEqual(rows, [
      ['create-order', 'orders-stack.create-order.handler', 'lib/orders-stack.create-order.ts', 8, 'lib/orders-stack.ts:11', null],
      ['list-orders', 'orders-stack.list-orders.main', 'lib/orders-stack.list-orders.js', 5, 'lib/orders-stack.ts:13', null],
      ['archive-orders', 'orders-stack.archive-orders.handler', null, null, 'lib/orders-stack.ts:19', 'no orders-stack.archive-orders{.ts,.mts,.cts,.tsx,.js,.mjs,.cjs} in lib'],
      ['audit', null, null, null, 'lib/orders-stack.ts:21', 'NodejsFunction props are computed: its `entry` is unknown'],
    ]);
    const list = functions.find((f) => f.name === 'list-orders')!;
    assert.equal(list.memoryMb, 256);
    assert.equal(list.timeoutSec, 10);
    assert.equal(list.codeDir, 'lib');
    const missing = functions.find((f) => f.name === 'archive-orders')!;
    assert.deepEqual(missing.warnings, ["no `entry`: CDK's default entry lib/orders-stack.archive-orders{.ts,.js,.mjs,.mts,.cts,.cjs}"]);
  });

  it('finds the default entry once it is created, on the next incremental run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-cdkentry-'));
    try {
      fs.cpSync(fixture, dir, { recursive: true });
      const d = new WorkspaceDiscovery(dir);
      const before = (await d.run()).functions.find((f) => f.name === 'archive-orders')!;
      assert.equal(before.file, null);
      fs.writeFileSync(path.join(dir, 'lib/orders-stack.archive-orders.mjs'), 'const DAYS = 90;\n\nexport const handler = async () => DAYS;\n');
      const after = await d.run();
      assert.deepEqual(after.parsedFiles, ['lib/orders-stack.archive-orders.mjs']);
      const f = after.functions.find((x) => x.name === 'archive-orders')!;
      assert.deepEqual([f.file, f.line, f.unresolvedReason], ['lib/orders-stack.archive-orders.mjs', 3, undefined]);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
