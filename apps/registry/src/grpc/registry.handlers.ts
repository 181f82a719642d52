import type { UntypedServiceImplementation, handleServerStreamingCall } from '@grpc/grpc-js';
import { instanceRef, listInstancesRequest, listServicesRequest, registerRequest, serviceRef, upsertServiceRequest } from '@weft/api';
import { parseOrThrow } from '@weft/shared';
import type { RegistryService } from '../registry/registry.service';
import type { GrpcCalls } from './grpc-calls';
import { instanceToProto, serviceToProto } from './model-to-proto';
import { listServicesInput, registerInput, serviceSpecInput } from './proto-to-request';
import type {
  ProtoInstanceRef,
  ProtoListInstancesRequest,
  ProtoListServicesRequest,
  ProtoRegisterRequest,
  ProtoServiceRef,
  ProtoServiceSpec,
  ProtoWatchEvent,
  ProtoWatchRequest,
} from './proto-types';

/**
 * Every RPC of `weft.registry.v1.Registry`: validate the decoded message with the request's zod
 * schema, call the one RegistryService, map the result back to proto. Metric method labels are
 * the NATS RPC names (REGISTRY_RPC_METHODS) so the APIs count alike.
 */
export function registryHandlers(
  registry: RegistryService,
  calls: GrpcCalls,
  watch: handleServerStreamingCall<ProtoWatchRequest, ProtoWatchEvent>,
): UntypedServiceImplementation {
  return {
    UpsertService: calls.unary('upsertService', 'write', async (m: ProtoServiceSpec) =>
      serviceToProto(await registry.upsertService(parseOrThrow(upsertServiceRequest, serviceSpecInput(m), 'service'))),
    ),
    DeleteService: calls.unary('deleteService', 'write', async (m: ProtoServiceRef) => {
      await registry.deleteService(parseOrThrow(serviceRef, m, 'service reference'));
      return {};
    }),
    GetService: calls.unary('getService', 'read', async (m: ProtoServiceRef) =>
      serviceToProto(await registry.getService(parseOrThrow(serviceRef, m, 'service reference'))),
    ),
    ListServices: calls.unary('listServices', 'read', async (m: ProtoListServicesRequest) => {
      const req = parseOrThrow(listServicesRequest, listServicesInput(m), 'list request');
      return { services: (await registry.listServices(req.namespace)).map(serviceToProto) };
    }),
    Register: calls.unary('register', 'write', async (m: ProtoRegisterRequest) =>
      instanceToProto(await registry.register(parseOrThrow(registerRequest, registerInput(m), 'instance'))),
    ),
    Deregister: calls.unary('deregister', 'write', async (m: ProtoInstanceRef) => {
      await registry.deregister(parseOrThrow(instanceRef, m, 'instance reference'));
      return {};
    }),
    Heartbeat: calls.unary('heartbeat', 'write', async (m: ProtoInstanceRef) =>
      registry.heartbeat(parseOrThrow(instanceRef, m, 'instance reference')),
    ),
    ListInstances: calls.unary('listInstances', 'read', async (m: ProtoListInstancesRequest) => {
      const res = await registry.listInstances(parseOrThrow(listInstancesRequest, m, 'list request'));
      return { revision: res.revision, instances: res.instances.map(instanceToProto) };
    }),
    Watch: watch,
  };
}
