import type { FaultModel } from '../model/config-model';
import { decideFaultAbort, decideFaultDelay } from './fault-decision';
import { seededRandom as seeded } from '../lb/seeded-random';


const fault = (delayFraction: number | null, abortFraction: number | null): FaultModel => ({
  delay: delayFraction === null ? null : { fixedDelayMs: 1500, fraction: delayFraction },
  abort: abortFraction === null ? null : { httpStatus: 503, grpcStatus: null, fraction: abortFraction },
});

const SAMPLES = 100_000;

describe('fault decisions', () => {
  it.each<[string, FaultModel, number, boolean]>([
    // name, fault, random draw, expected (delayed?, aborted?) for that draw
    ['no delay configured', fault(null, null), 0, false],
    ['draw below the fraction', fault(0.25, 0.25), 0.2499, true],
    ['draw at the fraction', fault(0.25, 0.25), 0.25, false],
    ['fraction 0 never fires', fault(0, 0), 0, false],
    ['fraction 1 always fires', fault(1, 1), 0.999_999, true],
  ])('%s', (_name, f, draw, expected) => {
    expect(decideFaultDelay(f, () => draw)).toBe(expected ? 1500 : 0);
    expect(decideFaultAbort(f, () => draw)).toBe(expected ? f.abort : null);
  });

  it('returns the configured abort itself, with its HTTP or gRPC status', () => {
    const grpc: FaultModel = { delay: null, abort: { httpStatus: null, grpcStatus: 14, fraction: 1 } };
    expect(decideFaultAbort(grpc)).toEqual({ httpStatus: null, grpcStatus: 14, fraction: 1 });
    expect(decideFaultAbort(grpc)).toBe(grpc.abort);
  });

  it.each<[number]>([[0.001], [0.05], [0.5], [0.9]])('fires for a fraction %f of 100 000 requests, within 5σ', (fraction) => {
    const random = seeded(Math.round(fraction * 1e6));
    const f = fault(fraction, fraction);
    let delayed = 0;
    let aborted = 0;
    let both = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const d = decideFaultDelay(f, random) > 0;
      const a = decideFaultAbort(f, random) !== null;
      if (d) delayed++;
      if (a) aborted++;
      if (d && a) both++;
    }
    const sigma = (p: number): number => Math.sqrt((p * (1 - p)) / SAMPLES);
    expect(Math.abs(delayed / SAMPLES - fraction)).toBeLessThan(5 * sigma(fraction));
    expect(Math.abs(aborted / SAMPLES - fraction)).toBeLessThan(5 * sigma(fraction));
    // Independent draws: P(delay ∧ abort) = fraction².
    expect(Math.abs(both / SAMPLES - fraction * fraction)).toBeLessThan(5 * sigma(fraction * fraction) + 1e-9);
  });

  it('draws no random number for fractions 0 and 1', () => {
    const random = jest.fn(() => 0.5);
    decideFaultDelay(fault(1, 0), random);
    decideFaultAbort(fault(1, 0), random);
    expect(random).not.toHaveBeenCalled();
  });
});
