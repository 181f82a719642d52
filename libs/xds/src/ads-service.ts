import { dirname, join } from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * The ADS gRPC service (`envoy.service.discovery.v3.AggregatedDiscoveryService`) loaded with
 * @grpc/proto-loader from the protos shipped in @grpc/grpc-js-xds, exactly as grpc-js-xds loads it.
 * keepCase: field names stay snake_case; Any stays `{ type_url, value: Buffer }` (decode with
 * decodeResource); enums and int64 as strings/numbers per the options below.
 */
export interface AdsDefinition {
  readonly service: ServiceDefinition;
  readonly Client: ServiceClientConstructor;
}

let cached: AdsDefinition | null = null;

export function adsDefinition(): AdsDefinition {
  if (cached !== null) return cached;
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const packageDefinition = loadSync('envoy/service/discovery/v3/ads.proto', {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)),
  });
  const grpcObject = loadPackageDefinition(packageDefinition);
  const Client = pick(grpcObject, ['envoy', 'service', 'discovery', 'v3', 'AggregatedDiscoveryService']) as ServiceClientConstructor;
  cached = { service: Client.service, Client };
  return cached;
}

function pick(obj: GrpcObject, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = (cur as Record<string, unknown>)[p];
  return cur;
}

/** DiscoveryRequest / DeltaDiscoveryRequest `node` as proto-loader decodes it (the fields Weft reads). */
export interface XdsNode {
  readonly id?: string;
  readonly cluster?: string;
  readonly user_agent_name?: string;
  readonly user_agent_version?: string;
  /** google.protobuf.Struct: proto-loader keeps its well-known types camelCase (`stringValue`), as grpc-js-xds sends them. */
  readonly metadata?: { readonly fields?: Readonly<Record<string, StructValue>> };
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly sub_zone?: string };
  readonly client_features?: readonly string[];
}

export interface StructValue {
  readonly stringValue?: string;
  readonly string_value?: string;
  readonly structValue?: { readonly fields?: Readonly<Record<string, StructValue>> };
  readonly kind?: string;
}

export interface RpcStatus {
  readonly code?: number;
  readonly message?: string;
}

export interface DiscoveryRequest {
  version_info?: string;
  node?: XdsNode;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: RpcStatus;
}

export interface DiscoveryResponse {
  version_info: string;
  resources: { type_url: string; value: Buffer }[];
  type_url: string;
  nonce: string;
}

export interface DeltaDiscoveryRequest {
  node?: XdsNode;
  type_url?: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  error_detail?: RpcStatus;
}

export interface DeltaResource {
  name: string;
  version: string;
  resource: { type_url: string; value: Buffer };
}

export interface DeltaDiscoveryResponse {
  system_version_info: string;
  resources: DeltaResource[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
}
