import { readFileSync } from 'node:fs';
import type { Logger } from '@weft/shared';
import type { ProxyFlags } from '../config/flags';
import { CaClient, SvidManager, WorkloadIdentity } from '@weft/x509';

export interface RunningIdentity {
  readonly identity: WorkloadIdentity;
  readonly manager: SvidManager;
  /** Resolves with the first certificate. */
  readonly ready: Promise<void>;
}

/** --ca: the workload identity, its first certificate requested in the background (/ready waits for it). */
export function startIdentity(flags: ProxyFlags & { ca: string; 'token-file': string }, log: Logger): RunningIdentity {
  const identity = new WorkloadIdentity();
  const tokenFile = flags['token-file'];
  const manager = new SvidManager(identity, {
    ca: new CaClient(flags.ca),
    token: () => readFileSync(tokenFile, 'utf8'),
    trustDomain: flags['trust-domain'],
    namespace: flags.namespace,
    serviceAccount: flags['service-account'] ?? flags.service,
    validitySeconds: flags['cert-lifetime-s'],
    renewAt: 0.5,
    log: log.child({ component: 'svid-manager' }),
  });
  return { identity, manager, ready: manager.start() };
}
