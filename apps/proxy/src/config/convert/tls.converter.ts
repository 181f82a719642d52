import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { DownstreamTlsModel, FileUpstreamTlsModel, UpstreamTlsModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from '../config-context';
import { any, anyMessage, bool, enumName, has, msg, msgs, str, type ProtoMessage } from '../proto/proto-value';
import { TLS_TYPE } from '../support/tls.matrix';

/**
 * TLS transport sockets (envoy.transport_sockets.tls). Mesh mTLS in Istio's shape: the certificate is
 * the workload SVID, SDS secret `default`, and peers are verified against the trust bundle, SDS secret
 * `ROOTCA`. Those secrets are local to the proxy (its SvidManager), never sent over xDS: any other
 * secret name is rejected. Upstream only, TLS origination from files on the proxy's host (Istio's
 * DestinationRule SIMPLE / MUTUAL): `tls_certificates` (certificate chain and private key by
 * `filename`) and `validation_context.trusted_ca` by `filename`; the files are read and checked when
 * the config is accepted (a missing or mismatched file rejects it, naming the field).
 */
export const SVID_SECRET = 'default';
export const ROOTCA_SECRET = 'ROOTCA';

/** Listener.filter_chains[].transport_socket → whether it is the mTLS socket; null with issues. */
export function downstreamTls(socket: ProtoMessage, path: string, ctx: ConfigContext): Pick<DownstreamTlsModel, 'requireClientCertificate'> | null {
  const config = tlsSocketConfig(socket, path, TLS_TYPE.downstream, ctx);
  if (config === null) return null;
  const cpath = fieldPath(fieldPath(path, 'typed_config'), 'common_tls_context');
  const common = msg(config, 'common_tls_context');
  if (common !== null) rejectFiles(common, cpath, ctx, 'listeners serve the mesh identity only (SDS default/ROOTCA)');
  commonTlsContext(common, cpath, ctx);
  return { requireClientCertificate: bool(config, 'require_client_certificate') ?? false };
}

/** Cluster.transport_socket → the upstream TLS model: mesh mTLS (SDS secrets) or files (SIMPLE/MUTUAL). */
export function upstreamTls(socket: ProtoMessage, path: string, ctx: ConfigContext): UpstreamTlsModel | null {
  const config = tlsSocketConfig(socket, path, TLS_TYPE.upstream, ctx);
  if (config === null) return null;
  const cpath = fieldPath(fieldPath(path, 'typed_config'), 'common_tls_context');
  const common = msg(config, 'common_tls_context');
  const sni = str(config, 'sni');
  if (common !== null && !usesSds(common)) return fileTls(common, cpath, sni, ctx);
  if (common !== null) rejectFiles(common, cpath, ctx);
  const validation = commonTlsContext(common, cpath, ctx);
  return { source: 'mesh', sni, subjectAltNames: subjectAltNames(validation, 'mesh', ctx) };
}

function usesSds(common: ProtoMessage): boolean {
  return has(common, 'tls_certificate_sds_secret_configs') || has(common, 'combined_validation_context') || has(common, 'validation_context_sds_secret_config');
}

function rejectFiles(common: ProtoMessage, path: string, ctx: ConfigContext, why = 'not with the SDS secrets: either the mesh identity (SDS default/ROOTCA) or files'): void {
  for (const f of ['tls_certificates', 'validation_context']) {
    if (has(common, f)) ctx.issue(fieldPath(path, f), why);
  }
}

/** TLS origination from files: the client certificate (MUTUAL) and the trusted CAs (verification). */
function fileTls(common: ProtoMessage, path: string, sni: string, ctx: ConfigContext): FileUpstreamTlsModel | null {
  const before = ctx.issues.length;
  const certs = msgs(common, 'tls_certificates');
  const certsPath = fieldPath(path, 'tls_certificates');
  if (certs.length > 1) ctx.issue(certsPath, 'at most one client certificate');
  const certPath = indexPath(certsPath, 0);
  const chainFile = certs.length === 0 ? null : fileName(msg(certs[0], 'certificate_chain'), fieldPath(certPath, 'certificate_chain'), ctx);
  const keyFile = certs.length === 0 ? null : fileName(msg(certs[0], 'private_key'), fieldPath(certPath, 'private_key'), ctx);
  const validation = msg(common, 'validation_context');
  const vpath = fieldPath(path, 'validation_context');
  const caFile = validation === null || !has(validation, 'trusted_ca') ? null : fileName(msg(validation, 'trusted_ca'), fieldPath(vpath, 'trusted_ca'), ctx);
  const sans = subjectAltNames({ m: validation, path: vpath }, 'files', ctx);
  if (sans.length > 0 && caFile === null && validation !== null && !has(validation, 'trusted_ca')) {
    ctx.issue(fieldPath(vpath, 'trusted_ca'), 'required with match_typed_subject_alt_names (names of an unverified certificate prove nothing)');
  }
  const ca = caFile === null ? null : readPem(caFile, fieldPath(vpath, 'trusted_ca.filename'), ctx);
  const chain = chainFile === null ? null : readPem(chainFile, fieldPath(certPath, 'certificate_chain.filename'), ctx);
  const key = keyFile === null ? null : readPem(keyFile, fieldPath(certPath, 'private_key.filename'), ctx);
  if (ctx.issues.length > before) return null;
  const secureContext = buildContext(ca, chain, key, certPath, vpath, ctx);
  if (secureContext === null) return null;
  return { source: 'files', sni, subjectAltNames: sans, secureContext, verify: ca !== null, files: { trustedCa: caFile, certificateChain: chainFile, privateKey: keyFile } };
}

function fileName(m: ProtoMessage | null, path: string, ctx: ConfigContext): string | null {
  const name = m === null ? '' : str(m, 'filename');
  if (name === '') {
    ctx.issue(m !== null && has(m, 'inline_string') ? fieldPath(path, 'inline_string') : path, 'a file on the proxy\'s host is required (`filename`): key material never travels in a config');
    return null;
  }
  return name;
}

function readPem(file: string, path: string, ctx: ConfigContext): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    ctx.issue(path, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return null;
  }
}

