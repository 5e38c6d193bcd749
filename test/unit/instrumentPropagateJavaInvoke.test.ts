import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { docOf, propagateAll, siteLines, sourceFiles, useParsers } from './helpers/instrumentDocs';
import { hasTool, javac } from './instrumentJavac';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');

// A Map<String, Object> input keeps the payload's _tracing (an asynchronous invoker's); ClientContext.custom comes first.
const ORDERS = `package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.util.Map;

public class Orders implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        String id = String.valueOf(input.get("id"));
        return "order " + id;
    }
}
`;

const ORDERS_OUT = `package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

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

public class Orders implements RequestHandler<Map<String, Object>, String> {
    private static final Tracer TRACER = GlobalOpenTelemetry.getTracer("Orders");

    private static final TextMapGetter<Object> INVOKER_TRACE_CONTEXT = new TextMapGetter<>() {
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
    public String handleRequest(Map<String, Object> input, Context context) {
        Map<String, String> custom = context.getClientContext() == null ? null : context.getClientContext().getCustom();
        io.opentelemetry.context.Context parent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(io.opentelemetry.context.Context.current(), custom != null && !custom.isEmpty() ? custom : input == null ? null : input.get("_tracing"), INVOKER_TRACE_CONTEXT);
        Span span = TRACER.spanBuilder("handleRequest").setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
        try (Scope scope = span.makeCurrent()) {
            String id = String.valueOf(input.get("id"));
            return "order " + id;
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

// A String input: ClientContext only; the Lambda Context fully qualified, the file without imports.
const GREETER = `package example;

public class Greeter {
    public String greet(String name) {
        return "hello " + name;
    }

    public String handleRequest(String name, com.amazonaws.services.lambda.runtime.Context ctx) {
        return greet(name);
    }
}
`;

const GREETER_OUT = `package example;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.List;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.api.trace.StatusCode;

public class Greeter {
    private static final Tracer TRACER = GlobalOpenTelemetry.getTracer("Greeter");

