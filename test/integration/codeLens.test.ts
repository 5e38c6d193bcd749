// The numbers on the code in a real extension host, on the samApp workspace with a store filled from
// test/fixtures/samAppTraces (real OTel SDK spans; generate.ts says how each figure follows from them).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TraceInsightApi } from '../../src/extension';

const NODE_LENSES = [
  '$(pulse) p50 195 ms · p95 285 ms · p99 295 ms · 40 calls · 5% errors',
  '$(snowflake) 10% cold · init p95 630 ms',
  '$(credit-card) $2.36 per 1M · ~$3.16/month',
];
const PY_LENSES = [
  '$(pulse) p50 7.6 s · p95 9.6 s · p99 9.6 s · 10 calls · 0% errors',
  '$(snowflake) 10% cold · init p95 900 ms',
  '$(credit-card) $65.95 per 1M · ~$9.54/month',
];

async function poll<T>(what: string, get: () => Thenable<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await get();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    v = await get();
  }
  assert.ok(ok(v), `timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
  return v;
}

/** Lens titles by 0-based line. */
async function lensTitles(uri: vscode.Uri): Promise<Record<number, string[]>> {
  // the lens command needs the document loaded as a model
  await vscode.workspace.openTextDocument(uri);
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  const out: Record<number, string[]> = {};
  for (const l of lenses) if (l.command?.command.startsWith('traceInsight.')) (out[l.range.start.line] ??= []).push(l.command.title);
  return out;
}

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('CodeLens, hovers and line hints on the samApp handlers', () => {
  let api: TraceInsightApi;
  let root: vscode.Uri;
  let storeBefore: string;
  let extPath: string;
  const config = () => vscode.workspace.getConfiguration('traceInsight');
  const file = (rel: string) => vscode.Uri.joinPath(root, rel);

  before(async () => {
    const ext = vscode.extensions.getExtension<TraceInsightApi>('trace-insight.serverless-trace-insight');
    assert.ok(ext);
    api = await ext.activate();
    extPath = ext.extensionPath;
    root = vscode.workspace.workspaceFolders![0].uri;
    storeBefore = api.storeDir;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-lens-store-'));
    await config().update('storePath', dir, vscode.ConfigurationTarget.Global);
    await poll('the store to move', async () => api.storeDir, (d) => d === dir);
    await vscode.commands.executeCommand('traceInsight.importTraces', [vscode.Uri.file(path.join(ext.extensionPath, 'test/fixtures/samAppTraces'))]);
  });

  after(async () => {
    await config().update('codeLens.show', undefined, vscode.ConfigurationTarget.Global);
    await config().update('storePath', undefined, vscode.ConfigurationTarget.Global);
    await poll('the store to move back', async () => api.storeDir, (d) => d === storeBefore);
  });

  it('shows latency, cold-start and cost lenses on the Node and the Python handler lines', async () => {
    await vscode.window.showTextDocument(file('orders/index.js'));
    const node = await poll('the Node handler lenses', () => lensTitles(file('orders/index.js')), (t) => t[43]?.length === 3);
    assert.deepEqual(node, { 43: NODE_LENSES });
    const py = await poll('the Python handler lenses', () => lensTitles(file('orders_py/lambda_function.py')), (t) => t[35]?.length === 3);
    assert.deepEqual(py, { 35: PY_LENSES });
  });

  it('shows the same lenses on each function declaration in template.yaml, and clicking one lists its traces', async () => {
    const lenses = await poll('the template lenses', () => lensTitles(file('template.yaml')), (t) => Object.keys(t).length === 2);
    assert.deepEqual(lenses, { 17: NODE_LENSES, 34: PY_LENSES });
    const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file('template.yaml'));
    const first = all.find((l) => l.command?.title === NODE_LENSES[0]);
    assert.deepEqual([first?.command?.command, first?.command?.arguments], ['traceInsight.showFunctionTraces', ['orders-api-OrdersFunction-9XK2L']]);
  });

  it('hovers on the handler with the percentile table, cold vs warm, the cost formula, the N+1 finding and the links', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', file('orders/index.js'), new vscode.Position(43, 10));
    const text = hoverText(hovers);
    assert.match(text, /\| all \| 195 ms \| 285 ms \| 295 ms \| 295 ms \| 40 \|/);
    assert.match(text, /\| warm \| 195 ms \| 290 ms \| 295 ms \| {2}\| 36 \|/);
    assert.match(text, /\| cold \| 150 ms \| 250 ms \| 250 ms \| {2}\| 4 \|/);
    assert.match(text, /INIT p50 610 ms · p95 630 ms/);
    assert.match(text, /× 512 MB \/ 1024 × \$0\\\.00001667\/GB\\-s/);
    assert.match(text, /n\\-plus\\-one \(1 trace\): .*DynamoDB\\\.GetItem .*ran 6 times in one invocation/);
    assert.match(text, /\[Open slowest trace\]\(command:traceInsight\.openTrace\?/);
    assert.match(text, /\[Open latest error\]\(command:traceInsight\.openTrace\?/);
    assert.match(text, /\[Open in X-Ray console\]\(https:\/\/eu-west-1\.console\.aws\.amazon\.com\/xray\/home\?region=eu-west-1#\/traces\/1-[0-9a-f]{8}-[0-9a-f]{24}\)/);
  });

  it('hints p95 and count after the lines that made calls, warns on the Python handler, and hovers there', async () => {
    await vscode.window.showTextDocument(file('orders/index.js'));
    const uri = file('orders/index.js').toString();
    const state = await poll('the line hints', () => vscode.commands.executeCommand<{ decorations: Record<string, unknown> }>('traceInsight.internal.insightsState'), (s) => uri in s.decorations);
    assert.deepEqual(state.decorations[uri], { hints: [[18, 'p95 60 ms · 40 calls · 5% errors'], [35, 'p95 19 ms · 45 calls']], risks: [] });
    await vscode.window.showTextDocument(file('orders_py/lambda_function.py'));
    const pyUri = file('orders_py/lambda_function.py').toString();
    const py = await poll('the timeout warning', () => vscode.commands.executeCommand<{ decorations: Record<string, unknown> }>('traceInsight.internal.insightsState'), (s) => pyUri in s.decorations);
    assert.deepEqual(py.decorations[pyUri], {
      hints: [[21, 'p95 8.6 s · 10 calls']],
      risks: [[35, '⚠ p99 + INIT p95 (10500 ms) exceeds the 10 s timeout: the slowest cold invocations time out']],
    });
    const line = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', file('orders/index.js'), new vscode.Position(35, 8)));
    assert.match(line, /\*\*DynamoDB\\\.GetItem\*\* · orders\/index\\\.js:36/);
    assert.match(line, /\| this line \| 14 ms \| 19 ms \| 19 ms \| 45 \| 0% \|/);
  });

  it('shows only the lenses traceInsight.codeLens.show asks for', async () => {
    await config().update('codeLens.show', ['cost'], vscode.ConfigurationTarget.Global);
    const t = await poll('only the cost lens', () => lensTitles(file('orders/index.js')), (x) => x[43]?.length === 1);
    assert.deepEqual(t, { 43: [NODE_LENSES[2]] });
    await config().update('codeLens.show', undefined, vscode.ConfigurationTarget.Global);
  });

  it('with no traces, shows one lens per handler that offers the ways to get traces in', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-lens-empty-'));
    const full = api.storeDir;
    await config().update('storePath', empty, vscode.ConfigurationTarget.Global);
    try {
      const t = await poll('the no-traces lens', () => lensTitles(file('orders/index.js')), (x) => x[43]?.[0]?.startsWith('$(pulse) No traces') === true);
      assert.deepEqual(t, { 43: ['$(pulse) No traces yet: import a file, start the local receiver or fetch from X-Ray…'] });
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file('orders/index.js'));
      assert.deepEqual([lenses[0].command?.command, lenses[0].command?.arguments], ['traceInsight.getTraces', ['OrdersFunction']]);
    } finally {
      await config().update('storePath', full, vscode.ConfigurationTarget.Global);
      await poll('the store to come back', async () => api.storeDir, (d) => d === full);
    }
  });

  it('refreshes the lenses when new traces arrive', async () => {
    await poll('the full store lenses', () => lensTitles(file('orders/index.js')), (t) => t[43]?.[0] === NODE_LENSES[0]);
    // the captured pair (test/fixtures/traces): one more cold and one more failing invocation of OrdersFunction
    await vscode.commands.executeCommand('traceInsight.importTraces', [vscode.Uri.file(path.join(extPath, 'test/fixtures/traces'))]);
    const t = await poll('the lenses to count 42 calls', () => lensTitles(file('orders/index.js')), (x) => x[43]?.[0]?.includes('42 calls') === true);
    // 54.666 and 112.558 ms join 100..295 ms: nearest ranks 21, 40, 42 of 42 are 190, 285, 295 ms; 3 of 42 failed
    assert.equal(t[43][0], '$(pulse) p50 190 ms · p95 285 ms · p99 295 ms · 42 calls · 7.1% errors');
    assert.equal(t[43][1], '$(snowflake) 11.9% cold · init p95 630 ms');
  });
});
