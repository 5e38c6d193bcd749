import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as runInstrumentCli } from '../../src/cli/commands/instrument';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { docOf, propagateAll, siteLines, sourceFiles, useParsers } from './helpers/instrumentDocs';

// No C# compiler on this machine: results are checked by exact text and a tree-sitter parse without errors.
const iac = path.resolve(__dirname, '../../../shared/corpus/iac');
// Quiet sites (directly invoked handlers) are tested in instrumentPropagateCsharpInvoke.test.ts.

const SENDER = String.raw`using System.Text.Json;
using System.Threading.Tasks;
using Amazon.EventBridge;
using Amazon.EventBridge.Model;
using Amazon.Lambda;
using Amazon.Lambda.Core;
using Amazon.Lambda.Model;
using Amazon.SimpleNotificationService;
using Amazon.SimpleNotificationService.Model;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Orders;

public class Sender
{
    private readonly IAmazonSQS _sqs = new AmazonSQSClient();
    private readonly IAmazonSimpleNotificationService _sns = new AmazonSimpleNotificationServiceClient();
    private readonly IAmazonEventBridge _events = new AmazonEventBridgeClient();
    private readonly IAmazonLambda _lambda = new AmazonLambdaClient();

    public async Task<string> FunctionHandler(string orderId, ILambdaContext context)
    {
        await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/orders", MessageBody = orderId });
        var publish = new PublishRequest
        {
            TopicArn = "arn:aws:sns:us-east-1:123456789012:orders",
            Message = orderId,
        };
        await _sns.PublishAsync(publish);
        var detail = JsonSerializer.Serialize(new { order = orderId });
        await _events.PutEventsAsync(new PutEventsRequest
        {
            Entries = new List<PutEventsRequestEntry>
            {
                new PutEventsRequestEntry { Source = "orders", DetailType = "placed", Detail = detail }
            }
        });
        await _lambda.InvokeAsync(new InvokeRequest { FunctionName = "next", Payload = detail });
        await _lambda.InvokeAsync(new InvokeRequest { FunctionName = "audit", InvocationType = InvocationType.Event, Payload = detail });
        return orderId;
    }
}
`;

const SENDER_PROPAGATED = String.raw`using System.Text.Json;
using System.Threading.Tasks;
using Amazon.EventBridge;
using Amazon.EventBridge.Model;
using Amazon.Lambda;
using Amazon.Lambda.Core;
using Amazon.Lambda.Model;
using Amazon.SimpleNotificationService;
using Amazon.SimpleNotificationService.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System;
using System.Text;

namespace Orders;

public class Sender
{
    private readonly IAmazonSQS _sqs = new AmazonSQSClient();
    private readonly IAmazonSimpleNotificationService _sns = new AmazonSimpleNotificationServiceClient();
    private readonly IAmazonEventBridge _events = new AmazonEventBridgeClient();
    private readonly IAmazonLambda _lambda = new AmazonLambdaClient();

    public async Task<string> FunctionHandler(string orderId, ILambdaContext context)
    {
        var traceCarrier = new Dictionary<string, Amazon.SQS.Model.MessageAttributeValue>();
        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current), traceCarrier, (c, k, v) => c[k] = new Amazon.SQS.Model.MessageAttributeValue { DataType = "String", StringValue = v });
        await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/orders", MessageBody = orderId, MessageAttributes = traceCarrier });
        var traceCarrier2 = new Dictionary<string, Amazon.SimpleNotificationService.Model.MessageAttributeValue>();
        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current), traceCarrier2, (c2, k2, v2) => c2[k2] = new Amazon.SimpleNotificationService.Model.MessageAttributeValue { DataType = "String", StringValue = v2 });
        var publish = new PublishRequest
        {
            TopicArn = "arn:aws:sns:us-east-1:123456789012:orders",
            Message = orderId,
            MessageAttributes = traceCarrier2,
        };
        await _sns.PublishAsync(publish);
        var detail = JsonSerializer.Serialize(new { order = orderId });
        var traceCarrier3 = new Dictionary<string, string>();
        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current), traceCarrier3, (c3, k3, v3) => c3[k3] = v3);
        await _events.PutEventsAsync(new PutEventsRequest
        {
            Entries = new List<PutEventsRequestEntry>
            {
                new PutEventsRequestEntry { Source = "orders", DetailType = "placed", Detail = WithTraceContext(detail, "_tracing", traceCarrier3) }
            }
        });
        var traceCarrier4 = new Dictionary<string, string>();
        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current), traceCarrier4, (c4, k4, v4) => c4[k4] = v4);
        await _lambda.InvokeAsync(new InvokeRequest { FunctionName = "next", Payload = detail, ClientContextBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(WithTraceContext("{}", "custom", traceCarrier4))) });
        var traceCarrier5 = new Dictionary<string, string>();
        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current), traceCarrier5, (c5, k5, v5) => c5[k5] = v5);
        await _lambda.InvokeAsync(new InvokeRequest { FunctionName = "audit", InvocationType = InvocationType.Event, Payload = WithTraceContext(detail, "_tracing", traceCarrier5) });
        return orderId;
    }

    /// <summary>The JSON object <paramref name="json"/> with the W3C trace context in <paramref name="carrier"/> added as its field <paramref name="key"/>.</summary>
    private static string WithTraceContext(string json, string key, IDictionary<string, string> carrier)
    {
        var node = JsonNode.Parse(json)?.AsObject() ?? new JsonObject();
        var fields = new JsonObject();
        foreach (var entry in carrier) fields[entry.Key] = entry.Value;
        node[key] = fields;
        return node.ToJsonString();
    }
}
`;

