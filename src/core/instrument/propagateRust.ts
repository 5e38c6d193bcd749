/**
 * "Propagate trace context" for Rust (aws-sdk-* fluent builders, aws_lambda_events, opentelemetry's global
 * W3C propagator). The context travels where the other languages' edits put it: SQS/SNS message attributes
 * (String), EventBridge `Detail._tracing`, Lambda Invoke `ClientContext` = base64 `{"custom": carrier}`.
 */
import type { Node } from 'web-tree-sitter';
import type { PropagationSite, Target } from './propagate';
import { keepsTracing, lambdaEventParam, rustInvokeSites } from './propagateRustReceive';
import { descendants, eolOf, freeIn, indentAt, lineStart, nextLineStart } from './text';
import { InstrumentError, type InstrumentPlan, type SourceDoc, type TextEdit } from './types';

const SENDS: Record<string, Target> = { send_message: 'sqs', publish: 'sns', put_events: 'eventbridge', invoke: 'lambda' };
const FUNCS = new Set(['function_item', 'closure_expression']);
// A chain must set one of these to be that API (`publish()`, `invoke()` and `send()` exist on other clients too).
const NEEDS: Record<Target, RegExp> = { sqs: /^(queue_url|message_body)$/, sns: /^(topic_arn|target_arn|phone_number|message)$/, eventbridge: /^(entries|set_entries)$/, lambda: /^function_name$/ };

function enclosingFn(n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (FUNCS.has(p.type)) return p;
  return undefined;
}

function statementOf(n: Node): Node {
  let s = n;
  while (s.parent && s.parent.type !== 'block') s = s.parent;
  return s;
}

const idsIn = (n: Node) => new Set(descendants(n, 'identifier').map((i) => i.text));

/** The method calls chained on `start` (`client.send_message()`), in order: `.queue_url(..)`, ..., `.send()`. */
function chainOf(start: Node): { name: string; call: Node }[] {
  const out: { name: string; call: Node }[] = [];
  let cur = start;
  while (cur.parent?.type === 'field_expression' && cur.parent.childForFieldName('value')?.id === cur.id && cur.parent.parent?.type === 'call_expression') {
    out.push({ name: cur.parent.childForFieldName('field')?.text ?? '', call: cur.parent.parent });
    cur = cur.parent.parent;
  }
  return out;
}

/** Names holding the injected context in `fn`: the carriers `inject`/`inject_context` fill, and `let`s computed from them. */
function carried(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const c of descendants(fn, 'call_expression')) {
    const f = c.childForFieldName('function');
    const method = f?.type === 'field_expression' ? f.childForFieldName('field')?.text : undefined;
    if (method !== 'inject' && method !== 'inject_context') continue;
    const args = c.childForFieldName('arguments')?.namedChildren ?? [];
    const carrier = args[args.length - 1];
    for (const id of carrier ? descendants(carrier, 'identifier') : []) names.add(id.text);
  }
  for (let pass = 0; pass < 4 && names.size; pass++) {
    for (const l of descendants(fn, 'let_declaration')) {
      const v = l.childForFieldName('value');
      if (v && [...idsIn(v)].some((i) => names.has(i))) for (const id of descendants(l.childForFieldName('pattern') ?? l, 'identifier')) names.add(id.text);
    }
  }
  return names;
}

