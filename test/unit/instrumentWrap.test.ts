import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { type InstrumentStyle, type SourceDoc, STYLES } from '../../src/core/instrument/types';
import { planWrap, wrapCandidates } from '../../src/core/instrument/wrap';
import { newDiagnostics, type TscPair } from './instrumentTsc';
import { docOf, sourceFiles, useParsers } from './helpers/instrumentDocs';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');
describe('instrument: wrap in a span, propagate trace context', function () {
  this.timeout(120_000);
  let tmp: string;
  const failures: string[] = [];
  const py: string[] = [];
  let wrapped = 0;
  let tsc: { worse: string[]; control: string[] };
  const sqsDir = path.join(iac, 'serverless/serverless-examples/aws-node-typescript-sqs-standard/sqs');
  let sender: SourceDoc, receiver: SourceDoc, senderOut: string, receiverOut: string;

  before(async () => {
    await useParsers(['javascript', 'typescript', 'python']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-instrument-wrap-'));
    const pairs: TscPair[] = [];
    for (const file of sourceFiles(iac, /\.(js|mjs|ts|py)$/).filter((f) => !f.endsWith('.d.ts'))) {
      const doc = docOf(file);
      if (doc.root.hasError) continue;
      for (const c of wrapCandidates(doc)) {
        for (const style of STYLES) {
          const where = `${style} ${path.relative(iac, file)}:${c.statement.startPosition.row + 1}`;
          const out = applyEdits(doc.text, planWrap(doc, c.statement.startIndex, c.statement.endIndex, style as InstrumentStyle).edits);
          const doc2 = docOf(file, out);
          if (doc2.root.hasError) failures.push(`${where}: does not parse`);
          const line = c.statement.startPosition.row + (out.split('\n').length - doc.text.split('\n').length);
          if (wrapCandidates(doc2).some((x) => x.statement.text.startsWith(c.statement.text.slice(0, 20)) && Math.abs(x.statement.startPosition.row - line) < 40)) failures.push(`${where}: still offered`);
          if (doc.lang === 'python') { const f = path.join(tmp, 'py', `w${py.length}.py`); fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, out); py.push(f); }
          else pairs.push({ label: where, fileName: path.basename(file), original: doc.text, text: out });
          wrapped++;
        }
      }
    }
    sender = docOf(path.join(sqsDir, 'sender.ts'));
    senderOut = applyEdits(sender.text, planPropagation(sender, propagationSites(sender)[0]).edits);
    receiver = docOf(path.join(sqsDir, 'receiver.ts'));
    receiverOut = applyEdits(receiver.text, planPropagation(receiver, propagationSites(receiver)[0]).edits);
    pairs.push({ label: 'propagate sender', fileName: 'sender.ts', original: sender.text, text: senderOut }, { label: 'propagate receiver', fileName: 'receiver.ts', original: receiver.text, text: receiverOut });
    // One TypeScript program for all results; the control must fail to prove the real OTel types were used.
    tsc = newDiagnostics(path.join(tmp, 'ts'), pairs, { fileName: 'control.ts', text: "import { trace } from '@opentelemetry/api';\ntrace.getTracer('x').startActiveSpan(1, (s) => s.end());\n" });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('wraps every AWS SDK/HTTP/DB call line of the corpus in every style: parses, compiles (tsc, py_compile), not offered again', () => {
    assert.deepEqual(failures, []);
    assert.equal(wrapped, 84, 'call lines wrapped (28 lines x 3 styles)');
    if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0) execFileSync('python3', ['-c', 'import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, doraise=True)', ...py], { stdio: 'pipe' });
    assert.deepEqual(tsc.worse, []);
    assert.equal(tsc.control.length, 1);
  });

  it('turns `const x = await call()` into a span around the call whose value is kept', () => {
    const doc = docOf(path.join(iac, 'cdk/aws-cdk-examples/typescript-api-cors-lambda-crud-dynamodb/lambdas/get-one.ts'));
    const [c] = wrapCandidates(doc);
    assert.equal(c.spanName, 'db.get');
    const out = applyEdits(doc.text, planWrap(doc, c.statement.startIndex, c.statement.endIndex, 'otel').edits);
    assert.match(out, /\n {4}const response = await tracer\.startActiveSpan\('db\.get', async \(span\) => \{\n {6}try \{\n {8}return await db\.get\(params\);\n/);
    assert.match(out, /^const tracer = trace\.getTracer\('get-one'\);$/m);
  });

  it('wraps C# statements in a using block around an activity (CRLF kept), and Java/C# offer OpenTelemetry only', async () => {
    await useParsers(['csharp']);
    const text = ['using Amazon.Lambda.Core;', '', 'namespace Orders;', '', 'public class Function', '{', '    public async Task<string> FunctionHandler(string input, ILambdaContext context)',
      '    {', '        await Client.SendAsync(input);', '        return input;', '    }', '}', ''].join('\r\n');
    const doc = docOf('Function.cs', text);
    const at = text.indexOf('await Client');
    const out = applyEdits(text, planWrap(doc, at, at + 10, 'otel').edits);
    assert.deepEqual(out.split('\r\n').slice(0, 26), ['using Amazon.Lambda.Core;', 'using System.Diagnostics;', '', 'namespace Orders;', '', 'public class Function', '{',
      '    private static readonly ActivitySource Telemetry = new ActivitySource("Function");', '',
      '    public async Task<string> FunctionHandler(string input, ILambdaContext context)', '    {',
      '        using (var activity = Telemetry.StartActivity("Client.SendAsync"))', '        {', '            try', '            {', '                await Client.SendAsync(input);', '            }',
      '            catch (System.Exception ex)', '            {', '                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);', '                throw;', '            }', '        }',
      '        return input;', '    }', '}']);
    assert.equal(docOf('Function.cs', out).root.hasError, false);
    assert.throws(() => planWrap(doc, at, at + 10, 'xray'), /wrapping statements in C# uses OpenTelemetry/);
  });

  it('Python: extracts the context per SQS record (a with block continuing the sender\'s trace) and injects it into send_message', () => {
    const text = 'import json\n\n\ndef handler(event, context):\n    for record in event["Records"]:\n        order = json.loads(record["body"])\n        sqs.send_message(QueueUrl=URL, MessageBody=json.dumps(order))\n';
    let doc = docOf('app.py', text);
    assert.deepEqual(propagationSites(doc).map((p) => `${p.kind} ${p.target} ${p.line}`), ['extract sqs 5', 'inject sqs 7']);
    doc = docOf('app.py', applyEdits(text, planPropagation(doc, propagationSites(doc)[0]).edits));
    doc = docOf('app.py', applyEdits(doc.text, planPropagation(doc, propagationSites(doc)[0]).edits));
    assert.equal(doc.text, [
      'import json', 'from opentelemetry import trace', 'from opentelemetry.propagate import extract', 'from opentelemetry.propagate import inject', '', 'tracer = trace.get_tracer(__name__)', '', '',
      'def handler(event, context):', '    for record in event["Records"]:',
      '        with tracer.start_as_current_span("process sqs record", context=extract({k: v.get("stringValue") for k, v in record.get("messageAttributes", {}).items()})):',
      '            order = json.loads(record["body"])', '            trace_carrier = {}', '            inject(trace_carrier)',
      '            sqs.send_message(QueueUrl=URL, MessageBody=json.dumps(order), MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in trace_carrier.items()})', ''].join('\n'));
    assert.deepEqual(propagationSites(doc), []);
    if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0) {
      const f = path.join(tmp, 'prop.py');
      fs.writeFileSync(f, doc.text);
      execFileSync('python3', ['-m', 'py_compile', f], { stdio: 'pipe' });
    }
  });

  it('refuses a selection that declares a name used after it, and says which', () => {
    const text = "export const handler = async (event) => {\n  const a = 1;\n  const b = await fetch('x');\n  return a + b;\n};\n";
    const doc = docOf('h.mjs', text);
    assert.throws(() => planWrap(doc, text.indexOf('const a'), text.indexOf('return'), 'otel'), /declares a, which is used after it \(line 4\)/);
    assert.throws(() => planWrap(doc, 0, text.length, 'otel'), /select whole statements inside one function body/);
  });

  it('injects the context into the SQS message attributes of sender.ts, and extracts it per record in receiver.ts (both type-check)', () => {
    const [send] = propagationSites(sender);
    assert.deepEqual([send.kind, send.target, send.line], ['inject', 'sqs', 26]);
    const lines = senderOut.split('\n');
    const carrier = lines.findIndex((l) => l === '    const traceCarrier: Record<string, string> = {};');
    assert.ok(carrier > 0 && lines[carrier + 1] === '    propagation.inject(otelContext.active(), traceCarrier);');
    assert.ok(lines.includes("        ...Object.fromEntries(Object.entries(traceCarrier).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),"));
    assert.deepEqual(propagationSites(docOf(path.join(sqsDir, 'sender.ts'), senderOut)), []);
    const [rec] = propagationSites(receiver);
    assert.deepEqual([rec.kind, rec.target], ['extract', 'sqs']);
    assert.match(receiverOut, /tracer\.startActiveSpan\('process sqs record', \{\}, propagation\.extract\(otelContext\.active\(\), record\.messageAttributes, \{ keys: \(c\) => Object\.keys\(c\), get: \(c, k\) => c\[k\]\?\.stringValue \}\), \(span\) => \{/);
    assert.deepEqual(propagationSites(docOf(path.join(sqsDir, 'receiver.ts'), receiverOut)), []);
    assert.deepEqual(tsc.worse.filter((w) => w.startsWith('propagate')), []);
  });

  it('does not offer extraction on DynamoDB stream records; injects into SNS Publish, Lambda Invoke and EventBridge detail', () => {
    const ddb = docOf(path.join(iac, 'cdk/aws-cdk-examples/typescript-ddb-stream-lambda-sns/resources/lambda/index.mjs'));
    assert.deepEqual(propagationSites(ddb).map((s) => `${s.kind} ${s.target} ${s.line}`), ['inject sns 33']);
    const sns = applyEdits(ddb.text, planPropagation(ddb, propagationSites(ddb)[0]).edits).split('\n');
    const at = sns.indexOf('                    const traceCarrier = {};');
    assert.ok(at > 0 && at < sns.findIndex((l) => l.includes('const params = {')), 'the carrier must be declared before the params object that uses it');
    const text = [
      "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
      "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';",
      'const lambda = new LambdaClient({});',
      'const events = new EventBridgeClient({});',
      'export const handler = async (event) => {',
      "  await lambda.send(new InvokeCommand({ FunctionName: 'next', Payload: JSON.stringify(event) }));",
      "  await events.send(new PutEventsCommand({ Entries: [{ Source: 'orders', DetailType: 'placed', Detail: JSON.stringify(event) }] }));",
      '};', ''].join('\n');
    let doc = docOf('h.mjs', text);
    const titles: string[] = [];
    for (let i = 0; i < 2; i++) {
      const [site] = propagationSites(doc);
      const plan = planPropagation(doc, site);
      titles.push(plan.title);
      doc = docOf('h.mjs', applyEdits(doc.text, plan.edits));
    }
    assert.deepEqual(titles, ['Propagate trace context to Lambda Invoke', 'Propagate trace context to EventBridge']);
    assert.match(doc.text, /Payload: JSON\.stringify\(event\), ClientContext: Buffer\.from\(JSON\.stringify\(\{ custom: traceCarrier \}\)\)\.toString\('base64'\) \}/);
    assert.match(doc.text, /Detail: JSON\.stringify\(\{ \.\.\.event, _tracing: traceCarrier2 \}\)/);
    assert.equal(doc.root.hasError, false);
  });
});
