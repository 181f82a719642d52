import type { HttpConnectionManagerModel, HttpFilterModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath } from '../config-context';
import { bool, enumName, has, msg, num, str, type ProtoMessage } from '../proto/proto-value';
import { timeoutMs } from './common.converter';
import { httpFilters } from './http-filters.converter';
import { routeUpgrade } from './route-action.converter';
import { routeConfig } from './route-config.converter';

type Direction = HttpConnectionManagerModel['direction'];

/** Envoy defaults. */
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;
const DEFAULT_IDLE_TIMEOUT_MS = 3_600_000;
const DEFAULT_MAX_REQUEST_HEADERS_KB = 60;

const CODECS: ReadonlySet<string> = new Set(['AUTO', 'HTTP1', 'HTTP2']);

/** envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager. */
export function httpConnectionManager(m: ProtoMessage, path: string, direction: Direction, ctx: ConfigContext): HttpConnectionManagerModel {
  const codecType = enumName(m, 'codec_type', 'AUTO');
  if (!CODECS.has(codecType)) ctx.issue(fieldPath(path, 'codec_type'), `${codecType} is not supported by weft-proxy`);
  const common = msg(m, 'common_http_protocol_options') ?? {};
  if (has(common, 'max_requests_per_connection')) {
    ctx.issue(fieldPath(path, 'common_http_protocol_options.max_requests_per_connection'), 'not supported by weft-proxy on downstream connections');
  }
  const filters = httpFilters(m, path, ctx);
  const refsBefore = ctx.perFilterRefs.length;
  const inline = msg(m, 'route_config');
  const routes = inline === null ? null : routeConfig(inline, fieldPath(path, 'route_config'), ctx);
  checkPerFilterRefs(filters, refsBefore, ctx);
  const rds = inline === null ? msg(m, 'rds') : null;
  return {
    statPrefix: str(m, 'stat_prefix'),
    routeConfig: routes,
    rdsRouteConfigName: rds === null ? null : rdsRef(rds, fieldPath(path, 'rds'), str(m, 'stat_prefix'), ctx),
    httpFilters: filters,
    codecType: codecType as HttpConnectionManagerModel['codecType'],
    streamIdleTimeoutMs: timeoutMs(m, 'stream_idle_timeout', DEFAULT_STREAM_IDLE_TIMEOUT_MS),
    requestTimeoutMs: timeoutMs(m, 'request_timeout', null),
    idleTimeoutMs: timeoutMs(common, 'idle_timeout', DEFAULT_IDLE_TIMEOUT_MS),
    maxRequestHeadersKb: num(m, 'max_request_headers_kb') ?? DEFAULT_MAX_REQUEST_HEADERS_KB,
    upgradeWebsocket: routeUpgrade(m, fieldPath(path, 'upgrade_configs'), ctx) ?? false,
    generateRequestId: bool(m, 'generate_request_id') ?? true,
    direction,
  };
}

/** HCM `rds`: the route configuration comes from the ADS stream (recorded in ctx.dynamicRefs). */
function rdsRef(rds: ProtoMessage, path: string, owner: string, ctx: ConfigContext): string {
  const name = str(rds, 'route_config_name');
  if (!has(msg(rds, 'config_source') ?? {}, 'ads')) {
    ctx.issue(fieldPath(path, 'config_source'), 'must be an ADS config source (config_source: { ads: {} }); other config sources are not supported by weft-proxy');
  }
  ctx.dynamicRefs.push({ kind: 'rds', name, owner, path });
  return name;
}

/** Per-route overrides of the inline route config must name an HTTP filter of the same kind. */
function checkPerFilterRefs(filters: readonly HttpFilterModel[], from: number, ctx: ConfigContext): void {
  for (const ref of ctx.perFilterRefs.slice(from)) {
    const filter = filters.find((f) => f.name === ref.filterName);
    if (filter === undefined) ctx.issue(ref.path, `no HTTP filter named "${ref.filterName}" in this connection manager`);
    else if (filter.kind !== ref.kind) ctx.issue(ref.path, `HTTP filter "${ref.filterName}" is a ${filter.kind} filter, not ${ref.kind}`);
  }
}
