// POST /orders: checks stock with the inventory service, then queues the order for fulfilment.
import http from 'node:http';
import { context, propagation, SpanKind } from '@opentelemetry/api';
import { clientCall } from './tracing';

const INVENTORY_URL = process.env.INVENTORY_URL ?? 'http://127.0.0.1:8081';
const QUEUE_URL = process.env.ORDERS_QUEUE_URL ?? 'http://127.0.0.1:9324/queue/orders-app-orders';

export interface Order { orderId: string; sku: string; quantity: number; express?: boolean }
interface ApiEvent { body: string }
interface ApiResult { statusCode: number; body: string }

export class InventoryUnavailableError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
    this.name = 'InventoryUnavailableError';
  }
}

function request(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { accept: 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function checkStock(sku: string): Promise<{ available: number }> {
  const url = `${INVENTORY_URL}/v1/stock/${encodeURIComponent(sku)}`;
  return clientCall('GET', { 'http.request.method': 'GET', 'url.full': url, 'server.address': '127.0.0.1' }, async (span) => {
    const res = await request('GET', url);
    span.setAttribute('http.response.status_code', res.status);
    if (res.status >= 500) throw new InventoryUnavailableError(`inventory service returned ${res.status}: ${res.text}`, res.status);
    return JSON.parse(res.text) as { available: number };
  });
}

const sqsAttributes = { 'messaging.system': 'aws_sqs', 'messaging.operation.type': 'send', 'messaging.destination.name': 'orders-app-orders', 'rpc.system': 'aws-api', 'rpc.service': 'SQS', 'rpc.method': 'SendMessage', 'aws.sqs.queue.url': QUEUE_URL };

/** Sends the order with the trace context in its message attributes, so fulfilment joins this trace. */
async function enqueueFulfilment(order: Order): Promise<void> {
  await clientCall('orders-app-orders send', sqsAttributes, async () => {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const attributes = Object.fromEntries(Object.entries(carrier).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
    await sendMessage({ MessageBody: JSON.stringify(order), MessageAttributes: attributes });
  }, SpanKind.PRODUCER);
}

/** Express orders skip the fulfilment batcher. */
async function enqueueExpress(order: Order): Promise<void> {
  await clientCall('orders-app-orders send', sqsAttributes, async () => {
    await sendMessage({ MessageBody: JSON.stringify(order), MessageAttributes: { priority: { DataType: 'String', StringValue: 'express' } } });
  }, SpanKind.PRODUCER);
}

async function sendMessage(message: object): Promise<void> {
  const res = await request('POST', QUEUE_URL, JSON.stringify(message), { 'content-type': 'application/json' });
  if (res.status !== 200) throw new Error(`SendMessage failed with ${res.status}: ${res.text}`);
}

export async function handler(event: ApiEvent): Promise<ApiResult> {
  const order = JSON.parse(event.body) as Order;
  const stock = await checkStock(order.sku);
  if (stock.available < order.quantity) {
    return { statusCode: 409, body: JSON.stringify({ message: `only ${stock.available} of ${order.sku} left` }) };
  }
  if (order.express) await enqueueExpress(order);
  else await enqueueFulfilment(order);
  return { statusCode: 202, body: JSON.stringify({ orderId: order.orderId }) };
}
