import type { DestinationRef, SourceRef } from '@weft/api';
import { spiffeNamespace, trustedPeer } from '../peer-metadata';

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

  /**
   * Outbound: the service of the cluster (or of the authority when no cluster was picked), and the
   * workload the destination's proxy named in its response's peer header (see trustedPeer).
   */
  outboundDestination(cluster: string | null, authority: string, principal: string | null, peerHeader: string | null = null): DestinationRef {
    const target = cluster ?? authority;
    return cached(this.destinations, `${target}\u001f${principal ?? ''}\u001f${peerHeader ?? ''}`, () => {
      const s = serviceOfTarget(target, this.id.namespace);
      const peer = trustedPeer(peerHeader, principal);
      return { service: s.service, workload: peer?.workload ?? null, namespace: peer?.namespace ?? s.namespace, principal };
    });
  }

  /** Inbound: the caller named by its peer-metadata header (see trustedPeer), else by its SPIFFE ID's namespace. */
  inboundSource(peerHeader: string | string[] | undefined, principal: string | null): SourceRef {
    const peer = typeof peerHeader === 'string' ? peerHeader : '';
    return cached(this.sources, `${peer}\u001f${principal ?? ''}`, () => {
      const p = trustedPeer(peer, principal);
      return { workload: p?.workload ?? UNKNOWN, namespace: p?.namespace ?? spiffeNamespace(principal) ?? UNKNOWN, principal };
    });
  }

  /** Inbound: this proxy's service and workload. */
  inboundDestination(mtls: boolean): DestinationRef {
    if (!mtls) return this.local;
    this.withPrincipal();
    return this.localTls;
  }
}
