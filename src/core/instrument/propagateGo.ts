/**
 * "Propagate trace context" for Go (aws-sdk-go-v2, aws-lambda-go, OpenTelemetry W3C propagation). The
 * context travels where the JavaScript and Python edits put it, so senders and receivers of any language
 * agree: SQS/SNS message attributes (String), EventBridge `Detail._tracing`, Lambda Invoke
 * `ClientContext` = base64 `{"custom": carrier}` (synchronous) or payload `_tracing` (InvocationType Event).
 */
import type { Node } from 'web-tree-sitter';
import { type GoImport, goImportEdits, goImportNames } from './goImports';
import type { PropagationSite, Target } from './propagate';
import { goInvokeSites, planGoInvoke } from './propagateGoReceive';
import { descendants, eolOf, freeIn, indentAt, insideMultilineToken, lineStart, named, nextLineStart } from './text';
import { InstrumentError, type InstrumentPlan, type SourceDoc, type TextEdit } from './types';

const SENDS: Record<string, [Target, string]> = { SendMessage: ['sqs', 'SendMessageInput'], Publish: ['sns', 'PublishInput'], PutEvents: ['eventbridge', 'PutEventsInput'], Invoke: ['lambda', 'InvokeInput'] };
const FUNCS = new Set(['function_declaration', 'method_declaration', 'func_literal']);
const OTEL = 'go.opentelemetry.io/otel', PROPAGATION = 'go.opentelemetry.io/otel/propagation', AWS = 'github.com/aws/aws-sdk-go-v2/aws';
const TYPES: Partial<Record<Target, string>> = { sqs: 'github.com/aws/aws-sdk-go-v2/service/sqs/types', sns: 'github.com/aws/aws-sdk-go-v2/service/sns/types' };

function enclosingFn(n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (FUNCS.has(p.type)) return p;
  return undefined;
}

function statementOf(n: Node): Node {
  let s = n;
  while (s.parent && s.parent.type !== 'statement_list' && s.parent.type !== 'block') s = s.parent;
  return s;
}

const fieldName = (c: Node) => { const f = c.childForFieldName('function'); return f?.type === 'selector_expression' ? f.childForFieldName('field')?.text ?? '' : ''; };
const idsIn = (n: Node) => new Set(descendants(n, 'identifier').map((i) => i.text));

/** Names that hold the injected context in `fn`: the carriers given to `Inject`, and whatever is assigned from them. */
function carried(fn: Node): Set<string> {
  const names = new Set(descendants(fn, 'call_expression').filter((c) => fieldName(c) === 'Inject').map((c) => c.childForFieldName('arguments')?.namedChildren[1]?.text ?? '').filter(Boolean));
  const root = (n: Node | null | undefined): Node | null | undefined => (n && /^(index_expression|selector_expression|unary_expression)$/.test(n.type) ? root(n.namedChildren[0]) : n);
  for (let pass = 0; pass < 4 && names.size; pass++) {
    for (const s of descendants(fn, 'short_var_declaration', 'assignment_statement', 'range_clause', 'var_spec')) {
      const right = s.type === 'var_spec' ? s.childForFieldName('value') : s.childForFieldName('right');
      if (!right || ![...idsIn(right)].some((i) => names.has(i))) continue;
      const left = s.type === 'var_spec' ? s : s.childForFieldName('left');
      for (const l of left?.namedChildren ?? []) { const r = root(l); if (r?.type === 'identifier' && r.text !== '_') names.add(r.text); }
      if (s.type === 'var_spec') names.add(s.childForFieldName('name')?.text ?? '');
    }
  }
  return names;
}

/** The `&svc.XInput{...}` literal a send passes, inline or through a variable declared in the same function. */
function inputLiteral(arg: Node | null | undefined, fn: Node, typeName: string): Node | undefined {
  const lit = (v: Node | null | undefined): Node | undefined => {
    const c = v?.type === 'unary_expression' ? v.namedChildren[0] : v;
    return c?.type === 'composite_literal' && /(^|\.)(\w+)$/.exec(c.childForFieldName('type')?.text ?? '')?.[2] === typeName ? c.childForFieldName('body') ?? undefined : undefined;
  };
  if (arg?.type === 'identifier') {
    const d = descendants(fn, 'short_var_declaration').find((s) => s.childForFieldName('left')?.text === arg.text);
    return lit(d?.childForFieldName('right')?.namedChildren[0]);
  }
  return lit(arg);
}

