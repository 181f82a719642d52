import type { IstioProtocol, Protocol, RuleDocumentOf, ServiceEntry, WorkloadEntry } from '@weft/api';
import { MeshEndpoint } from './mesh-endpoint';
import { type MeshPort, MeshService } from './mesh-service';

type ServiceEntryDoc = RuleDocumentOf<'ServiceEntry'>;
type WorkloadEntryDoc = RuleDocumentOf<'WorkloadEntry'>;

/**
 * ServiceEntries as services: one MeshService per host, with the entry's ports and its static
 * endpoints (`endpoints`, or the WorkloadEntries of its namespace that `workloadSelector` selects).
 * Resolution STATIC and NONE only: DNS resolution is not supported (analyze reports it) and such an
 * entry adds no service. Hosts with wildcards are not services either (nothing to send traffic to).
 */
export function serviceEntryServices(entries: readonly ServiceEntryDoc[], workloads: readonly WorkloadEntryDoc[]): MeshService[] {
  const out: MeshService[] = [];
  for (const doc of entries) {
    const se = doc.spec;
    if (se.resolution !== 'STATIC' && se.resolution !== 'NONE') continue;
    const ns = doc.metadata.namespace;
    const ports = se.ports.map(meshPort);
    const endpoints = endpointsOf(se, ns, workloads);
    for (const host of se.hosts) {
      if (host.includes('*')) continue;
      const lower = host.toLowerCase();
      out.push(new MeshService(serviceEntryKey(ns, doc.metadata.name, lower), ns, doc.metadata.name, [lower], ports, endpoints, 'service-entry'));
    }
  }
  return out;
}

export function serviceEntryKey(namespace: string, name: string, host: string): string {
  return `serviceentry:${namespace}/${name}/${host}`;
}

function endpointsOf(se: ServiceEntry, namespace: string, workloads: readonly WorkloadEntryDoc[]): MeshEndpoint[] {
  const targetPorts: Record<string, number> = {};
  for (const p of se.ports) if (p.targetPort !== null) targetPorts[p.name] = p.targetPort;
  const selector = se.workloadSelector;
  const sources =
    selector === null
      ? se.endpoints
      : workloads.filter((w) => w.metadata.namespace === namespace && Object.entries(selector).every(([k, v]) => w.spec.labels[k] === v)).map((w) => w.spec);
  return sources.map((w) => endpointOf(w, targetPorts));
}

function endpointOf(w: WorkloadEntry, targetPorts: Readonly<Record<string, number>>): MeshEndpoint {
  const ports = Object.keys(targetPorts).length === 0 ? w.ports : { ...targetPorts, ...w.ports };
  return new MeshEndpoint(w.address, ports, w.labels, w.weight, w.locality, 'healthy', w.serviceAccount);
}

function meshPort(p: ServiceEntry['ports'][number]): MeshPort {
  return { name: p.name, number: p.number, protocol: protocolOf(p.protocol) };
}

/** Istio protocol → the registry's: HTTP-family ports are routed, everything else is TCP. Undeclared: HTTP (Istio sniffs). */
function protocolOf(p: IstioProtocol | null): Protocol {
  if (p === null || p === 'HTTP') return 'http';
  if (p === 'HTTP2') return 'http2';
  if (p === 'GRPC' || p === 'GRPC-WEB') return 'grpc';
  return 'tcp';
}
