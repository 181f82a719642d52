import * as grpc from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { CA_GRPC_SERVICE, CA_PROTO_FILE, PROTO_DIR } from '@weft/api';

/** How ca.proto is loaded, by the server and by clients: camelCase fields, int64 as numbers. */
export const CA_PROTO_OPTIONS: Options = { keepCase: false, longs: Number, enums: String, defaults: true, includeDirs: [PROTO_DIR] };

/** The `weft.ca.v1.CertificateService` definition (server) and client constructor. */
export function loadCaGrpc(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  const pkg = grpc.loadPackageDefinition(loadSync(CA_PROTO_FILE, CA_PROTO_OPTIONS));
  let node: unknown = pkg;
  for (const part of CA_GRPC_SERVICE.split('.')) node = (node as Record<string, unknown>)[part];
  const Client = node as grpc.ServiceClientConstructor;
  return { service: Client.service, Client };
}
