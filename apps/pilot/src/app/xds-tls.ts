import { Server } from '@grpc/grpc-js';
import type { Logger } from '@weft/shared';
import type { WorkloadIdentity } from '@weft/x509';
import type { PilotConfig } from '../config/pilot.config';
import { startPilotIdentity } from '../identity/pilot-identity';
import { SvidCertificateProvider, svidServerCredentials } from '../identity/svid-certificate-provider';
import type { XdsServer } from '../server/xds-server';

export interface RunningXdsTls {
  readonly port: number;
  readonly identity: WorkloadIdentity;
  close(): Promise<void>;
}

/**
 * Istio's 15012: the same ADS service on a second gRPC server, mutual TLS with pilot's own SVID
 * (obtained from weft-ca). The port is bound at once; connections are dropped until the first
 * certificate is installed, and each renewal becomes the certificate of new connections while open
 * streams keep theirs. Off (null) without WEFT_PILOT_CA.
 */
export async function startXdsTls(config: PilotConfig, xds: XdsServer, log: Logger): Promise<RunningXdsTls | null> {
  const tlsLog = log.child({ component: 'xds-tls' });
  if (config.ca === undefined || config.caTokenFile === undefined) {
    tlsLog.warn('no CA configured (WEFT_PILOT_CA): the mutual-TLS xDS port is off; proxies connect in plaintext only');
    return null;
  }
  const running = startPilotIdentity(
    { ca: config.ca, tokenFile: config.caTokenFile, trustDomain: config.trustDomain, namespace: config.namespace, certLifetimeS: config.certLifetimeS },
    log,
  );
  const provider = new SvidCertificateProvider(running.identity);
  const server = new Server({ 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_permit_without_calls': 1 });
  xds.addTo(server);
  const close = async (): Promise<void> => {
    running.stop();
    provider.close();
    await new Promise<void>((r) => server.tryShutdown(() => r()));
  };
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${config.host}:${config.xdsTlsPort}`, svidServerCredentials(provider), (err, p) => (err === null ? resolve(p) : reject(err)));
    });
  } catch (err) {
    await close();
    throw err;
  }
  tlsLog.info({ port, ca: config.ca }, 'mutual-TLS xds port bound; serving once pilot has its certificate');
  void running.ready.then(() => tlsLog.info({ port, spiffeId: running.identity.spiffeId }, 'mutual-TLS xds port serving'));
  return { port, identity: running.identity, close };
}
