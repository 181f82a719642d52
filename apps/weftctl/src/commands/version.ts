import { CliError, usageError } from '../errors';
import { json } from '../output';
import { COMMON_HELP, flag, outputOpt, type Command } from './command';

/** The client's version, from the package (read once, at call time). */
export function clientVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the client and pilot versions',
  help: `Print weftctl's version and, without --client, the version, replica and loaded rules revision of
the pilot at WEFT_PILOT_URL (an unreachable pilot is reported, not an error).

Usage:
  weftctl version [--client] [-o text|json]

Flags:
      --client          only the client's version; do not contact pilot
  -o, --output FORMAT   text (default) or json

${COMMON_HELP}`,
  options: { client: { type: 'boolean' }, output: { type: 'string', short: 'o' } },

  async run(args, ctx) {
    if (args.positionals.length > 0) throw usageError(`error: unexpected argument "${args.positionals[0]}"`, 'version');
    const format = outputOpt(args, ['text', 'json'] as const, 'text', 'version');
    const client = clientVersion();
    let server: { version: string; replica: string; rulesRevision: number | null } | { error: string } | null = null;
    if (!flag(args, 'client')) {
      server = await ctx
        .pilot()
        .version()
        .catch((err: unknown) => ({ error: err instanceof CliError ? err.message : String(err) }));
    }
    if (format === 'json') {
      ctx.io.out(json({ client: { version: client }, pilot: server }));
      return 0;
    }
    ctx.io.out(`client version: ${client}`);
    if (server !== null && 'error' in server) ctx.io.out(`pilot: ${server.error}`);
    else if (server !== null) {
      ctx.io.out(`pilot version: ${server.version} (replica ${server.replica}, rules revision ${server.rulesRevision ?? '-'})`);
    }
    return 0;
  },
};
