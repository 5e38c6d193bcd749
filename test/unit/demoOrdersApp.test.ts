import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { DiscoveredFunction } from '../../src/core/iac/types';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';

const app = path.resolve(__dirname, '../../examples/orders-app');
const lineOf = (file: string, start: string): number =>
  fs.readFileSync(path.join(app, file), 'utf8').split('\n').findIndex((l) => l.startsWith(start)) + 1;

describe('demo sample app (examples/orders-app)', () => {
  let fns: DiscoveredFunction[];
  before(async () => {
    fns = (await new WorkspaceDiscovery(app).run()).functions.filter((f) => f.declaredIn.startsWith('template.yaml'));
  });

  it('declares the two functions whose handlers the lenses sit on', () => {
    const rows = fns.map((f) => `${f.name} ${f.runtime} ${f.file}:${f.line} ${f.memoryMb} MB ${f.timeoutSec} s`).sort();
    assert.deepEqual(rows, [
      `CreateOrderFunction nodejs20.x src/createOrder/app.ts:${lineOf('src/createOrder/app.ts', 'export async function handler')} 512 MB 6 s`,
      `FulfilOrderFunction python3.11 src/fulfilOrder/app.py:${lineOf('src/fulfilOrder/app.py', 'def lambda_handler')} 256 MB 6 s`,
    ]);
  });

  it('deploys them under the names the load generator puts in its traces', () => {
    const loadgen = fs.readFileSync(path.join(app, 'loadgen/index.mjs'), 'utf8');
    for (const [fn, deployed] of [['CreateOrderFunction', 'orders-app-create-order'], ['FulfilOrderFunction', 'orders-app-fulfil-order']]) {
      assert.ok(fns.find((f) => f.name === fn)?.aliases.includes(deployed), `${fn} is deployed as ${deployed}`);
      assert.ok(loadgen.includes(`FUNCTION_NAME: '${deployed}'`), `the load generator runs ${deployed}`);
    }
  });
});
