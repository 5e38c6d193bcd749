import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';
import { TraceCodeMapper } from '../../src/sources/workspace/traceCodeMapper';
import { walkLayerContent } from '../../src/sources/workspace/walk';

/** A SAM app with the standard Node layer layout: hand-written shared-utils beside npm-installed packages. */
const FILES: Record<string, string> = {
  'template.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: shared-utils
      ContentUri: layers/shared/
      CompatibleRuntimes: [nodejs20.x]
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-api-OrdersFunction
      CodeUri: src/orders/
      Handler: index.handler
      Runtime: nodejs20.x
      Layers: [!Ref SharedLayer]
`,
  'src/orders/index.js': "const { getUser } = require('shared-utils');\nexports.handler = async (e) => getUser(e.id);\n",
  'layers/shared/nodejs/package.json': JSON.stringify({ name: 'shared-layer', dependencies: { axios: '^1.7.0', 'shared-utils': 'file:../shared-utils-src' } }),
  'layers/shared/nodejs/node_modules/shared-utils/package.json': JSON.stringify({ name: 'shared-utils', version: '1.0.0', main: 'index.js' }),
  'layers/shared/nodejs/node_modules/shared-utils/index.js': `${'// shared helpers\n'.repeat(10)}exports.getUser = async (id) => {\n  if (!id) throw new Error('no id');\n  return { id };\n};\n`,
  'layers/shared/nodejs/node_modules/shared-utils/lib/db.js': 'exports.query = () => [];\n',
  // dependencies of the hand-written package are installs, whatever their metadata says
  'layers/shared/nodejs/node_modules/shared-utils/node_modules/ms/index.js': 'module.exports = () => 0;\n',
  // npm 6 writes _resolved/_integrity into an installed package's package.json
  'layers/shared/nodejs/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.21', _resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz', _integrity: 'sha512-x' }),
  'layers/shared/nodejs/node_modules/lodash/lodash.js': 'module.exports = {};\n',
  // npm 7+ records installs in the hidden lockfile instead
  'layers/shared/nodejs/node_modules/.package-lock.json': JSON.stringify({ name: 'shared-layer', lockfileVersion: 3, packages: { 'node_modules/uuid': { version: '9.0.1', resolved: 'https://registry.npmjs.org/uuid/-/uuid-9.0.1.tgz' }, 'node_modules/@acme/tracing': { version: '1.0.0', resolved: 'file:../acme-tracing' } } }),
  'layers/shared/nodejs/node_modules/uuid/index.js': 'module.exports = {};\n',
  // the layer's manifest depends on axios from the registry
  'layers/shared/nodejs/node_modules/axios/index.js': 'module.exports = {};\n',
  // a scoped package of the project's own (resolved from file:)
  'layers/shared/nodejs/node_modules/@acme/tracing/index.js': 'exports.span = () => {};\n',
  'layers/shared/nodejs/node_modules/@aws-sdk/client-s3/package.json': JSON.stringify({ name: '@aws-sdk/client-s3', _from: '@aws-sdk/client-s3@3', _resolved: 'https://registry.npmjs.org/x.tgz' }),
  'layers/shared/nodejs/node_modules/@aws-sdk/client-s3/index.js': 'module.exports = {};\n',
  'layers/shared/nodejs/node_modules/.bin/uuid': '#!/usr/bin/env node\n',
  // node_modules elsewhere is still not walked
  'node_modules/left-pad/index.js': 'module.exports = {};\n',
};

function writeAll(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/** An OTLP/JSON Lambda invocation span whose exception stack starts in the layer. */
function layerErrorSpan(): string {
  const stack = "Error: no id\n    at exports.getUser (/opt/nodejs/node_modules/shared-utils/index.js:12:19)\n    at Runtime.exports.handler (/var/task/index.js:2:38)\n    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)";
  return JSON.stringify({ resourceSpans: [{
    resource: { attributes: [{ key: 'faas.name', value: { stringValue: 'orders-api-OrdersFunction' } }, { key: 'cloud.platform', value: { stringValue: 'aws_lambda' } }] },
    scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-aws-lambda' }, spans: [{
      traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'orders-api-OrdersFunction', kind: 2,
      startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000120000000', status: { code: 2, message: 'no id' },
      events: [{ name: 'exception', timeUnixNano: '1700000000100000000', attributes: [{ key: 'exception.type', value: { stringValue: 'Error' } }, { key: 'exception.stacktrace', value: { stringValue: stack } }] }],
    }] }],
  }] });
}

describe('Node layer code under nodejs/node_modules', () => {
  let root = '';
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-nodelayer-'));
    writeAll(root, FILES);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('walks a layer\'s node_modules but skips installed packages, nested node_modules and .bin', () => {
    assert.deepEqual([...walkLayerContent(root, ['layers/shared']).keys()], [
      'layers/shared/nodejs/node_modules/@acme/tracing/index.js',
      'layers/shared/nodejs/node_modules/shared-utils/index.js',
      'layers/shared/nodejs/node_modules/shared-utils/lib/db.js',
      'layers/shared/nodejs/node_modules/shared-utils/package.json',
      'layers/shared/nodejs/package.json',
    ]);
    assert.equal(walkLayerContent(root, ['layers/shared'], 2).size, 2, 'the file cap holds');
    // a layer pointed at node_modules itself: the same rules
    assert.deepEqual([...walkLayerContent(root, ['layers/shared/nodejs/node_modules']).keys()], [
      'layers/shared/nodejs/node_modules/@acme/tracing/index.js',
      'layers/shared/nodejs/node_modules/shared-utils/index.js',
      'layers/shared/nodejs/node_modules/shared-utils/lib/db.js',
      'layers/shared/nodejs/node_modules/shared-utils/package.json',
    ]);
  });

  it('discovery adds the layer files to the workspace file list, and only them', async () => {
    const d = new WorkspaceDiscovery(root);
    const r = await d.run();
    assert.deepEqual(r.functions.map((f) => [f.name, f.file, f.line, f.layerDirs]), [['OrdersFunction', 'src/orders/index.js', 2, ['layers/shared']]]);
    const files = d.files();
    assert.ok(files.includes('layers/shared/nodejs/node_modules/shared-utils/index.js'));
    assert.ok(!files.some((f) => f.startsWith('node_modules/') || f.includes('/lodash/') || f.includes('/uuid/') || f.includes('/axios/')));
    assert.deepEqual(files, [...files].sort(), 'sorted, as the mapper\'s binary search needs');
  });

  it('maps an /opt/nodejs/node_modules/shared-utils/index.js:12 exception frame to the layer file and line, end to end', async () => {
    const mapper = new TraceCodeMapper(root);
    await mapper.refresh();
    const [span] = decodeOtlpJson(layerErrorSpan(), 'layer-error.json').spans;
    const m = mapper.map(span);
    assert.equal(m.identity.function?.name, 'OrdersFunction');
    assert.deepEqual(m.location, { file: 'layers/shared/nodejs/node_modules/shared-utils/index.js', line: 12, column: 19, function: 'exports.getUser', source: 'exception-stack', via: ['/opt is layer layers/shared'] });
  });

  it('keeps layer files across incremental runs: an edited layer file is re-read, an added one appears, a removed one goes', async () => {
    const d = new WorkspaceDiscovery(root);
    await d.run();
    const again = await d.run();
    assert.deepEqual(again.parsedFiles, [], 'nothing changed, nothing parsed');
    assert.ok(d.files().includes('layers/shared/nodejs/node_modules/shared-utils/index.js'));
    const lib = 'layers/shared/nodejs/node_modules/shared-utils/lib/db.js';
    fs.writeFileSync(path.join(root, lib), 'exports.query = () => [1, 2];\n');
    fs.writeFileSync(path.join(root, 'layers/shared/nodejs/node_modules/shared-utils/lib/cache.js'), 'exports.get = () => null;\n');
    fs.rmSync(path.join(root, 'layers/shared/nodejs/node_modules/@acme'), { recursive: true });
    const third = await d.run();
    assert.deepEqual(third.functions.map((f) => [f.name, f.file, f.layerDirs]), [['OrdersFunction', 'src/orders/index.js', ['layers/shared']]]);
    assert.equal(d.readText(lib), 'exports.query = () => [1, 2];\n');
    assert.ok(d.files().includes('layers/shared/nodejs/node_modules/shared-utils/lib/cache.js'));
    assert.ok(!d.files().some((f) => f.includes('@acme')));
  });
});
