import { missingReportsOf } from './mesh-metrics.repository';

describe('missing reports', () => {
  it.each([
    ['none lost', { a: '5', b: '3' }, ['a', '4', 'b', '2'], 0],
    ['two of one boot lost', { a: '3' }, ['a', '4'], 2],
    ['the first report lost', { a: '1' }, ['a', '1'], 1],
    ['a duplicate on one boot does not hide a loss on another', { a: '7', b: '1' }, ['a', '4', 'b', '2'], 2],
  ])('%s', (_what, received: Record<string, string>, maxima: string[], missing) => {
    expect(missingReportsOf(received, maxima)).toEqual({ missingReports: missing, trackedBoots: maxima.length / 2 });
  });
});
