import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkspaceDiscovery, type DiscoveryResult } from '../../src/sources/workspace/discovery';
import { run as runHandlersCli } from '../../src/cli/commands/handlers';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const iac = path.join(corpus, 'iac');

interface Row { declaredIn: string; name: string; runtime: string | null; file: string | null; line: number | null; status: 'resolved' | 'no-source' | 'unresolved' }
const expected: Row[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'expected/handlersCorpus.json'), 'utf8'));

describe('handler discovery over corpus/iac', () => {
  let result: DiscoveryResult;
  before(async () => { result = await new WorkspaceDiscovery(iac).run(); });

  it('finds exactly the functions of the expected table, each at the expected file and line', () => {
    const got = result.functions.map((f) => `${f.declaredIn} ${f.name} ${f.runtime} -> ${f.file}:${f.line}`);
    assert.deepEqual(got, expected.map((r) => `${r.declaredIn} ${r.name} ${r.runtime} -> ${r.file}:${r.line}`));
  });

  it('resolves at least 98% of handlers whose code is in the workspace; every other one says why', () => {
    const withSource = expected.filter((r) => r.status !== 'no-source');
    const resolved = withSource.filter((r) => r.status === 'resolved').length;
    assert.equal(resolved, 127);
    assert.ok(resolved / withSource.length >= 0.98, `${resolved}/${withSource.length}`);
    for (const f of result.functions.filter((x) => !x.file)) assert.match(f.unresolvedReason ?? '', /\w{3,}/, f.declaredIn);
  });

  it('covers SAM, CloudFormation, CDK apps (5 languages) and CDK-synthesized templates, Serverless and Terraform declarations in six languages', () => {
    const kinds = new Set(result.functions.map((f) => f.kind));
    assert.deepEqual([...kinds].sort(), ['cdk', 'cdk-synth', 'cloudformation', 'sam', 'serverless', 'terraform']);
    const exts = new Set(result.functions.filter((f) => f.file).map((f) => path.extname(f.file!)));
    for (const e of ['.js', '.mjs', '.ts', '.py', '.java', '.go', '.cs', '.rs', '.rb']) assert.ok(exts.has(e), e);
  });

  it('says that cookiecutter templates are not valid YAML and still reads their functions', () => {
    const w = result.warnings.filter((x) => x.includes('cookiecutter'));
    assert.equal(w.length, 8);
    assert.ok(w.includes('sam/sam-app-templates/python3.13-hello/project/template.yaml: not valid YAML as written (line 20: Plain value cannot start with directive indicator character %); cookiecutter/Jinja template: 7 tags blanked before reading'));
    const java = result.functions.find((f) => f.declaredIn === 'sam/sam-app-templates/java21-hello-maven/project/template.yaml:15')!;
    assert.equal(java.runtime, null, 'the runtime was a {{ cookiecutter }} placeholder');
    assert.equal(java.file, 'sam/sam-app-templates/java21-hello-maven/project/HelloWorldFunction/src/main/java/helloworld/App.java');
  });

  it('carries Globals, short-tag lookups and architecture into memory, timeout and architecture', () => {
    const by = (d: string) => result.functions.find((f) => f.declaredIn === d)!;
    const edge = by('sam/serverless-otlp-forwarder/todos/template.yaml:303');
    assert.deepEqual([edge.memoryMb, edge.timeoutSec, edge.architecture], [128, 5, 'x86_64']);
    const rust = by('sam/serverless-otlp-forwarder/todos/template.yaml:37');
    assert.deepEqual([rust.memoryMb, rust.timeoutSec, rust.architecture], [128, 30, 'arm64']);
    assert.deepEqual(rust.aliases, ['${AWS::StackName}-storage-api']);
    assert.equal(by('sam/aws-sam-cli-testdata/invoke/template.yml:76').timeoutSec, 5, '!FindInMap [common, LambdaFunction, Timeout]');
    assert.deepEqual(by('sam/aws-sam-cli-testdata/invoke/template.yml:92').aliases, ['MyReallyCoolFunction'], '!Ref FunctionNameParam default');
  });

  it('names Serverless functions service-stage-function and reads provider defaults', () => {
    const create = result.functions.find((f) => f.declaredIn === 'serverless/serverless-examples/aws-python-rest-api-with-dynamodb/serverless.yml:24')!;
    assert.deepEqual(create.aliases, ['serverless-rest-api-with-dynamodb-dev-create']);
    assert.equal(create.region, 'us-east-1');
    const sqs = result.functions.find((f) => f.declaredIn === 'serverless/serverless-examples/aws-node-typescript-sqs-standard/serverless.yml:22')!;
    assert.deepEqual(sqs.aliases, ['aws-node-typescript-sqs-standard-dev-sender'], 'service: {name: ...} form');
    assert.deepEqual(sqs.warnings, [
      'bundled by serverless-webpack: the handler is looked up in its TypeScript/JavaScript source, deployed frames map through source maps',
      're-exported from serverless/serverless-examples/aws-node-typescript-sqs-standard/sqs/sender.ts',
    ], 'export { default as sender } from ./sqs/sender');
  });

  it('picks the C# handler by namespace, not the decoy Handlers/ class of a similar name', () => {
    const create = result.functions.find((f) => f.name === 'create' && f.runtime === 'dotnetcore2.1')!;
    assert.match(create.file!, /DotNetServerless\.Lambda\/Functions\/CreateItemFunction\.cs$/);
  });

  it('shows image functions by name with no source, and inline code at its line in the template', () => {
    const img = result.functions.find((f) => f.declaredIn === 'sam/aws-sam-cli-testdata/invoke/template_image.yaml:26')!;
    assert.equal(img.packageType, 'image');
    assert.equal(img.handler, 'main.handler');
    assert.equal(img.unresolvedReason, 'container image function (sam-test-lambdaimage:v1): its code is not in the workspace');
    const inline = result.functions.find((f) => f.name === 'InlineCodeServerlessFunction')!;
    assert.deepEqual([inline.file, inline.line], ['sam/aws-sam-cli-testdata/invoke/template-inlinecode.yaml', 20]);
  });

  it('lists candidates when the handler names a module that does not exist', () => {
    const auth = result.functions.find((f) => f.name === 'authorizer')!;
    assert.equal(auth.handler, 'exports.handler');
    assert.deepEqual(auth.candidates, [{ file: 'terraform/localstack-terraform-samples/demo-deploy/modules/lambda/files/handler.js', line: 82, why: 'exports `handler` but the handler names module `exports`' }]);
  });
});

