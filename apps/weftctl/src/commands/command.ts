import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../errors';
import type { CliIo } from '../io';
import { DEFAULT_PILOT_URL, PilotClient } from '../pilot-client';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  readonly io: CliIo;
  /** The pilot client for WEFT_PILOT_URL (or --pilot-url) and WEFT_PILOT_TOKEN. */
  pilot(): PilotClient;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full `--help` text of the verb. */
  readonly help: string;
  readonly options: OptionSpec;
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}

/** Flags every verb takes. */
export const COMMON_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  'pilot-url': { type: 'string' },
};

export const COMMON_HELP = `Global flags:
  --pilot-url URL   pilot's HTTP API (default $WEFT_PILOT_URL, else ${DEFAULT_PILOT_URL})
  -h, --help        help for this command

Environment: WEFT_PILOT_URL, WEFT_PILOT_TOKEN (bearer token for apply and delete).`;

/** Parses a verb's arguments; an unknown flag or a missing value is a usage error (exit 2). */
export function parseVerbArgs(command: Command, argv: readonly string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw usageError(`error: ${(err as Error).message}`, command.name);
  }
}

export function stringOpt(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOpt(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** `-o` value checked against what the verb supports. */
export function outputOpt<F extends string>(args: ParsedArgs, allowed: readonly F[], fallback: F, verb: string): F {
  const v = stringOpt(args, 'output') ?? fallback;
  if ((allowed as readonly string[]).includes(v)) return v as F;
  throw usageError(`error: unknown output format "${v}" (use ${allowed.join(', ')})`, verb);
}
