import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { child, parseJsonDoc, parseYamlDoc, plain, str } from '../../src/core/iac/docTree';
import { blankTemplateTags, extractCloudFormation, readTemplate } from '../../src/core/iac/cloudFormation';
import { extractServerless, resolveServerlessVars } from '../../src/core/iac/serverlessFramework';
import { extractTerraform } from '../../src/core/iac/terraform';
import { cdkRuntimeId } from '../../src/core/iac/cdkSource';
import { loadParsers } from '../../src/sources/workspace/grammars';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');
const read = (f: string) => fs.readFileSync(path.join(iac, f), 'utf8');

describe('CloudFormation short tags', () => {
  it('reads every short intrinsic in scalar, sequence and mapping form as its long form', () => {
    const text = [
      'a: !Ref Param', 'b: !Sub "${AWS::StackName}-x"', 'c: !GetAtt Fn.Arn', 'd: !GetAtt [Fn, Arn]', 'e: !If [Cond, 1, 2]',
      'f: !Join ["-", [a, b]]', 'g: !Select [0, !GetAZs ""]', 'h: !Split [",", "a,b"]', 'i: !FindInMap [M, K, V]', 'j: !Base64 hello',
      'k: !Cidr [10.0.0.0/16, 2, 8]', 'l: !ImportValue Exported', 'm: !Equals [a, b]', 'n: !And [!Condition C1, !Not [!Condition C2]]',
      'o: !Or [!Equals [a, b], !Equals [c, d]]', 'p: !Sub', '  - "${A}-${B}"', '  - { A: 1, B: !Ref X }',
    ].join('\n');
    const r = parseYamlDoc(text);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(plain(r.root), {
      a: { Ref: 'Param' }, b: { 'Fn::Sub': '${AWS::StackName}-x' }, c: { 'Fn::GetAtt': 'Fn.Arn' }, d: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      e: { 'Fn::If': ['Cond', 1, 2] }, f: { 'Fn::Join': ['-', ['a', 'b']] }, g: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      h: { 'Fn::Split': [',', 'a,b'] }, i: { 'Fn::FindInMap': ['M', 'K', 'V'] }, j: { 'Fn::Base64': 'hello' },
      k: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, l: { 'Fn::ImportValue': 'Exported' }, m: { 'Fn::Equals': ['a', 'b'] },
      n: { 'Fn::And': [{ Condition: 'C1' }, { 'Fn::Not': [{ Condition: 'C2' }] }] },
      o: { 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Equals': ['c', 'd'] }] },
      p: { 'Fn::Sub': ['${A}-${B}', { A: 1, B: { Ref: 'X' } }] },
    });
    assert.equal(child(r.root, 'e')?.line, 5);
  });

  it('reports a YAML error with its line and keeps what it can', () => {
    const r = parseYamlDoc('Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n  bad: [unclosed\n');
    assert.equal(r.problems.length > 0, true);
    assert.match(r.problems[0], /^line \d+: /);
    assert.equal(str(child(child(child(r.root, 'Resources'), 'Fn'), 'Type')), 'AWS::Serverless::Function');
  });
});

describe('templates that are not valid as written', () => {
  it('blanks cookiecutter tags without moving lines', () => {
    const t = read('sam/sam-app-templates/nodejs22.x-hello/project/template.yaml');
    const b = blankTemplateTags(t);
    assert.equal(b.text.split('\n').length, t.split('\n').length);
    assert.equal(b.count, 7);
    const { warnings, root } = readTemplate('t.yaml', t);
    assert.deepEqual(warnings, ['t.yaml: not valid YAML as written (line 20: Plain value cannot start with directive indicator character %); cookiecutter/Jinja template: 7 tags blanked before reading']);
    const fns = extractCloudFormation('t.yaml', root).functions;
    assert.deepEqual(fns.map((f) => [f.name, f.handler, f.runtime, f.timeoutSec, f.declaredIn.line, f.entryPoints]), [['HelloWorldFunction', 'app.lambdaHandler', 'nodejs22.x', 3, 14, undefined]]);
  });

  it('reads JSON with a byte-order mark or comments and trailing commas, saying so', () => {
    const bom = parseJsonDoc(read('sam/sam-app-templates/dotnet8-hello/project/src/HelloWorld/aws-lambda-tools-defaults.json'));
    assert.deepEqual(bom.problems, ['line 1: starts with a UTF-8 byte-order mark']);
    assert.equal(str(child(bom.root, 'template')), 'template.yaml');
    const tsconfig = parseJsonDoc(read('sam/sam-app-templates/nodejs22.x-hello-ts/project/hello-world/tsconfig.json'));
    assert.ok(tsconfig.problems.length === 0, 'comments and trailing commas are allowed, not problems');
    assert.equal(str(child(child(tsconfig.root, 'compilerOptions'), 'target')), 'es2020');
  });

  it('extracts functions from a commented JSON template and reports the recovery', () => {
    const text = '\uFEFF{\n  // comment\n  "Resources": {\n    "Fn": { "Type": "AWS::Lambda::Function", "Properties": { "Handler": "index.handler", "Runtime": "nodejs20.x", "Code": "./src", "MemorySize": 256, } }\n  }\n}\n';
    const { root, warnings } = readTemplate('t.json', text);
    assert.deepEqual(warnings, ['t.json: line 1: starts with a UTF-8 byte-order mark (recovered)']);
    const [fn] = extractCloudFormation('dir/t.json', root).functions;
    assert.deepEqual([fn.name, fn.codeUri, fn.memoryMb, fn.declaredIn.line], ['Fn', 'dir/src', 256, 4]);
  });
});

describe('SAM specifics', () => {
  it('records nested stack references and esbuild entry points', () => {
    const root = readTemplate('a/template-deep-root.yaml', read('sam/aws-sam-cli-testdata/invoke/template-deep-root.yaml')).root;
    assert.deepEqual(extractCloudFormation('a/template-deep-root.yaml', root).references, ['a/template-deep-child.yaml']);
    const fwd = readTemplate('t/template.yaml', read('sam/serverless-otlp-forwarder/todos/template.yaml')).root;
    const fetcher = extractCloudFormation('t/template.yaml', fwd).functions.find((f) => f.name === 'TodosFetcherFunction')!;
    assert.deepEqual(fetcher.entryPoints, ['index.ts', 'init.js']);
    assert.equal(fetcher.codeUri, 't/node');
  });
});

describe('Serverless Framework variables', () => {
  it('resolves self:, opt: with defaults, and leaves unknown sources visible', () => {
    const root = parseYamlDoc('service: svc\nprovider:\n  stage: prod\n  region: eu-west-1\n').root;
    const u = new Set<string>();
    assert.equal(resolveServerlessVars('${self:service}-${opt:stage, self:provider.stage}', root, { stage: 'prod' }, u), 'svc-prod');
    assert.equal(resolveServerlessVars("${opt:region, 'us-west-2'}", root, {}, u), 'us-west-2');
    assert.equal(resolveServerlessVars('${ssm:/path/x}-tail', root, {}, u), '${ssm:/path/x}-tail');
    assert.deepEqual([...u], ['${ssm:/path/x}']);
  });

  it('uses provider.stage and region for names and region', () => {
    const r = extractServerless('s/serverless.yml', 'service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  stage: prod\n  region: eu-central-1\n  memorySize: 1024\nfunctions:\n  checkout:\n    handler: src/checkout.main\n    timeout: 10\n');
    const [f] = r.functions;
    assert.deepEqual([f.aliases, f.region, f.memoryMb, f.timeoutSec, f.codeUri, f.declaredIn.line], [['shop-prod-checkout'], 'eu-central-1', 1024, 10, 's', 9]);
  });
});

describe('Terraform', () => {
  it('reads module source_path lists and archive_file sources', async () => {
    const { parsers } = await loadParsers(['terraform']);
    const p = parsers.get('terraform')!;
    const simple = p.parse(read('terraform/terraform-aws-lambda/examples/simple/main.tf'))!;
    const [fn] = extractTerraform('tf/examples/simple/main.tf', simple.rootNode).functions;
    assert.deepEqual([fn.name, fn.handler, fn.runtime, fn.codeUri, fn.declaredIn.line, fn.region], ['lambda_function', 'index.lambda_handler', 'python3.12', 'tf/examples/fixtures/python-app1/index.py', 32, 'eu-west-1']);
    const hcl = 'data "archive_file" "zip" {\n  type = "zip"\n  source_dir = "${path.module}/src"\n  output_path = "${path.module}/out.zip"\n}\nresource "aws_lambda_function" "f" {\n  function_name = "orders"\n  filename = data.archive_file.zip.output_path\n  handler = "app.handler"\n  runtime = "python3.12"\n  memory_size = 512\n  timeout = 15\n  architectures = ["arm64"]\n}\n';
    const [f2] = extractTerraform('infra/main.tf', p.parse(hcl)!.rootNode).functions;
    assert.deepEqual([f2.name, f2.aliases, f2.codeUri, f2.memoryMb, f2.timeoutSec, f2.architecture, f2.declaredIn.line], ['f', ['orders'], 'infra/src', 512, 15, 'arm64', 6]);
  });
});

describe('CDK runtime constants', () => {
  it('maps Runtime constants of every CDK language to Lambda runtime ids', () => {
    assert.deepEqual(['lambda.Runtime.NODEJS_24_X', '_lambda.Runtime.PYTHON_3_11', 'Runtime.JAVA_21', 'Runtime.DOTNET_8', 'awslambda.Runtime_PROVIDED_AL2023()', 'Runtime.RUBY_3_3'].map(cdkRuntimeId),
      ['nodejs24.x', 'python3.11', 'java21', 'dotnet8', 'provided.al2023', 'ruby3.3']);
  });
});
