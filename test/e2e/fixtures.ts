// Fixture traces for the waterfall tests and benchmark: a Lambda cold start shaped like the X-Ray
// BatchGetTraces example of the AWS X-Ray developer guide, a deterministic synthetic trace of any
// size, and a trace whose every string is hostile.
import type { Attributes, Span, XRayDetails } from '../../src/core/model';

const TRACE_ID = '5f84c7a1a3f0e9b2c4d6e8f0a1b2c3d4';
const T0 = 1_700_000_000_000_000;

export function makeSpan(spanId: string, parentSpanId: string | undefined, name: string, startMs: number, endMs: number | undefined, extra: Partial<Span> = {}, service = 'orders'): Span {
  return {
    traceId: TRACE_ID, spanId, ...(parentSpanId ? { parentSpanId } : {}), name, kind: 'internal',
    startUnixUs: T0 + Math.round(startMs * 1000), ...(endMs === undefined ? {} : { endUnixUs: T0 + Math.round(endMs * 1000) }),
    status: { code: 'unset' }, attributes: {}, events: [], links: [],
    resource: { attributes: { 'service.name': service } }, scope: { name: 'xray' },
    origin: { format: 'xray', source: 'fixture' }, ...extra,
  };
}

function xr(type: XRayDetails['type'], more: Partial<XRayDetails> = {}): XRayDetails {
  return { type, error: false, fault: false, throttle: false, ...more };
}