function keyed(lit: Node, key: string): Node | undefined {
  const e = lit.namedChildren.find((k) => k?.type === 'keyed_element' && k.namedChildren[0]?.text === key);
  return e?.namedChildren[1] ?? undefined;
}

function paramOfType(fn: Node, types: RegExp): Node | undefined {
  return descendants(fn.childForFieldName('parameters') ?? fn, 'parameter_declaration').find((p) => types.test(p.childForFieldName('type')?.text ?? ''));
}

/** Sends without injection, SQS/SNS record loops and EventBridge handlers without extraction, and (quiet) an invoked handler, in a Go file. */
export function goPropagationSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  for (const call of descendants(doc.root, 'call_expression')) {
    const send = SENDS[fieldName(call)];
    const fn = enclosingFn(call);
    if (!send || !fn) continue;
    const params = inputLiteral(call.childForFieldName('arguments')?.namedChildren[1], fn, send[1]);
    if (!params) continue;
    const has = carried(fn);
    if ([...idsIn(params)].some((i) => has.has(i))) continue;
    out.push({ kind: 'inject', target: send[0], statement: statementOf(call), params, line: call.startPosition.row + 1 });
  }
  const extracts = (fn: Node) => descendants(fn, 'call_expression').some((c) => fieldName(c) === 'Extract');
  for (const loop of descendants(doc.root, 'for_statement')) {
    const range = loop.namedChildren.find((c) => c?.type === 'range_clause');
    const right = range?.childForFieldName('right');
    const fn = enclosingFn(loop);
    if (!right || !fn || right.type !== 'selector_expression' || right.childForFieldName('field')?.text !== 'Records' || extracts(fn)) continue;
    const p = paramOfType(fn, /^\*?events\.(SQS|SNS)Event$/);
    if (!p || p.childForFieldName('name')?.text !== right.childForFieldName('operand')?.text) continue;
    if ((range!.childForFieldName('left')?.namedChildren.length ?? 0) !== 2) continue;
    out.push({ kind: 'extract', target: /SNS/.test(p.childForFieldName('type')!.text) ? 'sns' : 'sqs', statement: loop, line: loop.startPosition.row + 1 });
  }
  for (const fn of descendants(doc.root, 'function_declaration', 'method_declaration', 'func_literal')) {
    if (!paramOfType(fn, /^\*?events\.(CloudWatchEvent|EventBridgeEvent)$/) || extracts(fn) || !fn.childForFieldName('body')) continue;
    out.push({ kind: 'extract', target: 'eventbridge', statement: fn, line: fn.startPosition.row + 1 });
  }
  // After the sends and receives, so the first site of a sender stays its send.
  return [...out.sort((a, b) => a.line - b.line), ...goInvokeSites(doc)];
}