const RECEIVER = String.raw`using System.Threading.Tasks;
using Amazon.Lambda.Core;
using Amazon.Lambda.SNSEvents;
using Amazon.Lambda.SQSEvents;

namespace Orders
{
    public class Receiver
    {
        public async Task FunctionHandler(SQSEvent sqsEvent, ILambdaContext context)
        {
            foreach (var message in sqsEvent.Records)
            {
                context.Logger.LogInformation($"Processed message {message.Body}");
            }
            await Task.CompletedTask;
        }

        public void OnTopic(SNSEvent snsEvent, ILambdaContext context)
        {
            foreach (var record in snsEvent.Records) {
                context.Logger.LogInformation(record.Sns.Message);
            }
        }
    }
}
`;

const RECEIVER_PROPAGATED = String.raw`using System.Threading.Tasks;
using Amazon.Lambda.Core;
using Amazon.Lambda.SNSEvents;
using Amazon.Lambda.SQSEvents;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using System;

namespace Orders
{
    public class Receiver
    {
        private static readonly ActivitySource Telemetry = new ActivitySource("Orders.Receiver");

        public async Task FunctionHandler(SQSEvent sqsEvent, ILambdaContext context)
        {
            foreach (var message in sqsEvent.Records)
            {
                var parent = Propagators.DefaultTextMapPropagator.Extract(default, message.MessageAttributes, (attributes, key) => attributes != null && attributes.TryGetValue(key, out var attribute) && attribute.StringValue != null ? new[] { attribute.StringValue } : Array.Empty<string>());
                using var activity = Telemetry.StartActivity("process sqs record", ActivityKind.Consumer, parent.ActivityContext);
                context.Logger.LogInformation($"Processed message {message.Body}");
            }
            await Task.CompletedTask;
        }

        public void OnTopic(SNSEvent snsEvent, ILambdaContext context)
        {
            foreach (var record in snsEvent.Records) {
                var parent = Propagators.DefaultTextMapPropagator.Extract(default, record.Sns.MessageAttributes, (attributes, key) => attributes != null && attributes.TryGetValue(key, out var attribute) && attribute.Value != null ? new[] { attribute.Value } : Array.Empty<string>());
                using var activity = Telemetry.StartActivity("process sns record", ActivityKind.Consumer, parent.ActivityContext);
                context.Logger.LogInformation(record.Sns.Message);
            }
        }
    }
}
`;

