import type { CircuitBreakersModel } from '../model/config-model';
import { CircuitBreaker, type CircuitResource } from './circuit-breaker';

const LIMITS: CircuitBreakersModel = { maxConnections: 3, maxPendingRequests: 2, maxRequests: 4, maxRetries: 1 };

function acquireN(breaker: CircuitBreaker, resource: CircuitResource, n: number): boolean[] {
  return Array.from({ length: n }, () => breaker.tryAcquire(resource));
}

describe('CircuitBreaker', () => {
  it.each<[CircuitResource, number]>([
    ['connections', 3],
    ['pending', 2],
    ['requests', 4],
    ['retries', 1],
  ])('%s: admits up to %i, then refuses and counts the overflow', (resource, limit) => {
    const breaker = new CircuitBreaker(LIMITS);
    const results = acquireN(breaker, resource, limit + 2);
    expect(results).toEqual([...Array<boolean>(limit).fill(true), false, false]);
    expect([breaker.count(resource), breaker.overflow(resource), breaker.isOpen(resource), breaker.remaining(resource)]).toEqual([
      limit,
      2,
      true,
      0,
    ]);
    breaker.release(resource);
    expect([breaker.isOpen(resource), breaker.remaining(resource), breaker.tryAcquire(resource)]).toEqual([false, 1, true]);
  });

  it('keeps resources independent', () => {
    const breaker = new CircuitBreaker(LIMITS);
    acquireN(breaker, 'connections', 3);
    expect([breaker.tryAcquire('requests'), breaker.tryAcquire('pending'), breaker.tryAcquire('retries')]).toEqual([true, true, true]);
  });

  it.each<[string, CircuitResource, number, number, number]>([
    // name, refused resource, upstream_cx_overflow, upstream_rq_pending_overflow, upstream_rq_retry_overflow
    ['max_connections', 'connections', 1, 0, 0],
    ['max_pending_requests', 'pending', 0, 1, 0],
    ['max_requests (charged to pending overflow, as in Envoy)', 'requests', 0, 1, 0],
    ['max_retries', 'retries', 0, 0, 1],
  ])('a refusal by %s shows in the Envoy stat', (_name, resource, cx, pending, retry) => {
    const breaker = new CircuitBreaker({ maxConnections: 0, maxPendingRequests: 0, maxRequests: 0, maxRetries: 0 });
    breaker.tryAcquire(resource);
    expect([breaker.upstreamCxOverflow, breaker.upstreamRqPendingOverflow, breaker.upstreamRqRetryOverflow]).toEqual([cx, pending, retry]);
  });

  it('never releases below zero', () => {
    const breaker = new CircuitBreaker(LIMITS);
    breaker.release('requests');
    expect(breaker.count('requests')).toBe(0);
    expect(acquireN(breaker, 'requests', 5)).toEqual([true, true, true, true, false]);
  });

  it('forceAcquire goes over the limit and later acquisitions wait for the count to drop', () => {
    const breaker = new CircuitBreaker(LIMITS);
    acquireN(breaker, 'connections', 3);
    breaker.forceAcquire('connections');
    expect([breaker.count('connections'), breaker.remaining('connections')]).toEqual([4, 0]);
    breaker.release('connections');
    expect(breaker.tryAcquire('connections')).toBe(false);
    breaker.release('connections');
    expect(breaker.tryAcquire('connections')).toBe(true);
  });

  it.each<[number, number, number]>([
    // active requests, pending requests, retries admitted (budget 20 %, minimum 3; max_retries 1 is ignored)
    [0, 0, 3],
    [10, 0, 3],
    [30, 0, 6],
    [20, 10, 6],
  ])('with a retry budget: %i active + %i pending admit %i retries', (active, pending, admitted) => {
    const breaker = new CircuitBreaker(
      { ...LIMITS, maxRequests: 1000, maxPendingRequests: 1000 },
      { budgetPercent: 0.2, minRetryConcurrency: 3 },
    );
    acquireN(breaker, 'requests', active);
    acquireN(breaker, 'pending', pending);
    const results = acquireN(breaker, 'retries', admitted + 1);
    expect(results.filter(Boolean)).toHaveLength(admitted);
    expect(breaker.upstreamRqRetryOverflow).toBe(1);
  });

  it('the retry budget follows the live request count', () => {
    const breaker = new CircuitBreaker({ ...LIMITS, maxRequests: 1000 }, { budgetPercent: 0.5, minRetryConcurrency: 0 });
    acquireN(breaker, 'requests', 4);
    expect(acquireN(breaker, 'retries', 3)).toEqual([true, true, false]);
    acquireN(breaker, 'requests', 2);
    expect(breaker.tryAcquire('retries')).toBe(true);
    for (let i = 0; i < 6; i++) breaker.release('requests');
    expect([breaker.limit('retries'), breaker.isOpen('retries')]).toEqual([0, true]);
  });

  it('setThresholds changes limits and keeps counts in flight', () => {
    const breaker = new CircuitBreaker(LIMITS);
    acquireN(breaker, 'requests', 4);
    breaker.setThresholds({ ...LIMITS, maxRequests: 2 }, null);
    expect([breaker.count('requests'), breaker.tryAcquire('requests')]).toEqual([4, false]);
    breaker.setThresholds({ ...LIMITS, maxRequests: 10 }, null);
    expect(breaker.tryAcquire('requests')).toBe(true);
  });
});
