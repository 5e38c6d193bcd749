/**
 * Handler discovery over a workspace folder, incremental: files are re-read and re-parsed only
 * when their size or mtime changed since the previous run of the same `WorkspaceDiscovery`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { type CodeIndex, type CodeLanguage, languageOf } from '../../core/code/codeIndex';
import { locateHandler } from '../../core/code/locateHandler';
import type { HandlerLocation } from '../../core/code/location';
import { findSymbolLine } from '../../core/code/symbols';
import { extractCloudFormation, isCloudFormation, readTemplate } from '../../core/iac/cloudFormation';
import { extractCdkSource } from '../../core/iac/cdkSource';
import { azureMainSelects, extractAzureNodeFunctions, extractAzurePythonFunctions } from '../../core/iac/azureCode';
import { azurePythonIndexed } from '../../core/iac/azurePythonBlueprints';
import { azureWorkerRuntime, extractAzureFunction, extractGcpFunctions } from '../../core/iac/otherClouds';
import { extractServerless } from '../../core/iac/serverlessFramework';
import { autoInstrumentationOf, resolveExternalLayers, type WorkspaceLayer } from '../../core/iac/layerRefs';
import { extractTerraform, terraformVariables } from '../../core/iac/terraform';
import { dirnamePosix, type DiscoveredFunction, type FunctionDecl, type IacFileResult } from '../../core/iac/types';
import { type GrammarName, loadParsers } from './grammars';
import { type FileStamp, walkLayerContent, walkWorkspace } from './walk';

/** What one discovery run found. */
export interface DiscoveryResult {
  /** Sorted by declaring file, then line. */
  functions: DiscoveredFunction[];
  /** Workspace-level warnings (invalid templates, missing nested stacks, grammars that failed). */
  warnings: string[];
  /** Files read and parsed in this run (all of them on the first run; changed ones afterwards). */
  parsedFiles: string[];
  fileCount: number;
}

interface Cached<T> { stamp: FileStamp; value: T }

const IAC_TEXT = /\.(ya?ml|json|template)$/i;

function isServerlessFile(f: string): boolean {
  return /(^|\/)serverless\.ya?ml$/i.test(f);
}

const shared = new Map<string, WorkspaceDiscovery>();

/**
 * One discovery per workspace root for the whole process: the editor's features (insights, the
 * Functions view, instrumentation hints, /opt frames) share its caches instead of each walking and
 * parsing the workspace again.
 */
export function sharedDiscovery(root: string): WorkspaceDiscovery {
  let d = shared.get(root);
  if (!d) { d = new WorkspaceDiscovery(root); shared.set(root, d); }
  return d;
}

export class WorkspaceDiscovery {
  private stamps = new Map<string, FileStamp>();
  // Lists of the last finished run, set when it ends: a run started meanwhile by another caller of a
  // shared discovery must not show its half-built state.
  private lastFiles: string[] = [];
  private walked: string[] = [];
  /** The run in progress, if any: runs share caches, so a second caller waits for it. */
  private queue: Promise<unknown> = Promise.resolve();
  private texts = new Map<string, Cached<string | undefined>>();
  private trees = new Map<string, Cached<Tree | undefined>>();
  private iac = new Map<string, Cached<IacFileResult | undefined>>();
  private other = new Map<string, Cached<IacFileResult | undefined>>();
  /** Files a serverless.yml read through `${file(...)}`, with their stamps then: a change re-reads it. */
  private reads = new Map<string, Map<string, FileStamp | undefined>>();
  private located = new Map<string, { loc: HandlerLocation; deps: string[] }>();
  private parsers = new Map<GrammarName, Parser>();
  private grammarErrors: string[] = [];
  private parsed = new Set<string>();

  constructor(readonly root: string) {}

  private changed<T>(cache: Map<string, Cached<T>>, f: string): boolean {
    const c = cache.get(f);
    const s = this.stamps.get(f);
    return !c || !s || c.stamp.mtimeMs !== s.mtimeMs || c.stamp.size !== s.size;
  }

