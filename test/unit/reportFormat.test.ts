import assert from 'node:assert/strict';
import { buildReport } from '../../src/core/analysis/report';
import { reportMarkdown, reportTable } from '../../src/core/analysis/reportFormat';
import { lambdaSpan } from './analysisSpans';

describe('report: text formats', () => {
  // every trace string is data: a function name with a terminal escape and a table pipe
  const evil = 'evil|\u001b[31mred\u0007';
  const doc = buildReport({ traces: [{ traceId: 'a'.repeat(32), spans: [lambdaSpan(evil, { durMs: 12.5, memoryMb: 256 })] }], known: [] });

  it('keeps control characters out of the terminal table', () => {
    const t = reportTable(doc);
    assert.equal(/[\u0000-\u0008\u000b-\u001f\u007f]/.test(t), false);
    assert.match(t.split('\n')[1], /^evil\| \[31mred /);
  });

  it('escapes pipes in markdown cells', () => {
    const md = reportMarkdown(doc);
    assert.match(md, /\| evil\\\| \[31mred  \| - \| 1 \| 12\.5 \| 12\.5 \|/);
  });

  it('says what was assumed when nothing declares the memory or architecture', () => {
    assert.deepEqual([doc.functions[0].memorySource, doc.functions[0].architectureSource], ['faas.max_memory', 'assumed']);
    assert.match(reportTable(doc), /x86_64 assumed \(no infrastructure file or span says\)/);
  });

  it('an empty store says so instead of printing an empty table', () => {
    assert.equal(reportTable(buildReport({ traces: [], known: [] })), 'No Lambda invocations in 0 traces.\n');
  });
});
