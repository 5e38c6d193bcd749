import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { decodeXRay, decodeXRayDatagram } from '../../src/core/xray';
import type { Span } from '../../src/core/model';
import { codeAttributes, locateSpan, type MappingContext, summarizeMapping } from '../../src/core/mapping/spanLocation';
import { parseStackTrace, xrayStackFrames } from '../../src/core/mapping/stackFrames';
import { mapDeployedPath } from '../../src/core/mapping/deployedPath';
import { findSymbolLine } from '../../src/core/code/symbols';
import { loadParsers } from '../../src/sources/workspace/grammars';
import { walkWorkspace } from '../../src/sources/workspace/walk';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const lambdaDir = path.join(corpus, 'captured/lambda');
const files = [...walkWorkspace(lambdaDir).keys()];

function otlp(file: string): Span[] {
  return decodeOtlpJson(fs.readFileSync(path.join(lambdaDir, file), 'utf8'), file).spans;
}
function datagram(file: string): Span[] {
  return decodeXRayDatagram(new Uint8Array(fs.readFileSync(path.join(lambdaDir, file))), file).spans;
}

describe('stack trace text', () => {
  it('reads the real V8 exception.stacktrace of otel-lambda-3, innermost frame first', () => {
    const st = otlp('otel-lambda-3.json').flatMap((s) => s.events).find((e) => e.name === 'exception')!.attributes['exception.stacktrace'] as string;
    const p = parseStackTrace(st);
    assert.equal(p.format, 'v8');
    assert.equal(p.frames.length, 8);
    assert.deepEqual(p.frames[0], { file: '/var/task/orders/index.js', line: 25, column: 18, function: 'IncomingMessage.<anonymous>' });
    assert.deepEqual(p.frames[1], { file: '/var/task/orders/node_modules/@opentelemetry/context-async-hooks/build/src/AbstractAsyncHooksContextManager.js', line: 35, column: 55 });
  });

  it('reads Python, Java and .NET traces in their printed forms', () => {
    const py = parseStackTrace('Traceback (most recent call last):\n  File "/var/task/app.py", line 12, in lambda_handler\n    x = f()\n  File "/var/task/lib/util.py", line 3, in f\n    raise ValueError("x")\nValueError: x');
    assert.equal(py.format, 'python');
    assert.deepEqual(py.frames, [{ file: '/var/task/lib/util.py', line: 3, function: 'f' }, { file: '/var/task/app.py', line: 12, function: 'lambda_handler' }]);
    const java = parseStackTrace('java.lang.IllegalStateException: boom\n\tat example.HandlerSQS.handleRequest(HandlerSQS.java:27)\n\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)');
    assert.equal(java.format, 'java');
    assert.deepEqual(java.frames[0], { file: 'example/HandlerSQS.java', line: 27, function: 'example.HandlerSQS.handleRequest' });
    assert.equal(java.frames[1].line, null);
    const net = parseStackTrace('System.Exception: boom\n   at blankCsharp.Function.FunctionHandler(SQSEvent invocationEvent, ILambdaContext context) in /src/blank-csharp/Function.cs:line 42\n   at lambda_method1(Closure, Stream, ILambdaContext, Stream)');
    assert.equal(net.format, 'dotnet');
    assert.deepEqual(net.frames, [{ file: '/src/blank-csharp/Function.cs', line: 42, function: 'blankCsharp.Function.FunctionHandler' }]);
  });

  it('puts the Python X-Ray SDK stack (outermost first) innermost first, under working_directory', () => {
    const s = datagram('python-lambda-14.txt')[0];
    const frames = xrayStackFrames(s.xray!.exceptions![0].stack, s.xray!.workingDirectory);
    assert.deepEqual(frames.map((f) => `${f.file}:${f.line}`), ['/var/task/orders/lambda_function.py:30', '/var/task/orders/lambda_function.py:47', '/var/task/orders/runtime.py:47', '/var/task/orders/runtime.py:57']);
  });
});

