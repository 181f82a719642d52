import { TYPE_PREFIX } from './xds-values';

/**
 * mTLS transport sockets in Istio's shape. Secrets are never sent: SDS `default` is the proxy's own
 * SVID and SDS `ROOTCA` its trust bundle, both resolved by the proxy (weft-proxy's SvidManager,
 * Envoy's istio-agent).
 */

export const TLS_SOCKET_NAME = 'envoy.transport_sockets.tls';
export const TLS_INSPECTOR_NAME = 'envoy.filters.listener.tls_inspector';
const TLS_TYPE = `${TYPE_PREFIX}envoy.extensions.transport_sockets.tls.v3`;
const TLS_INSPECTOR_TYPE = `${TYPE_PREFIX}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`;

/** The SPIFFE trust domain of workload identities. */
export const TRUST_DOMAIN = 'cluster.local';
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/** The effective PeerAuthentication mode of an inbound port (UNSET already resolved). */
export type InboundMtlsMode = 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** What an outbound cluster to a meshed destination needs: Istio's SNI and the accepted identities. */
export interface UpstreamTlsView {
  readonly sni: string;
  /** SPIFFE IDs (URI SANs) the server may present. */
  readonly subjectAltNames: readonly string[];
}

export function spiffeId(namespace: string, serviceAccount: string, trustDomain = TRUST_DOMAIN): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Istio's SNI of an outbound cluster: `outbound_.<port>_.<subset>_.<fqdn>`. */
export function outboundSni(port: number, subset: string, fqdn: string): string {
  return `outbound_.${port}_.${subset}_.${fqdn}`;
}

function commonTlsContext(subjectAltNames: readonly string[]): Record<string, unknown> {
  const matchers = subjectAltNames.map((exact) => ({ san_type: 'URI', matcher: { exact } }));
  return {
    tls_certificate_sds_secret_configs: [{ name: 'default' }],
    combined_validation_context: {
      default_validation_context: matchers.length === 0 ? {} : { match_typed_subject_alt_names: matchers },
      validation_context_sds_secret_config: { name: 'ROOTCA' },
    },
  };
}

/** Cluster.transport_socket: mTLS with the workload SVID, the server's SPIFFE ID checked. */
export function upstreamTlsSocket(view: UpstreamTlsView): Record<string, unknown> {
  return {
    name: TLS_SOCKET_NAME,
    typed_config: { '@type': `${TLS_TYPE}.UpstreamTlsContext`, sni: view.sni, common_tls_context: commonTlsContext(view.subjectAltNames) },
  };
}

function downstreamTlsSocket(): Record<string, unknown> {
  return {
    name: TLS_SOCKET_NAME,
    typed_config: { '@type': `${TLS_TYPE}.DownstreamTlsContext`, require_client_certificate: { value: true }, common_tls_context: commonTlsContext([]) },
  };
}

/**
 * The inbound listener's chains for a mode: DISABLE one plaintext chain (as without mTLS); STRICT one
 * TLS chain; PERMISSIVE the TLS inspector and a `tls` and a `raw_buffer` chain with the same filters.
 */
export function inboundChains(mode: InboundMtlsMode, filters: readonly Record<string, unknown>[]): Record<string, unknown> {
  if (mode === 'DISABLE') return { filter_chains: [{ filters }] };
  const tls = { filter_chain_match: { transport_protocol: 'tls' }, transport_socket: downstreamTlsSocket(), filters };
  if (mode === 'STRICT') return { filter_chains: [tls] };
  return {
    listener_filters: [{ name: TLS_INSPECTOR_NAME, typed_config: { '@type': TLS_INSPECTOR_TYPE } }],
    filter_chains: [tls, { filter_chain_match: { transport_protocol: 'raw_buffer' }, filters }],
  };
}
