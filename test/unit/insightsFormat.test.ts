// The short figures on lenses and line hints: what a user reads above a handler.
import assert from 'node:assert/strict';
import { formatCalls, formatCount, formatMonthlyUsd, formatMs, formatRate } from '../../src/sources/insights/insightsFormat';
import { lineText } from '../../src/sources/insights/insightsModel';

describe('insights figures', () => {
  it('durations: sub-ms with two decimals, ms whole from 10 ms, seconds with one decimal, minutes past two', () => {
    assert.deepEqual([0.4249, 4.25, 9.96, 84.4, 999.4, 999.6, 1234, 9949, 9951, 12_400, 119_400, 150_000, 900_000].map(formatMs),
      ['0.42 ms', '4.3 ms', '10 ms', '84 ms', '999 ms', '1 s', '1.2 s', '9.9 s', '10 s', '12 s', '119 s', '2.5 min', '15 min']);
    assert.deepEqual([null, undefined, NaN].map(formatMs), ['–', '–', '–']);
  });

  it('counts: exact below 1,000, then k and M with at most one decimal', () => {
    assert.deepEqual([0, 999, 1000, 1049, 12_400, 99_949, 123_456, 999_499, 999_500, 1_250_000, 250_000_000].map(formatCount),
      ['0', '999', '1k', '1k', '12.4k', '99.9k', '123k', '999k', '1M', '1.3M', '250M']);
    assert.deepEqual([1, 2, 12_400].map(formatCalls), ['1 call', '2 calls', '12.4k calls']);
  });

  it('rates with one decimal and no trailing zero; monthly cost rounded to dollars from $10', () => {
    assert.deepEqual([0, 0.008, 0.041, 0.05, 0.5, 1, 1 / 3].map(formatRate), ['0%', '0.8%', '4.1%', '5%', '50%', '100%', '33.3%']);
    assert.deepEqual([38.4, 1234.5, 9.54, 3.1597, 0.05735].map(formatMonthlyUsd), ['~$38', '~$1,235', '~$9.54', '~$3.16', '~$0.05735']);
  });

  it('line hints: p95 and calls, errors only when some failed', () => {
    assert.equal(lineText({ count: 45, errors: 0, p95Ms: 19 }), 'p95 19 ms · 45 calls');
    assert.equal(lineText({ count: 40, errors: 2, p95Ms: 60 }), 'p95 60 ms · 40 calls · 5% errors');
    assert.equal(lineText({ count: 3, errors: 0, p95Ms: null }), 'p95 – · 3 calls');
  });
});
