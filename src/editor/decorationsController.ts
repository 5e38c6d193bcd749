/**
 * After-line hints on source lines whose spans were mapped there (database, HTTP, AWS SDK calls):
 * `p95 19 ms · 45 calls`; and a warning after a handler at risk of timing out. Colours are the
 * contributed themable colours `traceInsight.lineHintForeground` and `traceInsight.timeoutRiskForeground`.
 * Updates are throttled (traces may stream in); the decoration types are created once and recreated
 * only when `traceInsight.decorations.*` changes.
 */
import * as vscode from 'vscode';
import type { FileInsights } from '../sources/insights/insightsModel';
import type { InsightsHost } from './codeLensInsights';

/** At most one repaint per this many ms while traces stream in. */
const THROTTLE_MS = 250;

/** The hint and warning texts of one file, by 0-based line (exported for the tests). */
export function decorationTexts(file: FileInsights): { hints: [number, string][]; risks: [number, string][] } {
  return {
    hints: file.lines.map((l) => [l.line - 1, l.text]),
    risks: file.handlers.filter((h) => h.where === 'handler' && h.insight.timeoutRisk).map((h) => [h.line - 1, `⚠ ${h.insight.timeoutRisk!.message}`]),
  };
}

export class DecorationsController implements vscode.Disposable {
  private hintType: vscode.TextEditorDecorationType | undefined;
  private riskType: vscode.TextEditorDecorationType | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastPaintMs = 0;
  private disposed = false;
  private readonly subscriptions: vscode.Disposable[];
  /** What the last repaint set, by document URI (for the integration suites). */
  readonly painted = new Map<string, { hints: [number, string][]; risks: [number, string][] }>();

  constructor(private readonly host: InsightsHost) {
    this.subscriptions = [
      host.onDidChange(() => this.schedule()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
    ];
  }

  /** Creates (or drops) the decoration types for the current settings and repaints. */
  onSettingsChanged(): void {
    this.disposeTypes();
    if (this.host.settings.decorationsEnabled) {
      const after = (color: string): vscode.ThemableDecorationAttachmentRenderOptions => ({ color: new vscode.ThemeColor(color), margin: '0 0 0 2em', fontStyle: 'italic' });
      this.hintType = vscode.window.createTextEditorDecorationType({ after: after('traceInsight.lineHintForeground'), rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed });
      this.riskType = vscode.window.createTextEditorDecorationType({
        after: after('traceInsight.timeoutRiskForeground'),
        overviewRulerColor: new vscode.ThemeColor('traceInsight.timeoutRiskForeground'),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
    }
    // not at once: at activation this would start the insights before activate() returns
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    const wait = Math.max(0, this.lastPaintMs + THROTTLE_MS - Date.now());
    this.timer = setTimeout(() => { this.timer = undefined; this.paint(); }, wait);
  }

  private paint(): void {
    this.lastPaintMs = Date.now();
    this.painted.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      const file = this.hintType && this.riskType ? this.host.forDocument(editor.document.uri) : undefined;
      const texts = file ? decorationTexts(file) : { hints: [], risks: [] };
      const doc = editor.document;
      const at = ([line, text]: [number, string]): vscode.DecorationOptions | undefined => {
        if (line >= doc.lineCount) return undefined;
        const end = doc.lineAt(line).range.end;
        return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } };
      };
      if (this.hintType) editor.setDecorations(this.hintType, texts.hints.map(at).filter((d) => d !== undefined));
      if (this.riskType) editor.setDecorations(this.riskType, texts.risks.map(at).filter((d) => d !== undefined));
      if (texts.hints.length || texts.risks.length) this.painted.set(doc.uri.toString(), texts);
    }
  }

  private disposeTypes(): void {
    this.hintType?.dispose();
    this.riskType?.dispose();
    this.hintType = undefined;
    this.riskType = undefined;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    this.disposeTypes();
  }
}
