import * as grpc from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { PROTO_DIR, REGISTRY_GRPC_SERVICE, REGISTRY_PROTO_FILE } from '@weft/api';

/**
 * How the registry proto is loaded, by the server and by every client: camelCase field names (the
 * JSON names of the zod schemas), 64-bit integers as numbers, absent scalars as their defaults,
 * and the name of the set member on each oneof (`portRef: 'portName'`).
 */
export const REGISTRY_PROTO_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

/** The `weft.registry.v1.Registry` service: its definition (server) and client constructor. */
export function loadRegistryGrpc(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  const pkg = grpc.loadPackageDefinition(loadSync(REGISTRY_PROTO_FILE, REGISTRY_PROTO_OPTIONS));
  const path = REGISTRY_GRPC_SERVICE.split('.');
  let node: unknown = pkg;
  for (const part of path) node = (node as Record<string, unknown>)[part];
  const Client = node as grpc.ServiceClientConstructor;
  return { service: Client.service, Client };
}
