import { hostname } from 'node:os';
import { z } from 'zod';
import { describeEnv, envMs, envPort, envString, envVar, readEnv } from '@weft/shared';

const envSeconds = (def: number) => z.coerce.number().int().positive().default(def);
const envCount = (def: number) => z.coerce.number().int().positive().default(def);

/** Every environment variable telemetry reads, declared once with its default and meaning. */
export const TELEMETRY_ENV = {
  natsUrl: envVar('NATS_URL', envString('nats://127.0.0.1:4222'), 'NATS server URL (credentials allowed in the URL)'),
  redisUrl: envVar('REDIS_URL', envString('redis://127.0.0.1:6379'), 'Redis URL (credentials allowed in the URL)'),
  redisPrefix: envVar('WEFT_REDIS_PREFIX', envString('weft:'), 'prefix of every Redis key (telemetry keys are `<prefix>telemetry:…`)'),
  subjectPrefix: envVar('WEFT_SUBJECT_PREFIX', envString(''), 'prefix of every NATS subject (e.g. `staging.`)'),
  host: envVar('WEFT_TELEMETRY_HOST', envString('127.0.0.1'), 'address the HTTP port binds to'),
  httpPort: envVar('WEFT_TELEMETRY_HTTP_PORT', envPort(9411), 'HTTP port: API, Zipkin v2 endpoints, /metrics (0: any free port)'),
  token: envVar(
    'WEFT_TELEMETRY_TOKEN',
    z.string().min(16, 'must be at least 16 characters').optional(),
    'bearer token required by every /api/ call when set',
  ),
  replicaId: envVar('WEFT_TELEMETRY_REPLICA', envString(`${hostname()}-${process.pid}`), 'this replica’s name (default host-pid)'),
  flushMs: envVar('WEFT_TELEMETRY_FLUSH_MS', envMs(1000), 'how long reports are aggregated in memory before one Redis pipeline'),
  traceTtlS: envVar('WEFT_TELEMETRY_TRACE_TTL', envSeconds(3600), 'seconds a trace is kept after its last span'),
  logTtlS: envVar('WEFT_TELEMETRY_LOG_TTL', envSeconds(3600), 'seconds access logs of a service are kept after the last one'),
  logsPerService: envVar('WEFT_TELEMETRY_LOGS_PER_SERVICE', envCount(1000), 'access-log records kept per service (newest first)'),
  meshDomain: envVar('WEFT_TELEMETRY_MESH_DOMAIN', envString('svc.cluster.local'), 'suffix of `destination_service` (`<service>.<namespace>.<domain>`)'),
  maxSeries: envVar('WEFT_TELEMETRY_MAX_SERIES', envCount(20_000), 'distinct istio request series kept in Redis; more are counted, not stored'),
  maxPendingMs: envVar(
    'WEFT_TELEMETRY_MAX_PENDING_MS',
    envMs(60_000),
    'how long aggregates are retried while Redis is away before they are dropped (and counted)',
  ),
};

export type TelemetryConfig = ReturnType<typeof readTelemetryConfig>;

export function readTelemetryConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(TELEMETRY_ENV, env);
}

export function telemetryEnvHelp(): string {
  return describeEnv(TELEMETRY_ENV);
}