describe('span to source line over captured Lambda traces', () => {
  let symbols: (file: string, name: string) => number | undefined;
  before(async () => {
    const { parsers } = await loadParsers(['typescript', 'python', 'javascript']);
    symbols = (file, name) => {
      const lang = file.endsWith('.py') ? 'python' : file.endsWith('.ts') ? 'typescript' : 'javascript';
      const tree = parsers.get(lang)!.parse(fs.readFileSync(path.join(lambdaDir, file), 'utf8'));
      return tree ? findSymbolLine(tree.rootNode, name) : undefined;
    };
  });

  it('maps the OTel exception frame /var/task/orders/index.js:25 to handlers/otel/index.js:25', () => {
    const spans = otlp('otel-lambda-3.json');
    const ctx: MappingContext = { files, fn: { codeDir: 'handlers/otel', handlerFile: 'handlers/otel/index.js', handlerLine: 47 } };
    const lambdaSpan = spans.find((s) => s.kind === 'server')!;
    assert.deepEqual(locateSpan(lambdaSpan, ctx), { file: 'handlers/otel/index.js', line: 25, column: 18, function: 'IncomingMessage.<anonymous>', source: 'exception-stack', via: ['/var/task/orders is handlers/otel'] });
    const summary = summarizeMapping(spans.map((s) => locateSpan(s, ctx)));
    assert.deepEqual(summary, { mapped: 1, unmapped: 2, reasons: { 'no code attributes, stack or function name to map': 2 } });
  });

  it('maps the Powertools cause (compiled index.js:41) through a tsc source map to index.ts:36', () => {
    const dir = 'handlers/powertools';
    const src = fs.readFileSync(path.join(lambdaDir, dir, 'index.ts'), 'utf8');
    const out = ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: true, esModuleInterop: true, sourceMap: true }, fileName: 'index.ts' });
    assert.equal(out.outputText.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'), fs.readFileSync(path.join(lambdaDir, dir, 'index.js'), 'utf8'), 'tsc 5.9 reproduces the captured output');
    const mapFile = `${dir}/index.js.map`;
    const ctx: MappingContext = {
      files: [...files, mapFile].sort(),
      fn: { codeDir: dir, handlerFile: `${dir}/index.ts`, handlerLine: 47 },
      readText: (f) => (f === mapFile ? out.sourceMapText : fs.readFileSync(path.join(lambdaDir, f), 'utf8')),
      findSymbol: (f, n) => symbols(f, n),
    };
    const check = datagram('powertools-14.txt')[0];
    assert.deepEqual(locateSpan(check, ctx), { file: `${dir}/index.ts`, line: 36, column: 13, function: 'IncomingMessage.<anonymous>', source: 'xray-cause', via: ['/var/task/orders is handlers/powertools', `source map ${mapFile}`] });
    const handler = datagram('powertools-15.txt')[0];
    assert.equal(handler.name, '## index.handler');
    assert.deepEqual(locateSpan(handler, ctx), { file: `${dir}/index.ts`, line: 47, function: 'index.handler', source: 'powertools', via: ['## subsegment is the handler'] });
    const load = datagram('powertools-2.txt')[0];
    assert.equal(load.name, '### loadOrder');
    assert.deepEqual(locateSpan(load, ctx), { file: `${dir}/index.ts`, line: 20, function: 'loadOrder', source: 'powertools', via: ['### loadOrder declared in the handler file'] });
  });

  it('maps the Python SDK cause to lambda_function.py:30 and local subsegments to their def lines', () => {
    const dir = 'handlers/python';
    const ctx: MappingContext = { files, fn: { codeDir: dir, handlerFile: `${dir}/lambda_function.py`, handlerLine: 36 }, findSymbol: (f, n) => symbols(f, n) };
    const check = datagram('python-lambda-14.txt')[0];
    assert.deepEqual(locateSpan(check, ctx), { file: `${dir}/lambda_function.py`, line: 30, function: 'check_inventory', source: 'xray-cause', via: ['/var/task/orders is handlers/python'] });
    const results = Array.from({ length: 20 }, (_, i) => datagram(`python-lambda-${i + 1}.txt`)[0]).map((s) => locateSpan(s, ctx));
    const byName = new Map(results.map((r, i) => [datagram(`python-lambda-${i + 1}.txt`)[0].name, r]));
    assert.deepEqual(byName.get('load_order'), { file: `${dir}/lambda_function.py`, line: 21, function: 'load_order', source: 'function-subsegment', via: ['X-Ray local subsegment named after a function'] });
    assert.deepEqual(summarizeMapping(results), { mapped: 12, unmapped: 8, reasons: { 'no code attributes, stack or function name to map': 8 } }, 'dynamodb and 127.0.0.1 subsegments are calls, not code');
  });

  it('counts the Go sample app frames of ddbSample.txt as unmapped: that source is not in the workspace', () => {
    const spans = decodeXRay(fs.readFileSync(path.join(corpus, 'xray/otel-collector-contrib/ddbSample.txt'), 'utf8'), 'ddbSample.txt').spans;
    const withCause = spans.filter((s) => s.xray?.exceptions?.length);
    assert.equal(withCause.length, 5);
    const s = summarizeMapping(withCause.map((x) => locateSpan(x, { files })));
    assert.deepEqual(s, { mapped: 0, unmapped: 5, reasons: { 'no workspace file matches this path': 4, 'only library or runtime frames': 1 } }, 'DDB holds only runtime/proc.go and asm frames');
    const sample = mapDeployedPath('sampleapp/sample.go', ['app/sampleapp/sample.go', 'app/other.go']);
    assert.deepEqual(sample, { file: 'app/sampleapp/sample.go', via: 'path suffix sampleapp/sample.go' });
  });
});

