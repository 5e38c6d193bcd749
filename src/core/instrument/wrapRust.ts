/**
 * "Wrap selection in a span" for Rust (`tracing`): `info_span!(..).in_scope(|| { .. })` for sync code,
 * `async { .. }.instrument(info_span!(..)).await` when the selection awaits. Bindings used after the
 * selection come out of the block as its value (`let (a, b) = ...`); `?` inside keeps working through
 * `Ok::<_, E>(..)?` with the enclosing function's error type.
 */
import type { Node } from 'web-tree-sitter';
import { nativeCallName, nativeOutboundCalls } from './nativeCalls';
import { descendants, eolOf, indentAt, lineStart, nextLineStart, reindent } from './text';
import { InstrumentError, type InstrumentPlan, type InstrumentStyle, type SourceDoc, type TextEdit } from './types';

// Where `?`, `.await` and `return` stop belonging to the selection's own function.
const BOUNDARIES = new Set(['function_item', 'closure_expression', 'async_block']);
const COMMENTS = new Set(['line_comment', 'block_comment']);

function own(stmts: Node[], ...types: string[]): Node[] {
  const ids = new Set(stmts.map((s) => s.id));
  return stmts.flatMap((s) => [...(types.includes(s.type) ? [s] : []), ...descendants(s, ...types)]).filter((d) => {
    for (let p = d.parent; p && !ids.has(p.id); p = p.parent) if (BOUNDARIES.has(p.type)) return false;
    return true;
  });
}

/** `let` bindings of the selection's own statements, in order: name, whether it was `mut`, and that `mut` keyword. */
function bindings(stmts: Node[]): { name: string; mut: boolean; keyword?: Node }[] {
  const out = new Map<string, Node | false>();
  for (const s of stmts) {
    if (s.type !== 'let_declaration') continue;
    const pattern = s.childForFieldName('pattern');
    if (!pattern) continue;
    const mut = s.children.find((c) => c?.type === 'mutable_specifier') ?? undefined;
    const ids = pattern.type === 'identifier' ? [pattern] : descendants(pattern, 'identifier', 'shorthand_field_identifier');
    for (const id of ids) {
      const own = pattern.type === 'identifier' ? mut : id.parent?.children.find((c) => c?.type === 'mutable_specifier') ?? undefined;
      out.delete(id.text);
      out.set(id.text, own ?? false);
    }
  }
  return [...out].map(([name, keyword]) => ({ name, mut: keyword !== false, keyword: keyword || undefined }));
}

/** True when `stmts` may mutate `name`: assigned (also a field or index of it), borrowed `&mut`, a method called on it (auto-ref may be `&mut`), or named in a macro. */
function mayMutate(stmts: Node[], name: string): boolean {
  const root = (n: Node | null): Node | null => (n && /^(field_expression|index_expression)$/.test(n.type) ? root(n.namedChildren[0]) : n);
  const is = (n: Node | null | undefined) => n?.type === 'identifier' && n.text === name;
  return stmts.some((s) => [s, ...descendants(s, 'assignment_expression', 'compound_assignment_expr', 'reference_expression', 'call_expression', 'macro_invocation')].some((n) => {
    if (n.type === 'assignment_expression' || n.type === 'compound_assignment_expr') return is(root(n.childForFieldName('left')));
    if (n.type === 'reference_expression') return n.children.some((c) => c?.type === 'mutable_specifier') && is(root(n.childForFieldName('value')));
    if (n.type === 'call_expression') { const f = n.childForFieldName('function'); return f?.type === 'field_expression' && is(root(f.childForFieldName('value'))); }
    if (n.type === 'macro_invocation') return descendants(n, 'identifier').some(is);
    return false;
  }));
}

