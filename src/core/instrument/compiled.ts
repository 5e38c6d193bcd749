/** "Add tracing to handler" for Java (Powertools `@Tracing`, OpenTelemetry) and C# (Powertools `[Tracing]`, ActivitySource). */
import type { Node } from 'web-tree-sitter';
import { descendants, eolOf, indentAt, indentUnit, lineStart, nextLineStart, reindent } from './text';
import { type HandlerSite, InstrumentError, type InstrumentPlan, type InstrumentStyle, type PackageNeed, type SourceDoc, type TextEdit } from './types';

const JAVA_PKG: Partial<Record<InstrumentStyle, PackageNeed>> = {
  otel: { ecosystem: 'maven', name: 'io.opentelemetry:opentelemetry-api', install: 'add io.opentelemetry:opentelemetry-api to pom.xml / build.gradle' },
  powertools: { ecosystem: 'maven', name: 'software.amazon.lambda:powertools-tracing', install: 'add software.amazon.lambda:powertools-tracing and the aspectj-maven-plugin (or the AspectJ Gradle plugin) to the build' },
};
const CS_PKG: Partial<Record<InstrumentStyle, PackageNeed>> = {
  powertools: { ecosystem: 'nuget', name: 'AWS.Lambda.Powertools.Tracing', install: 'dotnet add package AWS.Lambda.Powertools.Tracing' },
};

interface Block { open: number; close: number; base: string; unit: string; braceOwnLine: boolean }

function blockOf(text: string, body: Node, fallback: string): Block {
  const open = nextLineStart(text, body.startIndex);
  const close = lineStart(text, body.endIndex - 1);
  if (text.slice(body.startIndex + 1, open).trim() !== '' || text.slice(close, body.endIndex - 1).trim() !== '' || open > close) {
    throw new InstrumentError('the handler body is not laid out one statement per line; format the file first');
  }
  const base = indentAt(text, body.startIndex);
  const first = body.namedChildren.find((n): n is Node => n !== null);
  const braceOwnLine = text.slice(lineStart(text, body.startIndex), body.startIndex).trim() === '';
  return { open, close, base, unit: indentUnit(text, base, first ?? undefined, fallback), braceOwnLine };
}

/** Offset where new import/using lines go, and whether they follow existing ones. */
export function importPoint(text: string, root: Node, types: string[], after: string[]): { at: number; follows: boolean } {
  const existing = descendants(root, ...types).filter((n) => n.parent?.id === root.id || n.parent?.type === 'declaration_list' || n.parent?.type === 'file_scoped_namespace_declaration');
  if (existing.length) return { at: nextLineStart(text, existing[existing.length - 1].endIndex), follows: true };
  const pkg = root.namedChildren.find((n) => n !== null && after.includes(n.type));
  return { at: pkg ? nextLineStart(text, pkg.endIndex) : 0, follows: false };
}

function classBodyOf(site: HandlerSite): Node {
  const body = site.fn.parent;
  if (!body || !/class_body|declaration_list/.test(body.type)) throw new InstrumentError(`${site.name} is not a method of a class`);
  return body;
}

/** Plans the edits adding `style` tracing to the Java handler method `site`. */
export function planJava(doc: SourceDoc, site: HandlerSite, style: InstrumentStyle): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const memberIndent = indentAt(text, site.fn.startIndex);
  const imp = importPoint(text, root, ['import_declaration'], ['package_declaration']);
  const importText = (names: string[]) => (imp.follows || imp.at === 0 ? '' : eol) + names.map((n) => `import ${n};${eol}`).join('') + (imp.follows ? '' : eol);
  const edits: TextEdit[] = [];
  if (style === 'powertools') {
    edits.push({ start: imp.at, end: imp.at, newText: importText(['software.amazon.lambda.powertools.tracing.Tracing']) });
    edits.push({ start: lineStart(text, site.fn.startIndex), end: lineStart(text, site.fn.startIndex), newText: `${memberIndent}@Tracing${eol}` });
    return { title: '', edits, packages: [JAVA_PKG.powertools!], notes: ['@Tracing annotates ColdStart and records exceptions; it is woven by AspectJ at build time and needs active tracing on the function.'] };
  }
  if (style !== 'otel') throw new InstrumentError('Java handlers get OpenTelemetry or Powertools tracing (the X-Ray SDK for Java reaches end of support in February 2027)');
  const cls = classBodyOf(site);
  const className = cls.parent?.childForFieldName('name')?.text ?? 'Handler';
  const b = blockOf(text, site.fn.childForFieldName('body')!, '    ');
  const i1 = b.base + b.unit, i2 = i1 + b.unit;
  const L = (i: string, s: string) => `${i}${s}${eol}`;
  edits.push({ start: imp.at, end: imp.at, newText: importText(['io.opentelemetry.api.GlobalOpenTelemetry', 'io.opentelemetry.api.trace.Span',
    'io.opentelemetry.api.trace.StatusCode', 'io.opentelemetry.api.trace.Tracer', 'io.opentelemetry.context.Scope']) });
  const fieldsAt = nextLineStart(text, cls.startIndex);
  edits.push({ start: fieldsAt, end: fieldsAt, newText: L(memberIndent, `private static final Tracer TRACER = GlobalOpenTelemetry.getTracer("${className}");`) + L(memberIndent, 'private static boolean coldStart = true;') + eol });
  edits.push({ start: b.open, end: b.close, newText:
    L(i1, `Span span = TRACER.spanBuilder("${site.name}").startSpan();`) + L(i1, 'span.setAttribute("faas.coldstart", coldStart);') + L(i1, 'coldStart = false;')
    + L(i1, 'try (Scope scope = span.makeCurrent()) {') + reindent(text, root, b.open, b.close, b.unit)
    + L(i1, '} catch (Throwable e) {') + L(i2, 'span.recordException(e);') + L(i2, 'span.setStatus(StatusCode.ERROR);') + L(i2, 'throw e;')
    + L(i1, '} finally {') + L(i2, 'span.end();') + L(i1, '}') });
  return { title: '', edits, packages: [JAVA_PKG.otel!], notes: ['Spans are exported by the OpenTelemetry Java agent or Lambda layer (AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler), or an SDK you register at init.'] };
}

