/**
 * X.509 and PKCS#10 by hand for the mesh's fixed shapes (DER encoder/reader, OIDs, PEM, extensions,
 * CSR build/verify, certificate templates): the CA signs with it, the proxy builds its CSRs with it.
 * Node's crypto does the cryptography; nothing here depends on a framework. `svid/`: obtaining and
 * renewing a workload SVID from weft-ca over gRPC (the proxy and pilot use it).
 */
export * from './der';
export * from './oids';
export * from './pem';
export * from './extensions';
export * from './csr-builder';
export * from './csr';
export * from './cert-fields';
export * from './certificate-builder';
export * from './leaf-signer';
export * from './svid';
