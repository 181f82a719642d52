import { TokenBucket } from './token-bucket';

type Config = { maxTokens: number; tokensPerFill: number; fillIntervalMs: number };

/** Runs `tryTake` at each time and returns the results. */
function takes(config: Config, times: readonly number[], start = 0): boolean[] {
  const bucket = new TokenBucket(config, start);
  return times.map((t) => bucket.tryTake(t));
}

describe('TokenBucket', () => {
  it.each<[string, Config, number[], boolean[]]>([
    ['starts full', { maxTokens: 3, tokensPerFill: 1, fillIntervalMs: 1000 }, [0, 0, 0, 0], [true, true, true, false]],
    [
      'refills one token per interval',
      { maxTokens: 1, tokensPerFill: 1, fillIntervalMs: 1000 },
      [0, 999, 1000, 1500, 2000],
      [true, false, true, false, true],
    ],
    [
      'refill is continuous: 10 per second gives one token per 100 ms',
      { maxTokens: 10, tokensPerFill: 10, fillIntervalMs: 1000 },
      [...Array<number>(10).fill(0), 99, 100, 100, 500, 500, 500, 500, 500],
      [...Array<boolean>(10).fill(true), false, true, false, true, true, true, true, false],
    ],
    [
      'never holds more than maxTokens',
      { maxTokens: 2, tokensPerFill: 5, fillIntervalMs: 100 },
      [0, 0, 60_000, 60_000, 60_000],
      [true, true, true, true, false],
    ],
    [
      'a clock going backwards adds nothing',
      { maxTokens: 1, tokensPerFill: 1, fillIntervalMs: 1000 },
      [5000, 4000, 5999, 6000],
      [true, false, false, true],
    ],
    [
      'fractional (performance.now) times',
      { maxTokens: 1, tokensPerFill: 3, fillIntervalMs: 1000 },
      [0.25, 333.5, 333.6],
      [true, false, true],
    ],
  ])('%s', (_name, config, times, expected) => {
    expect(takes(config, times)).toEqual(expected);
  });

  it('admits tokensPerFill per interval over a long run, without drift', () => {
    const bucket = new TokenBucket({ maxTokens: 5, tokensPerFill: 3, fillIntervalMs: 1000 }, 0);
    let admitted = 0;
    let last = 0;
    for (let t = 0; t <= 600_005; t += 7) {
      if (bucket.tryTake(t)) admitted++;
      last = t;
    }
    // 5 at start, then 3 per second: ⌊600 005 × 3 / 1000⌋ = 1800 more, none lost to rounding.
    expect([last, admitted]).toEqual([600_005, 5 + 1800]);
  });

  it.each<[number, number, number]>([
    // takes at t=0, query time, expected [available, msUntilNext] is checked below
    [0, 0, 2],
    [2, 0, 0],
    [2, 500, 0],
  ])('after %i takes, at t=%i, %i whole tokens are available', (taken, at, available) => {
    const bucket = new TokenBucket({ maxTokens: 2, tokensPerFill: 1, fillIntervalMs: 1000 }, 0);
    for (let i = 0; i < taken; i++) bucket.tryTake(0);
    expect(bucket.available(at)).toBe(available);
  });

  it.each<[number, number]>([
    // time after emptying the bucket at 0, ms until the next token
    [0, 250],
    [100, 150],
    [250, 0],
  ])('empty at 0, 4 tokens/s: at t=%i the next token is %i ms away', (at, expected) => {
    const bucket = new TokenBucket({ maxTokens: 1, tokensPerFill: 4, fillIntervalMs: 1000 }, 0);
    bucket.tryTake(0);
    expect(bucket.msUntilNext(at)).toBe(expected);
  });
});
