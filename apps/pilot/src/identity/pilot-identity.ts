import { readFileSync } from 'node:fs';
import type { Logger } from '@weft/shared';
import { CaClient, SvidManager, WorkloadIdentity } from '@weft/x509';

/** Pilot's service account (Istio: istiod's `istiod` service account in istio-system). */
export const PILOT_SERVICE_ACCOUNT = 'weft-pilot';

export interface PilotIdentityOptions {
  /** weft-ca gRPC address(es), comma-separated replicas. */
  readonly ca: string;
  readonly tokenFile: string;
  readonly trustDomain: string;
  readonly namespace: string;
  readonly certLifetimeS: number;
}

export interface RunningPilotIdentity {
  readonly identity: WorkloadIdentity;
  /** Resolves with the first certificate (requests are retried with backoff until then). */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * Pilot's own SVID, spiffe://<td>/ns/<namespace>/sa/weft-pilot, obtained and renewed (at half life)
 * from weft-ca exactly as a sidecar obtains its own: bootstrap token first, proof of possession after.
 */
export function startPilotIdentity(o: PilotIdentityOptions, log: Logger): RunningPilotIdentity {
  const identity = new WorkloadIdentity();
  const manager = new SvidManager(identity, {
    ca: new CaClient(o.ca),
    token: () => readFileSync(o.tokenFile, 'utf8'),
    trustDomain: o.trustDomain,
    namespace: o.namespace,
    serviceAccount: PILOT_SERVICE_ACCOUNT,
    validitySeconds: o.certLifetimeS,
    renewAt: 0.5,
    log: log.child({ component: 'svid-manager' }),
  });
  return { identity, ready: manager.start(), stop: () => manager.stop() };
}
