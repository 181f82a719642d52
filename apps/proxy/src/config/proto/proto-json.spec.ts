import { ConfigContext } from '../config-context';
import { SUPPORT_POLICY } from '../support/support-matrix';
import { protoFromJson, type SupportPolicy } from './proto-json';

/** A policy that honours everything: isolates the proto3-JSON conversion from the support matrix. */
const EVERYTHING: SupportPolicy = {
  knows: () => true,
  verdict: () => ({ kind: 'honoured' }),
  anyTypes: () => ['google.protobuf.Struct'],
};

function convert(typeName: string, raw: unknown, policy: SupportPolicy = EVERYTHING): { out: unknown; issues: string[]; ignored: string[] } {
  const ctx = new ConfigContext();
  const out = protoFromJson(typeName, raw, '', ctx, policy);
  return { out, issues: ctx.issues.map((i) => `${i.path}: ${i.message}`), ignored: ctx.ignored };
}

const SOCKET = 'envoy.config.core.v3.SocketAddress';
const HEADER_MATCHER = 'envoy.config.route.v3.HeaderMatcher';

describe('proto3 JSON conversion', () => {
  it.each([
    ['enum by name', { protocol: 'UDP', address: 'a', port_value: 1 }, { protocol: 'UDP', address: 'a', port_value: 1 }],
    ['enum by number', { protocol: 1, address: 'a', port_value: 1 }, { protocol: 'UDP', address: 'a', port_value: 1 }],
    ['integer as a string', { address: 'a', port_value: '8080' }, { address: 'a', port_value: 8080 }],
    ['default scalars are unset', { protocol: 'TCP', address: 'a', port_value: 1, ipv4_compat: false }, { address: 'a', port_value: 1 }],
    ['camelCase names', { address: 'a', portValue: 1, ipv4Compat: true }, { address: 'a', port_value: 1, ipv4_compat: true }],
  ])('%s', (_what, raw, expected) => {
    expect(convert(SOCKET, raw)).toEqual({ out: expected, issues: [], ignored: [] });
  });

  it('keeps oneof members set to their default value (present_match: false means "absent")', () => {
    expect(convert(HEADER_MATCHER, { name: 'x', present_match: false }).out).toEqual({ name: 'x', present_match: false });
  });

  it.each([
    ['a string for a bool', HEADER_MATCHER, { name: 'x', invert_match: 'yes' }, 'invert_match: expected bool (true or false)'],
    ['a number for a string', SOCKET, { address: 10, port_value: 1 }, 'address: expected string'],
    ['a fraction for an integer', SOCKET, { address: 'a', port_value: 1.5 }, 'port_value: expected uint32'],
    ['an unknown enum name', SOCKET, { protocol: 'SCTP', address: 'a', port_value: 1 }, 'protocol: expected one of TCP, UDP'],
    ['a list for a message', HEADER_MATCHER, { name: 'x', string_match: [] }, 'string_match: expected an object (envoy.type.matcher.v3.StringMatcher)'],
    ['a missing required oneof', SOCKET, { address: 'a' }, '(root): one of port_value, named_port is required'],
    ['an Any without @type', 'envoy.config.listener.v3.Filter', { name: 'f', typed_config: {} }, 'typed_config.@type: required ("type.googleapis.com/<message type>")'],
    ['a duration with ms', 'envoy.config.cluster.v3.Cluster', { name: 'c', connect_timeout: '10ms' }, 'connect_timeout: expected duration (a string like "5s" or "0.25s", or { seconds, nanos })'],
  ])('rejects %s', (_what, type, raw, issue) => {
    expect(convert(type, raw).issues).toEqual([issue]);
  });

  it('reads the special JSON of well-known types inside Any ({ "@type", value })', () => {
    const { out, issues } = convert('envoy.config.core.v3.TypedExtensionConfig', {
      name: 'p',
      typed_config: { '@type': 'type.googleapis.com/google.protobuf.Struct', value: { a: [1, 'x'] } },
    });
    expect(issues).toEqual([]);
    expect(out).toMatchObject({ typed_config: { typeName: 'google.protobuf.Struct', value: { a: [1, 'x'] } } });
  });

  it('type-checks accepted-and-ignored fields but records them instead of applying the matrix', () => {
    const metadata = { filter_metadata: { 'istio': { foo: 'bar' } }, typed_filter_metadata: { x: { '@type': 'type.googleapis.com/acme.Unknown', a: 1 } } };
    const accepted = convert('envoy.config.endpoint.v3.LbEndpoint', { metadata, endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 1 } } } }, SUPPORT_POLICY);
    expect(accepted.issues).toEqual([]);
    expect(accepted.ignored).toEqual(['metadata']);
    expect(convert('envoy.config.endpoint.v3.LbEndpoint', { metadata: { filter_metadat: {} } }, SUPPORT_POLICY).issues).toEqual([
      'metadata.filter_metadat: unknown field (not in envoy.config.core.v3.Metadata)',
    ]);
  });
});
