import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as runInstrumentCli } from '../../src/cli/commands/instrument';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { docOf, propagateAll, siteLines, sourceFiles, useParsers } from './helpers/instrumentDocs';
import { hasTool as has, javac } from './instrumentJavac';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');
const events = path.join(iac, 'sam/lambda-developer-guide/java-events/src/main/java/example');
// Quiet sites (directly invoked handlers) are tested in instrumentPropagateJavaInvoke.test.ts.

const SENDER = String.raw`package example;

import com.amazonaws.services.lambda.runtime.Context;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

public class Sender {
    private final SqsClient sqs = SqsClient.create();
    private final SnsClient sns = SnsClient.create();
    private final EventBridgeClient events = EventBridgeClient.create();
    private final LambdaClient lambda = LambdaClient.create();

    public String handleRequest(String orderId, Context context) {
        sqs.sendMessage(SendMessageRequest.builder()
                .queueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/orders")
                .messageBody(orderId)
                .build());
        sqs.sendMessage(b -> b.queueUrl("q").messageBody(orderId));
        PublishRequest publish = PublishRequest.builder().topicArn("arn:aws:sns:us-east-1:123456789012:orders").message(orderId).build();
        sns.publish(publish);
        String detail = "{\"order\":\"" + orderId + "\"}";
        events.putEvents(PutEventsRequest.builder()
                .entries(PutEventsRequestEntry.builder().source("orders").detailType("placed").detail(detail).build())
                .build());
        lambda.invoke(InvokeRequest.builder().functionName("next").payload(SdkBytes.fromUtf8String(detail)).build());
        lambda.invoke(InvokeRequest.builder()
                .functionName("audit")
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(detail))
                .build());
        return orderId;
    }
}
`;

const SENDER_PROPAGATED = String.raw`package example;

import com.amazonaws.services.lambda.runtime.Context;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.util.Map;
import java.util.HashMap;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import java.util.Base64;
import java.nio.charset.StandardCharsets;

public class Sender {
    private final SqsClient sqs = SqsClient.create();
    private final SnsClient sns = SnsClient.create();
    private final EventBridgeClient events = EventBridgeClient.create();
    private final LambdaClient lambda = LambdaClient.create();

    public String handleRequest(String orderId, Context context) {
        Map<String, MessageAttributeValue> traceCarrier = new HashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(io.opentelemetry.context.Context.current(), traceCarrier, (carrier, key, value) -> carrier.put(key, MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
        sqs.sendMessage(SendMessageRequest.builder()
                .queueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/orders")
                .messageBody(orderId)
                .messageAttributes(traceCarrier)
                .build());
        Map<String, MessageAttributeValue> traceCarrier2 = new HashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(io.opentelemetry.context.Context.current(), traceCarrier2, (carrier2, key2, value2) -> carrier2.put(key2, MessageAttributeValue.builder().dataType("String").stringValue(value2).build()));
        sqs.sendMessage(b -> b.queueUrl("q").messageBody(orderId).messageAttributes(traceCarrier2));
        Map<String, software.amazon.awssdk.services.sns.model.MessageAttributeValue> traceCarrier3 = new HashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(io.opentelemetry.context.Context.current(), traceCarrier3, (carrier3, key3, value3) -> carrier3.put(key3, software.amazon.awssdk.services.sns.model.MessageAttributeValue.builder().dataType("String").stringValue(value3).build()));
        PublishRequest publish = PublishRequest.builder().topicArn("arn:aws:sns:us-east-1:123456789012:orders").message(orderId).messageAttributes(traceCarrier3).build();
        sns.publish(publish);
        String detail = "{\"order\":\"" + orderId + "\"}";
        Map<String, String> traceCarrier4 = new HashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(io.opentelemetry.context.Context.current(), traceCarrier4, Map::put);
        events.putEvents(PutEventsRequest.builder()
                .entries(PutEventsRequestEntry.builder().source("orders").detailType("placed").detail(withTraceContext(detail, "_tracing", traceCarrier4)).build())
                .build());
        Map<String, String> traceCarrier5 = new HashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(io.opentelemetry.context.Context.current(), traceCarrier5, Map::put);
        lambda.invoke(InvokeRequest.builder().functionName("next").payload(SdkBytes.fromUtf8String(detail)).clientContext(Base64.getEncoder().encodeToString(withTraceContext("{}", "custom", traceCarrier5).getBytes(StandardCharsets.UTF_8))).build());
        Map<String, String> traceCarrier6 = new HashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(io.opentelemetry.context.Context.current(), traceCarrier6, Map::put);
        lambda.invoke(InvokeRequest.builder()
                .functionName("audit")
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(withTraceContext(detail, "_tracing", traceCarrier6)))
                .build());
        return orderId;
    }

    /** The JSON object {@code json} with the W3C trace context in {@code carrier} added as its field {@code key}. */
    private static String withTraceContext(String json, String key, Map<String, String> carrier) {
        StringBuilder fields = new StringBuilder();
        carrier.forEach((k, v) -> fields.append(fields.length() == 0 ? "" : ",").append('"').append(k).append("\":\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        String rest = json.trim().substring(1).trim();
        return "{\"" + key + "\":{" + fields + "}" + (rest.startsWith("}") ? "" : ",") + rest;
    }
}
`;

