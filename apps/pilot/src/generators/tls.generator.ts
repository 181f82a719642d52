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

/**
 * An outbound cluster's TLS. `mesh`: mTLS to a meshed destination, Istio's SNI and the accepted
 * identities (SPIFFE IDs). `files`: DestinationRule SIMPLE / MUTUAL, certificates from files on the
 * client's host (Istio's fields, passed through as Envoy `filename` data sources).
 */
export type UpstreamTlsView = MeshTlsView | FileTlsView;

export interface MeshTlsView {
  readonly kind?: 'mesh';
  readonly sni: string;
  /** SPIFFE IDs (URI SANs) the server may present. */
  readonly subjectAltNames: readonly string[];
}

export interface FileTlsView {
  readonly kind: 'files';
  readonly sni: string;
  /** DNS names, or URIs (`scheme://…`), the server certificate must present one of. */
  readonly subjectAltNames: readonly string[];
  /** Trusted CA file; null: the server certificate is not verified (insecureSkipVerify). */
  readonly caCertificates: string | null;
  /** MUTUAL: the client certificate and key files. */
  readonly clientCertificate: string | null;
  readonly privateKey: string | null;
  /** Istio's credentialName (a Kubernetes secret): referenced by SDS name, which weft-proxy refuses (NACK). */
  readonly credentialName: string | null;
}

/** Where Debian, Ubuntu and Istio's proxy images keep the system trust store (VERIFY_CERTIFICATE_AT_CLIENT). */
export const SYSTEM_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';

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

/** Cluster.transport_socket: mTLS with the workload SVID (the server's SPIFFE ID checked), or TLS from files. */
export function upstreamTlsSocket(view: UpstreamTlsView): Record<string, unknown> {
  const common = view.kind === 'files' ? fileTlsContext(view) : commonTlsContext(view.subjectAltNames);
  return {
    name: TLS_SOCKET_NAME,
    typed_config: { '@type': `${TLS_TYPE}.UpstreamTlsContext`, ...(view.sni === '' ? {} : { sni: view.sni }), common_tls_context: common },
  };
}

/** Istio's SIMPLE / MUTUAL cluster TLS: files by name (never their contents), SAN matchers DNS or URI. */
function fileTlsContext(view: FileTlsView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (view.credentialName !== null) out.tls_certificate_sds_secret_configs = [{ name: `kubernetes://${view.credentialName}` }];
  else if (view.clientCertificate !== null && view.privateKey !== null) {
    out.tls_certificates = [{ certificate_chain: { filename: view.clientCertificate }, private_key: { filename: view.privateKey } }];
  }
  if (view.caCertificates !== null) {
    const matchers = view.subjectAltNames.map((exact) => ({ san_type: exact.includes('://') ? 'URI' : 'DNS', matcher: { exact } }));
    out.validation_context = { trusted_ca: { filename: view.caCertificates }, ...(matchers.length === 0 ? {} : { match_typed_subject_alt_names: matchers }) };
  }
  return out;
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
