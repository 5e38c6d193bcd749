/** The result of locating a handler in code. */

/** Another place that could be the handler, and why it was considered. */
export interface Candidate {
  file: string;
  line: number;
  why: string;
}

/** Where a handler is defined: file and 1-based line, or null with a reason. */
export interface HandlerLocation {
  file: string | null;
  line: number | null;
  /** The symbol found (function, method or export name). */
  symbol?: string;
  unresolvedReason?: string;
  /** Set when more than one place fits (and then `file`/`line` are null) or for context. */
  candidates?: Candidate[];
  warnings: string[];
  /** The workspace folder deployed as the function's code (its `/var/task`), when known. */
  codeDir?: string;
}

export function found(file: string, line: number, symbol: string, warnings: string[] = []): HandlerLocation {
  return { file, line, symbol, warnings };
}

export function unresolved(reason: string, warnings: string[] = [], candidates?: Candidate[]): HandlerLocation {
  return { file: null, line: null, unresolvedReason: reason, warnings, ...(candidates?.length ? { candidates } : {}) };
}
