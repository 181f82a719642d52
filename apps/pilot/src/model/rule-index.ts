import { resolveTrafficPolicy, ruleKey, type DestinationRule, type EffectiveTrafficPolicy, type RuleDocument, type RuleDocumentOf } from '@weft/api';
import { AuthzIndex, type AuthzPolicyView } from './authz-policies';
import { HostIndex } from './host-index';
import { qualifyHost } from './host-names';
import { PeerAuthenticationIndex } from './peer-authentication';
import type { InboundMtlsMode } from '../generators/tls.generator';
import type { DestinationRuleView, RuleLookup, SidecarView, VirtualServiceView } from './rule-views';

/** Istio's root namespace: a Sidecar there without a selector is the mesh-wide default. */
export const ROOT_NAMESPACE = 'istio-system';

class DestinationRuleEntry implements DestinationRuleView {
  readonly subsetNames: readonly string[];

  constructor(
    readonly key: string,
    readonly rule: DestinationRule,
  ) {
    this.subsetNames = rule.subsets.map((s) => s.name);
  }

  subsetLabels(subset: string): Readonly<Record<string, string>> | null {
    return this.rule.subsets.find((s) => s.name === subset)?.labels ?? null;
  }

  clusterPolicy(port: number, subset: string): EffectiveTrafficPolicy {
    return resolveTrafficPolicy(this.rule, subset === '' ? null : subset, port);
  }
}

interface SidecarEntry extends SidecarView {
  readonly selector: Readonly<Record<string, string>> | null;
}

/**
 * The rules indexed for lookups by host (VirtualServices, DestinationRules; short hosts qualified in
 * the rule's namespace), Sidecars by namespace, and which hosts route to which (so a change of a
 * destination reaches the routes that name it). Immutable: replaceRules builds a new one.
 */
export class RuleIndex implements RuleLookup {
  readonly documents = new Map<string, RuleDocument>();
  readonly virtualServices = new HostIndex<VirtualServiceView>();
  readonly destinationRules = new HostIndex<DestinationRuleEntry>();
  private readonly sidecars = new Map<string, SidecarEntry[]>();
  private readonly authz = new AuthzIndex();
  readonly peerAuthentications = new PeerAuthenticationIndex();
  /** Destination host → hosts of the VirtualServices routing or mirroring to it. */
  private readonly routedFrom = new Map<string, Set<string>>();

  constructor(docs: readonly RuleDocument[]) {
    const sorted = [...docs].sort((a, b) => (ruleKey(a) < ruleKey(b) ? -1 : 1));
    for (const doc of sorted) {
      this.documents.set(ruleKey(doc), doc);
      if (doc.kind === 'VirtualService') this.addVirtualService(doc);
      else if (doc.kind === 'DestinationRule') this.addDestinationRule(doc);
      else if (doc.kind === 'Sidecar') this.addSidecar(doc);
      else if (doc.kind === 'AuthorizationPolicy') this.authz.add(doc);
      else if (doc.kind === 'PeerAuthentication') this.peerAuthentications.add(doc);
    }
  }

  destinationRule(host: string): DestinationRuleView | null {
    return this.destinationRules.get(host);
  }

  virtualService(host: string): VirtualServiceView | null {
    return this.virtualServices.get(host);
  }

  sidecar(namespace: string, labels: Readonly<Record<string, string>>): SidecarView | null {
    const own = this.sidecars.get(namespace) ?? [];
    const selected = own.find((s) => s.selector !== null && Object.entries(s.selector).every(([k, v]) => labels[k] === v));
    return selected ?? own.find((s) => s.selector === null) ?? this.sidecars.get(ROOT_NAMESPACE)?.find((s) => s.selector === null) ?? null;
  }

  inboundMtlsMode(namespace: string, labels: Readonly<Record<string, string>>, port: number): InboundMtlsMode {
    return this.peerAuthentications.mode(namespace, labels, port);
  }

  authorizationPolicies(namespace: string, labels: Readonly<Record<string, string>>): readonly AuthzPolicyView[] {
    return this.authz.forWorkload(namespace, labels);
  }

  /** Hosts whose VirtualService routes or mirrors to `host`. */
  routingTo(host: string): ReadonlySet<string> {
    return this.routedFrom.get(host) ?? EMPTY;
  }

  documentsOf<K extends RuleDocument['kind']>(kind: K): RuleDocumentOf<K>[] {
    const out: RuleDocumentOf<K>[] = [];
    for (const doc of this.documents.values()) if (doc.kind === kind) out.push(doc as RuleDocumentOf<K>);
    return out;
  }

  private addVirtualService(doc: RuleDocumentOf<'VirtualService'>): void {
    const ns = doc.metadata.namespace;
    const http = doc.spec.http;
    const sourceDependent = http.some((r) => r.match.some((m) => m.sourceNamespace !== null || Object.keys(m.sourceLabels).length > 0));
    const view: VirtualServiceView = { key: `${ns}/${doc.metadata.name}`, namespace: ns, http, sourceDependent };
    const hosts = doc.spec.hosts.map((h) => qualifyRuleHost(h, ns));
    for (const host of hosts) this.virtualServices.add(host, view);
    for (const r of http) {
      for (const d of [...r.route.map((x) => x.destination), ...r.mirrors.map((m) => m.destination)]) {
        const target = qualifyRuleHost(d.host, ns);
        let from = this.routedFrom.get(target);
        if (from === undefined) this.routedFrom.set(target, (from = new Set()));
        for (const h of hosts) from.add(h);
      }
    }
  }

  private addDestinationRule(doc: RuleDocumentOf<'DestinationRule'>): void {
    if (doc.spec.workloadSelector !== null) return; // per-workload rules are not supported (analyze reports them)
    const ns = doc.metadata.namespace;
    this.destinationRules.add(qualifyRuleHost(doc.spec.host, ns), new DestinationRuleEntry(`${ns}/${doc.metadata.name}`, doc.spec));
  }

  private addSidecar(doc: RuleDocumentOf<'Sidecar'>): void {
    const ns = doc.metadata.namespace;
    const entry: SidecarEntry = { key: `${ns}/${doc.metadata.name}`, namespace: ns, egress: doc.spec.egress, selector: doc.spec.workloadSelector };
    const list = this.sidecars.get(ns);
    if (list === undefined) this.sidecars.set(ns, [entry]);
    else list.push(entry);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** A rule's host: wildcards as written, short names qualified in the rule's namespace. */
export function qualifyRuleHost(host: string, namespace: string): string {
  return host.startsWith('*') ? host.toLowerCase() : qualifyHost(host, namespace);
}
