import { EdfScheduler } from './edf-scheduler';

function countsOver(edf: EdfScheduler, weights: readonly number[], picks: number): number[] {
  const counts = weights.map(() => 0);
  for (let p = 0; p < picks; p++) {
    const i = edf.peek();
    edf.advance(i, weights[i]);
    counts[i]++;
  }
  return counts;
}

describe('EdfScheduler', () => {
  it.each([
    { weights: [1, 2, 7], start: 0 },
    { weights: [1, 2, 7], start: 0.37 },
    { weights: [3, 5, 11, 13], start: 0.9 },
    // Starts just before the virtual time at which deadlines are shifted back to 0.
    { weights: [1, 2, 7], start: 2 ** 32 - 0.25 },
    { weights: [3, 5, 11, 13], start: 2 ** 32 - 0.01 },
  ])('picks each entry exactly its weight per cycle ($weights from $start)', ({ weights, start }) => {
    const edf = new EdfScheduler(weights, start);
    const cycle = weights.reduce((a, b) => a + b, 0);
    for (let c = 0; c < 100; c++) expect(countsOver(edf, weights, cycle)).toEqual(weights);
  });

  it('re-weights an entry from the moment it is picked', () => {
    const weights = [1, 1];
    const edf = new EdfScheduler(weights, 0);
    countsOver(edf, weights, 2);
    weights[1] = 3;
    countsOver(edf, weights, 2);
    expect(countsOver(edf, weights, 400)).toEqual([100, 300]);
  });

  it('breaks ties in favour of the entry that waited longest', () => {
    const weights = [2, 2, 2];
    const edf = new EdfScheduler(weights, 0);
    const order: number[] = [];
    for (let p = 0; p < 6; p++) {
      const i = edf.peek();
      order.push(i);
      edf.advance(i, weights[i]);
    }
    expect(order).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
