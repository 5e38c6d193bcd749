import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/sources/store/fileTraceStore';
import { tempDir, traceIdOf } from './storeHelpers';

const repo = path.resolve(__dirname, '../..');

// The child appends batches as fast as it can and prints "ack <n>" once append(n) has resolved.
const childSource = (storeDir: string) => `
import { openStore } from ${JSON.stringify(path.join(repo, 'src/sources/store/fileTraceStore.ts'))};
import { makeSpan } from ${JSON.stringify(path.join(repo, 'test/unit/storeHelpers.ts'))};
void (async () => {
  const store = await openStore(${JSON.stringify(storeDir)}, { segmentBytes: 64 * 1024 });
  for (let n = 1; ; n++) {
    const spans = Array.from({ length: 20 }, (_, i) => makeSpan(n, i + 1, { attributes: { pad: 'p'.repeat(200) } }));
    await store.append(spans);
    process.stdout.write('ack ' + n + '\\n');
  }
})();
`;

describe('FileTraceStore crash safety', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir('ti-crash-'); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('keeps every acknowledged batch when the writer is killed with SIGKILL mid-stream', async () => {
    const storeDir = path.join(dir, 'store');
    const script = path.join(dir, 'child.ts');
    fs.writeFileSync(script, childSource(storeDir));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`))));
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        for (const m of buffered.matchAll(/ack (\d+)\n/g)) acked = Math.max(acked, Number(m[1]));
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
        if (acked >= 150) child.kill('SIGKILL');
      });
    });
    assert.ok(acked >= 150);

    const store = await openStore(storeDir);
    for (let n = 1; n <= acked; n++) {
      const trace = await store.getTrace(traceIdOf(n));
      assert.equal(trace?.spans.length, 20, `trace ${n} of ${acked} acknowledged`);
    }
    // Whatever the kill cut off is skipped with a warning and never fatal; the store takes new data.
    for (const w of store.warnings) assert.match(w, /torn last record|truncated to/);
    assert.deepEqual(await store.append([...(await store.getTrace(traceIdOf(1)))!.spans]), { accepted: 0, duplicates: 20 });
    await store.close();
  });
});