describe('code attributes and deployed paths', () => {
  it('prefers code.file.path/code.line.number and falls back to the deprecated code.filepath/code.lineno/code.function', () => {
    assert.deepEqual(codeAttributes({ 'code.file.path': 'src/a.py', 'code.line.number': 7, 'code.function.name': 'h', 'code.filepath': 'old.py', 'code.lineno': 1 }), { file: 'src/a.py', line: 7, column: undefined, function: 'h' });
    assert.deepEqual(codeAttributes({ 'code.filepath': '/var/task/app.py', 'code.lineno': '12', 'code.function': 'handler', 'code.namespace': 'app' }), { file: '/var/task/app.py', line: 12, column: undefined, function: 'app.handler', namespace: 'app' });
  });

  it('maps /var/task, .aws-sam/build/<Fn>, developer paths and refuses unknown /opt layers and node_modules', () => {
    const ws = ['sam/app/hello_world/app.py', 'sam/app/hello_world/util.py', 'svc/app.py'];
    const fn = { codeDir: 'sam/app/hello_world' };
    assert.deepEqual(mapDeployedPath('/var/task/app.py', ws, fn), { file: 'sam/app/hello_world/app.py', via: '/var/task is sam/app/hello_world' });
    assert.deepEqual(mapDeployedPath('/home/dev/proj/.aws-sam/build/HelloWorldFunction/util.py', ws, undefined, new Map([['HelloWorldFunction', 'sam/app/hello_world']])), { file: 'sam/app/hello_world/util.py', via: '.aws-sam/build/HelloWorldFunction is sam/app/hello_world' });
    assert.deepEqual(mapDeployedPath('/opt/python/lib/x.py', ws, fn), { unmapped: 'no layer in the workspace contains it' });
    assert.deepEqual(mapDeployedPath('/var/task/node_modules/x/index.js', ws, fn), { unmapped: 'library or runtime frame' });
    assert.deepEqual(mapDeployedPath('/Users/me/work/app.py', ws), { unmapped: '2 workspace files end with app.py', candidates: ['sam/app/hello_world/app.py', 'svc/app.py'] });
    assert.deepEqual(mapDeployedPath('/Users/me/work/app.py', ws, { codeDir: 'svc' }), { file: 'svc/app.py', via: 'path suffix app.py in svc' });
  });
});
