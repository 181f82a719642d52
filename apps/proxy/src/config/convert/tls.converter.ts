import type { DownstreamTlsModel, UpstreamTlsModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { any, anyMessage, bool, enumName, msg, msgs, str, type ProtoMessage } from '../proto/proto-value';
import { TLS_TYPE } from '../support/tls.matrix';

/**
 * TLS transport sockets (envoy.transport_sockets.tls), in Istio's shape: the certificate is the
 * workload SVID, SDS secret `default`, and peers are verified against the trust bundle, SDS secret
 * `ROOTCA`. Secrets are local to the proxy (its SvidManager), never sent over xDS: any other secret
 * name, or an inline certificate, is rejected.
 */
export const SVID_SECRET = 'default';
export const ROOTCA_SECRET = 'ROOTCA';

/** Listener.filter_chains[].transport_socket → whether it is the mTLS socket; null with issues. */
export function downstreamTls(socket: ProtoMessage, path: string, ctx: ConfigContext): Pick<DownstreamTlsModel, 'requireClientCertificate'> | null {
  const config = tlsSocketConfig(socket, path, TLS_TYPE.downstream, ctx);
  if (config === null) return null;
  const cpath = fieldPath(path, 'typed_config');
  commonTlsContext(msg(config, 'common_tls_context'), fieldPath(cpath, 'common_tls_context'), ctx);
  return { requireClientCertificate: bool(config, 'require_client_certificate') ?? false };
}

/** Cluster.transport_socket → the upstream mTLS model (SNI, accepted URI SANs). */
export function upstreamTls(socket: ProtoMessage, path: string, ctx: ConfigContext): UpstreamTlsModel | null {
  const config = tlsSocketConfig(socket, path, TLS_TYPE.upstream, ctx);
  if (config === null) return null;
  const cpath = fieldPath(path, 'typed_config');
  const validation = commonTlsContext(msg(config, 'common_tls_context'), fieldPath(cpath, 'common_tls_context'), ctx);
  return { sni: str(config, 'sni'), subjectAltNames: subjectAltNames(validation, ctx) };
}

function tlsSocketConfig(socket: ProtoMessage, path: string, typeName: string, ctx: ConfigContext): ProtoMessage | null {
  const config = any(socket, 'typed_config');
  if (config === null || config.typeName !== typeName) {
    ctx.issue(fieldPath(path, 'typed_config'), `expected a ${typeName} (envoy.transport_sockets.tls)`);
    return null;
  }
  return anyMessage(config);
}

interface ValidationAt {
  readonly m: ProtoMessage | null;
  readonly path: string;
}

/** The SVID and the trust bundle by SDS name; returns the default validation context (SAN matchers). */
function commonTlsContext(m: ProtoMessage | null, path: string, ctx: ConfigContext): ValidationAt {
  const none: ValidationAt = { m: null, path };
  if (m === null) {
    ctx.issue(path, `required: tls_certificate_sds_secret_configs [{name: ${SVID_SECRET}}] and the ${ROOTCA_SECRET} validation context`);
    return none;
  }
  const certs = msgs(m, 'tls_certificate_sds_secret_configs');
  const cpath = fieldPath(path, 'tls_certificate_sds_secret_configs');
  if (certs.length !== 1) ctx.issue(cpath, `exactly one entry, {name: ${SVID_SECRET}} (the workload certificate)`);
  else sdsName(certs[0], indexPath(cpath, 0), SVID_SECRET, ctx);
  const combined = msg(m, 'combined_validation_context');
  if (combined !== null) {
    const vpath = fieldPath(path, 'combined_validation_context');
    sdsName(msg(combined, 'validation_context_sds_secret_config'), fieldPath(vpath, 'validation_context_sds_secret_config'), ROOTCA_SECRET, ctx);
    return { m: msg(combined, 'default_validation_context'), path: fieldPath(vpath, 'default_validation_context') };
  }
  sdsName(msg(m, 'validation_context_sds_secret_config'), fieldPath(path, 'validation_context_sds_secret_config'), ROOTCA_SECRET, ctx);
  return none;
}

function sdsName(m: ProtoMessage | null, path: string, expected: string, ctx: ConfigContext): void {
  const name = m === null ? '' : str(m, 'name');
  if (name !== expected) {
    ctx.issue(fieldPath(path, 'name'), `must be "${expected}" (secrets are the proxy's own SVID and trust bundle, never sent over xDS)${name === '' ? '' : `, got "${name}"`}`);
  }
}

/** match_typed_subject_alt_names: URI SANs, exact only (SPIFFE IDs). */
function subjectAltNames(v: ValidationAt, ctx: ConfigContext): string[] {
  if (v.m === null) return [];
  const out: string[] = [];
  const path = fieldPath(v.path, 'match_typed_subject_alt_names');
  for (const [i, san] of msgs(v.m, 'match_typed_subject_alt_names').entries()) {
    const spath = indexPath(path, i);
    if (enumName(san, 'san_type', 'SAN_TYPE_UNSPECIFIED') !== 'URI') ctx.issue(fieldPath(spath, 'san_type'), 'only URI (SPIFFE ID) is supported');
    const matcher = msg(san, 'matcher') ?? {};
    const exact = str(matcher, 'exact');
    if (bool(matcher, 'ignore_case') === true) ctx.issue(fieldPath(spath, 'matcher.ignore_case'), 'SPIFFE IDs match exactly');
    if (exact === '') ctx.issue(fieldPath(spath, 'matcher'), 'only an exact matcher is supported');
    else out.push(exact);
  }
  return out;
}
