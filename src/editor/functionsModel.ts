/**
 * What the Functions view shows, kept between refreshes: the newest trace summaries grouped by function,
 * each function's health from its invocations (read once per trace, see InvocationCache) and its
 * configured timeout from handler discovery (run once, again on an explicit refresh).
 */
import * as vscode from 'vscode';
import type { DiscoveredFunction } from '../core/iac/types';
import { matchFunction } from '../core/analysis/functionMatch';
import { groupByFunction, InvocationCache, type FunctionGroup } from '../sources/functionsHealth';
import type { TraceStore } from '../sources/storeApi';
import { readInsightsSettings } from './codeLensConfig';
import { errorText, type StoreController } from './storeController';

/** Traces read to build the function list and the health figures; older ones are not looked at. */
export const SCAN_TRACES = 2000;

export class FunctionsModel {
  private cached: { generation: number; groups: FunctionGroup[] } | undefined;
  private building: { generation: number; groups: Promise<FunctionGroup[]> } | undefined;
  private cache: InvocationCache | undefined;
  private cacheStore: TraceStore | undefined;
  private known: Promise<readonly DiscoveredFunction[]> | undefined;
  private generation = 0;

  constructor(private readonly stores: StoreController, private readonly log: vscode.LogOutputChannel) {}

  /** The next `groups()` reads the store again (only new or grown traces); `rediscover` also re-reads the infrastructure files. */
  invalidate(rediscover = false): void {
    this.generation++;
    if (rediscover) this.known = undefined;
  }

  /** The groups (unsorted) as of the latest invalidation; [] when the store cannot be opened. */
  groups(): Promise<FunctionGroup[]> {
    const generation = this.generation;
    if (this.cached?.generation === generation) return Promise.resolve(this.cached.groups);
    if (this.building?.generation === generation) return this.building.groups;
    // one build at a time: the invocation cache is not safe to update concurrently
    const previous = this.building?.groups.catch(() => undefined);
    const groups = Promise.resolve(previous).then(() => this.build()).then((g) => {
      if (!this.cached || this.cached.generation < generation) this.cached = { generation, groups: g };
      return g;
    });
    this.building = { generation, groups };
    return groups;
  }

  private async build(): Promise<FunctionGroup[]> {
    let store: TraceStore;
    try {
      store = await this.stores.open();
    } catch (err) {
      // the welcome content shows; the reason is in the log (storeController logged it)
      this.log.debug(`Functions view: no store (${errorText(err)})`);
      return [];
    }
    if (store !== this.cacheStore) {
      this.cacheStore = store;
      this.cache = new InvocationCache((id) => store.getTrace(id));
    }
    const cache = this.cache as InvocationCache;
    const summaries = await store.listTraces({ limit: SCAN_TRACES });
    await cache.update(summaries, () => this.stores.current !== store);
    const known = await this.discovered();
    const functionMap = readInsightsSettings().functionMap;
    return groupByFunction(summaries, cache.health((name) => matchFunction(name, known, functionMap).function?.timeoutSec ?? undefined));
  }

  private discovered(): Promise<readonly DiscoveredFunction[]> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return Promise.resolve([]);
    this.known ??= import('../sources/workspace/lazyWorkspace').then(({ sharedDiscovery }) => sharedDiscovery(folder.uri.fsPath).run()).then((r) => r.functions, (err: unknown) => {
      this.log.warn(`Functions view: handler discovery failed (${errorText(err)}); timeouts unknown`);
      return [];
    });
    return this.known;
  }
}
