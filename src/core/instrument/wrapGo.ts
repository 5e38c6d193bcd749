/**
 * "Wrap selection in a span" for Go (OpenTelemetry): `tracer.Start` + `defer span.End()` in a closure
 * called in place, or, when the selection declares names used after it, the same span started and
 * ended around the statements in their own scope (Go cannot declare them before a block without types).
 */
import type { Node } from 'web-tree-sitter';
import { nativeCallName, nativeOutboundCalls } from './nativeCalls';
import { descendants, eolOf, freeIn, indentAt, lineStart, nextLineStart, reindent } from './text';
import { InstrumentError, type InstrumentPlan, type InstrumentStyle, type SourceDoc, type TextEdit } from './types';

const GO_FUNCTIONS = new Set(['function_declaration', 'method_declaration', 'func_literal']);
const OTEL = 'go.opentelemetry.io/otel';
const CODES = 'go.opentelemetry.io/otel/codes';

/** Descendants of `stmts` of `types` that run in the selection's own function (not in a nested func literal). */
function own(stmts: Node[], fn: Node, ...types: string[]): Node[] {
  return stmts.flatMap((s) => [...(types.includes(s.type) ? [s] : []), ...descendants(s, ...types)]).filter((d) => {
    for (let p = d.parent; p; p = p.parent) if (GO_FUNCTIONS.has(p.type)) return p.id === fn.id;
    return false;
  });
}

/** Names on the left of `:=` / `var` in the selection's own statements (not in nested blocks, whose scope ends with them). */
function declaredNames(stmts: Node[]): string[] {
  return stmts.flatMap((s) => {
    if (s.type === 'short_var_declaration') return descendants(s.childForFieldName('left') ?? s, 'identifier').map((i) => i.text);
    if (s.type === 'var_declaration' || s.type === 'const_declaration') return descendants(s, 'var_spec', 'const_spec').flatMap((v) => v.namedChildren.filter((c): c is Node => c?.type === 'identifier').map((c) => c.text));
    return [];
  }).filter((n) => n !== '_');
}

/** Refuses jumps that leave the selection: they would leave the closure (or skip span.End) instead. */
function checkJumps(stmts: Node[], fn: Node): void {
  const ids = new Set(stmts.map((s) => s.id));
  if (own(stmts, fn, 'return_statement').length) throw new InstrumentError('the selection returns from the function; select statements without return (the span must end where the selection ends)');
  for (const j of own(stmts, fn, 'break_statement', 'continue_statement', 'goto_statement', 'fallthrough_statement')) {
    const loops = j.type === 'continue_statement' ? /^for_statement$/ : /^(for_statement|expression_switch_statement|type_switch_statement|select_statement)$/;
    let inside = false;
    for (let p = j.parent; p && !ids.has(p.id); p = p.parent) if (loops.test(p.type) && !j.namedChildren.length) inside = true;
    if (!inside) throw new InstrumentError(`the selection jumps out of itself (${j.text}, line ${j.startPosition.row + 1}); select the whole loop`);
  }
}

