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

// A JsonElement input keeps the payload's _tracing (an asynchronous invoker's); ClientContext.Custom comes first.
const INVOKED = String.raw`using System.Text.Json;
using System.Threading.Tasks;
using Amazon.Lambda.Core;

namespace Orders;

public class Fulfil
{
    public async Task<string> FunctionHandler(JsonElement order, ILambdaContext context)
    {
        await Task.Yield();
        return order.GetProperty("id").GetString();
    }
}
`;

const INVOKED_OUT = String.raw`using System.Text.Json;
using System.Threading.Tasks;
using Amazon.Lambda.Core;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using System;
using System.Collections.Generic;
using System.Linq;

namespace Orders;

public class Fulfil
{
    private static readonly ActivitySource Telemetry = new ActivitySource("Orders.Fulfil");

    public async Task<string> FunctionHandler(JsonElement order, ILambdaContext context)
    {
        var traceCarrier = context.ClientContext?.Custom;
        if ((traceCarrier == null || traceCarrier.Count == 0) && order.ValueKind == JsonValueKind.Object && order.TryGetProperty("_tracing", out var tracing) && tracing.ValueKind == JsonValueKind.Object) traceCarrier = tracing.EnumerateObject().Where(field => field.Value.ValueKind == JsonValueKind.String).ToDictionary(field => field.Name, field => field.Value.GetString() ?? "");
        var parent = Propagators.DefaultTextMapPropagator.Extract(default, traceCarrier, (carrier, key) => carrier != null && carrier.TryGetValue(key, out var entry) ? new[] { entry } : Array.Empty<string>());
        using var activity = Telemetry.StartActivity("FunctionHandler", ActivityKind.Server, parent.ActivityContext);
        await Task.Yield();
        return order.GetProperty("id").GetString();
    }
}
`;

// A string input: ClientContext only; no ILambdaContext parameter (one is added); a namespace block.
const PLAIN = String.raw`using Amazon.Lambda.Core;

namespace Greeter
{
    public class Function
    {
        public string FunctionHandler(string name)
        {
            return "hello " + name;
        }
    }
}
`;

const PLAIN_OUT = String.raw`using Amazon.Lambda.Core;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using System;
using System.Collections.Generic;

namespace Greeter
{
    public class Function
    {
        private static readonly ActivitySource Telemetry = new ActivitySource("Greeter.Function");

        public string FunctionHandler(string name, ILambdaContext context)
        {
            var traceCarrier = context.ClientContext?.Custom;
            var parent = Propagators.DefaultTextMapPropagator.Extract(default, traceCarrier, (carrier, key) => carrier != null && carrier.TryGetValue(key, out var entry) ? new[] { entry } : Array.Empty<string>());
            using var activity = Telemetry.StartActivity("FunctionHandler", ActivityKind.Server, parent.ActivityContext);
            return "hello " + name;
        }
    }
}
`;

// EventBridge handlers: JsonNode and Dictionary<string, object> details keep _tracing; a typed detail class drops it (nothing offered).
const EVENTS = String.raw`using System.Collections.Generic;
using System.Text.Json.Nodes;
using Amazon.Lambda.CloudWatchEvents;
using Amazon.Lambda.Core;

namespace Orders;

public class OrderPlaced
{
    public string Id { get; set; }
}

public class Handlers
{
    public void OnNode(CloudWatchEvent<JsonNode> evt, ILambdaContext context) {
        context.Logger.LogInformation(evt.DetailType);
    }

    public void OnMap(CloudWatchEvent<Dictionary<string, object>> evt, ILambdaContext context) {
        context.Logger.LogInformation(evt.Source);
    }

    public void OnTyped(CloudWatchEvent<OrderPlaced> evt, ILambdaContext context) {
        context.Logger.LogInformation(evt.Detail.Id);
    }
}
`;