  private text(f: string): string | undefined {
    if (!this.changed(this.texts, f)) return this.texts.get(f)!.value;
    let t: string | undefined;
    try { t = fs.readFileSync(path.join(this.root, f), 'utf8'); } catch { t = undefined; }
    this.texts.set(f, { stamp: this.stamps.get(f)!, value: t });
    return t;
  }

  private tree(f: string, grammar: GrammarName | undefined = languageOf(f)): Node | undefined {
    if (!this.stamps.has(f) || !grammar) return undefined;
    if (!this.changed(this.trees, f)) return this.trees.get(f)!.value?.rootNode;
    const parser = this.parsers.get(grammar);
    const t = this.text(f);
    const tree = parser && t !== undefined ? parser.parse(t) ?? undefined : undefined;
    this.trees.get(f)?.value?.delete();
    this.trees.set(f, { stamp: this.stamps.get(f)!, value: tree });
    this.parsed.add(f);
    return tree?.rootNode;
  }

  /** Files of the last finished run, layer folders' files included (workspace-relative, sorted). */
  files(): string[] {
    return this.lastFiles;
  }

  /** A workspace file's text, from the cache. */
  readText(file: string): string | undefined {
    return this.stamps.has(file) ? this.text(file) : undefined;
  }

  /** 1-based line of the function or method `name` declared in `file`, from the cached tree. */
  findSymbol(file: string, name: string): number | undefined {
    const root = this.tree(file);
    return root ? findSymbolLine(root, name) : undefined;
  }

  /** Workspace-relative files of the last finished run, as walked (layer `node_modules` files not included). */
  workspaceFiles(): string[] {
    return this.walked;
  }

