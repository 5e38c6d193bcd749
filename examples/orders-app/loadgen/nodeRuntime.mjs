// One Lambda execution environment for a Node.js function, as a child process of the load generator:
// loads the handler module once (the cold start), then runs invocations sent over IPC under the
// OpenTelemetry SDK, recording what @opentelemetry/instrumentation-aws-lambda records (the invocation
// span named after the function, faas.coldstart, faas.invocation_id, cloud.resource_id) and flushing
// to the OTLP endpoint after each invocation, as the Lambda instrumentation does before freezing.
// INIT is timed from here: loading the SDK (what the OpenTelemetry Lambda layer does) and the handler module.
// Env: FUNCTION_NAME, HANDLER_MODULE (built .js), HANDLER_EXPORT, OTLP_ENDPOINT, AWS_REGION.
const initStartMs = Date.now();
const { AsyncLocalStorage } = await import('node:async_hooks');
const { default: crypto } = await import('node:crypto');
const { createRequire } = await import('node:module');
const { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = await import('@opentelemetry/api');
const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = await import('@opentelemetry/resources');
const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');

const fn = process.env.FUNCTION_NAME;
const region = process.env.AWS_REGION || 'eu-west-1';
const account = '123456789012';
const arn = `arn:aws:lambda:${region}:${account}:function:${fn}`;

/** What @opentelemetry/context-async-hooks does: the active context follows async calls. */
class AsyncLocalStorageContextManager {
  als = new AsyncLocalStorage();
  active() { return this.als.getStore() ?? ROOT_CONTEXT; }
  with(ctx, f, thisArg, ...args) { return this.als.run(ctx, () => f.apply(thisArg, args)); }
  bind(ctx, target) { return typeof target === 'function' ? (...a) => this.with(ctx, target, undefined, ...a) : target; }
  enable() { return this; }
  disable() { this.als.disable(); return this; }
}

/** X-Ray-compatible trace ids (epoch seconds first), as the ADOT / AWS X-Ray id generator makes them. */
const idGenerator = {
  generateTraceId: () => Math.floor(Date.now() / 1000).toString(16).padStart(8, '0') + crypto.randomBytes(12).toString('hex'),
  generateSpanId: () => crypto.randomBytes(8).toString('hex'),
};

const provider = new BasicTracerProvider({
  idGenerator,
  resource: resourceFromAttributes({
    'service.name': fn, 'faas.name': fn, 'faas.version': '$LATEST', 'faas.max_memory': 536870912,
    'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda', 'cloud.region': region, 'cloud.account.id': account,
    'process.runtime.name': 'nodejs', 'process.runtime.version': process.versions.node,
  }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${process.env.OTLP_ENDPOINT}/v1/traces` }))],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);

const lambdaTracer = trace.getTracer('@opentelemetry/instrumentation-aws-lambda', '0.50.0');
const initTracer = trace.getTracer(fn);
const handler = createRequire(import.meta.url)(process.env.HANDLER_MODULE)[process.env.HANDLER_EXPORT || 'handler'];
const readyAtMs = Date.now();
let cold = true;

async function invoke(msg) {
  const wasCold = cold;
  cold = false;
  const span = lambdaTracer.startSpan(fn, {
    kind: SpanKind.SERVER,
    attributes: { 'faas.invocation_id': msg.requestId, 'cloud.resource_id': arn, 'cloud.account.id': account, 'faas.coldstart': wasCold, 'faas.trigger': 'http' },
  });
  if (wasCold) initTracer.startSpan('faas.init', { kind: SpanKind.INTERNAL, startTime: initStartMs }, trace.setSpan(ROOT_CONTEXT, span)).end(readyAtMs);
  let reply;
  try {
    const result = await context.with(trace.setSpan(context.active(), span), () => handler(msg.event, { functionName: fn, awsRequestId: msg.requestId, invokedFunctionArn: arn }));
    span.setAttribute('http.response.status_code', result.statusCode);
    reply = { ok: true, statusCode: result.statusCode };
  } catch (e) {
    span.recordException(e);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
    reply = { ok: false, error: `${e.name}: ${e.message}` };
  } finally {
    span.end();
  }
  await provider.forceFlush().catch((e) => { reply.exportError = e.message; });
  return { id: msg.id, cold: wasCold, initMs: wasCold ? readyAtMs - initStartMs : 0, ...reply };
}

process.on('message', (msg) => {
  if (msg.type === 'invoke') void invoke(msg).then((r) => process.send({ type: 'result', ...r }));
  else if (msg.type === 'shutdown') void provider.shutdown().finally(() => process.exit(0));
});
process.send({ type: 'ready' });