describe('instrument: C# trace context (AWSSDK sends, SQSEvent/SNSEvent receives)', function () {
  this.timeout(60_000);
  before(async () => { await useParsers(['csharp']); });

  it('injects into every send: SQS and SNS message attributes (inline and a request variable), EventBridge Detail._tracing, Invoke ClientContext.custom and an asynchronous Invoke\'s payload', () => {
    assert.deepEqual(siteLines('Sender.cs', SENDER, false), ['inject sqs 24', 'inject sns 30', 'inject eventbridge 32', 'inject lambda 39', 'inject lambda 40']);
    const { text, titles } = propagateAll('Sender.cs', SENDER, false);
    assert.deepEqual(titles, ['Propagate trace context to SQS', 'Propagate trace context to SNS', 'Propagate trace context to EventBridge', 'Propagate trace context to Lambda Invoke', 'Propagate trace context to Lambda Invoke']);
    assert.equal(text, SENDER_PROPAGATED);
    assert.deepEqual(siteLines('Sender.cs', text, false), [], 'applying twice changes nothing');
  });

  it('keeps CRLF line endings', () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    assert.equal(propagateAll('Sender.cs', crlf(SENDER), false).text, crlf(SENDER_PROPAGATED));
    assert.equal(propagateAll('Receiver.cs', crlf(RECEIVER)).text, crlf(RECEIVER_PROPAGATED));
  });

  it('continues the sender\'s trace for each SQS and SNS record (a consumer activity whose parent comes from the message attributes), in either brace style, once', () => {
    assert.deepEqual(siteLines('Receiver.cs', RECEIVER, false), ['extract sqs 12', 'extract sns 21']);
    const { text, titles } = propagateAll('Receiver.cs', RECEIVER);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace for each SQS record', 'Propagate trace context: continue the sender\'s trace for each SNS record']);
    assert.equal(text, RECEIVER_PROPAGATED);
  });

  it('a request built with its constructor gets an initializer; one model namespace imported gives the simple type name', () => {
    const src = 'using Amazon.SQS;\nusing Amazon.SQS.Model;\n\nclass A\n{\n    async Task F(IAmazonSQS sqs, string url)\n    {\n        await sqs.SendMessageAsync(new SendMessageRequest(url, "hi"));\n    }\n}\n';
    assert.equal(propagateAll('A.cs', src).text, 'using Amazon.SQS;\nusing Amazon.SQS.Model;\nusing System.Diagnostics;\nusing OpenTelemetry;\nusing OpenTelemetry.Context.Propagation;\nusing System.Collections.Generic;\n\nclass A\n{\n    async Task F(IAmazonSQS sqs, string url)\n    {\n'
      + '        var traceCarrier = new Dictionary<string, MessageAttributeValue>();\n'
      + '        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current), traceCarrier, (c, k, v) => c[k] = new MessageAttributeValue { DataType = "String", StringValue = v });\n'
      + '        await sqs.SendMessageAsync(new SendMessageRequest(url, "hi") { MessageAttributes = traceCarrier });\n    }\n}\n');
  });

  it('usings inside a namespace block are indented like the ones there; the loop variable\'s own type says SQS', () => {
    const src = 'namespace Orders\n{\n    using Amazon.Lambda.SQSEvents;\n\n    public class F\n    {\n        public void H(SQSEvent e)\n        {\n            foreach (SQSEvent.SQSMessage m in e.Records)\n            {\n                G(m);\n            }\n        }\n    }\n}\n';
    assert.equal(propagateAll('F.cs', src).text, 'namespace Orders\n{\n    using Amazon.Lambda.SQSEvents;\n    using System.Diagnostics;\n    using OpenTelemetry;\n    using OpenTelemetry.Context.Propagation;\n    using System;\n\n'
      + '    public class F\n    {\n        private static readonly ActivitySource Telemetry = new ActivitySource("Orders.F");\n\n        public void H(SQSEvent e)\n        {\n            foreach (SQSEvent.SQSMessage m in e.Records)\n            {\n'
      + '                var parent = Propagators.DefaultTextMapPropagator.Extract(default, m.MessageAttributes, (attributes, key) => attributes != null && attributes.TryGetValue(key, out var attribute) && attribute.StringValue != null ? new[] { attribute.StringValue } : Array.Empty<string>());\n'
      + '                using var activity = Telemetry.StartActivity("process sqs record", ActivityKind.Consumer, parent.ActivityContext);\n                G(m);\n            }\n        }\n    }\n}\n');
  });

  it('offers nothing where the context already travels, on stream records, or where the request cannot carry it', () => {
    const wrap = (body: string, params = 'SQSEvent sqsEvent') => `using Amazon.Lambda.SQSEvents;\n\nclass A\n{\n    async Task F(${params})\n    {\n${body}    }\n}\n`;
    const injected = '        var c = new Dictionary<string, string>();\n        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(Activity.Current?.Context ?? default, Baggage.Current), c, (d, k, v) => d[k] = v);\n'
      + '        await lambda.InvokeAsync(new InvokeRequest { FunctionName = "x", Payload = Encode(c) });\n';
    assert.deepEqual(siteLines('A.cs', wrap(injected), false), []);
    const loop = '        foreach (var m in sqsEvent.Records)\n        {\n            G(m);\n        }\n';
    assert.deepEqual(siteLines('A.cs', wrap(loop), false), ['extract sqs 7']);
    assert.deepEqual(siteLines('A.cs', wrap(`        var p = Propagators.DefaultTextMapPropagator.Extract(default, sqsEvent.Records[0].MessageAttributes, Get);\n${loop}`), false), []);
    assert.deepEqual(siteLines('A.cs', wrap(loop.replace('sqsEvent', 'streamEvent'), 'DynamoDBEvent streamEvent'), false), []);
    assert.deepEqual(siteLines('A.cs', wrap('        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = u, MessageBody = b, MessageAttributes = attrs });\n        await sqs.SendMessageAsync(u, b);\n'), false), []);
    // In an expression lambda there is no statement to put the carrier before; in a block lambda there is.
    const lambdas = '        ids.ForEach(id => sqs.SendMessageAsync(new SendMessageRequest { MessageBody = id }));\n        ids.ForEach(id =>\n        {\n            sqs.SendMessageAsync(new SendMessageRequest { MessageBody = id });\n        });\n';
    assert.deepEqual(siteLines('A.cs', wrap(lambdas), false), ['inject sqs 10']);
  });

  it('trace-insight instrument --propagate edits a C# file in place (CRLF kept), then has nothing to do', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-cs-'));
    try {
      const file = path.join(dir, 'Sender.cs');
      fs.writeFileSync(file, SENDER.replace(/\n/g, '\r\n'));
      let out = '';
      const io = { out: (t: string) => { out += t; }, err: (t: string) => { out += t; } };
      assert.equal(await runInstrumentCli([file, '--propagate'], io), 0);
      assert.equal(fs.readFileSync(file, 'utf8'), SENDER_PROPAGATED.replace(/\n/g, '\r\n'));
      assert.match(out, /Propagated trace context in .*Sender\.cs:\n {2}Propagate trace context to SQS\n/);
      out = '';
      assert.equal(await runInstrumentCli([file, '--propagate'], io), 0);
      assert.match(out, /nothing to do/);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('every C# file of corpus/iac parses and none is offered a propagation fix (no sends or record loops there); each offered fix would apply and parse', () => {
    const files = sourceFiles(iac, /\.cs$/);
    assert.ok(files.length >= 20, `${files.length} C# files`);
    const offered: string[] = [];
    for (const file of files) {
      const doc = docOf(path.basename(file), fs.readFileSync(file, 'utf8'));
      assert.equal(doc.root.hasError, false, file);
      for (const site of propagationSites(doc)) {
        offered.push(`${path.relative(iac, file)}:${site.line} ${site.kind} ${site.target}`);
        const out = docOf(doc.fileName, applyEdits(doc.text, planPropagation(doc, site).edits));
        assert.equal(out.root.hasError, false, `${file}:${site.line}`);
        assert.equal(propagationSites(out).length, propagationSites(doc).length - 1, `${file}:${site.line} still offered`);
      }
    }
    assert.deepEqual(offered, []);
  });
});
