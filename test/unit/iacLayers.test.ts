import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as runHandlersCli } from '../../src/cli/commands/handlers';
import { extractCloudFormation, readTemplate } from '../../src/core/iac/cloudFormation';
import { autoInstrumentationOf, layerNameOfArn } from '../../src/core/iac/layerRefs';
import type { DiscoveredFunction } from '../../src/core/iac/types';
import { mapDeployedPath } from '../../src/core/mapping/deployedPath';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';

const corpus = path.resolve(__dirname, '../../../shared/corpus/iac');

/** A workspace of several stacks: layers declared in one template or service, used from others. */
const FILES: Record<string, string> = {
  'layers-stack/template.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  SharedUtilsLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: shared-utils
      ContentUri: shared/
  PdfLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      LayerName: pdf-tools
      Content: pdf/
Outputs:
  SharedUtilsLayerArn:
    Value: !Ref SharedUtilsLayer
    Export:
      Name: shared-utils-layer-arn
  PdfLayerArn:
    Value: !Ref PdfLayer
    Export:
      Name: !Sub '\${AWS::StackName}-PdfLayerArn'
`,
  'layers-stack/shared/nodejs/node_modules/shared-utils/index.js': 'exports.getUser = async (id) => ({ id });\n',
  'layers-stack/pdf/python/pdf_tools/render.py': 'def render(doc):\n    return doc\n',
  'orders/template.yaml': `Transform: AWS::Serverless-2016-10-31
Parameters:
  LayersStack:
    Type: String
    Default: layers
Globals:
  Function:
    Runtime: nodejs20.x
    Environment:
      Variables:
        AWS_LAMBDA_EXEC_WRAPPER: /opt/otel-handler
        TABLE: orders
    Layers:
      - !Sub arn:aws:lambda:\${AWS::Region}:184161586896:layer:opentelemetry-nodejs-0_10_0:1
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: orders.handler
      Tracing: Active
      Environment:
        Variables:
          TABLE: orders-v2
      Layers:
        - arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:7
        - !ImportValue shared-utils-layer-arn
  InvoiceFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: invoice.handler
      Runtime: python3.12
      Layers:
        - !ImportValue
            Fn::Sub: '\${LayersStack}-PdfLayerArn'
        - !Sub arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:layer:missing-layer:2
`,
  'orders/src/orders.js': 'exports.handler = async () => ({ ok: true });\n',
  'orders/src/invoice.py': 'def handler(event, context):\n    return {}\n',
  'cfn/stack.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  AdotFunction:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Code: { ZipFile: "exports.handler = async () => 1;" }
      Layers: [arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-nodejs-amd64-ver-1-18-1:4]
  DistroFunction:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Code: { ZipFile: "exports.handler = async () => 2;" }
      Layers: [arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:5]
  XRayOnlyFunction:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Code: { ZipFile: "exports.handler = async () => 3;" }
      TracingConfig: { Mode: Active }
      Layers: [arn:aws:lambda:us-east-1:184161586896:layer:opentelemetry-collector-amd64-0_12_0:1]
`,
  'layers-svc/serverless.yml': `service: layers
provider:
  name: aws
layers:
  sharedUtils:
    path: shared-utils
`,
  'layers-svc/shared-utils/nodejs/node_modules/money/index.js': 'exports.cents = (x) => Math.round(x * 100);\n',
  'billing/serverless.yml': `service: billing
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    STAGE: dev
  layers:
    - \${cf:layers-dev.SharedUtilsLambdaLayerQualifiedArn}
functions:
  charge:
    handler: /opt/nodejs/node_modules/datadog-lambda-js/handler.handler
    environment:
      DD_LAMBDA_HANDLER: src/charge.handler
  refund:
    handler: src/refund.handler
    layers:
      - arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:5
  payout:
    handler: src/refund.handler
    layers:
      - \${cf:layers-\${sls:stage}.SharedUtilsLambdaLayerQualifiedArn}
`,
  'billing/src/charge.js': '// charge a card\n\nexports.handler = async () => ({ charged: true });\n',
  'billing/src/refund.js': 'exports.handler = async () => ({ refunded: true });\n',
  'infra/layers.tf': `module "shared_layer" {
  source       = "terraform-aws-modules/lambda/aws"
  create_layer = true
  layer_name   = "tf-shared"
  source_path  = "\${path.module}/../tf-layer"
}
`,
  'infra/main.tf': `resource "aws_lambda_function" "queue" {
  function_name = "queue-worker"
  filename      = "../tf-src/queue.zip"
  handler       = "queue.handler"
  runtime       = "nodejs20.x"
  layers        = [module.shared_layer.lambda_layer_arn]
  environment {
    variables = {
      AWS_LAMBDA_EXEC_WRAPPER = "/opt/otel-sqs-handler"
    }
  }
}

module "reports" {
  source        = "terraform-aws-modules/lambda/aws"
  function_name = "reports"
  handler       = "newrelic_lambda_wrapper.handler"
  runtime       = "python3.12"
  source_path   = "../tf-src"
  layers        = ["arn:aws:lambda:us-east-1:451483290750:layer:NewRelicPython312:20", var.extra_layer]
  environment_variables = {
    NEW_RELIC_LAMBDA_HANDLER = "reports.handler"
  }
}
`,
  'tf-layer/nodejs/node_modules/tf-shared/index.js': 'exports.x = 1;\n',
  'tf-src/queue.js': 'exports.handler = async () => {};\n',
  'tf-src/reports.py': 'import json\n\n\ndef handler(event, context):\n    return json.dumps(event)\n',
};

