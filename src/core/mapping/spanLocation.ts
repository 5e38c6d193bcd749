/**
 * Span -> source line. In order of trust: `code.*` attributes (current and deprecated names),
 * exception stack frames (OTel `exception.stacktrace`, X-Ray `cause` stacks), Powertools and X-Ray
 * SDK function subsegments (`## handler`, `### method`, `local` namespace), and the Lambda
 * invocation span itself (the handler). Unmapped spans say why.
 */
import type { Attributes, AttrValue, Span } from '../model';
import { type FunctionCode, isLibraryPath, mapDeployedPath } from './deployedPath';
import { mapThroughSourceMap, sourceMappingUrl, inlineSourceMap } from './sourceMap';
import { parseStackTrace, type SourceFrame, xrayStackFrames } from './stackFrames';

export type SpanLocationSource = 'code-attributes' | 'exception-stack' | 'xray-cause' | 'powertools' | 'function-subsegment' | 'handler';

/** A span's place in the workspace: workspace-relative file, 1-based line. */
export interface SpanLocation {
  file: string;
  line: number;
  column?: number;
  function?: string;
  source: SpanLocationSource;
  /** How the path was mapped, step by step (e.g. `/var/task is handlers/otel`, `source map`). */
  via: string[];
}

export interface Unmapped {
  file?: undefined;
  unmapped: string;
  candidates?: string[];
}

/** What mapping needs beyond the span; all of it in memory (callbacks may read a cache). */
export interface MappingContext {
  /** Workspace files, workspace-relative, sorted. */
  files: readonly string[];
  /** The span's function, when identified: its code folder and handler location. */
  fn?: FunctionCode & { handlerFile?: string | null; handlerLine?: number | null };
  samBuild?: ReadonlyMap<string, string>;
  /** Content folders of every layer declared in the workspace, tried for `/opt` paths after the function's own. */
  layerDirs?: readonly string[];
  /** A workspace file's text (used for source maps). */
  readText?: (file: string) => string | undefined;
  /**
   * The source map of a deployed generated file that is not itself a workspace file (a bundle in
   * `.aws-sam/build/<Fn>/`, `dist/`, `cdk.out`): map text and its workspace-relative path.
   */
  generatedMap?: (deployedPath: string) => { mapFile: string; mapText: string } | undefined;
  /** 1-based line of a function or method named `name` in `file`. */
  findSymbol?: (file: string, name: string) => number | undefined;
}

const str = (v: AttrValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: AttrValue | undefined): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  return n !== undefined && n > 0 ? n : undefined;
};

/** `code.*` attributes, preferring current names over deprecated ones (`code.filepath`, `code.lineno`, ...). */
export function codeAttributes(a: Attributes): { file?: string; line?: number; column?: number; function?: string; namespace?: string } {
  const fnName = str(a['code.function.name']) ?? str(a['code.function']);
  const ns = str(a['code.namespace']);
  return {
    file: str(a['code.file.path']) ?? str(a['code.filepath']),
    line: int(a['code.line.number']) ?? int(a['code.lineno']),
    column: int(a['code.column.number']) ?? int(a['code.column']),
    ...(fnName ? { function: ns && !fnName.includes('.') ? `${ns}.${fnName}` : fnName } : {}),
    ...(ns ? { namespace: ns } : {}),
  };
}

/** Maps one frame to the workspace, through a source map when the file is generated JavaScript. */
export function mapFrame(frame: SourceFrame, ctx: MappingContext, source: SpanLocationSource): SpanLocation | Unmapped {
  if (frame.line === null) return { unmapped: 'frame has no line number' };
  const gen = /\.[cm]?js$/.test(frame.file) ? ctx.generatedMap?.(frame.file) : undefined;
  if (gen) {
    const o = mapThroughSourceMap(gen.mapText, gen.mapFile, frame.line, frame.column);
    if (o && ctx.files.includes(o.file)) {
      return { file: o.file, line: o.line, column: o.column, ...(frame.function ? { function: frame.function } : {}), source, via: [`source map ${gen.mapFile}`] };
    }
  }
  const m = mapDeployedPath(frame.file, ctx.files, ctx.fn, ctx.samBuild, ctx.layerDirs);
  if (m.file === undefined) return { unmapped: m.unmapped, ...(m.candidates ? { candidates: m.candidates } : {}) };
  const loc: SpanLocation = { file: m.file, line: frame.line, ...(frame.column ? { column: frame.column } : {}), ...(frame.function ? { function: frame.function } : {}), source, via: [m.via] };
  return /\.[cm]?js$/.test(m.file) ? viaSourceMap(loc, ctx) : loc;
}

