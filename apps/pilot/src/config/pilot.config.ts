import { hostname } from 'node:os';
import { z } from 'zod';
import { describeEnv, envMs, envPort, envString, envVar, readEnv, WeftError } from '@weft/shared';

/** Every environment variable pilot reads, declared once with its default and meaning. */
export const PILOT_ENV = {
  natsUrl: envVar('NATS_URL', envString('nats://127.0.0.1:4222'), 'NATS server URL (credentials allowed in the URL)'),
  redisUrl: envVar('REDIS_URL', envString('redis://127.0.0.1:6379'), 'Redis URL (credentials allowed in the URL)'),
  redisPrefix: envVar('WEFT_REDIS_PREFIX', envString('weft:'), 'prefix of every Redis key (pilot keys are `<prefix>pilot:…`)'),
  subjectPrefix: envVar('WEFT_SUBJECT_PREFIX', envString(''), 'prefix of every NATS subject (e.g. `staging.`)'),
  host: envVar('WEFT_PILOT_HOST', envString('127.0.0.1'), 'address the xDS and HTTP ports bind to'),
  xdsPort: envVar('WEFT_PILOT_XDS_PORT', envPort(15010), 'plaintext xDS gRPC port (0: any free port)'),
  httpPort: envVar('WEFT_PILOT_HTTP_PORT', envPort(15014), 'HTTP port: rules API, proxy status, /metrics (0: any free port)'),
  token: envVar(
    'WEFT_PILOT_TOKEN',
    z.string().min(16, 'must be at least 16 characters').optional(),
    'bearer token required by mutating REST calls when set',
  ),
  replicaId: envVar(
    'WEFT_PILOT_REPLICA',
    envString(`${hostname()}-${process.pid}`),
    'this replica’s name in proxy status (default host-pid)',
  ),
  debounceMs: envVar('WEFT_PILOT_DEBOUNCE_MS', envMs(100), 'quiet period after a change before a push'),
  debounceMaxMs: envVar('WEFT_PILOT_DEBOUNCE_MAX_MS', envMs(1000), 'longest a push waits for changes to settle'),
  statusTtlMs: envVar(
    'WEFT_PILOT_STATUS_TTL_MS',
    envMs(15_000),
    'a replica silent this long is dead: its proxies leave the proxy status',
  ),
  trustDomain: envVar(
    'WEFT_PILOT_TRUST_DOMAIN',
    z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,253}[a-z0-9])?$/, 'a SPIFFE trust domain (lowercase letters, digits, dots, dashes)').default('cluster.local'),
    'SPIFFE trust domain of the workload identities pilot expects (Istio meshConfig.trustDomain; the CA\'s WEFT_CA_TRUST_DOMAIN)',
  ),
  xdsTlsPort: envVar(
    'WEFT_PILOT_XDS_TLS_PORT',
    envPort(15012),
    'mutual-TLS xDS gRPC port (Istio\'s 15012): pilot\'s SVID as server certificate, client certificates required (0: any free port; off without WEFT_PILOT_CA)',
  ),
  ca: envVar(
    'WEFT_PILOT_CA',
    z
      .string()
      .regex(/^[^\s,]+:\d{1,5}(,[^\s,]+:\d{1,5})*$/, 'expected host:port, or several comma-separated')
      .optional(),
    'weft-ca gRPC address(es), comma-separated replicas: pilot obtains its SVID there and serves the TLS xDS port (unset: no TLS port)',
  ),
  caTokenFile: envVar('WEFT_PILOT_CA_TOKEN_FILE', z.string().min(1).optional(), 'file with the bootstrap token for pilot\'s first certificate (weftctl token create -n weft-system -s weft-pilot); required with WEFT_PILOT_CA'),
  namespace: envVar('WEFT_PILOT_NAMESPACE', z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label').default('weft-system'), 'namespace of pilot\'s identity spiffe://<trust domain>/ns/<namespace>/sa/weft-pilot'),
  certLifetimeS: envVar('WEFT_PILOT_CERT_LIFETIME_S', z.coerce.number().int().nonnegative().default(0), 'requested lifetime of pilot\'s certificate in seconds (0: the CA decides); renewed at half life'),
  registryUrl: envVar('WEFT_REGISTRY_URL', envString('http://127.0.0.1:8700'), 'registry REST API (reserved)'),
};

export type PilotConfig = ReturnType<typeof readPilotConfig>;

export function readPilotConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readEnv(PILOT_ENV, env);
  if (config.debounceMaxMs < config.debounceMs) {
    const message = `WEFT_PILOT_DEBOUNCE_MAX_MS: must be at least WEFT_PILOT_DEBOUNCE_MS (${config.debounceMs})`;
    throw new WeftError('WEFT_ERR_CONFIG_ENV', 'invalid-argument', `invalid environment: ${message}`);
  }
  if (config.ca !== undefined && config.caTokenFile === undefined) {
    throw new WeftError('WEFT_ERR_CONFIG_ENV', 'invalid-argument', 'invalid environment: WEFT_PILOT_CA_TOKEN_FILE: required with WEFT_PILOT_CA (the bootstrap token for pilot\'s first certificate)');
  }
  return config;
}

export function pilotEnvHelp(): string {
  return describeEnv(PILOT_ENV);
}

export const PILOT_CONFIG = Symbol('PILOT_CONFIG');
