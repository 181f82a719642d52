import { isWeftError } from '@weft/shared';
import type { XdsNode } from '@weft/xds';
import { clientKindOf, parseProxyNode } from './proxy-node';

/** A Struct string value as grpc-js-xds and proto-loader spell it (camelCase well-known types). */
function str(value: string): { stringValue: string; kind: string } {
  return { stringValue: value, kind: 'stringValue' };
}

describe('parseProxyNode', () => {
  it.each([
    ['weft-proxy', 'weft'],
    ['envoy', 'envoy'],
    ['gRPC Node Pure JS', 'grpc'],
    ['grpc-go', 'grpc'],
    ['', 'envoy'],
    ['something-else', 'envoy'],
  ] as const)('user agent %p → %p', (ua, kind) => {
    expect(clientKindOf(ua)).toBe(kind);
  });

  it('reads Istio-style metadata', () => {
    const node = parseProxyNode({
      id: 'sidecar~10.0.0.7~reviews-v1.shop',
      cluster: 'reviews',
      user_agent_name: 'weft-proxy',
      metadata: {
        fields: {
          NAMESPACE: str('shop'),
          SERVICE: str('reviews'),
          LABELS: str('{"app":"reviews","version":"v1"}'),
          APP_PORT: str('9080'),
          OUTBOUND_PORT: str('15101'),
        },
      },
      locality: { region: 'eu', zone: 'eu-1', sub_zone: 'a' },
    });
    expect(node).toEqual({
      id: 'sidecar~10.0.0.7~reviews-v1.shop',
      cluster: 'reviews',
      kind: 'weft',
      userAgent: 'weft-proxy',
      namespace: 'shop',
      service: 'reviews',
      labels: { app: 'reviews', version: 'v1' },
      locality: { region: 'eu', zone: 'eu-1', subZone: 'a' },
      appPort: 9080,
      outboundPort: 15101,
      inboundPort: 15006,
    });
  });

  it('defaults: namespace default, service = cluster, no app port, ports 15001/15006', () => {
    const node = parseProxyNode({ id: 'n1', cluster: 'echo-client', user_agent_name: 'gRPC Node Pure JS' });
    expect(node).toMatchObject({ kind: 'grpc', namespace: 'default', service: 'echo-client', labels: {}, appPort: null, outboundPort: 15001, inboundPort: 15006 });
    expect(node.locality).toEqual({ region: '', zone: '', subZone: '' });
  });

  it('LABELS as a Struct; bad ports and bad JSON are ignored', () => {
    const metadata = {
      fields: {
        LABELS: { kind: 'structValue', structValue: { fields: { app: str('web'), tier: { kind: 'numberValue', numberValue: 2 } } } },
        APP_PORT: str('99999'),
      },
    } as unknown as XdsNode['metadata'];
    expect(parseProxyNode({ id: 'n', metadata })).toMatchObject({ labels: { app: 'web', tier: '2' }, appPort: null });
    const bad = { fields: { LABELS: str('{not json') } } as unknown as XdsNode['metadata'];
    expect(parseProxyNode({ id: 'n', metadata: bad }).labels).toEqual({});
  });

  it('also reads the snake_case spelling of Struct values', () => {
    const metadata = { fields: { NAMESPACE: { string_value: 'shop' }, LABELS: { struct_value: { fields: { app: { string_value: 'web' } } } } } };
    expect(parseProxyNode({ id: 'n', metadata } as XdsNode)).toMatchObject({ namespace: 'shop', labels: { app: 'web' } });
  });

  it.each([
    ['no node', undefined],
    ['no id', { cluster: 'c' }],
  ])('%s → typed invalid-argument error', (_what, node) => {
    let caught: unknown;
    try {
      parseProxyNode(node as XdsNode | undefined);
    } catch (err) {
      caught = err;
    }
    expect(isWeftError(caught) && caught.kind === 'invalid-argument' && caught.code === 'WEFT_ERR_XDS_NO_NODE').toBe(true);
  });
});
