import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractCloudFormation, readTemplate } from '../../src/core/iac/cloudFormation';
import { mapDeployedPath } from '../../src/core/mapping/deployedPath';
import { extractServerless } from '../../src/core/iac/serverlessFramework';
import { extractTerraform } from '../../src/core/iac/terraform';
import { loadParsers } from '../../src/sources/workspace/grammars';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/shared/
      CompatibleRuntimes: [nodejs20.x]
  CommonLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/common
  RemoteLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: { S3Bucket: b, S3Key: k.zip }
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/orders/
      Handler: index.handler
      Runtime: nodejs20.x
      Layers:
        - !Ref SharedLayer
        - arn:aws:lambda:us-east-1:123456789012:layer:ext:3
  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/reports/
      Handler: app.handler
      Runtime: python3.12
      Layers: [!Ref CommonLayer]
`;

const FILES: Record<string, string> = {
  'template.yaml': TEMPLATE,
  'src/orders/index.js': 'exports.handler = async () => {};\n',
  'src/reports/app.py': 'def handler(e, c):\n    pass\n',
  'layers/shared/nodejs/node_modules/shared-lib/index.js': 'module.exports = {};\n',
  'layers/common/python/common/db.py': 'def query():\n    pass\n',
};

describe('Lambda layers (/opt) mapped to the workspace', () => {
  let root = '';
  let files: string[] = [];
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
    for (const [rel, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    // Layer folders are listed whole: the workspace walker skips node_modules, a layer's content is not a dependency.
    files = fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
      .map((d) => path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join('/')).sort();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function discover() {
    const { root: doc, warnings } = readTemplate('template.yaml', fs.readFileSync(path.join(root, 'template.yaml'), 'utf8'));
    assert.deepEqual(warnings, []);
    return extractCloudFormation('template.yaml', doc);
  }

  it('reads SAM LayerVersions with local content and which functions use them', () => {
    const r = discover();
    assert.deepEqual(r.layers, [
      { name: 'SharedLayer', contentDir: 'layers/shared', declaredIn: { file: 'template.yaml', line: 4 }, layerName: 'SharedLayer' },
      { name: 'CommonLayer', contentDir: 'layers/common', declaredIn: { file: 'template.yaml', line: 9 }, layerName: 'CommonLayer' },
    ]);
    assert.deepEqual(r.functions.map((f) => [f.name, f.layers]), [['OrdersFunction', ['SharedLayer']], ['ReportsFunction', ['CommonLayer']]]);
  });

  it('maps /opt/nodejs/node_modules and /opt/python frames to the layer content, and leaves unknown /opt paths unmapped', () => {
    const r = discover();
    const layerDir = new Map((r.layers ?? []).map((l) => [l.name, l.contentDir]));
    const fnCode = (name: string) => {
      const f = r.functions.find((x) => x.name === name);
      return { codeDir: f?.codeUri ?? '', layerDirs: (f?.layers ?? []).map((l) => layerDir.get(l) ?? '') };
    };
    assert.deepEqual(mapDeployedPath('/opt/nodejs/node_modules/shared-lib/index.js', files, fnCode('OrdersFunction')),
      { file: 'layers/shared/nodejs/node_modules/shared-lib/index.js', via: '/opt is layer layers/shared' });
    assert.deepEqual(mapDeployedPath('/opt/python/common/db.py', files, fnCode('ReportsFunction')),
      { file: 'layers/common/python/common/db.py', via: '/opt is layer layers/common' });
    assert.deepEqual(mapDeployedPath('/opt/python/lib/python3.12/site-packages/common/db.py', files, fnCode('ReportsFunction')),
      { file: 'layers/common/python/common/db.py', via: '/opt is layer layers/common' });
    // Function unknown: every layer of the workspace is tried.
    assert.deepEqual(mapDeployedPath('/opt/python/common/db.py', files, undefined, undefined, [...layerDir.values()]),
      { file: 'layers/common/python/common/db.py', via: '/opt is layer layers/common' });
    assert.deepEqual(mapDeployedPath('/opt/nodejs/node_modules/aws-sdk/index.js', files, fnCode('OrdersFunction'), undefined, [...layerDir.values()]),
      { unmapped: 'no layer in the workspace contains it' });
    assert.deepEqual(mapDeployedPath('/opt/extensions/telemetry', files), { unmapped: 'no layer in the workspace contains it' });
  });

  it('tries the layer folder with the runtime prefix stripped (layer pointed at nodejs/ itself)', () => {
    const ws = ['layers/flat/node_modules/shared-lib/index.js', 'layers/jar/util.jar', 'layers/py/common/db.py'];
    const all = ['layers/flat', 'layers/py', 'layers/jar'];
    assert.equal(mapDeployedPath('/opt/nodejs/node_modules/shared-lib/index.js', ws, undefined, undefined, all).file, 'layers/flat/node_modules/shared-lib/index.js');
    assert.equal(mapDeployedPath('/opt/python/common/db.py', ws, undefined, undefined, all).file, 'layers/py/common/db.py');
    assert.equal(mapDeployedPath('/opt/java/lib/util.jar', ws, undefined, undefined, all).file, 'layers/jar/util.jar');
  });
});

describe('Serverless Framework layers', () => {
  it('reads layers: {key: {path}} as <Key>LambdaLayer and functions using them by Ref', () => {
    const yml = `service: shop