/** Checks the PEM files (parseable, key matching the certificate) and builds the client context. */
function buildContext(ca: string | null, chain: string | null, key: string | null, certPath: string, vpath: string, ctx: ConfigContext): SecureContext | null {
  try {
    if (ca !== null) new X509Certificate(ca);
  } catch (err) {
    ctx.issue(fieldPath(vpath, 'trusted_ca'), `not a PEM certificate: ${(err as Error).message}`);
    return null;
  }
  if (chain !== null && key !== null) {
    try {
      if (!new X509Certificate(chain).checkPrivateKey(createPrivateKey(key))) {
        ctx.issue(fieldPath(certPath, 'private_key'), 'the private key does not match the certificate chain');
        return null;
      }
    } catch (err) {
      ctx.issue(certPath, `not a PEM certificate chain and private key: ${(err as Error).message}`);
      return null;
    }
  }
  return createSecureContext({ ca: ca ?? undefined, cert: chain ?? undefined, key: key ?? undefined, minVersion: 'TLSv1.2' });
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

/**
 * match_typed_subject_alt_names, exact matchers only. Mesh: URI SANs (SPIFFE IDs). Files: DNS or URI
 * SANs, kept as `DNS:<name>` / `URI:<uri>` (node's subjectaltname notation).
 */
function subjectAltNames(v: ValidationAt, mode: 'mesh' | 'files', ctx: ConfigContext): string[] {
  if (v.m === null) return [];
  const out: string[] = [];
  const path = fieldPath(v.path, 'match_typed_subject_alt_names');
  for (const [i, san] of msgs(v.m, 'match_typed_subject_alt_names').entries()) {
    const spath = indexPath(path, i);
    const type = enumName(san, 'san_type', 'SAN_TYPE_UNSPECIFIED');
    const allowed = mode === 'mesh' ? type === 'URI' : type === 'URI' || type === 'DNS';
    if (!allowed) ctx.issue(fieldPath(spath, 'san_type'), mode === 'mesh' ? 'only URI (SPIFFE ID) is supported' : 'only DNS and URI are supported');
    const matcher = msg(san, 'matcher') ?? {};
    const exact = str(matcher, 'exact');
    if (bool(matcher, 'ignore_case') === true) ctx.issue(fieldPath(spath, 'matcher.ignore_case'), 'names match exactly');
    if (exact === '') ctx.issue(fieldPath(spath, 'matcher'), 'only an exact matcher is supported');
    else out.push(mode === 'mesh' ? exact : `${type}:${exact}`);
  }
  return out;
}
