import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as otelApi from '@opentelemetry/api';
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { newDiagnostics, type TscPair } from './instrumentTsc';
import { docOf, propagateAll, siteLines, useParsers } from './helpers/instrumentDocs';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');

const EB_TITLE = 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)';
const INVOKE_TITLE = 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)';
const L = (...lines: string[]) => lines.join('\n');
const CATCH = (i: string, cast = '', semi = ';', u = '  ') => [`${i}} catch (err) {`, `${i}${u}span.recordException(err${cast})${semi}`, `${i}${u}span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) })${semi}`,
  `${i}${u}throw err${semi}`, `${i}} finally {`, `${i}${u}span.end()${semi}`, `${i}}`];

const CJS = L(
  "'use strict';",
  "const { events, lambda, PutEventsCommand, InvokeCommand } = require('./clients');",
  '',
  'exports.onOrder = async (event) => {',
  '  const order = event.detail.order;',
  "  if (!order) throw new Error('no order');",
  '  return { ok: order };',
  '};',
  '',
  'exports.nextStep = async (event, context) => {',
  '  return { done: event.order };',
  '};',
  '');

const CJS_OUT = L(
  "'use strict';",
  "const { events, lambda, PutEventsCommand, InvokeCommand } = require('./clients');",
  "const { trace, SpanStatusCode, propagation, context: otelContext } = require('@opentelemetry/api');",
  '',
  "const tracer = trace.getTracer('recv');",
  '',
  'exports.onOrder = async (event) => {',
  "  return tracer.startActiveSpan('process eventbridge event', {}, propagation.extract(otelContext.active(), event.detail?._tracing ?? {}), async (span) => {",
  '    try {',
  '      const order = event.detail.order;',
  "      if (!order) throw new Error('no order');",
  '      return { ok: order };',
  ...CATCH('    '),
  '  });',
  '};',
  '',
  'exports.nextStep = async (event, context) => {',
  "  return tracer.startActiveSpan('nextStep', {}, propagation.extract(otelContext.active(), context.clientContext?.custom ?? event?._tracing ?? {}), async (span) => {",
  '    try {',
  '      return { done: event.order };',
  ...CATCH('    '),
  '  });',
  '};',
  '');

const SENDER = L(
  "const { events, lambda, PutEventsCommand, InvokeCommand } = require('./clients');",
  '',
  'exports.handler = async (event) => {',
  '  const detail = { order: event.id };',
  "  await events.send(new PutEventsCommand({ Entries: [{ Source: 'orders', DetailType: 'placed', Detail: JSON.stringify(detail) }] }));",
  "  await lambda.send(new InvokeCommand({ FunctionName: 'next', Payload: JSON.stringify(detail) }));",
  "  await lambda.send(new InvokeCommand({ FunctionName: 'audit', InvocationType: 'Event', Payload: JSON.stringify(detail) }));",
  '  return detail;',
  '};',
  '');

const ESM = L(
  'import { S3Client } from "@aws-sdk/client-s3"',
  '',
  'const s3 = new S3Client({})',
  '',
  'export const onOrder = async event => {',
  '    const { detail } = event',
  '    return detail.id',
  '}',
  '',
  'export async function audit(event) {',
  '    console.log(event)',
  '}',
  '');

const ESM_OUT = L(
  'import { S3Client } from "@aws-sdk/client-s3"',
  'import { trace, SpanStatusCode, propagation, context as otelContext } from "@opentelemetry/api"',
  '',
  'const tracer = trace.getTracer("orders")',
  '',
  'const s3 = new S3Client({})',
  '',
  'export const onOrder = async event => {',
  '    return tracer.startActiveSpan("process eventbridge event", {}, propagation.extract(otelContext.active(), event.detail?._tracing ?? {}), async (span) => {',
  '        try {',
  '            const { detail } = event',
  '            return detail.id',
  ...CATCH('        ', '', '', '    '),
  '    })',
  '}',
  '',
  'export async function audit(event, context) {',
  '    return tracer.startActiveSpan("audit", {}, propagation.extract(otelContext.active(), context.clientContext?.custom ?? event?._tracing ?? {}), async (span) => {',
  '        try {',
  '            console.log(event)',
  ...CATCH('        ', '', '', '    '),
  '    })',
  '}',
  '');

