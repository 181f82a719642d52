/**
 * A workload's SPIFFE identity (SVID) from weft-ca: the CA's gRPC client, the manager that obtains
 * and renews the certificate, and the holder of the current key, chain and trust bundle. Shared by
 * the proxy (its sidecar identity) and pilot (its serving identity on the xDS TLS port).
 */
export * from './spiffe';
export * from './workload-csr';
export * from './workload-identity';
export * from './ca-client';
export * from './svid-manager';
