// `trace-insight instrument --propagate`: every send injects and every receive extracts, in place or
// as a diff; a second run changes nothing; the result still runs through the language's own checker.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as runInstrumentCli } from '../../src/cli/commands/instrument';

const L = (...lines: string[]) => lines.join('\n') + '\n';

const JS_SENDER = L(
  "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');",
  'const sqs = new SQSClient({});',
  '',
  'exports.handler = async (event) => {',
  '  for (const record of event.Records) {',
  '    const order = JSON.parse(record.body);',
  '    await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(order) }));',
  '  }',
  '};',
);

const PY_EVENTS = L(
  'import json',
  'import boto3',
  '',
  'events = boto3.client("events")',
  '',
  '',
  'def lambda_handler(event, context):',
  '    detail = event["detail"]',
  '    events.put_events(Entries=[{"Source": "orders", "DetailType": "shipped", "Detail": json.dumps(detail)}])',
  '    return {"ok": True}',
);

const PY_INVOKED = L(
  'def lambda_handler(event, context):',
  '    return {"total": event["a"] + event["b"]}',
);

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { out: (t: string) => { out += t; }, err: (t: string) => { out += t; } };
  const code = await runInstrumentCli(args, io);
  return { code, out };
}

describe('trace-insight instrument --propagate', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-cli-'));
    fs.mkdirSync(path.join(dir, '.git'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('JavaScript: --dry-run prints the diff and writes nothing; then the SQS record loop extracts and the send injects; a second run does nothing', async () => {
    const file = path.join(dir, 'forward.js');
    fs.writeFileSync(file, JS_SENDER);
    const dry = await cli([file, '--propagate', '--dry-run']);
    assert.equal(dry.code, 0, dry.out);
    assert.equal(fs.readFileSync(file, 'utf8'), JS_SENDER);
    assert.match(dry.out, /^--- a\/.*forward\.js\n\+\+\+ b\/.*forward\.js\n@@ /);
    assert.match(dry.out, /\n\+.*propagation\.inject\(otelContext\.active\(\), traceCarrier\)/);
    assert.match(dry.out, /Would propagate trace context in .*forward\.js:\n {2}Propagate trace context to SQS\n {2}Propagate trace context: continue the sender's trace for each SQS record\n/);

    const wet = await cli([file, '--propagate']);
    assert.equal(wet.code, 0, wet.out);
    const once = fs.readFileSync(file, 'utf8');
    // One import line for both fixes, in CommonJS form (a require destructuring cannot hold `as`).
    assert.equal(once.match(/require\('@opentelemetry\/api'\)/g)?.length, 1, once);
    assert.match(once, /context: otelContext/);
    assert.match(once, /propagation\.extract\(otelContext\.active\(\), record\.messageAttributes/);
    assert.match(once, /MessageAttributes: /);
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);

    const again = await cli([file, '--propagate']);
    assert.equal(again.code, 0);
    assert.match(again.out, /nothing to do/);
    assert.equal(fs.readFileSync(file, 'utf8'), once);
  });

  it('Python: the EventBridge handler continues the sender\'s trace and its put_events injects; the result compiles', async () => {
    const file = path.join(dir, 'app.py');
    fs.writeFileSync(file, PY_EVENTS);
    const r = await cli([file, '--propagate']);
    assert.equal(r.code, 0, r.out);
    const once = fs.readFileSync(file, 'utf8');
    assert.match(once, /^from opentelemetry\.propagate import .*extract/m);
    assert.match(once, /"_tracing": trace_carrier/);
    assert.match(once, /extract\(.*_tracing/);
    const compiled = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
    assert.equal(compiled.status, 0, compiled.stderr);
    const again = await cli([file, '--propagate']);
    assert.match(again.out, /nothing to do/);
    assert.equal(fs.readFileSync(file, 'utf8'), once);
  });

  it('a handler only another function may invoke is changed only when named with --handler', async () => {
    const file = path.join(dir, 'sum.py');
    fs.writeFileSync(file, PY_INVOKED);
    const r = await cli([file, '--propagate']);
    assert.equal(r.code, 0);
    assert.match(r.out, /nothing to do \(a handler that another function invokes can continue its trace: --handler NAME, line 1\)/);
    assert.equal(fs.readFileSync(file, 'utf8'), PY_INVOKED);
    const named = await cli([file, '--propagate', '--handler', 'lambda_handler']);
    assert.equal(named.code, 0, named.out);
    const once = fs.readFileSync(file, 'utf8');
    assert.notEqual(once, PY_INVOKED);
    assert.match(once, /client_context/);
    assert.equal(spawnSync('python3', ['-m', 'py_compile', file]).status, 0);
  });
});
