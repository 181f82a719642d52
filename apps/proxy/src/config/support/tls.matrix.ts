import type { MessageSupport } from './support-matrix';

const T = 'envoy.extensions.transport_sockets.tls.v3';
const LOCAL_SECRETS = 'secrets are local to the proxy: SDS `default` (its SVID) and `ROOTCA` (the trust bundle)';

/** Type names of the TLS transport socket configs. */
export const TLS_TYPE = {
  downstream: `${T}.DownstreamTlsContext`,
  upstream: `${T}.UpstreamTlsContext`,
  tlsInspector: 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
} as const;

/** mTLS transport sockets (Istio's shape), filter chain match on transport protocol, the TLS inspector. */
export const TLS_SUPPORT: Readonly<Record<string, MessageSupport>> = {
  'envoy.config.core.v3.TransportSocket': {
    honoured: ['name', 'typed_config'],
    anyTypes: { typed_config: [TLS_TYPE.downstream, TLS_TYPE.upstream] },
    notes: ['`envoy.transport_sockets.tls` only: DownstreamTlsContext on listeners, UpstreamTlsContext on clusters'],
  },
  [TLS_TYPE.downstream]: {
    honoured: ['common_tls_context', 'require_client_certificate'],
    reasons: { session_ticket_keys: 'session resumption is not configurable', ocsp_staple_policy: 'OCSP is not supported' },
  },
  [TLS_TYPE.upstream]: {
    honoured: ['common_tls_context', 'sni'],
    reasons: { allow_renegotiation: 'renegotiation is not supported', max_session_keys: 'session resumption is not configurable' },
  },
  [`${T}.CommonTlsContext`]: {
    honoured: ['tls_certificate_sds_secret_configs', 'combined_validation_context', 'validation_context_sds_secret_config'],
    ignored: ['alpn_protocols'],
    notes: ['`tls_certificate_sds_secret_configs`: exactly [{name: default}]; the validation context: SDS `ROOTCA`', 'ALPN is chosen by the proxy (h2, http/1.1)'],
    reasons: { tls_certificates: LOCAL_SECRETS, validation_context: LOCAL_SECRETS, tls_params: 'TLS parameters are fixed (TLS 1.2+)' },
  },
  [`${T}.SdsSecretConfig`]: {
    honoured: ['name'],
    notes: ['`name`: `default` or `ROOTCA`, resolved by the proxy itself (never fetched over SDS)'],
    reasons: { sds_config: LOCAL_SECRETS },
  },
  [`${T}.CommonTlsContext.CombinedCertificateValidationContext`]: {
    honoured: ['default_validation_context', 'validation_context_sds_secret_config'],
  },
  [`${T}.CertificateValidationContext`]: {
    honoured: ['match_typed_subject_alt_names'],
    notes: ['`match_typed_subject_alt_names`: URI SANs with exact matchers (SPIFFE IDs), any of which the peer must present'],
    reasons: { trusted_ca: LOCAL_SECRETS },
  },
  [`${T}.SubjectAltNameMatcher`]: { honoured: ['san_type', 'matcher'] },
  'envoy.config.listener.v3.FilterChainMatch': {
    honoured: ['transport_protocol'],
    notes: ['`transport_protocol`: `tls` or `raw_buffer` (PERMISSIVE: both chains on one port, told apart by the first byte)'],
  },
  'envoy.config.listener.v3.ListenerFilter': {
    honoured: ['name', 'typed_config'],
    anyTypes: { typed_config: [TLS_TYPE.tlsInspector] },
    notes: ['only the TLS inspector (detection is built into every listener)'],
  },
  [TLS_TYPE.tlsInspector]: { honoured: [] },
};