const EVENTS_OUT = String.raw`using System.Collections.Generic;
using System.Text.Json.Nodes;
using Amazon.Lambda.CloudWatchEvents;
using Amazon.Lambda.Core;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using System;
using System.Linq;
using System.Text.Json;

namespace Orders;

public class OrderPlaced
{
    public string Id { get; set; }
}

public class Handlers
{
    private static readonly ActivitySource Telemetry = new ActivitySource("Orders.Handlers");

    public void OnNode(CloudWatchEvent<JsonNode> evt, ILambdaContext context) {
        var traceCarrier = evt.Detail is JsonObject fields && fields["_tracing"] is JsonObject tracing ? tracing.Where(field => field.Value is JsonValue).ToDictionary(field => field.Key, field => field.Value?.ToString() ?? "") : new Dictionary<string, string>();
        var parent = Propagators.DefaultTextMapPropagator.Extract(default, traceCarrier, (carrier, key) => carrier != null && carrier.TryGetValue(key, out var entry) ? new[] { entry } : Array.Empty<string>());
        using var activity = Telemetry.StartActivity("process eventbridge event", ActivityKind.Consumer, parent.ActivityContext);
        context.Logger.LogInformation(evt.DetailType);
    }

    public void OnMap(CloudWatchEvent<Dictionary<string, object>> evt, ILambdaContext context) {
        var traceCarrier = evt.Detail != null && evt.Detail.TryGetValue("_tracing", out var value) && value is JsonElement tracing && tracing.ValueKind == JsonValueKind.Object ? tracing.EnumerateObject().Where(field => field.Value.ValueKind == JsonValueKind.String).ToDictionary(field => field.Name, field => field.Value.GetString() ?? "") : new Dictionary<string, string>();
        var parent = Propagators.DefaultTextMapPropagator.Extract(default, traceCarrier, (carrier, key) => carrier != null && carrier.TryGetValue(key, out var entry) ? new[] { entry } : Array.Empty<string>());
        using var activity = Telemetry.StartActivity("process eventbridge event", ActivityKind.Consumer, parent.ActivityContext);
        context.Logger.LogInformation(evt.Source);
    }

    public void OnTyped(CloudWatchEvent<OrderPlaced> evt, ILambdaContext context) {
        context.Logger.LogInformation(evt.Detail.Id);
    }
}
`;

