import { runServiceMain } from '@weft/shared';
import { caEnvHelp, readCaConfig } from './config/ca.config';
import { loadOrCreateCaMaterial } from './keys/key-material';
import { startCa } from './app/bootstrap';

const HELP = `weft-ca — the Weft certificate authority (one replica; run as many as share WEFT_CA_DIR)

Usage: weft-ca [--init] [--help]

Signs SPIFFE X.509 workload certificates (ECDSA P-256) on CSR, authenticated by a bootstrap token
(POST /v1/tokens, \`weftctl token create\`) or, for renewal, by the current certificate:
  gRPC  weft.ca.v1.CertificateService on WEFT_CA_GRPC_PORT (plaintext)
  NATS  request/reply on weft.ca.rpc.createCertificate (queue group weft-ca);
        the trust bundle is published on weft.ca.trust-bundle
  HTTP  /healthz /readyz /metrics, GET /v1/trust-bundle, POST /v1/tokens, GET /v1/certs
Key material: WEFT_CA_DIR in Istio's cacerts layout (ca-cert.pem, ca-key.pem, root-cert.pem,
cert-chain.pem) plus token-key.pem; a new root and intermediate are created when it is empty.

  --init   create (or validate) the key material in WEFT_CA_DIR, then exit

Environment:
${caEnvHelp()}
  WEFT_LOG_LEVEL                     pino log level (default info)
`;

void runServiceMain({
  name: 'weft-ca',
  what: 'ca',
  help: HELP,
  readConfig: () => readCaConfig(),
  start: async (config, log, argv) => {
    if (!argv.includes('--init')) return startCa(config, log);
    const material = await loadOrCreateCaMaterial(config.caDir, config.trustDomain);
    log.info({ dir: config.caDir, generated: material.generated }, 'ca key material ready');
    return null;
  },
});
