import {
  instanceRef,
  listInstancesRequest,
  listServicesRequest,
  registerRequest,
  serviceRef,
  serviceSpec,
  type RegistryRpcMethod,
} from '@weft/api';
import { parseOrThrow } from '@weft/shared';
import type { RegistryService } from '../registry/registry.service';

/**
 * One handler per NATS RPC method: validate the JSON payload with the method's shared zod request
 * schema (errors name the field), then call the service layer. Methods without a result answer null.
 */
export type RpcHandler = (payload: unknown) => Promise<unknown>;
export type RpcHandlers = Readonly<Record<RegistryRpcMethod, RpcHandler>>;

/** Methods that change state: they need the `authorization` header when a token is configured. */
export const MUTATING_RPC_METHODS: ReadonlySet<RegistryRpcMethod> = new Set<RegistryRpcMethod>([
  'upsertService',
  'deleteService',
  'register',
  'deregister',
  'heartbeat',
]);

export function rpcHandlers(registry: RegistryService): RpcHandlers {
  return {
    upsertService: (p) => registry.upsertService(parseOrThrow(serviceSpec, p, 'service')),
    deleteService: async (p) => {
      await registry.deleteService(parseOrThrow(serviceRef, p, 'service reference'));
      return null;
    },
    getService: (p) => registry.getService(parseOrThrow(serviceRef, p, 'service reference')),
    listServices: async (p) => {
      const { namespace } = parseOrThrow(listServicesRequest, p, 'service query');
      return { services: await registry.listServices(namespace) };
    },
    register: (p) => registry.register(parseOrThrow(registerRequest, p, 'registration')),
    deregister: async (p) => {
      await registry.deregister(parseOrThrow(instanceRef, p, 'instance reference'));
      return null;
    },
    heartbeat: (p) => registry.heartbeat(parseOrThrow(instanceRef, p, 'instance reference')),
    listInstances: (p) => registry.listInstances(parseOrThrow(listInstancesRequest, p, 'instance query')),
  };
}
