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

  const parseMs = await medianMs(() => JSON.parse(json), 7);
  const jsonMs = await medianMs(() => decodeOtlpJson(json, 'bench.json'), 7);
  const pbMs = await medianMs(() => decodeOtlpProtobuf(protobuf, 'bench.pb'), 7);
  // This machine is shared: wall time also counts waiting for a core. CPU time of rounds that
  // interleave the three is the steadier comparison.
  const cpu = interleavedCpuMs({
    parse: () => JSON.parse(json),
    json: () => decodeOtlpJson(json, 'bench.json'),
    pb: () => decodeOtlpProtobuf(protobuf, 'bench.pb'),
  }, 9);

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

/** Median CPU milliseconds (user + system) of each function, over `rounds` rounds that run each once. */
function interleavedCpuMs<K extends string>(fns: Record<K, () => unknown>, rounds: number): Record<K, number> {
  const keys = Object.keys(fns) as K[];
  const times = new Map<K, number[]>(keys.map((k) => [k, []]));
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let r = 0; r <= rounds; r++) {
    for (const k of keys) {
      const t0 = cpuMs();
      fns[k]();
      if (r > 0) times.get(k)!.push(cpuMs() - t0); // round 0 warms up
    }
  }
  const out = {} as Record<K, number>;
  for (const k of keys) {
    const t = times.get(k)!.sort((a, b) => a - b);
    out[k] = t[Math.floor(t.length / 2)];
  }
  return out;
}
