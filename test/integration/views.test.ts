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
    assert.deepEqual(roots.map((r) => [r.item.label, r.item.description]), [[FUNCTION, '2 traces · 1 failed · 1 cold']]);
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

describe('Functions view: health, sort and filter (samApp traces from the real OTel SDK)', () => {
  const NODE_FN = 'orders-api-OrdersFunction-9XK2L';
  const PY_FN = 'orders-api-OrdersPythonFunction-4HT7QZXW1ABC';
  let api: TraceInsightApi;
  let storeBefore: string;
  const config = () => vscode.workspace.getConfiguration('traceInsight');
  const tree = () => api.forTests.functionsTree;
  const roots = async () => (await tree().getChildren()).map((n) => ({ node: n, item: tree().getTreeItem(n) }));
  const labels = async () => (await roots()).map((r) => r.item.label);

  before(async () => {
    const ext = vscode.extensions.getExtension<TraceInsightApi>('trace-insight.serverless-trace-insight');
    assert.ok(ext);
    api = await ext.activate();
    storeBefore = api.storeDir;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-views-store-'));
    await config().update('storePath', dir, vscode.ConfigurationTarget.Global);
    await waitFor('the store to move', () => api.storeDir === dir);
    await vscode.commands.executeCommand('traceInsight.importTraces', [vscode.Uri.file(path.join(ext.extensionPath, 'test/fixtures/samAppTraces'))]);
  });

  after(async () => {
    await vscode.commands.executeCommand('traceInsight.sortFunctionsByNewest');
    await vscode.commands.executeCommand('traceInsight.clearFunctionsFilter');
    await config().update('storePath', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the store to move back', () => api.storeDir === storeBefore);
  });

  it('marks each function from its invocations and the template\'s 10 s timeout: 5% errors yellow, p99 + INIT past the timeout red', async () => {
    const r = await roots();
    // newest first: the Python function's last invocation starts 100 s after the Node one's
    assert.deepEqual(r.map((x) => [x.item.label, x.item.description, ...icon(x.item)]), [
      [PY_FN, '10 traces · 1 cold · timeout risk', 'error', 'errorForeground'],
      [NODE_FN, '40 traces · 2 failed · 4 cold', 'warning', 'editorWarning.foreground'],
    ]);
    const tip = r[0].item.tooltip;
    assert.ok(tip instanceof vscode.MarkdownString);
    // as the hover shows it: markdown escapes and non-breaking spaces undone
    const shown = tip.value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.match(shown, /\$\(warning\) p99 \+ INIT p95 \(10500 ms\) exceeds the 10 s timeout/);
    assert.match(shown, /10 invocations · 0% errors · p95 9\.6 s · 10% cold/);
    assert.equal(tree().viewDescription, 'by newest');
  });

  it('sorts functions and their traces by slowest, errors and cold starts from the title actions', async () => {
    await vscode.commands.executeCommand('traceInsight.sortFunctionsBySlowest');
    assert.deepEqual(await labels(), [PY_FN, NODE_FN]);
    assert.equal(tree().viewDescription, 'by slowest');
    const node = (await roots()).find((x) => x.item.label === NODE_FN);
    assert.ok(node);
    const slowest = (await tree().getChildren(node.node)).map((n) => tree().getTreeItem(n));
    // the cold starts carry INIT: 250 ms + 630 ms, 200 ms + 620 ms, ...
    assert.deepEqual(slowest.slice(0, 3).map((t) => t.label), ['880 ms', '820 ms', '760 ms']);
    assert.ok(slowest.slice(0, 3).every((t) => / · cold$/.test(String(t.description))));

    await vscode.commands.executeCommand('traceInsight.sortFunctionsByErrors');
    assert.deepEqual(await labels(), [NODE_FN, PY_FN]);
    const failed = (await tree().getChildren((await roots())[0].node)).map((n) => tree().getTreeItem(n));
    assert.deepEqual(failed.slice(0, 3).map((t) => /errors?$/.test(String(t.description))), [true, true, false]);

    // both 10% cold: ties go by name
    await vscode.commands.executeCommand('traceInsight.sortFunctionsByCold');
    assert.deepEqual(await labels(), [NODE_FN, PY_FN]);
    assert.equal(tree().viewDescription, 'by cold starts');
  });

  it('filters by a name substring (shown in the view description) and clears the filter', async () => {
    assert.equal(await vscode.commands.executeCommand('traceInsight.filterFunctions', 'PYTHON'), 'PYTHON');
    assert.deepEqual(await labels(), [PY_FN]);
    assert.equal(tree().viewDescription, '"PYTHON" · by cold starts');
    await vscode.commands.executeCommand('traceInsight.filterFunctions', 'no-such-function');
    assert.deepEqual(await labels(), []);
    await vscode.commands.executeCommand('traceInsight.clearFunctionsFilter');
    assert.deepEqual(await labels(), [NODE_FN, PY_FN]);
    assert.equal(tree().viewDescription, 'by cold starts');
  });

  it('contributes the title actions, and a getting-started walkthrough whose steps run the commands', async () => {
    const ext = vscode.extensions.getExtension('trace-insight.serverless-trace-insight');
    assert.ok(ext);
    const c = ext.packageJSON.contributes;
    const titleActions = c.menus['view/title'].filter((m: { when: string }) => m.when.startsWith('view == traceInsight.functions')).map((m: { command: string }) => m.command);
    assert.deepEqual(titleActions, ['traceInsight.importTraces', 'traceInsight.refreshFunctions', 'traceInsight.filterFunctions', 'traceInsight.clearFunctionsFilter',
      'traceInsight.sortFunctionsBySlowest', 'traceInsight.sortFunctionsByNewest', 'traceInsight.sortFunctionsByErrors', 'traceInsight.sortFunctionsByCold']);
    const registered = await vscode.commands.getCommands(true);
    for (const command of titleActions) assert.ok(registered.includes(command), `${command} is not registered`);
    const [walkthrough] = c.walkthroughs;
    assert.equal(walkthrough.id, 'traceInsight.gettingStarted');
    assert.deepEqual(walkthrough.steps.map((s: { id: string; completionEvents: string[] }) => [s.id, s.completionEvents]), [
      ['importTraces', ['onCommand:traceInsight.importTraces']],
      ['startReceiver', ['onCommand:traceInsight.startReceiver']],
      ['fetchXRay', ['onCommand:traceInsight.fetchXRayTraces']],
      ['seeCodeLens', ['onView:traceInsight.functions']],
    ]);
    for (const s of walkthrough.steps) {
      const media = fs.readFileSync(path.join(ext.extensionPath, s.media.markdown), 'utf8');
      assert.match(media, /^# \S/, `${s.media.markdown} has no heading`);
      for (const [, command] of String(s.description).matchAll(/\(command:([\w.]+)/g)) {
        assert.ok(registered.includes(command) || command.startsWith('workbench.'), `${s.id} links to ${command}, which is not registered`);
      }
    }
  });
});
