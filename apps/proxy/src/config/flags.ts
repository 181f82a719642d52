import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fieldIssues, WeftError } from '@weft/shared';

/**
 * Command-line flags of weft-proxy (shared/DESIGN.md "Interfaces others rely on"), each with its
 * WEFT_PROXY_* environment equivalent. The only place the proxy reads process.env.
 */
const FLAGS = {
  config: { env: 'WEFT_PROXY_CONFIG', help: 'static bootstrap file (Envoy v3 static_resources subset); optional with --xds' },
  xds: { env: 'WEFT_PROXY_XDS', help: 'xDS server host:port (pilot, plaintext gRPC), or several comma-separated (replicas, tried in turn): listeners, routes, clusters and endpoints over one ADS stream' },
  'xds-protocol': { env: 'WEFT_PROXY_XDS_PROTOCOL', help: 'delta (default: incremental ADS, with on-demand virtual hosts) or sotw (state of the world)' },
  'xds-cache': { env: 'WEFT_PROXY_XDS_CACHE', help: 'file of the last ACKed xDS resources, served at start while the server is unreachable (default <tmpdir>/weft-proxy-<node-id>.xds.json)' },
  'node-id': { env: 'WEFT_PROXY_NODE_ID', help: 'node id (overrides node.id of the bootstrap; default with --xds: sidecar~<service>~<pid>)' },
  locality: { env: 'WEFT_PROXY_LOCALITY', help: 'node locality region/zone/subzone, sent to the xDS server' },
  labels: { env: 'WEFT_PROXY_LABELS', help: 'workload labels sent to the xDS server: a JSON object or k=v,k2=v2 (e.g. version=v1)' },
  'on-demand-timeout-ms': { env: 'WEFT_PROXY_ON_DEMAND_TIMEOUT_MS', help: 'longest hold of a request waiting for its virtual host from VHDS (default 5000)' },
  service: { env: 'WEFT_PROXY_SERVICE', help: 'name of the local service; with --labels version=V the workload is <service>-<V> (metrics: source_workload / destination_workload)' },
  namespace: { env: 'WEFT_PROXY_NAMESPACE', help: 'namespace of the local service (default "default")' },
  'admin-port': { env: 'WEFT_PROXY_ADMIN_PORT', help: 'admin port on 127.0.0.1 (overrides the bootstrap; default 15000)' },
  'outbound-port': { env: 'WEFT_PROXY_OUTBOUND_PORT', help: 'port of the OUTBOUND listener (overrides the bootstrap)' },
  'inbound-port': { env: 'WEFT_PROXY_INBOUND_PORT', help: 'port of the INBOUND listener (overrides the bootstrap)' },
  'app-port': { env: 'WEFT_PROXY_APP_PORT', help: 'local app port: adds an INBOUND listener to 127.0.0.1:<app-port> when the bootstrap has none' },
  ca: { env: 'WEFT_PROXY_CA', help: 'CA host:port, or several comma-separated replicas tried in turn (weft-ca gRPC, plaintext): the proxy obtains and renews its SVID for mTLS (needs --token-file)' },
  'token-file': { env: 'WEFT_PROXY_TOKEN_FILE', help: 'file with the bootstrap token for the first certificate (weftctl token create)' },
  'trust-domain': { env: 'WEFT_PROXY_TRUST_DOMAIN', help: 'SPIFFE trust domain of the workload identity (default cluster.local)' },
  'service-account': { env: 'WEFT_PROXY_SERVICE_ACCOUNT', help: 'service account of the workload identity (default: --service)' },
  'cert-lifetime-s': { env: 'WEFT_PROXY_CERT_LIFETIME_S', help: 'requested certificate lifetime in seconds (default 0: the CA decides, 24 h); renewed at half life' },
  'xds-tls': { env: 'WEFT_PROXY_XDS_TLS', help: 'xDS over mutual TLS (pilot\'s port 15012) with the proxy\'s SVID, verifying pilot\'s identity (needs --ca; waits for the first certificate)' },
  'xds-identity': { env: 'WEFT_PROXY_XDS_IDENTITY', help: 'SPIFFE ID pilot must present with --xds-tls (default spiffe://<trust-domain>/ns/weft-system/sa/weft-pilot)' },
  nats: { env: 'WEFT_PROXY_NATS', help: 'NATS URL for telemetry (reports, spans, access logs, tap); reporting is off when unset' },
  'subject-prefix': { env: 'WEFT_PROXY_SUBJECT_PREFIX', help: 'prefix of every NATS subject the proxy publishes or subscribes (as WEFT_SUBJECT_PREFIX of telemetry; default none)' },
  'telemetry-interval-ms': { env: 'WEFT_PROXY_TELEMETRY_INTERVAL_MS', help: 'period of the telemetry report, spans and access-log batches (default 1000)' },
  'trace-sampling': { env: 'WEFT_PROXY_TRACE_SAMPLING', help: 'percentage of new traces sampled (0-100, default 1); an incoming sampling decision is honoured' },
  'log-sampling': { env: 'WEFT_PROXY_LOG_SAMPLING', help: 'percentage of successful requests whose access log goes to telemetry (0-100, default 1); errors and flagged requests always do' },
  'access-log': { env: 'WEFT_PROXY_ACCESS_LOG', help: 'access log: stdout (default), off, or a file path' },
  'drain-timeout-ms': { env: 'WEFT_PROXY_DRAIN_TIMEOUT_MS', help: 'longest wait for in-flight requests on SIGTERM (default 5000)' },
  'log-level': { env: 'WEFT_PROXY_LOG_LEVEL', help: 'pino log level (default info)' },
} as const;

