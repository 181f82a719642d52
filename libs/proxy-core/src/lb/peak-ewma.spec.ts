import { PeakEwma } from './peak-ewma';

type Step = ['observe', number, number] | ['cost', number, number];

function run(ewma: PeakEwma, steps: readonly Step[]): number {
  let last = ewma.estimate;
  for (const [op, a, b] of steps) last = op === 'observe' ? (ewma.observe(a, b), ewma.estimate) : ewma.cost(a, b);
  return last;
}

const E = Math.exp(-1);

describe('PeakEwma', () => {
  it.each<{ name: string; decayMs?: number; steps: Step[]; expected: number }>([
    { name: 'starts at the default RTT (30 ms)', steps: [], expected: 30 },
    { name: 'takes a higher sample at once', steps: [['observe', 100, 0]], expected: 100 },
    { name: 'takes a higher sample at once, however recent', steps: [['observe', 100, 0], ['observe', 300, 1]], expected: 300 },
    { name: 'moves toward a lower sample by 1 - e^(-Δt/τ)', steps: [['observe', 100, 0], ['observe', 10, 10_000]], expected: 100 * E + 10 * (1 - E) },
    { name: 'ignores a lower sample at the same instant', steps: [['observe', 100, 0], ['observe', 10, 0]], expected: 100 },
    { name: 'treats a clock going backwards as no time passing', steps: [['observe', 100, 0], ['observe', 10, -500]], expected: 100 },
    { name: 'costs the estimate decayed toward 0 while idle', steps: [['observe', 100, 0], ['cost', 10_000, 0]], expected: 100 * E },
    { name: 'costs the estimate × (active + 1)', steps: [['observe', 100, 0], ['cost', 0, 2]], expected: 300 },
    { name: 'decays the same whether or not the cost was asked in between', steps: [['observe', 100, 0], ['cost', 4000, 0], ['cost', 10_000, 0]], expected: 100 * E },
    { name: 'uses the given decay time', decayMs: 1000, steps: [['observe', 100, 0], ['cost', 1000, 0]], expected: 100 * E },
  ])('$name', ({ decayMs, steps, expected }) => {
    expect(run(new PeakEwma(0, decayMs), steps)).toBeCloseTo(expected, 9);
  });
});
