/**
 * "Add tracing to handler": a hint on every handler without tracing, and code actions that add it in
 * the three styles (OpenTelemetry, Powertools Tracer, X-Ray SDK), the default from
 * `traceInsight.instrumentation.defaultStyle`. The edits come from the pure planners in core/instrument.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Parser } from 'web-tree-sitter';
import { type CodeLanguage, languageOf } from '../core/code/codeIndex';
import type { DiscoveredFunction } from '../core/iac/types';
import { type HandlerSite, type InstrumentPlan, type InstrumentStyle, type SourceDoc, STYLES } from '../core/instrument/types';

// The planners (about 200 KB) come with the tree-sitter grammars in the lazily loaded dist/workspace.js,
// not at activation: every use below follows `Parsers.doc`, which loads them.
type Lazy = typeof import('../sources/workspace/lazyWorkspace');
let lazy: Promise<Lazy> | undefined;
let core: Lazy | undefined;
const loadCore = async (): Promise<Lazy> => (core ??= await (lazy ??= import('../sources/workspace/lazyWorkspace')));

const SELECTOR: vscode.DocumentSelector = ['javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python', 'java', 'go', 'csharp', 'rust']
  .map((language) => ({ language, scheme: 'file' }));
const NOTES_COMMAND = 'traceInsight.instrumentationNotes';
const DIAGNOSTIC_CODE = 'untraced-handler';
const PROPAGATION_CODE = 'trace-context-not-propagated';

function defaultStyle(): InstrumentStyle {
  const v = vscode.workspace.getConfiguration('traceInsight.instrumentation').get<string>('defaultStyle');
  return STYLES.includes(v as InstrumentStyle) ? (v as InstrumentStyle) : 'otel';
}

/** Parses documents with tree-sitter, loading a grammar on first use. */
class Parsers {
  private readonly parsers = new Map<CodeLanguage, Promise<Parser | undefined>>();

  async doc(document: vscode.TextDocument): Promise<SourceDoc | undefined> {
    const lang = languageOf(document.fileName);
    if (!lang) return undefined;
    const { loadParsers, stylesFor } = await loadCore();
    if (!stylesFor(lang).length) return undefined;
    let p = this.parsers.get(lang);
    if (!p) { p = loadParsers([lang]).then((r) => r.parsers.get(lang)); this.parsers.set(lang, p); }
    const parser = await p;
    const text = document.getText();
    const tree = parser?.parse(text);
    if (!tree) return undefined;
    // A tree lives in the grammar's WASM memory: the caller frees it (doc.root.tree.delete()) when done.
    if (tree.rootNode.hasError) { tree.delete(); return undefined; }
    return { text, root: tree.rootNode, lang, fileName: path.basename(document.fileName) };
  }
}

/**
 * Functions declared in each workspace folder (handler discovery, incremental): what tells a handler
 * traced by a layer or exec wrapper. Read on first use and again after any save.
 */
class DeclaredFunctions implements vscode.Disposable {
  private readonly folders = new Map<string, { discovery: Promise<import('../sources/workspace/discovery').WorkspaceDiscovery>; functions?: Promise<DiscoveredFunction[]> }>();
  private readonly sub = vscode.workspace.onDidSaveTextDocument(() => { for (const f of this.folders.values()) f.functions = undefined; });

  /** Handlers of `doc` that every function declaring them traces without code changes, with the reason. */
  async autoInstrumented(document: vscode.TextDocument, sites: HandlerSite[]): Promise<Map<HandlerSite, string>> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath;
    if (!folder || !sites.length) return new Map();
    let entry = this.folders.get(folder);
    if (!entry) {
      entry = { discovery: loadCore().then(({ sharedDiscovery }) => sharedDiscovery(folder)) };
      this.folders.set(folder, entry);
    }
    const e = entry;
    // A failed discovery means no handler is known to be traced by its deployment: hints stay on.
    e.functions ??= e.discovery.then((d) => d.run()).then((r) => r.functions, () => []);
    return core!.autoInstrumentedSites(sites, await e.functions, path.relative(folder, document.uri.fsPath));
  }

  dispose(): void { this.sub.dispose(); }
}

/** The nearest package.json / requirements.txt at or above the document, inside its workspace folder. */
function manifestFor(document: vscode.TextDocument, name: string): string | undefined {
  const top = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath;
  if (!top) return undefined;
  for (let d = path.dirname(document.uri.fsPath); d.startsWith(top); d = path.dirname(d)) {
    const f = path.join(d, name);
    if (fs.existsSync(f)) return f;
    if (d === top) break;
  }
  return undefined;
}

