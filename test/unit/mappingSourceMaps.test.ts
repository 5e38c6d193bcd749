import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { locateSpan, type MappingContext } from '../../src/core/mapping/spanLocation';
import type { Span } from '../../src/core/model';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';
import { sourceMapLookup } from '../../src/sources/workspace/sourceMaps';

const project = path.resolve(__dirname, '../../../shared/corpus/iac/sam/sam-app-templates/nodejs22.x-hello-ts/project');

function spanWithStack(stack: string): Span {
  return {
    traceId: '0'.repeat(32), spanId: '1'.repeat(16), name: 'app', kind: 'server', startUnixUs: 0, endUnixUs: 1,
    status: { code: 'error' }, attributes: {}, links: [], resource: { attributes: {} }, scope: { name: 't' }, origin: { format: 'otlp-json', source: 't' },
    events: [{ name: 'exception', timeUnixUs: 1, attributes: { 'exception.type': 'Error', 'exception.stacktrace': stack } }],
  };
}

describe('bundled handlers through source maps (sam build with esbuild)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-smap-'));
    fs.cpSync(project, dir, { recursive: true });
    // What `sam build` does for `BuildMethod: esbuild` with `Sourcemap: true`.
    buildSync({ entryPoints: [path.join(dir, 'hello-world/app.ts')], bundle: true, platform: 'node', format: 'cjs', sourcemap: true, outfile: path.join(dir, '.aws-sam/build/HelloWorldFunction/app.js'), logLevel: 'silent' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('maps a /var/task/app.js frame of the bundle to hello-world/app.ts', async () => {
    const bundle = fs.readFileSync(path.join(dir, '.aws-sam/build/HelloWorldFunction/app.js'), 'utf8').split('\n');
    const genLine = bundle.findIndex((l) => l.includes('"hello world"') || l.includes("'hello world'")) + 1;
    assert.ok(genLine > 0);
    const col = bundle[genLine - 1].indexOf('message') + 1;
    const { functions } = await new WorkspaceDiscovery(dir).run();
    const fn = functions.find((f) => f.name === 'HelloWorldFunction')!;
    assert.deepEqual([fn.file, fn.line], ['hello-world/app.ts', 13]);
    const ctx: MappingContext = {
      files: ['hello-world/app.ts', 'template.yaml'],
      fn: { codeDir: 'hello-world', handlerFile: fn.file, handlerLine: fn.line },
      generatedMap: sourceMapLookup(dir, { logicalId: 'HelloWorldFunction', codeDir: 'hello-world', projectDir: '.' }),
    };
    const loc = locateSpan(spanWithStack(`Error: boom\n    at lambdaHandler (/var/task/app.js:${genLine}:${col})\n    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)`), ctx);
    assert.deepEqual(loc, { file: 'hello-world/app.ts', line: 18, column: 17, function: 'lambdaHandler', source: 'exception-stack', via: ['source map .aws-sam/build/HelloWorldFunction/app.js.map'] });
  });
});
