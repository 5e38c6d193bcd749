/**
 * A realistic Lambda trace data set made with the real OpenTelemetry SDK and serialized by the real
 * otlp-transformer: API invocations (SERVER spans with faas.* attributes) calling DynamoDB and an
 * HTTP backend (CLIENT children), four functions each with its own cloud/faas resource. Ids and
 * times are seeded, so every run builds the same bytes.
 */
import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sdkRecorder, serializeSpans, startSpan, type Serialized } from '../../test/unit/helpers/otelSdk';

const FUNCTIONS = ['orders-api-GetOrder-9XK2L', 'orders-api-PutOrder-3HQ7A', 'orders-api-ListOrders-5TR2C', 'billing-Charge-8PLM4'];
const TABLES = ['Orders', 'OrderItems', 'Customers'];
const OPS = ['GetItem', 'PutItem', 'Query'];
const T0_MS = 1795315600000;

/** xorshift32: deterministic small numbers for shapes and timings. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function uuid(r: () => number): string {
  const h = (n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${h(8)}-${h(4)}-4${h(3)}-a${h(3)}-${h(12)}`;
}

/** At least `targetSpans` finished spans (in end order, as batch exporters send them). */
export async function lambdaSpans(targetSpans: number): Promise<ReadableSpan[]> {
  const r = rng(20261122);
  const all: ReadableSpan[] = [];
  for (let f = 0; f < FUNCTIONS.length; f++) {
    const fn = FUNCTIONS[f];
    const rec = sdkRecorder({
      'service.name': fn, 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda', 'cloud.region': 'eu-west-1',
      'cloud.account.id': '123456789012', 'faas.name': fn, 'faas.version': '$LATEST', 'faas.max_memory': 536870912,
      'faas.instance': `2026/11/22/[$LATEST]${uuid(r).replace(/-/g, '')}`, 'aws.log.group.names': [`/aws/lambda/${fn}`],
      'process.runtime.name': 'nodejs', 'process.runtime.version': '20.20.2', 'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.version': '2.12.1',
    }, 1000 + f);
    const lambda = rec.tracer('@opentelemetry/instrumentation-aws-lambda', '0.75.0');
    const awsSdk = rec.tracer('@opentelemetry/instrumentation-aws-sdk', '0.78.0');
    const http = rec.tracer('@opentelemetry/instrumentation-http', '0.223.0');
    let t = T0_MS + f * 7;
    let produced = 0;
    for (let i = 0; produced < targetSpans / FUNCTIONS.length; i++) {
      t += 50 + r() * 400;
      const cold = i % 200 === 0;
      const orderId = `ORD-${1000 + Math.floor(r() * 9000)}`;
      const parent = i % 3 === 0 ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: Math.floor(r() * 2 ** 32).toString(16).padStart(8, '0') + uuid(r).replace(/-/g, '').slice(0, 24),
        spanId: uuid(r).replace(/-/g, '').slice(0, 16), traceFlags: 1, isRemote: true,
      }) : undefined;
      const root = startSpan(lambda, fn, t, {
        kind: SpanKind.SERVER,
        attributes: {
          'faas.invocation_id': uuid(r), 'cloud.resource_id': `arn:aws:lambda:eu-west-1:123456789012:function:${fn}`,
          'cloud.account.id': '123456789012', 'faas.coldstart': cold, 'faas.trigger': 'http',
          'url.full': `https://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com:443/orders/${orderId}`,
        },
      }, parent);
      let c = t + (cold ? 40 : 2) + r() * 3;
      const calls = 2 + Math.floor(r() * 4);
      let failed = false;
      for (let k = 0; k < calls; k++) {
        const dur = 3 + r() * (cold ? 70 : 20);
        if (k % 2 === 0) {
          const op = OPS[Math.floor(r() * OPS.length)];
          const table = TABLES[Math.floor(r() * TABLES.length)];
          const s = startSpan(awsSdk, `DynamoDB.${op}`, c, {
            kind: SpanKind.CLIENT,
            attributes: {
              'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': op, 'db.system.name': 'dynamodb',
              'db.namespace': table, 'db.operation.name': op, 'aws.dynamodb.table_names': [table],
              'aws.dynamodb.consistent_read': op === 'GetItem', 'cloud.region': 'eu-west-1',
              'aws.request.id': uuid(r).replace(/-/g, '').toUpperCase() + 'VJF66Q9ASUAAJG', 'http.response.status_code': 200,
            },
          }, root);
          s.end(c + dur);
        } else {
          const status = r() < 0.03 ? 503 : 200;
          const s = startSpan(http, 'GET', c, {
            kind: SpanKind.CLIENT,
            attributes: {
              'http.request.method': 'GET', 'server.address': 'inventory.internal', 'server.port': 8081,
              'url.full': `http://inventory.internal:8081/v1/stock/${orderId}`, 'http.response.status_code': status,
              'network.peer.address': '10.0.12.7', 'network.peer.port': 8081, 'network.protocol.version': '1.1',
            },
          }, root);
          if (status !== 200) { s.setStatus({ code: SpanStatusCode.ERROR }); failed = true; }
          s.end(c + dur);
        }
        c += dur + r();
        produced++;
      }
      if (failed) {
        root.recordException({ name: 'InventoryUnavailableError', message: 'inventory service returned 503' }, c);
        root.setStatus({ code: SpanStatusCode.ERROR, message: 'inventory service returned 503' });
      }
      root.end(c + 1 + r());
      produced++;
    }
    all.push(...rec.spans());
    await rec.shutdown();
  }
  return all;
}

/** The OTLP/JSON and OTLP/protobuf request bodies of `lambdaSpans(targetSpans)`. */
export async function lambdaDataset(targetSpans: number): Promise<Serialized & { spans: number }> {
  const spans = await lambdaSpans(targetSpans);
  return { ...serializeSpans(spans), spans: spans.length };
}
