import { percentile, TrafficTally, type Outcome } from './traffic-tally';

const page = (reviews: string, ms = 10): Outcome => ({ ok: true, reviews, ms });
const failure = (reason: string, ms = 10): Outcome => ({ ok: false, reason, ms });

describe('percentile (nearest rank)', () => {
  it.each([
    [[], 50, 0],
    [[7], 99, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 99, 4],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
  ])('%j p%d = %d', (sorted, p, expected) => {
    expect(percentile(sorted, p)).toBe(expected);
  });
});

describe('TrafficTally', () => {
  it('reports the window per reviews version, with errors by reason and shares since the start', () => {
    const tally = new TrafficTally();
    for (const o of [page('v2'), page('v1'), page('v1'), page('v3'), failure('503 WEFT_ERR_PROXY_CONNECT_FAILURE'), failure('timeout'), failure('timeout')]) {
      tally.record(o);
    }
    expect(tally.report(5)).toBe(
      'last 5s: 7 req · reviews v1 2 v2 1 v3 1 · errors 3 (timeout ×2, 503 WEFT_ERR_PROXY_CONNECT_FAILURE ×1) · p50 10 ms p99 10 ms' +
        ' | total 7 · reviews v1 50% v2 25% v3 25% · errors 3',
    );
  });

  it('starts a new window after each report, keeping versions seen before at 0, and totals across windows', () => {
    const tally = new TrafficTally();
    tally.record(page('v1', 4));
    tally.record(page('unavailable', 8));
    tally.report(5);
    tally.record(page('v10', 30));
    tally.skip();
    expect(tally.report(5)).toBe(
      'last 5s: 1 req · reviews v1 0 v10 1 unavailable 0 · errors 0 · p50 30 ms p99 30 ms · skipped 1 (max in flight)' +
        ' | total 3 · reviews v1 33% v10 33% unavailable 33% · errors 0',
    );
    expect(tally.totals.requests).toBe(3);
  });

  it('says so when nothing came back yet', () => {
    expect(new TrafficTally().report(5)).toBe('last 5s: 0 req · reviews - · errors 0 · p50 0 ms p99 0 ms | total 0 · reviews - · errors 0');
  });
});
