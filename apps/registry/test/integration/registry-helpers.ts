import pino from 'pino';
import { createTestInfra, type TestInfra } from '@weft/testing';
import { readRegistryConfig, type RegistryConfig } from '../../src/config/registry.config';
import { startRegistry, type RunningRegistry } from '../../src/app/bootstrap';

/** Starts in-process registry replicas on port 0 against the suite's real NATS/Redis prefixes. */
export function replicaConfig(infra: TestInfra, replicaId: string, env: Record<string, string> = {}): RegistryConfig {
  return readRegistryConfig({
    NATS_URL: infra.natsUrl,
    REDIS_URL: infra.redisUrl,
    WEFT_REGISTRY_HTTP_PORT: '0',
    WEFT_REGISTRY_GRPC_PORT: '0',
    WEFT_REGISTRY_REPLICA_ID: replicaId,
    WEFT_REDIS_PREFIX: infra.redisPrefix,
    WEFT_SUBJECT_PREFIX: infra.subjectPrefix,
    WEFT_REGISTRY_SWEEP_INTERVAL_MS: '50',
    WEFT_REGISTRY_LEASE_MS: '1000',
    WEFT_REGISTRY_MEMBER_TTL_MS: '1000',
    ...env,
  });
}

export const silentLogger = pino({ level: process.env['WEFT_TEST_LOG_LEVEL'] ?? 'silent' });

export async function startReplica(infra: TestInfra, replicaId: string, env: Record<string, string> = {}): Promise<RunningRegistry> {
  return startRegistry(replicaConfig(infra, replicaId, env), silentLogger);
}

export { createTestInfra };
