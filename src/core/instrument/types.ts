/** Shapes shared by the instrumentation planners: text in, edits out. */
import type { Node } from 'web-tree-sitter';
import type { CodeLanguage } from '../code/codeIndex';

/** How tracing is added: OpenTelemetry (recommended), Powertools Tracer, or the X-Ray SDK (end of support Feb 2027). */
export type InstrumentStyle = 'otel' | 'powertools' | 'xray';

/** Every style, in the order they are offered. */
export const STYLES: readonly InstrumentStyle[] = ['otel', 'powertools', 'xray'];

/** A source file already parsed by the caller (the core never loads grammars). */
export interface SourceDoc {
  /** The file's text exactly as on disk (LF or CRLF kept). */
  text: string;
  /** Root of its tree-sitter syntax tree. */
  root: Node;
  lang: CodeLanguage;
  /** File name (only the extension and base name matter: `.mjs` is ESM, `.ts` is TypeScript). */
  fileName: string;
}

/** Replace `[start, end)` (UTF-16 offsets into the original text) by `newText`. Edits never overlap. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** A package the edited code needs. `install` is the command a user runs when the manifest is not edited for them. */
export interface PackageNeed {
  ecosystem: 'npm' | 'pip' | 'maven' | 'go' | 'nuget' | 'cargo';
  name: string;
  /** Version range written to a manifest (npm, pip) when the manifest is edited. */
  version?: string;
  install: string;
}

/** A function that Lambda invokes, found in one file. */
export interface HandlerSite {
  name: string;
  /** 1-based line of the name (what a diagnostic points at). */
  line: number;
  /** The function-like node (its body is where spans go). */
  fn: Node;
  /** The node holding the name, for the diagnostic's range. */
  nameNode: Node;
  /** Why the handler counts as traced, or undefined when it has no tracing. */
  tracedBy?: string;
}

/** What a planner returns: the edits for this file, what to install, and notes for the user. */
export interface InstrumentPlan {
  title: string;
  edits: TextEdit[];
  packages: PackageNeed[];
  notes: string[];
}

/** Thrown (and caught by callers) when a request cannot be planned: the message says why. */
export class InstrumentError extends Error {}
