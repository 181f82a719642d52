import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fieldIssues, WeftError } from '@weft/shared';

/**
 * Command-line flags of weft-proxy (shared/DESIGN.md "Interfaces others rely on"), each with its
 * WEFT_PROXY_* environment equivalent. The only place the proxy reads process.env.
 */
const FLAGS = {
  config: { env: 'WEFT_PROXY_CONFIG', help: 'static bootstrap file (Envoy v3 static_resources subset)' },
  xds: { env: 'WEFT_PROXY_XDS', help: 'xDS server address (arrives with pilot; not supported yet)' },
  'node-id': { env: 'WEFT_PROXY_NODE_ID', help: 'node id (overrides node.id of the bootstrap)' },
  service: { env: 'WEFT_PROXY_SERVICE', help: 'name of the local service (metrics: source_workload)' },
  namespace: { env: 'WEFT_PROXY_NAMESPACE', help: 'namespace of the local service (default "default")' },
  'admin-port': { env: 'WEFT_PROXY_ADMIN_PORT', help: 'admin port on 127.0.0.1 (overrides the bootstrap; default 15000)' },
  'outbound-port': { env: 'WEFT_PROXY_OUTBOUND_PORT', help: 'port of the OUTBOUND listener (overrides the bootstrap)' },
  'inbound-port': { env: 'WEFT_PROXY_INBOUND_PORT', help: 'port of the INBOUND listener (overrides the bootstrap)' },
  'app-port': { env: 'WEFT_PROXY_APP_PORT', help: 'local app port: adds an INBOUND listener to 127.0.0.1:<app-port> when the bootstrap has none' },
  ca: { env: 'WEFT_PROXY_CA', help: 'CA address for the workload certificate (arrives with the CA issue; not supported yet)' },
  'token-file': { env: 'WEFT_PROXY_TOKEN_FILE', help: 'bootstrap token for the CSR (arrives with the CA issue)' },
  'access-log': { env: 'WEFT_PROXY_ACCESS_LOG', help: 'access log: stdout (default), off, or a file path' },
  'drain-timeout-ms': { env: 'WEFT_PROXY_DRAIN_TIMEOUT_MS', help: 'longest wait for in-flight requests on SIGTERM (default 5000)' },
  'log-level': { env: 'WEFT_PROXY_LOG_LEVEL', help: 'pino log level (default info)' },
} as const;

const port = z.coerce.number().int().min(0).max(65535);
const flagsSchema = z.object({
  config: z.string().min(1).optional(),
  xds: z.string().optional(),
  'node-id': z.string().optional(),
  service: z.string().default('unknown'),
  namespace: z.string().default('default'),
  'admin-port': port.optional(),
  'outbound-port': port.optional(),
  'inbound-port': port.optional(),
  'app-port': port.optional(),
  ca: z.string().optional(),
  'token-file': z.string().optional(),
  'access-log': z.string().default('stdout'),
  'drain-timeout-ms': z.coerce.number().int().nonnegative().default(5000),
  'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  help: z.boolean().default(false),
});
export type ProxyFlags = z.output<typeof flagsSchema>;

export function proxyHelp(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) => `  --${name.padEnd(18)} ${f.help} [${f.env}]`);
  return `weft-proxy — the Weft sidecar proxy\n\nUsage: weft-proxy --config bootstrap.yaml [flags]\n\nFlags:\n${lines.join('\n')}\n  --help               this text\n`;
}

/** Flags from argv, falling back to their environment variables; a bad value is a startup error. */
export function readFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ProxyFlags {
  const options = Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: 'string' as const }]));
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
