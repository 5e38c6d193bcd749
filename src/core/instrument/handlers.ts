/**
 * Finds the handlers defined in one parsed file and whether each already has tracing (a Powertools
 * Tracer, an OpenTelemetry span or instrumentation wrapper, an X-Ray SDK capture).
 */
import type { Node } from 'web-tree-sitter';
import { goStartTarget, rustHandlerTarget } from '../code/nativeHandlers';
import { descendants } from './text';
import type { HandlerSite, SourceDoc } from './types';

// Names of tracing APIs; an identifier with one of these names in or on a handler means it is traced.
const TRACE_NAMES = new Set([
  'startActiveSpan', 'startSpan', 'captureAsyncFunc', 'captureFunc', 'captureLambdaHandler', 'addNewSubsegment', 'annotateColdStart',
  'start_as_current_span', 'start_span', 'capture_lambda_handler', 'in_subsegment', 'begin_subsegment', 'current_subsegment', 'xray_recorder',
  'spanBuilder', 'getActiveSpan', 'getSegment', 'Tracing', 'WithSpan', 'StartActivity', 'InstrumentHandler', 'otellambda', 'instrument', 'info_span', 'tracer_provider',
]);

const ID_TYPES = ['identifier', 'property_identifier', 'field_identifier', 'type_identifier', 'attribute', 'scoped_identifier'];

function tracedBy(nodes: (Node | null | undefined)[]): string | undefined {
  for (const n of nodes) {
    if (!n) continue;
    if (n.type === 'identifier' && TRACE_NAMES.has(n.text)) return n.text;
    for (const id of descendants(n, ...ID_TYPES)) {
      const last = id.text.slice(id.text.lastIndexOf(':') + 1);
      if (TRACE_NAMES.has(id.text) || TRACE_NAMES.has(last)) return id.text;
    }
  }
  return undefined;
}

const FN_VALUES = new Set(['arrow_function', 'function_expression', 'function']);

function site(name: string, fn: Node, nameNode: Node, context: (Node | null | undefined)[]): HandlerSite {
  return { name, line: nameNode.startPosition.row + 1, fn, nameNode, tracedBy: tracedBy([fn, ...context]) };
}

function jsHandlers(root: Node): HandlerSite[] {
  const out: HandlerSite[] = [];
  const exported = new Set<string>();
  for (const st of descendants(root, 'export_specifier')) exported.add((st.childForFieldName('name') ?? st).text);
  for (const st of root.namedChildren) {
    const v = st?.type === 'export_statement' ? st.childForFieldName('value') : null;
    if (v?.type === 'identifier') exported.add(v.text);
  }
  for (const a of descendants(root, 'assignment_expression')) {
    const left = a.childForFieldName('left'); const right = a.childForFieldName('right');
    if (left?.text === 'module.exports' && right?.type === 'object') for (const p of right.namedChildren) if (p?.type === 'shorthand_property_identifier') exported.add(p.text);
  }
  const top = root.namedChildren.filter((n): n is Node => n !== null);
  for (const st of top) {
    const isExport = st.type === 'export_statement';
    const decl = isExport ? st.childForFieldName('declaration') : st;
    if (!decl) continue;
    if (decl.type === 'function_declaration' || decl.type === 'generator_function_declaration') {
      const id = decl.childForFieldName('name');
      if (id && (isExport || exported.has(id.text))) out.push(site(id.text, decl, id, [st]));
    } else if (decl.type === 'lexical_declaration' || decl.type === 'variable_declaration') {
      for (const d of descendants(decl, 'variable_declarator')) {
        const id = d.childForFieldName('name'); const v = d.childForFieldName('value');
        if (!id || !v || !(isExport || exported.has(id.text))) continue;
        if (FN_VALUES.has(v.type)) out.push(site(id.text, v, id, [st]));
        // A wrapped handler (`traced(async (event) => ...)`, `middy(fn).use(...)`): the inner function, traced if the wrapper is.
        const inner = v.type === 'call_expression' ? descendants(v, ...FN_VALUES).find((f) => f.parent?.parent?.type === 'call_expression') : undefined;
        if (inner) out.push(site(id.text, inner, id, [st]));
      }
    } else if (decl.type === 'expression_statement') {
      const a = decl.namedChildren[0];
      const left = a?.type === 'assignment_expression' ? a.childForFieldName('left') : null;
      const v = a?.childForFieldName('right');
      if (a && left?.type === 'member_expression' && v && FN_VALUES.has(v.type) && /^(module\.)?exports$/.test(left.childForFieldName('object')?.text ?? '')) {
        const prop = left.childForFieldName('property')!;
        out.push(site(prop.text, v, prop, [decl]));
      }
    }
  }
  // Handler methods of classes (the Powertools class-decorator form).
  for (const m of descendants(root, 'method_definition')) {
    const id = m.childForFieldName('name');
    if (id && /handler$/i.test(id.text) && !out.some((s) => s.name === id.text)) out.push(site(id.text, m, id, [m.previousNamedSibling?.type === 'decorator' ? m.previousNamedSibling : null]));
  }
  return out;
}

