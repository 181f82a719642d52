import type { HeaderOperations, HttpRoute } from '@weft/api';
import { DEFAULT_RETRY } from './retry-policy';

const NO_HEADERS: HeaderOperations = {
  request: { set: {}, add: {}, remove: [] },
  response: { set: {}, add: {}, remove: [] },
};

/** The route a host without a VirtualService gets (Istio's `default`): everything to the whole service, no timeout, default retries. */
export function defaultHttpRoute(host: string, port: number): HttpRoute {
  return {
    name: 'default',
    match: [],
    route: [{ destination: { host, subset: null, port }, weight: 100, headers: NO_HEADERS }],
    redirect: null,
    directResponse: null,
    rewrite: null,
    timeoutMs: null,
    retries: DEFAULT_RETRY,
    fault: null,
    mirrors: [],
    headers: NO_HEADERS,
  };
}
