import { join } from 'node:path';

/** Directory holding the `.proto` files shipped with @weft/api (src and dist both sit beside it). */
export const PROTO_DIR = join(__dirname, '..', '..', 'proto');
export const REGISTRY_PROTO_FILE = 'weft/registry/v1/registry.proto';
export const REGISTRY_GRPC_SERVICE = 'weft.registry.v1.Registry';
