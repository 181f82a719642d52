import type { Instance, RuleDocument, Service } from '@weft/api';
import { TYPE_URL, type TypeUrl } from '@weft/xds';
import { analyzeMesh, type AnalysisMessage } from './analyze';
import { ChangeSet } from './change-set';
import { ClusterResources } from './cluster-resources';
import { hostMatches } from './host-names';
import { addClusterNames, addEndpointNames, addHostRouteNames, addRouteNames, addServiceNames } from './impact';
import { TRUST_DOMAIN } from '../generators/tls.generator';
import { MeshProvider } from './mesh-provider';
import { sameDestinationIdentity } from './mesh-identity';
import { MeshService, registryKey } from './mesh-service';
import { INBOUND } from './resource-names';
import { RequestedNames } from './requested-names';
import { ResourceCache } from './resource-cache';
import { RouteResources } from './route-resources';
import { RuleIndex } from './rule-index';
import { ruleImpact } from './rule-impact';
import { serviceEntryServices } from './service-entries';
import { ServiceStore } from './service-store';
import type { MeshChangeListener, ResourceProvider } from './xds-contract';

/** One registry service with its instances, as the registry reports it. */
export interface ServiceState {
  readonly service: Service;
  readonly instances: readonly Instance[];
}

export interface MeshModelOptions {
  /** Clock for MeshChange.seenAt (default Date.now). */
  readonly now?: () => number;
  /** SPIFFE trust domain of the identities in generated SAN matchers (default cluster.local). */
  readonly trustDomain?: string;
}

export interface MeshModelStats {
  readonly services: number;
  /** Generator runs by type (cache misses after a change or a first request). */
  readonly builds: ReadonlyMap<TypeUrl, number>;
  /** Resources encoded with new content. */
  readonly encoded: number;
  /** Distinct on-demand names clients asked for. */
  readonly requestedNames: number;
}

const WILDCARD_SCOPED: readonly TypeUrl[] = [TYPE_URL.cluster, TYPE_URL.clusterLoadAssignment, TYPE_URL.virtualHost];

/**
 * Pilot's mesh state: registry services and instances plus Istio rules, and the xDS resources
 * generated from them. Every mutation reports a precise MeshChange (the names of the resources it may
 * have changed) synchronously to the listeners; resources are generated lazily, on request, cached per
 * (type, name, client scope) and rebuilt only after a change named them. An instance change costs
 * O(that service's ports × subsets); a rule change O(the hosts it touches); a full resync O(mesh).
 */
export class MeshModel {
  readonly provider: ResourceProvider;
  private readonly meshProvider: MeshProvider;
  private readonly services = new ServiceStore();
  private readonly registryKeys = new Set<string>();
  private readonly serviceEntryKeys = new Set<string>();
  private readonly cache = new ResourceCache();
  private readonly requested = new RequestedNames();
  private readonly listeners = new Set<MeshChangeListener>();
  private readonly now: () => number;
  private rules = new RuleIndex([]);

  constructor(options: MeshModelOptions = {}) {
    this.now = options.now ?? Date.now;
    const rules = () => this.rules;
    const clusters = new ClusterResources(this.services, rules, this.cache, options.trustDomain ?? TRUST_DOMAIN);
    const routes = new RouteResources(this.services, rules, this.cache, this.requested);
    this.meshProvider = new MeshProvider(this.services, rules, this.cache, clusters, routes);
    this.provider = this.meshProvider;
  }

  /** Full (re)sync from the registry: services absent from `states` are removed. */
  replaceServices(states: readonly ServiceState[]): void {
    const seenAt = this.now();
    const change = new ChangeSet();
    const present = new Set<string>();
    for (const state of states) {
      const next = MeshService.fromRegistry(state.service, state.instances);
      present.add(next.key);
      this.registryKeys.add(next.key);
      this.apply(next, change);
    }
    for (const key of [...this.registryKeys]) {
      if (present.has(key)) continue;
      this.registryKeys.delete(key);
      this.remove(key, change);
    }
    this.commit(change, seenAt);
  }

  /** One service after a registry event (instances registered, deregistered, health or weight changed, ports edited). */
  upsertService(state: ServiceState): void {
    const seenAt = this.now();
    const change = new ChangeSet();
    const next = MeshService.fromRegistry(state.service, state.instances);
    this.registryKeys.add(next.key);
    this.apply(next, change);
    this.commit(change, seenAt);
  }

  removeService(namespace: string, name: string): void {
    const seenAt = this.now();
    const change = new ChangeSet();
    const key = registryKey(namespace, name);
    this.registryKeys.delete(key);
    this.remove(key, change);
    this.commit(change, seenAt);
  }

