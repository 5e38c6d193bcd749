import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { docOf, propagateAll, sourceFiles, useParsers } from './helpers/instrumentDocs';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');
const hasPython = () => spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

const SENDER = `import json

import boto3

events = boto3.client("events")
lambda_client = boto3.client("lambda")


def handler(event, context):
    detail = {"order": event["id"]}
    events.put_events(Entries=[{"Source": "orders", "DetailType": "placed", "Detail": json.dumps(detail)}])
    lambda_client.invoke(FunctionName="next", Payload=json.dumps(detail))
    lambda_client.invoke(FunctionName="audit", InvocationType="Event", Payload=json.dumps(detail))
    return detail
`;

const RECEIVER = `"""Order events."""
import json


def on_order(event, context):
    """Handles OrderPlaced."""
    order = event["detail"]["order"]
    print(json.dumps(order))
    return {"ok": True}


def next_step(event, context):
    return {"done": event.get("order")}
`;

describe('instrument: Python trace context through EventBridge and Lambda Invoke', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['python', 'javascript']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-py-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('hints at put_events and invoke; injects into Detail._tracing, ClientContext.custom, and the payload of an asynchronous invoke', () => {
    assert.deepEqual(propagationSites(docOf('send.py', SENDER)).map((s) => `${s.kind} ${s.target} ${s.line}${s.quiet ? ' quiet' : ''}`), ['extract lambda 9 quiet', 'inject eventbridge 11', 'inject lambda 12', 'inject lambda 13']);
    const { text, titles } = propagateAll('send.py', SENDER, false);
    assert.deepEqual(titles, ['Propagate trace context to EventBridge', 'Propagate trace context to Lambda Invoke', 'Propagate trace context to Lambda Invoke']);
    assert.equal(text, `import base64
import json

import boto3
from opentelemetry.propagate import inject

events = boto3.client("events")
lambda_client = boto3.client("lambda")


def handler(event, context):
    detail = {"order": event["id"]}
    trace_carrier = {}
    inject(trace_carrier)
    events.put_events(Entries=[{"Source": "orders", "DetailType": "placed", "Detail": json.dumps({**detail, "_tracing": trace_carrier})}])
    trace_carrier2 = {}
    inject(trace_carrier2)
    lambda_client.invoke(FunctionName="next", Payload=json.dumps(detail), ClientContext=base64.b64encode(json.dumps({"custom": trace_carrier2}).encode()).decode())
    trace_carrier3 = {}
    inject(trace_carrier3)
    lambda_client.invoke(FunctionName="audit", InvocationType="Event", Payload=json.dumps({**detail, "_tracing": trace_carrier3}))
    return detail
`);
    const plan = planPropagation(docOf('send.py', SENDER), propagationSites(docOf('send.py', SENDER))[3]);
    assert.match(plan.notes[0], /Lambda passes ClientContext to synchronous invocations only/);
  });

  it('continues the sender\'s trace in an EventBridge handler (hint) and, on request, in a handler invoked by another function (no hint)', () => {
    const sites = propagationSites(docOf('recv.py', RECEIVER));
    assert.deepEqual(sites.map((s) => `${s.kind} ${s.target} ${s.line}${s.quiet ? ' quiet' : ''}`), ['extract eventbridge 7', 'extract lambda 12 quiet']);
    const { text, titles } = propagateAll('recv.py', RECEIVER);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace from the event detail (_tracing)', 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)']);
    assert.equal(text, `"""Order events."""
import json
from opentelemetry import trace
from opentelemetry.propagate import extract

tracer = trace.get_tracer(__name__)


def on_order(event, context):
    """Handles OrderPlaced."""
    with tracer.start_as_current_span("process eventbridge event", context=extract(event.get("detail", {}).get("_tracing", {}))):
        order = event["detail"]["order"]
        print(json.dumps(order))
        return {"ok": True}


def next_step(event, context):
    with tracer.start_as_current_span("next_step", context=extract(getattr(context.client_context, "custom", None) or (event.get("_tracing") if isinstance(event, dict) else None) or {})):
        return {"done": event.get("order")}
`);
  });

  it('in a file without imports, the new imports are followed by a blank line before the tracer', () => {
    const { text } = propagateAll('on_order.py', 'def on_order(event, context):\n    return event["detail"]\n');
    assert.equal(text, 'from opentelemetry import trace\nfrom opentelemetry.propagate import extract\n\ntracer = trace.get_tracer(__name__)\n\n'
      + 'def on_order(event, context):\n    with tracer.start_as_current_span("process eventbridge event", context=extract(event.get("detail", {}).get("_tracing", {}))):\n        return event["detail"]\n');
  });

  it('no invoke hint on SQS or API Gateway handlers, nor on a send already given a carrier', () => {
    const text = 'def api(event, context):\n    return {"statusCode": 200, "body": event["body"]}\n\n\ndef sqs(event, context):\n    for r in event["Records"]:\n        print(r["body"])\n';
    assert.deepEqual(propagationSites(docOf('h.py', text)).map((s) => `${s.kind} ${s.target} ${s.line}`), ['extract sqs 6']);
    const injected = 'from opentelemetry.propagate import inject\n\n\ndef f(event, context):\n    c = {}\n    inject(c)\n    client.invoke(FunctionName="x", ClientContext=c)\n';
    assert.deepEqual(propagationSites(docOf('i.py', injected)).filter((s) => !s.quiet), []);
  });

  it('JavaScript: an asynchronous InvokeCommand carries the context in its payload too', () => {
    const text = "export const handler = async (event) => {\n  await lambda.send(new InvokeCommand({ FunctionName: 'audit', InvocationType: 'Event', Payload: JSON.stringify(event) }));\n};\n";
    const { text: out } = propagateAll('h.mjs', text);
    assert.match(out, /InvocationType: 'Event', Payload: JSON\.stringify\(\{ \.\.\.event, _tracing: traceCarrier \}\) \}\)\);/);
    assert.doesNotMatch(out, /ClientContext/);
  });

  it('round trip: what the senders put on the wire is what the receivers extract (py_compile; Lambda and EventBridge delivery simulated)', function () {
    if (!hasPython()) this.skip();
    const send = propagateAll('send.py', SENDER, false).text, recv = propagateAll('recv.py', RECEIVER).text;
    const dir = path.join(tmp, 'rt');
    fs.mkdirSync(path.join(dir, 'opentelemetry'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'send.py'), send);
    fs.writeFileSync(path.join(dir, 'recv.py'), recv);
    execFileSync('python3', ['-m', 'py_compile', path.join(dir, 'send.py'), path.join(dir, 'recv.py')], { stdio: 'pipe' });
    // The opentelemetry package is not installed here: a recording stand-in with the same call shapes
    // (inject fills a W3C traceparent, extract returns what it was given). It checks the wiring, not OTel.
    fs.writeFileSync(path.join(dir, 'opentelemetry', '__init__.py'), '');
    fs.writeFileSync(path.join(dir, 'opentelemetry', 'propagate.py'), 'def inject(carrier):\n    carrier["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"\n\n\ndef extract(carrier):\n    return dict(carrier)\n');
    fs.writeFileSync(path.join(dir, 'opentelemetry', 'trace.py'), 'import contextlib\nSEEN = []\n\n\nclass _T:\n    @contextlib.contextmanager\n    def start_as_current_span(self, name, context=None):\n        SEEN.append((name, context))\n        yield\n\n\ndef get_tracer(name):\n    return _T()\n');
    fs.writeFileSync(path.join(dir, 'boto3.py'), 'CALLS = []\n\n\nclass _C:\n    def __getattr__(self, op):\n        return lambda **kw: CALLS.append((op, kw))\n\n\ndef client(name):\n    return _C()\n');
    fs.writeFileSync(path.join(dir, 'run.py'), `import base64, json, types
import boto3, send, recv
from opentelemetry import trace
send.handler({"id": 7}, None)
(_, eb), (_, sync), (_, asyn) = boto3.CALLS
# EventBridge delivers Detail parsed; Lambda decodes ClientContext into context.client_context (synchronous calls only).
recv.on_order({"detail": json.loads(eb["Entries"][0]["Detail"])}, None)
custom = json.loads(base64.b64decode(sync["ClientContext"]))["custom"]
recv.next_step(json.loads(sync["Payload"]), types.SimpleNamespace(client_context=types.SimpleNamespace(custom=custom)))
recv.next_step(json.loads(asyn["Payload"]), types.SimpleNamespace(client_context=None))
recv.next_step({"order": 1}, types.SimpleNamespace(client_context=None))
print(json.dumps(trace.SEEN))
`);
    const seen = JSON.parse(execFileSync('python3', ['run.py'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!) as [string, Record<string, string>][];
    const tp = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    assert.deepEqual(seen, [['process eventbridge event', tp], ['next_step', tp], ['next_step', tp], ['next_step', {}]]);
  });

  it('every Python file of corpus/iac: each propagation action applies, parses, compiles and is not offered again; none is a hint (no EventBridge or Invoke there)', function () {
    const kinds: Record<string, number> = {};
    const failures: string[] = [];
    const outs: string[] = [];
    for (const file of sourceFiles(iac, /\.py$/)) {
      const doc = docOf(path.basename(file), fs.readFileSync(file, 'utf8'));
      if (doc.root.hasError) continue;
      for (const site of propagationSites(doc)) {
        const key = `${site.kind} ${site.target}${site.quiet ? ' (action only)' : ''}`;
        kinds[key] = (kinds[key] ?? 0) + 1;
        const out = applyEdits(doc.text, planPropagation(doc, site).edits);
        const doc2 = docOf(doc.fileName, out);
        if (doc2.root.hasError) failures.push(`${path.relative(iac, file)}:${site.line}: does not parse`);
        if (propagationSites(doc2).length !== propagationSites(doc).length - 1) failures.push(`${path.relative(iac, file)}:${site.line}: still offered`);
        outs.push(out);
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(kinds, { 'extract lambda (action only)': 25 });
    if (!hasPython()) this.skip();
    const files = outs.map((o, i) => { const f = path.join(tmp, 'corpus', `p${i}.py`); fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, o); return f; });
    execFileSync('python3', ['-c', 'import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, doraise=True)', ...files], { stdio: 'pipe' });
  });
});
