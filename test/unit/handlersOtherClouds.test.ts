import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';

// Azure and Google Cloud projects are not in the corpus: these are the minimal layouts their
// templates (func init / gcloud samples) generate, written out here.
const project: Record<string, string> = {
  'azure-node/host.json': '{ "version": "2.0" }',
  'azure-node/HttpTrigger1/function.json': '{\n  "bindings": [\n    { "authLevel": "function", "type": "httpTrigger", "direction": "in", "name": "req", "methods": ["get", "post"] },\n    { "type": "http", "direction": "out", "name": "res" }\n  ]\n}\n',
  'azure-node/HttpTrigger1/index.js': "// comment\nmodule.exports = async function (context, req) {\n  context.res = { body: 'hi' };\n};\n",
  'azure-node/Timer/function.json': '{ "scriptFile": "../src/timer.js", "entryPoint": "run", "bindings": [{ "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 */5 * * * *" }] }',
  'azure-node/src/timer.js': 'function helper() {}\n\nexports.run = async function (context, timer) {\n  helper();\n};\n',
  'azure-py/local.settings.json': '{ "IsEncrypted": false, "Values": { "FUNCTIONS_WORKER_RUNTIME": "python" } }',
  'azure-py/host.json': '{ "version": "2.0" }',
  'azure-py/HttpExample/function.json': '{ "scriptFile": "__init__.py", "bindings": [{ "type": "httpTrigger", "direction": "in", "name": "req" }] }',
  'azure-py/HttpExample/__init__.py': 'import azure.functions as func\n\n\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse("ok")\n',
  'azure-dotnet/host.json': '{ "version": "2.0" }',
  'azure-dotnet/Hello/function.json': '{ "scriptFile": "../bin/MyApp.dll", "entryPoint": "MyApp.Functions.Hello.Run", "bindings": [{ "type": "httpTrigger", "direction": "in", "name": "req" }] }',
  'azure-dotnet/Hello.cs': 'namespace MyApp.Functions\n{\n    public static class Hello\n    {\n        [FunctionName("Hello")]\n        public static string Run(string req) => "ok";\n    }\n}\n',
  'azure-custom/host.json': '{ "version": "2.0", "customHandler": { "description": { "defaultExecutablePath": "handler" } } }',
  'azure-custom/Api/function.json': '{ "bindings": [{ "type": "httpTrigger", "direction": "in", "name": "req" }] }',
  'gcp-node/index.js': "const functions = require('@google-cloud/functions-framework');\n\nfunctions.http('helloHttp', (req, res) => {\n  res.send('Hello');\n});\n\nfunction handleEvent(ce) {\n  console.log(ce.id);\n}\nfunctions.cloudEvent('onEvent', handleEvent);\n",
  'gcp-py/main.py': "import functions_framework\n\n\n@functions_framework.http\ndef hello_http(request):\n    return 'ok'\n",
  'gcp-go/hello.go': 'package hello\n\nimport (\n\t"net/http"\n\n\t"github.com/GoogleCloudPlatform/functions-framework-go/functions"\n)\n\nfunc init() {\n\tfunctions.HTTP("HelloHTTP", helloHTTP)\n}\n\nfunc helloHTTP(w http.ResponseWriter, r *http.Request) {\n\tw.Write([]byte("ok"))\n}\n',
};

describe('Azure Functions and Google Cloud Functions discovery', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-clouds-'));
    for (const [f, t] of Object.entries(project)) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), t); }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists each function with its handler file and line', async () => {
    const r = await new WorkspaceDiscovery(dir).run();
    const rows = r.functions.map((f) => [f.kind, f.name, f.runtime, f.handler, f.file ? `${f.file}:${f.line}` : `unresolved: ${f.unresolvedReason}`, f.declaredIn]);
    assert.deepEqual(rows, [
      ['azure', 'Api', 'custom', 'handler', 'unresolved: custom handler executable handler: its source language is not declared', 'azure-custom/Api/function.json:1'],
      ['azure', 'Hello', 'dotnet', 'MyApp::MyApp.Functions.Hello::Run', 'azure-dotnet/Hello.cs:6', 'azure-dotnet/Hello/function.json:1'],
      ['azure', 'HttpTrigger1', 'node', 'default', 'azure-node/HttpTrigger1/index.js:2', 'azure-node/HttpTrigger1/function.json:1'],
      ['azure', 'Timer', 'node', 'run', 'azure-node/src/timer.js:3', 'azure-node/Timer/function.json:1'],
      ['azure', 'HttpExample', 'python', 'main', 'azure-py/HttpExample/__init__.py:4', 'azure-py/HttpExample/function.json:1'],
      ['gcp', 'HelloHTTP', 'go', 'HelloHTTP', 'gcp-go/hello.go:13', 'gcp-go/hello.go:10'],
      ['gcp', 'helloHttp', 'nodejs', 'helloHttp', 'gcp-node/index.js:3', 'gcp-node/index.js:3'],
      ['gcp', 'onEvent', 'nodejs', 'onEvent', 'gcp-node/index.js:7', 'gcp-node/index.js:10'],
      ['gcp', 'hello_http', 'python', 'hello_http', 'gcp-py/main.py:5', 'gcp-py/main.py:4'],
    ]);
  });
});

describe('CDK app with its cdk.out', () => {
  it('folds the synthesized function into the source declaration, keeping its logical id as a name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-cdkout-'));
    try {
      const files: Record<string, string> = {
        'app/cdk.json': '{ "app": "npx ts-node bin/app.ts" }',
        'app/lib/stack.ts': "import * as lambda from 'aws-cdk-lib/aws-lambda';\nimport { Stack } from 'aws-cdk-lib';\nexport class OrdersStack extends Stack {\n  constructor(scope: any, id: string) {\n    super(scope, id);\n    new lambda.Function(this, 'OrdersFn', {\n      runtime: lambda.Runtime.NODEJS_20_X,\n      handler: 'index.handler',\n      code: lambda.Code.fromAsset('lambda'),\n      memorySize: 512,\n    });\n  }\n}\n",
        'app/lambda/index.js': 'exports.handler = async () => ({ statusCode: 200 });\n',
        'app/cdk.out/OrdersStack.template.json': JSON.stringify({ Resources: { OrdersFnB2E1D0A1: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', Runtime: 'nodejs20.x', MemorySize: 512, Timeout: 30 }, Metadata: { 'aws:cdk:path': 'OrdersStack/OrdersFn/Resource', 'aws:asset:path': 'asset.1234', 'aws:asset:property': 'Code' } } } }, null, 1),
      };
      for (const [f, t] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), t); }
      const { functions } = await new WorkspaceDiscovery(dir).run();
      assert.deepEqual(functions.map((f) => [f.kind, f.name, f.file, f.line, f.memoryMb, f.timeoutSec, f.aliases]), [
        ['cdk', 'OrdersFn', 'app/lambda/index.js', 1, 512, 30, ['OrdersFnB2E1D0A1', 'OrdersStack/OrdersFn']],
      ]);
      assert.deepEqual(functions[0].warnings, ['also synthesized at app/cdk.out/OrdersStack.template.json:3']);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