  /** Replaces every rule document (validated by @weft/api's parser); only the documents that differ cost work. */
  replaceRules(docs: readonly RuleDocument[]): void {
    const seenAt = this.now();
    const change = new ChangeSet();
    const prev = this.rules;
    const next = new RuleIndex(docs);
    const impact = ruleImpact(prev, next);
    this.addRuleHosts(change, impact.clusterHosts, impact.routeHosts, prev);
    this.rules = next;
    this.addRuleHosts(change, impact.clusterHosts, impact.routeHosts, next);
    if (impact.wildcard) change.markWildcard(...WILDCARD_SCOPED);
    if (impact.serviceEntries) this.syncServiceEntries(change);
    if (impact.inboundListeners) change.add(TYPE_URL.listener, INBOUND);
    this.commit(change, seenAt);
  }

  onChange(listener: MeshChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Problems in the rules against the current services, like `istioctl analyze`. */
  analyze(): AnalysisMessage[] {
    return analyzeMesh(this.services, this.rules);
  }

  stats(): MeshModelStats {
    const cache = this.cache.stats();
    return { services: this.services.size, builds: cache.builds, encoded: cache.encoded, requestedNames: this.requested.size };
  }

  private apply(next: MeshService, change: ChangeSet): void {
    const prev = this.services.get(next.key);
    if (prev !== null && prev.sameShape(next)) {
      if (prev.sameEndpoints(next)) return;
      this.services.set(next);
      addEndpointNames(change, next, this.rules);
      // Auto mTLS and the accepted SPIFFE IDs follow the endpoints' tlsMode labels and service accounts.
      if (!sameDestinationIdentity(prev, next)) addClusterNames(change, next, this.rules);
      return;
    }
    this.services.set(next);
    if (prev !== null) this.addReshaped(change, prev);
    this.addReshaped(change, next);
  }

  private remove(key: string, change: ChangeSet): void {
    const prev = this.services.delete(key);
    if (prev !== null) this.addReshaped(change, prev);
  }

  /** A service appeared, disappeared or changed hosts/ports: its resources, the routes naming it, wildcard sets. */
  private addReshaped(change: ChangeSet, service: MeshService): void {
    addServiceNames(change, service, this.rules, this.requested);
    for (const host of service.hosts) {
      for (const from of this.rules.routingTo(host)) addHostRouteNames(change, from, this.services, this.requested);
    }
    change.markWildcard(...WILDCARD_SCOPED);
  }

  private addRuleHosts(change: ChangeSet, clusterHosts: Iterable<string>, routeHosts: Iterable<string>, rules: RuleIndex): void {
    for (const pattern of clusterHosts) {
      for (const service of this.servicesMatching(pattern)) {
        addClusterNames(change, service, rules);
        addRouteNames(change, service, this.requested);
      }
      if (!pattern.startsWith('*')) this.requested.addTo(change, pattern);
    }
    for (const pattern of routeHosts) {
      if (!pattern.startsWith('*')) addHostRouteNames(change, pattern, this.services, this.requested);
      else for (const service of this.servicesMatching(pattern)) addRouteNames(change, service, this.requested);
    }
  }

  /** The service of an exact host; for a `*` pattern every service with a matching host (a wildcard rule touches them all). */
  private servicesMatching(pattern: string): MeshService[] {
    if (!pattern.startsWith('*')) {
      const service = this.services.byHost(pattern);
      return service === null ? [] : [service];
    }
    const out: MeshService[] = [];
    for (const s of this.services.values()) if (s.hosts.some((h) => hostMatches(pattern, h))) out.push(s);
    return out;
  }

  private syncServiceEntries(change: ChangeSet): void {
    const next = serviceEntryServices(this.rules.documentsOf('ServiceEntry'), this.rules.documentsOf('WorkloadEntry'));
    const present = new Set<string>();
    for (const service of next) {
      present.add(service.key);
      this.serviceEntryKeys.add(service.key);
      this.apply(service, change);
    }
    for (const key of [...this.serviceEntryKeys]) {
      if (present.has(key)) continue;
      this.serviceEntryKeys.delete(key);
      this.remove(key, change);
    }
  }

  private commit(change: ChangeSet, seenAt: number): void {
    if (change.empty) return;
    for (const [typeUrl, names] of change.resources) this.cache.invalidate(typeUrl, names);
    if (change.wildcard.size > 0) this.meshProvider.invalidateWildcards();
    const event = change.toChange(seenAt);
    for (const listener of this.listeners) listener(event);
  }
}
