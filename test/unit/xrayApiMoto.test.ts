import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutTraceSegmentsCommand, XRayClient } from '@aws-sdk/client-xray';
import { openStore } from '../../src/sources/store/fileTraceStore';
import { pullXRayTraces } from '../../src/sources/xrayApi/xrayApiSource';
import { FAKE_AWS_ENV, startMoto, type Moto } from './helpers/moto';
import { removeDir, tempDir } from './helpers/receiverKit';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

/** Two traces: a Lambda function with an Initialization and a DynamoDB call; an API calling a worker. */
function seedDocuments(nowSec: number): { docs: string[]; traces: Record<string, string[][]> } {
  const t1 = `1-${Math.floor(nowSec - 600).toString(16)}-a1b2c3d4e5f6a7b8c9d0e1f2`;
  const t2 = `1-${Math.floor(nowSec - 300).toString(16)}-0f1e2d3c4b5a69788796a5b4`;
  const s = nowSec - 600;
  const docs = [
    { trace_id: t1, id: '1111111111111111', name: 'orders-fn', origin: 'AWS::Lambda::Function', start_time: s, end_time: s + 0.25,
      subsegments: [
        { id: '2222222222222222', name: 'Initialization', start_time: s, end_time: s + 0.1 },
        { id: '3333333333333333', name: 'DynamoDB', namespace: 'aws', start_time: s + 0.1, end_time: s + 0.2, aws: { operation: 'PutItem', table_name: 'orders' } },
      ] },
    { trace_id: t2, id: '4444444444444444', name: 'api', start_time: s + 300, end_time: s + 301, http: { request: { method: 'GET', url: 'https://x/orders' }, response: { status: 200 } } },
    { trace_id: t2, id: '5555555555555555', parent_id: '4444444444444444', name: 'worker', start_time: s + 300.2, end_time: s + 300.9, fault: true },
  ].map((d) => JSON.stringify(d));
  return {
    docs,
    traces: {
      [t1]: [['DynamoDB', '3333333333333333', '1111111111111111'], ['Initialization', '2222222222222222', '1111111111111111'], ['orders-fn', '1111111111111111', '']],
      [t2]: [['api', '4444444444444444', ''], ['worker', '5555555555555555', '4444444444444444']],
    },
  };
}

describe('X-Ray API source against a real moto server', function () {
  this.timeout(60_000);
  let moto: Moto;
  let client: XRayClient;
  let dirs: string[] = [];
  let seeded: ReturnType<typeof seedDocuments>;
  const nowMs = Date.now();

  before(async () => {
    moto = await startMoto();
    client = new XRayClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    seeded = seedDocuments(nowMs / 1000);
    const put = await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: seeded.docs }));
    assert.deepEqual(put.UnprocessedTraceSegments ?? [], []);
  });
  after(async () => {
    client?.destroy();
    await moto?.stop();
    for (const d of dirs) removeDir(d);
  });
  const newDir = (): string => { const d = tempDir('xray-pull-'); dirs.push(d); return d; };

  async function checkStore(dir: string): Promise<void> {
    const store = await openStore(dir, { readOnly: true });
    for (const [id, want] of Object.entries(seeded.traces)) {
      const trace = await store.getTrace(id);
      assert.ok(trace, `trace ${id} stored`);
      assert.deepEqual(trace.spans.map((s) => [s.name, s.spanId, s.parentSpanId ?? '']).sort(), want);
    }
    assert.equal(store.stats().spans, 5);
    await store.close();
  }

  it('pulls every seeded trace with its spans, then skips them on the next pull', async () => {
    const dir = newDir();
    const store = await openStore(dir);
    const window = { startUnixMs: nowMs - 3_600_000, endUnixMs: nowMs + 60_000 };
    const first = await pullXRayTraces({ store, client, region: 'us-east-1', ...window });
    assert.deepEqual({ ...first, decodeErrors: first.decodeErrors.length },
      { mode: 'xray', traceIdsFound: 2, traceIdsSkipped: 0, tracesFetched: 2, spansAccepted: 5, spansDuplicate: 0, unprocessed: [], decodeErrors: 0 });
    const crash = (await store.getTrace(Object.keys(seeded.traces)[1]))!.spans.find((s) => s.name === 'worker')!;
    assert.equal(crash.xray?.fault, true);
    assert.equal(crash.origin.source, 'xray-api:us-east-1');
    const again = await pullXRayTraces({ store, client, region: 'us-east-1', ...window });
    assert.equal(again.traceIdsSkipped, 2);
    assert.equal(again.tracesFetched, 0);
    await store.close();
    await checkStore(dir);
  });

  describe('through the CLI (dist/cli.js)', () => {
    before(async function () {
      this.timeout(120_000);
      await run(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: ROOT });
    });

    it('`xray pull --endpoint` stores the traces and says what it stored', async () => {
      const dir = newDir();
      const home = newDir();
      const { stdout } = await run(process.execPath, ['dist/cli.js', 'xray', 'pull', '--store', dir, '--endpoint', moto.endpoint, '--since', '2h'], {
        cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...FAKE_AWS_ENV },
      });
      assert.match(stdout, /summaries: window 1\/1, 2 traces found, 0 already stored/);
      assert.match(stdout, /stored 5 spans of 2 traces in .* \(2 traces found, 0 already stored; via BatchGetTraces\)/);
      await checkStore(dir);
    });

    it('without credentials, fails with a message naming what to set', async () => {
      const home = newDir();
      const err = await run(process.execPath, ['dist/cli.js', 'xray', 'pull', '--store', newDir(), '--endpoint', moto.endpoint, '--region', 'us-east-1'], {
        cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none') },
      }).then(() => undefined, (e: { code: number; stderr: string }) => e);
      assert.ok(err);
      assert.equal(err.code, 1);
      assert.match(err.stderr, /No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    });

    it('with an unknown profile, names the profile', async () => {
      const home = newDir();
      const err = await run(process.execPath, ['dist/cli.js', 'xray', 'pull', '--store', newDir(), '--endpoint', moto.endpoint, '--region', 'us-east-1', '--profile', 'nosuch'], {
        cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true' },
      }).then(() => undefined, (e: { code: number; stderr: string }) => e);
      assert.ok(err);
      assert.match(err.stderr, /No AWS credentials: profile 'nosuch' has no usable credentials/);
    });

    it('with --sso and no SSO session, says to run aws sso login for that profile', async () => {
      const home = newDir();
      fs.mkdirSync(path.join(home, '.aws'));
      fs.writeFileSync(path.join(home, '.aws', 'config'), '[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\nregion = us-east-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n');
      const err = await run(process.execPath, ['dist/cli.js', 'xray', 'pull', '--store', newDir(), '--endpoint', moto.endpoint, '--profile', 'dev', '--sso'], {
        cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true' },
      }).then(() => undefined, (e: { code: number; stderr: string }) => e);
      assert.ok(err);
      assert.equal(err.code, 1);
      assert.match(err.stderr, /No AWS credentials: the SSO session of profile 'dev' is missing or expired: run `aws sso login --profile dev`/);
    });
  });
});
