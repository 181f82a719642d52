/**
 * Why a request did not get an upstream response, as Envoy response flags plus a stable code. Thrown
 * (or passed) by any stage; turned into a response only by rescue().
 */
export type ResponseFlag =
  | 'NR' // no route configured
  | 'UH' // no healthy upstream
  | 'UF' // upstream connection failure
  | 'UO' // upstream overflow (circuit breaker)
  | 'URX' // upstream retry limit exceeded
  | 'UT' // upstream request timeout
  | 'UC' // upstream connection termination
  | 'UR' // upstream remote reset
  | 'DC' // downstream connection termination
  | 'LR' // local reset
  | 'FI' // fault injected (abort)
  | 'DI' // delay injected
  | 'RL' // rate limited locally
  | 'NC' // no cluster found
  | 'DPE' // downstream protocol error
  | 'RBAC'; // denied by the RBAC filter (AuthorizationPolicy)

export class ProxyError extends Error {
  constructor(
    /** Stable code, `WEFT_ERR_PROXY_<WHAT>`. */
    readonly code: string,
    readonly flag: ResponseFlag,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProxyError';
  }
}

export const noRoute = (authority: string, path: string): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_NO_ROUTE', 'NR', `no route for ${authority}${path}`);

/** No virtual host after asking the xDS server for one (VHDS on demand): removed, timed out, … */
export const noRouteOnDemand = (authority: string, path: string, why: string): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_NO_ROUTE', 'NR', `no route for ${authority}${path} (on demand: ${why})`);

export const noCluster = (name: string): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_NO_CLUSTER', 'NC', `cluster ${name} not found`);

export const noHealthyUpstream = (cluster: string): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_NO_HEALTHY_UPSTREAM', 'UH', `no healthy upstream in cluster ${cluster}`);

/** The upstream connection failed (UF; URX once retries are used up). */
export const connectFailure = (cluster: string, cause: Error, retried = false): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_CONNECT_FAILURE', retried ? 'URX' : 'UF', `upstream connect failure in cluster ${cluster}${retried ? ' after retries' : ''}: ${cause.message}`, { cause });

/** The upstream connection was reset before the response was complete (UC; URX once retries are used up). */
export const upstreamReset = (cluster: string, cause: Error, retried = false): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_UPSTREAM_RESET', retried ? 'URX' : 'UC', `upstream connection reset in cluster ${cluster}${retried ? ' after retries' : ''}: ${cause.message}`, { cause });

export const overflow = (cluster: string, what: string): ProxyError =>
  new ProxyError('WEFT_ERR_PROXY_OVERFLOW', 'UO', `cluster ${cluster}: ${what} circuit breaker open`);
