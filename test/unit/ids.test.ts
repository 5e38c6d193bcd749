import { strict as assert } from 'node:assert';
import { normalizeTraceId, w3cToXrayTraceId, xrayToW3cTraceId } from '../../src/core/ids';

describe('trace ids', () => {
  it('converts X-Ray ids to W3C and back, so one request is one trace', () => {
    const xray = '1-5f84c7a1-e7d1852db8c4fd35d88bf49a';
    const w3c = xrayToW3cTraceId(xray);
    assert.equal(w3c, '5f84c7a1e7d1852db8c4fd35d88bf49a');
    assert.equal(w3cToXrayTraceId(w3c!), xray);
  });
  it('normalizes either form and rejects ids of the wrong length', () => {
    assert.equal(normalizeTraceId('5F84C7A1E7D1852DB8C4FD35D88BF49A'), '5f84c7a1e7d1852db8c4fd35d88bf49a');
    assert.equal(normalizeTraceId('1-5F84C7A1-E7D1852DB8C4FD35D88BF49A'), '5f84c7a1e7d1852db8c4fd35d88bf49a');
    assert.equal(normalizeTraceId('1-5f84c7a1-e7d1852d'), undefined);
    assert.equal(normalizeTraceId('abc'), undefined);
  });
});
