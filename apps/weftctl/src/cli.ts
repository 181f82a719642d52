import { analyzeCommand } from './commands/analyze';
import { applyCommand } from './commands/apply';
import { caCommand } from './commands/ca';
import { certsCommand } from './commands/certs';
import { edgesCommand } from './commands/edges';
import { statCommand } from './commands/stat';
import { tapCommand } from './commands/tap';
import { topCommand } from './commands/top';
import { tokenCommand } from './commands/token';
import { parseVerbArgs, stringOpt, type Command, type CommandContext } from './commands/command';
import { deleteCommand } from './commands/delete';
import { getCommand } from './commands/get';
import { proxyConfigCommand } from './commands/proxy-config';
import { proxyStatusCommand } from './commands/proxy-status';
import { clientVersion, versionCommand } from './commands/version';
import { CliError, EXIT_USAGE, usageError } from './errors';
import type { CliIo } from './io';
import { DEFAULT_PILOT_URL, PilotClient } from './pilot-client';

const COMMANDS: readonly Command[] = [
  applyCommand,
  getCommand,
  deleteCommand,
  analyzeCommand,
  proxyStatusCommand,
  proxyConfigCommand,
  tokenCommand,
  certsCommand,
  caCommand,
  statCommand,
  edgesCommand,
  topCommand,
  tapCommand,
  versionCommand,
];
const ALIASES: Readonly<Record<string, string>> = { ps: 'proxy-status', pc: 'proxy-config', del: 'delete' };

function mainHelp(): string {
  const verbs = COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`).join('\n');
  return `weftctl ${clientVersion()}: the Weft service mesh operator CLI.

Usage:
  weftctl COMMAND [flags]

Commands:
${verbs}

Use "weftctl COMMAND --help" for more about a command.

Environment:
  WEFT_PILOT_URL     pilot's HTTP API (default ${DEFAULT_PILOT_URL})
  WEFT_PILOT_TOKEN   bearer token sent with apply and delete
  WEFT_CA_URL        the CA's HTTP API (token, certs, ca; default http://127.0.0.1:8061)
  WEFT_CA_ADMIN_TOKEN  bearer token sent with token create
  WEFT_TELEMETRY_URL telemetry's HTTP API (stat, edges, top, tap; default http://127.0.0.1:9411)
  WEFT_TELEMETRY_TOKEN bearer token sent to telemetry when it requires one

Exit codes: 0 ok, 1 rejected (invalid input, not found, analysis errors), 2 usage, 3 pilot (or the CA, or telemetry) unreachable.`;
}

function contextFor(io: CliIo, pilotUrl: string | undefined): CommandContext {
  const url = pilotUrl ?? io.env['WEFT_PILOT_URL'] ?? DEFAULT_PILOT_URL;
  let client: PilotClient | null = null;
  return {
    io,
    pilot() {
      client ??= new PilotClient(url, io.env['WEFT_PILOT_TOKEN']);
      return client;
    },
  };
}

/** `weftctl --pilot-url URL get vs` → `weftctl get vs --pilot-url URL` (global flags may lead). */
function leadingGlobals(argv: readonly string[]): readonly string[] {
  const first = argv[0] ?? '';
  if (first === '--pilot-url' && argv.length >= 2) return [...argv.slice(2), first, argv[1] as string];
  if (first.startsWith('--pilot-url=')) return [...argv.slice(1), first];
  return argv;
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = leadingGlobals(argv);
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(mainHelp());
    return verb === undefined ? EXIT_USAGE : 0;
  }
  if (verb === '--version') return dispatch(['version', '--client', ...rest], io);
  const name = ALIASES[verb] ?? verb;
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw usageError(`error: unknown command "${verb}"`);
  const args = parseVerbArgs(command, rest);
  if (args.values['help'] === true) {
    io.out(command.help);
    return 0;
  }
  return command.run(args, contextFor(io, stringOpt(args, 'pilot-url')));
}

/** Runs one weftctl invocation; resolves with the exit code. Nothing is thrown. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(err.message);
      for (const line of err.details) io.err(line);
      return err.exitCode;
    }
    io.err(`error: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}
