import { parseRuleDocuments, validateRuleObjects } from './documents';
import { RuleValidationError, type RuleIssue } from './rule-errors';

/** Bad VirtualServices: each issue names the document (file#n kind ns/name), the field path and the reason. */

function issues(yaml: string): RuleIssue[] {
  try {
    parseRuleDocuments(yaml, 'vs.yaml');
  } catch (err) {
    if (err instanceof RuleValidationError) return [...err.issues];
  }
  throw new Error('expected a RuleValidationError');
}

/** A VirtualService for host `reviews` whose only http route is `route` (a REST-style object). */
function withRoute(route: Record<string, unknown>): unknown {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'shop' },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], ...route }] },
  };
}

function routeIssues(route: Record<string, unknown>): RuleIssue[] {
  try {
    validateRuleObjects([withRoute(route)], 'rest');
  } catch (err) {
    if (err instanceof RuleValidationError) return [...err.issues];
  }
  throw new Error('expected a RuleValidationError');
}

describe('VirtualService: rejected documents name the document, the field and the reason', () => {
  it.each([
    ['all-zero weights', { route: [{ destination: { host: 'a' }, weight: 0 }, { destination: { host: 'b' }, weight: 0 }] }, 'spec.http[0].route', 'total destination weight = 0'],
    ['negative weight', { route: [{ destination: { host: 'a' }, weight: 90 }, { destination: { host: 'b' }, weight: -10 }] }, 'spec.http[0].route[1].weight', 'must not be negative'],
    ['corsPolicy', { corsPolicy: { allowOrigins: [{ exact: 'https://a.example' }] } }, 'spec.http[0].corsPolicy', 'corsPolicy is not supported yet'],
    ['delegate', { delegate: { name: 'reviews-v1' } }, 'spec.http[0].delegate', 'delegate is not supported'],
    ['redirect and route together', { redirect: { uri: '/x' } }, 'spec.http[0]', 'cannot contain both route and redirect'],
    ['no action', { route: [] }, 'spec.http[0]', 'needs one of route, redirect or directResponse'],
    ['uri and uriRegexRewrite', { rewrite: { uri: '/a', uriRegexRewrite: { match: 'a', rewrite: 'b' } } }, 'spec.http[0].rewrite', 'one of uri or uriRegexRewrite'],
    ['lookbehind regex', { match: [{ uri: { regex: '(?<=/api)/v1' } }] }, 'spec.http[0].match[0].uri.regex', 'lookbehind'],
    ['backreference regex', { match: [{ headers: { x: { regex: '(a)\\1' } } }] }, 'spec.http[0].match[0].headers.x.regex', 'backreferences'],
    ['broken regex', { match: [{ uri: { regex: '/api/(v1' } }] }, 'spec.http[0].match[0].uri.regex', 'not supported'],
    ['two StringMatch kinds', { match: [{ uri: { exact: '/a', prefix: '/b' } }] }, 'spec.http[0].match[0].uri', 'only one of exact, prefix, regex'],
    ['unknown field', { match: [{ url: { exact: '/a' } }] }, 'spec.http[0].match[0].url', 'unknown field "url"'],
    ['bad duration', { timeout: '5 seconds' }, 'spec.http[0].timeout', 'must be a duration'],
    ['numeric duration', { timeout: 5 }, 'spec.http[0].timeout', 'must be a duration'],
    ['sub-millisecond timeout', { timeout: '500us' }, 'spec.http[0].timeout', 'at least 1ms'],
    ['retry policy with attempts 0', { retries: { attempts: 0, retryOn: '5xx' } }, 'spec.http[0].retries.attempts', 'attempts are set to 0'],
    ['unknown retryOn', { retries: { attempts: 2, retryOn: '5xx,sometimes' } }, 'spec.http[0].retries.retryOn', '"sometimes" is not a valid retryOn policy'],
    ['exponentialDelay', { fault: { delay: { fixedDelay: '1s', exponentialDelay: '1s' } } }, 'spec.http[0].fault.delay.exponentialDelay', 'not supported'],
    ['http2Error', { fault: { abort: { http2Error: 'INTERNAL', percentage: { value: 1 } } } }, 'spec.http[0].fault.abort.http2Error', 'not supported'],
    ['percentage over 100', { fault: { abort: { httpStatus: 503, percentage: { value: 101 } } } }, 'spec.http[0].fault.abort.percentage.value', '≤ 100'],
    ['mirror and mirrors', { mirror: { host: 'a' }, mirrors: [{ destination: { host: 'b' } }] }, 'spec.http[0]', 'both mirror and mirrors'],
    ['gateway other than mesh in a match', { match: [{ gateways: ['istio-system/ingress'] }] }, 'spec.http[0].match[0].gateways[0]', 'gateways other than mesh are not supported'],
    ['JWT claim routing', { match: [{ headers: { '@request.auth.claims.group': { exact: 'a' } } }] }, 'spec.http[0].match[0].headers["@request.auth.claims.group"]', 'only supported for gateways'],
    ['prefixRewrite with an exact uri match', { route: undefined, match: [{ uri: { exact: '/a' } }], redirect: { prefixRewrite: '/b' } }, 'spec.http[0].match[0].uri', 'requires all uri matches to use prefix'],
  ] as const)('%s', (_name, route, path, message) => {
    const found = routeIssues(route as Record<string, unknown>);
    expect(found).toContainEqual({ document: 'rest#1 VirtualService shop/reviews', path, message: expect.stringContaining(message) });
  });

  it.each([
    ['gateways other than mesh', 'gateways: [istio-system/ingressgateway]', 'spec.gateways[0]', 'gateways other than mesh are not supported'],
    ['tls routes', 'tls: [{match: [{sniHosts: [reviews]}], route: [{destination: {host: reviews}}]}]', 'spec.tls', 'tls routes'],
    ['no hosts', 'hosts: []', 'spec.hosts', 'at least one host'],
    ['host *', 'hosts: ["*"]', 'spec.hosts[0]', 'wildcard host * is not allowed'],
  ])('spec-level: %s', (_name, line, path, message) => {
    const yaml = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews}}]}]
  ${line}
`.replace('  hosts: [reviews]\n', line.startsWith('hosts') ? '' : '  hosts: [reviews]\n');
    expect(issues(yaml)).toContainEqual({ document: 'vs.yaml#1 VirtualService default/reviews', path, message: expect.stringContaining(message) });
  });

  it('a missing host is "required"', () => {
    const found = issues('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  http: [{route: [{destination: {host: r}}]}]\n');
    expect(found).toEqual([{ document: 'vs.yaml#1 VirtualService default/r', path: 'spec.hosts', message: 'is required' }]);
  });
});