provider:
  name: aws
  runtime: nodejs20.x
layers:
  shared-utils:
    path: layers/shared
functions:
  orders:
    handler: src/orders.handler
    layers:
      - Ref: SharedDashutilsLambdaLayer
      - arn:aws:lambda:us-east-1:123456789012:layer:ext:3
`;
    const r = extractServerless('svc/serverless.yml', yml);
    assert.deepEqual(r.layers, [{ name: 'SharedDashutilsLambdaLayer', contentDir: 'svc/layers/shared', declaredIn: { file: 'svc/serverless.yml', line: 6 }, layerName: 'shared-utils',
      exports: ['cf:shop-dev.SharedDashutilsLambdaLayerQualifiedArn', 'sls-shop-dev-SharedDashutilsLambdaLayerQualifiedArn'] }]);
    assert.deepEqual(r.functions[0].layers, ['SharedDashutilsLambdaLayer']);
    assert.deepEqual(r.functions[0].externalLayers, ['arn:aws:lambda:us-east-1:123456789012:layer:ext:3']);
  });
});

describe('Terraform layers', () => {
  it('reads aws_lambda_layer_version from an archive_file source_dir and functions layers = [....arn]', async () => {
    const { parsers } = await loadParsers(['terraform']);
    const hcl = 'data "archive_file" "common" {\n  type = "zip"\n  source_dir = "${path.module}/../layers/common"\n  output_path = "${path.module}/common.zip"\n}\nresource "aws_lambda_layer_version" "common" {\n  layer_name = "common"\n  filename = data.archive_file.common.output_path\n}\nresource "aws_lambda_function" "f" {\n  function_name = "reports"\n  filename = "build/f.zip"\n  handler = "app.handler"\n  runtime = "python3.12"\n  layers = [aws_lambda_layer_version.common.arn, "arn:aws:lambda:us-east-1:1:layer:x:1"]\n}\n';
    const r = extractTerraform('infra/main.tf', parsers.get('terraform')!.parse(hcl)!.rootNode);
    assert.deepEqual(r.layers, [{ name: 'common', contentDir: 'layers/common', declaredIn: { file: 'infra/main.tf', line: 6 }, layerName: 'common' }]);
    assert.deepEqual(r.functions.map((f) => [f.name, f.layers]), [['f', ['common']]]);
  });
});

describe('CDK-synthesized layers', () => {
  it('reads AWS::Lambda::LayerVersion content from Metadata aws:asset:path, relative to cdk.out', () => {
    const json = JSON.stringify({ Resources: {
      Layer: { Type: 'AWS::Lambda::LayerVersion', Properties: { Content: { S3Bucket: 'b', S3Key: 'k.zip' } }, Metadata: { 'aws:asset:path': 'asset.abc123' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', Runtime: 'nodejs20.x', Code: { S3Bucket: 'b', S3Key: 'f.zip' }, Layers: [{ Ref: 'Layer' }] }, Metadata: { 'aws:asset:path': 'asset.def456' } },
    } }, null, 1);
    const { root } = readTemplate('app/cdk.out/Stack.template.json', json);
    const r = extractCloudFormation('app/cdk.out/Stack.template.json', root);
    assert.deepEqual(r.layers?.map((l) => [l.name, l.contentDir]), [['Layer', 'app/cdk.out/asset.abc123']]);
    assert.deepEqual(r.functions.map((f) => [f.name, f.codeUri, f.layers]), [['Fn', 'app/cdk.out/asset.def456', ['Layer']]]);
  });
});