const TS = L(
  "import type { Context, EventBridgeEvent } from 'aws-lambda';",
  "import { trace } from '@opentelemetry/api';",
  '',
  "const tracer = trace.getTracer('orders');",
  '',
  'interface Order { id: string }',
  '',
  "export const onOrder = async (event: EventBridgeEvent<'placed', Order>, context: Context): Promise<string> => {",
  '  return event.detail.id;',
  '};',
  '',
  'export function nextStep(event: Order) {',
  '  return event.id;',
  '}',
  '');

const TS_OUT = L(
  "import type { Context, EventBridgeEvent } from 'aws-lambda';",
  "import { trace, SpanStatusCode, propagation, context as otelContext } from '@opentelemetry/api';",
  '',
  "const tracer = trace.getTracer('orders');",
  '',
  'interface Order { id: string }',
  '',
  "export const onOrder = async (event: EventBridgeEvent<'placed', Order>, context: Context): Promise<string> => {",
  "  return tracer.startActiveSpan('process eventbridge event', {}, propagation.extract(otelContext.active(), (event.detail as { _tracing?: Record<string, string> } | undefined)?._tracing ?? {}), async (span) => {",
  '    try {',
  '      return event.detail.id;',
  ...CATCH('    ', ' as Error'),
  '  });',
  '};',
  '',
  'export function nextStep(event: Order, context: { clientContext?: unknown }) {',
  "  return tracer.startActiveSpan('nextStep', {}, propagation.extract(otelContext.active(), (context.clientContext as { custom?: Record<string, string> } | undefined)?.custom ?? (event as { _tracing?: Record<string, string> } | undefined)?._tracing ?? {}), (span) => {",
  '    try {',
  '      return event.id;',
  ...CATCH('    ', ' as Error'),
  '  });',
  '}',
  '');

/** The AsyncLocalStorage context manager of @opentelemetry/context-async-hooks, in a few lines (that package is not a dependency). */
class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active(): Context { return this.als.getStore() ?? ROOT_CONTEXT; }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T { return target; }
  enable(): this { return this; }
  disable(): this { this.als.disable(); return this; }
}

/** Runs CommonJS `code` in this process with `modules` as what it requires (the real @opentelemetry/api among them). */
function load(code: string, modules: Record<string, unknown>): Record<string, (event: unknown, context: unknown) => Promise<unknown>> {
  const module = { exports: {} as Record<string, (event: unknown, context: unknown) => Promise<unknown>> };
  const req = (id: string) => { if (!(id in modules)) throw new Error(`unexpected require(${id})`); return modules[id]; };
  new Function('require', 'module', 'exports', code)(req, module, module.exports);
  return module.exports;
}