function pyHandlers(root: Node): HandlerSite[] {
  const out: HandlerSite[] = [];
  for (const st of root.namedChildren) {
    if (!st) continue;
    const fn = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    if (fn?.type !== 'function_definition') continue;
    const id = fn.childForFieldName('name')!;
    const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => p !== null);
    const second = params[1]?.text.split(/[:=]/)[0].trim() ?? '';
    if ((params.length === 2 && /context|ctx/.test(second)) || /handler$/.test(id.text)) out.push(site(id.text, fn, id, [st]));
  }
  return out;
}

function javaHandlers(root: Node): HandlerSite[] {
  return descendants(root, 'method_declaration').flatMap((m) => {
    const id = m.childForFieldName('name')!;
    const types = descendants(m.childForFieldName('parameters') ?? m, 'formal_parameter').map((p) => p.childForFieldName('type')?.text ?? '');
    const isHandler = id.text === 'handleRequest' || types.includes('Context');
    return isHandler && m.childForFieldName('body') ? [site(id.text, m, id, [])] : [];
  });
}

function csHandlers(root: Node): HandlerSite[] {
  return descendants(root, 'method_declaration').flatMap((m) => {
    const id = m.childForFieldName('name')!;
    const types = descendants(m.childForFieldName('parameters') ?? m, 'parameter').map((p) => p.childForFieldName('type')?.text ?? '');
    const isPublic = m.children.some((c) => c?.type === 'modifier' && c.text === 'public');
    const isHandler = id.text === 'FunctionHandler' || types.includes('ILambdaContext') || (isPublic && /(Request|Event)$/.test(types[0] ?? ''));
    return isHandler && m.childForFieldName('body') ? [site(id.text, m, id, [])] : [];
  });
}

function goHandlers(root: Node): HandlerSite[] {
  const target = goStartTarget(root);
  if (!target) return [];
  const fn = root.namedChildren.find((d) => d?.type === 'function_declaration' && d.childForFieldName('name')?.text === target.name);
  if (!fn) return [];
  const start = descendants(root, 'call_expression').find((c) => c.startPosition.row + 1 === target.line);
  return [site(target.name, fn, fn.childForFieldName('name')!, [start])];
}

function rustHandlers(root: Node): HandlerSite[] {
  const target = rustHandlerTarget(root);
  if (!target?.name) return [];
  const fn = descendants(root, 'function_item').find((f) => f.childForFieldName('name')?.text === target.name);
  if (!fn) return [];
  const attrs: Node[] = [];
  for (let p = fn.previousNamedSibling; p && p.type === 'attribute_item'; p = p.previousNamedSibling) attrs.push(p);
  return [site(target.name, fn, fn.childForFieldName('name')!, attrs)];
}

// Module-scope calls that trace every AWS SDK / HTTP call of the file (X-Ray SDK patching).
const FILE_PATCHES = new Set(['patch_all', 'captureAWS', 'captureAWSClient', 'captureAWSv3Client', 'captureHTTPsGlobal']);

/** The X-Ray SDK patch call at module scope that traces the file's SDK/HTTP calls, if any. */
export function filePatchedBy(root: Node): string | undefined {
  for (const st of root.namedChildren) {
    if (!st || /function|class|decorated/.test(st.type)) continue;
    for (const call of descendants(st, 'call', 'call_expression')) {
      const f = call.childForFieldName('function');
      const name = (f?.childForFieldName('property') ?? f?.childForFieldName('attribute') ?? f)?.text ?? '';
      if (FILE_PATCHES.has(name)) return `${name} (X-Ray SDK patching at module scope)`;
    }
  }
  return undefined;
}

/** The handlers in `doc`, in source order. A handler's `tracedBy` names the tracing API found on or around it. */
export function findHandlers(doc: SourceDoc): HandlerSite[] {
  const sites = findSites(doc);
  const patched = sites.length && (doc.lang === 'python' || doc.lang === 'javascript' || doc.lang === 'typescript' || doc.lang === 'tsx') ? filePatchedBy(doc.root) : undefined;
  return patched ? sites.map((s) => ({ ...s, tracedBy: s.tracedBy ?? patched })) : sites;
}

function findSites(doc: SourceDoc): HandlerSite[] {
  switch (doc.lang) {
    case 'javascript': case 'typescript': case 'tsx': return jsHandlers(doc.root);
    case 'python': return pyHandlers(doc.root);
    case 'java': return javaHandlers(doc.root);
    case 'csharp': return csHandlers(doc.root);
    case 'go': return goHandlers(doc.root);
    case 'rust': return rustHandlers(doc.root);
    default: return [];
  }
}
