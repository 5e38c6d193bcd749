/** "Wrap selection in a span" for Java (OpenTelemetry Span + Scope) and C# (ActivitySource activity). */
import type { Node } from 'web-tree-sitter';
import { importPoint } from './compiled';
import { ownDescendants } from './selection';
import { descendants, eolOf, freeIn, indentAt, lineStart, nextLineStart, reindent } from './text';
import { InstrumentError, type InstrumentPlan, type InstrumentStyle, type SourceDoc, type TextEdit } from './types';

/** Refuses selections whose local declarations are used after them (they would end up inside the new block). */
function checkEscapes(stmts: Node[], declTypes: string[]): void {
  const declared = new Set(stmts.filter((n) => declTypes.includes(n.type)).flatMap((n) => descendants(n, 'variable_declarator')).map((d) => (d.childForFieldName('name') ?? d.namedChildren[0])?.text ?? ''));
  const after = stmts[0].parent!.namedChildren.filter((n): n is Node => n !== null && n.startIndex >= stmts[stmts.length - 1].endIndex);
  const used = after.flatMap((n) => descendants(n, 'identifier')).find((id) => declared.has(id.text));
  if (used) throw new InstrumentError(`the selection declares ${used.text}, which is used after it (line ${used.startPosition.row + 1}); select through its last use`);
}

function unitOf(text: string, stmts: Node[]): string {
  const inner = indentAt(text, stmts[0].startIndex), outer = indentAt(text, stmts[0].parent!.startIndex);
  return inner.length > outer.length && inner.startsWith(outer) ? inner.slice(outer.length) : '    ';
}

/** Plans wrapping Java or C# statements in a span (OpenTelemetry only: Powertools and X-Ray have no block form there). */
export function wrapCompiled(doc: SourceDoc, stmts: Node[], style: InstrumentStyle, spanName: string): InstrumentPlan {
  if (style !== 'otel') throw new InstrumentError(`wrapping statements in ${doc.lang === 'java' ? 'Java' : 'C#'} uses OpenTelemetry`);
  const { text, root } = doc;
  const eol = eolOf(text);
  const java = doc.lang === 'java';
  let cls: Node | null = stmts[0].parent;
  while (cls && cls.type !== 'class_declaration') cls = cls.parent;
  const body = cls?.childForFieldName('body');
  if (!cls || !body) throw new InstrumentError('the selection is not inside a class');
  checkEscapes(stmts, java ? ['local_variable_declaration'] : ['local_declaration_statement']);
  const method = stmts[0].parent!;
  const taken = new Set(descendants(cls, 'identifier').map((i) => i.text));
  const base = indentAt(text, stmts[0].startIndex), unit = unitOf(text, stmts);
  const i1 = base + unit;
  const L = (i: string, x: string) => `${i}${x}${eol}`;
  const start = lineStart(text, stmts[0].startIndex), end = nextLineStart(text, stmts[stmts.length - 1].endIndex);
  const memberIndent = indentAt(text, body.namedChildren.find((n) => n !== null)?.startIndex ?? body.startIndex) || unit;
  const edits: TextEdit[] = [];
  const imp = importPoint(text, root, [java ? 'import_declaration' : 'using_directive'], java ? ['package_declaration'] : []);
  const existingImports = new Set(descendants(root, java ? 'import_declaration' : 'using_directive').map((n) => n.text.replace(/^(import|using)\s+|;$/g, '').trim()));
  const addImports = (names: string[]) => {
    const missing = names.filter((n) => !existingImports.has(n));
    if (missing.length) edits.push({ start: imp.at, end: imp.at, newText: (imp.follows || imp.at === 0 ? '' : eol) + missing.map((n) => `${java ? 'import' : 'using'} ${n};${eol}`).join('') + (imp.follows ? '' : eol) });
  };
  const braceOwnLine = !java && text.slice(lineStart(text, method.startIndex), method.startIndex).trim() === '';
  if (java) {
    const field = descendants(body, 'field_declaration').find((f) => f.text.includes('GlobalOpenTelemetry.getTracer'));
    const tracer = field ? descendants(field, 'variable_declarator')[0]?.childForFieldName('name')?.text ?? 'TRACER' : freeIn(taken, 'TRACER');
    addImports([...(field ? [] : ['io.opentelemetry.api.GlobalOpenTelemetry', 'io.opentelemetry.api.trace.Tracer']), 'io.opentelemetry.api.trace.Span', 'io.opentelemetry.api.trace.StatusCode', 'io.opentelemetry.context.Scope']);
    if (!field) edits.push({ start: nextLineStart(text, body.startIndex), end: nextLineStart(text, body.startIndex), newText: L(memberIndent, `private static final Tracer ${tracer} = GlobalOpenTelemetry.getTracer("${cls.childForFieldName('name')?.text ?? 'Handler'}");`) + eol });
    const span = freeIn(taken, 'span'), scope = freeIn(taken, 'scope'), err = freeIn(taken, 'e');
    edits.push({ start, end, newText: L(base, `Span ${span} = ${tracer}.spanBuilder("${spanName}").startSpan();`) + L(base, `try (Scope ${scope} = ${span}.makeCurrent()) {`)
      + reindent(text, root, start, end, unit) + L(base, `} catch (Throwable ${err}) {`) + L(i1, `${span}.recordException(${err});`) + L(i1, `${span}.setStatus(StatusCode.ERROR);`) + L(i1, `throw ${err};`)
      + L(base, '} finally {') + L(i1, `${span}.end();`) + L(base, '}') });
    return { title: `Wrap in a span: ${spanName}`, edits, packages: [], notes: [] };
  }
  const field = descendants(body, 'field_declaration').find((f) => f.text.includes('new ActivitySource('));
  const source = field ? descendants(field, 'variable_declarator')[0]?.namedChildren[0]?.text ?? 'Telemetry' : freeIn(taken, 'Telemetry');
  addImports(['System.Diagnostics']);
  if (!field) edits.push({ start: nextLineStart(text, body.startIndex), end: nextLineStart(text, body.startIndex), newText: L(memberIndent, `private static readonly ActivitySource ${source} = new ActivitySource("${cls.childForFieldName('name')?.text ?? 'Function'}");`) + eol });
  const activity = freeIn(taken, 'activity'), ex = freeIn(taken, 'ex');
  const i2 = i1 + unit;
  // A using block, not a using declaration: the activity must end where the selection ends.
  const open = (i: string, head: string) => (braceOwnLine ? L(i, head) + L(i, '{') : L(i, `${head} {`));
  const mid = (i: string, head: string) => (braceOwnLine ? L(i, '}') + L(i, head) + L(i, '{') : L(i, `} ${head} {`));
  edits.push({ start, end, newText: open(base, `using (var ${activity} = ${source}.StartActivity("${spanName}"))`) + open(i1, 'try')
    + reindent(text, root, start, end, unit + unit) + mid(i1, `catch (System.Exception ${ex})`)
    + L(i2, `${activity}?.SetStatus(ActivityStatusCode.Error, ${ex}.Message);`) + L(i2, 'throw;') + L(i1, '}') + L(base, '}') });
  if (ownDescendants(stmts, 'yield_statement').length) throw new InstrumentError('the selection yields; wrap the whole iterator instead');
  return { title: `Wrap in a span: ${spanName}`, edits, packages: [], notes: [] };
}