describe('layers declared in another template or stack, and auto-instrumentation', () => {
  let root = '';
  let fns: DiscoveredFunction[] = [];
  const by = (name: string) => fns.find((f) => f.name === name)!;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-iaclayers-'));
    for (const [rel, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    fns = (await new WorkspaceDiscovery(root).run()).functions;
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('resolves layer ARNs by LayerName, !ImportValue by export name (also !Sub stack-name exports) and ${cf:stack.Output} to the layer folder', () => {
    assert.deepEqual(by('OrdersFunction').layerDirs, ['layers-stack/shared'], 'ARN :layer:shared-utils:7 and !ImportValue shared-utils-layer-arn are the same layer');
    assert.deepEqual(by('InvoiceFunction').layerDirs, ['layers-stack/pdf'], '!ImportValue !Sub ${LayersStack}-PdfLayerArn matches the export ${AWS::StackName}-PdfLayerArn');
    assert.deepEqual(by('charge').layerDirs, ['layers-svc/shared-utils'], 'provider.layers ${cf:layers-dev.SharedUtilsLambdaLayerQualifiedArn}');
    assert.equal(by('refund').layerDirs, undefined, 'function-level layers replace the provider\'s');
    assert.deepEqual(by('payout').layerDirs, ['layers-svc/shared-utils'], 'a stack name known only at deploy time is matched as a pattern');
    assert.deepEqual([by('charge').warnings, by('payout').warnings], [[], []], 'resolved layers are not reported');
  });

  it('warns, naming the ARN, about every layer it cannot find in the workspace', () => {
    assert.deepEqual(by('InvoiceFunction').warnings, [
      'layer arn:aws:lambda:${AWS::Region}:184161586896:layer:opentelemetry-nodejs-0_10_0:1 is not declared in the workspace: its /opt frames stay unmapped',
      'layer arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:layer:missing-layer:2 is not declared in the workspace: its /opt frames stay unmapped',
    ]);
    assert.deepEqual(by('reports').warnings, [
      'layer `var.extra_layer` is known only when applied: its /opt frames stay unmapped',
      'layer arn:aws:lambda:us-east-1:451483290750:layer:NewRelicPython312:20 is not declared in the workspace: its /opt frames stay unmapped',
    ]);
  });

  it('maps a frame of a layer from another stack through the function\'s layer folders', () => {
    const files = ['layers-stack/pdf/python/pdf_tools/render.py', 'layers-stack/shared/nodejs/node_modules/shared-utils/index.js'];
    assert.deepEqual(mapDeployedPath('/opt/python/pdf_tools/render.py', files, { codeDir: 'orders/src', layerDirs: by('InvoiceFunction').layerDirs }),
      { file: 'layers-stack/pdf/python/pdf_tools/render.py', via: '/opt is layer layers-stack/pdf' });
  });

  it('reads terraform-aws-modules create_layer modules as layers, used as module.x.lambda_layer_arn from another .tf file of the folder', () => {
    assert.deepEqual(by('queue').layerDirs, ['tf-layer']);
    assert.ok(!fns.some((f) => f.name === 'shared_layer'), 'a layer module is not a function');
  });

  it('says which functions are traced without code changes, and why, for SAM (Globals), CloudFormation, Serverless and Terraform', () => {
    assert.deepEqual(fns.map((f) => [f.declaredIn, f.name, f.autoInstrumentation ?? null]), [
      ['billing/serverless.yml:10', 'charge', 'Datadog wrapper handler /opt/nodejs/node_modules/datadog-lambda-js/handler.handler runs DD_LAMBDA_HANDLER=src/charge.handler'],
      ['billing/serverless.yml:14', 'refund', 'OpenTelemetry layer arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:5'],
      ['billing/serverless.yml:18', 'payout', null],
      ['cfn/stack.yaml:3', 'AdotFunction', 'OpenTelemetry layer arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-nodejs-amd64-ver-1-18-1:4'],
      ['cfn/stack.yaml:10', 'DistroFunction', 'OpenTelemetry layer arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:5'],
      // X-Ray active tracing and a collector-only layer do not trace the handler's calls
      ['cfn/stack.yaml:17', 'XRayOnlyFunction', null],
      ['infra/main.tf:1', 'queue', 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-sqs-handler'],
      ['infra/main.tf:14', 'reports', 'New Relic wrapper handler newrelic_lambda_wrapper.handler runs NEW_RELIC_LAMBDA_HANDLER=reports.handler'],
      ['orders/template.yaml:16', 'OrdersFunction', 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler'],
      ['orders/template.yaml:28', 'InvoiceFunction', 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler'],
    ]);
  });

  it('locates the real handler of a wrapped function (DD_LAMBDA_HANDLER, NEW_RELIC_LAMBDA_HANDLER)', () => {
    assert.deepEqual([by('charge').handler, by('charge').file, by('charge').line], ['src/charge.handler', 'billing/src/charge.js', 3]);
    assert.deepEqual([by('reports').handler, by('reports').file, by('reports').line], ['reports.handler', 'tf-src/reports.py', 4]);
  });

  it('shows autoInstrumentation in `handlers --json` and in the table', async () => {
    let out = '';
    const io = { out: (s: string) => { out += s; }, err: () => undefined };
    assert.equal(await runHandlersCli(['--workspace', root, '--json'], io as never), 0);
    const json = JSON.parse(out) as { functions: DiscoveredFunction[] };
    assert.equal(json.functions.find((f) => f.name === 'queue')?.autoInstrumentation, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-sqs-handler');
    out = '';
    await runHandlersCli(['--workspace', root], io as never);
    assert.match(out, /^queue {2}queue\.handler {2}\[nodejs20\.x\]\n {2}-> tf-src\/queue\.js:1\n {2}declared in infra\/main\.tf:1\n {2}deployed as queue-worker\n {2}auto-instrumented: AWS_LAMBDA_EXEC_WRAPPER=\/opt\/otel-sqs-handler\n {2}layers \(\/opt\) from tf-layer\n/m);
  });
});

describe('auto-instrumentation rules', () => {
  const decl = (over: Partial<Parameters<typeof autoInstrumentationOf>[0]>) => autoInstrumentationOf({ name: 'f', aliases: [], kind: 'sam', packageType: 'zip', declaredIn: { file: 't.yaml', line: 1 }, warnings: [], ...over });

  it('accepts every /opt/otel* exec wrapper and no other wrapper', () => {
    for (const w of ['/opt/otel-handler', '/opt/otel-instrument', '/opt/otel-sqs-handler', '/opt/otel-proxy-handler', '/opt/otel-stream-handler', '/opt/python/otel-handler']) {
      assert.equal(decl({ environment: { AWS_LAMBDA_EXEC_WRAPPER: w } }).reason, `AWS_LAMBDA_EXEC_WRAPPER=${w}`);
    }
    assert.equal(decl({ environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/my-wrapper' } }).reason, undefined);
    assert.equal(decl({ environment: { OTEL_SERVICE_NAME: 'orders' } }).reason, undefined);
  });

  it('recognises the Datadog handlers of Node and Python, and warns when the real handler is not declared', () => {
    assert.deepEqual(decl({ handler: 'datadog_lambda.handler.handler', environment: { DD_LAMBDA_HANDLER: 'app.lambda_handler' } }),
      { handler: 'app.lambda_handler', reason: 'Datadog wrapper handler datadog_lambda.handler.handler runs DD_LAMBDA_HANDLER=app.lambda_handler' });
    assert.deepEqual(decl({ handler: '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler' }), {
      warning: 'handler /opt/nodejs/node_modules/datadog-lambda-js/handler.handler is the Datadog wrapper but DD_LAMBDA_HANDLER (the real handler) is not set statically',
      reason: 'Datadog wrapper handler /opt/nodejs/node_modules/datadog-lambda-js/handler.handler',
    });
  });

  it('reads Environment and Layers from a CDK-synthesized template', () => {
    const json = JSON.stringify({ Resources: { OrdersFn: { Type: 'AWS::Lambda::Function', Metadata: { 'aws:cdk:path': 'Shop/Orders/Resource', 'aws:asset:path': 'asset.1a2b' }, Properties: {
      Handler: 'index.handler', Runtime: 'nodejs20.x', Code: { S3Bucket: 'b', S3Key: 'k.zip' },
      Layers: [{ 'Fn::Sub': 'arn:aws:lambda:${AWS::Region}:184161586896:layer:opentelemetry-nodejs-0_10_0:1' }],
      Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler', TABLE: { Ref: 'OrdersTable' } } },
    } } } }, null, 1);
    const [fn] = extractCloudFormation('cdk.out/Shop.template.json', readTemplate('cdk.out/Shop.template.json', json).root).functions;
    assert.deepEqual([fn.kind, fn.environment, fn.externalLayers], ['cdk-synth', { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' }, ['arn:aws:lambda:${AWS::Region}:184161586896:layer:opentelemetry-nodejs-0_10_0:1']]);
    assert.equal(autoInstrumentationOf(fn).reason, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler');
    assert.equal(autoInstrumentationOf({ ...fn, environment: {} }, fn.externalLayers).reason, 'OpenTelemetry layer arn:aws:lambda:${AWS::Region}:184161586896:layer:opentelemetry-nodejs-0_10_0:1');
  });

  it('reads the layer name out of an ARN', () => {
    assert.equal(layerNameOfArn('arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-nodejs-amd64-ver-1-18-1:4'), 'aws-otel-nodejs-amd64-ver-1-18-1');
    assert.equal(layerNameOfArn('arn:aws:lambda:us-east-1:1:layer:unversioned'), 'unversioned');
    assert.equal(layerNameOfArn('arn:aws:lambda:us-east-1:1:function:not-a-layer'), undefined);
  });
});

describe('layers and auto-instrumentation in the corpus', () => {
  let fns: DiscoveredFunction[] = [];
  before(async () => { fns = (await new WorkspaceDiscovery(corpus).run()).functions; });
  const at = (d: string) => fns.find((f) => f.declaredIn === d)!;

  it('reads the OpenTelemetry sample apps as auto-instrumented (SAM exec wrappers, terraform-aws-modules environment_variables)', () => {
    assert.equal(at('sam/opentelemetry-lambda/python/template.yml:11').autoInstrumentation, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/python/otel-handler');
    assert.deepEqual(at('sam/opentelemetry-lambda/python/template.yml:11').layerDirs, ['sam/opentelemetry-lambda/python/otel']);
    assert.equal(at('sam/opentelemetry-lambda/ruby/template.yml:25').autoInstrumentation, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler');
    assert.equal(at('terraform/opentelemetry-lambda/java-aws-sdk/deploy/wrapper/main.tf:1').autoInstrumentation, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-proxy-handler');
    assert.equal(at('terraform/opentelemetry-lambda/java-aws-sdk/deploy/agent/main.tf:1').autoInstrumentation, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler', 'both branches of the conditional environment_variables set it');
    assert.equal(at('sam/lambda-developer-guide/blank-nodejs/template.yml:5').autoInstrumentation, undefined, 'Tracing: Active alone is X-Ray, not auto-instrumentation');
  });

  it('gives the terraform-aws-lambda example functions their create_layer module\'s folder', () => {
    assert.deepEqual(at('terraform/terraform-aws-lambda/examples/complete/main.tf:19').layerDirs, ['terraform/terraform-aws-lambda/examples/fixtures/python-app1']);
  });
});
