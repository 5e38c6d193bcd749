/**
 * The insights behind CodeLens, line hints and hovers, kept ready for the editor's UI path: handler
 * discovery over the workspace, every stored trace reduced to its facts (traceFacts.ts) once, and a
 * snapshot indexed by file (insightsModel.ts). `forFile` is one Map lookup; the store is read only
 * when traces arrive (debounced, only the traces that changed) and the workspace is re-read only when
 * files change (debounced, incrementally). vscode-free.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DiscoveredFunction } from '../../core/iac/types';
import { matchFunction } from '../../core/analysis/functionMatch';
import type { Trace } from '../../core/model';
import type { TraceStore } from '../storeApi';
import type { WorkspaceDiscovery } from '../workspace/discovery';
import { InsightsBuilder, type FileInsights, type InsightsSnapshot } from './insightsModel';
import { traceFacts, type TraceFacts } from './traceFacts';

export interface InsightsOptions {
  /** The workspace folder (absolute). */
  root: string;
  /** Trace name -> declared function name (`traceInsight.functionMap`). */
  functionMap?: Readonly<Record<string, string>>;
  /** Newest traces read from the store (default 20 000); percentiles describe these. */
  maxTraces?: number;
  /** Quiet time after the last append or file change before recomputing (ms; default 400). */
  debounceMs?: number;
  /** Called with problems worth a log line (discovery warnings, unreadable traces). */
  log?: (message: string) => void;
}

/** A rebuild gives the event loop a turn after this long (ms), so lenses and typing stay responsive. */
const SLICE_MS = 15;

const EMPTY: InsightsSnapshot = { byFile: new Map(), functions: [], traces: 0, invocations: 0, unmatched: [] };

export class InsightsService {
  /** Loaded on the first discovery: the parsers are not needed at activation. */
  private discovery?: WorkspaceDiscovery;
  private known: DiscoveredFunction[] = [];
  private files: string[] = [];
  private readonly texts = new Map<string, string | undefined>();
  private readonly facts = new Map<string, TraceFacts>();
  private snap: InsightsSnapshot = EMPTY;
  private store: TraceStore | undefined;
  private storeSub: { dispose(): void } | undefined;
  private readonly pendingIds = new Set<string>();
  private workspaceDirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private started: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  private functionMap: Readonly<Record<string, string>>;
  private rebuildStats = { totalMs: 0, longestSliceMs: 0 };

  constructor(private readonly options: InsightsOptions) {
    this.functionMap = options.functionMap ?? {};
  }

  /** The current snapshot (empty until the first computation ends). */
  get snapshot(): InsightsSnapshot {
    return this.snap;
  }

  /** What a workspace file shows, by workspace-relative posix path; a Map lookup, nothing else. */
  forFile(relPath: string): FileInsights | undefined {
    return this.snap.byFile.get(relPath);
  }

  /** Calls `listener` after every new snapshot. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Reads the workspace and every stored trace (once; later calls share the promise). Appends to the
   * store are followed from then on.
   */
  start(store: TraceStore | undefined): Promise<void> {
    this.started ??= this.enqueue(async () => {
      await this.rediscover();
      await this.attach(store);
    });
    return this.started;
  }

  /** Switches to another store (or none), reading all of its traces again. */
  setStore(store: TraceStore | undefined): Promise<void> {
    if (store === this.store) return this.running;
    if (!this.started) return this.start(store);
    return this.enqueue(() => this.attach(store));
  }

  /** Marks the workspace changed (a file saved, created or deleted): re-read after the quiet time. */
  workspaceChanged(): void {
    this.workspaceDirty = true;
    this.schedule();
  }

  /** Applies new overrides (trace name -> declared name) and recomputes. */
  setFunctionMap(map: Readonly<Record<string, string>>): Promise<void> {
    if (JSON.stringify(map) === JSON.stringify(this.functionMap)) return this.running;
    this.functionMap = map;
    return this.enqueue(async () => this.refactAll());
  }

  /** Settles when nothing is pending or running (for tests and the benchmark). */
  async idle(): Promise<void> {
    while (this.timer || this.pendingIds.size || this.workspaceDirty) {
      if (this.timer) { clearTimeout(this.timer); this.timer = undefined; this.flush(); }
      await this.running;
    }
    await this.running;
  }