/** Adds import paths to the file's import block (or a new one after the package clause). */
function importEdits(doc: SourceDoc, paths: string[]): TextEdit[] {
  const { text, root } = doc;
  const eol = eolOf(text);
  const have = new Set(descendants(root, 'import_spec').map((s) => s.childForFieldName('path')?.text.slice(1, -1)));
  const need = paths.filter((p) => !have.has(p));
  if (!need.length) return [];
  const decls = descendants(root, 'import_declaration');
  const list = decls.map((d) => descendants(d, 'import_spec_list')[0]).find((l) => l);
  if (list) {
    const close = lineStart(text, list.endIndex - 1);
    const specs = descendants(list, 'import_spec');
    const indent = specs.length ? indentAt(text, specs[0].startIndex) : '\t';
    const line = (p: string) => `${indent}"${p}"${eol}`;
    // gofmt keeps each group sorted: join the last group when it holds modules (dotted paths), else open a new group after the standard library.
    const group: Node[] = [];
    for (let i = specs.length - 1; i >= 0 && (!group.length || specs[i].endPosition.row + 1 === group[0].startPosition.row); i--) group.unshift(specs[i]);
    const pathOf = (s: Node) => s.childForFieldName('path')?.text.slice(1, -1) ?? '';
    if (!group.length || !pathOf(group[group.length - 1]).split('/')[0].includes('.')) return [{ start: close, end: close, newText: (group.length ? eol : '') + need.map(line).join('') }];
    return need.map((p) => {
      const next = group.find((s) => pathOf(s) > p);
      const at = next ? lineStart(text, next.startIndex) : close;
      return { start: at, end: at, newText: line(p) };
    });
  }
  if (decls.length === 1) {
    // One `import "x"`: becomes a block, the standard library first and modules after a blank line (goimports' layout).
    const spec = descendants(decls[0], 'import_spec')[0];
    const all = [spec.text, ...need.map((p) => `"${p}"`)];
    const std = all.filter((p) => !p.replace(/^\w+\s+/, '').slice(1).split('/')[0].includes('.')), mods = all.filter((p) => !std.includes(p));
    return [{ start: decls[0].startIndex, end: decls[0].endIndex, newText: `import (${eol}${std.map((p) => `\t${p}${eol}`).join('')}${std.length && mods.length ? eol : ''}${mods.map((p) => `\t${p}${eol}`).join('')})` }];
  }
  const after = decls.length ? decls[decls.length - 1] : descendants(root, 'package_clause')[0];
  const at = after ? nextLineStart(text, after.endIndex) : 0;
  return [{ start: at, end: at, newText: `${decls.length ? '' : eol}${need.map((p) => `import "${p}"${eol}`).join('')}` }];
}