/** The position of a UTF-16 offset in a text that is not open in an editor. */
function positionIn(text: string, offset: number): vscode.Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return new vscode.Position(line, offset - (before.lastIndexOf('\n') + 1));
}

/** Offers "Add tracing to handler" on untraced handlers. */
export class InstrumentationProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite] };

  constructor(private readonly parsers: Parsers, private readonly declared: DeclaredFunctions) {}

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const doc = await this.parsers.doc(document);
    if (!doc) return [];
    // Plans are made eagerly (action()), so the tree is no longer needed once the actions exist.
    try { return await this.actionsFor(document, doc, range, ctx); } finally { doc.root.tree.delete(); }
  }

  private async actionsFor(document: vscode.TextDocument, doc: SourceDoc, range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const sites = core!.findHandlers(doc).filter((s) => !s.tracedBy && s.fn.startPosition.row <= range.start.line && range.start.line <= s.fn.endPosition.row);
    const auto = await this.declared.autoInstrumented(document, sites);
    const preferred = defaultStyle();
    const styles = core!.stylesFor(doc.lang);
    const ordered = styles.includes(preferred) ? [preferred, ...styles.filter((s) => s !== preferred)] : styles;
    const diagnostics = ctx.diagnostics.filter((d) => d.code === DIAGNOSTIC_CODE);
    const actions = sites.flatMap((site) => ordered.flatMap((style) => {
      const layer = auto.get(site);
      // Still offered (manual spans add detail), but not as the fix of a hint that is not shown.
      const plan = () => { const p = core!.planForSite(doc, site, style); return layer ? { ...p, notes: [`${site.name} is already traced by its deployment (${layer}); these spans add to the ones it records.`, ...p.notes] } : p; };
      const a = this.action(document, plan, `Add tracing to handler: ${core!.STYLE_LABEL[style]}${layer ? ` (already traced by ${layer})` : ''}`, layer ? vscode.CodeActionKind.RefactorRewrite : vscode.CodeActionKind.QuickFix);
      if (!a) return [];
      a.isPreferred = !layer && style === ordered[0];
      if (!layer) a.diagnostics = diagnostics;
      return [a];
    }));
    const line = range.start.line;
    // A quiet site (a handler that may be invoked by another function) is offered on its def line only.
    for (const p of core!.propagationSites(doc).filter((x) => (x.quiet ? x.line - 1 === line : x.statement.startPosition.row <= line && line <= x.statement.endPosition.row))) {
      const a = this.action(document, () => core!.planPropagation(doc, p), '', p.quiet ? vscode.CodeActionKind.RefactorRewrite : vscode.CodeActionKind.QuickFix);
      if (a && !p.quiet) a.diagnostics = ctx.diagnostics.filter((d) => d.code === PROPAGATION_CODE);
      if (a) actions.push(a);
    }
    const wrapStyles: InstrumentStyle[] = ['javascript', 'typescript', 'tsx', 'python'].includes(doc.lang) ? ordered : ['java', 'csharp', 'go', 'rust'].includes(doc.lang) ? ['otel'] : [];
    const offsets = range.isEmpty
      ? core!.wrapCandidates(doc).filter((c) => c.statement.startPosition.row <= line && line <= c.statement.endPosition.row).slice(0, 1).map((c) => [c.statement.startIndex, c.statement.endIndex, `Wrap in a span: ${c.spanName}`] as const)
      : [[document.offsetAt(range.start), document.offsetAt(range.end), 'Wrap selection in a span/subsegment'] as const];
    for (const [start, end, label] of offsets) {
      for (const style of wrapStyles) {
        const a = this.action(document, () => core!.planWrap(doc, start, end, style), `${label} (${core!.STYLE_LABEL[style]})`, vscode.CodeActionKind.RefactorRewrite, !range.isEmpty && style === wrapStyles[0]);
        if (a) actions.push(a);
      }
    }
    return actions;
  }

  /** A code action applying `plan()`; undefined when it cannot apply (or a disabled action saying why, when `explain`). */
  private action(document: vscode.TextDocument, planOf: () => InstrumentPlan, title: string, kind: vscode.CodeActionKind, explain = false): vscode.CodeAction | undefined {
    let plan;
    try { plan = planOf(); } catch (e) {
      if (!(e instanceof core!.InstrumentError)) throw e;
      if (!explain) return undefined;
      const a = new vscode.CodeAction(title, kind);
      a.disabled = { reason: e.message };
      return a;
    }
    const action = new vscode.CodeAction(title || plan.title, kind);
    const edit = new vscode.WorkspaceEdit();
    for (const e of plan.edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
    const install: string[] = [];
    for (const pkg of plan.packages) {
      const file = pkg.ecosystem === 'npm' ? manifestFor(document, 'package.json') : pkg.ecosystem === 'pip' ? manifestFor(document, 'requirements.txt') : undefined;
      const before = file ? fs.readFileSync(file, 'utf8') : undefined;
      const edits = file && before !== undefined ? core!.manifestEdits(file, before, pkg) : undefined;
      if (file && edits && before !== undefined) {
        for (const e of edits) edit.replace(vscode.Uri.file(file), new vscode.Range(positionIn(before, e.start), positionIn(before, e.end)), e.newText);
      } else install.push(pkg.install);
    }
    action.edit = edit;
    const message = [...install.map((c) => `Install: ${c}`), ...plan.notes].join(' ');
    if (message) action.command = { command: NOTES_COMMAND, title: 'Tracing notes', arguments: [message] };
    return action;
  }
}