  /** Adds traces directly (what an append does after reading them), then recomputes. */
  ingest(traces: readonly Trace[]): Promise<void> {
    return this.enqueue(async () => {
      const ctx = this.factsContext();
      for (const t of traces) this.facts.set(t.traceId, traceFacts(t, ctx));
      await this.rebuild();
    });
  }

  /** How long the last rebuild took in all, and its longest slice without a turn of the event loop (ms). */
  get lastRebuild(): { totalMs: number; longestSliceMs: number } {
    return this.rebuildStats;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.storeSub?.dispose();
    this.listeners.clear();
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.running.then(job).catch((e: unknown) => this.options.log?.(`insights: ${e instanceof Error ? e.message : String(e)}`));
    this.running = next;
    return next;
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, this.options.debounceMs ?? 400);
  }

  private flush(): void {
    void this.enqueue(async () => {
      if (this.workspaceDirty) {
        this.workspaceDirty = false;
        if (await this.rediscover()) { await this.refactAll(); return; }
      }
      const ids = [...this.pendingIds];
      this.pendingIds.clear();
      if (ids.length) await this.readTraces(ids);
      await this.rebuild();
    });
  }

  private async attach(store: TraceStore | undefined): Promise<void> {
    this.storeSub?.dispose();
    this.storeSub = undefined;
    this.store = store;
    if (store) {
      this.storeSub = store.onDidAppend((ids) => {
        for (const id of ids) this.pendingIds.add(id);
        this.schedule();
      });
    }
    await this.refactAll();
  }

  /** Reads every trace again (new store, new function map, functions moved). */
  private async refactAll(): Promise<void> {
    this.facts.clear();
    this.pendingIds.clear();
    const store = this.store;
    if (store) {
      const summaries = await store.listTraces({ limit: this.options.maxTraces ?? 20_000 });
      await this.readTraces(summaries.map((s) => s.traceId));
    }
    await this.rebuild();
  }

  private async readTraces(ids: readonly string[]): Promise<void> {
    const store = this.store;
    if (!store) return;
    const ctx = this.factsContext();
    for (const id of ids) {
      if (this.disposed || store !== this.store) return;
      const t = await store.getTrace(id);
      if (t) this.facts.set(t.traceId, traceFacts(t, ctx));
    }
  }

  /** Re-runs discovery; true when the functions or the file list changed (span mapping depends on both). */
  private async rediscover(): Promise<boolean> {
    const key = () => JSON.stringify([this.known.map((f) => [f.name, f.file, f.line, f.declaredIn, f.handler]), this.files]);
    const before = key();
    const { sharedDiscovery } = await import('../workspace/lazyWorkspace');
    this.discovery ??= sharedDiscovery(this.options.root);
    const r = await this.discovery.run();
    this.known = r.functions;
    this.files = this.discovery.workspaceFiles();
    this.texts.clear();
    for (const w of r.warnings) this.options.log?.(`workspace: ${w}`);
    return key() !== before;
  }

  private factsContext() {
    const byName = new Map<string, DiscoveredFunction | undefined>();
    return {
      files: this.files,
      functionOf: (name: string) => {
        if (!byName.has(name)) byName.set(name, matchFunction(name, this.known, this.functionMap).function);
        return byName.get(name);
      },
      readText: (f: string) => {
        if (!this.texts.has(f)) {
          try { this.texts.set(f, fs.readFileSync(path.join(this.options.root, f), 'utf8')); } catch { this.texts.set(f, undefined); }
        }
        return this.texts.get(f);
      },
    };
  }

  /** Rebuilds the snapshot in slices of at most about SLICE_MS, then tells the listeners. */
  private async rebuild(): Promise<void> {
    if (this.disposed) return;
    const t0 = performance.now();
    let sliceStart = t0, longest = 0;
    const turn = async () => {
      const now = performance.now();
      if (now - sliceStart < SLICE_MS) return;
      longest = Math.max(longest, now - sliceStart);
      await new Promise((r) => setImmediate(r));
      sliceStart = performance.now();
    };
    const b = new InsightsBuilder(this.known, this.functionMap);
    let n = 0;
    for (const f of this.facts.values()) {
      b.add(f);
      if ((++n & 255) === 0) await turn();
    }
    const steps = b.finish();
    let r = steps.next();
    while (!r.done) { await turn(); r = steps.next(); }
    longest = Math.max(longest, performance.now() - sliceStart);
    this.rebuildStats = { totalMs: performance.now() - t0, longestSliceMs: longest };
    if (this.disposed) return;
    this.snap = r.value;
    for (const l of [...this.listeners]) l();
  }
}
