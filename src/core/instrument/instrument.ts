/** Entry points of the instrumentation planners: which styles apply, find untraced handlers, plan "Add tracing". */
import { findHandlers } from './handlers';
import { planCsharp, planJava } from './compiled';
import { planGo, planRust } from './native';
import { planNode } from './node';
import { planPython } from './python';
import { type HandlerSite, InstrumentError, type InstrumentPlan, type InstrumentStyle, type SourceDoc } from './types';
import type { CodeLanguage } from '../code/codeIndex';

/** Human label of a style, as offered in code actions. */
export const STYLE_LABEL: Record<InstrumentStyle, string> = {
  otel: 'OpenTelemetry (recommended)',
  powertools: 'Powertools Tracer',
  xray: 'X-Ray SDK',
};

/** The styles that exist for a language, recommended first. Empty when the language is not supported. */
export function stylesFor(lang: CodeLanguage): InstrumentStyle[] {
  switch (lang) {
    case 'javascript': case 'typescript': case 'tsx': case 'python': return ['otel', 'powertools', 'xray'];
    case 'java': case 'csharp': return ['otel', 'powertools'];
    case 'go': case 'rust': return ['otel'];
    default: return [];
  }
}

/** Handlers of `doc` that have no tracing (what gets the hint diagnostic). */
export function untracedHandlers(doc: SourceDoc): HandlerSite[] {
  return findHandlers(doc).filter((h) => !h.tracedBy);
}

/**
 * Plans "Add tracing" for the handler named `handlerName` (or the only untraced handler when omitted).
 * Returns no edits, with a note, when the handler is already traced. Throws InstrumentError with a
 * reason when the handler is missing, ambiguous, or the style does not exist for the language.
 */
export function planAddTracing(doc: SourceDoc, style: InstrumentStyle, handlerName?: string): InstrumentPlan & { handler: string } {
  const all = findHandlers(doc);
  const named = handlerName ? all.filter((h) => h.name === handlerName) : all.filter((h) => !h.tracedBy);
  if (named.length === 0) {
    if (!handlerName && all.length) return { handler: all[0].name, title: 'already traced', edits: [], packages: [], notes: [`every handler in ${doc.fileName} is already traced (${all.map((h) => `${h.name}: ${h.tracedBy}`).join(', ')})`] };
    throw new InstrumentError(handlerName ? `${doc.fileName} defines no handler named ${handlerName} (found: ${all.map((h) => h.name).join(', ') || 'none'})` : `${doc.fileName}: no Lambda handler found`);
  }
  if (named.length > 1) throw new InstrumentError(`${doc.fileName} has several untraced handlers (${named.map((h) => h.name).join(', ')}); choose one with --handler`);
  const site = named[0];
  if (site.tracedBy) return { handler: site.name, title: 'already traced', edits: [], packages: [], notes: [`${site.name} is already traced (${site.tracedBy})`] };
  return { ...planForSite(doc, site, style), handler: site.name };
}

/** Plans "Add tracing" for one handler site (no traced check). */
export function planForSite(doc: SourceDoc, site: HandlerSite, style: InstrumentStyle): InstrumentPlan {
  if (!stylesFor(doc.lang).includes(style)) throw new InstrumentError(`${STYLE_LABEL[style]} is not available for ${doc.lang} handlers (available: ${stylesFor(doc.lang).map((s) => STYLE_LABEL[s]).join(', ') || 'none'})`);
  const plan = (() => {
    switch (doc.lang) {
      case 'javascript': case 'typescript': case 'tsx': return planNode(doc, site, style);
      case 'python': return planPython(doc, site, style);
      case 'java': return planJava(doc, site, style);
      case 'csharp': return planCsharp(doc, site, style);
      case 'go': return planGo(doc, site, style);
      case 'rust': return planRust(doc, site, style);
      default: throw new InstrumentError(`${doc.lang} is not supported`);
    }
  })();
  return { ...plan, title: `Add tracing to ${site.name}: ${STYLE_LABEL[style]}` };
}
