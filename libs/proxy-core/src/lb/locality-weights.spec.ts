import type { EndpointModel } from '../model/config-model';
import { effectiveWeights } from './locality-weights';

function ep(zone: string, weight: number, localityWeight: number): EndpointModel {
  return { address: '10.0.0.1', port: 80, weight, health: 'HEALTHY', locality: { region: 'r', zone, subZone: '' }, localityWeight, priority: 0 };
}

describe('effective endpoint weights', () => {
  it('are the endpoint weights when no locality is weighted', () => {
    expect(effectiveWeights([ep('a', 1, 1), ep('b', 3, 1)], false)).toEqual([1, 3]);
  });

  it('give each locality its locality weight, shared by endpoint weight inside it', () => {
    // Zone a (weight 1) has one endpoint, zone b (weight 1) three, zone c (weight 2) two unequal ones.
    const w = effectiveWeights([ep('a', 1, 1), ep('b', 1, 1), ep('b', 1, 1), ep('b', 1, 1), ep('c', 2, 2), ep('c', 6, 2)], true);
    const total = w.reduce((s, x) => s + x, 0);
    const share = (i: number): number => w[i] / total;
    expect(share(0)).toBeCloseTo(1 / 4, 2); // zone a: 1 of 4 locality units
    expect(share(1) + share(2) + share(3)).toBeCloseTo(1 / 4, 2); // zone b
    expect(share(4)).toBeCloseTo((2 / 4) * (2 / 8), 2); // zone c: 2 of 4 units, endpoint 2 of 8
    expect(share(5)).toBeCloseTo((2 / 4) * (6 / 8), 2);
  });
});