const SQS_PROPAGATED = String.raw`package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;

import java.util.ArrayList;
import java.util.List;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.util.Map;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.api.trace.StatusCode;

// Handler value: example.HandlerSQS
public class HandlerSQS implements RequestHandler<SQSEvent, List<String>>{
  private static final Tracer TRACER = GlobalOpenTelemetry.getTracer("HandlerSQS");

  private static final TextMapGetter<Map<String, SQSEvent.MessageAttribute>> SQS_MESSAGE_ATTRIBUTES = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, SQSEvent.MessageAttribute> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, SQSEvent.MessageAttribute> carrier, String key) {
      SQSEvent.MessageAttribute attribute = carrier == null ? null : carrier.get(key);
      return attribute == null ? null : attribute.getStringValue();
    }
  };

  @Override
  public List<String> handleRequest(SQSEvent event, Context context)
  {
    LambdaLogger logger = context.getLogger();
    logger.log("EVENT TYPE: " + event.getClass().toString());
    var messagesFound = new ArrayList<String>();
    for(SQSMessage msg : event.getRecords()){
      io.opentelemetry.context.Context parent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(io.opentelemetry.context.Context.current(), msg.getMessageAttributes(), SQS_MESSAGE_ATTRIBUTES);
      Span span = TRACER.spanBuilder("process sqs record").setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
      try (Scope scope = span.makeCurrent()) {
        messagesFound.add(msg.getBody());
      } catch (Throwable e) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR);
        throw e;
      } finally {
        span.end();
      }
    }
    return messagesFound;
  }
}
`;

const VAR_LOOP = String.raw`package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Tracer;

public class Orders {
	private static final Tracer tracer = GlobalOpenTelemetry.getTracer("orders");

	public Void handleRequest(SQSEvent input, Context context) {
		for (var m : input.getRecords()) {
			if (m.getBody().isEmpty()) {
				continue;
			}
			context.getLogger().log(m.getBody());
		}
		return null;
	}
}
`;

const VAR_LOOP_PROPAGATED = String.raw`package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import java.util.Map;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.api.trace.StatusCode;

public class Orders {
	private static final TextMapGetter<Map<String, SQSEvent.MessageAttribute>> SQS_MESSAGE_ATTRIBUTES = new TextMapGetter<>() {
		@Override
		public Iterable<String> keys(Map<String, SQSEvent.MessageAttribute> carrier) {
			return carrier.keySet();
		}

		@Override
		public String get(Map<String, SQSEvent.MessageAttribute> carrier, String key) {
			SQSEvent.MessageAttribute attribute = carrier == null ? null : carrier.get(key);
			return attribute == null ? null : attribute.getStringValue();
		}
	};

	private static final Tracer tracer = GlobalOpenTelemetry.getTracer("orders");

	public Void handleRequest(SQSEvent input, Context context) {
		for (var m : input.getRecords()) {
			io.opentelemetry.context.Context parent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(io.opentelemetry.context.Context.current(), m.getMessageAttributes(), SQS_MESSAGE_ATTRIBUTES);
			Span span = tracer.spanBuilder("process sqs record").setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
			try (Scope scope = span.makeCurrent()) {
				if (m.getBody().isEmpty()) {
					continue;
				}
				context.getLogger().log(m.getBody());
			} catch (Throwable e) {
				span.recordException(e);
				span.setStatus(StatusCode.ERROR);
				throw e;
			} finally {
				span.end();
			}
		}
		return null;
	}
}
`;

const ON_ORDER = String.raw`package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import java.util.Map;

public class OnOrder implements RequestHandler<ScheduledEvent, String> {
    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        Map<String, Object> detail = event.getDetail();
        context.getLogger().log("order " + detail.get("order"));
        return String.valueOf(detail.get("order"));
    }
}
`;

