#!/usr/bin/env node
// Load generator of the orders app: runs the real handlers locally, as Lambda would, and sends their
// traces to local receivers (`trace-insight serve`).
// - CreateOrderFunction (src/createOrder/app.ts, built by esbuild): Node under the OpenTelemetry SDK,
//   OTLP/HTTP protobuf to --otlp.
// - FulfilOrderFunction (src/fulfilOrder/app.py): Python under the AWS X-Ray SDK in Lambda mode, UDP to --xray.
// Orders arrive at --rate per second; each function has its execution environments (child processes)
// that are retired after a random number of invocations, so cold starts keep happening. Messages the
// Node function sends to the queue stand-in are delivered to the Python function with the trace
// context from their attributes (what Lambda's SQS event source does with AWSTraceHeader).
//
// Usage: node examples/orders-app/loadgen/index.mjs [--otlp http://127.0.0.1:4318] [--xray 127.0.0.1:2000]
//          [--rate 2] [--duration SECONDS] (default: until Ctrl-C)
import { fork, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createTable, startDynamoDb, startInventory, startQueue } from './standIns.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.dirname(here);
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(`--${name}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : def; };
const otlp = opt('otlp', 'http://127.0.0.1:4318').replace(/\/$/, '');
const xray = opt('xray', '127.0.0.1:2000');
const ratePerS = Number(opt('rate', '2'));
const durationS = Number(opt('duration', '0'));
const log = (...a) => console.log(`[loadgen ${new Date().toISOString().slice(11, 19)}]`, ...a);
const stats = { orders: 0, errors: 0, cold: 0, fulfilled: 0, fulfilErrors: 0, fulfilCold: 0 };
const children = new Set();
let stopping = false;

/** Invocations an environment serves before it is retired (Lambda recycles them for its own reasons). */
const lifetime = () => 10 + Math.floor(Math.random() * 30);

const baseEnv = {
  ...process.env, AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
  ORDERS_TABLE: 'orders-app-orders', NODE_OPTIONS: '',
};

class NodeEnvironment {
  constructor(env) {
    this.left = lifetime();
    this.pending = new Map();
    this.proc = fork(path.join(here, 'nodeRuntime.mjs'), [], {
      env: { ...baseEnv, ...env }, execArgv: ['--enable-source-maps'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(this.proc);
    this.ready = new Promise((resolve, reject) => {
      this.proc.once('exit', (code) => { children.delete(this.proc); reject(new Error(`environment exited with ${code}`)); for (const p of this.pending.values()) p({ ok: false, error: 'environment exited' }); });
      this.proc.on('message', (m) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'result') { this.pending.get(m.id)?.(m); this.pending.delete(m.id); }
      });
    });
    this.ready.catch(() => {});
  }
  async invoke(event) {
    this.left--;
    const id = crypto.randomUUID();
    const done = new Promise((resolve) => this.pending.set(id, resolve));
    this.proc.send({ type: 'invoke', id, requestId: id, event });
    return done;
  }
  retire() { if (this.proc.connected) this.proc.send({ type: 'shutdown' }); }
}

class PythonEnvironment {
  constructor(env) {
    this.left = lifetime();
    this.proc = spawn('python3', [path.join(here, 'lambdaRuntime.py')], { env: { ...baseEnv, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    children.add(this.proc);
    this.waiting = [];
    readline.createInterface({ input: this.proc.stdout }).on('line', (l) => { try { this.waiting.shift()?.(JSON.parse(l)); } catch { /* not a result line */ } });
    this.proc.once('exit', () => { children.delete(this.proc); for (const w of this.waiting.splice(0)) w({ ok: false, error: 'environment exited' }); });
  }
  invoke(msg) {
    this.left--;
    return new Promise((resolve) => { this.waiting.push(resolve); this.proc.stdin.write(`${JSON.stringify(msg)}\n`); });
  }
  retire() { this.proc.stdin.end(); }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Concurrent environments of the Node function (its reserved concurrency): a burst beyond waits. */
const MAX_ENVIRONMENTS = 3;

async function main() {
  const outdir = path.join(app, '.build/createOrder');
  await build({
    entryPoints: [path.join(app, 'src/createOrder/app.ts')], outdir, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    sourcemap: true, external: ['@opentelemetry/api'], logLevel: 'warning',
  });
  const [inventory, queue, dynamo] = await Promise.all([startInventory(), startQueue(), startDynamoDb()]);
  await createTable(dynamo.url, baseEnv.ORDERS_TABLE);
  log(`inventory ${inventory.url}, queue ${queue.url}, DynamoDB (moto) ${dynamo.url}; traces to ${otlp} (OTLP) and ${xray} (X-Ray UDP)`);
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    inventory.close(); queue.close(); dynamo.close();
    log(`stopped: ${stats.orders} orders (${stats.errors} failed, ${stats.cold} cold), ${stats.fulfilled} fulfilments (${stats.fulfilErrors} failed, ${stats.fulfilCold} cold)`);
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  if (durationS > 0) setTimeout(shutdown, durationS * 1000).unref();

  const nodeEnv = { FUNCTION_NAME: 'orders-app-create-order', HANDLER_MODULE: path.join(outdir, 'app.js'), HANDLER_EXPORT: 'handler', OTLP_ENDPOINT: otlp, INVENTORY_URL: inventory.url, ORDERS_QUEUE_URL: queue.url };
  const pyEnv = { FUNCTION_NAME: 'orders-app-fulfil-order', HANDLER: 'app.lambda_handler', LAMBDA_TASK_ROOT: path.join(app, 'src/fulfilOrder'), AWS_XRAY_DAEMON_ADDRESS: xray, DYNAMODB_ENDPOINT: dynamo.url, PYTHONUNBUFFERED: '1' };
  const idle = [];
  const waitingForEnv = [];
  let busy = 0;
  let environments = 0;
  async function acquire() {
    if (idle.length) return idle.pop();
    if (environments < MAX_ENVIRONMENTS) { environments++; return new NodeEnvironment(nodeEnv); }
    return new Promise((resolve) => waitingForEnv.push(resolve));
  }
  function release(env) {
    if (env.left <= 0 || stopping) { env.retire(); environments--; env = environments < MAX_ENVIRONMENTS && waitingForEnv.length ? (environments++, new NodeEnvironment(nodeEnv)) : undefined; }
    if (!env) return;
    const next = waitingForEnv.shift();
    if (next) next(env); else idle.push(env);
  }

  // the SQS event source: one message per invocation, in order, trace context from the attributes
  let python;
  const backlog = [];
  let draining = false;
  queue.events.on('message', (m) => { backlog.push(m); void drain(); });
  async function drain() {
    if (draining) return;
    draining = true;
    while (backlog.length && !stopping) {
      const m = backlog.shift();
      const tp = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(m.attributes.traceparent?.StringValue ?? '');
      // no context in the message: Lambda starts a new trace
      const traceId = tp ? tp[1] : Math.floor(Date.now() / 1000).toString(16) + crypto.randomBytes(12).toString('hex');
      python ??= new PythonEnvironment(pyEnv);
      const event = { Records: [{ messageId: m.messageId, eventSource: 'aws:sqs', body: m.body, messageAttributes: m.attributes }] };
      const r = await python.invoke({ id: m.messageId, event, traceId, parentId: tp ? tp[2] : null });
      stats.fulfilled++;
      if (!r.ok) stats.fulfilErrors++;
      if (r.cold) stats.fulfilCold++;
      if (python.left <= 0) { python.retire(); python = undefined; }
    }
    draining = false;
  }

  async function order(n) {
    const env = await acquire();
    busy++;
    try {
      await env.ready;
      const quantity = Math.random() < 0.06 ? 10 + Math.floor(Math.random() * 5) : 1 + Math.floor(Math.random() * 4);
      const body = { orderId: `ORD-${10000 + n}`, sku: `SKU-${4400 + Math.floor(Math.random() * 25)}`, quantity, express: Math.random() < 0.15 };
      const r = await env.invoke({ body: JSON.stringify(body), requestContext: { http: { method: 'POST', path: '/orders' } } });
      stats.orders++;
      if (!r.ok) stats.errors++;
      if (r.cold) stats.cold++;
    } catch (e) {
      log('environment failed:', e.message);
      env.left = 0;
    } finally {
      busy--;
      release(env);
    }
  }

  const report = setInterval(() => log(`${stats.orders} orders (${stats.errors} failed, ${stats.cold} cold), ${stats.fulfilled} fulfilments (${stats.fulfilErrors} failed, ${stats.fulfilCold} cold), ${busy} in flight`), 10_000);
  report.unref();
  for (let n = 0; !stopping; n++) {
    void order(n);
    // exponential gaps: bursts overlap and need a second environment (another cold start)
    await sleep(Math.min(4000, -Math.log(1 - Math.random()) * (1000 / ratePerS)));
  }
}

main().catch((e) => { console.error(`[loadgen] ${e.stack ?? e}`); for (const c of children) c.kill('SIGTERM'); process.exit(1); });
