import { EventEmitter } from 'node:events';
import { Collector, waitFor, withDeadline, WaitTimeoutError } from './wait';

describe('deadline-based waiting', () => {
  it('waitFor resolves with the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : undefined), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('waitFor fails with the description and the last value when the deadline passes', async () => {
    await expect(waitFor(() => false, { timeoutMs: 30, what: 'the moon' })).rejects.toThrow(
      /timed out after 30 ms waiting for the moon; last value: false/,
    );
  });

  it('withDeadline rejects with a WaitTimeoutError', async () => {
    await expect(withDeadline(new Promise(() => undefined), 20, 'never')).rejects.toBeInstanceOf(WaitTimeoutError);
  });

  it('Collector wakes a waiter when enough items arrived', async () => {
    const c = new Collector<number>();
    const ee = new EventEmitter();
    ee.on('x', c.push);
    const done = c.count(2);
    ee.emit('x', 1);
    ee.emit('x', 2);
    await expect(done).resolves.toEqual([1, 2]);
  });
});