describe('incremental discovery', () => {
  it('re-parses only the file that changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-disc-'));
    try {
      fs.cpSync(path.join(iac, 'sam/serverless-otlp-forwarder'), dir, { recursive: true });
      const d = new WorkspaceDiscovery(dir);
      const first = await d.run();
      assert.ok(first.parsedFiles.length >= 6, first.parsedFiles.join(','));
      const f = path.join(dir, 'todos/python/edge/request.py');
      fs.chmodSync(f, 0o644);
      fs.writeFileSync(f, `\n\n${fs.readFileSync(f, 'utf8')}`);
      const second = await d.run();
      assert.deepEqual(second.parsedFiles, ['todos/python/edge/request.py']);
      const edge = second.functions.find((x) => x.name === 'EdgeFunction')!;
      assert.equal(edge.line, 85, 'two lines were added above def handler');
      assert.deepEqual((await d.run()).parsedFiles, []);
      const resp = path.join(dir, 'todos/python/edge/response.py');
      const saved = fs.readFileSync(resp);
      fs.rmSync(resp);
      const gone = (await d.run()).functions.find((x) => x.name === 'EdgeResponseFunction')!;
      assert.equal(gone.unresolvedReason, 'no todos/python/edge/response.py in the workspace');
      fs.writeFileSync(resp, saved);
      const back = await d.run();
      assert.deepEqual(back.parsedFiles, ['todos/python/edge/response.py']);
      assert.equal(back.functions.find((x) => x.name === 'EdgeResponseFunction')!.line, 100);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('trace-insight handlers', () => {
  it('prints each function with its handler location, and --json the full records', async () => {
    let out = '';
    const io = { out: (t: string) => { out += t; }, err: () => undefined };
    assert.equal(await runHandlersCli(['--workspace', path.join(iac, 'sam/serverless-otlp-forwarder')], io), 0);
    assert.ok(out.includes('TodosProcessorFunction  main.lambda_handler  [python3.13, arm64, 128 MB, 30 s]\n  -> todos/python/processor/main.py:174\n  declared in todos/template.yaml:119\n'), out);
    assert.ok(out.endsWith('6 functions, 6 handlers located, 0 unresolved.\n'));
    out = '';
    await runHandlersCli(['--workspace', path.join(iac, 'sam/aws-sam-cli-testdata/invoke'), '--json'], io);
    const j = JSON.parse(out);
    const img = j.functions.find((f: { declaredIn: string }) => f.declaredIn === 'template_image.yaml:26');
    assert.deepEqual([img.file, img.line, img.name, img.timeoutSec], [null, null, 'HelloWorldServerlessFunction', 600]);
  });
});

describe('CDK app sources', () => {
  let result: DiscoveryResult;
  before(async () => { result = await new WorkspaceDiscovery(path.join(iac, 'cdk/aws-cdk-examples')).run(); });
  const row = (decl: string) => result.functions.find((f) => f.declaredIn === decl)!;

  it('reads NodejsFunction entry + spread props, and Code.fromAsset relative to the app folder', () => {
    const get = row('typescript-api-cors-lambda-crud-dynamodb/index.ts:42');
    assert.deepEqual([get.name, get.runtime, get.handler, get.file, get.line], ['getOneItemFunction', 'nodejs24.x', 'get-one.handler', 'typescript-api-cors-lambda-crud-dynamodb/lambdas/get-one.ts', 9]);
    const ddb = row('typescript-ddb-stream-lambda-sns/lib/ddb-stream-stack.ts:43');
    assert.deepEqual([ddb.file, ddb.line], ['typescript-ddb-stream-lambda-sns/resources/lambda/index.mjs', 12]);
  });

  it('follows inline code read from a file (TS readFileSync, Python with open) and string inline code (Java, C#)', () => {
    assert.deepEqual([row('typescript-lambda-cron/index.ts:10').file, row('typescript-lambda-cron/index.ts:10').line], ['typescript-lambda-cron/lambda-handler.py', 1]);
    assert.deepEqual([row('python-lambda-cron/app.py:16').file, row('python-lambda-cron/app.py:16').runtime], ['python-lambda-cron/lambda-handler.py', 'python3.12']);
    const java = row('java-lambda-cron/src/main/java/software/amazon/awscdk/examples/LambdaCronStack.java:20');
    assert.deepEqual([java.name, java.packageType, java.runtime, java.timeoutSec], ['cdk-lambda-cron', 'inline', 'python3.9', 300]);
    const cs = row('csharp-lambda-cron/src/LambdaCron/LambdaCronStack.cs:13');
    assert.deepEqual([cs.handler, cs.runtime, cs.timeoutSec, cs.line], ['index.main', 'python3.14', 300, 13]);
  });

  it('finds the Go function passed to lambda.Start for a GoFunction entry', () => {
    const go = row('go-lambda-dynamodb/lambda-dynamodb.go:33');
    assert.deepEqual([go.name, go.runtime, go.file, go.line], ['myGoHandler', 'provided.al2023', 'go-lambda-dynamodb/lambda-handler/main.go', 26]);
  });
});

describe('java-events: the 15 handler classes', () => {
  it('finds handleRequest in each class named by a handler string without ::method', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-java-'));
    try {
      fs.cpSync(path.join(iac, 'sam/lambda-developer-guide/java-events/src'), path.join(dir, 'src'), { recursive: true });
      const expectedLines: Record<string, number> = {
        HandlerApiGatewayV1: 15, HandlerApiGatewayV2: 15, HandlerCWEvents: 15, HandlerCWLogs: 22, HandlerCloudFront: 17,
        HandlerCodeCommit: 18, HandlerCognito: 16, HandlerConfig: 12, HandlerDynamoDB: 16, HandlerFirehose: 16,
        HandlerKinesis: 21, HandlerLex: 12, HandlerS3: 13, HandlerSNS: 17, HandlerSQS: 16,
      };
      const resources = Object.keys(expectedLines).map((c) => `  ${c}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: build/distributions/java-events.zip\n      Handler: example.${c}\n      Runtime: java21\n`).join('');
      fs.writeFileSync(path.join(dir, 'template.yml'), `Transform: AWS::Serverless-2016-10-31\nResources:\n${resources}`);
      const { functions } = await new WorkspaceDiscovery(dir).run();
      assert.deepEqual(Object.fromEntries(functions.map((f) => [f.name, f.line])), expectedLines);
      for (const f of functions) assert.equal(f.file, `src/main/java/example/${f.name}.java`);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
