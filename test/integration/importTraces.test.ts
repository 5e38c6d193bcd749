import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImportOutcome } from '../../src/editor/importCommand';
import type { TraceInsightApi } from '../../src/extension';

const EXTENSION_ID = 'trace-insight.serverless-trace-insight';
// captured/lambda/otel-lambda-1.json: the cold start of orders-api (see test/fixtures/samApp/README.md)
const COLD_TRACE_ID = 'b41192ef1b5fae7fd4b9b6f76e3ef943';
// otel-lambda-3.json: a warm invocation that failed on the inventory call
const ERROR_TRACE_ID = 'f98d5c0c5597d3b253121ffebc8f0d74';
const FUNCTION = 'orders-api-OrdersFunction-9XK2L';

async function activated(): Promise<{ ext: vscode.Extension<TraceInsightApi>; api: TraceInsightApi }> {
  const ext = vscode.extensions.getExtension<TraceInsightApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  return { ext, api };
}

function importTraces(...args: unknown[]): Thenable<ImportOutcome | undefined> {
  return vscode.commands.executeCommand<ImportOutcome | undefined>('traceInsight.importTraces', ...args);
}

describe('Trace Insight: Import Traces...', () => {
  let ext: vscode.Extension<TraceInsightApi>;
  let api: TraceInsightApi;
  const fixture = (rel: string) => vscode.Uri.file(path.join(ext.extensionPath, 'test/fixtures', rel));

  before(async () => {
    ({ ext, api } = await activated());
  });

  it('is contributed under the "Trace Insight" category with the log command, and both are registered', async () => {
    const contributed = (ext.packageJSON.contributes.commands as { command: string; title: string; category: string }[])
      .map((c) => `${c.category}: ${c.title} (${c.command})`);
    assert.deepEqual(contributed.filter((c) => /importTraces|showLog/.test(c)), [
      'Trace Insight: Import Traces... (traceInsight.importTraces)',
      'Trace Insight: Show Log (traceInsight.showLog)',
    ]);
    const registered = await vscode.commands.getCommands(true);
    assert.ok(registered.includes('traceInsight.importTraces'), 'traceInsight.importTraces is not registered');
    assert.ok(registered.includes('traceInsight.showLog'), 'traceInsight.showLog is not registered');
  });

  it('keeps the store in the extension\'s global storage by default', () => {
    assert.equal(api.storeDir, path.join(path.dirname(api.storeDir), 'store'));
    assert.match(api.storeDir, /globalStorage[/\\]trace-insight\.serverless-trace-insight[/\\]store$/);
  });

  it('imports an OTLP file given as a Uri[] argument, and the trace is in the store', async () => {
    const outcome = await importTraces([fixture('traces/otel-lambda-1.json')]);
    assert.ok(outcome);
    assert.equal(outcome.message, 'Imported 3 spans in 1 trace from 1 file.');
    assert.deepEqual({ files: outcome.files, spans: outcome.spans, duplicates: outcome.duplicates, failed: outcome.failedFiles },
      { files: 1, spans: 3, duplicates: 0, failed: 0 });
    const store = await api.openStore();
    const [summary] = await store.listTraces({ functionName: FUNCTION });
    assert.ok(summary, `no trace of ${FUNCTION} in the store`);
    assert.deepEqual({ ...summary, durationMs: Math.round(summary.durationMs) }, {
      traceId: COLD_TRACE_ID, rootName: FUNCTION, startUnixMs: 1795315617212, durationMs: 113,
      spanCount: 3, errorCount: 0, coldStart: true, functions: [FUNCTION],
    });
    const trace = await store.getTrace(COLD_TRACE_ID);
    assert.deepEqual(trace?.spans.map((s) => s.name).sort(), ['DynamoDB.GetItem', 'GET', FUNCTION]);
  });

  it('imports a folder: new traces are added, spans already stored are not stored twice', async () => {
    const outcome = await importTraces(fixture('traces'));
    assert.ok(outcome);
    assert.equal(outcome.message, 'Imported 3 spans in 2 traces from 2 files. 3 spans were already stored.');
    const store = await api.openStore();
    const traces = await store.listTraces({ functionName: FUNCTION });
    assert.deepEqual(traces.map((t) => [t.traceId, t.errorCount, t.coldStart]).sort(), [
      [COLD_TRACE_ID, 0, true],
      [ERROR_TRACE_ID, 2, false],
    ].sort());
  });

  it('says which file is broken and where, without failing the files next to it', async () => {
    const outcome = await importTraces([fixture('badTraces/malformed.json'), fixture('traces/otel-lambda-3.json')]);
    assert.ok(outcome);
    assert.equal(outcome.failedFiles, 1);
    assert.equal(outcome.files, 2);
    assert.equal(outcome.duplicates, 3);
    assert.match(outcome.message, /^Imported 0 spans in 1 trace from 2 files\. 3 spans were already stored\. 1 file could not be imported\. malformed\.json:21: malformed JSON/);
  });

  it('reads a store that another process writes to, refuses to import into it, and imports once that process stops', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-locked-'));
    // another writer, as `trace-insight serve` would be: the store's writer.lock names a live process
    const writer = spawn('sleep', ['60'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, 'writer.lock'), `${writer.pid}\n`);
    const config = vscode.workspace.getConfiguration('traceInsight');
    const before = api.storeDir;
    try {
      await config.update('storePath', dir, vscode.ConfigurationTarget.Global);
      for (let i = 0; i < 50 && api.storeDir !== dir; i++) await new Promise((r) => setTimeout(r, 100));
      await assert.rejects(Promise.resolve(importTraces([fixture('traces/otel-lambda-1.json')])),
        new RegExp(`^Error: Cannot import: trace store ${dir} is in use by process ${writer.pid}`));
      assert.deepEqual(await (await api.openStore()).listTraces(), []);
      writer.kill();
      await once(writer, 'exit');
      const outcome = await importTraces([fixture('traces/otel-lambda-1.json')]);
      assert.equal(outcome?.message, 'Imported 3 spans in 1 trace from 1 file.');
      assert.equal(fs.readFileSync(path.join(dir, 'writer.lock'), 'utf8').trim(), String(process.pid));
    } finally {
      writer.kill();
      await config.update('storePath', undefined, vscode.ConfigurationTarget.Global);
      for (let i = 0; i < 50 && api.storeDir !== before; i++) await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('moves the store when traceInsight.storePath changes, and imports go there', async () => {
    // under the extension host's temp dir, which the test runner removes
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-store-'));
    const config = vscode.workspace.getConfiguration('traceInsight');
    const before = api.storeDir;
    try {
      await config.update('storePath', dir, vscode.ConfigurationTarget.Global);
      for (let i = 0; i < 50 && api.storeDir !== dir; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(api.storeDir, dir);
      const outcome = await importTraces([fixture('traces/otel-lambda-1.json')]);
      assert.equal(outcome?.message, 'Imported 3 spans in 1 trace from 1 file.');
      assert.deepEqual((await (await api.openStore()).listTraces()).map((t) => t.traceId), [COLD_TRACE_ID]);
      assert.ok(fs.readdirSync(dir).length > 0, `nothing written to ${dir}`);
    } finally {
      await config.update('storePath', undefined, vscode.ConfigurationTarget.Global);
      for (let i = 0; i < 50 && api.storeDir !== before; i++) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(api.storeDir, before);
    // the first store opens again, with what was imported into it before the move
    assert.equal((await (await api.openStore()).listTraces({ functionName: FUNCTION })).length, 2);
  });
});