/** Flags without a value (their environment variable: true/false/1/0). */
const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(['xds-tls']);

const port = z.coerce.number().int().min(0).max(65535);
const HOST_PORT_RE = /^(\[[0-9a-fA-F:.]+\]|[^\s:/,]+):\d{1,5}$/;
const hostPorts = z
  .string()
  .transform((v) => v.split(',').map((a) => a.trim()))
  .refine((list) => list.every((a) => HOST_PORT_RE.test(a)), 'expected host:port (or several, comma-separated)')
  .transform((list) => list.join(','));
const locality = z
  .string()
  .regex(/^[^/]*(\/[^/]*){0,2}$/, 'expected region/zone/subzone')
  .transform((v) => {
    const [region = '', zone = '', subZone = ''] = v.split('/');
    return { region, zone, subZone };
  });
const labels = z.string().transform((v, ctx): Record<string, string> => {
  const parsed = parseLabels(v);
  if (parsed === null) ctx.addIssue({ code: 'custom', message: 'expected a JSON object of strings or k=v,k2=v2' });
  return parsed ?? {};
});
const flagsSchema = z.object({
  config: z.string().min(1).optional(),
  xds: hostPorts.optional(),
  'xds-protocol': z.enum(['delta', 'sotw']).default('delta'),
  'xds-cache': z.string().min(1).optional(),
  'node-id': z.string().min(1).optional(),
  locality: locality.optional(),
  labels: labels.default({}),
  'on-demand-timeout-ms': z.coerce.number().int().positive().default(5000),
  service: z.string().default('unknown'),
  namespace: z.string().default('default'),
  'admin-port': port.optional(),
  'outbound-port': port.optional(),
  'inbound-port': port.optional(),
  'app-port': port.optional(),
  ca: hostPorts.optional(),
  'token-file': z.string().min(1).optional(),
  'trust-domain': z.string().regex(/^[a-z0-9._-]+$/, 'a SPIFFE trust domain (lower-case letters, digits, . _ -)').default('cluster.local'),
  'service-account': z.string().min(1).optional(),
  'cert-lifetime-s': z.coerce.number().int().nonnegative().default(0),
  'xds-tls': z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1'),
  'xds-identity': z.string().regex(/^spiffe:\/\/[^/\s]+\/\S+$/, 'a SPIFFE ID, e.g. spiffe://cluster.local/ns/weft-system/sa/weft-pilot').optional(),
  nats: z.string().regex(/^(nats|tls):\/\/\S+$/, 'expected a NATS URL, e.g. nats://127.0.0.1:4222').optional(),
  'subject-prefix': z.string().regex(/^([A-Za-z0-9_-]+\.)*$/, 'expected dot-terminated tokens, e.g. "test1."').default(''),
  'telemetry-interval-ms': z.coerce.number().int().min(100).max(60_000).default(1000),
  'trace-sampling': z.coerce.number().min(0).max(100).default(1),
  'log-sampling': z.coerce.number().min(0).max(100).default(1),
  'access-log': z.string().default('stdout'),
  'drain-timeout-ms': z.coerce.number().int().nonnegative().default(5000),
  'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  help: z.boolean().default(false),
});
export type ProxyFlags = z.output<typeof flagsSchema>;

/** `{"version":"v1"}` or `version=v1,app=reviews`; null when neither. */
function parseLabels(text: string): Record<string, string> | null {
  const t = text.trim();
  if (t === '') return {};
  if (t.startsWith('{')) {
    try {
      const obj = JSON.parse(t) as unknown;
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return null;
      return Object.values(obj).every((v) => typeof v === 'string') ? (obj as Record<string, string>) : null;
    } catch {
      return null;
    }
  }
  const out: Record<string, string> = {};
  for (const pair of t.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return null;
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

export function proxyHelp(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) => `  --${name.padEnd(22)} ${f.help} [${f.env}]`);
  return `weft-proxy — the Weft sidecar proxy\n\nUsage: weft-proxy --config bootstrap.yaml [flags]\n       weft-proxy --xds pilot:15010 --service NAME [--config bootstrap.yaml] [flags]\n\nFlags:\n${lines.join('\n')}\n  --help                   this text\n`;
}

/** Flags from argv, falling back to their environment variables; a bad value is a startup error. */
export function readFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ProxyFlags {
  const options = Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: BOOLEAN_FLAGS.has(k) ? ('boolean' as const) : ('string' as const) }]));
  const { values } = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
  const merged: Record<string, unknown> = { help: values.help ?? false };
  for (const [name, f] of Object.entries(FLAGS)) merged[name] = (values as Record<string, unknown>)[name] ?? env[f.env];
  const r = flagsSchema.safeParse(merged);
  if (!r.success) {
    const detail = fieldIssues(r.error).map((i) => `--${i.path}: ${i.message}`).join('; ');
    throw new WeftError('WEFT_ERR_PROXY_FLAGS', 'invalid-argument', `invalid flags: ${detail}`);
  }
  return r.data;
}
