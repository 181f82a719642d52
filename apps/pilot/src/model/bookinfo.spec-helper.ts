import type { Instance, Service } from '@weft/api';
import { instance, rules, service } from './mesh-fixtures.spec-helper';
import type { ServiceState } from './mesh-model';

/** The bookinfo mesh the model specs share: reviews v1/v2/v3 with a 90/10 split, ratings, details on port 80. */
export const REVIEWS_FQDN = 'reviews.default.svc.cluster.local';

export const reviews: Service = service('default', 'reviews');
export const ratings: Service = service('default', 'ratings');
export const details: Service = service('default', 'details', [['http', 80]]);

export function reviewsInstances(overrides: Partial<Record<'v1' | 'v2' | 'v3', Instance['status']>> = {}): Instance[] {
  return [
    instance(reviews, 'reviews-v1-a', '10.0.0.1', { labels: { app: 'reviews', version: 'v1' }, status: overrides.v1 }),
    instance(reviews, 'reviews-v1-b', '10.0.0.2', { labels: { app: 'reviews', version: 'v1' }, status: 'unhealthy' }),
    instance(reviews, 'reviews-v2', '10.0.0.3', { labels: { app: 'reviews', version: 'v2' }, status: overrides.v2 }),
    instance(reviews, 'reviews-v3', '10.0.0.4', { labels: { app: 'reviews', version: 'v3' }, status: overrides.v3 }),
  ];
}

export function bookinfo(): ServiceState[] {
  return [
    { service: reviews, instances: reviewsInstances() },
    { service: ratings, instances: [instance(ratings, 'ratings-1', '10.0.1.1', { locality: 'eu/eu-1/a' }), instance(ratings, 'ratings-2', 'ratings-2.vm.internal')] },
    { service: details, instances: [instance(details, 'details-1', '10.0.2.1')] },
  ];
}

export const REVIEWS_DR = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
  - {name: v3, labels: {version: v3}}
`;

export const REVIEWS_VS_90_10 = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
`;

export const bookinfoRules = () => rules(`${REVIEWS_DR}---${REVIEWS_VS_90_10}`);
