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
    honoured: ['tls_certificate_sds_secret_configs', 'combined_validation_context', 'validation_context_sds_secret_config', 'tls_certificates', 'validation_context'],
    ignored: ['alpn_protocols'],
    notes: [
      'mesh mTLS: `tls_certificate_sds_secret_configs` exactly [{name: default}] and the validation context SDS `ROOTCA`',
      'upstream TLS from files (DestinationRule SIMPLE / MUTUAL): `tls_certificates` (at most one, `filename`s) and `validation_context`; not mixed with the SDS secrets',
      'ALPN is chosen by the proxy (h2, http/1.1)',
    ],
    reasons: { tls_params: 'TLS parameters are fixed (TLS 1.2+)' },
  },
  [`${T}.TlsCertificate`]: {
    honoured: ['certificate_chain', 'private_key'],
    notes: ['both by `filename`, read and checked (the key matches the chain) when the config is accepted'],
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
    honoured: ['match_typed_subject_alt_names', 'trusted_ca'],
    notes: [
      '`match_typed_subject_alt_names`: exact matchers; mesh: URI SANs (SPIFFE IDs); files: DNS or URI SANs; any of them must be presented',
      '`trusted_ca`: files mode only, by `filename`; without it the server certificate is not verified (Envoy\'s semantics) and SAN matchers are refused',
    ],
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
