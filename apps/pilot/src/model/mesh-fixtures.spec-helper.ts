import { parseRuleDocuments, type Instance, type RuleDocument, type Service } from '@weft/api';
import { decodeResource, type EncodedResource } from '@weft/xds';
import type { ClientKind, ProxyNode } from './xds-contract';

/** Test fixtures for pilot's model and generators (imported by specs only). */

type PortSpec = readonly [name: string, number: number, protocol?: 'http' | 'http2' | 'grpc' | 'tcp'];

export function service(namespace: string, name: string, ports: readonly PortSpec[] = [['http', 9080]], hosts: string[] = []): Service {
  return {
    namespace,
    name,
    hosts,
    ports: ports.map(([n, number, protocol]) => ({ name: n, number, protocol: protocol ?? 'http' })),
    labels: {},
    healthCheck: null,
    source: 'api',
    revision: 1,
    createdAt: 0,
    updatedAt: 0,
  };
}

export interface InstanceOptions {
  readonly labels?: Record<string, string>;
  readonly status?: Instance['status'];
  readonly weight?: number;
  readonly locality?: string | null;
  readonly ports?: Record<string, number>;
}

export function instance(svc: Service, id: string, address: string, options: InstanceOptions = {}): Instance {
  return {
    id,
    address,
    ports: options.ports ?? {},
    labels: options.labels ?? {},
    weight: options.weight ?? 1,
    locality: options.locality ?? null,
    metadata: {},
    ttlSeconds: 30,
    graceSeconds: 60,
    draining: options.status === 'draining',
    namespace: svc.namespace,
    service: svc.name,
    source: 'api',
    status: options.status ?? 'healthy',
    ttl: 'passing',
    probe: 'none',
    registeredAt: 0,
    lastHeartbeat: 0,
    updatedAt: 0,
  };
}

export function rules(yaml: string): RuleDocument[] {
  return parseRuleDocuments(yaml, 'spec');
}

export function proxyNode(kind: ClientKind, overrides: Partial<ProxyNode> = {}): ProxyNode {
  return {
    id: `${kind}~10.0.0.9~productpage.default`,
    cluster: 'productpage',
    kind,
    userAgent: kind === 'grpc' ? 'grpc-node-js' : kind === 'envoy' ? 'envoy' : 'weft-proxy',
    namespace: 'default',
    service: 'productpage',
    labels: { app: 'productpage' },
    locality: { region: '', zone: '', subZone: '' },
    appPort: 9080,
    outboundPort: 15001,
    inboundPort: 15006,
    ...overrides,
  };
}

export function decoded(resource: EncodedResource | null): Record<string, unknown> {
  if (resource === null) throw new Error('expected a resource, got null');
  return decodeResource(resource.any);
}
