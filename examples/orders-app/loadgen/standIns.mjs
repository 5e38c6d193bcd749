// Local stand-ins for the app's dependencies, on 127.0.0.1: the inventory HTTP service (latency with a
// long tail, an occasional 503), the orders queue (an SQS-like endpoint the function POSTs to) and
// DynamoDB (moto's server, the real DynamoDB API).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** Latency in ms: mostly 8-40, one call in ten 80-400 (a slow replica). */
function inventoryLatencyMs() {
  return Math.random() < 0.1 ? 80 + Math.random() * 320 : 8 + Math.random() * Math.random() * 32;
}

/** GET /v1/stock/:sku -> {"sku","available"}; 4% of calls answer 503. */
export async function startInventory() {
  const server = http.createServer((req, res) => {
    const m = /^\/v1\/stock\/([\w-]+)$/.exec(req.url ?? '');
    setTimeout(() => {
      if (!m) { res.writeHead(404).end('{"message":"not found"}'); return; }
      if (Math.random() < 0.04) { res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"replica overloaded"}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sku: m[1], available: 5 + Math.floor(Math.random() * 60) }));
    }, inventoryLatencyMs());
  });
  return { url: `http://127.0.0.1:${await listen(server)}`, close: () => server.close() };
}

/** POST /queue/<name> with {MessageBody, MessageAttributes}; every message is emitted as 'message'. */
export async function startQueue() {
  const events = new EventEmitter();
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        const msg = JSON.parse(body);
        const messageId = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: messageId }));
        events.emit('message', { messageId, body: msg.MessageBody, attributes: msg.MessageAttributes ?? {} });
      } catch (e) {
        res.writeHead(400).end(JSON.stringify({ message: e.message }));
      }
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/queue/orders-app-orders`, events, close: () => server.close() };
}

/** moto's server (python3 -m moto.server), in the load generator's process group (stopping that stops it). */
export async function startDynamoDb() {
  const port = await freePort();
  const proc = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => { proc.kill('SIGTERM'); };
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => http.get(`${url}/moto-api/`, (r) => { r.resume(); resolve(true); }).on('error', () => resolve(false)));
    if (up) break;
    if (proc.exitCode !== null || i > 300) { stop(); throw new Error(`moto server did not start on ${url}`); }
    await sleep(100);
  }
  return { url, close: stop, pid: proc.pid };
}

/** What the deployment does: creates the table (DynamoDB's JSON API, as the SDKs call it). */
export async function createTable(url, name) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.CreateTable',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
    }),
  });
  if (!res.ok) throw new Error(`CreateTable ${name} on ${url}: HTTP ${res.status} ${await res.text()}`);
}
