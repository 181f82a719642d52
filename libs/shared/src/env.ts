import { z } from 'zod';
import { WeftError } from './errors';
import { fieldIssues } from './validation';

/** One environment variable: declared once, with a default and a description (istio pilot/pkg/features). */
export interface EnvVar<S extends z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly description: string;
}

export function envVar<S extends z.ZodType>(name: string, schema: S, description: string): EnvVar<S> {
  return { name, schema, description };
}

type EnvValues<T extends Record<string, EnvVar<z.ZodType>>> = { readonly [K in keyof T]: z.output<T[K]['schema']> };

/**
 * Reads and validates a set of environment variables. A bad value is a startup error naming the
 * variable and the reason.
 */
export function readEnv<T extends Record<string, EnvVar<z.ZodType>>>(
  vars: T,
  env: NodeJS.ProcessEnv = process.env,
): EnvValues<T> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(vars)) {
    const raw = env[v.name];
    const parsed = v.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(...fieldIssues(parsed.error, v.name).map((i) => `${v.name}: ${i.message}`));
  }
  if (problems.length > 0) {
    throw new WeftError('WEFT_ERR_CONFIG_ENV', 'invalid-argument', `invalid environment: ${problems.join('; ')}`);
  }
  return Object.freeze(out) as EnvValues<T>;
}

/** Describes variables for `--help` output and docs. */
export function describeEnv(vars: Record<string, EnvVar<z.ZodType>>): string {
  return Object.values(vars)
    .map((v) => {
      const d = v.schema.safeParse(undefined);
      const def = d.success && d.data !== undefined && !/TOKEN|PASSWORD|SECRET/.test(v.name) ? ` (default ${String(d.data)})` : '';
      return `  ${v.name.padEnd(34)} ${v.description}${def}`;
    })
    .join('\n');
}

/** Common schema helpers for env values. */
export const envPort = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);
export const envMs = (def: number) => z.coerce.number().int().positive().default(def);
export const envString = (def: string) => z.string().default(def);
