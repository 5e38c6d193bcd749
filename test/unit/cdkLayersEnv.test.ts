import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { extractCdkSource } from '../../src/core/iac/cdkSource';
import type { DiscoveredFunction, IacFileResult } from '../../src/core/iac/types';
import { mapDeployedPath } from '../../src/core/mapping/deployedPath';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';
import { loadParsers } from '../../src/sources/workspace/grammars';
import { TraceCodeMapper } from '../../src/sources/workspace/traceCodeMapper';

const fixtures = path.resolve(__dirname, '../fixtures/cdkLayers');
const tsApp = path.join(fixtures, 'ts-app');
const pyApp = path.join(fixtures, 'py-app');
const corpus = path.resolve(__dirname, '../../../shared/corpus/iac');
const ADOT_NODE = 'arn:aws:lambda:${this.region}:901920570463:layer:aws-otel-nodejs-amd64-ver-1-18-1:4';

const row = (f: DiscoveredFunction) => [f.name, f.file, f.line, f.layerDirs ?? null, f.autoInstrumentation ?? null];

describe('CDK app sources: layers and environment', () => {
  let parsers: Map<string, Parser>;
  before(async () => { parsers = (await loadParsers(['typescript', 'python'])).parsers; });
  const extract = (app: string, file: string, lang: string): IacFileResult =>
    extractCdkSource(file, parsers.get(lang)!.parse(fs.readFileSync(path.join(app, file), 'utf8'))!.rootNode, '.');

  it('reads a TypeScript app: layer props, addLayers/addEnvironment, same-file and ARN layers, spreads of constants', () => {
    const r = extract(tsApp, 'lib/orders-stack.ts', 'typescript');
    assert.deepEqual(r.layers, [{ name: 'Shared', contentDir: 'layers/shared', declaredIn: { file: 'lib/orders-stack.ts', line: 26 } }]);
    const by = (n: string) => r.functions.find((f) => f.name === n)!;
    assert.deepEqual([by('Orders').layers, by('Orders').externalLayers, by('Orders').environment, by('Orders').aliases],
      [['Shared'], [ADOT_NODE], { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' }, ['orders-api']], 'TABLE is table.tableName, known only at deploy time');
    assert.deepEqual([by('Billing').layers, by('Billing').externalLayers, by('Billing').environment],
      [['Shared'], ['arn:aws:lambda:${this.region}:${this.account}:layer:pdf-render:3'], { NODE_OPTIONS: '--enable-source-maps', LOG_LEVEL: 'info', AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' }]);
    assert.deepEqual([by('Refunds').layers, by('Refunds').externalLayers, by('Refunds').environment], [undefined, [ADOT_NODE], undefined]);
    assert.deepEqual([by('Audit').layers, by('Audit').externalLayers, by('Audit').environment], [undefined, undefined, undefined]);
  });

  it('gives TypeScript app functions their layer folders (same file, and another stack by layerName) and auto-instrumentation', async () => {
    const r = await new WorkspaceDiscovery(tsApp).run();
    assert.deepEqual(r.functions.map(row), [
      ['Orders', 'src/orders.ts', 6, ['layers/shared'], 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler'],
      ['Billing', 'src/billing/index.js', 4, ['layers/shared', 'layers/pdf'], 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler'],
      ['Refunds', 'src/refunds.ts', 1, null, `OpenTelemetry layer ${ADOT_NODE}`],
      ['Audit', 'src/audit/audit.js', 1, null, null],
    ]);
    const audit = r.functions.find((f) => f.name === 'Audit')!;
    assert.deepEqual(audit.warnings, [
      'layer `props.auditLayer` is not known statically: its /opt frames stay unmapped',
      "environment AWS_LAMBDA_EXEC_WRAPPER is not known statically (`process.env.AUDIT_WRAPPER ?? ''`): auto-instrumentation is not read from it",
    ]);
    assert.deepEqual(r.functions.find((f) => f.name === 'Orders')!.warnings, [`layer ${ADOT_NODE} is not declared in the workspace: its /opt frames stay unmapped`]);
    assert.deepEqual(r.warnings, ['lib/layers-stack.ts:17: layer Audit: code is not a static Code.fromAsset: its /opt frames stay unmapped']);
  });

  it('maps an /opt/nodejs/node_modules/shared-utils/index.js exception frame of the CDK function to the layer file, end to end', async () => {
    const mapper = new TraceCodeMapper(tsApp);
    await mapper.refresh();
    const stack = "TypeError: order o-1: total is not a number\n    at exports.formatOrder (/opt/nodejs/node_modules/shared-utils/index.js:6:11)\n    at Runtime.handler (/var/task/index.mjs:12:30)";
    const doc = JSON.stringify({ resourceSpans: [{
      resource: { attributes: [{ key: 'faas.name', value: { stringValue: 'orders-api' } }, { key: 'cloud.platform', value: { stringValue: 'aws_lambda' } }] },
      scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-aws-lambda' }, spans: [{
        traceId: '6a1f0c2b9d8e7f6a5b4c3d2e1f0a9b8c', spanId: '1a2b3c4d5e6f7a8b', name: 'orders-api', kind: 2,
        startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000', status: { code: 2, message: 'total is not a number' },
        events: [{ name: 'exception', timeUnixNano: '1700000000040000000', attributes: [{ key: 'exception.type', value: { stringValue: 'TypeError' } }, { key: 'exception.stacktrace', value: { stringValue: stack } }] }],
      }] }],
    }] });
    const [span] = decodeOtlpJson(doc, 'cdk-layer-error.json').spans;
    const m = mapper.map(span);
    assert.equal(m.identity.function?.name, 'Orders', 'functionName orders-api is an alias of the construct');
    assert.deepEqual(m.location, { file: 'layers/shared/nodejs/node_modules/shared-utils/index.js', line: 6, column: 11, function: 'exports.formatOrder', source: 'exception-stack', via: ['/opt is layer layers/shared'] });
  });

  it('reads a Python app: LayerVersion(code=Code.from_asset), from_layer_version_arn (constant and f-string), environment dicts, add_environment, adot_instrumentation', async () => {
    const r = extract(pyApp, 'stacks/api_stack.py', 'python');
    const by = (n: string) => r.functions.find((f) => f.name === n)!;
    assert.deepEqual(r.layers?.map((l) => [l.name, l.contentDir, l.declaredIn.line]), [['Common', 'layers/common', 12]]);
    assert.deepEqual([by('ApiHandler').layers, by('ApiHandler').externalLayers, by('ApiHandler').environment],
      [['Common'], ['arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-python-amd64-ver-1-25-0:1'], { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument', POWERTOOLS_SERVICE_NAME: 'api' }]);
    assert.deepEqual(by('Worker').environment, { STAGE: 'dev', OTEL_SERVICE_NAME: 'worker' });
    assert.deepEqual(by('Jobs').externalLayers, ['arn:aws:lambda:${self.region}:464622532012:layer:Datadog-Python312:98']);

    const d = await new WorkspaceDiscovery(pyApp).run();
    assert.deepEqual(d.functions.map(row), [
      ['ApiHandler', 'lambda/api/app.py', 4, ['layers/common'], 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument'],
      ['Worker', 'lambda/worker/worker.py', 4, ['layers/common'], null],
      // adot_instrumentation: CDK sets AWS_LAMBDA_EXEC_WRAPPER from the AdotLambdaExecWrapper member
      ['Notify', 'lambda/notify/notify.py', 4, null, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument'],
      // the Datadog wrapper handler: the real handler is DD_LAMBDA_HANDLER's
      ['Jobs', 'lambda/jobs/jobs.py', 4, null, 'Datadog wrapper handler datadog_lambda.handler.handler runs DD_LAMBDA_HANDLER=jobs.handler'],
    ]);
    const api = d.functions.find((f) => f.name === 'ApiHandler')!;
    assert.deepEqual(mapDeployedPath('/opt/python/common/util.py', [...new WorkspaceDiscovery(pyApp).files(), 'layers/common/python/common/util.py'], { codeDir: 'lambda/api', layerDirs: api.layerDirs }),
      { file: 'layers/common/python/common/util.py', via: '/opt is layer layers/common' });
  });

  it('reads layers and environment of Java builders, Go props structs and C# object initializers too', async () => {
    const { functions } = await new WorkspaceDiscovery(path.join(fixtures, 'polyglot-app')).run();
    const adot = (name: string) => `layer arn:aws:lambda:us-east-1:901920570463:layer:${name}:1 is not declared in the workspace: its /opt frames stay unmapped`;
    assert.deepEqual(functions.map((f) => [f.name, f.layerDirs ?? null, f.autoInstrumentation ?? null, f.warnings]), [
      ['CsFn', ['layers/shared'], 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler', [adot('aws-otel-dotnet-amd64-ver-1-0-0')]],
      ['JavaFn', ['layers/shared'], 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler', [adot('aws-otel-java-agent-amd64-ver-1-32-0')]],
      ['GoFn', ['layers/shared'], 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler', [adot('aws-otel-collector-amd64-ver-0-102-1')]],
    ]);
  });

  it('reads the opentelemetry-lambda CDK sample of the corpus as auto-instrumented, its ARN layers kept as patterns', async () => {
    const { functions } = await new WorkspaceDiscovery(path.join(corpus, 'cdk/opentelemetry-lambda')).run();
    const fn = functions.find((f) => f.declaredIn === 'nodejs-aws-sdk/lib/otel-sample-lambda-stack.ts:19')!;
    assert.equal(fn.autoInstrumentation, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler');
    assert.deepEqual(fn.warnings.filter((w) => w.startsWith('layer ')), [
      'layer arn:aws:lambda:${region}:184161586896:layer:opentelemetry-collector-${architecture}-0_15_0:1 is not declared in the workspace: its /opt frames stay unmapped',
      'layer arn:aws:lambda:${region}:184161586896:layer:opentelemetry-nodejs-0_14_0:1 is not declared in the workspace: its /opt frames stay unmapped',
    ]);
  });
});
