import { ruleKey, type RuleDocument } from '@weft/api';
import { qualifyRuleHost, type RuleIndex } from './rule-index';

/** What a rules replacement touches: hosts (possibly `*.suffix` patterns) and kinds of derived state. */
export interface RuleImpact {
  /** DestinationRule hosts: clusters, endpoints (subsets) and routes (hash policy). */
  readonly clusterHosts: Set<string>;
  /** VirtualService hosts, and hosts routing to a changed DestinationRule's host. */
  readonly routeHosts: Set<string>;
  /** A Sidecar or DestinationRule changed: wildcard name sets may differ. */
  wildcard: boolean;
  /** A ServiceEntry or WorkloadEntry changed: the services they define must be rebuilt. */
  serviceEntries: boolean;
  /** A PeerAuthentication or AuthorizationPolicy changed: the `inbound` listeners (mTLS mode, RBAC filters). */
  inboundListeners: boolean;
}

/** Compares two rule sets document by document (normalized specs) and collects what the changed ones touch, old and new. */
export function ruleImpact(prev: RuleIndex, next: RuleIndex): RuleImpact {
  const impact: RuleImpact = { clusterHosts: new Set(), routeHosts: new Set(), wildcard: false, serviceEntries: false, inboundListeners: false };
  for (const [key, doc] of next.documents) {
    const old = prev.documents.get(key);
    if (old !== undefined && fingerprint(old) === fingerprint(doc)) continue;
    if (old !== undefined) touch(impact, old, prev, next);
    touch(impact, doc, prev, next);
  }
  for (const [key, old] of prev.documents) if (!next.documents.has(key)) touch(impact, old, prev, next);
  return impact;
}

function touch(impact: RuleImpact, doc: RuleDocument, prev: RuleIndex, next: RuleIndex): void {
  const ns = doc.metadata.namespace;
  switch (doc.kind) {
    case 'VirtualService':
      for (const h of doc.spec.hosts) impact.routeHosts.add(qualifyRuleHost(h, ns));
      return;
    case 'DestinationRule': {
      const host = qualifyRuleHost(doc.spec.host, ns);
      impact.clusterHosts.add(host);
      for (const h of prev.routingTo(host)) impact.routeHosts.add(h);
      for (const h of next.routingTo(host)) impact.routeHosts.add(h);
      impact.wildcard = true;
      return;
    }
    case 'Sidecar':
      impact.wildcard = true;
      return;
    case 'PeerAuthentication':
    case 'AuthorizationPolicy':
      impact.inboundListeners = true;
      return;
    default:
      impact.serviceEntries = true;
  }
}

const fingerprints = new WeakMap<RuleDocument, string>();

function fingerprint(doc: RuleDocument): string {
  let f = fingerprints.get(doc);
  if (f === undefined) {
    f = `${ruleKey(doc)}|${JSON.stringify(doc.spec)}`;
    fingerprints.set(doc, f);
  }
  return f;
}
