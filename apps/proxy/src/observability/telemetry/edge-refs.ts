import type { DestinationRef, SourceRef } from '@weft/api';

/** Who this proxy is, as telemetry names it. */
export interface ProxyIdentity {
  /** Report `proxy.id` (the node id). */
  readonly id: string;
  /** The local service (`--service`): destination service of inbound requests. */
  readonly service: string;
  /** The local workload: `<service>-<version label>`, or the service without a version label. */
  readonly workload: string;
  readonly namespace: string;
}

/** More distinct peers than this are not cached (the refs are then built per request). */
const MAX_CACHED = 2000;
const UNKNOWN = 'unknown';
const SPIFFE_NS = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/;

/** `outbound|9080|v1|reviews.default.svc.cluster.local` or a host (`reviews:9080`) → service and namespace. */
export function serviceOfTarget(clusterOrAuthority: string, fallbackNamespace: string): { service: string; namespace: string } {
  const parts = clusterOrAuthority.split('|');
  let host = parts.length === 4 ? parts[3] : clusterOrAuthority;
  const colon = host.lastIndexOf(':');
  if (colon > 0 && !host.includes(']')) host = host.slice(0, colon);
  const labels = host.split('.');
  const service = labels[0] === '' ? UNKNOWN : labels[0].slice(0, 253);
  return { service, namespace: labels.length > 1 && labels[1] !== '' ? labels[1].slice(0, 253) : fallbackNamespace };
}

/** The value of the peer-metadata header, `<workload>.<namespace>`; null when malformed. */
export function parsePeer(value: string): { workload: string; namespace: string } | null {
  const dot = value.lastIndexOf('.');
  if (dot <= 0 || dot === value.length - 1 || value.length > 300) return null;
  return { workload: value.slice(0, dot), namespace: value.slice(dot + 1) };
}

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    if (map.size < MAX_CACHED) map.set(key, v);
  }
  return v;
}

/**
 * The source and destination of an edge, built once per distinct peer and cached (a request does two
 * map lookups). Principals are only known over mTLS (null otherwise), as Istio's labels.
 */
export class EdgeRefs {
  private readonly sources = new Map<string, SourceRef>();
  private readonly destinations = new Map<string, DestinationRef>();
  private readonly self: SourceRef;
  private selfTls: SourceRef;
  private readonly local: DestinationRef;
  private localTls: DestinationRef;

  /** `ownPrincipal`: this proxy's SPIFFE ID once it has a certificate, else null. */
  constructor(
    private readonly id: ProxyIdentity,
    private readonly ownPrincipal: () => string | null,
  ) {
    this.self = { workload: id.workload, namespace: id.namespace, principal: null };
    this.selfTls = this.self;
    this.local = { service: id.service, workload: id.workload, namespace: id.namespace, principal: null };
    this.localTls = this.local;
  }

  /** The refs with this proxy's principal, rebuilt when it changes (the first certificate). */
  private withPrincipal(): void {
    const p = this.ownPrincipal();
    if (p === this.selfTls.principal) return;
    this.selfTls = { ...this.self, principal: p };
    this.localTls = { ...this.local, principal: p };
  }

  /** Outbound: this proxy's workload. */
  outboundSource(mtls: boolean): SourceRef {
    if (!mtls) return this.self;
    this.withPrincipal();
    return this.selfTls;
  }

  /** Outbound: the service of the cluster (or of the authority when no cluster was picked). */
  outboundDestination(cluster: string | null, authority: string, principal: string | null): DestinationRef {
    const target = cluster ?? authority;
    return cached(this.destinations, `${target}\u001f${principal ?? ''}`, () => {
      const s = serviceOfTarget(target, this.id.namespace);
      return { service: s.service, workload: null, namespace: s.namespace, principal };
    });
  }

  /**
   * Inbound: the caller named by its peer-metadata header, else by its SPIFFE ID's namespace. Over
   * mutual TLS the header is believed only when its namespace is the certificate's (a workload can
   * name itself, not claim another namespace); a header that disagrees is ignored. Without mTLS the
   * header is the caller's unauthenticated claim (as Istio's plaintext metadata exchange), reported
   * with connection_security_policy "none".
   */
  inboundSource(peerHeader: string | string[] | undefined, principal: string | null): SourceRef {
    const peer = typeof peerHeader === 'string' ? peerHeader : '';
    return cached(this.sources, `${peer}\u001f${principal ?? ''}`, () => {
      const ns = principal === null ? null : (SPIFFE_NS.exec(principal)?.[1] ?? null);
      const claimed = parsePeer(peer);
      const p = claimed !== null && principal !== null && claimed.namespace !== ns ? null : claimed;
      return { workload: p?.workload ?? UNKNOWN, namespace: p?.namespace ?? ns ?? UNKNOWN, principal };
    });
  }

  /** Inbound: this proxy's service and workload. */
  inboundDestination(mtls: boolean): DestinationRef {
    if (!mtls) return this.local;
    this.withPrincipal();
    return this.localTls;
  }
}