describe('instrument: C# handlers continue the invoker\'s trace (ClientContext.Custom, payload _tracing) and EventBridge handlers the sender\'s (Detail._tracing)', function () {
  let tmp: string;
  before(async () => {
    await useParsers(['csharp']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-cs-invoke-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('offers a directly invoked handler quietly (an action only): ClientContext?.Custom, then a JsonElement input\'s _tracing, in a Server activity', () => {
    assert.deepEqual(siteLines('Fulfil.cs', INVOKED), ['extract lambda 9 quiet']);
    const doc = docOf('Fulfil.cs', INVOKED);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(plan.title, 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)');
    assert.match(plan.notes[0], /or in the payload's _tracing for InvocationType=Event/);
    assert.equal(applyEdits(INVOKED, plan.edits), INVOKED_OUT);
    assert.equal(docOf('Fulfil.cs', INVOKED_OUT).root.hasError, false);
  });

  it('a string input: ClientContext only (the note says so); an ILambdaContext parameter added; usings and members indented in a namespace block', () => {
    const doc = docOf('Function.cs', PLAIN);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(applyEdits(PLAIN, plan.edits), PLAIN_OUT);
    assert.match(plan.notes[0], /payload's _tracing, which this input type does not keep/);
    assert.equal(docOf('Function.cs', PLAIN_OUT).root.hasError, false);
  });

  it('EventBridge: CloudWatchEvent<JsonNode> and <Dictionary<string, object>> get a hint and a Consumer activity from Detail._tracing; a typed detail class gets nothing (its _tracing is dropped on deserialization)', () => {
    assert.deepEqual(siteLines('Handlers.cs', EVENTS), ['extract eventbridge 15', 'extract eventbridge 19']);
    const { text, titles } = propagateAll('Handlers.cs', EVENTS);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace from the event detail (_tracing)', 'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)']);
    assert.equal(text, EVENTS_OUT);
    assert.equal(docOf('Handlers.cs', EVENTS_OUT).root.hasError, false);
    // A JsonElement detail reads it with TryGetProperty.
    const element = EVENTS.replace('CloudWatchEvent<JsonNode>', 'CloudWatchEvent<JsonElement>');
    assert.match(propagateAll('Handlers.cs', element).text, /var traceCarrier = evt\.Detail\.ValueKind == JsonValueKind\.Object && evt\.Detail\.TryGetProperty\("_tracing", out var tracing\) && tracing\.ValueKind == JsonValueKind\.Object \? tracing\.EnumerateObject\(\)/);
  });

  it('keeps CRLF line endings; applied twice changes nothing', () => {
    for (const [src, out] of [[INVOKED, INVOKED_OUT], [EVENTS, EVENTS_OUT], [PLAIN, PLAIN_OUT]]) {
      const once = propagateAll('F.cs', src.replace(/\n/g, '\r\n')).text;
      assert.equal(once, out.replace(/\n/g, '\r\n'));
      assert.deepEqual(siteLines('F.cs', once), []);
    }
  });

  it('not offered on handlers of event sources (SQS, API Gateway), nor on methods that are no Lambda handler (Handle(request, cancellationToken)), nor once extracting', () => {
    const handler = (sig: string) => `using Amazon.Lambda.Core;\n\npublic class F\n{\n    public string ${sig}\n    {\n        return "";\n    }\n}\n`;
    assert.deepEqual(siteLines('F.cs', handler('FunctionHandler(SQSEvent evt, ILambdaContext context)')), []);
    assert.deepEqual(siteLines('F.cs', handler('FunctionHandler(APIGatewayHttpApiV2ProxyRequest request, ILambdaContext context)')), []);
    assert.deepEqual(siteLines('F.cs', handler('Handle(CreateItemRequest request, CancellationToken cancellationToken)')), []);
    assert.deepEqual(siteLines('F.cs', handler('Run(Dictionary<string, object> input, ILambdaContext context)')), ['extract lambda 5 quiet']);
    assert.deepEqual(siteLines('F.cs', INVOKED_OUT), []);
  });

  it('trace-insight instrument --propagate: the invoked handler only with --handler; the EventBridge handlers without it', async () => {
    const file = path.join(tmp, 'Fulfil.cs');
    fs.writeFileSync(file, INVOKED);
    let out = '';
    const io = { out: (s: string) => { out += s; }, err: (s: string) => { out += s; } };
    assert.equal(await runInstrumentCli([file, '--propagate'], io), 0);
    assert.match(out, /nothing to do \(a handler that another function invokes can continue its trace: --handler NAME, line 9\)/);
    assert.equal(await runInstrumentCli([file, '--propagate', '--handler', 'FunctionHandler'], io), 0);
    assert.equal(fs.readFileSync(file, 'utf8'), INVOKED_OUT);
    fs.writeFileSync(file, EVENTS);
    assert.equal(await runInstrumentCli([file, '--propagate'], io), 0);
    assert.equal(fs.readFileSync(file, 'utf8'), EVENTS_OUT);
  });

  it('every C# file of corpus/iac: none is offered (their handlers take API Gateway/SQS events; the MediatR Handle methods are no Lambda handlers); with an invoked handler class appended, it applies, parses and is not offered again', () => {
    const files = sourceFiles(iac, /\.cs$/);
    assert.ok(files.length >= 10);
    for (const file of files) {
      const doc = docOf(file);
      assert.deepEqual(propagationSites(doc).filter((s) => s.quiet || s.target === 'eventbridge'), [], file);
      // In the file's own line endings (some corpus files are CRLF).
      const eol = doc.text.includes('\r\n') ? '\r\n' : '\n';
      const text = `${doc.text.replace(/\s*$/, '\n')}\npublic class Invoked\n{\n    public string FunctionHandler(JsonElement input, ILambdaContext context)\n    {\n        return input.ToString();\n    }\n}\n`.replace(/\r?\n/g, eol);
      const out = propagateAll(file, text).text;
      assert.equal(docOf(file, out).root.hasError, false, file);
      assert.deepEqual(propagationSites(docOf(file, out)), [], file);
      assert.match(out, /\n        using var activity = Telemetry\.StartActivity\("FunctionHandler", ActivityKind\.Server, parent\.ActivityContext\);\r?\n        return input\.ToString\(\);\r?\n/, file);
      assert.equal(out.replace(/\r\n/g, '').includes('\n'), eol === '\n', file);
    }
  });
});
