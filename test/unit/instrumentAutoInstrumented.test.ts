import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run as runInstrumentCli } from '../../src/cli/commands/instrument';
import type { DiscoveredFunction } from '../../src/core/iac/types';
import { autoInstrumentedSites } from '../../src/core/instrument/autoInstrumented';
import { findHandlers } from '../../src/core/instrument/handlers';
import type { SourceDoc } from '../../src/core/instrument/types';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';
import { loadParsers } from '../../src/sources/workspace/grammars';

const TEXT = [
  'def orders_handler(event, context):',
  '    return {"statusCode": 200}',
  '',
  '',
  'def admin_handler(event, context):',
  '    return {"statusCode": 204}',
  '',
].join('\n');

function fn(name: string, line: number, autoInstrumentation?: string, file = 'src/app.py'): DiscoveredFunction {
  return { name, aliases: [], kind: 'sam', runtime: 'python3.12', handler: `app.${name}`, packageType: 'zip', file, line, declaredIn: 'template.yaml:10',
    memoryMb: 128, timeoutSec: 3, architecture: 'x86_64', warnings: [], ...(autoInstrumentation ? { autoInstrumentation } : {}) };
}

describe('instrument: handlers traced by their deployment (layer, exec wrapper)', () => {
  let doc: SourceDoc;
  before(async () => {
    const parser = (await loadParsers(['python'])).parsers.get('python')!;
    doc = { text: TEXT, root: parser.parse(TEXT)!.rootNode, lang: 'python', fileName: 'app.py' };
  });

  it('a handler whose every declaring function has the OpenTelemetry layer gets the reason; the others none', () => {
    const sites = findHandlers(doc);
    assert.deepEqual(sites.map((s) => s.name), ['orders_handler', 'admin_handler']);
    const auto = autoInstrumentedSites(sites, [fn('Orders', 1, 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument'), fn('Admin', 5)], 'src/app.py');
    assert.deepEqual([...auto].map(([s, why]) => `${s.name}: ${why}`), ['orders_handler: AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument']);
  });

  it('a handler shared with a function without the layer keeps its hint; other files and Windows separators are matched by path', () => {
    const sites = findHandlers(doc);
    assert.equal(autoInstrumentedSites(sites, [fn('Orders', 1, 'layer otel-python'), fn('OrdersCopy', 1)], 'src/app.py').size, 0);
    assert.equal(autoInstrumentedSites(sites, [fn('Orders', 1, 'layer otel-python', 'other/app.py')], 'src/app.py').size, 0);
    assert.equal(autoInstrumentedSites(sites, [fn('Orders', 1, 'layer otel-python')], 'src\\app.py').get(sites[0]), 'layer otel-python');
  });

  it('end to end: a SAM function with AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument is found traced; the CLI still instruments it and says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-auto-'));
    try {
      fs.mkdirSync(path.join(dir, '.git'));
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'src/app.py'), TEXT);
      fs.writeFileSync(path.join(dir, 'template.yaml'), ['AWSTemplateFormatVersion: "2010-09-09"', 'Transform: AWS::Serverless-2016-10-31', 'Resources:',
        '  OrdersFunction:', '    Type: AWS::Serverless::Function', '    Properties:', '      CodeUri: src/', '      Handler: app.orders_handler', '      Runtime: python3.12',
        '      Environment:', '        Variables:', '          AWS_LAMBDA_EXEC_WRAPPER: /opt/otel-instrument',
        '  AdminFunction:', '    Type: AWS::Serverless::Function', '    Properties:', '      CodeUri: src/', '      Handler: app.admin_handler', '      Runtime: python3.12', ''].join('\n'));
      const found = await new WorkspaceDiscovery(dir).run();
      const auto = autoInstrumentedSites(findHandlers(doc), found.functions, 'src/app.py');
      assert.deepEqual([...auto].map(([s, why]) => `${s.name}: ${why}`), ['orders_handler: AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument']);
      let out = '';
      const io = { out: (t: string) => { out += t; }, err: (t: string) => { out += t; } };
      assert.equal(await runInstrumentCli([path.join(dir, 'src/app.py'), '--handler', 'orders_handler', '--dry-run'], io), 0);
      assert.match(out, /\n {2}note: orders_handler is already traced by its deployment \(AWS_LAMBDA_EXEC_WRAPPER=\/opt\/otel-instrument\); these spans add to the ones it records\n/);
      out = '';
      assert.equal(await runInstrumentCli([path.join(dir, 'src/app.py'), '--handler', 'admin_handler', '--dry-run'], io), 0);
      assert.doesNotMatch(out, /already traced by its deployment/);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
