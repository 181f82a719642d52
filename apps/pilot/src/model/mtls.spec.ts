import { TYPE_URL } from '@weft/xds';
import { decoded, instance, proxyNode, rules, service } from './mesh-fixtures.spec-helper';
import { MeshModel } from './mesh-model';
import type { MeshChange } from './xds-contract';

const REVIEWS = service('default', 'reviews');
const FQDN = 'reviews.default.svc.cluster.local';
const CLUSTER = `outbound|9080||${FQDN}`;
const MESHED = { 'security.istio.io/tlsMode': 'istio' };

function pa(namespace: string, name: string, spec: string): string {
  return `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: ${spec}\n---\n`;
}

function setup(meshed: boolean, trustDomain?: string): { m: MeshModel; changes: MeshChange[] } {
  const m = new MeshModel({ trustDomain });
  const labels = meshed ? { ...MESHED, version: 'v1' } : { version: 'v1' };
  m.replaceServices([{ service: REVIEWS, instances: [instance(REVIEWS, 'r1', '10.0.0.1', { labels }), instance(REVIEWS, 'r2', '10.0.0.2', { labels })] }]);
  const changes: MeshChange[] = [];
  m.onChange((c) => changes.push(c));
  return { m, changes };
}

/** The inbound listener's shape for a workload: its chains' transport protocols and whether they carry TLS. */
function inbound(m: MeshModel, labels: Record<string, string>, namespace = 'default'): string[] {
  const l = decoded(m.provider.resource(TYPE_URL.listener, proxyNode('weft', { namespace, labels, appPort: 9080 }), 'inbound'));
  const chains = l['filter_chains'] as { filter_chain_match?: { transport_protocol?: string }; transport_socket?: unknown }[];
  return chains.map((c) => `${c.filter_chain_match?.transport_protocol ?? 'any'}${c.transport_socket === undefined ? '' : '+tls'}`);
}

describe('PeerAuthentication → inbound listener', () => {
  it('is PERMISSIVE without any policy (tls and raw_buffer chains)', () => {
    expect(inbound(setup(false).m, { app: 'reviews' })).toEqual(['tls+tls', 'raw_buffer']);
  });

  it.each([
    ['mesh-wide STRICT', pa('istio-system', 'default', '{mtls: {mode: STRICT}}'), { app: 'reviews' }, ['tls+tls']],
    ['namespace DISABLE over mesh STRICT', pa('istio-system', 'default', '{mtls: {mode: STRICT}}') + pa('default', 'ns', '{mtls: {mode: DISABLE}}'), { app: 'reviews' }, ['any']],
    ['UNSET workload inherits the namespace', pa('default', 'ns', '{mtls: {mode: STRICT}}') + pa('default', 'w', '{selector: {matchLabels: {app: reviews}}, mtls: {mode: UNSET}}'), { app: 'reviews' }, ['tls+tls']],
    ['workload PERMISSIVE over namespace STRICT', pa('default', 'ns', '{mtls: {mode: STRICT}}') + pa('default', 'w', '{selector: {matchLabels: {app: reviews}}, mtls: {mode: PERMISSIVE}}'), { app: 'reviews' }, ['tls+tls', 'raw_buffer']],
    ['a selector that does not match', pa('default', 'w', '{selector: {matchLabels: {app: ratings}}, mtls: {mode: STRICT}}'), { app: 'reviews' }, ['tls+tls', 'raw_buffer']],
    ['port-level STRICT on the app port', pa('default', 'w', '{selector: {matchLabels: {app: reviews}}, mtls: {mode: DISABLE}, portLevelMtls: {"9080": {mode: STRICT}}}'), { app: 'reviews' }, ['tls+tls']],
    ['port-level on another port', pa('default', 'w', '{selector: {matchLabels: {app: reviews}}, mtls: {mode: DISABLE}, portLevelMtls: {"8080": {mode: STRICT}}}'), { app: 'reviews' }, ['any']],
    ['another namespace\'s policy', pa('other', 'ns', '{mtls: {mode: STRICT}}'), { app: 'reviews' }, ['tls+tls', 'raw_buffer']],
  ])('%s', (_what, yaml, labels, chains) => {
    const { m } = setup(false);
    m.replaceRules(rules(yaml));
    expect(inbound(m, labels)).toEqual(chains);
  });

  it('a PeerAuthentication change emits the inbound LDS name only', () => {
    const { m, changes } = setup(false);
    m.replaceRules(rules(pa('default', 'ns', '{mtls: {mode: STRICT}}')));
    expect(changes).toHaveLength(1);
    expect([...changes[0].resources.keys()]).toEqual([TYPE_URL.listener]);
    expect([...(changes[0].resources.get(TYPE_URL.listener) ?? [])]).toEqual(['inbound']);
    expect(inbound(m, { app: 'reviews' })).toEqual(['tls+tls']);
  });
});