/** Plans the edits adding `style` tracing to the C# handler method `site`. */
export function planCsharp(doc: SourceDoc, site: HandlerSite, style: InstrumentStyle): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const memberIndent = indentAt(text, site.fn.startIndex);
  const imp = importPoint(text, root, ['using_directive'], []);
  const usings = new Set(descendants(root, 'using_directive').map((u) => u.namedChildren[0]?.text));
  const usingText = (ns: string) => (usings.has(ns) ? '' : `using ${ns};${eol}` + (imp.follows ? '' : eol));
  const edits: TextEdit[] = [];
  if (style === 'powertools') {
    edits.push({ start: imp.at, end: imp.at, newText: usingText('AWS.Lambda.Powertools.Tracing') });
    edits.push({ start: lineStart(text, site.fn.startIndex), end: lineStart(text, site.fn.startIndex), newText: `${memberIndent}[Tracing]${eol}` });
    return { title: '', edits: edits.filter((e) => e.newText), packages: [CS_PKG.powertools!], notes: ['[Tracing] annotates ColdStart and records exceptions; the function needs active tracing (Tracing: Active).'] };
  }
  if (style !== 'otel') throw new InstrumentError('C# handlers get OpenTelemetry (ActivitySource) or Powertools tracing (the X-Ray SDK for .NET reaches end of support in February 2027)');
  const cls = classBodyOf(site);
  const ns = descendants(root, 'namespace_declaration', 'file_scoped_namespace_declaration')[0]?.childForFieldName('name')?.text;
  const className = cls.parent?.childForFieldName('name')?.text ?? 'Function';
  const source = ns ? `${ns}.${className}` : className;
  const b = blockOf(text, site.fn.childForFieldName('body')!, '    ');
  const i1 = b.base + b.unit, i2 = i1 + b.unit;
  const L = (i: string, s: string) => `${i}${s}${eol}`;
  const open = (head: string) => (b.braceOwnLine ? L(i1, head) + L(i1, '{') : L(i1, `${head} {`));
  const mid = (head: string) => (b.braceOwnLine ? L(i1, '}') + L(i1, head) + L(i1, '{') : L(i1, `} ${head} {`));
  edits.push({ start: imp.at, end: imp.at, newText: usingText('System.Diagnostics') });
  const fieldsAt = nextLineStart(text, cls.startIndex);
  edits.push({ start: fieldsAt, end: fieldsAt, newText: L(memberIndent, `private static readonly ActivitySource Telemetry = new ActivitySource("${source}");`) + L(memberIndent, 'private static bool _coldStart = true;') + eol });
  edits.push({ start: b.open, end: b.close, newText:
    L(i1, `using var activity = Telemetry.StartActivity("${site.name}");`) + L(i1, 'activity?.SetTag("faas.coldstart", _coldStart);') + L(i1, '_coldStart = false;')
    + open('try') + reindent(text, root, b.open, b.close, b.unit) + mid('catch (System.Exception ex)')
    + L(i2, 'activity?.SetStatus(ActivityStatusCode.Error, ex.Message);')
    + L(i2, 'activity?.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection { { "exception.type", ex.GetType().FullName }, { "exception.message", ex.Message } }));')
    + L(i2, 'throw;') + L(i1, '}') });
  return { title: '', edits: edits.filter((e) => e.newText), packages: [{ ecosystem: 'nuget', name: 'OpenTelemetry.Instrumentation.AWSLambda', install: 'dotnet add package OpenTelemetry.Instrumentation.AWSLambda (and register the source with AddSource)' }],
    notes: [`ActivitySource needs no package; activities are exported once a TracerProvider listens to "${source}" (AddSource) or the OpenTelemetry Lambda layer runs.`] };
}

/**
 * The class around `from` and its member layout: the indentation of its members and one indentation
 * unit (members' indentation minus the class's; 4 spaces when the class has no member on a line of its own).
 */
export function classLayout(text: string, from: Node, line: number): { cls: Node; body: Node; member: string; unit: string } {
  let cls: Node | null = from.parent;
  while (cls && cls.type !== 'class_declaration') cls = cls.parent;
  const body = cls?.childForFieldName('body');
  if (!cls || !body) throw new InstrumentError(`line ${line}: not inside a class`);
  const firstMember = body.namedChildren.find((n): n is Node => n !== null && n.type !== 'comment');
  const member = firstMember && firstMember.startPosition.row !== body.startPosition.row ? indentAt(text, firstMember.startIndex) : `${indentAt(text, body.startIndex)}    `;
  const outer = indentAt(text, cls.startIndex);
  return { cls, body, member, unit: member.length > outer.length ? member.slice(outer.length) : '    ' };
}
