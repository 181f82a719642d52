import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { envMs, envPort, envString, envVar, readEnv, describeEnv } from '@weft/shared';

/** Every environment variable the registry reads, declared once with its default and meaning. */
export const REGISTRY_ENV = {
  natsUrl: envVar('NATS_URL', envString('nats://127.0.0.1:4222'), 'NATS server URL (credentials allowed in the URL)'),
  redisUrl: envVar('REDIS_URL', envString('redis://127.0.0.1:6379'), 'Redis URL (credentials allowed in the URL)'),
  host: envVar('WEFT_REGISTRY_HOST', envString('127.0.0.1'), 'address the REST and gRPC ports bind to'),
  httpPort: envVar('WEFT_REGISTRY_HTTP_PORT', envPort(8700), 'REST API port (0: any free port)'),
  grpcPort: envVar('WEFT_REGISTRY_GRPC_PORT', envPort(8701), 'gRPC API port (0: any free port)'),
  token: envVar(
    'WEFT_REGISTRY_TOKEN',
    z.string().min(16, 'must be at least 16 characters').optional(),
    'bearer token required by mutating calls when set',
  ),
  staticFile: envVar(
    'WEFT_REGISTRY_STATIC_FILE',
    z.string().optional(),
    'YAML file of Istio ServiceEntry/WorkloadEntry documents, loaded at start and on change',
  ),
  replicaId: envVar(
    'WEFT_REGISTRY_REPLICA_ID',
    envString(`${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`),
    'this replica’s name in the membership (default host-pid-random)',
  ),
  redisPrefix: envVar('WEFT_REDIS_PREFIX', envString('weft:registry:'), 'prefix of every Redis key'),
  subjectPrefix: envVar('WEFT_SUBJECT_PREFIX', envString(''), 'prefix of every NATS subject (e.g. `staging.`)'),
  sweepIntervalMs: envVar('WEFT_REGISTRY_SWEEP_INTERVAL_MS', envMs(250), 'how often the TTL sweeper runs'),
  leaseMs: envVar('WEFT_REGISTRY_LEASE_MS', envMs(3000), 'sweeper leadership lease; a dead leader is replaced after it'),
  memberTtlMs: envVar(
    'WEFT_REGISTRY_MEMBER_TTL_MS',
    envMs(3000),
    'a replica missing from the membership this long loses its health-check share',
  ),
  staticPollMs: envVar('WEFT_REGISTRY_STATIC_POLL_MS', envMs(1000), 'how often the static file is checked for changes'),
};

export type RegistryConfig = ReturnType<typeof readRegistryConfig>;

export function readRegistryConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(REGISTRY_ENV, env);
}

export function registryEnvHelp(): string {
  return describeEnv(REGISTRY_ENV);
}

export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');
