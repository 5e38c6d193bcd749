/**
 * CodeLens on every discovered handler (and on its declaration in the infrastructure file): latency,
 * cold starts and cost, as chosen by `traceInsight.codeLens.show`; clicking one lists that function's
 * traces ("Show Function Traces"). A handler without traces gets one lens that says so and offers the
 * ways to get traces in. Answers from the insights snapshot: a Map lookup and a few objects per call.
 */
import * as vscode from 'vscode';
import type { HandlerAnchor } from '../sources/insights/insightsModel';
import type { InsightsHost } from './codeLensInsights';
import type { LensKind } from './codeLensConfig';
import { SHOW_FUNCTION_TRACES_COMMAND } from './functionTracesPick';

export const GET_TRACES_COMMAND = 'traceInsight.getTraces';

const TEXT_OF: Record<LensKind, 'latency' | 'cold' | 'cost'> = { latency: 'latency', coldStarts: 'cold', cost: 'cost' };

/** The lens titles and commands of one anchor (exported for the hover and the tests). */
export function anchorLenses(a: HandlerAnchor, kinds: readonly LensKind[], anyTraces: boolean): vscode.Command[] {
  const h = a.insight;
  if (!h.texts) {
    return [{
      title: anyTraces ? vscode.l10n.t('$(pulse) No traces of {0} yet: get traces…', h.fn.name) : vscode.l10n.t('$(pulse) No traces yet: import a file, start the local receiver or fetch from X-Ray…'),
      command: GET_TRACES_COMMAND,
      tooltip: vscode.l10n.t('Choose how to get traces of {0} into Trace Insight', h.fn.name),
      arguments: [h.fn.name],
    }];
  }
  const tooltip = vscode.l10n.t('Show the traces of {0}', h.traceNames[0]);
  return kinds.map((k) => ({ title: h.texts![TEXT_OF[k]], command: SHOW_FUNCTION_TRACES_COMMAND, tooltip, arguments: [h.traceNames[0]] }));
}

export class InsightsCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly host: InsightsHost) {
    this.subscription = host.onDidChange(() => this.changed.fire());
  }

  /** Asks VS Code to ask again (settings changed). */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const file = this.host.forDocument(document.uri);
    if (!file || file.handlers.length === 0) return [];
    const settings = this.host.settings;
    const anyTraces = (this.host.snapshot?.invocations ?? 0) > 0;
    const out: vscode.CodeLens[] = [];
    for (const a of file.handlers) {
      if (a.where === 'declaration' && !settings.onDeclarations) continue;
      const line = Math.min(a.line - 1, document.lineCount - 1);
      const range = new vscode.Range(line, 0, line, 0);
      for (const c of anchorLenses(a, settings.lenses, anyTraces)) out.push(new vscode.CodeLens(range, c));
    }
    return out;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