/** A cold-started Lambda behind API Gateway whose DynamoDB call faults; 9 spans. */
export function lambdaColdStartTrace(): { traceId: string; spans: Span[] } {
  const fn = { attributes: { 'service.name': 'random-name', 'faas.name': 'random-name' } };
  const spans: Span[] = [
    makeSpan('1000000000000001', undefined, 'api/prod', 0, 1450, { kind: 'server', xray: xr('segment', { origin: 'AWS::ApiGateway::Stage', http: { request: { method: 'POST', url: 'https://api.example.com/prod/orders' }, response: { status: 502 } }, fault: true }), status: { code: 'error' } }, 'api'),
    makeSpan('1000000000000002', '1000000000000001', 'Lambda', 10, 1440, { xray: xr('subsegment', { namespace: 'aws', aws: { operation: 'Invoke', function_name: 'random-name' } }) }, 'api'),
    makeSpan('1000000000000003', '1000000000000002', 'random-name', 20, 1430, { xray: xr('segment', { origin: 'AWS::Lambda' }) }, 'random-name'),
    makeSpan('1000000000000004', '1000000000000003', 'random-name', 25, 1420, { xray: xr('segment', { origin: 'AWS::Lambda::Function', fault: true, workingDirectory: '/var/task', exceptions: [{ id: 'e1', type: 'ResourceNotFoundException', message: 'Requested resource not found', stack: [{ path: 'node_modules/@aws-sdk/client-dynamodb/dist/index.js', line: 2204, label: 'de_ResourceNotFoundExceptionRes' }, { path: 'src/handlers/createOrder.js', line: 42, label: 'exports.handler' }, { path: 'node', line: null }] }] }), resource: fn }, 'random-name'),
    makeSpan('1000000000000005', '1000000000000004', 'Initialization', 25, 690, { xray: xr('subsegment', { aws: { function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:random-name' } }), resource: fn }, 'random-name'),
    makeSpan('1000000000000006', '1000000000000004', 'Invocation', 700, 1400, { xray: xr('subsegment'), resource: fn, attributes: { 'faas.coldstart': true } }, 'random-name'),
    makeSpan('1000000000000007', '1000000000000006', 'DynamoDB', 720, 1380, { kind: 'client', xray: xr('subsegment', { namespace: 'aws', fault: true, aws: { operation: 'PutItem', table_name: 'orders', region: 'us-east-1' }, annotations: { customer: 'c-17' }, metadata: { debug: { attempt: 1 } } }), status: { code: 'error', message: 'ResourceNotFoundException' }, resource: fn }, 'random-name'),
    makeSpan('1000000000000008', '1000000000000007', 'SELECT orders', 730, 760, { kind: 'client', attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM orders WHERE id = $1' }, resource: fn }, 'random-name'),
    makeSpan('1000000000000009', '1000000000000004', 'Overhead', 1400, 1418, { xray: xr('subsegment'), resource: fn }, 'random-name'),
  ];
  return { traceId: TRACE_ID, spans: [spans[6], spans[0], spans[8], spans[3], spans[1], spans[5], spans[2], spans[4], spans[7]] };
}

/** Deterministic PRNG (mulberry32) so every run sees the same trace. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = ['checkout', 'payments', 'inventory', 'shipping', 'email'];
const OPS = ['GET /items', 'PutItem', 'Query', 'SendMessage', 'render', 'validate', 'SELECT', 'publish'];

/**
 * `n` spans in a tree (fan-out 1..8, depth up to ~12) within one second; about 1 in 50 spans has
 * an error; every span has 3 attributes. Spans are returned shuffled.
 */
export function syntheticTrace(n: number, seed = 7): { traceId: string; spans: Span[] } {
  const r = rng(seed);
  const spans: Span[] = new Array<Span>(n);
  const hex = (i: number): string => `e${i.toString(16).padStart(15, '0')}`;
  const res = SERVICES.map((s) => ({ attributes: { 'service.name': s } as Attributes }));
  const scope = { name: 'bench' };
  const origin = { format: 'otlp-json' as const, source: 'synthetic' };
  const startUs = new Float64Array(n);
  const endUs = new Float64Array(n);
  startUs[0] = 0; endUs[0] = 1_000_000;
  const depth = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let p = -1;
    if (i > 0) {
      // Prefer recent spans as parents, which gives deep and wide subtrees.
      p = Math.max(0, i - 1 - Math.floor(r() * r() * Math.min(i, 64)));
      if (depth[p] >= 12) p = Math.floor(r() * Math.min(i, 100));
      depth[i] = depth[p] + 1;
      const pd = endUs[p] - startUs[p];
      startUs[i] = startUs[p] + r() * pd * 0.8;
      endUs[i] = startUs[i] + Math.max(1, r() * (endUs[p] - startUs[i]));
    }
    const svc = i === 0 ? 0 : Math.floor(r() * SERVICES.length);
    const err = i > 0 && r() < 0.02;
    spans[i] = {
      traceId: TRACE_ID, spanId: hex(i), ...(p >= 0 ? { parentSpanId: hex(p) } : {}),
      name: `${OPS[i % OPS.length]} #${i}`, kind: 'internal', startUnixUs: T0 + Math.round(startUs[i]), endUnixUs: T0 + Math.round(endUs[i]),
      status: { code: err ? 'error' : 'unset' },
      attributes: { 'http.status_code': err ? 500 : 200, 'app.item': `item-${i % 997}`, 'code.function': OPS[i % OPS.length] },
      events: [], links: [], resource: res[svc], scope, origin,
    };
  }
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = spans[i]; spans[i] = spans[j]; spans[j] = t;
  }
  return { traceId: TRACE_ID, spans };
}

/** Strings that would execute or break the layout if rendered as HTML. */
export const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=2">',
  'javascript:window.__pwned=3',
  '<a href="javascript:window.__pwned=4">click</a>',
  '\u202Egnp.exe\u202C\u200B\u200B\u200Dzero\uFEFFwidth',
  '"><svg onload=window.__pwned=5>',
  '</div><div style="height:500px">tall</div>',
  'x'.repeat(2000),
];

/** A small trace in which names, services, attributes, events and stack frames are all hostile. */
export function hostileTrace(): { traceId: string; spans: Span[] } {
  const attrs: Attributes = {};
  HOSTILE.forEach((h, k) => { attrs[h] = h; attrs[`k${k}`] = h; });
  const spans = HOSTILE.map((h, k) => makeSpan(`20000000000000${String(k).padStart(2, '0')}`, k === 0 ? undefined : '2000000000000000', h, k * 10, k * 10 + 50, {
    attributes: attrs, status: { code: 'error', message: h },
    events: [{ name: h, timeUnixUs: T0 + k * 10_000, attributes: { [h]: h } }],
    xray: xr('subsegment', { fault: true, annotations: { [h]: h }, exceptions: [{ type: h, message: h, stack: [{ path: h, line: 1, label: h }] }] }),
  }, h));
  return { traceId: TRACE_ID, spans };
}
