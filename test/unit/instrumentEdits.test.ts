import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as runInstrumentCli } from '../../src/cli/commands/instrument';
import { unifiedDiff } from '../../src/core/instrument/diff';
import { planAddTracing, stylesFor, untracedHandlers } from '../../src/core/instrument/instrument';
import { manifestEdits, withPackage } from '../../src/core/instrument/manifest';
import { applyEdits } from '../../src/core/instrument/text';
import { planWrap } from '../../src/core/instrument/wrap';
import { docOf, useParsers } from './helpers/instrumentDocs';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
describe('instrument: edits a careful engineer would make', () => {
  before(async () => { await useParsers(['javascript', 'typescript', 'python', 'java', 'go', 'csharp', 'rust']); });

  it('already-traced captured handlers (Powertools TS class decorator, X-Ray SDK Python) are not offered the action', () => {
    for (const f of ['captured/lambda/handlers/powertools/index.ts', 'captured/lambda/handlers/python/lambda_function.py']) {
      const doc = docOf(path.join(corpus, f));
      assert.deepEqual(untracedHandlers(doc).map((h) => h.name), [], f);
      const plan = planAddTracing(doc, 'otel');
      assert.deepEqual(plan.edits, [], f);
    }
  });

  it('keeps CRLF line endings in every language and style', () => {
    const files = ['iac/sam/sam-app-templates/nodejs22.x-hello/project/hello-world/app.mjs', 'iac/sam/sam-app-templates/python3.13-hello/project/hello_world/app.py',
      'iac/sam/sam-app-templates/java21-hello-maven/project/HelloWorldFunction/src/main/java/helloworld/App.java', 'iac/sam/sam-app-templates/al2023-go-hello/project/hello-world/main.go',
      'iac/sam/sam-app-templates/dotnet8-hello/project/src/HelloWorld/Function.cs', 'iac/sam/sam-app-templates/al2023-rust-hello/project/rust_app/src/main.rs'];
    for (const f of files) {
      const crlf = fs.readFileSync(path.join(corpus, f), 'utf8').replace(/\r?\n/g, '\r\n');
      const doc = docOf(f, crlf);
      for (const style of stylesFor(doc.lang)) {
        const out = applyEdits(crlf, planAddTracing(doc, style).edits);
        assert.notEqual(out, crlf);
        assert.equal(out.split('\n').length, out.split('\r\n').length, `${style} ${f} has a bare LF`);
      }
    }
  });

  it('uses require() in CommonJS and import in ESM, with the file\'s quotes', () => {
    const cjs = planAddTracing(docOf(path.join(corpus, 'iac/serverless/serverless-examples/aws-node-rest-api-with-dynamodb/todos/get.js')), 'otel');
    assert.equal(cjs.edits[0].newText.split('\n')[0], "const { trace, SpanStatusCode } = require('@opentelemetry/api');");
    const esm = planAddTracing(docOf(path.join(corpus, 'iac/sam/lambda-developer-guide/nodejs-apig/function/index.mjs')), 'xray');
    assert.equal(esm.edits[0].newText.split('\n')[0], "import AWSXRay from 'aws-xray-sdk-core';");
    const py = planAddTracing(docOf(path.join(corpus, 'iac/sam/sam-app-templates/python3.13-hello/project/hello_world/app.py')), 'otel');
    assert.ok(py.edits.some((e) => e.newText.includes('@tracer.start_as_current_span("lambda_handler")')));
  });

  it('adds Powertools to a middy handler as middleware (once)', () => {
    const text = "import middy from '@middy/core';\n\nexport const handler = middy(async (event) => {\n  return { ok: true };\n}).use(jsonBodyParser());\n";
    const out = applyEdits(text, planAddTracing(docOf('h.mjs', text), 'powertools').edits);
    assert.equal(out, "import middy from '@middy/core';\nimport { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';\nimport { Tracer } from '@aws-lambda-powertools/tracer';\n\n"
      + "const tracer = new Tracer();\n\nexport const handler = middy(async (event) => {\n  return { ok: true };\n}).use(jsonBodyParser()).use(captureLambdaHandler(tracer));\n");
    assert.deepEqual(planAddTracing(docOf('h.mjs', out), 'powertools').edits, []);
  });

  it('--dry-run diffs are real patches: missing final newlines, appends, CRLF and two hunks apply with patch', function () {
    if (spawnSync('patch', ['--version'], { stdio: 'ignore' }).status !== 0) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-instrument-diff-'));
    try {
      const cases: [string, string][] = [['a\nb', 'a\nb\nc\n'], ['x\ny\n', 'x\ny'], ['', 'new\n'], ['only', 'changed'], ['r1\r\nr2\r\n', 'r1\r\nnew\r\nr2\r\n'],
        [Array.from({ length: 16 }, (_, i) => `${i + 1}\n`).join(''), Array.from({ length: 16 }, (_, i) => (i === 1 ? 'X\n' : i === 13 ? 'Y\n' : `${i + 1}\n`)).join('')]];
      for (const [before, after] of cases) {
        fs.writeFileSync(path.join(dir, 'f'), before);
        const diff = unifiedDiff('f', before, after);
        fs.writeFileSync(path.join(dir, 'f.diff'), diff.replace(/^(---|\+\+\+) [ab]\/f$/gm, (_m, p: string) => `${p} f`));
        const r = spawnSync('patch', ['-s', 'f', 'f.diff'], { cwd: dir, encoding: 'utf8' });
        assert.equal(r.status, 0, `${JSON.stringify(before)}: ${r.stdout}${r.stderr}`);
        assert.equal(fs.readFileSync(path.join(dir, 'f'), 'utf8'), after, JSON.stringify(before));
      }
      assert.equal(unifiedDiff('f', 'same', 'same'), '');
      assert.equal((unifiedDiff('f', cases[5][0], cases[5][1]).match(/^@@/gm) ?? []).length, 2);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('says why a style does not exist for a language', () => {
    const go = docOf(path.join(corpus, 'iac/sam/sam-app-templates/al2023-go-hello/project/hello-world/main.go'));
    assert.throws(() => planAddTracing(go, 'xray'), /X-Ray SDK is not available for go handlers \(available: OpenTelemetry \(recommended\)\)/);
  });

  it('adds the package to package.json and requirements.txt once, keeping their formatting', () => {
    const pkg = { ecosystem: 'npm' as const, name: '@opentelemetry/api', version: '^1.9.0', install: 'npm install @opentelemetry/api' };
    const json = '{\r\n    "name": "x",\r\n    "dependencies": {\r\n        "uuid": "^9"\r\n    }\r\n}\r\n';
    const once = withPackage('package.json', json, pkg)!;
    assert.equal(once, '{\r\n    "name": "x",\r\n    "dependencies": {\r\n        "uuid": "^9",\r\n        "@opentelemetry/api": "^1.9.0"\r\n    }\r\n}\r\n');
    assert.deepEqual(manifestEdits('package.json', once, pkg), []);
    const pip = { ecosystem: 'pip' as const, name: 'aws-lambda-powertools[tracer]', version: '>=3.0', install: '' };
    assert.equal(withPackage('requirements.txt', 'requests==2.32\nboto3', pip), 'requests==2.32\nboto3\naws-lambda-powertools[tracer]>=3.0\n');
    assert.deepEqual(manifestEdits('requirements.txt', 'Aws_Lambda_Powertools==3.1\n', pip), []);
    assert.equal(manifestEdits('pom.xml', '<project/>', { ...pip, ecosystem: 'maven' }), undefined);
  });

  it('CLI --dry-run prints a unified diff and changes nothing; without it edits in place, and a second run does nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-instrument-cli-'));
    try {
      const file = path.join(dir, 'app.py');
      const before = fs.readFileSync(path.join(corpus, 'iac/sam/sam-app-templates/python3.13-hello/project/hello_world/app.py'), 'utf8');
      fs.writeFileSync(file, before);
      fs.writeFileSync(path.join(dir, 'requirements.txt'), 'requests\n');
      fs.mkdirSync(path.join(dir, '.git'));
      let out = '';
      let patched: string | undefined;
      const io = { out: (t: string) => { out += t; }, err: (t: string) => { out += t; } };
      assert.equal(await runInstrumentCli([file, '--style', 'powertools', '--dry-run'], io), 0);
      assert.equal(fs.readFileSync(file, 'utf8'), before);
      assert.match(out, /^--- a\/.*app\.py\n\+\+\+ b\/.*app\.py\n@@ /);
      assert.match(out, /\n\+@tracer\.capture_lambda_handler\n def lambda_handler\(event, context\):/);
      assert.match(out, /\n\+aws-lambda-powertools\[tracer\]>=3\.0\n/);
      // The printed diff is a real patch: applied to a copy it gives what the command writes.
      if (spawnSync('patch', ['--version'], { stdio: 'ignore' }).status === 0) {
        const copy = path.join(dir, 'copy');
        fs.mkdirSync(copy);
        fs.copyFileSync(file, path.join(copy, 'app.py'));
        fs.writeFileSync(path.join(copy, 'app.diff'), out.slice(0, out.indexOf('--- a/', 10) > 0 ? out.indexOf('--- a/', 10) : undefined).replace(/^(---|\+\+\+) [ab]\/.*app\.py$/gm, (_m, p: string) => `${p} app.py`));
        const r = spawnSync('patch', ['-s', 'app.py', 'app.diff'], { cwd: copy, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr + r.stdout);
        patched = fs.readFileSync(path.join(copy, 'app.py'), 'utf8');
      }
      out = '';
      assert.equal(await runInstrumentCli([file, '--style', 'powertools'], io), 0);
      assert.match(fs.readFileSync(file, 'utf8'), /^from aws_lambda_powertools import Tracer$/m);
      if (patched !== undefined) assert.equal(patched, fs.readFileSync(file, 'utf8'));
      assert.equal(fs.readFileSync(path.join(dir, 'requirements.txt'), 'utf8'), 'requests\naws-lambda-powertools[tracer]>=3.0\n');
      const once = fs.readFileSync(file, 'utf8');
      out = '';
      assert.equal(await runInstrumentCli([file, '--style', 'otel'], io), 0);
      assert.match(out, /already traced \(lambda_handler: capture_lambda_handler\); nothing to do/);
      assert.equal(fs.readFileSync(file, 'utf8'), once);
      assert.equal(await runInstrumentCli([file, '--handler', 'nope'], io), 1);
      assert.match(out, /defines no handler named nope \(found: lambda_handler\)/);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('instrument: generated Java compiles against the real API shapes (javac with stubs)', function () {
  this.timeout(60_000);
  before(async () => { await useParsers(['javascript', 'typescript', 'python', 'java', 'go', 'csharp', 'rust']); });
  const stubs: Record<string, string> = {
    'io/opentelemetry/api/GlobalOpenTelemetry.java': 'package io.opentelemetry.api; public final class GlobalOpenTelemetry { public static io.opentelemetry.api.trace.Tracer getTracer(String name) { return null; } }',
    'io/opentelemetry/api/trace/Tracer.java': 'package io.opentelemetry.api.trace; public interface Tracer { SpanBuilder spanBuilder(String name); }',
    'io/opentelemetry/api/trace/SpanBuilder.java': 'package io.opentelemetry.api.trace; public interface SpanBuilder { Span startSpan(); }',
    'io/opentelemetry/api/trace/Span.java': 'package io.opentelemetry.api.trace; public interface Span { Span setAttribute(String k, boolean v); Span recordException(Throwable t); Span setStatus(StatusCode c); void end(); io.opentelemetry.context.Scope makeCurrent(); }',
    'io/opentelemetry/api/trace/StatusCode.java': 'package io.opentelemetry.api.trace; public enum StatusCode { UNSET, OK, ERROR }',
    'io/opentelemetry/context/Scope.java': 'package io.opentelemetry.context; public interface Scope extends AutoCloseable { @Override void close(); }',
    'software/amazon/lambda/powertools/tracing/Tracing.java': 'package software.amazon.lambda.powertools.tracing; public @interface Tracing {}',
    'com/amazonaws/services/lambda/runtime/Context.java': 'package com.amazonaws.services.lambda.runtime; public interface Context { String getAwsRequestId(); }',
    'com/amazonaws/services/lambda/runtime/RequestHandler.java': 'package com.amazonaws.services.lambda.runtime; public interface RequestHandler<I, O> { O handleRequest(I input, Context context); }',
  };
  // A checked exception declared by the handler: the generated catch/rethrow must keep it declarable.
  const handler = [
    'package example;', '', 'import com.amazonaws.services.lambda.runtime.Context;', 'import java.io.IOException;', '',
    'public class Orders {', '    public String handleRequest(String orderId, Context context) throws IOException {',
    '        if (orderId == null) {', '            throw new IOException("no order id");', '        }',
    '        String text = """', '            order %s', '            """;', '        return text.formatted(orderId);', '    }', '}', ''].join('\n');

  it('OpenTelemetry and Powertools edits compile with javac (checked exceptions rethrown, text block untouched)', function () {
    if (spawnSync('javac', ['-version'], { stdio: 'ignore' }).status !== 0) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-instrument-java-'));
    try {
      const files: string[] = [];
      for (const [rel, src] of Object.entries(stubs)) { const f = path.join(dir, 'src', rel); fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, src); files.push(f); }
      for (const style of ['otel', 'powertools'] as const) {
        const doc = docOf('Orders.java', handler);
        const out = applyEdits(handler, planAddTracing(doc, style).edits);
        assert.match(out, /String text = """\n {12}order %s\n {12}"""/, 'the text block content must not be re-indented');
        const f = path.join(dir, style, 'example', 'Orders.java');
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, out);
        files.push(f);
      }
      // "Wrap selection in a span" on the if statement, in the handler already traced with OpenTelemetry.
      const traced = fs.readFileSync(files[files.length - 2], 'utf8');
      const tdoc = docOf('Orders.java', traced);
      const ifAt = traced.indexOf('if (orderId == null)');
      const wrapped = applyEdits(traced, planWrap(tdoc, ifAt, traced.indexOf('}', ifAt) + 1, 'otel').edits);
      assert.match(wrapped, /\n {12}Span span2 = TRACER\.spanBuilder\("work"\)\.startSpan\(\);\n {12}try \(Scope scope2 = span2\.makeCurrent\(\)\) \{\n {16}if \(orderId == null\) \{/);
      fs.writeFileSync(files[files.length - 2], wrapped);
      const r = spawnSync('javac', ['-d', path.join(dir, 'classes-otel'), ...files.filter((f) => !f.includes(`${path.sep}powertools${path.sep}`))], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const p = spawnSync('javac', ['-d', path.join(dir, 'classes-pt'), ...files.filter((f) => !f.includes(`${path.sep}otel${path.sep}`))], { encoding: 'utf8' });
      assert.equal(p.status, 0, p.stderr);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
