import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

async function until<T>(get: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function actionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range)) ?? [];
}

const GO = [
  'package orders', '', 'import (', '\t"context"', '', '\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"', ')', '',
  'func Save(ctx context.Context, client *dynamodb.Client, in *dynamodb.PutItemInput) error {',
  '\tout, err := client.PutItem(ctx, in)',
  '\tif err != nil {', '\t\treturn err', '\t}',
  '\t_ = out', '\treturn nil', '}', ''].join('\n');

const RUST = [
  'use lambda_runtime::{Error, LambdaEvent};', '',
  'async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {',
  '    let out = client.put_item().table_name("orders").send().await?;',
  '    Ok(Response { id: out.id })', '}', ''].join('\n');

describe('Wrap in a span (Go, Rust) and receiving-side propagation (Python, JavaScript)', () => {
  let dir: string;

  before(async () => {
    const ext = vscode.extensions.getExtension('trace-insight.serverless-trace-insight');
    assert.ok(ext);
    await ext.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-instrument-native-'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Go: a selection over the PutItem line is wrapped in a span that records err; out stays visible after it', async () => {
    const file = path.join(dir, 'orders.go');
    fs.writeFileSync(file, GO);
    const doc = await vscode.workspace.openTextDocument(file);
    const onLine = (await actionsAt(doc.uri, new vscode.Range(9, 3, 9, 3))).filter((a) => a.title.startsWith('Wrap in a span'));
    assert.deepEqual(onLine.map((a) => a.title), ['Wrap in a span: client.PutItem (OpenTelemetry (recommended))']);
    const selected = (await actionsAt(doc.uri, new vscode.Range(9, 1, 9, 36))).filter((a) => a.title.startsWith('Wrap selection'));
    assert.deepEqual(selected.map((a) => a.title), ['Wrap selection in a span/subsegment (OpenTelemetry (recommended))']);
    assert.ok(await vscode.workspace.applyEdit(selected[0].edit!));
    assert.deepEqual(doc.getText().split('\n').slice(0, 22), [
      'package orders', '', 'import (', '\t"context"', '', '\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"', '\t"go.opentelemetry.io/otel"', '\t"go.opentelemetry.io/otel/codes"', ')', '',
      'var tracer = otel.Tracer("orders")', '',
      'func Save(ctx context.Context, client *dynamodb.Client, in *dynamodb.PutItemInput) error {',
      '\tspanCtx, span := tracer.Start(ctx, "client.PutItem")',
      '\tout, err := client.PutItem(spanCtx, in)',
      '\tif err != nil {', '\t\tspan.RecordError(err)', '\t\tspan.SetStatus(codes.Error, err.Error())', '\t}',
      '\tspan.End()',
      '\tif err != nil {', '\t\treturn err',
    ]);
  });

  it('Rust: the awaited SDK call line becomes an instrumented async block whose value is the binding', async () => {
    const file = path.join(dir, 'main.rs');
    fs.writeFileSync(file, RUST);
    const doc = await vscode.workspace.openTextDocument(file);
    const wraps = (await actionsAt(doc.uri, new vscode.Range(3, 8, 3, 8))).filter((a) => a.title.startsWith('Wrap in a span'));
    assert.deepEqual(wraps.map((a) => a.title), ['Wrap in a span: client.put_item (OpenTelemetry (recommended))']);
    assert.ok(await vscode.workspace.applyEdit(wraps[0].edit!));
    assert.equal(doc.getText(), [
      'use lambda_runtime::{Error, LambdaEvent};', 'use tracing::Instrument;', '',
      'async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {',
      '    let out = async {',
      '        let out = client.put_item().table_name("orders").send().await?;',
      '        Ok::<_, Error>(out)',
      '    }.instrument(tracing::info_span!("client.put_item")).await?;',
      '    Ok(Response { id: out.id })', '}', ''].join('\n'));
  });

  it('Python: hints at an EventBridge handler that drops the sender\'s context and continues it from detail._tracing', async () => {
    const file = path.join(dir, 'on_order.py');
    fs.writeFileSync(file, 'def on_order(event, context):\n    order = event["detail"]["order"]\n    return {"ok": order}\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const hint = await until(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'trace-context-not-propagated'), 'the EventBridge propagation hint');
    assert.equal(hint.range.start.line, 1);
    assert.equal(hint.message, 'This EventBridge event is processed without the sender\'s trace context (quick fix: Propagate trace context)');
    const fix = (await actionsAt(doc.uri, new vscode.Range(1, 4, 1, 4))).find((a) => a.title.startsWith('Propagate trace context'));
    assert.equal(fix?.title, 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)');
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.equal(doc.getText(), [
      'from opentelemetry import trace', 'from opentelemetry.propagate import extract', '', 'tracer = trace.get_tracer(__name__)', '',
      'def on_order(event, context):',
      '    with tracer.start_as_current_span("process eventbridge event", context=extract(event.get("detail", {}).get("_tracing", {}))):',
      '        order = event["detail"]["order"]', '        return {"ok": order}', ''].join('\n'));
    await until(() => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'trace-context-not-propagated') ? undefined : true), 'the hint to go away');
  });

  it('JavaScript: hints at an EventBridge handler reading event.detail and continues the sender\'s trace from detail._tracing', async () => {
    const file = path.join(dir, 'onOrder.mjs');
    fs.writeFileSync(file, 'export const onOrder = async (event) => {\n  const order = event.detail.order;\n  return { ok: order };\n};\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const hint = await until(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'trace-context-not-propagated'), 'the EventBridge propagation hint');
    assert.equal(hint.range.start.line, 1);
    assert.equal(hint.message, 'This EventBridge event is processed without the sender\'s trace context (quick fix: Propagate trace context)');
    const fix = (await actionsAt(doc.uri, new vscode.Range(1, 2, 1, 2))).find((a) => a.title.startsWith('Propagate trace context'));
    assert.equal(fix?.title, 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)');
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.equal(doc.getText(), [
      "import { trace, SpanStatusCode, propagation, context as otelContext } from '@opentelemetry/api';", '', "const tracer = trace.getTracer('onOrder');", '',
      'export const onOrder = async (event) => {',
      "  return tracer.startActiveSpan('process eventbridge event', {}, propagation.extract(otelContext.active(), event.detail?._tracing ?? {}), async (span) => {",
      '    try {', '      const order = event.detail.order;', '      return { ok: order };',
      '    } catch (err) {', '      span.recordException(err);', '      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });', '      throw err;',
      '    } finally {', '      span.end();', '    }', '  });', '};', ''].join('\n'));
    await until(() => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'trace-context-not-propagated') ? undefined : true), 'the hint to go away');
  });

  it('JavaScript: a handler invoked by another function is offered the ClientContext extract on its definition line, without a hint', async () => {
    const file = path.join(dir, 'nextStep.js');
    fs.writeFileSync(file, "'use strict';\n\nexports.nextStep = async (event, context) => {\n  return { done: event.order };\n};\n");
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await until(() => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'untraced-handler') ? true : undefined), 'the untraced-handler hint');
    assert.deepEqual(vscode.languages.getDiagnostics(doc.uri).filter((d) => d.code === 'trace-context-not-propagated'), []);
    const action = (await actionsAt(doc.uri, new vscode.Range(2, 0, 2, 0))).find((a) => a.title.startsWith('Propagate trace context'));
    assert.equal(action?.title, 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)');
    assert.equal(action.kind?.value, vscode.CodeActionKind.RefactorRewrite.value);
    assert.ok(await vscode.workspace.applyEdit(action.edit!));
    assert.deepEqual(doc.getText().split('\n').slice(0, 8), ["'use strict';", '', "const { trace, SpanStatusCode, propagation, context: otelContext } = require('@opentelemetry/api');", '',
      "const tracer = trace.getTracer('nextStep');", '', 'exports.nextStep = async (event, context) => {',
      "  return tracer.startActiveSpan('nextStep', {}, propagation.extract(otelContext.active(), context.clientContext?.custom ?? event?._tracing ?? {}), async (span) => {"]);
  });

  it('a handler traced by its deployment (AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument) gets no hint; Add tracing is still offered and says so', async () => {
    const ws = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'ti-layer-test');
    fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
    try {
      fs.writeFileSync(path.join(ws, 'template.yaml'), ['AWSTemplateFormatVersion: "2010-09-09"', 'Transform: AWS::Serverless-2016-10-31', 'Resources:',
        '  LayerOrders:', '    Type: AWS::Serverless::Function', '    Properties:', '      CodeUri: src/', '      Handler: app.orders_handler', '      Runtime: python3.12',
        '      Environment:', '        Variables:', '          AWS_LAMBDA_EXEC_WRAPPER: /opt/otel-instrument',
        '  LayerAdmin:', '    Type: AWS::Serverless::Function', '    Properties:', '      CodeUri: src/', '      Handler: app.admin_handler', '      Runtime: python3.12', ''].join('\n'));
      fs.writeFileSync(path.join(ws, 'src/app.py'), 'def orders_handler(event, context):\n    return 1\n\n\ndef admin_handler(event, context):\n    return 2\n');
      const doc = await vscode.workspace.openTextDocument(path.join(ws, 'src/app.py'));
      await vscode.window.showTextDocument(doc);
      const hints = await until(() => { const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.code === 'untraced-handler'); return d.length ? d : undefined; }, 'the untraced-handler hints');
      assert.deepEqual(hints.map((h) => doc.getText(h.range)), ['admin_handler']);
      const actions = (await actionsAt(doc.uri, new vscode.Range(0, 4, 0, 4))).filter((a) => a.title.startsWith('Add tracing to handler'));
      assert.deepEqual(actions.map((a) => a.title), ['OpenTelemetry (recommended)', 'Powertools Tracer', 'X-Ray SDK'].map((s) => `Add tracing to handler: ${s} (already traced by AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument)`));
      assert.deepEqual(actions.map((a) => [a.kind?.value, a.isPreferred ?? false]), Array(3).fill(['refactor.rewrite', false]));
      assert.match(String(actions[0].command?.arguments?.[0]), /orders_handler is already traced by its deployment \(AWS_LAMBDA_EXEC_WRAPPER=\/opt\/otel-instrument\)/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