/** Hint diagnostics on handlers without tracing, kept up to date as documents change. */
class UntracedDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('traceInsight.instrumentation');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[];

  constructor(private readonly parsers: Parsers, private readonly declared: DeclaredFunctions) {
    this.subs = [
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 300)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    ];
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (!vscode.languages.match(SELECTOR, document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.update(document); }, delayMs));
  }

  private async update(document: vscode.TextDocument): Promise<void> {
    const doc = await this.parsers.doc(document);
    try { await this.updateWith(document, doc); } finally { doc?.root.tree.delete(); }
  }

  private async updateWith(document: vscode.TextDocument, doc: SourceDoc | undefined): Promise<void> {
    const untraced = doc ? core!.findHandlers(doc).filter((s) => !s.tracedBy) : [];
    const auto = await this.declared.autoInstrumented(document, untraced);
    if (document.isClosed) return;
    const list = doc ? untraced.filter((s) => !auto.has(s)).map((s) => {
      const r = new vscode.Range(s.nameNode.startPosition.row, s.nameNode.startPosition.column, s.nameNode.endPosition.row, s.nameNode.endPosition.column);
      const d = new vscode.Diagnostic(r, `Handler ${s.name} has no tracing: add OpenTelemetry, Powertools Tracer or X-Ray SDK tracing (quick fix)`, vscode.DiagnosticSeverity.Hint);
      d.source = 'Trace Insight';
      d.code = DIAGNOSTIC_CODE;
      return d;
    }) : [];
    for (const p of doc ? core!.propagationSites(doc).filter((x) => !x.quiet) : []) {
      const d = new vscode.Diagnostic(new vscode.Range(p.line - 1, 0, p.line - 1, Number.MAX_SAFE_INTEGER), p.kind === 'inject'
        ? `This ${p.target === 'eventbridge' ? 'EventBridge event' : p.target === 'lambda' ? 'Lambda invocation' : `${p.target.toUpperCase()} message`} does not carry the trace context (quick fix: Propagate trace context)`
        : p.target === 'eventbridge' ? 'This EventBridge event is processed without the sender\'s trace context (quick fix: Propagate trace context)'
          : `${p.target.toUpperCase()} records are processed without the sender's trace context (quick fix: Propagate trace context)`, vscode.DiagnosticSeverity.Hint);
      d.source = 'Trace Insight';
      d.code = PROPAGATION_CODE;
      list.push(d);
    }
    this.collection.set(document.uri, list);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subs) s.dispose();
    this.collection.dispose();
  }
}

/** Registers the code actions, the hint diagnostics and the notes command; one disposable for all. */
export function registerInstrumentation(): vscode.Disposable {
  const parsers = new Parsers();
  const declared = new DeclaredFunctions();
  return vscode.Disposable.from(
    declared,
    vscode.languages.registerCodeActionsProvider(SELECTOR, new InstrumentationProvider(parsers, declared), InstrumentationProvider.metadata),
    new UntracedDiagnostics(parsers, declared),
    vscode.commands.registerCommand(NOTES_COMMAND, (message: string) => { void vscode.window.showInformationMessage(message); }),
  );
}