const ON_ORDER_PROPAGATED = String.raw`package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import java.util.Map;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.util.stream.Collectors;
import java.util.List;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.api.trace.StatusCode;

public class OnOrder implements RequestHandler<ScheduledEvent, String> {
    private static final Tracer TRACER = GlobalOpenTelemetry.getTracer("OnOrder");

    private static final TextMapGetter<Object> EVENT_DETAIL_TRACING = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Object carrier) {
            return carrier instanceof Map ? ((Map<?, ?>) carrier).keySet().stream().map(String::valueOf).collect(Collectors.toList()) : List.of();
        }

        @Override
        public String get(Object carrier, String key) {
            Object value = carrier instanceof Map ? ((Map<?, ?>) carrier).get(key) : null;
            return value instanceof String ? (String) value : null;
        }
    };

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        io.opentelemetry.context.Context parent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(io.opentelemetry.context.Context.current(), event.getDetail() == null ? null : event.getDetail().get("_tracing"), EVENT_DETAIL_TRACING);
        Span span = TRACER.spanBuilder("process eventbridge event").setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
        try (Scope scope = span.makeCurrent()) {
            Map<String, Object> detail = event.getDetail();
            context.getLogger().log("order " + detail.get("order"));
            return String.valueOf(detail.get("order"));
        } catch (Throwable e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }
}
`;

