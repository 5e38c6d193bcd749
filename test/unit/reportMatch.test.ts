import assert from 'node:assert/strict';
import { matchFunction, normalizeArchitecture } from '../../src/core/analysis/functionMatch';
import type { DiscoveredFunction } from '../../src/core/iac/types';

function fn(name: string, handler: string | null, o: Partial<DiscoveredFunction> = {}): DiscoveredFunction {
  return {
    name, aliases: [], kind: 'sam', runtime: 'nodejs20.x', handler, packageType: 'zip', file: 'src/index.js', line: 3,
    declaredIn: `template.yaml:${name.length}`, memoryMb: 256, timeoutSec: 10, architecture: 'arm64', warnings: [], ...o,
  };
}

describe('report: function identity', () => {
  const known = [fn('OrdersFunction', 'index.handler'), fn('BillingFunction', 'billing.lambda_handler', { kind: 'serverless', aliases: ['shop-prod-billing'] })];

  it('a CloudFormation physical name finds its logical id', () => {
    const m = matchFunction('orders-api-OrdersFunction-9XK2L', known);
    assert.equal(m.function?.name, 'OrdersFunction');
    assert.equal(m.confidence, 'pattern');
  });

  it('a declared alias is exact', () => {
    assert.deepEqual([matchFunction('shop-prod-billing', known).function?.name, matchFunction('shop-prod-billing', known).confidence], ['BillingFunction', 'exact']);
  });

  it('X-Ray Lambda-mode traces that name only the handler match by handler string', () => {
    assert.equal(matchFunction('index.handler', known).function?.name, 'OrdersFunction');
    assert.equal(matchFunction('lambda_handler', known).function?.name, 'BillingFunction');
    assert.equal(matchFunction('lambda_handler', known).confidence, 'handler');
  });

  it('two functions with the same handler: nothing is guessed, both are named', () => {
    const m = matchFunction('index.handler', [...known, fn('Other', 'index.handler')]);
    assert.equal(m.function, undefined);
    assert.equal(m.confidence, 'ambiguous');
    assert.equal(m.why.length, 2);
  });

  it('architectures as templates spell them', () => {
    assert.deepEqual(['arm64', 'ARM_64', 'x86_64', 'Architecture.X86_64', 'sparc', null].map(normalizeArchitecture), ['arm64', 'arm64', 'x86_64', 'x86_64', undefined, undefined]);
  });
});
