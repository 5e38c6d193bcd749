// OTLP ingest: decoding a 20k-span Lambda data set (real SDK + otlp-transformer bodies) against
// JSON.parse of the same JSON text, and the heap the decoded spans keep.
import { line, medianMs, type BenchLine } from './benchLine';
import { lambdaDataset } from './data/lambdaDataset';
import { decodeOtlpJson } from '../src/core/otlpJson';
import { decodeOtlpProtobuf } from '../src/core/otlpProtobuf';

const SPANS = 20000;

/** Heap bytes retained by what `make` returns, measured with forced GCs (needs --expose-gc). */
function retainedBytes(make: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  gc(); gc();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  gc(); gc();
  const after = process.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error('nothing kept');
  return after - before;
}

export async function run(): Promise<BenchLine[]> {
  const data = await lambdaDataset(SPANS);
  const { json, protobuf } = data;
  const check = decodeOtlpProtobuf(protobuf, 'bench.pb');
  if (check.errors.length || check.spans.length !== data.spans) throw new Error(`bench data did not decode: ${JSON.stringify(check.errors[0])}`);

  // This machine is shared: load changes from second to second. Rounds that interleave the three
  // give each the same conditions; wall and CPU time (user + system) are both taken per call.
  const { wall, cpu } = interleavedMs({
    parse: () => JSON.parse(json),
    json: () => decodeOtlpJson(json, 'bench.json'),
    pb: () => decodeOtlpProtobuf(protobuf, 'bench.pb'),
  }, 11);
  const parseMs = wall.parse, jsonMs = wall.json, pbMs = wall.pb;

  // A typical request-sized document (below SCAN_MIN_CHARS, so the JSON.parse path): the ratio the
  // scanner would have to beat to be used for it too.
  const small = (await lambdaDataset(1000)).json;
  const smallParseMs = await medianMs(() => JSON.parse(small), 9);
  const smallJsonMs = await medianMs(() => decodeOtlpJson(small, 'small.json'), 9);
  const smallScanMs = await medianMs(() => decodeOtlpJson(small, 'small.json', 0), 9);

  const n = data.spans;
  const treeBytes = retainedBytes(() => JSON.parse(json)) / n;
  const pbBytes = retainedBytes(() => decodeOtlpProtobuf(protobuf, 'bench.pb')) / n;
  const jsonBytes = retainedBytes(() => decodeOtlpJson(json, 'bench.json')) / n;
  // The scanner copies strings out of the text: a V8 sliced string would keep all of it alive,
  // which the line above cannot see (the bench keeps `json`). Here the decoder gets its own copy.
  const ownTextBytes = retainedBytes(() => decodeOtlpJson(JSON.stringify(JSON.parse(json)), 'bench.json')) / n;
  const jsonWhat = `ingest OTLP/JSON ${n} spans (${(json.length / 1e6).toFixed(1)} MB)`;
  const pbWhat = `ingest OTLP/protobuf ${n} spans (${(protobuf.length / 1e6).toFixed(1)} MB)`;
  return [
    line(jsonWhat, jsonMs, 'ms', 'JSON.parse of the same text', parseMs, '<= 1.3'),
    line(pbWhat, pbMs, 'ms', 'JSON.parse of the equivalent JSON', parseMs, '<= 0.7'),
    line(`${jsonWhat}, CPU time`, cpu.json, 'ms', 'JSON.parse of the same text, CPU time', cpu.parse, '<= 1.3'),
    line(`${pbWhat}, CPU time`, cpu.pb, 'ms', 'JSON.parse of the equivalent JSON, CPU time', cpu.parse, '<= 0.7'),
    line(`ingest OTLP/JSON 1000 spans (${(small.length / 1e6).toFixed(1)} MB)`, smallJsonMs, 'ms', 'JSON.parse of the same text', smallParseMs),
    line(`ingest OTLP/JSON 1000 spans (${(small.length / 1e6).toFixed(1)} MB) through the scanner`, smallScanMs, 'ms', 'JSON.parse of the same text', smallParseMs),
    line('heap per decoded span (protobuf)', pbBytes, 'bytes/span', 'JSON.parse tree per span', treeBytes, 'value <= 500'),
    line('heap per decoded span (JSON)', jsonBytes, 'bytes/span', 'JSON.parse tree per span', treeBytes, 'value <= 500'),
    line('heap per decoded span (JSON, text dropped after decoding)', ownTextBytes, 'bytes/span', 'JSON.parse tree per span', treeBytes, 'value <= 500'),
  ];
}

/** Median wall and CPU milliseconds (user + system) of each function, over `rounds` rounds that run each once. */
function interleavedMs<K extends string>(fns: Record<K, () => unknown>, rounds: number): { wall: Record<K, number>; cpu: Record<K, number> } {
  const keys = Object.keys(fns) as K[];
  const wallTimes = new Map<K, number[]>(keys.map((k) => [k, []]));
  const cpuTimes = new Map<K, number[]>(keys.map((k) => [k, []]));
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let r = 0; r <= rounds; r++) {
    for (const k of keys) {
      const c0 = cpuMs();
      const t0 = performance.now();
      fns[k]();
      const t1 = performance.now();
      const c1 = cpuMs();
      if (r > 0) { wallTimes.get(k)!.push(t1 - t0); cpuTimes.get(k)!.push(c1 - c0); } // round 0 warms up
    }
  }
  const median = (m: Map<K, number[]>): Record<K, number> => {
    const out = {} as Record<K, number>;
    for (const k of keys) {
      const t = m.get(k)!.sort((a, b) => a - b);
      out[k] = t[Math.floor(t.length / 2)];
    }
    return out;
  };
  return { wall: median(wallTimes), cpu: median(cpuTimes) };
}
