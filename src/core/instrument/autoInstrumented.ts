/** Handlers that their deployment traces without code changes (an OpenTelemetry layer, an `/opt/otel-*` exec wrapper). */
import type { DiscoveredFunction } from '../iac/types';
import type { HandlerSite } from './types';

/**
 * The reason (DiscoveredFunction.autoInstrumentation) for each handler site of the file `relFile`
 * (workspace-relative, `/` or `\` separators) that is declared by at least one function and every
 * function declaring it is traced without code changes. A handler shared with an untraced function
 * is not in the map: the hint is still true for that function.
 */
export function autoInstrumentedSites(sites: readonly HandlerSite[], functions: readonly DiscoveredFunction[], relFile: string): Map<HandlerSite, string> {
  const norm = (f: string) => f.replace(/\\/g, '/').replace(/^\.\//, '');
  const file = norm(relFile);
  const declared = functions.filter((f) => f.file !== null && f.line !== null && norm(f.file) === file);
  const out = new Map<HandlerSite, string>();
  for (const site of sites) {
    const mine = declared.filter((f) => site.fn.startPosition.row + 1 <= f.line! && f.line! <= site.fn.endPosition.row + 1);
    if (mine.length && mine.every((f) => f.autoInstrumentation)) out.set(site, [...new Set(mine.map((f) => f.autoInstrumentation!))].join('; '));
  }
  return out;
}
