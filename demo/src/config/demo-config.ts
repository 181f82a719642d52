import { parseArgs } from 'node:util';
import { z } from 'zod';
import { envMs, envPort, envString, envVar, fieldIssues, WeftError, type EnvVar } from '@weft/shared';

/**
 * Settings of the demo commands. Each is a flag (`--failure-rate`) with a `WEFT_DEMO_*` environment
 * equivalent, declared once with its default and description; the flag wins over the variable.
 */
export type DemoVars = Record<string, EnvVar<z.ZodType>>;
export type DemoConfig<T extends DemoVars> = { readonly [K in keyof T]: z.output<T[K]['schema']> };

/** Settings shared by productpage, details, reviews and ratings. */
export function serviceVars(defaultPort: number) {
  return {
    port: envVar('WEFT_DEMO_PORT', envPort(defaultPort), 'port the service listens on (default productpage 9080, details 9081, reviews 9082, ratings 9085)'),
    host: envVar('WEFT_DEMO_HOST', envString('127.0.0.1'), 'address to listen on (its sidecar reaches it over loopback)'),
    version: envVar('WEFT_DEMO_VERSION', z.string().regex(/^v\d+$/, 'must look like v1, v2, …').default('v1'), 'version it reports (reviews: v1 no stars, v2 black, v3 red)'),
    outboundUrl: envVar('WEFT_DEMO_OUTBOUND_URL', z.url({ protocol: /^http$/ }).default('http://127.0.0.1:15001'), "its sidecar's OUTBOUND listener: every call to another service goes there"),
    failureRate: envVar('WEFT_DEMO_FAILURE_RATE', z.coerce.number().min(0).max(1).default(0), 'fraction of requests answered with 503, to watch retries (0 to 1)'),
    upstreamTimeoutMs: envVar('WEFT_DEMO_UPSTREAM_TIMEOUT_MS', envMs(10_000), 'how long it waits for another service (the sidecar has its own, shorter timeouts)'),
  };
}

/** Settings of the traffic generator. */
export const TRAFFIC_VARS = {
  target: envVar('WEFT_DEMO_TRAFFIC_TARGET', z.url({ protocol: /^http$/ }).default('http://127.0.0.1:15106/productpage'), 'URL requested: productpage through its sidecar'),
  rps: envVar('WEFT_DEMO_TRAFFIC_RPS', z.coerce.number().positive().max(1000).default(5), 'requests per second (a steady rate, never exceeded)'),
  reportSeconds: envVar('WEFT_DEMO_TRAFFIC_REPORT_SECONDS', z.coerce.number().positive().default(5), 'seconds between two summary lines'),
  timeoutMs: envVar('WEFT_DEMO_TRAFFIC_TIMEOUT_MS', envMs(5000), 'a request slower than this counts as an error'),
  maxInFlight: envVar('WEFT_DEMO_TRAFFIC_MAX_IN_FLIGHT', z.coerce.number().int().positive().default(50), 'requests outstanding at most; a tick beyond it is skipped and counted'),
};

function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Reads `vars` from flags in `argv`, falling back to the environment. A bad value is a startup error
 * naming the flag and the variable.
 */
export function readDemoConfig<T extends DemoVars>(vars: T, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoConfig<T> {
  const options = Object.fromEntries(Object.keys(vars).map((key) => [flagName(key), { type: 'string' as const }]));
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(vars)) {
    const raw = (values as Record<string, string | undefined>)[flagName(key)] ?? env[v.name];
    const parsed = v.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(...fieldIssues(parsed.error).map((i) => `--${flagName(key)} (${v.name}): ${i.message}`));
  }
  if (problems.length > 0) throw new WeftError('WEFT_ERR_DEMO_CONFIG', 'invalid-argument', `invalid settings: ${problems.join('; ')}`);
  return Object.freeze(out) as DemoConfig<T>;
}

/** `--help` lines: flag, environment variable, description and default. */
export function describeDemoConfig(vars: DemoVars): string {
  return Object.entries(vars)
    .map(([key, v]) => {
      const d = v.schema.safeParse(undefined);
      const def = d.success && d.data !== undefined && !v.description.includes('(default') ? ` (default ${String(d.data)})` : '';
      return `  --${flagName(key).padEnd(22)} ${v.description}${def} [${v.name}]`;
    })
    .join('\n');
}
