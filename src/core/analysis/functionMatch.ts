/**
 * Joins the function names traces carry with the functions the infrastructure files declare, so a
 * report row gets its handler file:line, memory, timeout and architecture. Uses the identity rules
 * of core/mapping/identity.ts; adds one rule for X-Ray SDK Lambda-mode traces, which name only the
 * handler (`index.handler`, `lambda_handler`). Only a unique match is accepted.
 */
import type { DiscoveredFunction } from '../iac/types';
import { resolveFunction, type IdentityConfidence } from '../mapping/identity';

export interface FunctionMatch {
  function?: DiscoveredFunction;
  /** `handler` when matched by handler string; the identity confidence otherwise. */
  confidence: IdentityConfidence | 'handler';
  /** Why it matched, or the candidates when several fit. */
  why: string[];
}

/** The declared function a trace's function name stands for (see the module comment). */
export function matchFunction(traceName: string, known: readonly DiscoveredFunction[], functionMap?: Readonly<Record<string, string>>): FunctionMatch {
  const r = resolveFunction({ faasName: traceName, xraySegmentName: traceName }, known, functionMap);
  if (r.function || r.confidence === 'ambiguous') {
    return { ...(r.function ? { function: r.function } : {}), confidence: r.confidence, why: r.candidates.map((c) => (r.function ? c.why : `${c.function.name}: ${c.why}`)) };
  }
  const byHandler = known.filter((k) => k.handler !== null && (k.handler === traceName || k.handler.endsWith(`.${traceName}`) || k.handler.endsWith(`::${traceName}`)));
  if (byHandler.length === 1) return { function: byHandler[0], confidence: 'handler', why: [`the traces name only the handler ${traceName} (${byHandler[0].declaredIn})`] };
  if (byHandler.length > 1) return { confidence: 'ambiguous', why: byHandler.map((f) => `${f.name}: handler ${f.handler} (${f.declaredIn})`) };
  return { confidence: 'none', why: [] };
}

/** `arm64`/`x86_64` from what templates write (`arm64`, `x86_64`, `ARM_64`, `Architecture.ARM_64`...). */
export function normalizeArchitecture(a: string | null | undefined): 'arm64' | 'x86_64' | undefined {
  if (!a) return undefined;
  if (/arm|aarch/i.test(a)) return 'arm64';
  if (/x86|amd64|x64/i.test(a)) return 'x86_64';
  return undefined;
}
