import { ruleKey, type Destination, type RuleDocument, type RuleDocumentOf } from '@weft/api';
import type { MeshService } from './mesh-service';
import { qualifyRuleHost, type RuleIndex } from './rule-index';
import type { ServiceStore } from './service-store';

export interface AnalysisMessage {
  readonly level: 'Warning' | 'Error';
  /** Istio's code where Istio has one (IST0101 ReferencedResourceNotFound, IST0109 conflicting hosts), else WEFTxxxx. */
  readonly code: string;
  /** `Kind/namespace/name`. */
  readonly document: string;
  readonly message: string;
}

type Report = (level: AnalysisMessage['level'], code: string, doc: RuleDocument, message: string) => void;

/**
 * `istioctl analyze` for Weft: rules that reference what does not exist, rules that select nothing,
 * conflicts, and what Weft does not support. O(rules × their references); run on demand.
 */
export function analyzeMesh(services: ServiceStore, rules: RuleIndex): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  const report: Report = (level, code, doc, message) => out.push({ level, code, document: ruleKey(doc), message });
  for (const doc of rules.documents.values()) {
    if (doc.kind === 'VirtualService') checkVirtualService(doc, services, rules, report);
    else if (doc.kind === 'DestinationRule') checkDestinationRule(doc, services, report);
    else if (doc.kind === 'ServiceEntry') checkServiceEntry(doc, report);
  }
  for (const c of rules.virtualServices.conflicting()) {
    const doc = rules.documents.get(`VirtualService/${c.dropped.key}`);
    if (doc !== undefined) {
      report('Error', 'IST0109', doc, `host ${c.host} is also defined by VirtualService ${c.kept.key}, which takes precedence: this one is ignored for it`);
    }
  }
  for (const c of rules.destinationRules.conflicting()) {
    const doc = rules.documents.get(`DestinationRule/${c.dropped.key}`);
    if (doc !== undefined) report('Warning', 'WEFT0104', doc, `host ${c.host} also has DestinationRule ${c.kept.key}, which takes precedence: this one is ignored`);
  }
  return out;
}

function checkVirtualService(doc: RuleDocumentOf<'VirtualService'>, services: ServiceStore, rules: RuleIndex, report: Report): void {
  const ns = doc.metadata.namespace;
  for (const host of doc.spec.hosts) {
    const qualified = qualifyRuleHost(host, ns);
    if (!qualified.startsWith('*') && services.byHost(qualified) === null) {
      report('Warning', 'WEFT0101', doc, `host ${host} (${qualified}) matches no service: its routes are never used`);
    }
  }
  const seen = new Set<string>();
  for (const route of doc.spec.http) {
    for (const d of [...route.route.map((r) => r.destination), ...route.mirrors.map((m) => m.destination)]) {
      const key = `${d.host}|${d.subset ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checkDestination(doc, d, services, rules, report);
    }
  }
}

function checkDestination(doc: RuleDocument, d: Destination, services: ServiceStore, rules: RuleIndex, report: Report): void {
  const { host, service } = services.resolve(d.host, doc.metadata.namespace);
  if (service === null) {
    report('Error', 'IST0101', doc, `Referenced host not found: "${d.host}" (${host})`);
    return;
  }
  if (d.port !== null && service.port(d.port) === null) {
    report('Error', 'IST0101', doc, `Referenced host:port not found: "${d.host}:${d.port}" (ports: ${service.ports.map((p) => p.number).join(', ')})`);
  }
  if (d.subset === null) return;
  const dr = service.hosts.map((h) => rules.destinationRule(h)).find((r) => r !== null) ?? null;
  if (dr === null || dr.subsetLabels(d.subset) === null) {
    report('Error', 'IST0101', doc, `Referenced host+subset in destinationrule not found: "${service.fqdn}+${d.subset}"`);
  }
}

function checkDestinationRule(doc: RuleDocumentOf<'DestinationRule'>, services: ServiceStore, report: Report): void {
  const spec = doc.spec;
  if (spec.workloadSelector !== null) {
    report('Warning', 'WEFT0106', doc, 'workloadSelector is not supported: this DestinationRule is ignored');
    return;
  }
  const host = qualifyRuleHost(spec.host, doc.metadata.namespace);
  const service = host.startsWith('*') ? null : services.byHost(host);
  if (service === null) {
    if (!host.startsWith('*')) report('Warning', 'WEFT0102', doc, `host ${spec.host} (${host}) matches no service: the rule has no effect`);
    return;
  }
  for (const subset of spec.subsets) {
    if (!selectsAny(service, subset.labels)) {
      report('Warning', 'WEFT0103', doc, `subset ${subset.name} selects no instance of ${service.fqdn} (labels ${JSON.stringify(subset.labels)})`);
    }
  }
  const policies = [spec.trafficPolicy, ...spec.subsets.map((s) => s.trafficPolicy)].filter((p) => p !== undefined && p !== null);
  const tlsBlocks = policies.flatMap((p) => [p.tls, ...(p.portLevelSettings ?? []).map((l) => l.tls)]);
  for (const tls of tlsBlocks) {
    if (tls === undefined || tls === null || tls.credentialName === null || tls.credentialName === undefined) continue;
    report('Error', 'WEFT0107', doc, `tls.credentialName ${tls.credentialName} (a Kubernetes secret) is not supported: give the files (caCertificates, clientCertificate, privateKey); sidecars refuse the cluster (NACK) and keep their last good config`);
  }
}

function checkServiceEntry(doc: RuleDocumentOf<'ServiceEntry'>, report: Report): void {
  const resolution = doc.spec.resolution;
  if (resolution !== 'STATIC' && resolution !== 'NONE') {
    report('Error', 'WEFT0105', doc, `resolution ${resolution} is not supported (use STATIC with IP endpoints): the entry defines no service`);
  }
}

function selectsAny(service: MeshService, labels: Readonly<Record<string, string>>): boolean {
  return service.endpoints.some((e) => e.hasLabels(labels));
}
