import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OpenedTrace } from '../../src/editor/traceCommands';
import type { TraceInsightApi } from '../../src/extension';

const FUNCTION = 'orders-api-OrdersFunction-9XK2L';
const COLD_TRACE_ID = 'b41192ef1b5fae7fd4b9b6f76e3ef943';
const ERROR_TRACE_ID = 'f98d5c0c5597d3b253121ffebc8f0d74';

async function waterfallTabs(): Promise<string[]> {
  // the tab model follows the panel asynchronously
  let labels: string[] = [];
  for (let i = 0; i < 50; i++) {
    labels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview).map((t) => t.label);
    if (labels.length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return labels;
}

describe('Open Trace', () => {
  let api: TraceInsightApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<TraceInsightApi>('trace-insight.serverless-trace-insight');
    assert.ok(ext);
    api = await ext.activate();
    await vscode.commands.executeCommand('traceInsight.importTraces', vscode.Uri.file(path.join(ext.extensionPath, 'test/fixtures/traces')));
  });

  it('"Open Trace by ID" accepts an X-Ray trace id and shows that trace in the waterfall panel', async () => {
    const opened = await vscode.commands.executeCommand<OpenedTrace>('traceInsight.openTraceById', '1-b41192ef-1b5fae7fd4b9b6f76e3ef943');
    assert.deepEqual(opened, { traceId: COLD_TRACE_ID, spanCount: 3, title: `Trace: ${FUNCTION}` });
    assert.deepEqual(await waterfallTabs(), [`Trace: ${FUNCTION}`]);
  });

  it('opens a trace from its item in the Functions view, in the same panel', async () => {
    const tree = api.forTests.functionsTree;
    const [fn] = await tree.getChildren();
    const [newest] = await tree.getChildren(fn);
    const command = tree.getTreeItem(newest).command;
    assert.ok(command, 'trace items have no click command');
    const opened = await vscode.commands.executeCommand<OpenedTrace>(command.command, ...(command.arguments ?? []));
    assert.deepEqual(opened, { traceId: ERROR_TRACE_ID, spanCount: 3, title: `Trace: ${FUNCTION}` });
    assert.equal((await waterfallTabs()).length, 1);
  });

  it('"Show Function Traces" for a function name offers its traces newest first and opens the one accepted', async () => {
    const pending = Promise.resolve(vscode.commands.executeCommand<OpenedTrace>('traceInsight.showFunctionTraces', FUNCTION));
    let settled = false;
    void pending.finally(() => { settled = true; });
    // the picker appears asynchronously: accept its selected (first) item once it is there
    for (let i = 0; i < 100 && !settled; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    assert.deepEqual(await pending, { traceId: ERROR_TRACE_ID, spanCount: 3, title: `Trace: ${FUNCTION}` });
  });

  it('"Open Trace in X-Ray Console" builds the console URL from the region the trace names, or from traceInsight.xray.region', async () => {
    const url = (id: string) => vscode.commands.executeCommand<string>('traceInsight.openInXRayConsole', id, { open: false });
    // the stored trace's resource says cloud.region eu-west-1
    assert.equal(await url(COLD_TRACE_ID), 'https://eu-west-1.console.aws.amazon.com/xray/home?region=eu-west-1#/traces/1-b41192ef-1b5fae7fd4b9b6f76e3ef943');
    const config = vscode.workspace.getConfiguration('traceInsight');
    try {
      await config.update('xray.region', 'us-east-2', vscode.ConfigurationTarget.Global);
      // the setting wins (once the change event reached the extension), and a trace that is not stored still gets its page
      let got = '';
      for (let i = 0; i < 30 && !got.startsWith('https://us-east-2.'); i++) {
        got = await url(COLD_TRACE_ID);
        if (!got.startsWith('https://us-east-2.')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(got, 'https://us-east-2.console.aws.amazon.com/xray/home?region=us-east-2#/traces/1-b41192ef-1b5fae7fd4b9b6f76e3ef943');
      assert.equal(await url('1-5f84c7a1-0123456789abcdef01234567'), 'https://us-east-2.console.aws.amazon.com/xray/home?region=us-east-2#/traces/1-5f84c7a1-0123456789abcdef01234567');
    } finally {
      await config.update('xray.region', undefined, vscode.ConfigurationTarget.Global);
    }
    await assert.rejects(Promise.resolve(url('0123456789abcdef0123456789abcdef')), /No AWS region for trace 0123456789abcdef0123456789abcdef: set traceInsight\.xray\.region/);
  });

  it('contributes every command of the Trace Insight category that issue 6 lists, and each is registered', async () => {
    const ext = vscode.extensions.getExtension('trace-insight.serverless-trace-insight');
    assert.ok(ext);
    const contributed = new Map<string, { title: string; category: string }>(ext.packageJSON.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, c]));
    const registered = await vscode.commands.getCommands(true);
    for (const command of ['traceInsight.showFunctionTraces', 'traceInsight.openTraceById', 'traceInsight.importTraces', 'traceInsight.startReceiver',
      'traceInsight.stopReceiver', 'traceInsight.fetchXRayTraces', 'traceInsight.openInXRayConsole']) {
      assert.equal(contributed.get(command)?.category, 'Trace Insight', `${command} is not contributed in the Trace Insight category`);
      assert.ok(registered.includes(command), `${command} is not registered`);
    }
  });

  it('says what is wrong with an id that is unknown or not a trace id', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('traceInsight.openTraceById', '0123456789abcdef0123456789abcdef')),
      /Trace 0123456789abcdef0123456789abcdef is not in the store/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('traceInsight.openTraceById', 'b41192ef')),
      /"b41192ef" is not a trace id/);
  });
});
