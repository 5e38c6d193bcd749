/**
 * Stack frames from the text of `exception.stacktrace` (V8, Python, Java, .NET, Go panics) and from
 * X-Ray `cause.exceptions[].stack`. Frames come out innermost first, whatever the input order.
 */
import type { XRayStackFrame } from '../model';

export type StackFormat = 'v8' | 'python' | 'java' | 'dotnet' | 'go' | 'xray';

/** One frame: `file` as written in the trace (deployed path), 1-based line (null when unknown). */
export interface SourceFrame {
  file: string;
  line: number | null;
  column?: number;
  function?: string;
}

export interface ParsedStack {
  format: StackFormat | 'unknown';
  frames: SourceFrame[];
}

const V8_PAREN = /^\s*at (?:async )?(.*?) \((.*):(\d+):(\d+)\)$/;
const V8_BARE = /^\s*at (?:async )?(.*):(\d+):(\d+)$/;
const PY = /^\s*File "(.*)", line (\d+)(?:, in (.*))?$/;
const JAVA = /^\s*at ([\w$.<>/]+)\(((?:[\w$-]+\.(?:java|kt|scala|groovy))|Native Method|Unknown Source)(?::(\d+))?\)$/;
const DOTNET = /^\s*at (.+?) in (.+):line (\d+)$/;
const GO_FILE = /^\s+(\S.*\.go):(\d+)(?: \+0x[0-9a-f]+)?$/;

/**
 * Parses a stack trace's text. Lines that are not frames (the message, `Caused by`, `...`) are
 * skipped; `format` is the one the first frame matched.
 */
export function parseStackTrace(text: string): ParsedStack {
  const lines = text.split(/\r?\n/);
  const frames: SourceFrame[] = [];
  let format = 'unknown' as ParsedStack['format'];
  const set = (f: StackFormat) => { if (format === 'unknown') format = f; };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m: RegExpExecArray | null;
    if ((m = V8_PAREN.exec(l))) { set('v8'); frames.push({ file: m[2], line: Number(m[3]), column: Number(m[4]), function: m[1] }); continue; }
    if ((m = V8_BARE.exec(l)) && !DOTNET.test(l)) { set('v8'); frames.push({ file: m[1], line: Number(m[2]), column: Number(m[3]) }); continue; }
    if ((m = DOTNET.exec(l))) { set('dotnet'); frames.push({ file: m[2], line: Number(m[3]), function: m[1].replace(/\(.*\)$/, '') }); continue; }
    if ((m = PY.exec(l))) { set('python'); frames.push({ file: m[1], line: Number(m[2]), ...(m[3] ? { function: m[3] } : {}) }); continue; }
    if ((m = JAVA.exec(l))) { set('java'); frames.push({ file: javaPath(m[1], m[2]), line: m[3] ? Number(m[3]) : null, function: m[1] }); continue; }
    if ((m = GO_FILE.exec(l)) && i > 0) { set('go'); frames.push({ file: m[1], line: Number(m[2]), function: lines[i - 1].trim().replace(/\(.*\)$/, '') }); continue; }
  }
  // Python prints the outermost frame first.
  if (format === 'python') frames.reverse();
  return { format, frames };
}

/** `com.example.Handler.handleRequest` + `Handler.java` -> `com/example/Handler.java`. */
function javaPath(qualified: string, file: string): string {
  if (!/\./.test(file)) return 'native';
  const parts = qualified.split('.');
  const pkg = parts.slice(0, -2).filter((p) => /^[a-z_][\w]*$/.test(p));
  return pkg.length ? `${pkg.join('/')}/${file}` : file;
}

/**
 * X-Ray exception stack frames, innermost first. Paths relative to `workingDirectory` are made
 * absolute; the Python SDK's outermost-first order is detected and reversed.
 */
export function xrayStackFrames(stack: readonly XRayStackFrame[], workingDirectory?: string): SourceFrame[] {
  const frames = stack.map((f) => ({
    file: workingDirectory && f.path && !f.path.startsWith('/') && /\.py$/.test(f.path) ? `${workingDirectory.replace(/\/$/, '')}/${f.path}` : f.path,
    line: f.line,
    ...(f.label ? { function: f.label } : {}),
  }));
  const py = stack.length > 0 && stack.every((f) => /\.py$/.test(f.path));
  return py ? frames.reverse() : frames;
}