describe('instrument: JavaScript/TypeScript receivers continue the trace of EventBridge senders and Lambda invokers', function () {
  this.timeout(120_000);
  let tmp: string;
  const results: TscPair[] = [];

  before(async () => {
    await useParsers(['javascript', 'typescript']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-js-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('CommonJS: hints at the EventBridge handler (detail._tracing) and offers the invoked handler the ClientContext/_tracing extract as an action', () => {
    assert.deepEqual(siteLines('recv.js', CJS), ['extract eventbridge 5', 'extract lambda 10 quiet']);
    const { text, titles } = propagateAll('recv.js', CJS);
    assert.deepEqual(titles, [EB_TITLE, INVOKE_TITLE]);
    assert.equal(text, CJS_OUT);
    assert.deepEqual(siteLines('recv.js', text), []);
    results.push({ label: 'cjs', fileName: 'recv.js', original: CJS, text });
    const crlf = propagateAll('recv.js', CJS.replace(/\n/g, '\r\n')).text;
    assert.equal(crlf, CJS_OUT.replace(/\n/g, '\r\n'));
  });

  it('ESM (double quotes, no semicolons, 4 spaces): a destructured detail is EventBridge; a handler without a context parameter gets one', () => {
    assert.deepEqual(siteLines('orders.mjs', ESM), ['extract eventbridge 6', 'extract lambda 10 quiet']);
    const { text, titles } = propagateAll('orders.mjs', ESM);
    assert.deepEqual(titles, [EB_TITLE, INVOKE_TITLE]);
    assert.equal(text, ESM_OUT);
    results.push({ label: 'esm', fileName: 'orders.mjs', original: ESM, text });
    const bare = propagateAll('onOrder.mjs', 'export const onOrder = async (event) => {\n  return event.detail;\n};\n').text;
    assert.deepEqual(bare.split('\n').slice(0, 5), ["import { trace, SpanStatusCode, propagation, context as otelContext } from '@opentelemetry/api';", '',
      "const tracer = trace.getTracer('onOrder');", '', 'export const onOrder = async (event) => {'], 'a file without imports: blank lines after the import and after the tracer');
    const strict = propagateAll('next.js', "'use strict';\n\nexports.next = async (event, context) => {\n  return 1;\n};\n").text;
    assert.deepEqual(strict.split('\n').slice(0, 7), ["'use strict';", '', "const { trace, SpanStatusCode, propagation, context: otelContext } = require('@opentelemetry/api');", '',
      "const tracer = trace.getTracer('next');", '', 'exports.next = async (event, context) => {'], 'the blank line after use strict is kept, not doubled');
  });

  it('TypeScript: the existing tracer and import are reused, the carriers are typed, a missing context gets a structural type', () => {
    assert.deepEqual(siteLines('orders.ts', TS), ['extract eventbridge 9', 'extract lambda 12 quiet']);
    const { text } = propagateAll('orders.ts', TS);
    assert.equal(text, TS_OUT);
    results.push({ label: 'ts', fileName: 'orders.ts', original: TS, text });
  });

  it('applying twice changes nothing; a handler that already extracts, SQS/API Gateway handlers and typed event sources get nothing', () => {
    for (const [name, text] of [['recv.js', CJS], ['orders.mjs', ESM], ['orders.ts', TS]]) {
      const once = propagateAll(name, text).text;
      assert.equal(propagateAll(name, once).text, once);
    }
    const extracting = L("const { propagation, context } = require('@opentelemetry/api');", 'exports.h = async (event) => {',
      '  const ctx = propagation.extract(context.active(), event.detail._tracing);', '  return event.detail;', '};', '');
    assert.deepEqual(siteLines('x.js', extracting), []);
    const others = L('export const api = async (event) => ({ statusCode: 200, body: event.body });',
      'export const sqs = async (event) => {', '  for (const r of event.Records) {', '    console.log(r.body);', '  }', '};',
      'export const web = async (event) => {', '  return { statusCode: 200, body: JSON.stringify(event.requestContext) };', '};', '');
    assert.deepEqual(siteLines('x.mjs', others), ['extract sqs 3']);
    const notHandlers = L('export function addCorsOptions(apiResource) {', "  apiResource.addMethod('OPTIONS');", '}',
      'export const authorize = async (event, context) => {', "  return event.authorizationToken === 'allow';", '};', '');
    assert.deepEqual(siteLines('y.mjs', notHandlers), []);
    const typed = L("import type { SQSHandler, ScheduledEvent } from 'aws-lambda';", 'export const a: SQSHandler = async (event) => {', '  console.log(event);', '};',
      'export const b = async (event: ScheduledEvent) => {', '  console.log(event);', '};', '');
    assert.deepEqual(siteLines('x.ts', typed), []);
  });

  it('CommonJS SQS records: the renamed context binding is valid in a require() destructuring, and an existing one is reused', () => {
    const text = L("const { propagation, context: otelContext } = require('@opentelemetry/api');", '', 'exports.handler = async (event) => {',
      '  for (const record of event.Records) {', '    console.log(record.body);', '  }', '};', '');
    const out = propagateAll('sqs.js', text).text;
    // The module's existing require is extended, not required a second time.
    assert.deepEqual(out.split('\n').slice(0, 4), ["const { propagation, context: otelContext, trace, SpanStatusCode } = require('@opentelemetry/api');", '', "const tracer = trace.getTracer('sqs');", '']);
    const fresh = propagateAll('sqs.js', text.split('\n').slice(2).join('\n')).text;
    assert.equal(fresh.split('\n')[0], "const { trace, SpanStatusCode, propagation, context: otelContext } = require('@opentelemetry/api');");
    for (const t of [out, fresh]) assert.doesNotThrow(() => new Function('require', 'exports', t));
  });

  it('every JS/TS file of corpus/iac: each propagation action applies, parses and is not offered again; one handler gets the Invoke action', () => {
    const kinds: Record<string, number> = {};
    const failures: string[] = [];
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) return d.name === 'node_modules' || d.name === 'cdk.out' ? [] : walk(p);
      return /\.(c|m)?(j|t)s$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
    });
    for (const file of walk(iac)) {
      const doc = docOf(file, fs.readFileSync(file, 'utf8'));
      if (doc.root.hasError) continue;
      const sites = propagationSites(doc);
      for (const site of sites) {
        const where = `${path.relative(iac, file)}:${site.line}`;
        kinds[`${site.kind} ${site.target}${site.quiet ? ' (action only)' : ''}`] = (kinds[`${site.kind} ${site.target}${site.quiet ? ' (action only)' : ''}`] ?? 0) + 1;
        const out = applyEdits(doc.text, planPropagation(doc, site).edits);
        const doc2 = docOf(file, out);
        if (doc2.root.hasError) failures.push(`${where}: does not parse`);
        if (propagationSites(doc2).length !== sites.length - 1) failures.push(`${where}: still offered`);
        results.push({ label: `corpus ${where}`, fileName: path.basename(file), original: doc.text, text: out });
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(kinds, { 'inject sqs': 2, 'extract sqs': 1, 'inject sns': 1, 'extract lambda (action only)': 1 });
  });

  it('round trip with the real OpenTelemetry API and W3C propagator: the receivers\' spans are children of the sender\'s span', async () => {
    const send = propagateAll('send.js', SENDER, false).text, recv = propagateAll('recv.js', CJS).text;
    results.push({ label: 'sender', fileName: 'send.js', original: SENDER, text: send });
    const sent: [string, Record<string, unknown>][] = [];
    class Command { constructor(readonly input: Record<string, unknown>) {} }
    const clients = {
      events: { send: async (c: Command) => { sent.push(['events', c.input]); } }, lambda: { send: async (c: Command) => { sent.push(['lambda', c.input]); } },
      PutEventsCommand: class extends Command {}, InvokeCommand: class extends Command {},
    };
    const exporter = new InMemorySpanExporter();
    assert.ok(otelApi.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })));
    assert.ok(otelApi.propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
    assert.ok(otelApi.context.setGlobalContextManager(new AlsContextManager()));
    try {
      const sender = load(send, { './clients': clients, '@opentelemetry/api': otelApi });
      const receiver = load(recv, { './clients': clients, '@opentelemetry/api': otelApi });
      const parent = await otelApi.trace.getTracer('test').startActiveSpan('caller', async (span) => {
        await sender.handler({ id: 7 }, {});
        span.end();
        return span.spanContext();
      });
      assert.deepEqual(sent.map(([c, p]) => `${c} ${String(p.FunctionName ?? 'PutEvents')}`), ['events PutEvents', 'lambda next', 'lambda audit']);
      const [[, eb], [, sync], [, asyn]] = sent;
      // EventBridge delivers Detail parsed; the Node runtime hands the decoded ClientContext JSON to context.clientContext as it is (synchronous calls only).
      assert.equal(await receiver.onOrder({ detail: JSON.parse((eb.Entries as { Detail: string }[])[0].Detail) }, {}).then((r) => JSON.stringify(r)), '{"ok":7}');
      const clientContext = JSON.parse(Buffer.from(String(sync.ClientContext), 'base64').toString('utf8')) as { custom: Record<string, string> };
      assert.match(clientContext.custom.traceparent, new RegExp(`^00-${parent.traceId}-${parent.spanId}-01$`));
      await receiver.nextStep(JSON.parse(String(sync.Payload)), { clientContext });
      await receiver.nextStep(JSON.parse(String(asyn.Payload)), {});
      await receiver.nextStep({ order: 1 }, {});
      const spans = exporter.getFinishedSpans().filter((s) => s.name !== 'caller');
      assert.deepEqual(spans.map((s) => [s.name, s.spanContext().traceId === parent.traceId, s.parentSpanContext?.spanId === parent.spanId]),
        [['process eventbridge event', true, true], ['nextStep', true, true], ['nextStep', true, true], ['nextStep', false, false]]);
      assert.equal(spans[3].parentSpanContext, undefined, 'an invocation without a carrier starts a new trace');
    } finally {
      otelApi.trace.disable(); otelApi.propagation.disable(); otelApi.context.disable();
    }
  });

  it('the results type-check (tsc --noEmit, real @opentelemetry/api types) no worse than the originals', () => {
    assert.deepEqual(results.filter((r) => !r.label.startsWith('corpus')).map((r) => r.label), ['cjs', 'esm', 'ts', 'sender']);
    assert.equal(results.length, 9);
    const tsc = newDiagnostics(path.join(tmp, 'ts'), results, { fileName: 'control.ts', text: "import { propagation } from '@opentelemetry/api';\npropagation.extract(1, {});\n" });
    assert.deepEqual(tsc.worse, []);
    assert.equal(tsc.control.length, 1);
  });
});