/** Plans the Go edit for one propagation site (OpenTelemetry). */
export function planGoPropagation(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  if (site.kind === 'extract' && site.target === 'lambda') return planGoInvoke(doc, site);
  const names = goImportNames(root);
  const imports: GoImport[] = [];
  const taken = new Set([...names.values(), ...descendants(root, 'identifier').map((i) => i.text)]);
  /** The local name of package `path`, imported (as `want` or an alias) when missing. */
  const pkg = (path: string, alias: string): string => {
    const got = names.get(path) ?? imports.find((i) => i.path === path)?.alias ?? (imports.some((i) => i.path === path) ? path.split('/').pop()! : undefined);
    if (got) return got;
    const base = path.split('/').pop()!;
    const clash = [...names.entries()].some(([p, n]) => n === base && p !== path) || (taken.has(base) && !names.has(path));
    imports.push(clash ? { path, alias } : { path });
    return clash ? alias : base;
  };
  const fn = site.kind === 'extract' && site.target === 'eventbridge' ? site.statement : enclosingFn(site.statement)!;
  // Names are free when neither the function nor the package level uses them.
  const topNames = root.namedChildren.flatMap((n) => (n?.type === 'function_declaration' ? [n.childForFieldName('name')?.text ?? ''] : n && /^(var|const|type)_declaration$/.test(n.type) ? descendants(n, 'identifier', 'type_identifier').map((i) => i.text) : []));
  const local = new Set([...names.values(), ...topNames, ...idsIn(fn)]);
  const name = (want: string) => { const n = freeIn(local, want); local.add(n); return n; };
  const L = (i: string, x: string) => `${i}${x}${eol}`;
  const edits: TextEdit[] = [];
  const packages = [{ ecosystem: 'go' as const, name: OTEL, install: `go get ${OTEL}` }];
  const tracerVar = root.namedChildren.filter((n) => n?.type === 'var_declaration').flatMap((v) => descendants(v!, 'var_spec')).find((v) => /\botel\.Tracer\(/.test(v.text))?.childForFieldName('name')?.text;
  const ctxParam = () => descendants(fn.childForFieldName('parameters') ?? fn, 'parameter_declaration').find((p) => p.childForFieldName('type')?.text === 'context.Context')?.childForFieldName('name')?.text;
  const startSpan = (parentCarrier: string, spanName: string, usesCtx: boolean) => {
    const ctx = ctxParam();
    const tracer = tracerVar ?? `${pkg(OTEL, 'otel')}.Tracer("${doc.fileName.replace(/\.go$/, '')}")`;
    return `${ctx && usesCtx ? ctx : '_'}, ${name('span')} := ${tracer}.Start(${pkg(OTEL, 'otel')}.GetTextMapPropagator().Extract(${ctx ?? `${pkg('context', 'context')}.Background()`}, ${parentCarrier}), "${spanName}")`;
  };

  if (site.kind === 'extract' && site.target === 'eventbridge') {
    const body = fn.childForFieldName('body')!;
    const first = body.namedChildren.find((n) => n?.type === 'statement_list')?.namedChildren[0];
    if (!first) throw new InstrumentError('the handler has an empty body');
    const base = indentAt(text, first.startIndex);
    const ev = paramOfType(fn, /events\.(CloudWatchEvent|EventBridgeEvent)$/)!.childForFieldName('name')?.text;
    if (!ev) throw new InstrumentError('the event parameter has no name');
    const detail = name('traceDetail');
    const start = startSpan(`${detail}.Tracing`, 'process eventbridge event', true);
    const span = start.split(', ')[1].split(' ')[0];
    const at = lineStart(text, first.startIndex);
    edits.push({ start: at, end: at, newText: L(base, `var ${detail} struct {`) + L(`${base}\t`, `Tracing ${pkg(PROPAGATION, 'propagation')}.MapCarrier \`json:"_tracing"\``) + L(base, '}')
      + L(base, `_ = ${pkg('encoding/json', 'json')}.Unmarshal(${ev}.Detail, &${detail})`) + L(base, start) + L(base, `defer ${span}.End()`) });
    return { title: 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)', edits: mergeAt([...goImportEdits(doc, imports), ...edits].sort((a, b) => a.start - b.start)), packages, notes: ['The span\'s parent is the traceparent the sender put in Detail._tracing; without it the span starts a new trace.'] };
  }

  if (site.kind === 'extract') {
    const loop = site.statement;
    const body = loop.childForFieldName('body')!;
    const list = body.namedChildren.find((n) => n?.type === 'statement_list');
    const stmts = list?.namedChildren.filter((n): n is Node => n !== null) ?? [];
    if (!stmts.length) throw new InstrumentError('the loop body is empty');
    const ownJumps = descendants(body, 'return_statement', 'break_statement', 'goto_statement', 'defer_statement', 'continue_statement').filter((j) => {
      for (let p = j.parent; p && p.id !== body.id; p = p.parent) {
        if (p.type === 'func_literal') return false;
        if (j.type !== 'return_statement' && j.type !== 'defer_statement' && j.type !== 'goto_statement' && !j.namedChildren.length && (p.type === 'for_statement' || (j.type === 'break_statement' && /switch_statement|select_statement/.test(p.type)))) return false;
      }
      return true;
    });
    const blocking = ownJumps.find((j) => j.type !== 'continue_statement' || j.namedChildren.length);
    if (blocking) throw new InstrumentError(`the loop body has ${blocking.text.split(/\s/)[0]} (line ${blocking.startPosition.row + 1}); the record's span needs a body it can end around, add it by hand`);
    const rec = loop.namedChildren.find((c) => c?.type === 'range_clause')!.childForFieldName('left')!.namedChildren[1]!.text;
    const base = indentAt(text, stmts[0].startIndex), outer = indentAt(text, loop.startIndex);
    const u = base.length > outer.length ? base.slice(outer.length) : '\t';
    const inner = base + u;
    const carrier = name('traceCarrier'), k = name('k'), v = name('v');
    const mc = `${pkg(PROPAGATION, 'propagation')}.MapCarrier`;
    const fill = site.target === 'sqs'
      ? L(inner, `for ${k}, ${v} := range ${rec}.MessageAttributes {`) + L(inner + u, `if ${v}.StringValue != nil {`) + L(inner + u + u, `${carrier}[${k}] = *${v}.StringValue`) + L(inner + u, '}') + L(inner, '}')
      : L(inner, `for ${k}, ${v} := range ${rec}.SNS.MessageAttributes {`) + L(inner + u, `if a, ok := ${v}.(map[string]interface{}); ok {`) + L(inner + u + u, 'if s, ok := a["Value"].(string); ok {')
        + L(inner + u + u + u, `${carrier}[${k}] = s`) + L(inner + u + u, '}') + L(inner + u, '}') + L(inner, '}');
    const ctx = ctxParam();
    const usesCtx = !!ctx && stmts.some((s) => idsIn(s).has(ctx));
    const start = startSpan(carrier, `process ${site.target} record`, usesCtx);
    const span = start.split(', ')[1].split(' ')[0];
    const first = lineStart(text, stmts[0].startIndex);
    edits.push({ start: first, end: first, newText: L(base, 'func() {') + L(inner, `${carrier} := ${mc}{}`) + fill + L(inner, start) + L(inner, `defer ${span}.End()`) });
    const last = stmts[stmts.length - 1];
    for (let at = first; at < last.endIndex; at = nextLineStart(text, at)) {
      const lineEnd = text.indexOf('\n', at);
      if (at !== first && !insideMultilineToken(root, at) && text.slice(at, lineEnd < 0 ? undefined : lineEnd).trim()) edits.push({ start: at, end: at, newText: u });
      if (lineEnd < 0) break;
    }
    edits.push({ start: first, end: first, newText: u });
    // Inside the closure, `return` is what `continue` was.
    for (const j of ownJumps) edits.push({ start: j.startIndex, end: j.endIndex, newText: 'return' });
    const end = nextLineStart(text, last.endIndex);
    edits.push({ start: end, end, newText: L(base, '}()') });
    edits.sort((a, b) => a.start - b.start);
    return { title: `Propagate trace context: continue the sender's trace for each ${site.target.toUpperCase()} record`, edits: mergeAt([...goImportEdits(doc, imports), ...edits].sort((a, b) => a.start - b.start)), packages, notes: [] };
  }

  const call = descendants(site.statement, 'call_expression').find((c) => SENDS[fieldName(c)]?.[0] === site.target && c.startPosition.row + 1 === site.line)!;
  const ctxArg = call.childForFieldName('arguments')!.namedChildren[0]!.text;
  const lit = site.params!;
  const litStmt = statementOf(lit);
  const before = litStmt.startIndex < site.statement.startIndex && enclosingFn(litStmt)?.id === fn.id ? litStmt : site.statement;
  const base = indentAt(text, before.startIndex);
  const carrier = name('traceCarrier');
  let pre = L(base, `${carrier} := ${pkg(PROPAGATION, 'propagation')}.MapCarrier{}`) + L(base, `${pkg(OTEL, 'otel')}.GetTextMapPropagator().Inject(${ctxArg}, ${carrier})`);
  const json = () => pkg('encoding/json', 'json');
  /** Puts `_tracing` into the JSON object `expr` (a string or []byte expression) evaluated before the send; returns what replaces it. */
  const intoJson = (expr: Node, bytes: boolean): string => {
    // A map marshalled in this function: the carrier goes into the map before it is marshalled.
    const marshal = expr.type === 'identifier' || (expr.type === 'call_expression' && expr.childForFieldName('function')?.text === 'string')
      ? descendants(fn, 'short_var_declaration').find((s) => s.childForFieldName('left')?.namedChildren[0]?.text === (expr.type === 'identifier' ? expr.text : expr.childForFieldName('arguments')?.namedChildren[0]?.text)
        && /^json\.Marshal\(\w+\)$/.test(s.childForFieldName('right')?.text ?? '')) : undefined;
    const mapName = marshal ? /^json\.Marshal\((\w+)\)$/.exec(marshal.childForFieldName('right')!.text)![1] : undefined;
    const mapDecl = mapName ? descendants(fn, 'short_var_declaration').find((s) => s.childForFieldName('left')?.text === mapName && s.startIndex < marshal!.startIndex) : undefined;
    if (marshal && mapDecl && /^(map\[string\](interface\{\}|any)\{|make\(map\[string\](interface\{\}|any)\))/.test(mapDecl.childForFieldName('right')?.text ?? '')) {
      const at = lineStart(text, marshal.startIndex);
      if (at < lineStart(text, before.startIndex)) {
        edits.push({ start: at, end: at, newText: pre + L(indentAt(text, marshal.startIndex), `${mapName}["_tracing"] = ${carrier}`) });
        pre = '';
        return expr.text;
      }
    }
    const value = name(bytes ? 'tracePayload' : 'traceDetail'), fields = name('traceFields');
    pre += L(base, `${value} := ${expr.text}`) + L(base, `var ${fields} map[string]interface{}`)
      + L(base, `if ${json()}.Unmarshal(${bytes ? value : `[]byte(${value})`}, &${fields}) == nil && ${fields} != nil {`) + L(`${base}\t`, `${fields}["_tracing"] = ${carrier}`)
      + L(`${base}\t`, `if b, err := ${json()}.Marshal(${fields}); err == nil {`) + L(`${base}\t\t`, `${value} = ${bytes ? 'b' : 'string(b)'}`) + L(`${base}\t`, '}') + L(base, '}');
    return value;
  };
  let where: string;
  if (site.target === 'sqs' || site.target === 'sns') {
    if (keyed(lit, 'MessageAttributes')) throw new InstrumentError('MessageAttributes is already set here; add the entries of an injected propagation.MapCarrier to it by hand');
    const types = pkg(TYPES[site.target]!, `${site.target}types`), aws = pkg(AWS, 'aws');
    const attrs = name('traceAttributes'), k = name('k'), v = name('v');
    pre += L(base, `${attrs} := map[string]${types}.MessageAttributeValue{}`) + L(base, `for ${k}, ${v} := range ${carrier} {`)
      + L(`${base}\t`, `${attrs}[${k}] = ${types}.MessageAttributeValue{DataType: ${aws}.String("String"), StringValue: ${aws}.String(${v})}`) + L(base, '}');
    edits.push(...addField(text, lit, `MessageAttributes: ${attrs}`, eol));
    where = `the ${site.target.toUpperCase()} message attributes${site.target === 'sqs' ? ' (SQS allows 10 per message)' : ''}`;
  } else if (site.target === 'lambda') {
    const payload = keyed(lit, 'Payload');
    if (/InvocationTypeEvent$|^"Event"$/.test(keyed(lit, 'InvocationType')?.text ?? '') && payload) {
      const v = intoJson(payload, true);
      if (v !== payload.text) edits.push({ start: payload.startIndex, end: payload.endIndex, newText: v });
      where = 'the payload (_tracing): Lambda passes ClientContext to synchronous invocations only';
    } else {
      if (keyed(lit, 'ClientContext')) throw new InstrumentError('the Invoke call already sets ClientContext; add the trace context to its custom field by hand');
      const cc = name('traceClientContext');
      pre += L(base, `${cc}, _ := ${json()}.Marshal(map[string]interface{}{"custom": ${carrier}})`);
      edits.push(...addField(text, lit, `ClientContext: ${pkg(AWS, 'aws')}.String(${pkg('encoding/base64', 'base64')}.StdEncoding.EncodeToString(${cc}))`, eol));
      where = 'the Invoke ClientContext (custom; at most 3,583 bytes)';
    }
  } else {
    const entries = keyed(lit, 'Entries');
    const details = entries ? descendants(entries, 'keyed_element').filter((e) => e.namedChildren[0]?.text === 'Detail').map((e) => e.namedChildren[1]!.namedChildren[0] ?? e.namedChildren[1]!) : [];
    const strs = details.filter((d) => d.type === 'call_expression' && /(^|\.)String$/.test(d.childForFieldName('function')?.text ?? '') && d.childForFieldName('arguments')?.namedChildren.length === 1);
    if (!strs.length) throw new InstrumentError('no Entries[].Detail: aws.String(...) to carry the trace context');
    for (const d of strs) {
      const a = d.childForFieldName('arguments')!.namedChildren[0]!;
      const v = intoJson(a, false);
      if (v !== a.text) edits.push({ start: a.startIndex, end: a.endIndex, newText: v });
    }
    where = 'the event detail (_tracing)';
  }
  if (pre) { const at = lineStart(text, before.startIndex); edits.push({ start: at, end: at, newText: pre }); }
  return { title: `Propagate trace context to ${site.target === 'eventbridge' ? 'EventBridge' : site.target === 'lambda' ? 'Lambda Invoke' : site.target.toUpperCase()}`,
    edits: mergeAt([...goImportEdits(doc, imports), ...edits].sort((a, b) => a.start - b.start)), packages, notes: [`The W3C traceparent goes in ${where}.`] };
}

