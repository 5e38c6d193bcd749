/**
 * What the editor keeps of one stored trace: its Lambda invocations, the source lines its spans map
 * to, and its findings. Computed once when the trace arrives, so the per-handler and per-line figures
 * can be rebuilt from these small records without reading the store again.
 */
import { traceFindings, type FindingKind } from '../../core/analysis/findings';
import { extractInvocations, functionBySpan, type Invocation } from '../../core/analysis/invocations';
import type { DiscoveredFunction } from '../../core/iac/types';
import { dirnamePosix } from '../../core/iac/types';
import { locateSpan } from '../../core/mapping/spanLocation';
import type { Span, Trace } from '../../core/model';

/** One span mapped to a workspace line (not an invocation span: the handler's lens covers those). */
export interface LineHit {
  /** `file` NUL `line`: the accumulation key, built once here rather than on every rebuild. */
  key: string;
  /** Workspace-relative posix path. */
  file: string;
  /** 1-based. */
  line: number;
  /** Undefined while the span is in progress. */
  durationMs: number | undefined;
  error: boolean;
  name: string;
}

/** A finding of one trace, reduced to what a hover lists. */
export interface TraceFinding {
  kind: FindingKind;
  severity: 'info' | 'warning';
  message: string;
  /** Function names (as in the traces) of the invocations the finding's spans ran in. */
  functions: string[];
}

export interface TraceFacts {
  traceId: string;
  invocations: Invocation[];
  /** The declared function of each invocation (same order), undefined when none matches. */
  declared: (string | undefined)[];
  /** The matched invocations with `functionName` set to the declared name, so aggregates group by function. */
  renamed: Invocation[];
  lines: LineHit[];
  findings: TraceFinding[];
}

/** What mapping spans to lines needs: the workspace files and the declared function of a trace name. */
export interface FactsContext {
  /** Workspace-relative posix paths, sorted. */
  files: readonly string[];
  /** The declared function a trace's function name stands for, or undefined. */
  functionOf(traceName: string): DiscoveredFunction | undefined;
  readText(file: string): string | undefined;
}

function isError(s: Span): boolean {
  return s.status.code === 'error' || (s.xray !== undefined && (s.xray.error || s.xray.fault));
}

/** Computes the facts of one trace. Never throws for odd traces (unmapped spans are skipped). */
export function traceFacts(trace: Trace, ctx: FactsContext): TraceFacts {
  const invocations = extractInvocations(trace);
  const entries = new Set(invocations.map((v) => v.spanId));
  const fnBySpan = functionBySpan(trace, invocations);
  const lines: LineHit[] = [];
  for (const s of trace.spans) {
    if (entries.has(s.spanId)) continue;
    const name = fnBySpan.get(s.spanId);
    const fn = name === undefined ? undefined : ctx.functionOf(name);
    const code = fn?.file ? { codeDir: dirnamePosix(fn.file), handlerFile: fn.file, handlerLine: fn.line, ...(s.xray?.workingDirectory ? { taskRoot: s.xray.workingDirectory } : {}) } : undefined;
    const loc = locateSpan(s, { files: ctx.files, ...(code ? { fn: code } : {}), readText: ctx.readText });
    if (loc.file === undefined || loc.source === 'handler') continue;
    // `## handler` subsegments stand for the invocation, already on the handler's lens
    if (fn && loc.file === fn.file && loc.line === fn.line) continue;
    lines.push({ key: `${loc.file}\u0000${loc.line}`, file: loc.file, line: loc.line, durationMs: s.endUnixUs === undefined ? undefined : Math.max(0, (s.endUnixUs - s.startUnixUs) / 1000), error: isError(s), name: s.name });
  }
  const findings: TraceFinding[] = traceFindings(trace).map((f) => {
    const fns = new Set<string>();
    for (const id of f.spanIds) { const n = fnBySpan.get(id); if (n) fns.add(n); }
    return { kind: f.kind, severity: f.severity, message: f.message, functions: [...fns].sort() };
  });
  const declared = invocations.map((v) => ctx.functionOf(v.functionName)?.name);
  const renamed: Invocation[] = [];
  invocations.forEach((v, i) => { const d = declared[i]; if (d !== undefined) renamed.push(d === v.functionName ? v : { ...v, functionName: d }); });
  return { traceId: trace.traceId, invocations, declared, renamed, lines, findings };
}