  /** Runs discovery; call again after edits to re-parse only what changed. Concurrent calls run one after the other. */
  run(): Promise<DiscoveryResult> {
    const next = this.queue.then(() => this.runOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runOnce(): Promise<DiscoveryResult> {
    this.parsed = new Set();
    const before = this.stamps;
    this.stamps = walkWorkspace(this.root);
    const files = [...this.stamps.keys()];
    const needed = new Set<GrammarName>();
    for (const f of files) {
      const l = languageOf(f);
      if (l) needed.add(l);
      if (f.endsWith('.tf')) needed.add('terraform');
    }
    if (needed.has('typescript')) needed.add('javascript');
    const missing = [...needed].filter((n) => !this.parsers.has(n));
    if (missing.length) {
      const { parsers, errors } = await loadParsers(missing);
      for (const [k, v] of parsers) this.parsers.set(k, v);
      this.grammarErrors.push(...errors);
    }
    const warnings: string[] = [...this.grammarErrors];
    const decls: FunctionDecl[] = [];
    const layersByScope = new Map<string, Map<string, WorkspaceLayer>>();
    const allLayers: WorkspaceLayer[] = [];
    const tfVars = this.terraformVars(files);
    const cdkApps = files.filter((f) => /(^|\/)cdk\.json$/.test(f)).map(dirnamePosix);
    for (const f of files) {
      const r = this.iacFile(f, tfVars) ?? this.cdkFile(f, cdkApps) ?? this.otherCloudFile(f);
      if (!r) continue;
      decls.push(...r.functions);
      if (r.layers?.length) {
        const scope = layerScope(f);
        const found = r.layers.map((l) => ({ ...l, file: f }));
        layersByScope.set(scope, new Map([...(layersByScope.get(scope) ?? []), ...found.map((l): [string, WorkspaceLayer] => [l.name, l])]));
        allLayers.push(...found);
      }
      warnings.push(...r.warnings);
      for (const ref of r.references) if (!this.stamps.has(ref)) warnings.push(`${f}: nested template ${ref} is not in the workspace`);
    }
    mergeSynthesized(decls);
    const index = this.codeIndex(files);
    // Layer content is walked once the IaC files named it: its node_modules hold the layer's own code.
    const layerFiles = walkLayerContent(this.root, [...new Set(allLayers.map((l) => l.contentDir))]);
    if (layerFiles.size) this.stamps = new Map([...this.stamps, ...layerFiles].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    const changedDirs = changedFolders(before, this.stamps);
    for (const cache of [this.texts, this.trees, this.iac, this.other] as Map<string, Cached<unknown>>[]) {
      for (const f of cache.keys()) if (!this.stamps.has(f)) { (cache.get(f)?.value as Tree | undefined)?.delete?.(); cache.delete(f); }
    }
    const located = new Map<string, { loc: HandlerLocation; deps: string[] }>();
    const functions = decls.map((declared) => {
      const scope = layersByScope.get(layerScope(declared.declaredIn.file));
      const local = (declared.layers ?? []).map((l) => scope?.get(l)).filter((x): x is WorkspaceLayer => !!x);
      const external = resolveExternalLayers(declared, allLayers);
      const layerDirs = [...new Set([...local.map((l) => l.contentDir), ...external.dirs])];
      const localNames = local.map((l) => l.layerName).filter((x): x is string => !!x);
      const auto = autoInstrumentationOf(declared, [...(declared.externalLayers ?? []), ...localNames]);
      // A vendor wrapper handler loads the real one from an environment variable: that one is located.
      const d = auto.handler ? { ...declared, handler: auto.handler } : declared;
      // A handler is located again only when a file changed under a folder its search looked in.
      const key = JSON.stringify(d);
      const prev = this.located.get(key);
      const stale = !prev || prev.deps.some((dep) => changedDirs.has(dep) || [...changedDirs].some((c) => dep === '.' || c.startsWith(`${dep}/`)));
      const loc = stale ? locateHandler(d, index) : prev.loc;
      located.set(key, stale ? { loc, deps: dependencyFolders(d, loc) } : prev);
      const found = toDiscovered(d, loc);
      found.warnings.push(...external.warnings, ...(auto.warning ? [auto.warning] : []));
      return { ...found, ...(layerDirs.length ? { layerDirs } : {}), ...(auto.reason ? { autoInstrumentation: auto.reason } : {}) };
    });
    this.located = located;
    this.walked = files;
    this.lastFiles = [...this.stamps.keys()];
    return { functions, warnings, parsedFiles: [...this.parsed].sort(), fileCount: files.length };
  }

  private terraformVars(files: string[]): Map<string, Map<string, unknown>> {
    const byDir = new Map<string, Map<string, unknown>>();
    for (const f of files) {
      if (!f.endsWith('.tf')) continue;
      const root = this.tree(f, 'terraform');
      if (!root) continue;
      const d = dirnamePosix(f);
      const m = byDir.get(d) ?? new Map<string, unknown>();
      for (const [k, v] of terraformVariables(root)) m.set(k, v);
      byDir.set(d, m);
    }
    return byDir;
  }

  private iacFile(f: string, tfVars: Map<string, Map<string, unknown>>): IacFileResult | undefined {
    if (f.endsWith('.tf')) {
      // Variables come from sibling files, so a .tf result is recomputed from its (cached) tree.
      const root = this.tree(f, 'terraform');
      return root ? extractTerraform(f, root, (tfVars.get(dirnamePosix(f)) ?? new Map()) as Map<string, never>) : undefined;
    }
    if (!IAC_TEXT.test(f)) return undefined;
    const readsChanged = [...(this.reads.get(f) ?? [])].some(([p, st]) => this.stamps.get(p)?.mtimeMs !== st?.mtimeMs || this.stamps.get(p)?.size !== st?.size);
    if (!this.changed(this.iac, f) && !readsChanged) return this.iac.get(f)!.value;
    const t = this.text(f);
    let r: IacFileResult | undefined;
    if (t !== undefined && isServerlessFile(f)) {
      const reads = new Map<string, FileStamp | undefined>();
      r = extractServerless(f, t, (p) => { reads.set(p, this.stamps.get(p)); return this.readText(p); });
      this.reads.set(f, reads);
      this.parsed.add(f);
    }
    else if (t !== undefined && t.includes('AWS::') && t.includes('Resources')) {
      this.parsed.add(f);
      const { root, warnings } = readTemplate(f, t);
      r = isCloudFormation(root) ? extractCloudFormation(f, root, warnings) : undefined;
    }
    this.iac.set(f, { stamp: this.stamps.get(f)!, value: r });
    return r;
  }

  /** Azure `function.json` (with the app's host.json / local.settings.json) and functions-framework code. */
  private otherCloudFile(f: string): IacFileResult | undefined {
    if (/(^|\/)function\.json$/.test(f)) {
      const t = this.text(f);
      const app = dirnamePosix(dirnamePosix(f));
      const host = this.stamps.has(`${app}/host.json`) ? this.text(`${app}/host.json`) : undefined;
      const settings = this.stamps.has(`${app}/local.settings.json`) ? this.text(`${app}/local.settings.json`) : undefined;
      if (t === undefined) return undefined;
      this.parsed.add(f);
      const r = extractAzureFunction(f, t, host, settings ? azureWorkerRuntime(settings) : undefined);
      return r.functions.length ? r : undefined;
    }
    const lang = languageOf(f);
    if (lang !== 'javascript' && lang !== 'typescript' && lang !== 'python' && lang !== 'go') return undefined;
    if (!this.changed(this.other, f)) return this.inAzureApp(f, this.other.get(f)!.value);
    const t = this.text(f);
    let r: IacFileResult | undefined;
    if (t && /functions-framework|functions_framework/.test(t)) {
      const root = this.tree(f);
      const functions = root ? extractGcpFunctions(f, root, lang) : [];
      r = functions.length ? { functions, warnings: [], references: [] } : undefined;
    } else if (t && lang !== 'go' && /@azure\/functions|azure\.functions/.test(t) && !/(^|\/)(tests?|__tests__)\/|\.(test|spec)\.[cm]?[jt]s$/.test(f)) {
      const root = this.tree(f);
      const functions = !root ? [] : lang === 'python' ? extractAzurePythonFunctions(f, root) : extractAzureNodeFunctions(f, root);
      r = functions.length ? { functions, warnings: [], references: [] } : undefined;
    }
    this.other.set(f, { stamp: this.stamps.get(f)!, value: r });
    return this.inAzureApp(f, r);
  }

  /** Code-registered Azure functions count only inside an Azure Functions app (a folder above holds host.json) and, for Node, in files its package.json `main` loads. */
  private inAzureApp(f: string, r: IacFileResult | undefined): IacFileResult | undefined {
    if (!r?.functions.some((x) => x.kind === 'azure')) return r;
    for (let d = dirnamePosix(f); ; d = dirnamePosix(d)) {
      const at = (name: string) => (d === '.' ? name : `${d}/${name}`);
      if (this.stamps.has(at('host.json')) && f.endsWith('.py')) {
        // Python v2: a blueprint's functions exist only when function_app.py registers it.
        const script = this.tree(at('function_app.py'));
        const root = this.tree(f);
        return root ? azurePythonIndexed(f, root, r, d, script ? { file: at('function_app.py'), root: script } : undefined) : r;
      }
      if (this.stamps.has(at('host.json'))) return azureMainSelects(this.readText(at('package.json')), d === '.' ? f : f.slice(d.length + 1)) ? r : undefined;
      if (d === '.') return undefined;
    }
  }

  /** CDK app sources: code files under a folder holding cdk.json, outside build and test folders. */
  private cdkFile(f: string, apps: string[]): IacFileResult | undefined {
    const app = apps.find((a) => a === '.' || f.startsWith(`${a}/`));
    const lang = languageOf(f);
    if (!app || !lang || f.endsWith('.d.ts') || /(^|\/)(cdk\.out|node_modules|test|tests)\//.test(f.slice(app === '.' ? 0 : app.length + 1))) return undefined;
    if (!this.changed(this.iac, f)) return this.iac.get(f)!.value;
    const t = this.text(f);
    let r: IacFileResult | undefined;
    if (t && /aws[-_]?lambda|awscdk.services.lambda|AWS\.Lambda/i.test(t)) {
      const root = this.tree(f);
      const found = root ? extractCdkSource(f, root, app) : undefined;
      r = found && (found.functions.length || found.layers?.length || found.warnings.length) ? found : undefined;
    }
    this.iac.set(f, { stamp: this.stamps.get(f)!, value: r });
    return r;
  }

  private codeIndex(files: string[]): CodeIndex {
    const set = new Set(files);
    const temp = new Map<CodeLanguage, Parser>();
    return {
      files,
      has: (f) => set.has(f),
      tree: (f) => this.tree(f),
      text: (f) => (set.has(f) ? this.text(f) : undefined),
      parseText: (text, lang) => {
        const p = this.parsers.get(lang) ?? temp.get(lang);
        return p?.parse(text)?.rootNode ?? undefined;
      },
    };
  }
}

/**
 * A CDK app declares each function twice when its `cdk.out` is in the workspace: once in the
 * source, once synthesized. The synthesized copy (matched by `aws:cdk:path` .../<construct id>)
 * is folded into the source declaration: its logical id and names become aliases.
 */
function mergeSynthesized(decls: FunctionDecl[]): void {
  for (let i = decls.length - 1; i >= 0; i--) {
    const syn = decls[i];
    if (syn.kind !== 'cdk-synth') continue;
    const path = syn.aliases.find((a) => a.includes('/'));
    const appDir = dirnamePosix(dirnamePosix(syn.declaredIn.file));
    const src = path && decls.find((d) => d.kind === 'cdk' && path.endsWith(`/${d.name}`) && (appDir === '.' || d.declaredIn.file.startsWith(`${appDir}/`)));
    if (!src) continue;
    for (const a of [syn.name, ...syn.aliases]) if (!src.aliases.includes(a)) src.aliases.push(a);
    src.warnings.push(`also synthesized at ${syn.declaredIn.file}:${syn.declaredIn.line}`);
    src.memoryMb ??= syn.memoryMb;
    src.timeoutSec ??= syn.timeoutSec;
    src.architecture ??= syn.architecture;
    decls.splice(i, 1);
  }
}

/** Where a layer's logical name is visible: its file, or for Terraform every .tf file of its folder (one module). */
function layerScope(file: string): string {
  return file.endsWith('.tf') ? `${dirnamePosix(file)}/*.tf` : file;
}

/** Folders holding a file that was added, removed or modified between two walks. */
function changedFolders(before: Map<string, FileStamp>, after: Map<string, FileStamp>): Set<string> {
  const dirs = new Set<string>();
  for (const [f, st] of after) {
    const b = before.get(f);
    if (!b || b.mtimeMs !== st.mtimeMs || b.size !== st.size) dirs.add(dirnamePosix(f));
  }
  for (const f of before.keys()) if (!after.has(f)) dirs.add(dirnamePosix(f));
  return dirs;
}

/** Folders whose files can change where `d`'s handler is found. */
function dependencyFolders(d: FunctionDecl, loc: HandlerLocation): string[] {
  const deps = new Set<string>([dirnamePosix(d.declaredIn.file)]);
  for (const p of [loc.codeDir, d.codeUri, d.sourceFile && dirnamePosix(d.sourceFile), loc.file && dirnamePosix(loc.file), ...(loc.candidates ?? []).map((c) => dirnamePosix(c.file))]) {
    if (p) deps.add(p);
  }
  return [...deps];
}

function toDiscovered(d: FunctionDecl, loc: HandlerLocation): DiscoveredFunction {
  return {
    name: d.name, aliases: d.aliases, kind: d.kind, runtime: d.runtime ?? null, handler: d.handler ?? null,
    packageType: d.packageType, file: loc.file, line: loc.line,
    declaredIn: `${d.declaredIn.file}:${d.declaredIn.line}`,
    ...(loc.codeDir ? { codeDir: loc.codeDir } : {}),
    memoryMb: d.memoryMb ?? null, timeoutSec: d.timeoutSec ?? null, architecture: d.architecture ?? null,
    ...(d.region ? { region: d.region } : {}), ...(d.account ? { account: d.account } : {}),
    ...(loc.unresolvedReason ? { unresolvedReason: loc.unresolvedReason } : {}),
    ...(loc.candidates ? { candidates: loc.candidates } : {}),
    warnings: [...d.warnings, ...loc.warnings],
  };
}