/** Plans wrapping Rust statements `stmts` in a `tracing` span named `spanName` (or after the first outbound call). */
export function wrapRust(doc: SourceDoc, stmts: Node[], style: InstrumentStyle, spanNameOpt?: string): InstrumentPlan {
  if (style !== 'otel') throw new InstrumentError('wrapping statements in Rust uses tracing spans (exported through the OpenTelemetry layer)');
  const { text, root } = doc;
  const eol = eolOf(text);
  const code = stmts.filter((s) => !COMMENTS.has(s.type));
  if (!code.length) throw new InstrumentError('select whole statements inside one function body');
  let fn: Node | null = stmts[0].parent;
  while (fn && fn.type !== 'function_item' && fn.type !== 'closure_expression') fn = fn.parent;
  if (!fn) throw new InstrumentError('select statements inside a function');
  if (own(stmts, 'return_expression').length) throw new InstrumentError('the selection returns from the function; select statements without return (they would return from the span\'s closure)');
  for (const j of own(stmts, 'break_expression', 'continue_expression')) {
    let inside = false;
    for (let p = j.parent; p && !stmts.some((s) => s.id === p!.id); p = p.parent) if (/^(loop|while|for)_expression$/.test(p.type) && !descendants(j, 'label').length) inside = true;
    if (!inside) throw new InstrumentError(`the selection jumps out of itself (${j.text}, line ${j.startPosition.row + 1}); select the whole loop`);
  }
  const calls = code.flatMap((s) => nativeOutboundCalls(doc, s));
  const spanName = spanNameOpt ?? (calls[0] ? nativeCallName(calls[0]) : 'work');
  const isAsync = own(stmts, 'await_expression').length > 0;
  const usesTry = own(stmts, 'try_expression').length > 0;
  const block = stmts[0].parent!;
  const last = code[code.length - 1];
  const rest = block.namedChildren.filter((n): n is Node => n !== null && n.startIndex >= last.endIndex && !COMMENTS.has(n.type));
  // The block's tail expression (the function's value): it stays the value of the wrapped block.
  // A trailing `if`/`match` without `;` is an expression_statement in the tree but still the block's value.
  const tail = !rest.length && !/^(let_declaration|empty_statement)$|_item$/.test(last.type) && !(last.type === 'expression_statement' && last.text.trimEnd().endsWith(';'))
    && text.slice(last.endIndex, block.endIndex).trim() === '}';
  // `format!("{count}")` names a binding inside a string: read inline format arguments too.
  const inlineArgs = (n: Node) => descendants(n, 'macro_invocation').flatMap((m) => descendants(m, 'string_content', 'string_literal')).flatMap((s) => [...s.text.matchAll(/\{(\w+)(?::[^}]*)?\}/g)].map((x) => x[1]));
  const used = new Set(rest.flatMap((n) => [...descendants(n, 'identifier').map((i) => i.text), ...inlineArgs(n)]));
  const escaping = bindings(code).filter((b) => used.has(b.name));
  const value = escaping.length === 0 ? undefined : escaping.length === 1 ? escaping[0].name : `(${escaping.map((b) => b.name).join(', ')})`;
  // Each side of the split keeps `mut` only where it may mutate the binding (method calls count: their receiver may be `&mut`).
  const outerMut = (b: { name: string; mut: boolean }) => (b.mut && mayMutate(rest, b.name) ? 'mut ' : '');
  const pattern = escaping.length === 1 ? `${outerMut(escaping[0])}${escaping[0].name}` : `(${escaping.map((b) => `${outerMut(b)}${b.name}`).join(', ')})`;
  let errType: string | undefined;
  if (usesTry && !tail) {
    const ret = fn.childForFieldName('return_type');
    const args = ret?.type === 'generic_type' && /(^|::)Result$/.test(ret.childForFieldName('type')?.text ?? '') ? ret.childForFieldName('type_arguments')?.namedChildren.filter((n): n is Node => n !== null) : undefined;
    if (!args || args.length !== 2) throw new InstrumentError('the selection uses ? but the function\'s error type is not spelled out as Result<T, E>; select through the function\'s last expression');
    errType = args[1].text;
  }
  const base = indentAt(text, stmts[0].startIndex);
  const outer = indentAt(text, block.startIndex);
  const unit = base.length > outer.length && base.startsWith(outer) ? base.slice(outer.length) : '    ';
  const L = (i: string, x: string) => `${i}${x}${eol}`;
  const start = lineStart(text, stmts[0].startIndex), end = nextLineStart(text, last.endIndex);
  const span = `tracing::info_span!("${spanName}")`;
  const open = isAsync ? 'async {' : `${span}.in_scope(|| {`;
  const close = isAsync ? `}.instrument(${span}).await` : '})';
  const result = errType ? L(base + unit, `Ok::<_, ${errType}>(${value ?? '()'})`) : value ? L(base + unit, value) : '';
  const lead = escaping.length && !tail ? `let ${pattern} = ` : '';
  const endText = tail ? close : `${close}${errType ? '?' : ''};`;
  // The selection's last line may carry a trailing comment after the statement: keep the text as it is.
  // An escaping binding is `mut` outside the block; inside it stays `mut` only if the selection may mutate it (no unused_mut warning).
  const drop = escaping.filter((b) => b.keyword && !mayMutate(code, b.name)).map((b) => ({ start: b.keyword!.startIndex, end: b.keyword!.endIndex + (/[ \t]/.test(text[b.keyword!.endIndex]) ? 1 : 0) }));
  const newText = L(base, `${lead}${open}`) + reindent(text, root, start, end, unit, drop).replace(/\r?\n?$/, eol) + result + L(base, endText);
  const edits: TextEdit[] = [];
  if (isAsync && !/\buse\s+tracing::(\{[^}]*\bInstrument\b[^}]*\}|Instrument\b|instrument::Instrument\b|\*)/.test(text)) {
    const uses = root.namedChildren.filter((n): n is Node => n?.type === 'use_declaration');
    const at = uses.length ? nextLineStart(text, uses[uses.length - 1].endIndex) : 0;
    edits.push({ start: at, end: at, newText: `use tracing::Instrument;${eol}${uses.length ? '' : eol}` });
  }
  edits.push({ start, end, newText });
  return { title: `Wrap in a span: ${spanName}`, edits, packages: [{ ecosystem: 'cargo', name: 'tracing', install: 'cargo add tracing' }], notes: [] };
}
