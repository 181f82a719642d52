import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWeftError } from '@weft/shared';
import { parse, stringify } from 'yaml';
import { loadBootstrap } from './bootstrap.loader';
import { PROXY_CONFIG_ERROR_CODE, ProxyConfigError } from './proxy-config.error';

/* eslint-disable @typescript-eslint/no-explicit-any -- the specs edit the parsed YAML freely */
type Doc = any;

const fixtureText = readFileSync(join(__dirname, '../../test/fixtures/bootstrap.yaml'), 'utf8');

const L0 = 'static_resources.listeners[0]';
const HCM = `${L0}.filter_chains[0].filters[0].typed_config`;
const VH = `${HCM}.route_config.virtual_hosts`;
const C0 = 'static_resources.clusters[0]';
const EP1 = `${C0}.load_assignment.endpoints[0].lb_endpoints[1].endpoint.address.socket_address`;

const hcm = (d: Doc): Doc => d.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
const routes = (d: Doc, vh: number): Doc[] => hcm(d).route_config.virtual_hosts[vh].routes;
const cluster0 = (d: Doc): Doc => d.static_resources.clusters[0];
const port1 = (d: Doc): Doc => cluster0(d).load_assignment.endpoints[0].lb_endpoints[1].endpoint.address.socket_address;
function tlsSocket(common: object): object {
  return { name: 'envoy.transport_sockets.tls', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', common_tls_context: common } };
}

const TLS_SOCKET = {
  name: 'envoy.transport_sockets.tls',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext' },
};

function edited(edit: (d: Doc) => void): string {
  const doc = parse(fixtureText) as Doc;
  edit(doc);
  return stringify(doc);
}

function rejection(text: string): ProxyConfigError {
  try {
    loadBootstrap(text, 'bootstrap.yaml');
  } catch (err) {
    if (err instanceof ProxyConfigError) return err;
    throw err;
  }
  throw new Error('the bootstrap was accepted');
}

type Case = [what: string, edit: (d: Doc) => void, path: string, reason: string | RegExp];

const cases: Case[] = [
  ['unknown field', (d) => (cluster0(d).connect_timout = '1s'), `${C0}.connect_timout`, /^unknown field/],
  ['unknown field inside a typed_config', (d) => (hcm(d).stat_prefx = 'x'), `${HCM}.stat_prefx`, /^unknown field/],
  ['a field set twice (snake_case and camelCase)', (d) => (cluster0(d).connectTimeout = '1s'), `${C0}.connect_timeout`, /^set twice/],
  [
    'unsupported HTTP filter',
    (d) => hcm(d).http_filters.unshift({ name: 'envoy.filters.http.cors', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' } }),
    `${HCM}.http_filters[0].typed_config`,
    /^envoy\.extensions\.filters\.http\.cors\.v3\.Cors is not supported by weft-proxy here \(supported: .*HTTPFault/,
  ],
  [
    'unsupported network filter',
    (d) => (d.static_resources.listeners[1].filter_chains[0].filters[0].typed_config['@type'] = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC'),
    'static_resources.listeners[1].filter_chains[0].filters[0].typed_config',
    /not supported by weft-proxy here/,
  ],
  ['unsupported lb_policy', (d) => (cluster0(d).lb_policy = 'CLUSTER_PROVIDED'), `${C0}.lb_policy`, 'CLUSTER_PROVIDED is not supported by weft-proxy'],
  ['unknown lb_policy', (d) => (cluster0(d).lb_policy = 'WEIGHTED'), `${C0}.lb_policy`, /^expected one of ROUND_ROBIN, LEAST_REQUEST/],
  ['unsupported cluster type', (d) => (cluster0(d).type = 'ORIGINAL_DST'), `${C0}.type`, /^cluster type ORIGINAL_DST is not supported by weft-proxy/],
  ['unsupported cluster field', (d) => (cluster0(d).health_checks = [{ timeout: '1s' }]), `${C0}.health_checks`, /^not supported by weft-proxy \(active health checking/],
  ['TLS to upstreams without the SVID', (d) => (cluster0(d).transport_socket = TLS_SOCKET), `${C0}.transport_socket.typed_config.common_tls_context`, /^required: tls_certificate_sds_secret_configs/],
  [
    'an upstream TLS context on a listener',
    (d) => (d.static_resources.listeners[0].filter_chains[0].transport_socket = TLS_SOCKET),
    `${L0}.filter_chains[0].transport_socket.typed_config`,
    /^expected a envoy\.extensions\.transport_sockets\.tls\.v3\.DownstreamTlsContext/,
  ],
  [
    'a secret other than the local SVID',
    (d) => (cluster0(d).transport_socket = tlsSocket({ tls_certificate_sds_secret_configs: [{ name: 'file-cert' }], validation_context_sds_secret_config: { name: 'ROOTCA' } })),
    `${C0}.transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name`,
    /^must be "default" \(secrets are the proxy's own SVID and trust bundle, never sent over xDS\), got "file-cert"/,
  ],
  [
    'an inline certificate',
    (d) => (cluster0(d).transport_socket = tlsSocket({ tls_certificates: [{ certificate_chain: { inline_string: 'x' } }] })),
    `${C0}.transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain.inline_string`,
    /^a file on the proxy's host is required \(`filename`\): key material never travels in a config/,
  ],
  ['dynamic_resources', (d) => (d.dynamic_resources = { ads_config: {} }), 'dynamic_resources', /^not supported by weft-proxy \(the xDS server is given on the command line: --xds/],
  [
    'EDS cluster without --xds',
    (d) => {
      delete cluster0(d).load_assignment;
      Object.assign(cluster0(d), { type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } });
    },
    `${C0}.type`,
    /^needs --xds: the endpoints of EDS cluster "reviews-v1" come from an xDS server/,
  ],
  [
    'RDS route configuration without --xds',
    (d) => {
      delete hcm(d).route_config;
      hcm(d).rds = { route_config_name: 'outbound', config_source: { ads: {} } };
    },
    `${HCM}.rds`,
    /^needs --xds: route configuration "outbound" comes from an xDS server/,
  ],
  [
    'EDS over a config source other than ADS',
    (d) => {
      delete cluster0(d).load_assignment;
      Object.assign(cluster0(d), { type: 'EDS', eds_cluster_config: { eds_config: { path_config_source: { path: '/eds.yaml' } } } });
    },
    `${C0}.eds_cluster_config.eds_config.path_config_source`,
    'not supported by weft-proxy (only ADS is supported)',
  ],
  [
    'EDS cluster with a load_assignment',
    (d) => Object.assign(cluster0(d), { type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } }),
    `${C0}.load_assignment`,
    /^not used by an EDS cluster/,
  ],
  [
    'missing cluster (route)',
    (d) => (routes(d, 0)[0].route.cluster = 'nope'),
    `${VH}[0].routes[0].route.cluster`,
    'cluster "nope" is not defined in static_resources.clusters',
  ],
  [
    'missing cluster (weighted)',
    (d) => (routes(d, 0)[1].route.weighted_clusters.clusters[1].name = 'nope'),
    `${VH}[0].routes[1].route.weighted_clusters.clusters[1].name`,
    'cluster "nope" is not defined in static_resources.clusters',
  ],
  [
    'missing cluster (mirror)',
    (d) => (routes(d, 1)[0].route.request_mirror_policies[0].cluster = 'nope'),
    `${VH}[1].routes[0].route.request_mirror_policies[0].cluster`,
    'cluster "nope" is not defined in static_resources.clusters',
  ],
  [
    'missing cluster (tcp_proxy)',
    (d) => (d.static_resources.listeners[1].filter_chains[0].filters[0].typed_config.cluster = 'nope'),
    'static_resources.listeners[1].filter_chains[0].filters[0].typed_config.cluster',
    'cluster "nope" is not defined in static_resources.clusters',
  ],
  ['router not last', (d) => hcm(d).http_filters.reverse(), `${HCM}.http_filters`, /router.*exactly once, as the last HTTP filter/],
  ['router missing', (d) => hcm(d).http_filters.pop(), `${HCM}.http_filters`, /router.*exactly once, as the last HTTP filter/],
  ['bad duration (number)', (d) => (cluster0(d).connect_timeout = 5), `${C0}.connect_timeout`, /^expected duration \(a string like "5s"/],
  ['bad duration (unit)', (d) => (cluster0(d).connect_timeout = '5ms'), `${C0}.connect_timeout`, /^expected duration/],
  ['bad duration (negative)', (d) => (routes(d, 0)[0].route.timeout = '-1s'), `${VH}[0].routes[0].route.timeout`, 'duration must not be negative'],
  ['bad duration (PGV: > 0)', (d) => (cluster0(d).connect_timeout = '0s'), `${C0}.connect_timeout`, 'value must be greater than 0ms'],
  ['bad port (type)', (d) => (port1(d).port_value = 'http'), `${EP1}.port_value`, 'expected uint32'],
  ['bad port (negative)', (d) => (port1(d).port_value = -1), `${EP1}.port_value`, 'expected uint32'],
  ['bad port (range)', (d) => (port1(d).port_value = 70000), `${EP1}.port_value`, 'value must be less than or equal to 65535'],
  ['bad port (0 upstream)', (d) => (port1(d).port_value = 0), `${EP1}.port_value`, 'must be between 1 and 65535'],
  ['endpoint host name', (d) => (port1(d).address = 'reviews.local'), `${EP1}.address`, /^"reviews.local" is not an IP address/],
  ['duplicate endpoint', (d) => (port1(d).address = '10.0.1.10'), `${C0}.load_assignment.endpoints`, 'duplicate endpoint 10.0.1.10:9080'],
  ['duplicate listener name', (d) => (d.static_resources.listeners[1].name = 'outbound_http'), 'static_resources.listeners[1].name', 'duplicate listener name "outbound_http"'],
  [
    'listener port used by admin',
    (d) => (d.static_resources.listeners[1].address.socket_address.port_value = 15000),
    'static_resources.listeners[1].address.socket_address.port_value',
    'port 15000 is already used by the admin listener',
  ],
  ['duplicate cluster name', (d) => (d.static_resources.clusters[1].name = 'reviews-v1'), 'static_resources.clusters[1].name', 'duplicate cluster name "reviews-v1"'],
  ['missing cluster name (PGV)', (d) => delete cluster0(d).name, `${C0}.name`, 'value length must be at least 1 characters'],
  [
    'weights sum to 0',
    (d) => routes(d, 0)[1].route.weighted_clusters.clusters.forEach((c: Doc) => (c.weight = 0)),
    `${VH}[0].routes[1].route.weighted_clusters.clusters`,
    'the weights must sum to more than 0',
  ],
  [
    'RE2-only regex',
    (d) => (routes(d, 1)[3].match.safe_regex.regex = '^/(?P<svc>[a-z]+)$'),
    `${VH}[1].routes[3].match.safe_regex.regex`,
    /^regex does not compile in JavaScript/,
  ],
  ['two path specifiers (oneof)', (d) => (routes(d, 1)[1].match.prefix = '/x'), `${VH}[1].routes[1].match.path`, 'only one of prefix, path may be set (oneof path_specifier)'],
  [
    'success-rate outlier detection',
    (d) => (cluster0(d).outlier_detection.success_rate_stdev_factor = 1900),
    `${C0}.outlier_detection.success_rate_stdev_factor`,
    /^not supported by weft-proxy \(only consecutive-5xx/,
  ],
  [
    'enforced success-rate ejection',
    (d) => (cluster0(d).outlier_detection.enforcing_success_rate = 100),
    `${C0}.outlier_detection.enforcing_success_rate`,
    'only 0 is supported by weft-proxy (success-rate ejection is not implemented)',
  ],
  ['retry condition', (d) => (routes(d, 0)[1].route.retry_policy.retry_on = '5xx,envoy-ratelimited'), `${VH}[0].routes[1].route.retry_policy.retry_on`, 'retry condition "envoy-ratelimited" is not supported by weft-proxy'],
  ['HTTP/3 codec', (d) => (hcm(d).codec_type = 'HTTP3'), `${HCM}.codec_type`, 'HTTP3 is not supported by weft-proxy'],
  ['non-websocket upgrade', (d) => (hcm(d).upgrade_configs[0].upgrade_type = 'CONNECT'), `${HCM}.upgrade_configs[0].upgrade_type`, 'only websocket upgrades are supported by weft-proxy'],
  [
    'per-route config without a matching filter',
    (d) => {
      const vh = hcm(d).route_config.virtual_hosts[0];
      vh.typed_per_filter_config = { 'my.fault': vh.typed_per_filter_config['envoy.filters.http.fault'] };
    },
    `${VH}[0].typed_per_filter_config["my.fault"]`,
    'no HTTP filter named "my.fault" in this connection manager',
  ],
  [
    'header append_action not modelled',
    (d) => (hcm(d).route_config.response_headers_to_add[0].append_action = 'ADD_IF_ABSENT'),
    `${HCM}.route_config.response_headers_to_add[0].append_action`,
    'ADD_IF_ABSENT is not supported by weft-proxy',
  ],
  ['a second filter chain', (d) => d.static_resources.listeners[1].filter_chains.push(d.static_resources.listeners[1].filter_chains[0]), 'static_resources.listeners[1].filter_chains', /^two filter chains must match transport_protocol "tls"/],
  ['duplicate domain', (d) => hcm(d).route_config.virtual_hosts[1].domains.push('reviews'), `${VH}[1].domains[2]`, 'duplicate domain "reviews" (also in virtual host "reviews")'],
];

describe('loadBootstrap rejects, naming the field', () => {
  it.each(cases)('%s', (_what, edit, path, reason) => {
    const err = rejection(edited(edit));
    const issue = err.issues.find((i) => i.path === path);
    expect({ issues: err.issues, found: issue?.path }).toMatchObject({ found: path });
    if (typeof reason === 'string') expect(issue?.message).toBe(reason);
    else expect(issue?.message).toMatch(reason);
  });
});

describe('ProxyConfigError', () => {
  it('is a typed WeftError whose message is <file>: <path>: <reason>', () => {
    const err = rejection(edited((d) => (cluster0(d).lb_policy = 'CLUSTER_PROVIDED')));
    expect(isWeftError(err)).toBe(true);
    expect(err.code).toBe(PROXY_CONFIG_ERROR_CODE);
    expect(err.kind).toBe('invalid-argument');
    expect(err.path).toBe(`${C0}.lb_policy`);
    expect(err.reason).toBe('CLUSTER_PROVIDED is not supported by weft-proxy');
    expect(err.message).toBe(`bootstrap.yaml: ${C0}.lb_policy: CLUSTER_PROVIDED is not supported by weft-proxy`);
  });

  it('collects every problem of the bootstrap, one line each', () => {
    const err = rejection(
      edited((d) => {
        cluster0(d).connect_timeout = '5ms';
        port1(d).port_value = 'http';
        hcm(d).stat_prefx = 'x';
      }),
    );
    expect(err.issues.map((i) => i.path)).toEqual([`${HCM}.stat_prefx`, `${C0}.connect_timeout`, `${EP1}.port_value`]);
    expect(err.message.split('\n')).toHaveLength(3);
  });

  it('rejects an empty file (a bootstrap is a mapping)', () => {
    expect(rejection('').message).toBe('bootstrap.yaml: (root): expected an object (envoy.config.bootstrap.v3.Bootstrap)');
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(rejection('static_resources: [').message).toMatch(/^bootstrap\.yaml: line \d+, column \d+: /);
    const dup = rejection('node: { id: a }\nnode: { id: b }\n');
    expect(dup.message).toMatch(/^bootstrap\.yaml: line 2, column 1: Map keys must be unique/);
  });
});