describe('outbound mTLS (DestinationRule tls, auto mTLS)', () => {
  const tlsOf = (m: MeshModel): Record<string, unknown> | undefined => decoded(m.provider.resource(TYPE_URL.cluster, proxyNode('weft'), CLUSTER))['transport_socket'] as Record<string, unknown> | undefined;
  const dr = (mode: string): string => `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews, trafficPolicy: {tls: {mode: ${mode}}}}\n`;

  it('auto mTLS: every endpoint labelled tlsMode=istio → SNI and the service identity; unlabelled → plaintext', () => {
    expect(tlsOf(setup(false).m)).toBeUndefined();
    const socket = tlsOf(setup(true).m);
    expect(socket).toMatchObject({
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        sni: `outbound_.9080_._.${FQDN}`,
        common_tls_context: {
          tls_certificate_sds_secret_configs: [{ name: 'default' }],
          combined_validation_context: {
            default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/default/sa/reviews' } }] },
            validation_context_sds_secret_config: { name: 'ROOTCA' },
          },
        },
      },
    });
  });

  it('DestinationRule ISTIO_MUTUAL forces mTLS, DISABLE turns auto mTLS off', () => {
    const off = setup(true);
    off.m.replaceRules(rules(dr('DISABLE')));
    expect(tlsOf(off.m)).toBeUndefined();
    const on = setup(false);
    on.m.replaceRules(rules(dr('ISTIO_MUTUAL')));
    expect(tlsOf(on.m)).toMatchObject({ typed_config: { sni: `outbound_.9080_._.${FQDN}` } });
  });

  it('DestinationRule SIMPLE / MUTUAL: TLS from files as Istio translates it (CA, SANs else the SNI, client files), meshed or not', () => {
    const tlsDr = (tls: string): string => `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews, trafficPolicy: {tls: ${tls}}}\n`;
    const typed = (tls: string, meshed = false): unknown => {
      const { m } = setup(meshed);
      m.replaceRules(rules(tlsDr(tls)));
      return (tlsOf(m) as { typed_config: unknown }).typed_config;
    };
    expect(typed('{mode: SIMPLE, caCertificates: /etc/ext/ca.pem}', true)).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      sni: FQDN,
      common_tls_context: { validation_context: { trusted_ca: { filename: '/etc/ext/ca.pem' }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: FQDN } }] } },
    });
    expect(typed('{mode: SIMPLE, sni: api.example.com, subjectAltNames: [api.example.com, "spiffe://x/y"]}')).toMatchObject({
      sni: 'api.example.com',
      common_tls_context: {
        validation_context: {
          trusted_ca: { filename: '/etc/ssl/certs/ca-certificates.crt' },
          match_typed_subject_alt_names: [
            { san_type: 'DNS', matcher: { exact: 'api.example.com' } },
            { san_type: 'URI', matcher: { exact: 'spiffe://x/y' } },
          ],
        },
      },
    });
    expect(typed('{mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, insecureSkipVerify: true}')).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      sni: FQDN,
      common_tls_context: { tls_certificates: [{ certificate_chain: { filename: '/c.pem' }, private_key: { filename: '/k.pem' } }] },
    });
  });

  it('identities come from the endpoints\' service accounts; a change of them re-emits the cluster, instance churn does not', () => {
    const { m, changes } = setup(true);
    expect(tlsOf(m)).toBeDefined();
    const sa = (id: string, addr: string, account: string) => ({ ...instance(REVIEWS, id, addr, { labels: { ...MESHED, version: 'v1' } }), metadata: { serviceAccount: account } });
    m.upsertService({ service: REVIEWS, instances: [sa('r1', '10.0.0.1', 'bookinfo-reviews'), sa('r2', '10.0.0.2', 'bookinfo-reviews')] });
    expect(changes[0].resources.get(TYPE_URL.cluster)?.has(CLUSTER)).toBe(true);
    expect(JSON.stringify(tlsOf(m))).toContain('spiffe://cluster.local/ns/default/sa/bookinfo-reviews');
    m.upsertService({ service: REVIEWS, instances: [sa('r1', '10.0.0.1', 'bookinfo-reviews')] });
    expect(changes[1].resources.has(TYPE_URL.cluster)).toBe(false);
  });

  it('the identities carry the configured trust domain (WEFT_PILOT_TRUST_DOMAIN)', () => {
    const json = JSON.stringify(tlsOf(setup(true, 'prod.example.org').m));
    expect(json).toContain('"spiffe://prod.example.org/ns/default/sa/reviews"');
    expect(json).not.toContain('cluster.local/ns');
  });

  it('proxyless gRPC clients get no transport socket', () => {
    const { m } = setup(true);
    expect(decoded(m.provider.resource(TYPE_URL.cluster, proxyNode('grpc'), CLUSTER))['transport_socket']).toBeUndefined();
  });
});