function viaSourceMap(loc: SpanLocation, ctx: MappingContext): SpanLocation {
  if (!ctx.readText) return loc;
  const text = ctx.readText(loc.file);
  const url = text ? sourceMappingUrl(text) : undefined;
  let mapFile = `${loc.file}.map`;
  let mapText = url ? inlineSourceMap(url) : undefined;
  if (mapText) mapFile = loc.file;
  else {
    if (url) mapFile = `${loc.file.slice(0, loc.file.lastIndexOf('/') + 1)}${url}`;
    mapText = ctx.files.includes(mapFile) ? ctx.readText(mapFile) : undefined;
  }
  if (!mapText) return loc;
  const o = mapThroughSourceMap(mapText, mapFile, loc.line, loc.column);
  if (!o || !ctx.files.includes(o.file)) return loc;
  return { ...loc, file: o.file, line: o.line, column: o.column, via: [...loc.via, `source map ${mapFile}`] };
}

/** The innermost frame that maps into the workspace, or why none did. */
function firstMapped(frames: SourceFrame[], ctx: MappingContext, source: SpanLocationSource): SpanLocation | Unmapped {
  let last: Unmapped = { unmapped: 'no stack frames' };
  for (const f of frames) {
    if (isLibraryPath(f.file)) { if (last.unmapped === 'no stack frames') last = { unmapped: 'only library or runtime frames' }; continue; }
    const r = mapFrame(f, ctx, source);
    if (r.file !== undefined) return r;
    last = r;
  }
  return last;
}

function isInvocationSpan(s: Span): boolean {
  if (s.xray) return s.xray.origin === 'AWS::Lambda::Function' && s.xray.type === 'segment';
  return s.kind === 'server' && (s.resource.attributes['cloud.platform'] === 'aws_lambda' || s.attributes['faas.invocation_id'] !== undefined || s.attributes['faas.execution'] !== undefined);
}

/** Locates one span in the workspace; never throws. */
export function locateSpan(span: Span, ctx: MappingContext): SpanLocation | Unmapped {
  const c = codeAttributes(span.attributes);
  if (c.file && c.line) {
    const r = mapFrame({ file: c.file, line: c.line, ...(c.column ? { column: c.column } : {}), ...(c.function ? { function: c.function } : {}) }, ctx, 'code-attributes');
    if (r.file !== undefined) return r;
  }
  // X-Ray causes first: they keep working_directory and frame order, which the decoder's
  // synthesized `exception.stacktrace` text does not.
  let why: Unmapped | undefined;
  const exceptions = span.xray?.exceptions ?? [];
  for (const ex of exceptions) {
    const r = firstMapped(xrayStackFrames(ex.stack, span.xray?.workingDirectory), ctx, 'xray-cause');
    if (r.file !== undefined) return r;
    why ??= r;
  }
  for (const ev of span.events) {
    const st = str(ev.attributes['exception.stacktrace']);
    if (ev.name !== 'exception' || !st) continue;
    const r = firstMapped(parseStackTrace(st).frames, ctx, 'exception-stack');
    if (r.file !== undefined) return r;
    why ??= r;
  }
  const pt = /^(#{2,3}) (.+)$/.exec(span.name);
  const h = ctx.fn?.handlerFile;
  if (pt && h) {
    if (pt[1] === '##' && ctx.fn?.handlerLine) return { file: h, line: ctx.fn.handlerLine, function: pt[2], source: 'powertools', via: ['## subsegment is the handler'] };
    const line = ctx.findSymbol?.(h, pt[2]);
    if (line) return { file: h, line, function: pt[2], source: 'powertools', via: [`### ${pt[2]} declared in the handler file`] };
  }
  if (h && span.xray?.namespace === 'local') {
    const line = ctx.findSymbol?.(h, span.name);
    if (line) return { file: h, line, function: span.name, source: 'function-subsegment', via: ['X-Ray local subsegment named after a function'] };
  }
  if (isInvocationSpan(span) && h && ctx.fn?.handlerLine) return { file: h, line: ctx.fn.handlerLine, source: 'handler', via: ['the invocation span runs the handler'] };
  if (c.file) return { unmapped: `code.file.path ${c.file} is not in the workspace` };
  if (why) return why;
  return { unmapped: ctx.fn ? 'no code attributes, stack or function name to map' : 'function not identified' };
}

/** Counts of mapped and unmapped spans, with unmapped reasons tallied. */
export function summarizeMapping(results: readonly (SpanLocation | Unmapped)[]): { mapped: number; unmapped: number; reasons: Record<string, number> } {
  const reasons: Record<string, number> = {};
  let mapped = 0;
  for (const r of results) {
    if (r.file !== undefined) mapped++;
    else reasons[r.unmapped] = (reasons[r.unmapped] ?? 0) + 1;
  }
  return { mapped, unmapped: results.length - mapped, reasons };
}
