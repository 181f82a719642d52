/**
 * Object shapes of the registry proto messages as @grpc/proto-loader decodes them with
 * REGISTRY_PROTO_OPTIONS (camelCase, numbers for 64-bit integers, defaults for absent scalars, null
 * for absent messages), and as the server encodes them.
 */

export interface ProtoServicePort {
  name: string;
  number: number;
  protocol: string;
}

export interface ProtoHealthCheck {
  type: string;
  portNumber?: number;
  portName?: string;
  /** Which member of the `port_ref` oneof is set, if any. */
  portRef?: 'portNumber' | 'portName';
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  expectedStatuses: { start: number; end: number }[];
}

export interface ProtoServiceSpec {
  namespace: string;
  name: string;
  hosts: string[];
  ports: ProtoServicePort[];
  labels: Record<string, string>;
  healthCheck: ProtoHealthCheck | null;
}

export interface ProtoService {
  spec: ProtoServiceSpec;
  source: string;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

export interface ProtoInstanceSpec {
  id: string;
  address: string;
  ports: Record<string, number>;
  labels: Record<string, string>;
  weight: number;
  locality: string;
  metadata: Record<string, string>;
  /** proto3 `optional`: absent when unset. */
  ttlSeconds?: number;
  graceSeconds?: number;
  draining: boolean;
}

export interface ProtoInstance {
  spec: ProtoInstanceSpec;
  namespace: string;
  service: string;
  source: string;
  status: string;
  ttl: string;
  probe: string;
  registeredAt: number;
  lastHeartbeat: number;
  updatedAt: number;
}

export interface ProtoServiceRef {
  namespace: string;
  name: string;
}

export interface ProtoInstanceRef {
  namespace: string;
  service: string;
  id: string;
}

export interface ProtoRegisterRequest {
  namespace: string;
  service: string;
  instance: ProtoInstanceSpec | null;
}

export interface ProtoListServicesRequest {
  namespace: string;
}

export interface ProtoListInstancesRequest {
  namespace: string;
  service: string;
  selector: string;
  healthyOnly: boolean;
}

export interface ProtoWatchRequest {
  namespace: string;
  service: string;
  sinceRevision: number;
}

export interface ProtoWatchEvent {
  type: string;
  namespace: string;
  service: string;
  revision: number;
  serviceState: ProtoService | null;
  instance: ProtoInstance | null;
  instances: ProtoInstance[];
  reason: string;
  at: number;
}
