import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { DecodeError } from '../../src/core/model';
import { decodeCollectorFile } from '../../src/core/collectorFile';
import { openStore, type FileTraceStore } from '../../src/sources/store/fileTraceStore';
import { watchCollectorFiles, type FileWatcher } from '../../src/sources/fileWatch';
import { removeDir, tempDir } from './helpers/receiverKit';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');
// Real Collector file-exporter output: 97 lines of traces, metrics and logs; 547 spans in 141 traces.
const LINES = fs.readFileSync(path.join(CORPUS, 'otlp/fileexporter/otel-tui/test_data.json'), 'utf8').split('\n').filter((l) => l).map((l) => l + '\n');

function spansIn(lines: string[]): number {
  return decodeCollectorFile(lines.join(''), 'x').spans.length;
}

describe('tailing Collector file-exporter output', () => {
  let dir: string;
  let file: string;
  let store: FileTraceStore;
  let watcher: FileWatcher;
  let errors: DecodeError[];

  beforeEach(async () => {
    dir = tempDir('filewatch-');
    file = path.join(dir, 'traces.json');
    store = await openStore(path.join(dir, 'store'));
    errors = [];
    // pollMs 0: the test decides when to look, so nothing depends on timing.
    watcher = watchCollectorFiles({ store, paths: [file], pollMs: 0, onError: (e) => errors.push(e) });
  });
  afterEach(async () => {
    await watcher.close();
    await store.close();
    removeDir(dir);
  });

  it('imports lines as they are written; a half-written line waits for its newline', async () => {
    await watcher.poll();
    assert.equal(store.stats().spans, 0, 'a missing file is not an error');
    fs.writeFileSync(file, LINES.slice(0, 30).join('') + LINES[30].slice(0, 1000));
    await watcher.poll();
    assert.equal(watcher.counters.lines, 30);
    assert.equal(store.stats().spans, spansIn(LINES.slice(0, 30)));
    fs.appendFileSync(file, LINES[30].slice(1000) + LINES.slice(31, 60).join(''));
    await watcher.poll();
    assert.equal(watcher.counters.lines, 60);
    assert.equal(store.stats().spans, spansIn(LINES.slice(0, 60)));
    assert.deepEqual(errors, []);
  });

  it('never reads what it already read again', async () => {
    fs.writeFileSync(file, LINES.slice(0, 10).join(''));
    await watcher.poll();
    // Scribble over the part already read, same size: a re-read would report broken lines.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(200, 0x7b), 0, 200, 0);
    fs.closeSync(fd);
    fs.appendFileSync(file, LINES.slice(10, 12).join(''));
    await watcher.poll();
    assert.deepEqual(errors, []);
    assert.equal(watcher.counters.lines, 12);
    assert.equal(store.stats().spans, spansIn(LINES.slice(0, 12)));
    assert.ok(spansIn(LINES.slice(10, 12)) > 0);
  });

  it('follows rotation: finishes the old file, then reads the new one from its start', async () => {
    fs.writeFileSync(file, LINES.slice(0, 40).join(''));
    await watcher.poll();
    // The Collector rotates: it renames the file (and may still flush to it), then starts a new one.
    fs.renameSync(file, `${file}.1`);
    fs.appendFileSync(`${file}.1`, LINES.slice(40, 50).join(''));
    fs.writeFileSync(file, LINES.slice(50).join(''));
    await watcher.poll();
    assert.equal(watcher.counters.rotations, 1);
    assert.equal(watcher.counters.lines, 97);
    assert.deepEqual(store.stats().spans, 547);
    assert.deepEqual(store.stats().traces, 141);
    assert.deepEqual(errors, []);
  });

  it('starts again at the top after truncation', async () => {
    fs.writeFileSync(file, LINES.slice(0, 20).join(''));
    await watcher.poll();
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, LINES.slice(0, 12).join(''));
    await watcher.poll();
    assert.equal(watcher.counters.truncations, 1);
    assert.equal(watcher.counters.spansDuplicate, 15);
    fs.appendFileSync(file, LINES.slice(12, 25).join(''));
    await watcher.poll();
    assert.equal(store.stats().spans, spansIn(LINES.slice(0, 25)));
  });

  it('reports a bad line with its line number in the file and imports the lines around it', async () => {
    fs.writeFileSync(file, LINES.slice(0, 12).join(''));
    await watcher.poll();
    fs.appendFileSync(file, '{"resourceSpans": [ broken\n' + LINES.slice(12, 15).join(''));
    await watcher.poll();
    assert.equal(errors.length, 1);
    assert.equal(errors[0].source, file);
    assert.equal(errors[0].line, 13);
    assert.match(errors[0].reason, /malformed JSON/);
    assert.equal(store.stats().spans, spansIn(LINES.slice(0, 15)));
  });

  it('can start at the end of an existing file and import only what is appended', async () => {
    fs.writeFileSync(path.join(dir, 'old.json'), LINES.slice(0, 30).join(''));
    const w2 = watchCollectorFiles({ store, paths: [path.join(dir, 'old.json')], pollMs: 0, fromStart: false });
    await w2.poll();
    assert.equal(store.stats().spans, 0);
    fs.appendFileSync(path.join(dir, 'old.json'), LINES.slice(30, 35).join(''));
    await w2.poll();
    assert.equal(store.stats().spans, 20);
    await w2.close();
  });
});
