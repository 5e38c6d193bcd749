/**
 * Joins the function names traces carry with the functions the infrastructure files declare, so a
 * report row gets its handler file:line, memory, timeout and architecture. A minimal matcher for
 * the report; only a unique match is accepted, nothing is guessed.
 */

/** What discovery (trace-insight handlers) says about one declared function. */
export interface KnownFunction {
  name: string;
  aliases: readonly string[];
  handler: string | null;
  file: string | null;
  line: number | null;
  memoryMb: number | null;
  timeoutSec: number | null;
  architecture: string | null;
  region?: string;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unique<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/**
 * The declared function a trace's function name stands for: the same name or alias; a
 * CloudFormation physical name `<stack>-<LogicalId>-<suffix>`; or, for X-Ray Lambda-mode traces
 * that name only the handler (`index.handler`, `lambda_handler`), the function with that handler.
 * Undefined when none or several fit.
 */
export function matchFunction(traceName: string, known: readonly KnownFunction[]): KnownFunction | undefined {
  const exact = unique(known.filter((k) => k.name === traceName || k.aliases.includes(traceName)));
  if (exact) return exact;
  const physical = unique(known.filter((k) => new RegExp(`(^|-)${escapeRe(k.name)}-[A-Za-z0-9]{4,13}$`).test(traceName)));
  if (physical) return physical;
  return unique(known.filter((k) => k.handler !== null && (k.handler === traceName || k.handler.endsWith(`.${traceName}`) || k.handler.endsWith(`::${traceName}`))));
}

/** `arm64`/`x86_64` from what templates write (`arm64`, `x86_64`, `ARM_64`, `Architecture.ARM_64`...). */
export function normalizeArchitecture(a: string | null | undefined): 'arm64' | 'x86_64' | undefined {
  if (!a) return undefined;
  if (/arm|aarch/i.test(a)) return 'arm64';
  if (/x86|amd64|x64/i.test(a)) return 'x86_64';
  return undefined;
}
