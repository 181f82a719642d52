import { retryBudgetAllows, retryBudgetLimit } from './retry-budget';

describe('retry budget', () => {
  it.each<[string, number, number, number, number, number]>([
    // name, budgetPercent, minRetryConcurrency, active, pending, expected limit
    ['idle cluster: the minimum concurrency applies', 0.2, 3, 0, 0, 3],
    ['20 % of 10 is below the minimum of 3', 0.2, 3, 10, 0, 3],
    ['20 % of 100 active', 0.2, 3, 100, 0, 20],
    ['pending requests count as active', 0.2, 3, 60, 40, 20],
    ['the share is floored: 20 % of 24 is 4', 0.2, 3, 24, 0, 4],
    ['29 % of 100 floors to 28, as in Envoy (0.29 × 100 < 29 in doubles)', 0.29, 0, 100, 0, 28],
    ['zero minimum and zero share: no retries', 0.2, 0, 4, 0, 0],
    ['100 % budget', 1, 3, 50, 0, 50],
  ])('%s', (_name, budgetPercent, minRetryConcurrency, active, pending, expected) => {
    expect(retryBudgetLimit({ budgetPercent, minRetryConcurrency }, active, pending)).toBe(expected);
  });

  it.each<[number, number, boolean]>([
    // active requests, active retries, may a retry start
    [100, 0, true],
    [100, 19, true],
    [100, 20, false],
    [5, 2, true],
    [5, 3, false],
  ])('active %i, retrying %i → %s', (active, retries, allowed) => {
    expect(retryBudgetAllows({ budgetPercent: 0.2, minRetryConcurrency: 3 }, active, 0, retries)).toBe(allowed);
  });
});
