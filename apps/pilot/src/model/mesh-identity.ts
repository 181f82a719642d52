import type { ClientTls } from '@weft/api';
import { type FileTlsView, outboundSni, spiffeId, SYSTEM_CA_FILE, TLS_MODE_LABEL, TRUST_DOMAIN, type UpstreamTlsView } from '../generators/tls.generator';
import type { MeshEndpoint } from './mesh-endpoint';
import type { MeshService } from './mesh-service';

/**
 * Whether an outbound cluster originates TLS, and how. Mesh mTLS (Istio's auto mTLS): a
 * DestinationRule `tls.mode` ISTIO_MUTUAL always, DISABLE never; without DestinationRule TLS, when
 * every endpoint of the cluster is meshed (label `security.istio.io/tlsMode: istio`). SIMPLE and
 * MUTUAL: TLS with files on the client's host, as Istio does it — the server certificate verified
 * against `caCertificates` (the system trust store when unset, none with insecureSkipVerify), its
 * name against `subjectAltNames` (else the SNI), SNI `sni` or the service's host.
 */
export function clusterTls(
  service: MeshService,
  port: number,
  subset: string,
  subsetLabels: Readonly<Record<string, string>> | null,
  tls: ClientTls | null,
  trustDomain = TRUST_DOMAIN,
): UpstreamTlsView | null {
  const endpoints = subsetLabels === null ? service.endpoints : service.endpoints.filter((e) => e.hasLabels(subsetLabels));
  if (tls !== null && (tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL')) return fileTls(service, tls);
  if (tls !== null && tls.mode !== 'ISTIO_MUTUAL') return null;
  if (tls === null && !allMeshed(endpoints)) return null;
  const sans = tls !== null && tls.subjectAltNames.length > 0 ? tls.subjectAltNames : identities(service, endpoints, trustDomain);
  return { sni: tls?.sni ?? outboundSni(port, subset, service.fqdn), subjectAltNames: sans };
}

function fileTls(service: MeshService, tls: ClientTls): FileTlsView {
  const sni = tls.sni ?? service.fqdn;
  const verify = !tls.insecureSkipVerify;
  return {
    kind: 'files',
    sni,
    subjectAltNames: !verify ? [] : tls.subjectAltNames.length > 0 ? tls.subjectAltNames : [sni],
    caCertificates: verify ? (tls.caCertificates ?? SYSTEM_CA_FILE) : null,
    clientCertificate: tls.mode === 'MUTUAL' ? tls.clientCertificate : null,
    privateKey: tls.mode === 'MUTUAL' ? tls.privateKey : null,
    credentialName: tls.credentialName,
  };
}

/** The SPIFFE IDs of the endpoints' service accounts (the service's name when an endpoint has none), sorted. */
function identities(service: MeshService, endpoints: readonly MeshEndpoint[], trustDomain: string): string[] {
  const out = new Set<string>();
  for (const e of endpoints) out.add(spiffeId(service.namespace, e.serviceAccount ?? service.name, trustDomain));
  if (out.size === 0) out.add(spiffeId(service.namespace, service.name, trustDomain));
  return [...out].sort();
}

function allMeshed(endpoints: readonly MeshEndpoint[]): boolean {
  return endpoints.length > 0 && endpoints.every((e) => e.labels[TLS_MODE_LABEL] === 'istio');
}

/**
 * Whether two versions of a service agree on what their clusters' TLS depends on: the distinct
 * (labels, service account) profiles of the endpoints. No endpoints and only unmeshed ones agree
 * (plaintext either way), so instances coming and going do not touch clusters.
 */
export function sameDestinationIdentity(a: MeshService, b: MeshService): boolean {
  const pa = profiles(a);
  const pb = profiles(b);
  if (pa.size === 0 || pb.size === 0) return !anyMeshed(a.endpoints) && !anyMeshed(b.endpoints);
  return pa.size === pb.size && [...pa].every((p) => pb.has(p));
}

function profiles(s: MeshService): Set<string> {
  return new Set(s.endpoints.map((e) => `${e.serviceAccount ?? ''}|${JSON.stringify(e.labels)}`));
}

function anyMeshed(endpoints: readonly MeshEndpoint[]): boolean {
  return endpoints.some((e) => e.labels[TLS_MODE_LABEL] === 'istio');
}
