import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXPECTED = `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { trace, SpanStatusCode } from '@opentelemetry/api';

const tracer = trace.getTracer('app');
let coldStart = true;

const ddb = new DynamoDBClient({});

export const handler = async (event) => {
  return tracer.startActiveSpan('handler', async (span) => {
    span.setAttribute('faas.coldstart', coldStart);
    coldStart = false;
    try {
      const out = await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: event.id } } }));
      return { statusCode: 200, body: JSON.stringify(out.Item ?? null) };
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
};
`;

async function until<T>(get: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function addTracingActions(uri: vscode.Uri, line: number): Promise<vscode.CodeAction[]> {
  const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 14, line, 14));
  return (all ?? []).filter((a) => a.title.startsWith('Add tracing to handler'));
}

describe('Add tracing to handler', () => {
  let uri: vscode.Uri;
  let dir: string;
  let fixtureDir: string;

  before(async () => {
    const ext = vscode.extensions.getExtension('trace-insight.serverless-trace-insight');
    assert.ok(ext);
    await ext.activate();
    // A copy outside the workspace: the fixture itself is never edited, whatever auto-save does.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-instrumentation-'));
    fixtureDir = path.join(ext.extensionPath, 'test/fixtures/samApp/instrument');
    fs.copyFileSync(path.join(fixtureDir, 'app.mjs'), path.join(dir, 'app.mjs'));
    uri = vscode.Uri.file(path.join(dir, 'app.mjs'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hints at the untraced handler and offers the three styles, OpenTelemetry first and preferred', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const hint = await until(() => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'untraced-handler'), 'the untraced-handler hint');
    assert.equal(hint.severity, vscode.DiagnosticSeverity.Hint);
    assert.equal(hint.range.start.line, 4);
    assert.equal(doc.getText(hint.range), 'handler');
    const actions = await addTracingActions(uri, 4);
    assert.deepEqual(actions.map((a) => a.title), ['Add tracing to handler: OpenTelemetry (recommended)', 'Add tracing to handler: Powertools Tracer', 'Add tracing to handler: X-Ray SDK']);
    assert.deepEqual(actions.map((a) => a.isPreferred), [true, false, false]);
  });

  it('applies the OpenTelemetry action: tracer at module scope, cold start, errors recorded; then no longer offers it', async () => {
    const [otel] = await addTracingActions(uri, 4);
    assert.ok(otel.edit);
    assert.ok(await vscode.workspace.applyEdit(otel.edit));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), EXPECTED);
    assert.deepEqual(await addTracingActions(uri, 8), []);
    await until(() => (vscode.languages.getDiagnostics(uri).some((d) => d.code === 'untraced-handler') ? undefined : true), 'the hint to go away');
  });

  it('adds @opentelemetry/api to the nearest package.json in the workspace, keeping its formatting', async () => {
    // Under build/, which handler discovery skips; saved and deleted afterwards.
    const wdir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'build', 'ti-instrument');
    fs.mkdirSync(wdir, { recursive: true });
    try {
      fs.writeFileSync(path.join(wdir, 'package.json'), '{\n  "name": "orders",\n  "dependencies": {\n    "@aws-sdk/client-dynamodb": "^3.600.0"\n  }\n}\n');
      fs.copyFileSync(path.join(fixtureDir, 'app.mjs'), path.join(wdir, 'app.mjs'));
      const doc = await vscode.workspace.openTextDocument(path.join(wdir, 'app.mjs'));
      const [otel] = await addTracingActions(doc.uri, 4);
      assert.equal(otel.title, 'Add tracing to handler: OpenTelemetry (recommended)');
      assert.ok(await vscode.workspace.applyEdit(otel.edit!));
      const pkg = await vscode.workspace.openTextDocument(path.join(wdir, 'package.json'));
      assert.equal(pkg.getText(), '{\n  "name": "orders",\n  "dependencies": {\n    "@aws-sdk/client-dynamodb": "^3.600.0",\n    "@opentelemetry/api": "^1.9.0"\n  }\n}\n');
      assert.equal(doc.getText(), EXPECTED);
      await pkg.save();
      await doc.save();
    } finally {
      fs.rmSync(wdir, { recursive: true, force: true });
      if (fs.readdirSync(path.dirname(wdir)).length === 0) fs.rmdirSync(path.dirname(wdir));
    }
  });

  it('offers "Wrap in a span" on an AWS SDK call line, in the three styles, and keeps the call\'s value', async () => {
    const file = path.join(dir, 'wrap.mjs');
    fs.copyFileSync(path.join(fixtureDir, 'app.mjs'), file);
    const doc = await vscode.workspace.openTextDocument(file);
    const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(5, 4, 5, 4));
    const wraps = (all ?? []).filter((a) => a.title.startsWith('Wrap in a span'));
    assert.deepEqual(wraps.map((a) => a.title), ['Wrap in a span: GetItem (OpenTelemetry (recommended))', 'Wrap in a span: GetItem (Powertools Tracer)', 'Wrap in a span: GetItem (X-Ray SDK)']);
    assert.ok(await vscode.workspace.applyEdit(wraps[2].edit!));
    assert.deepEqual(doc.getText().split('\n').slice(0, 16), [
      "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';",
      "import AWSXRay from 'aws-xray-sdk-core';",
      '',
      'const ddb = new DynamoDBClient({});',
      '',
      'export const handler = async (event) => {',
      "  const out = await AWSXRay.captureAsyncFunc('### GetItem', async (subsegment) => {",
      '    try {',
      "      return await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: event.id } } }));",
      '    } catch (err) {',
      '      subsegment?.addError(err);',
      '      throw err;',
      '    } finally {',
      '      subsegment?.close();',
      '    }',
      '  });',
    ]);
  });

  it('hints at an SQS send without trace context and injects it into the message attributes', async () => {
    const file = path.join(dir, 'send.mjs');
    fs.writeFileSync(file, [
      "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';",
      'const sqs = new SQSClient({});',
      'export const handler = async (event) => {',
      '  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(event) }));',
      '};', ''].join('\n'));
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const hint = await until(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'trace-context-not-propagated'), 'the propagation hint');
    assert.equal(hint.range.start.line, 3);
    assert.equal(hint.message, 'This SQS message does not carry the trace context (quick fix: Propagate trace context)');
    const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(3, 2, 3, 2));
    const prop = (all ?? []).find((a) => a.title === 'Propagate trace context to SQS');
    assert.ok(prop?.edit);
    assert.ok(await vscode.workspace.applyEdit(prop.edit));
    assert.deepEqual(doc.getText().split('\n').slice(0, 7), [
      "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';",
      "import { propagation, context as otelContext } from '@opentelemetry/api';",
      'const sqs = new SQSClient({});',
      'export const handler = async (event) => {',
      '  const traceCarrier = {};',
      '  propagation.inject(otelContext.active(), traceCarrier);',
      "  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(event), MessageAttributes: Object.fromEntries(Object.entries(traceCarrier).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) }));",
    ]);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
