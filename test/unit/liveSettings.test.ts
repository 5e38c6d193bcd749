import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { classifyXRayError, parseSinceMs, resolveWatchPaths } from '../../src/sources/liveSettings';
import { openStore } from '../../src/sources/store/fileTraceStore';
import { pullXRayTraces } from '../../src/sources/xrayApi/xrayApiSource';
import { abortError } from '../../src/sources/xrayApi/retry';
import { FAKE_AWS_ENV, freePort } from './helpers/moto';
import { removeDir, tempDir } from './helpers/receiverKit';

describe('live source settings and failures', () => {
  describe('parseSinceMs (traceInsight.xray.since)', () => {
    it('reads seconds, minutes, hours and days, with spaces and fractions', () => {
      assert.deepEqual(['90s', '30m', '1h', ' 6 h ', '2d', '1.5h', '2D'].map(parseSinceMs),
        [90_000, 1_800_000, 3_600_000, 21_600_000, 172_800_000, 5_400_000, 172_800_000]);
    });
    it('refuses what is not a positive duration', () => {
      assert.deepEqual(['', '1', 'h', '0m', '-1h', '1w', '1h30m', 'one hour'].map(parseSinceMs), Array(8).fill(undefined));
    });
  });

  describe('resolveWatchPaths (traceInsight.watchFiles)', () => {
    it('takes ~/ from home and relative paths from the workspace folder, dropping duplicates', () => {
      assert.deepEqual(resolveWatchPaths(['otel/traces.jsonl', '~/collector/out.json', '/var/log/otel.json', './otel/traces.jsonl'], '/ws/app', '/home/dev'),
        ['/ws/app/otel/traces.jsonl', '/home/dev/collector/out.json', '/var/log/otel.json']);
    });
    it('uses the home folder when no folder is open', () => {
      assert.deepEqual(resolveWatchPaths(['t.json'], undefined, '/home/dev'), ['/home/dev/t.json']);
    });
  });

  describe('classifyXRayError, on errors from real pulls', function () {
    this.timeout(30_000);
    const dirs: string[] = [];
    const saved = { ...process.env };
    after(() => {
      for (const d of dirs) removeDir(d);
      process.env = saved;
    });

    it('says network when the endpoint does not answer', async () => {
      const dir = tempDir('live-net-'); dirs.push(dir);
      Object.assign(process.env, FAKE_AWS_ENV);
      const store = await openStore(dir);
      const port = await freePort();
      const err = await pullXRayTraces({
        store, region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, startUnixMs: 0, endUnixMs: 60_000, retry: { maxAttempts: 1 },
      }).then(() => undefined, (e: unknown) => e);
      await store.close();
      assert.ok(err, 'the pull should fail');
      assert.equal(classifyXRayError(err), 'network', String(err));
    });

    it('says credentials when the named profile does not exist', async () => {
      const dir = tempDir('live-cred-'); dirs.push(dir);
      const empty = path.join(dir, 'empty-aws-config');
      fs.writeFileSync(empty, '');
      process.env.AWS_CONFIG_FILE = empty;
      process.env.AWS_SHARED_CREDENTIALS_FILE = empty;
      const store = await openStore(path.join(dir, 'store'));
      const err = await pullXRayTraces({
        store, region: 'us-east-1', profile: 'no-such-profile', endpoint: 'http://127.0.0.1:9', startUnixMs: 0, endUnixMs: 60_000, retry: { maxAttempts: 1 },
      }).then(() => undefined, (e: unknown) => e);
      await store.close();
      assert.equal(classifyXRayError(err), 'credentials', String(err));
    });

    it('tells throttling, cancellation, region and other failures apart', () => {
      const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException', $metadata: { httpStatusCode: 429 } });
      assert.equal(classifyXRayError(throttled), 'throttled');
      assert.equal(classifyXRayError(abortError()), 'cancelled');
      assert.equal(classifyXRayError(new Error('No AWS region: set AWS_REGION or pass --region (e.g. --region us-east-1).')), 'region');
      assert.equal(classifyXRayError(new Error('Access denied: the credentials need xray:GetTraceSummaries')), 'accessDenied');
      assert.equal(classifyXRayError(Object.assign(new Error('bad'), { name: 'InvalidRequestException' })), 'other');
      assert.equal(classifyXRayError(Object.assign(new Error('fetch failed'), { cause: { code: 'ENOTFOUND' } })), 'network');
    });
  });
});