/** Sends without injection, SQS/SNS record loops and EventBridge handlers without extraction, and (quiet) a directly invoked handler, in a Rust file. */
export function rustPropagationSites(doc: SourceDoc): PropagationSite[] {
  const out: PropagationSite[] = [];
  for (const call of descendants(doc.root, 'call_expression')) {
    const f = call.childForFieldName('function');
    const target = f?.type === 'field_expression' ? SENDS[f.childForFieldName('field')?.text ?? ''] : undefined;
    const fn = enclosingFn(call);
    if (!target || !fn || call.childForFieldName('arguments')?.namedChildren.length) continue;
    const chain = chainOf(call);
    if (!chain.some((c) => c.name === 'send') || !chain.some((c) => NEEDS[target].test(c.name))) continue;
    const has = carried(fn);
    const top = chain[chain.length - 1].call;
    const entries = target === 'eventbridge' ? entryBuilders(top, fn) : [];
    if ([...idsIn(top), ...entries.flatMap((e) => [...idsIn(e)])].some((i) => has.has(i))) continue;
    out.push({ kind: 'inject', target, statement: statementOf(top), params: call, line: call.startPosition.row + 1 });
  }
  for (const loop of descendants(doc.root, 'for_expression')) {
    const value = loop.childForFieldName('value');
    const fn = enclosingFn(loop);
    const records = value?.type === 'reference_expression' ? value.childForFieldName('value') : value;
    if (!fn || records?.type !== 'field_expression' || records.childForFieldName('field')?.text !== 'records' || loop.childForFieldName('pattern')?.type !== 'identifier') continue;
    if (descendants(fn, 'field_identifier').some((i) => i.text === 'extract' || i.text === 'extract_with_context')) continue;
    const params = fn.childForFieldName('parameters')?.text ?? '';
    const target = /\bSqsEvent\b/.test(params) ? 'sqs' : /\bSnsEvent\b/.test(params) ? 'sns' : undefined;
    if (target) out.push({ kind: 'extract', target, statement: loop, line: loop.startPosition.row + 1 });
  }
  for (const fn of descendants(doc.root, 'function_item')) {
    if (eventBridgeDetail(fn) && !descendants(fn, 'field_identifier').some((i) => i.text === 'extract' || i.text === 'extract_with_context')) out.push({ kind: 'extract', target: 'eventbridge', statement: fn, line: fn.startPosition.row + 1 });
  }
  // After the sends and receives, so the first site of a sender stays its send.
  return [...out.sort((a, b) => a.line - b.line), ...rustInvokeSites(doc)];
}

/** `event.payload.detail` of a handler taking `LambdaEvent<EventBridgeEvent>` whose detail is a serde_json Value (a typed detail has no `_tracing`). */
function eventBridgeDetail(fn: Node): string | undefined {
  for (const p of descendants(fn.childForFieldName('parameters') ?? fn, 'parameter')) {
    const type = p.childForFieldName('type')?.text.replace(/\s+/g, '') ?? '';
    const m = /^(LambdaEvent<)?(?:[\w:]*::)?EventBridgeEvent(<(?:serde_json::)?Value>)?(>)?$/.exec(type);
    const name = p.childForFieldName('pattern');
    if (m && name?.type === 'identifier' && !!m[1] === !!m[3]) return `${name.text}${m[1] ? '.payload' : ''}.detail`;
  }
  return undefined;
}

/** The `PutEventsRequestEntry::builder()...` chains a `put_events()` send passes: inline or `let` in the same function. */
function entryBuilders(top: Node, fn: Node): Node[] {
  const entries = descendants(top, 'call_expression').filter((c) => c.childForFieldName('function')?.type === 'field_expression' && c.childForFieldName('function')?.childForFieldName('field')?.text === 'entries');
  return entries.flatMap((e) => {
    const arg = e.childForFieldName('arguments')?.namedChildren[0];
    if (arg?.type === 'identifier') {
      const l = descendants(fn, 'let_declaration').find((d) => d.childForFieldName('pattern')?.text === arg.text && d.startIndex < top.startIndex);
      return l?.childForFieldName('value') ? [l.childForFieldName('value')!] : [];
    }
    return arg ? [arg] : [];
  });
}