/** Plans wrapping Go statements `stmts` in an OpenTelemetry span named `spanName` (or after the first outbound call). */
export function wrapGo(doc: SourceDoc, stmts: Node[], style: InstrumentStyle, spanNameOpt?: string): InstrumentPlan {
  if (style !== 'otel') throw new InstrumentError('wrapping statements in Go uses OpenTelemetry (Powertools has no Go library; the X-Ray SDK for Go reaches end of support in February 2027)');
  const { text, root } = doc;
  const eol = eolOf(text);
  let fn: Node | null = stmts[0].parent;
  while (fn && !GO_FUNCTIONS.has(fn.type)) fn = fn.parent;
  if (!fn) throw new InstrumentError('select statements inside a function');
  checkJumps(stmts, fn);
  const calls = stmts.flatMap((s) => nativeOutboundCalls(doc, s));
  const spanName = spanNameOpt ?? (calls[0] ? nativeCallName(calls[0]) : 'work');
  const param = descendants(fn.childForFieldName('parameters') ?? fn, 'parameter_declaration').find((p) => p.childForFieldName('type')?.text === 'context.Context');
  const ctxName = param?.childForFieldName('name')?.text;
  const usesCtx = !!ctxName && stmts.some((s) => descendants(s, 'identifier').some((i) => i.text === ctxName));
  const fnNames = new Set(descendants(fn, 'identifier').map((i) => i.text));
  const topLevel = root.namedChildren.filter((n): n is Node => n !== null);
  const tracerDecl = topLevel.filter((n) => n.type === 'var_declaration').flatMap((v) => descendants(v, 'var_spec')).find((v) => /\botel\.Tracer\(/.test(v.text));
  const topNames = new Set(topLevel.flatMap((n) => descendants(n, 'identifier').filter((i) => i.parent?.type === 'var_spec' || i.parent?.type === 'const_spec' || i.parent?.type === 'function_declaration').map((i) => i.text)));
  const tracer = tracerDecl?.childForFieldName('name')?.text ?? freeIn(topNames, 'tracer');
  const declared = declaredNames(stmts);
  const after = stmts[stmts.length - 1].parent!.namedChildren.filter((n): n is Node => n !== null && n.startIndex >= stmts[stmts.length - 1].endIndex);
  const escapes = after.flatMap((n) => descendants(n, 'identifier')).some((i) => declared.includes(i.text));
  // err is recorded when the selection itself assigns an err that is still in scope where it ends.
  const recordsErr = stmts.some((s) => (s.type === 'short_var_declaration' || s.type === 'assignment_statement') && descendants(s.childForFieldName('left') ?? s, 'identifier').some((i) => i.text === 'err'));
  const parent = ctxName ?? 'context.Background()';
  const base = indentAt(text, stmts[0].startIndex);
  const inner = indentAt(text, stmts[0].parent!.parent!.startIndex);
  const unit = base.length > inner.length && base.startsWith(inner) ? base.slice(inner.length) : '\t';
  const L = (i: string, x: string) => `${i}${x}${eol}`;
  const start = lineStart(text, stmts[0].startIndex), end = nextLineStart(text, stmts[stmts.length - 1].endIndex);
  const span = freeIn(fnNames, 'span');
  const errLines = (i: string) => (recordsErr ? L(i, 'if err != nil {') + L(i + unit, `${span}.RecordError(err)`) + L(i + unit, `${span}.SetStatus(codes.Error, err.Error())`) + L(i, '}') : '');
  // A defer in the selection runs when the function returns: inside a closure it would run at the closure's end.
  const defers = own(stmts, fn, 'defer_statement').length > 0;
  let body: string;
  if (!escapes && !defers) {
    // The closure's own `ctx` shadows the parameter, so the selected calls pass the span's context unchanged.
    body = L(base, 'func() {') + L(base + unit, `${usesCtx ? ctxName : '_'}, ${span} := ${tracer}.Start(${parent}, "${spanName}")`) + L(base + unit, `defer ${span}.End()`)
      + reindent(text, root, start, end, unit) + errLines(base + unit) + L(base, '}()');
  } else {
    const spanCtx = freeIn(fnNames, 'spanCtx');
    let selected = text.slice(start, end);
    if (usesCtx) {
      const ids = stmts.flatMap((s) => descendants(s, 'identifier')).filter((i) => i.text === ctxName).sort((a, b) => b.startIndex - a.startIndex);
      for (const i of ids) selected = selected.slice(0, i.startIndex - start) + spanCtx + selected.slice(i.endIndex - start);
    }
    body = L(base, `${usesCtx ? spanCtx : '_'}, ${span} := ${tracer}.Start(${parent}, "${spanName}")`) + selected + errLines(base) + L(base, `${span}.End()`);
  }
  const edits: TextEdit[] = importEdits(doc, [...(ctxName ? [] : ['context']), ...(tracerDecl ? [] : [OTEL]), ...(recordsErr ? [CODES] : [])]);
  if (!tracerDecl) {
    const decls = descendants(root, 'import_declaration');
    const anchor = decls.length ? decls[decls.length - 1] : descendants(root, 'package_clause')[0];
    const at = anchor ? nextLineStart(text, anchor.endIndex) : 0;
    const scope = doc.fileName.replace(/^.*[\\/]/, '').replace(/\.go$/, '');
    edits.push({ start: at, end: at, newText: `${eol}var ${tracer} = otel.Tracer("${scope}")${eol}` });
  }
  edits.push({ start, end, newText: body });
  const notes = ctxName ? [] : ['The function has no context.Context parameter: the span starts from context.Background(), so it is not linked to the invocation\'s trace; pass the handler\'s ctx down to link it.'];
  return { title: `Wrap in a span: ${spanName}`, edits, packages: [{ ecosystem: 'go', name: OTEL, install: `go get ${OTEL}` }], notes };
}
