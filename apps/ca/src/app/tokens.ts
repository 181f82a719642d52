/** Injection token of the replica's root pino logger. */
export const LOGGER = Symbol('LOGGER');
/** The loaded key material (CaMaterial). */
export const CA_MATERIAL = Symbol('CA_MATERIAL');

/** What startCa reads to report the bound gRPC port (provided by the gRPC edge). */
export type GrpcPortSource = { readonly port: number };
export const GRPC_PORT_SOURCE = Symbol('GRPC_PORT_SOURCE');