describe('instrument: Java trace context (AWS SDK v2 sends; SQSEvent/SNSEvent records and ScheduledEvent handlers receive)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['java']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-java-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('injects into every send: SQS and SNS message attributes (builder chain, Consumer builder, request variable), EventBridge Detail._tracing, Invoke ClientContext.custom and an asynchronous Invoke\'s payload', () => {
    assert.deepEqual(siteLines('Sender.java', SENDER, false), ['inject sqs 23', 'inject sqs 27', 'inject sns 29', 'inject eventbridge 31', 'inject lambda 34', 'inject lambda 35']);
    const { text, titles } = propagateAll('Sender.java', SENDER, false);
    assert.deepEqual(titles, ['Propagate trace context to SQS', 'Propagate trace context to SQS', 'Propagate trace context to SNS', 'Propagate trace context to EventBridge',
      'Propagate trace context to Lambda Invoke', 'Propagate trace context to Lambda Invoke']);
    assert.equal(text, SENDER_PROPAGATED);
    assert.deepEqual(siteLines('Sender.java', text, false), [], 'applying twice changes nothing');
  });

  it('keeps CRLF line endings', () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    assert.equal(propagateAll('Sender.java', crlf(SENDER), false).text, crlf(SENDER_PROPAGATED));
  });

  it('the result compiles with javac against the SDK and OpenTelemetry shapes (sqs/sns MessageAttributeValue kept apart); the JSON helper writes what receivers parse', function () {
    if (!has('javac')) this.skip();
    const ok = javac(path.join(tmp, 'send'), { 'example/Sender.java': SENDER_PROPAGATED });
    assert.equal(ok.status, 0, ok.stderr);
    // Control: the stubs do check types (the SQS attribute type given to an SNS builder is refused).
    const bad = javac(path.join(tmp, 'bad'), { 'example/Sender.java': SENDER_PROPAGATED.replace('messageAttributes(traceCarrier3)', 'messageAttributes(traceCarrier)') });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /Sender\.java:\d+: error: incompatible types/);
    if (!has('java')) return;
    // The generated helper, called as the edits call it, with a tracestate needing escapes.
    const main = String.raw`package example;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

public class Probe {
    public static void main(String[] args) throws Exception {
        Method m = Sender.class.getDeclaredMethod("withTraceContext", String.class, String.class, Map.class);
        m.setAccessible(true);
        Map<String, String> carrier = new LinkedHashMap<>();
        carrier.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        carrier.put("tracestate", "v=\"a\\b\"");
        System.out.println(m.invoke(null, "{\"order\":\"7\"}", "_tracing", carrier));
        System.out.println(m.invoke(null, "{}", "custom", carrier));
        System.out.println(m.invoke(null, " { } ", "_tracing", new LinkedHashMap<String, String>()));
    }
}
`;
    const probe = javac(path.join(tmp, 'probe'), { 'example/Sender.java': SENDER_PROPAGATED, 'example/Probe.java': main });
    assert.equal(probe.status, 0, probe.stderr);
    const r = spawnSync('java', ['-cp', path.join(tmp, 'probe', 'classes'), 'example.Probe'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const tc = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'v="a\\b"' };
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ _tracing: tc, order: '7' }, { custom: tc }, { _tracing: {} }]);
  });

  it('round trip: what the propagated Java sender puts on the wire is what the propagated Java receivers extract (recording stubs, Lambda and EventBridge delivery simulated)', function () {
    if (!has('javac') || !has('java')) this.skip();
    // The stubs record instead of calling AWS: the propagator injects one fixed traceparent and extracts whatever the getter returns.
    const sns = propagateAll('HandlerSNS.java', fs.readFileSync(path.join(events, 'HandlerSNS.java'), 'utf8')).text;
    const dir = path.join(tmp, 'roundtrip');
    const r = javac(dir, { 'example/Sender.java': SENDER_PROPAGATED, 'example/HandlerSQS.java': SQS_PROPAGATED, 'example/HandlerSNS.java': sns, 'example/OnOrder.java': ON_ORDER_PROPAGATED,
      'example/RoundTrip.java': fs.readFileSync(path.resolve(__dirname, '../fixtures/javaRoundTrip/example/RoundTrip.java'), 'utf8') });
    assert.equal(r.status, 0, r.stderr);
    const run = spawnSync('java', ['-cp', path.join(dir, 'classes'), 'example.RoundTrip'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    assert.deepEqual(run.stdout.trim().split('\n').filter((l) => /^(sqs|sns|eventbridge|invoke|span) /.test(l)), [
      `sqs traceparent String ${tp}`, `sqs traceparent String ${tp}`, `sns traceparent String ${tp}`,
      `eventbridge {"_tracing":{"traceparent":"${tp}"},"order":"7"}`,
      `invoke {"custom":{"traceparent":"${tp}"}} {"order":"7"}`,
      `invoke - {"_tracing":{"traceparent":"${tp}"},"order":"7"}`,
      `span process sqs record CONSUMER ${tp}`, `span process sns record CONSUMER ${tp}`, 'span process sqs record CONSUMER null', `span process eventbridge event CONSUMER ${tp}`]);
  });

  it('continues the sender\'s trace for each SQS record of the corpus handler (consumer span, parent from the message attributes), once', () => {
    const src = fs.readFileSync(path.join(events, 'HandlerSQS.java'), 'utf8');
    const { text, titles } = propagateAll('HandlerSQS.java', src);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace for each SQS record']);
    assert.equal(text, SQS_PROPAGATED);
  });

  it('continues the sender\'s trace in an EventBridge handler that reads the detail (ScheduledEvent; parent from Detail._tracing), once; compiles', function () {
    assert.deepEqual(siteLines('OnOrder.java', ON_ORDER, false), ['extract eventbridge 12']);
    const { text, titles } = propagateAll('OnOrder.java', ON_ORDER);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace from the event detail (_tracing)']);
    assert.equal(text, ON_ORDER_PROPAGATED);
    // A scheduled rule's handler that never reads the detail has no sender to continue.
    assert.deepEqual(siteLines('HandlerCWEvents.java', fs.readFileSync(path.join(events, 'HandlerCWEvents.java'), 'utf8'), false), []);
    if (!has('javac')) this.skip();
    const r = javac(path.join(tmp, 'eb'), { 'example/OnOrder.java': text });
    assert.equal(r.status, 0, r.stderr);
  });

  it('var records of an SQSEvent parameter, tab indentation and CRLF kept, the class\'s own tracer reused; compiles', function () {
    const crlf = (x: string) => x.replace(/\n/g, '\r\n');
    const { text } = propagateAll('Orders.java', crlf(VAR_LOOP));
    assert.equal(text, crlf(VAR_LOOP_PROPAGATED));
    if (!has('javac')) this.skip();
    const r = javac(path.join(tmp, 'var'), { 'example/Orders.java': text });
    assert.equal(r.status, 0, r.stderr);
  });

  it('offers nothing where the context already travels, and not on stream records or request builders that set attributes themselves', () => {
    const head = 'package example;\n\nimport com.amazonaws.services.lambda.runtime.events.SQSEvent;\nimport com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;\n\nclass A {\n';
    const injected = `${head}    void f(String body) {\n        Map<String, String> c = new HashMap<>();\n        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(Context.current(), c, Map::put);\n`
      + '        lambda.invoke(InvokeRequest.builder().functionName("x").clientContext(encode(c)).build());\n    }\n}\n';
    assert.deepEqual(siteLines('A.java', injected, false), []);
    const extracted = `${head}    void f(SQSEvent event) {\n        for (SQSMessage m : event.getRecords()) {\n            Context p = GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(Context.current(), m.getMessageAttributes(), GETTER);\n            g(m);\n        }\n    }\n}\n`;
    assert.deepEqual(siteLines('A.java', extracted, false), []);
    assert.deepEqual(siteLines('A.java', extracted.replace(/ {12}Context p = .*\n/, ''), false), ['extract sqs 8']);
    const own = `${head}    void f(Map<String, MessageAttributeValue> attrs) {\n        sqs.sendMessage(SendMessageRequest.builder().queueUrl("q").messageBody("b").messageAttributes(attrs).build());\n    }\n}\n`;
    assert.deepEqual(siteLines('A.java', own, false), []);
    assert.deepEqual(siteLines('HandlerKinesis.java', fs.readFileSync(path.join(events, 'HandlerKinesis.java'), 'utf8'), false), []);
    // In an expression lambda there is no statement to put the carrier before; in a block lambda there is.
    const lambdas = 'class A {\n    void f(List<String> ids) {\n        ids.forEach(id -> sqs.sendMessage(SendMessageRequest.builder().queueUrl("q").messageBody(id).build()));\n'
      + '        ids.forEach(id -> {\n            sqs.sendMessage(SendMessageRequest.builder().queueUrl("q").messageBody(id).build());\n        });\n    }\n}\n';
    assert.deepEqual(siteLines('A.java', lambdas, false), ['inject sqs 5']);
  });

  it('trace-insight instrument --propagate: a diff with --dry-run, then the file edited in place, then nothing to do', async () => {
    const file = path.join(tmp, 'cli', 'HandlerSNS.java');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const before = fs.readFileSync(path.join(events, 'HandlerSNS.java'), 'utf8');
    fs.writeFileSync(file, before);
    let out = '';
    const io = { out: (t: string) => { out += t; }, err: (t: string) => { out += t; } };
    assert.equal(await runInstrumentCli([file, '--propagate', '--dry-run'], io), 0);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    assert.match(out, /\n\+      io\.opentelemetry\.context\.Context parent = GlobalOpenTelemetry\.getPropagators\(\)\.getTextMapPropagator\(\)\.extract\(io\.opentelemetry\.context\.Context\.current\(\), record\.getSNS\(\)\.getMessageAttributes\(\), SNS_MESSAGE_ATTRIBUTES\);\n/);
    assert.match(out, /Would propagate trace context in .*HandlerSNS\.java:\n {2}Propagate trace context: continue the sender's trace for each SNS record\n/);
    out = '';
    assert.equal(await runInstrumentCli([file, '--propagate'], io), 0);
    const once = fs.readFileSync(file, 'utf8');
    assert.equal(once, propagateAll('HandlerSNS.java', before).text);
    out = '';
    assert.equal(await runInstrumentCli([file, '--propagate'], io), 0);
    assert.match(out, /nothing to do/);
    assert.equal(fs.readFileSync(file, 'utf8'), once);
  });

  it('every Java file of corpus/iac: each action applies, parses, is not offered again, and the receivers compile with javac against the stubs', function () {
    const kinds: Record<string, number> = {};
    const failures: string[] = [];
    const outs: Record<string, string> = {};
    for (const file of sourceFiles(iac, /\.java$/)) {
      const doc = docOf(path.basename(file), fs.readFileSync(file, 'utf8'));
      if (doc.root.hasError) continue;
      for (const site of propagationSites(doc).filter((x) => !x.quiet)) {
        kinds[`${site.kind} ${site.target}`] = (kinds[`${site.kind} ${site.target}`] ?? 0) + 1;
        const out = applyEdits(doc.text, planPropagation(doc, site).edits);
        const doc2 = docOf(doc.fileName, out);
        if (doc2.root.hasError) failures.push(`${path.relative(iac, file)}:${site.line}: does not parse`);
        if (propagationSites(doc2).filter((x) => !x.quiet).length !== propagationSites(doc).filter((x) => !x.quiet).length - 1) failures.push(`${path.relative(iac, file)}:${site.line}: still offered`);
        outs[`example/${path.basename(file)}`] = out;
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(kinds, { 'extract sns': 1, 'extract sqs': 1 });
    if (!has('javac')) this.skip();
    const r = javac(path.join(tmp, 'corpus'), outs);
    assert.equal(r.status, 0, r.stderr);
  });
});
