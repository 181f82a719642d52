import { EdgeAccumulator } from '@weft/api';
import { decodeReport, rejectionReason } from './message-decoder';
import { SAMPLE_RECORD } from './sample-record.fixture';

function reportJson(): Record<string, unknown> & { edges: Record<string, unknown>[] } {
  const acc = new EdgeAccumulator({ proxy: { id: 'p', workload: 'b-v1', namespace: 'ns' } });
  acc.add(SAMPLE_RECORD);
  return JSON.parse(JSON.stringify(acc.flush())) as ReturnType<typeof reportJson>;
}

describe('decodeReport', () => {
  it('takes a valid report (bytes of JSON) as is', () => {
    const r = reportJson();
    expect(decodeReport(new TextEncoder().encode(JSON.stringify(r)))).toEqual(r);
  });

  it.each([
    ['a response code out of range', (r: ReturnType<typeof reportJson>) => ((r.edges[0] as Record<string, unknown>).responseCode = 1000), /report does not match the contract: edges\.0\.responseCode: /],
    ['a missing proxy', (r: ReturnType<typeof reportJson>) => delete r.proxy, /report does not match the contract: proxy: /],
  ])('names the field and reason of %s (zod, after the fast check refused it)', (_what, spoil, message) => {
    const r = reportJson();
    spoil(r);
    let err: unknown = null;
    try {
      decodeReport(JSON.stringify(r));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'WEFT_ERR_TELEMETRY_INVALID_PAYLOAD', message: expect.stringMatching(message) });
    expect(rejectionReason(err)).toBe('schema');
  });

  it('rejects what is not JSON', () => {
    expect(() => decodeReport('{"v":')).toThrow('report: not JSON');
  });
});
