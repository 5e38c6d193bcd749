/** "Add tracing to handler" for Python handlers. */
import type { Node } from 'web-tree-sitter';
import { descendants, eolOf, indentAt, lineStart, named, nextLineStart } from './text';
import { type HandlerSite, InstrumentError, type InstrumentPlan, type InstrumentStyle, type PackageNeed, type SourceDoc } from './types';

export const PIP: Record<InstrumentStyle, PackageNeed> = {
  otel: { ecosystem: 'pip', name: 'opentelemetry-api', version: '>=1.27', install: 'pip install opentelemetry-api' },
  powertools: { ecosystem: 'pip', name: 'aws-lambda-powertools[tracer]', version: '>=3.0', install: "pip install 'aws-lambda-powertools[tracer]'" },
  xray: { ecosystem: 'pip', name: 'aws-xray-sdk', version: '>=2.14', install: 'pip install aws-xray-sdk' },
};

const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

function isDocstring(n: Node | null | undefined): boolean {
  return n?.type === 'expression_statement' && n.namedChildren[0]?.type === 'string';
}

/** Where new imports go in a Python module (after the imports before `beforeOffset`), and whether they follow imports. */
export function pyImportPoint(doc: SourceDoc, beforeOffset: number): { importAt: number; follows: boolean } {
  const { root, text } = doc;
  const top = root.namedChildren.filter((n): n is Node => n !== null);
  const imports = top.filter((n) => IMPORTS.has(n.type) && n.startIndex < beforeOffset);
  if (imports.length) return { importAt: nextLineStart(text, imports[imports.length - 1].endIndex), follows: true };
  const first = top.find((n) => n.type !== 'comment' && !isDocstring(n));
  return { importAt: first ? lineStart(text, first.startIndex) : text.length, follows: false };
}

/** Import lines and module-scope setup as one insertion (blank line between imports and setup). */
export function pyHeadText(eol: string, follows: boolean, importLines: string[], setup: string[]): string {
  return importLines.map((l) => l + eol).join('') + (setup.length ? (follows || importLines.length ? eol : '') + setup.map((l) => l + eol).join('') + (follows ? '' : eol) : '');
}

/** Module-scope name bound to `Tracer()` already, if any. */
export function existingTracer(root: Node): string | undefined {
  for (const a of descendants(root, 'assignment')) {
    const r = a.childForFieldName('right');
    if (a.parent?.parent?.id === root.id && r?.type === 'call' && r.childForFieldName('function')?.text === 'Tracer') return a.childForFieldName('left')?.text;
  }
  return undefined;
}

/** Plans the edits adding `style` tracing to the Python handler `site`. */
export function planPython(doc: SourceDoc, site: HandlerSite, style: InstrumentStyle): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const str = descendants(root, 'string').find((n) => !isDocstring(n.parent));
  const q = str?.text.startsWith("'") ? "'" : '"';
  const outer = site.fn.parent?.type === 'decorated_definition' ? site.fn.parent : site.fn;
  const { importAt, follows } = pyImportPoint(doc, outer.startIndex);
  const imports = follows ? [true] : [];
  const body = site.fn.childForFieldName('body')!;
  const stmts = named(body);
  if (!stmts.length || stmts[0].startPosition.row === site.fn.startPosition.row) throw new InstrumentError(`${site.name} is defined on one line; put its body on its own lines first`);
  const bodyIndent = indentAt(text, stmts[0].startIndex);
  const firstCode = isDocstring(stmts[0]) && stmts[1] ? stmts[1] : stmts[0];
  const bodyAt = isDocstring(stmts[0]) && !stmts[1] ? nextLineStart(text, stmts[0].endIndex) : lineStart(text, firstCode.startIndex);
  const defIndent = indentAt(text, outer.startIndex);
  const lit = (s: string) => `${q}${s}${q}`;
  let importLines: string[] = [], setup: string[] = [], decorator: string, bodyLines: string[] = [];
  const packages = [PIP[style]];
  const notes: string[] = [];
  if (style === 'powertools') {
    const have = existingTracer(root);
    const tracer = have ?? 'tracer';
    if (!have) { importLines = ['from aws_lambda_powertools import Tracer']; setup = ['tracer = Tracer()']; } else packages.length = 0;
    decorator = `@${tracer}.capture_lambda_handler`;
    notes.push('capture_lambda_handler annotates ColdStart and records exceptions; the function needs active tracing (Tracing: Active).');
  } else if (style === 'otel') {
    importLines = ['from opentelemetry import trace'];
    setup = ['tracer = trace.get_tracer(__name__)', '_cold_start = True'];
    decorator = `@tracer.start_as_current_span(${lit(site.name)})`;
    bodyLines = ['global _cold_start', `trace.get_current_span().set_attribute(${lit('faas.coldstart')}, _cold_start)`, '_cold_start = False'];
    notes.push('start_as_current_span records exceptions and sets the error status; spans are exported by the OpenTelemetry Lambda layer or an SDK set up at init.');
  } else {
    importLines = ['from aws_xray_sdk.core import patch_all, xray_recorder'];
    setup = ['patch_all()', '_cold_start = True'];
    decorator = `@xray_recorder.capture(${lit(`## ${site.name}`)})`;
    bodyLines = ['global _cold_start', `xray_recorder.current_subsegment().put_annotation(${lit('ColdStart')}, _cold_start)`, '_cold_start = False'];
    notes.push('The X-Ray SDKs reach end of support in February 2027; OpenTelemetry is the recommended choice for new tracing.');
  }
  const head = pyHeadText(eol, imports.length > 0, importLines, setup);
  const edits = [];
  if (head) edits.push({ start: importAt, end: importAt, newText: head });
  edits.push({ start: lineStart(text, outer.startIndex), end: lineStart(text, outer.startIndex), newText: `${defIndent}${decorator}${eol}` });
  if (bodyLines.length) edits.push({ start: bodyAt, end: bodyAt, newText: bodyLines.map((l) => `${bodyIndent}${l}${eol}`).join('') });
  return { title: '', edits, packages, notes };
}
