import { matchesSelector, parseLabelSelector, selectorFromLabels } from './label-selector';

describe('label selectors (Kubernetes syntax)', () => {
  const labels = { app: 'reviews', version: 'v2', zone: 'eu-1a', canary: 'true' };
  it.each([
    ['', true],
    ['version=v2', true],
    ['version==v2', true],
    ['version=v1', false],
    ['version!=v1', true],
    ['version!=v2', false],
    ['missing!=x', true],
    ['version in (v1, v2)', true],
    ['version in (v1,v3)', false],
    ['version notin (v1,v3)', true],
    ['version notin (v2)', false],
    ['canary', true],
    ['!canary', false],
    ['!legacy', true],
    ['legacy', false],
    ['app=reviews,version in (v2),!legacy,zone!=eu-1b', true],
    ['app=reviews,version=v1', false],
  ])('%s → %s', (selector, expected) => {
    expect(matchesSelector(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each([['version in (v1'], ['a=b,,c=d'], ['Bad Key=x'], ['k=bad value!'], ['k in v1)']])(
    'rejects malformed selector %s with a message',
    (selector) => {
      expect(() => parseLabelSelector(selector)).toThrow(/selector|label|term/);
    },
  );

  it('builds an AND selector from a label map (Istio workloadSelector)', () => {
    const sel = selectorFromLabels({ app: 'reviews', version: 'v2' });
    expect(matchesSelector(sel, labels)).toBe(true);
    expect(matchesSelector(sel, { app: 'reviews' })).toBe(false);
  });
});