    private static final TextMapGetter<Object> INVOKER_TRACE_CONTEXT = new TextMapGetter<>() {
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

    public String greet(String name) {
        return "hello " + name;
    }

    public String handleRequest(String name, com.amazonaws.services.lambda.runtime.Context ctx) {
        Context parent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(Context.current(), ctx.getClientContext() == null ? null : ctx.getClientContext().getCustom(), INVOKER_TRACE_CONTEXT);
        Span span = TRACER.spanBuilder("handleRequest").setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
        try (Scope scope = span.makeCurrent()) {
            return greet(name);
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

// No Context parameter (a plain handler method): one is added; tabs, and the class's own tracer reused.
const NO_CONTEXT = `package example;

import java.util.Map;

public class Audit {
\tprivate static final io.opentelemetry.api.trace.Tracer TRACER = io.opentelemetry.api.GlobalOpenTelemetry.getTracer("Audit");

\tpublic void handleRequest(Map<String, String> entry) {
\t\tSystem.out.println(entry);
\t}
}
`;

const NO_CONTEXT_OUT = `package example;

import java.util.Map;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.context.Context;
import java.util.stream.Collectors;
import java.util.List;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.api.trace.StatusCode;

public class Audit {
\tprivate static final TextMapGetter<Object> INVOKER_TRACE_CONTEXT = new TextMapGetter<>() {
\t\t@Override
\t\tpublic Iterable<String> keys(Object carrier) {
\t\t\treturn carrier instanceof Map ? ((Map<?, ?>) carrier).keySet().stream().map(String::valueOf).collect(Collectors.toList()) : List.of();
\t\t}

\t\t@Override
\t\tpublic String get(Object carrier, String key) {
\t\t\tObject value = carrier instanceof Map ? ((Map<?, ?>) carrier).get(key) : null;
\t\t\treturn value instanceof String ? (String) value : null;
\t\t}
\t};

\tprivate static final io.opentelemetry.api.trace.Tracer TRACER = io.opentelemetry.api.GlobalOpenTelemetry.getTracer("Audit");

\tpublic void handleRequest(Map<String, String> entry, com.amazonaws.services.lambda.runtime.Context context) {
\t\tContext parent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(Context.current(), context.getClientContext() == null ? null : context.getClientContext().getCustom(), INVOKER_TRACE_CONTEXT);
\t\tSpan span = TRACER.spanBuilder("handleRequest").setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
\t\ttry (Scope scope = span.makeCurrent()) {
\t\t\tSystem.out.println(entry);
\t\t} catch (Throwable e) {
\t\t\tspan.recordException(e);
\t\t\tspan.setStatus(StatusCode.ERROR);
\t\t\tthrow e;
\t\t} finally {
\t\t\tspan.end();
\t\t}
\t}
}
`;

describe('instrument: a Java handler invoked by another function continues the invoker\'s trace (ClientContext custom, payload _tracing)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['java']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-java-invoke-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('offers the handler quietly (an action only); reads ClientContext.getCustom(), then a Map input\'s _tracing, in a SERVER span', () => {
    assert.deepEqual(siteLines('Orders.java', ORDERS), ['extract lambda 10 quiet']);
    const doc = docOf('Orders.java', ORDERS);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(plan.title, 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)');
    assert.match(plan.notes[0], /or in the payload's _tracing for InvocationType=Event/);
    assert.equal(applyEdits(ORDERS, plan.edits), ORDERS_OUT);
  });

  it('a String input: ClientContext only (the note says so); imports in a file without any', () => {
    const doc = docOf('Greeter.java', GREETER);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(applyEdits(GREETER, plan.edits), GREETER_OUT);
    assert.match(plan.notes[0], /payload's _tracing, which this input type does not keep/);
  });

  it('a handler method without a Context parameter gets one; tabs kept; the existing tracer reused', () => {
    assert.equal(propagateAll('Audit.java', NO_CONTEXT).text, NO_CONTEXT_OUT);
  });

  it('keeps CRLF line endings; applied twice changes nothing', () => {
    const once = propagateAll('Orders.java', ORDERS.replace(/\n/g, '\r\n')).text;
    assert.equal(once, ORDERS_OUT.replace(/\n/g, '\r\n'));
    assert.deepEqual(siteLines('Orders.java', once), []);
  });

  it('not offered on handlers of event sources (SQS, API Gateway, streams) nor on one that already extracts', () => {
    const typed = (t: string, imp: string) => `package example;\n\nimport com.amazonaws.services.lambda.runtime.Context;\n${imp}\npublic class H {\n    public String handleRequest(${t} event, Context context) {\n        return "";\n    }\n}\n`;
    assert.deepEqual(siteLines('H.java', typed('SQSEvent', 'import com.amazonaws.services.lambda.runtime.events.SQSEvent;\n')), []);
    assert.deepEqual(siteLines('H.java', typed('APIGatewayProxyRequestEvent', 'import com.amazonaws.services.lambda.runtime.events.*;\n')), []);
    assert.deepEqual(siteLines('H.java', typed('com.amazonaws.services.lambda.runtime.events.KinesisEvent', '')), []);
    assert.deepEqual(siteLines('H.java', typed('Map<String, Object>', 'import java.util.Map;\n')), ['extract lambda 7 quiet']);
    assert.deepEqual(siteLines('Orders.java', ORDERS_OUT), []);
  });

  it('compiles with javac against the stubs, and the span continues the traceparent of a synchronous invoker (ClientContext) and of an asynchronous one (payload _tracing), or starts a new trace', function () {
    if (!hasTool('javac') || !hasTool('java')) this.skip();
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tp2 = tp.replace(/-01$/, '-00');
    // As the Java runtime hands them over: ClientContext.custom decoded, the async payload parsed into maps.
    const main = `package example;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.StubLambdaContext;
import io.opentelemetry.api.trace.StubSpans;
import java.util.HashMap;
import java.util.Map;

public class Run {
    public static void main(String[] args) {
        ClientContext cc = new ClientContext() {
            public Map<String, String> getCustom() { return Map.of("traceparent", "${tp}"); }
            public Map<String, String> getEnvironment() { return Map.of(); }
        };
        new Orders().handleRequest(new HashMap<>(Map.of("id", 1)), new StubLambdaContext(cc));
        new Orders().handleRequest(new HashMap<>(Map.of("id", 2, "_tracing", Map.of("traceparent", "${tp2}"))), new StubLambdaContext());
        new Greeter().handleRequest("x", new StubLambdaContext());
        new Audit().handleRequest(Map.of(), new StubLambdaContext(cc));
        StubSpans.ENDED.forEach(System.out::println);
    }
}
`;
    const dir = path.join(tmp, 'run');
    const r = javac(dir, { 'example/Orders.java': ORDERS_OUT, 'example/Greeter.java': GREETER_OUT, 'example/Audit.java': NO_CONTEXT_OUT, 'example/Run.java': main });
    assert.equal(r.status, 0, r.stderr);
    const run = spawnSync('java', ['-cp', path.join(dir, 'classes'), 'example.Run'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n').filter((l) => l.startsWith('handleRequest')), [`handleRequest SERVER ${tp}`, `handleRequest SERVER ${tp2}`, 'handleRequest SERVER null', `handleRequest SERVER ${tp}`]);
  });

  it('every Java file of corpus/iac: each quiet site (a Map-input handler) applies, parses, is not offered again; the blank-java handler compiles', function () {
    const applied: Record<string, string> = {};
    for (const file of sourceFiles(iac, /\.java$/)) {
      const doc = docOf(file);
      if (!propagationSites(doc).some((s) => s.quiet)) continue;
      const out = propagateAll(file, doc.text).text;
      assert.equal(docOf(file, out).root.hasError, false, file);
      assert.deepEqual(propagationSites(docOf(file, out)), [], file);
      applied[path.relative(iac, file)] = out;
    }
    assert.deepEqual(Object.keys(applied).sort(), ['sam/lambda-developer-guide/blank-java/src/main/java/example/Handler.java', 'serverless/serverless-examples/aws-java-simple-http-endpoint/src/main/java/com/serverless/Handler.java']);
    // Map<String,String> input: a nested _tracing would not deserialize into it, so ClientContext only.
    assert.match(applied['sam/lambda-developer-guide/blank-java/src/main/java/example/Handler.java'], /extract\(io\.opentelemetry\.context\.Context\.current\(\), context\.getClientContext\(\) == null \? null : context\.getClientContext\(\)\.getCustom\(\), INVOKER_TRACE_CONTEXT\);/);
    assert.match(applied['serverless/serverless-examples/aws-java-simple-http-endpoint/src/main/java/com/serverless/Handler.java'], /\t\tMap<String, String> custom = context\.getClientContext\(\) == null \? null : context\.getClientContext\(\)\.getCustom\(\);\n/);
    if (!hasTool('javac')) this.skip();
    const r = javac(path.join(tmp, 'corpus'), { 'example/Handler.java': applied['sam/lambda-developer-guide/blank-java/src/main/java/example/Handler.java'] });
    assert.equal(r.status, 0, r.stderr);
  });
});