/** Plans the Rust edit for one propagation site (opentelemetry's global propagator). */
export function planRustPropagation(doc: SourceDoc, site: PropagationSite): InstrumentPlan {
  const { text, root } = doc;
  const eol = eolOf(text);
  const L = (i: string, x: string) => `${i}${x}${eol}`;
  const fn = site.kind === 'extract' && (site.target === 'eventbridge' || site.target === 'lambda') ? site.statement : enclosingFn(site.statement)!;
  const local = new Set([...idsIn(fn)]);
  const name = (want: string) => { const n = freeIn(local, want); local.add(n); return n; };
  const uses = root.namedChildren.filter((n): n is Node => n?.type === 'use_declaration');
  const edits: TextEdit[] = [];
  // HashMap by its short name when the file imports it or nothing else has that name.
  const hasHashMap = uses.some((u) => /\bstd::collections::(HashMap\b|\{[^}]*\bHashMap\b|\*)/.test(u.text));
  const hashMap = hasHashMap || !idsIn(root).has('HashMap') && !descendants(root, 'type_identifier').some((t) => t.text === 'HashMap') ? 'HashMap' : 'std::collections::HashMap';
  if (hashMap === 'HashMap' && !hasHashMap) {
    const at = uses.length ? nextLineStart(text, uses[uses.length - 1].endIndex) : 0;
    edits.push({ start: at, end: at, newText: `use std::collections::HashMap;${eol}${uses.length ? '' : eol}` });
  }
  // A file traced with `tracing` (the OpenTelemetry layer exports its spans) keeps its context in the tracing span,
  // not in opentelemetry's current Context: inject from and parent onto tracing spans there.
  const viaTracing = /\btracing::|\buse tracing\b|#\[instrument\b/.test(text);
  const packages = [{ ecosystem: 'cargo' as const, name: 'opentelemetry', install: 'cargo add opentelemetry' },
    ...(viaTracing ? [{ ecosystem: 'cargo' as const, name: 'tracing-opentelemetry', install: 'cargo add tracing-opentelemetry' }] : [])];
  const current = viaTracing ? 'tracing_opentelemetry::OpenTelemetrySpanExt::context(&tracing::Span::current())' : 'opentelemetry::Context::current()';

  const extractLines = (base: string, carrierType: string, fill: string, spanName: string) => {
    const carrier = name('trace_carrier'), parent = name('trace_parent'), guard = name('_trace_guard');
    const head = L(base, `let ${carrier}: ${carrierType} = ${fill};`) + L(base, `let ${parent} = opentelemetry::global::get_text_map_propagator(|p| p.extract(&${carrier}));`);
    if (viaTracing) {
      const span = name('trace_span');
      return head + L(base, `let ${span} = tracing::info_span!("${spanName}");`) + L(base, `let _ = tracing_opentelemetry::OpenTelemetrySpanExt::set_parent(&${span}, ${parent});`) + L(base, `let ${guard} = ${span}.entered();`);
    }
    return head + L(base, `let ${guard} = opentelemetry::trace::mark_span_as_active(opentelemetry::trace::Tracer::start_with_context(&opentelemetry::global::tracer("${doc.fileName.replace(/\.rs$/, '')}"), "${spanName}", &${parent}));`);
  };
  if (site.kind === 'extract' && (site.target === 'eventbridge' || site.target === 'lambda')) {
    const body = site.statement.childForFieldName('body');
    const first = body?.namedChildren.find((n) => n !== null);
    if (!body || !first || first.startPosition.row === body.startPosition.row) throw new InstrumentError('the handler body is not laid out one statement per line');
    const at = lineStart(text, first.startIndex);
    if (site.target === 'lambda') {
      const event = lambdaEventParam(site.statement)!;
      const payload = keepsTracing(event.payload);
      // ClientContext reaches synchronous invocations only; an asynchronous one carries the context in a JSON payload's _tracing.
      const fill = `${event.name}.context.client_context.as_ref().map(|c| c.custom.clone())${payload ? `.filter(|c| !c.is_empty()).or_else(|| ${event.name}.payload.get("_tracing").and_then(|t| t.as_object()).map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()))` : ''}.unwrap_or_default()`;
      edits.push({ start: at, end: at, newText: extractLines(indentAt(text, first.startIndex), `${hashMap}<String, String>`, fill, site.statement.childForFieldName('name')?.text ?? 'invoked') });
      return { title: 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)', edits, packages,
        notes: [`Invokers put the W3C traceparent in ClientContext.custom${payload ? ', or in the payload\'s _tracing for InvocationType=Event' : ''} (the edits of this extension do); an invocation without it starts a new trace.${payload ? '' : ' An asynchronous invocation carries it in the payload\'s _tracing, which this payload type does not keep.'}`] };
    }
    const fill = `${eventBridgeDetail(site.statement)}.get("_tracing").and_then(|t| t.as_object()).map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()).unwrap_or_default()`;
    edits.push({ start: at, end: at, newText: extractLines(indentAt(text, first.startIndex), `${hashMap}<String, String>`, fill, 'process eventbridge event') });
    return { title: 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)', edits, packages,
      notes: ['The handler\'s span is current until it returns; it is started from the traceparent the sender put in Detail._tracing.'] };
  }
  if (site.kind === 'extract') {
    const loop = site.statement;
    const body = loop.childForFieldName('body')!;
    const first = body.namedChildren.find((n) => n !== null);
    if (!first || first.startPosition.row === body.startPosition.row) throw new InstrumentError('the loop body is not laid out one statement per line');
    const base = indentAt(text, first.startIndex);
    const rec = loop.childForFieldName('pattern')!.text;
    const fill = site.target === 'sqs'
      ? `${rec}.message_attributes.iter().filter_map(|(k, v)| v.string_value.clone().map(|s| (k.clone(), s))).collect()`
      : `${rec}.sns.message_attributes.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect()`;
    const at = lineStart(text, first.startIndex);
    edits.push({ start: at, end: at, newText: extractLines(base, `${hashMap}<String, String>`, fill, `process ${site.target} record`) });
    return { title: `Propagate trace context: continue the sender's trace for each ${site.target.toUpperCase()} record`, edits, packages,
      notes: ['The record\'s span is current until the end of the loop body; it is started from the traceparent the sender put in the message attributes.'] };
  }

  const call = site.params!;
  const chain = chainOf(call);
  const base = indentAt(text, site.statement.startIndex);
  const carrier = name('trace_carrier');
  let pre = L(base, `let mut ${carrier}: ${hashMap}<String, String> = ${hashMap}::new();`)
    + L(base, `opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&${current}, &mut ${carrier}));`);
  /** Adds `.method(..)` right after the `client.op()` call, on its own line when the chain is laid out one call per line. */
  const addCall = (method: string): TextEdit => {
    const next = chain[0]?.call.childForFieldName('function');
    const dot = next ? text.indexOf('.', call.endIndex) : -1;
    const gap = dot >= 0 ? text.slice(call.endIndex, dot) : '';
    return /\n/.test(gap) ? { start: call.endIndex, end: call.endIndex, newText: `${eol}${indentAt(text, dot)}${method}` } : { start: call.endIndex, end: call.endIndex, newText: method };
  };
  let where: string;
  if (site.target === 'sqs' || site.target === 'sns') {
    if (chain.some((c) => c.name === 'set_message_attributes')) throw new InstrumentError('the send already calls set_message_attributes; add the entries of the injected carrier to it by hand');
    const attrs = name('trace_attributes');
    pre += L(base, `let ${attrs}: ${hashMap}<_, _> = ${carrier}.into_iter()`)
      + L(`${base}    `, `.filter_map(|(k, v)| aws_sdk_${site.target}::types::MessageAttributeValue::builder().data_type("String").string_value(v).build().ok().map(|a| (k, a)))`)
      + L(`${base}    `, '.collect();');
    // First in the chain, so message_attributes(k, v) calls after it add to the map instead of being replaced.
    edits.push(addCall(`.set_message_attributes(Some(${attrs}))`));
    where = `the ${site.target.toUpperCase()} message attributes${site.target === 'sqs' ? ' (SQS allows 10 per message)' : ''}`;
  } else if (site.target === 'lambda') {
    if (chain.some((c) => c.name === 'client_context')) throw new InstrumentError('the Invoke call already sets client_context; add the trace context to its custom field by hand');
    if (chain.some((c) => c.name === 'invocation_type' && /Event\b/.test(c.call.childForFieldName('arguments')?.text ?? ''))) {
      // Lambda passes ClientContext to synchronous invocations only: an asynchronous one carries the context in its payload.
      const blob = chain.filter((c) => c.name === 'payload').map((c) => c.call.childForFieldName('arguments')?.namedChildren[0]).find((a) => a?.type === 'call_expression' && /(^|::)Blob::new$/.test(a.childForFieldName('function')?.text ?? ''));
      const bytes = blob?.childForFieldName('arguments')?.namedChildren[0];
      if (!bytes) throw new InstrumentError('an asynchronous invoke (InvocationType::Event) gets no ClientContext, and its payload is not Blob::new(...): add the carrier to the payload as "_tracing" by hand');
      const v = name('trace_payload');
      pre += L(base, `let ${v}: Vec<u8> = {`) + L(`${base}    `, `let payload = ${bytes.text};`) + L(`${base}    `, 'match serde_json::from_slice::<serde_json::Value>(payload.as_ref()) {')
        + L(`${base}        `, 'Ok(serde_json::Value::Object(mut fields)) => {') + L(`${base}            `, `fields.insert("_tracing".to_string(), serde_json::json!(${carrier}));`)
        + L(`${base}            `, 'serde_json::Value::Object(fields).to_string().into_bytes()') + L(`${base}        `, '}') + L(`${base}        `, '_ => payload.into(),') + L(`${base}    `, '}') + L(base, '};');
      edits.push({ start: bytes.startIndex, end: bytes.endIndex, newText: v });
      packages.push({ ecosystem: 'cargo', name: 'serde_json', install: 'cargo add serde_json' });
      const at = lineStart(text, site.statement.startIndex);
      edits.push({ start: at, end: at, newText: pre });
      return { title: 'Propagate trace context to Lambda Invoke', edits, packages, notes: ['The W3C traceparent goes in the payload (_tracing): Lambda passes ClientContext to synchronous invocations only; a payload that is not a JSON object is sent unchanged.'] };
    }
    edits.push(addCall(`.client_context(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, serde_json::json!({ "custom": ${carrier} }).to_string()))`));
    packages.push({ ecosystem: 'cargo', name: 'base64', install: 'cargo add base64 serde_json' });
    where = 'the Invoke ClientContext (custom; at most 3,583 bytes)';
  } else {
    const details = entryBuilders(chain[chain.length - 1].call, fn).flatMap((e) => [e, ...descendants(e, 'call_expression')]).filter((c) => c.type === 'call_expression'
      && c.childForFieldName('function')?.type === 'field_expression' && c.childForFieldName('function')?.childForFieldName('field')?.text === 'detail')
      .map((c) => c.childForFieldName('arguments')?.namedChildren[0]).filter((a): a is Node => !!a);
    if (!details.length) throw new InstrumentError('no PutEventsRequestEntry::builder().detail(...) to carry the trace context');
    const entryStmt = statementOf(details[0]);
    const before = entryStmt.startIndex < site.statement.startIndex ? entryStmt : site.statement;
    const b = indentAt(text, before.startIndex);
    pre = pre.split(base).join(b);
    for (const d of details) {
      const v = name('trace_detail');
      pre += L(b, `let ${v} = {`) + L(`${b}    `, `let detail = ${d.text};`) + L(`${b}    `, 'match serde_json::from_str::<serde_json::Value>(&detail) {')
        + L(`${b}        `, 'Ok(serde_json::Value::Object(mut fields)) => {') + L(`${b}            `, `fields.insert("_tracing".to_string(), serde_json::json!(${carrier}));`)
        + L(`${b}            `, 'serde_json::Value::Object(fields).to_string()') + L(`${b}        `, '}') + L(`${b}        `, '_ => detail.to_string(),') + L(`${b}    `, '}') + L(b, '};');
      edits.push({ start: d.startIndex, end: d.endIndex, newText: v });
    }
    packages.push({ ecosystem: 'cargo', name: 'serde_json', install: 'cargo add serde_json' });
    const at = lineStart(text, before.startIndex);
    edits.push({ start: at, end: at, newText: pre });
    return { title: 'Propagate trace context to EventBridge', edits, packages, notes: ['The W3C traceparent goes in the event detail (_tracing); a detail that is not a JSON object is sent unchanged.'] };
  }
  const at = lineStart(text, site.statement.startIndex);
  edits.push({ start: at, end: at, newText: pre });
  return { title: `Propagate trace context to ${site.target === 'lambda' ? 'Lambda Invoke' : site.target.toUpperCase()}`, edits, packages, notes: [`The W3C traceparent goes in ${where}.`] };
}
