import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TraceInsightApi } from '../../src/extension';

const EXTENSION_ID = 'trace-insight.serverless-trace-insight';

describe('extension in a real VS Code extension host', () => {
  it('is activated by the SAM template in the workspace, without running any of its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    // workspaceContains activation happens on its own shortly after start-up
    for (let i = 0; i < 100 && !ext.isActive; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(ext.isActive, true);
  });

  it('does not open the trace store while activating', async () => {
    const api = await vscode.extensions.getExtension<TraceInsightApi>(EXTENSION_ID)!.activate();
    // the status bar counts traces only once the store is open
    assert.equal(api.forTests.statusBarText, '$(pulse) Trace Insight');
  });
});
