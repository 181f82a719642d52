import { StatusThrottle } from './status-throttle';

describe('StatusThrottle', () => {
  let emitted: number;
  let throttle: StatusThrottle;

  beforeEach(() => {
    jest.useFakeTimers();
    emitted = 0;
    throttle = new StatusThrottle(200, () => {
      emitted += 1;
    });
  });

  afterEach(() => {
    throttle.cancel();
    jest.useRealTimers();
  });

  it('reports the first change at once and a burst at most once more (trailing)', () => {
    throttle.mark();
    expect(emitted).toBe(1);
    for (let i = 0; i < 50; i++) {
      jest.advanceTimersByTime(2);
      throttle.mark();
    }
    expect(emitted).toBe(1);
    jest.advanceTimersByTime(200);
    expect(emitted).toBe(2);
  });

  it('reports at most every interval under continuous changes', () => {
    for (let t = 0; t < 1000; t += 10) {
      throttle.mark();
      jest.advanceTimersByTime(10);
    }
    jest.advanceTimersByTime(200);
    expect(emitted).toBeGreaterThanOrEqual(5);
    expect(emitted).toBeLessThanOrEqual(6);
  });

  it('cancel drops the trailing report', () => {
    throttle.mark();
    throttle.mark();
    throttle.cancel();
    jest.advanceTimersByTime(1000);
    expect(emitted).toBe(1);
  });
});
