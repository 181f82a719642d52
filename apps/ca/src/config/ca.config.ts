import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { describeEnv, envPort, envString, envVar, readEnv } from '@weft/shared';

/** `<repository root>/tmp/ca` when run inside the repository (found by its nx.json), else `<cwd>/tmp/ca`. */
export function defaultCaDir(cwd = process.cwd()): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return join(dir, 'tmp', 'ca');
    if (dirname(dir) === dir) return join(resolve(cwd), 'tmp', 'ca');
  }
}

const seconds = (def: number) => z.coerce.number().int().positive().default(def);

/** Every environment variable the CA reads, declared once with its default and meaning. */
export const CA_ENV = {
  natsUrl: envVar('NATS_URL', envString('nats://127.0.0.1:4222'), 'NATS server URL (credentials allowed in the URL)'),
  redisUrl: envVar('REDIS_URL', envString('redis://127.0.0.1:6379'), 'Redis URL (credentials allowed in the URL)'),
  host: envVar('WEFT_CA_HOST', envString('127.0.0.1'), 'address the gRPC and HTTP ports bind to'),
  grpcPort: envVar('WEFT_CA_GRPC_PORT', envPort(8060), 'gRPC CertificateService port, plaintext (0: any free port)'),
  httpPort: envVar('WEFT_CA_HTTP_PORT', envPort(8061), 'HTTP port: health, metrics, trust bundle, tokens, audit (0: any free port)'),
  caDir: envVar('WEFT_CA_DIR', envString(defaultCaDir()), 'key material in Istio cacerts layout; created when empty'),
  trustDomain: envVar('WEFT_CA_TRUST_DOMAIN', envString('cluster.local'), 'trust domain of every SPIFFE identity'),
  defaultTtl: envVar('WEFT_CA_DEFAULT_TTL', seconds(86_400), 'leaf lifetime in seconds when the request asks for none'),
  maxTtl: envVar('WEFT_CA_MAX_TTL', seconds(7 * 86_400), 'longest leaf lifetime in seconds (longer requests are capped)'),
  minTtl: envVar('WEFT_CA_MIN_TTL', seconds(2), 'shortest leaf lifetime in seconds (shorter requests are refused)'),
  adminToken: envVar(
    'WEFT_CA_ADMIN_TOKEN',
    z.string().min(16, 'must be at least 16 characters').optional(),
    'bearer token required by POST /v1/tokens when set',
  ),
  replicaId: envVar(
    'WEFT_CA_REPLICA_ID',
    envString(`${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`),
    'this replica’s name in the audit (default host-pid-random)',
  ),
  redisPrefix: envVar('WEFT_REDIS_PREFIX', envString('weft:'), 'prefix of every Redis key (the audit is <prefix>ca:certs)'),
  subjectPrefix: envVar('WEFT_SUBJECT_PREFIX', envString(''), 'prefix of every NATS subject (e.g. `staging.`)'),
};

export type CaConfig = ReturnType<typeof readCaConfig>;

export function readCaConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(CA_ENV, env);
}

export function caEnvHelp(): string {
  return describeEnv(CA_ENV);
}

export const CA_CONFIG = Symbol('CA_CONFIG');
