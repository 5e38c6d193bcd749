// X-Ray decoding and trace trees: decodeXRay on real documents repeated (ddbSample, the Go SDK's
// 18-span trace; Powertools datagrams as a capture file holds them) against JSON.parse of the same
// text, and buildTraceTree on a 100k-deep chain against indexing the same spans by id.
import fs from 'node:fs';
import path from 'node:path';
import { line, medianMs, type BenchLine } from './benchLine';
import type { Span } from '../src/core/model';
import { buildTraceTree } from '../src/core/trace';
import { decodeXRay } from '../src/core/xray';

const corpus = path.resolve(__dirname, '../../shared/corpus');
const DOCS = 2000;

/** Distinct ids per copy: the n-th copy's ids end in n's hex digits. */
function withCopyIds(text: string, n: number): string {
  const suffix = n.toString(16).padStart(4, '0');
  return text.replace(/"([0-9a-f]{12})[0-9a-f]{4}"/g, `"$1${suffix}"`);
}

export async function run(): Promise<BenchLine[]> {
  const ddb = JSON.stringify(JSON.parse(fs.readFileSync(path.join(corpus, 'xray/otel-collector-contrib/ddbSample.txt'), 'utf8')));
  const array = `[${Array.from({ length: DOCS }, (_, i) => withCopyIds(ddb, i)).join(',')}]`;
  const decoded = decodeXRay(array, 'bench');
  if (decoded.errors.length || decoded.spans.length !== DOCS * 18) throw new Error(`bench data did not decode: ${JSON.stringify(decoded.errors[0])}`);

  const datagrams = Array.from({ length: 20 }, (_, i) => fs.readFileSync(path.join(corpus, `captured/lambda/powertools-${i + 1}.txt`), 'utf8').trimEnd());
  const stream = Array.from({ length: DOCS / 20 }, (_, i) => withCopyIds(datagrams.join('\n'), i)).join('\n');
  const streamLines = stream.split('\n');
  if (decodeXRay(stream, 'bench').spans.length !== DOCS) throw new Error('datagram stream did not decode');

  const arrayParseMs = await medianMs(() => JSON.parse(array), 5);
  const arrayMs = await medianMs(() => decodeXRay(array, 'bench'), 5);
  const linesParseMs = await medianMs(() => streamLines.map((l) => JSON.parse(l)), 5);
  const streamMs = await medianMs(() => decodeXRay(stream, 'bench'), 5);

  const n = 100_000;
  const chain: Span[] = [];
  const id = (i: number) => i.toString(16).padStart(16, '0');
  for (let i = n; i >= 1; i--) {
    chain.push({
      traceId: '5f1872536a106696d56b1f4ef9eba2ed', spanId: id(i), ...(i > 1 ? { parentSpanId: id(i - 1) } : {}), name: `s${i}`,
      kind: 'internal', startUnixUs: i, endUnixUs: i + 1, status: { code: 'unset' }, attributes: {}, events: [], links: [],
      resource: { attributes: {} }, scope: { name: 'bench' }, origin: { format: 'xray', source: 'bench' },
    });
  }
  const indexMs = await medianMs(() => new Map(chain.map((s) => [s.spanId, s])), 5);
  const treeMs = await medianMs(() => buildTraceTree(chain), 5);

  const mb = (s: string) => (s.length / 1e6).toFixed(1);
  return [
    line(`decodeXRay array of ${DOCS} segment documents, ${DOCS * 18} spans (${mb(array)} MB)`, arrayMs, 'ms', 'JSON.parse of the same text', arrayParseMs, '<= 3'),
    line(`decodeXRay ${DOCS} daemon datagrams, one per line pair (${mb(stream)} MB)`, streamMs, 'ms', 'JSON.parse of each line', linesParseMs, '<= 3'),
    line(`buildTraceTree 100k-deep chain`, treeMs, 'ms', 'a Map from span id to span (the least a tree build does)', indexMs, '<= 3'),
  ];
}
