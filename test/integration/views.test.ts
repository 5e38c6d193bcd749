import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionsNode } from '../../src/editor/functionsView';
import type { TraceInsightApi } from '../../src/extension';

const FUNCTION = 'orders-api-OrdersFunction-9XK2L';

function icon(item: vscode.TreeItem): [string, string | undefined] {
  const i = item.iconPath;
  assert.ok(i instanceof vscode.ThemeIcon, 'not a theme icon');
  return [i.id, i.color?.id];
}

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(ok(), `timed out waiting for ${what}`);
}

describe('Functions view and status bar', () => {
  let ext: vscode.Extension<TraceInsightApi>;
  let api: TraceInsightApi;
  const fixture = (rel: string) => vscode.Uri.file(path.join(ext.extensionPath, 'test/fixtures', rel));
  const items = async (node?: FunctionsNode) => {
    const tree = api.forTests.functionsTree;
    const nodes = await tree.getChildren(node);
    return nodes.map((n) => ({ node: n, item: tree.getTreeItem(n) }));
  };

  before(async () => {
    const e = vscode.extensions.getExtension<TraceInsightApi>('trace-insight.serverless-trace-insight');
    assert.ok(e);
    ext = e;
    api = await ext.activate();
  });

  it('contributes a Functions view in its own activity-bar container, with a welcome text that offers the import', () => {
    const c = ext.packageJSON.contributes;
    assert.deepEqual(c.viewsContainers.activitybar.map((v: { id: string; title: string }) => [v.id, v.title]), [['traceInsight', 'Trace Insight']]);
    assert.deepEqual(c.views.traceInsight.map((v: { id: string; name: string }) => [v.id, v.name]), [['traceInsight.functions', 'Functions']]);
    const welcome = c.viewsWelcome.find((w: { view: string }) => w.view === 'traceInsight.functions');
    assert.match(welcome.contents, /\[Import Traces\.\.\.\]\(command:traceInsight\.importTraces\)/);
  });

  it('lists each function with its recent traces: duration, time, cold start, errors', async () => {
    await vscode.commands.executeCommand('traceInsight.importTraces', [fixture('traces')]);
    await vscode.commands.executeCommand('traceInsight.functions.focus');
    const roots = await items();
    // one of its two invocations failed: a 50% error rate is failing (red)
    assert.deepEqual(roots.map((r) => [r.item.label, r.item.description]), [[FUNCTION, '2 traces · 1 failed · 1 cold · p95 113 ms']]);
    assert.deepEqual(icon(roots[0].item), ['error', 'errorForeground']);
    const traces = await items(roots[0].node);
    // newest first: the failing warm invocation (otel-lambda-3), then the cold start (otel-lambda-1)
    assert.deepEqual(traces.map((t) => t.item.label), ['54.7 ms', '113 ms']);
    assert.match(String(traces[0].item.description), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d · 2 errors$/);
    assert.match(String(traces[1].item.description), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d · cold$/);
    assert.equal(traces[0].item.tooltip, `${FUNCTION}\nf98d5c0c5597d3b253121ffebc8f0d74\n3 spans`);
  });

  it('shows the number of stored traces in the status bar once the store is open', async () => {
    await waitFor('the status bar to count traces', () => api.forTests.statusBarText === '$(pulse) 2 traces');
  });

  it('is empty (so VS Code shows the welcome text) on an empty store', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-empty-store-'));
    const config = vscode.workspace.getConfiguration('traceInsight');
    const before = api.storeDir;
    try {
      await config.update('storePath', dir, vscode.ConfigurationTarget.Global);
      await waitFor('the store to move', () => api.storeDir === dir);
      assert.deepEqual(await items(), []);
      await waitFor('the status bar to show the empty store', () => api.forTests.statusBarText === '$(pulse) 0 traces');
    } finally {
      await config.update('storePath', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('the store to move back', () => api.storeDir === before);
    }
  });
});
