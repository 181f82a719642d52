import { z } from 'zod';
import { backoffDelay } from './backoff';
import { envPort, envVar, readEnv } from './env';
import { httpStatusOf, WeftError } from './errors';
import { parseOrThrow } from './validation';

describe('shared', () => {
  it('readEnv applies defaults and names the bad variable', () => {
    const vars = { port: envVar('WEFT_X_PORT', envPort(8700), 'port') };
    expect(readEnv(vars, {}).port).toBe(8700);
    expect(readEnv(vars, { WEFT_X_PORT: '9' }).port).toBe(9);
    expect(() => readEnv(vars, { WEFT_X_PORT: 'abc' })).toThrow(/WEFT_X_PORT/);
  });

  it('parseOrThrow throws an invalid-argument WeftError naming each field', () => {
    const schema = z.object({ a: z.object({ b: z.number() }) });
    try {
      parseOrThrow(schema, { a: { b: 'x' } }, 'thing');
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(WeftError);
      expect((err as WeftError).kind).toBe('invalid-argument');
      expect((err as WeftError).issues[0].path).toBe('a.b');
      expect((err as WeftError).message).toMatch(/^invalid thing: a\.b: /);
    }
  });

  it('maps error kinds to HTTP statuses', () => {
    expect([httpStatusOf('invalid-argument'), httpStatusOf('not-found'), httpStatusOf('unauthenticated'), httpStatusOf('internal')]).toEqual([
      400, 404, 401, 500,
    ]);
  });

  it('backoff grows exponentially, capped, with full jitter', () => {
    expect(backoffDelay(0, 25, 1000, () => 0.999)).toBe(24);
    expect(backoffDelay(3, 25, 1000, () => 0.999)).toBe(199);
    expect(backoffDelay(10, 25, 1000, () => 0.999)).toBe(999);
    expect(backoffDelay(3, 25, 1000, () => 0)).toBe(0);
  });
});