/** Joins insertions at the same offset into one edit, in order (edits never overlap). */
export function mergeAt(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const last = out[out.length - 1];
    if (last && last.start === e.start && last.end === last.start && e.end === e.start) last.newText += e.newText; else out.push({ ...e });
  }
  return out;
}

/** Adds `field` as the last element of a Go composite literal body, on its own line when the literal spans lines. */
function addField(text: string, lit: Node, field: string, eol: string): TextEdit[] {
  const els = named(lit);
  const last = els[els.length - 1];
  if (!last) return [{ start: lit.startIndex + 1, end: lit.startIndex + 1, newText: field }];
  if (last.startPosition.row === lit.startPosition.row && lit.endPosition.row === lit.startPosition.row) return [{ start: last.endIndex, end: last.endIndex, newText: `, ${field}` }];
  const comma = text.indexOf(',', last.endIndex);
  const at = comma >= 0 && comma < lit.endIndex ? comma + 1 : last.endIndex;
  // gofmt aligns the values of key: value lines that follow each other: the new line joins that section.
  const section: Node[] = [];
  for (let i = els.length - 1; i >= 0; i--) {
    const e = els[i];
    if (e.type !== 'keyed_element' || e.startPosition.row !== e.endPosition.row || (section.length && e.endPosition.row + 1 !== section[0].startPosition.row)) break;
    section.unshift(e);
  }
  if (section[section.length - 1] !== last) section.length = 0;
  const key = field.slice(0, field.indexOf(':') + 1);
  const width = Math.max(key.length, ...section.map((e) => e.namedChildren[0]!.text.length + 1)) + 1;
  const edits: TextEdit[] = section.map((e) => {
    const colon = text.indexOf(':', e.namedChildren[0]!.endIndex);
    return { start: colon + 1, end: e.namedChildren[1]!.startIndex, newText: ' '.repeat(width - (e.namedChildren[0]!.text.length + 1)) };
  }).filter((e) => text.slice(e.start, e.end) !== e.newText);
  edits.push({ start: at, end: at, newText: `${comma >= 0 && comma < lit.endIndex ? '' : ','}${eol}${indentAt(text, last.startIndex)}${key}${' '.repeat(width - key.length)}${field.slice(key.length).trimStart()},` });
  return edits;
}
