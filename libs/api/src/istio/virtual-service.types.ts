import type { KeyedMatch, StringMatch } from './common.schema';

/**
 * The normalized VirtualService Weft hands to pilot: Istio's field names, durations in milliseconds
 * (`…Ms`, `null` = not set / disabled), Istio's defaults filled in, absent blocks as `null` or `[]`.
 */

export interface Destination {
  /** As written: a short name (`reviews`, resolved in the rule's namespace), an FQDN or `*.suffix`. */
  host: string;
  subset: string | null;
  port: number | null;
}

export interface HeaderOps {
  set: Record<string, string>;
  add: Record<string, string>;
  remove: string[];
}
/** Header names are lower-cased. */
export interface HeaderOperations {
  request: HeaderOps;
  response: HeaderOps;
}

export interface RouteDestination {
  destination: Destination;
  /**
   * Relative share (Istio v1 semantics: weight / sum of the route's weights). A lone destination
   * without a weight gets 100; with several, an absent weight is 0 (no traffic).
   */
  weight: number;
  headers: HeaderOperations;
}

export interface HttpMatch {
  name: string | null;
  uri: StringMatch | null;
  scheme: StringMatch | null;
  method: StringMatch | null;
  authority: StringMatch | null;
  /** Keys lower-cased. */
  headers: Record<string, KeyedMatch>;
  withoutHeaders: Record<string, KeyedMatch>;
  queryParams: Record<string, KeyedMatch>;
  port: number | null;
  sourceLabels: Record<string, string>;
  sourceNamespace: string | null;
  /** Applies to `uri` only. */
  ignoreUriCase: boolean;
}

export interface HttpRedirect {
  uri: string | null;
  prefixRewrite: string | null;
  authority: string | null;
  port: number | null;
  derivePort: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT' | null;
  scheme: 'http' | 'https' | null;
  /** Default 301. */
  redirectCode: number;
}

export interface HttpDirectResponse {
  status: number;
  /** `bytes` values are base64, as in Istio's YAML. */
  body: { kind: 'string' | 'bytes'; value: string } | null;
}

export interface HttpRewrite {
  uri: string | null;
  authority: string | null;
  uriRegexRewrite: { match: string; rewrite: string } | null;
}

export interface HttpRetry {
  /** 0 = retries disabled (an explicit `attempts: 0`, or a `retries` block without attempts). */
  attempts: number;
  perTryTimeoutMs: number | null;
  /** Envoy retry conditions (`connect-failure`, `5xx`, gRPC `unavailable`, …); status codes moved out. */
  retryOn: string[];
  /** Numbers found in Istio's `retryOn` (e.g. "503"); `retryOn` then holds `retriable-status-codes`. */
  retriableStatusCodes: number[];
  retryRemoteLocalities: boolean;
  /** null = unset: Istio skips previously tried hosts unless the destination uses consistent hashing. */
  retryIgnorePreviousHosts: boolean | null;
  /** Base interval of the jittered exponential back-off (Envoy default 25 ms). */
  backoffMs: number;
}

export interface HttpFaultDelay {
  fixedDelayMs: number;
  /** 0..100; Istio: absent → no request is delayed. */
  percentage: number;
}
export interface HttpFaultAbort {
  kind: 'http' | 'grpc';
  /** HTTP status, or the numeric gRPC status code (UNAVAILABLE → 14). */
  status: number;
  /** 0..100; Istio: absent → no request is aborted. */
  percentage: number;
}
export interface HttpFault {
  delay: HttpFaultDelay | null;
  abort: HttpFaultAbort | null;
}

export interface HttpMirror {
  destination: Destination;
  /** 0..100; absent → 100. `mirror` + `mirrorPercentage`/`mirrorPercent` are folded in here. */
  percentage: number;
}

export interface HttpRoute {
  name: string | null;
  /** Empty = matches every request. Entries are ORed. */
  match: HttpMatch[];
  /** Exactly one of `route` (non-empty), `redirect`, `directResponse` is set. */
  route: RouteDestination[];
  redirect: HttpRedirect | null;
  directResponse: HttpDirectResponse | null;
  rewrite: HttpRewrite | null;
  /** null = no route timeout (Istio's default). */
  timeoutMs: number | null;
  retries: HttpRetry;
  fault: HttpFault | null;
  mirrors: HttpMirror[];
  headers: HeaderOperations;
}

export interface L4Match {
  destinationSubnets: string[];
  port: number | null;
  sourceLabels: Record<string, string>;
  sourceNamespace: string | null;
  sourceSubnet: string | null;
}

export interface TcpRouteDestination {
  destination: Destination;
  /** As in RouteDestination. */
  weight: number;
}

export interface TcpRoute {
  match: L4Match[];
  route: TcpRouteDestination[];
}

export interface VirtualService {
  hosts: string[];
  /** Default `["*"]`. */
  exportTo: string[];
  http: HttpRoute[];
  tcp: TcpRoute[];
}
