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

  const n = data.spans;
  const treeBytes = retainedBytes(() => JSON.parse(json)) / n;
  const pbBytes = retainedBytes(() => decodeOtlpProtobuf(protobuf, 'bench.pb')) / n;
  const jsonBytes = retainedBytes(() => decodeOtlpJson(json, 'bench.json')) / n;
  const mb = (json.length / 1e6).toFixed(1);
  return [
    line(`ingest OTLP/JSON ${n} spans (${mb} MB)`, jsonMs, 'ms', 'JSON.parse of the same text', parseMs, '<= 1.3'),
    line(`ingest OTLP/protobuf ${n} spans (${(protobuf.length / 1e6).toFixed(1)} MB)`, pbMs, 'ms', 'JSON.parse of the equivalent JSON', parseMs, '<= 0.7'),
    line('heap per decoded span (protobuf)', pbBytes, 'bytes/span', 'JSON.parse tree per span', treeBytes, 'value <= 500'),
    line('heap per decoded span (JSON)', jsonBytes, 'bytes/span', 'JSON.parse tree per span', treeBytes, 'value <= 500'),
  ];
}
