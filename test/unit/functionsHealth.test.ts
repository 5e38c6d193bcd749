import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeBytes } from '../../src/core/decode';
import type { Span, TraceSummary } from '../../src/core/model';
import { summarizeTrace } from '../../src/core/summary';
import { groupByTrace } from '../../src/core/trace';
import { groupByFunction, InvocationCache, sortFunctions, sortTraces } from '../../src/sources/functionsHealth';

const FIXTURES = path.resolve(__dirname, '../fixtures/samAppTraces');
const NODE_FN = 'orders-api-OrdersFunction-9XK2L';
const PY_FN = 'orders-api-OrdersPythonFunction-4HT7QZXW1ABC';

function load(): { traces: Map<string, Span[]>; summaries: TraceSummary[] } {
  const spans = ['orders-node.otlp.json', 'orders-python.otlp.json'].flatMap((f) => decodeBytes(fs.readFileSync(path.join(FIXTURES, f)), f).spans);
  const traces = groupByTrace(spans);
  const summaries = [...traces].map(([id, s]) => summarizeTrace(id, s)).sort((a, b) => b.startUnixMs - a.startUnixMs);
  return { traces, summaries };
}

describe('Functions view health (samApp traces from the real OTel SDK)', () => {
  const { traces, summaries } = load();
  const reads: string[] = [];
  const reader = async (id: string) => { reads.push(id); return { traceId: id, spans: traces.get(id) ?? [] }; };
  // the samApp template: Globals Timeout 10 s
  const timeouts = (name: string) => (name === NODE_FN || name === PY_FN ? 10 : undefined);

  it('rates each function from its invocations: 5% errors is a warning, p99 + INIT p95 past the timeout is failing', async () => {
    const cache = new InvocationCache(reader);
    await cache.update(summaries);
    const health = cache.health(timeouts);
    const node = health.get(NODE_FN);
    const py = health.get(PY_FN);
    assert.ok(node && py);
    assert.deepEqual([node.invocations, node.errors, node.errorRate, node.coldStarts, node.p95Ms, node.level, node.timeoutRisk], [40, 2, 0.05, 4, 285, 'warning', undefined]);
    assert.deepEqual([py.invocations, py.errors, py.p95Ms, py.level, py.timeoutRisk?.severity], [10, 0, 9600, 'failing', 'critical']);
    assert.equal(py.timeoutRisk?.message, 'p99 + INIT p95 (10500 ms) exceeds the 10 s timeout: the slowest cold invocations time out');
  });

  it('without a known timeout and without errors a function is ok', async () => {
    const cache = new InvocationCache(reader);
    await cache.update(summaries.filter((s) => s.functions.includes(PY_FN)));
    assert.equal(cache.health(() => undefined).get(PY_FN)?.level, 'ok');
  });

  it('reads only traces that are new or grew, and forgets traces that left the window', async () => {
    const cache = new InvocationCache(reader);
    await cache.update(summaries.slice(10));
    assert.equal(cache.lastReads, summaries.length - 10);
    await cache.update(summaries);
    assert.equal(cache.lastReads, 10);
    const grown = { ...summaries[0], spanCount: summaries[0].spanCount + 1 };
    await cache.update([grown, ...summaries.slice(1)]);
    assert.equal(cache.lastReads, 1);
    await cache.update(summaries.filter((s) => s.functions.includes(PY_FN)));
    assert.deepEqual([...cache.health(timeouts).keys()], [PY_FN]);
  });

  it('sorts functions by slowest p95, newest trace, error rate and cold-start rate', async () => {
    const cache = new InvocationCache(reader);
    await cache.update(summaries);
    const groups = groupByFunction(summaries, cache.health(timeouts));
    const counts = groups.map((g) => [g.name, g.traces.length, g.errorTraces, g.coldTraces]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(counts, [[NODE_FN, 40, 2, 4], [PY_FN, 10, 0, 1]]);
    const order = (s: Parameters<typeof sortFunctions>[1]) => sortFunctions(groups, s).map((g) => g.name);
    assert.deepEqual(order('slowest'), [PY_FN, NODE_FN]);
    assert.deepEqual(order('errors'), [NODE_FN, PY_FN]);
    // both are 10% cold: ties go by name
    assert.deepEqual(order('cold'), [NODE_FN, PY_FN]);
    const newest = summaries[0].functions[0];
    assert.equal(order('newest')[0], newest);
  });

  it('sorts a function\'s traces: failed first, then newest; slowest first', () => {
    const node = summaries.filter((s) => s.functions.includes(NODE_FN));
    const errorsFirst = sortTraces(node, 'errors');
    assert.deepEqual(errorsFirst.slice(0, 3).map((t) => t.errorCount > 0), [true, true, false]);
    const slowest = sortTraces(node, 'slowest');
    assert.ok(slowest.every((t, i) => i === 0 || slowest[i - 1].durationMs >= t.durationMs));
    assert.equal(sortTraces(node, 'cold').filter((t, i) => i < 4 && t.coldStart).length, 4);
  });
});
