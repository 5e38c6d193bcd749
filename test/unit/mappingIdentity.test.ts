import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { resolveFunction, isCfnPhysicalName, parseLambdaArn } from '../../src/core/mapping/identity';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import type { DiscoveredFunction } from '../../src/core/iac/types';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const iac = path.join(corpus, 'iac');

describe('function identity', () => {
  let all: DiscoveredFunction[];
  let invoke: DiscoveredFunction[];
  let todos: DiscoveredFunction[];
  before(async () => {
    all = (await new WorkspaceDiscovery(iac).run()).functions;
    invoke = all.filter((f) => f.declaredIn.startsWith('sam/aws-sam-cli-testdata/invoke/template.yml:'));
    todos = all.filter((f) => f.declaredIn.startsWith('sam/serverless-otlp-forwarder/'));
  });

  it('matches an explicit FunctionName exactly (X-Ray segment name)', () => {
    const r = resolveFunction({ xraySegmentName: 'MyReallyCoolFunction' }, invoke);
    assert.equal(r.confidence, 'exact');
    assert.equal(r.function?.name, 'HelloWorldServerlessWithFunctionNameRefFunction');
  });

  it('matches an ARN against a !Sub ${AWS::StackName}-storage-api name pattern, ignoring the alias qualifier', () => {
    const r = resolveFunction({ arn: 'arn:aws:lambda:eu-west-1:123456789012:function:todos-storage-api:live' }, todos);
    assert.equal(r.confidence, 'pattern');
    assert.equal(r.function?.name, 'TodoStorageAPIFunction');
    assert.equal(r.candidates[0].why, 'todos-storage-api fits the declared name pattern ${AWS::StackName}-storage-api (sam/serverless-otlp-forwarder/todos/template.yaml:37)');
  });

  it('recognises CloudFormation physical names stack-LogicalId-RANDOM', () => {
    assert.ok(isCfnPhysicalName('orders-api-OrdersFunction-9XK2LABCDEFG', 'OrdersFunction'));
    assert.ok(!isCfnPhysicalName('orders-api-OrdersFunctionX-9XK2LABCDEFG', 'OrdersFunction'));
    const r = resolveFunction({ faasName: 'sam-app-MultiTenantFunction-1A2B3C4D5E6F' }, invoke);
    assert.deepEqual([r.confidence, r.function?.name], ['pattern', 'MultiTenantFunction']);
  });

  it('names every candidate instead of guessing when two projects declare the same Serverless name', () => {
    const r = resolveFunction({ faasName: 'serverless-rest-api-with-dynamodb-dev-create' }, all);
    assert.equal(r.confidence, 'ambiguous');
    assert.equal(r.function, undefined);
    assert.deepEqual(r.candidates.map((c) => c.why), [
      'declared name serverless-rest-api-with-dynamodb-dev-create (serverless/serverless-examples/aws-node-rest-api-with-dynamodb/serverless.yml:24)',
      'declared name serverless-rest-api-with-dynamodb-dev-create (serverless/serverless-examples/aws-python-rest-api-with-dynamodb/serverless.yml:24)',
    ]);
  });

  it('lets traceInsight.functionMap settle it', () => {
    const map = { 'serverless-rest-api-with-dynamodb-dev-create': 'serverless/serverless-examples/aws-python-rest-api-with-dynamodb/serverless.yml:24' };
    const r = resolveFunction({ faasName: 'serverless-rest-api-with-dynamodb-dev-create' }, all, map);
    assert.equal(r.confidence, 'override');
    assert.equal(r.function?.runtime, 'python3.9');
  });

  it('reads the names of the captured OTel Lambda span and reports no match in an unrelated workspace', () => {
    const spans = decodeOtlpJson(fs.readFileSync(path.join(corpus, 'captured/lambda/otel-lambda-1.json'), 'utf8'), 'x').spans;
    const s = spans.find((x) => x.kind === 'server')!;
    const names = { faasName: String(s.resource.attributes['faas.name']), arn: String(s.attributes['cloud.resource_id']), serviceName: String(s.resource.attributes['service.name']) };
    assert.deepEqual(parseLambdaArn(names.arn), { region: 'eu-west-1', account: '123456789012', name: 'orders-api-OrdersFunction-9XK2L' });
    assert.deepEqual(resolveFunction(names, todos), { confidence: 'none', candidates: [] });
    const orders: DiscoveredFunction = { ...todos[0], name: 'OrdersFunction', aliases: [], kind: 'sam', declaredIn: 'template.yaml:10' };
    const hit = resolveFunction(names, [orders]);
    assert.deepEqual([hit.confidence, hit.function?.name], ['pattern', 'OrdersFunction']);
  });
});
