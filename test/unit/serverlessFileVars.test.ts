import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractServerless } from '../../src/core/iac/serverlessFramework';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';

const fixture = path.resolve(__dirname, '../fixtures/serverlessFileVars');
const corpus = path.resolve(__dirname, '../../../shared/corpus/iac');

describe('Serverless Framework ${file(...)} variables', () => {
  it('takes functions from included files, declared at their line there, with handlers and provider values from other files', async () => {
    const r = await new WorkspaceDiscovery(fixture).run();
    const rows = r.functions.map((f) => [f.name, f.handler, f.file, f.line, f.declaredIn, f.runtime, f.region, f.memoryMb, f.timeoutSec, f.aliases]);
    assert.deepEqual(rows, [
      ['getStock', 'handlers/stock.get_stock', 'inventory/handlers/stock.py', 7, 'inventory/functions/stock.yml:1', 'python3.12', 'us-west-2', 256, null, ['inventory-dev-getStock']],
      ['restock', 'handlers/restock.main', 'inventory/handlers/restock.py', 5, 'inventory/functions/restock.yml:1', 'python3.12', 'us-west-2', null, 60, ['inventory-dev-restock']],
      ['createOrder', 'src/orders/create.handler', 'shop/src/orders/create.ts', 5, 'shop/functions.yml:2', 'nodejs20.x', 'eu-west-1', 512, null, ['shop-dev-createOrder']],
      ['listOrders', 'src/orders/list.handler', 'shop/src/orders/list.ts', 3, 'shop/functions.yml:7', 'nodejs20.x', 'eu-west-1', 512, 10, ['shop-dev-listOrders']],
      ['nightlyReport', 'src/jobs/report.handler', 'shop/src/jobs/report.ts', 1, 'shop/functions.yml:13', 'nodejs20.x', 'eu-west-1', 512, null, ['shop-dev-nightlyReport']],
    ]);
    assert.deepEqual(r.warnings, [
      'inventory/serverless.yml: variable ${file(./settings.yml)} cannot be resolved: inventory/settings.yml is not in the workspace; values using it are partial',
      'shop/serverless.yml: variable ${file(./names.js):report} cannot be resolved: shop/names.js is JavaScript that the Framework runs at deploy time; it is not evaluated here; values using it are partial',
    ]);
  });

  it('re-reads a serverless.yml when a file it includes changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-slsfile-'));
    try {
      fs.cpSync(path.join(fixture, 'shop'), dir, { recursive: true });
      const d = new WorkspaceDiscovery(dir);
      assert.equal((await d.run()).functions[0].region, 'eu-west-1');
      fs.writeFileSync(path.join(dir, 'config/dev.yml'), 'region: ap-south-1\nmemorySize: 2048\n');
      const again = await d.run();
      assert.ok(again.parsedFiles.includes('serverless.yml'), again.parsedFiles.join(','));
      assert.deepEqual([again.functions[0].region, again.functions[0].memoryMb], ['ap-south-1', 2048]);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('uses defaults of env:, falls back past a missing file, and says why ssm:/env: values stay unresolved', () => {
    const files: Record<string, string> = {
      'svc/stages/prod.json': '{\n  "handlers": { "pay": "app/pay.handler" },\n  "memory": 1536\n}\n',
    };
    const yml = [
      'service: pay',
      'provider:',
      '  name: aws',
      '  runtime: python3.12',
      '  stage: prod',
      '  memorySize: ${file(./stages/${self:provider.stage}.json):memory}',
      'functions:',
      '  pay:',
      '    handler: ${file(./stages/${opt:stage, self:provider.stage}.json):handlers.pay}',
      "    name: ${env:PAY_FN_NAME, 'pay-fn'}",
      "    architecture: ${file(./missing.yml):arch, 'arm64'}",
      '  refund:',
      '    handler: app/refund.handler',
      '    name: ${ssm:/pay/refund-name}',
      '    runtime: ${env:REFUND_RUNTIME}',
      '',
    ].join('\n');
    const r = extractServerless('svc/serverless.yml', yml, (p) => files[p]);
    const [pay, refund] = r.functions;
    assert.deepEqual([pay.handler, pay.aliases, pay.memoryMb, pay.architecture, pay.declaredIn], ['app/pay.handler', ['pay-fn', 'pay-prod-pay'], 1536, 'arm64', { file: 'svc/serverless.yml', line: 8 }]);
    assert.deepEqual([refund.aliases, refund.runtime], [['pay-prod-refund'], '${env:REFUND_RUNTIME}']);
    assert.deepEqual(r.warnings, [
      'svc/serverless.yml: variable ${ssm:/pay/refund-name} is read from AWS (ssm:) at deploy time and has no default; values using it are partial',
      'svc/serverless.yml: variable ${env:REFUND_RUNTIME} is read from the environment at deploy time and has no default; values using it are partial',
    ]);
  });

  it('functions from an address inside a JSON file, declared at their line in it; shared files outside the service folder', () => {
    const files: Record<string, string> = {
      'services/api/stack.json': '{\n  "functions": {\n    "health": { "handler": "src/health.main" },\n    "users": {\n      "handler": "${file(../shared/handlers.yml):users}"\n    }\n  }\n}\n',
      'services/shared/handlers.yml': 'users: src/users.list\n',
    };
    const r = extractServerless('services/api/serverless.yml', 'service: api\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions: ${file(./stack.json):functions}\n', (p) => files[p]);
    assert.deepEqual(r.functions.map((f) => [f.name, f.handler, `${f.declaredIn.file}:${f.declaredIn.line}`]), [
      ['health', 'src/health.main', 'services/api/stack.json:3'],
      ['users', 'src/users.list', 'services/api/stack.json:4'],
    ]);
    assert.deepEqual(r.warnings, []);
  });

  it('a file that includes itself stays a variable, with the reason', () => {
    const files: Record<string, string> = { 'a/fns.yml': 'loop: ${file(./fns.yml)}\nhello:\n  handler: h.main\n' };
    const r = extractServerless('a/serverless.yml', 'service: s\nprovider:\n  name: aws\nfunctions: ${file(./fns.yml)}\n', (p) => files[p]);
    assert.deepEqual(r.functions.map((f) => [f.name, f.declaredIn.file, f.declaredIn.line]), [['loop', 'a/fns.yml', 1], ['hello', 'a/fns.yml', 2]]);
    assert.deepEqual(r.warnings, ['a/serverless.yml: variable ${file(./fns.yml)} cannot be resolved: a/fns.yml includes itself; values using it are partial']);
  });

  it('real project: the dotnet REST API names env.configs.yml, which its repository does not ship', async () => {
    const r = await new WorkspaceDiscovery(path.join(corpus, 'serverless/serverless-examples/aws-dotnet-rest-api-with-dynamodb')).run();
    assert.deepEqual(r.functions.map((f) => [f.name, f.file, f.line, f.aliases]), [
      ['create', 'src/DotNetServerless.Lambda/Functions/CreateItemFunction.cs', 28, ['${file(env.configs.yml):feature}-dev-create']],
      ['get', 'src/DotNetServerless.Lambda/Functions/GetItemFunction.cs', 28, ['${file(env.configs.yml):feature}-dev-get']],
      ['update', 'src/DotNetServerless.Lambda/Functions/UpdateItemFunction.cs', 28, ['${file(env.configs.yml):feature}-dev-update']],
    ]);
    assert.equal(r.warnings[0], 'src/DotNetServerless.Lambda/serverless.yml: variable ${file(env.configs.yml):feature} cannot be resolved: src/DotNetServerless.Lambda/env.configs.yml is not in the workspace; values using it are partial');
  });
});
