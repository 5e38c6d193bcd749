/** Text helpers for edits that keep a file's own line endings, indentation and quotes. */
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from './types';

/** The file's line ending: CRLF when its first line break is CRLF. */
export function eolOf(text: string): '\n' | '\r\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break ending the line holding `offset` (or the text's end). */
export function nextLineStart(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/** Leading whitespace of the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const s = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(s))![0];
}

/**
 * One indentation step for code inside `block` (a `{...}` or suite node): the difference between the
 * first inner statement's indent and the block owner's, else `fallback`.
 */
export function indentUnit(text: string, outerIndent: string, firstInner: Node | undefined, fallback: string): string {
  if (firstInner) {
    const inner = indentAt(text, firstInner.startIndex);
    if (inner.length > outerIndent.length && inner.startsWith(outerIndent) && lineStart(text, firstInner.startIndex) !== lineStart(text, firstInner.parent?.startIndex ?? 0)) return inner.slice(outerIndent.length);
  }
  return fallback;
}

const MULTILINE_STRINGS = new Set(['template_string', 'string', 'string_content', 'string_fragment', 'raw_string_literal', 'text_block',
  'interpreted_string_literal', 'verbatim_string_literal', 'raw_string_literal_content', 'string_literal', 'concatenated_string']);

/** True when `offset` falls inside a string or comment that started on an earlier line (indenting there changes a value). */
export function insideMultilineToken(root: Node, offset: number): boolean {
  let n: Node | null = root.descendantForIndex(offset, offset);
  while (n) {
    if (MULTILINE_STRINGS.has(n.type) && n.startIndex < offset && n.endIndex > offset) return true;
    n = n.parent;
  }
  return false;
}

/**
 * `text.slice(start, end)` with `extra` prepended to every non-blank line that starts inside the range,
 * except lines continuing a multi-line string or comment; `drop` ranges (each within one line) are left out.
 */
export function reindent(text: string, root: Node, start: number, end: number, extra: string, drop: readonly { start: number; end: number }[] = []): string {
  let out = '';
  let pos = start;
  while (pos < end) {
    const nl = text.indexOf('\n', pos);
    const stop = nl < 0 || nl >= end ? end : nl + 1;
    let line = text.slice(pos, stop);
    for (const d of [...drop].filter((x) => x.start >= pos && x.end <= stop).sort((a, b) => b.start - a.start)) line = line.slice(0, d.start - pos) + line.slice(d.end - pos);
    const atLineStart = pos === 0 || text[pos - 1] === '\n';
    const blank = /^[ \t]*\r?\n?$/.test(line);
    out += atLineStart && !blank && !insideMultilineToken(root, pos) ? extra + line : line;
    pos = stop;
  }
  return out;
}

/** Applies non-overlapping edits (any order) to `text`. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  // Ties keep array order in the result: insertions at one offset read in the order given.
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.start - a.e.start || b.i - a.i);
  let out = text;
  for (const { e } of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** Joins lines with the file's line ending (each line gets one, including the last). */
export function lines(eol: string, ...ls: string[]): string {
  return ls.map((l) => l + eol).join('');
}

/** Every descendant of `n` of one of `types` (pre-order), without nulls. */
export function descendants(n: Node, ...types: string[]): Node[] {
  return n.descendantsOfType(types).filter((x): x is Node => x !== null);
}

/** `want`, or `want` with the first free numeric suffix, not in `taken`. */
export function freeIn(taken: Set<string>, want: string): string {
  if (!taken.has(want)) return want;
  for (let i = 2; ; i++) if (!taken.has(`${want}${i}`)) return `${want}${i}`;
}

/** Named children of `n` other than comments; none for a missing node. */
export function named(n: Node | null | undefined): Node[] {
  return n ? n.namedChildren.filter((x): x is Node => x !== null && x.type !== 'comment') : [];
}
