import { createLogger, isWeftError, WeftError } from '@weft/shared';
import { TRAFFIC_VARS, describeDemoConfig, readDemoConfig, serviceVars } from './config/demo-config';
import { SERVICES, runService, type ServiceName } from './services/run-service';
import { TrafficGenerator } from './traffic/traffic-generator';

function help(): string {
  const services = Object.entries(SERVICES).map(([name, s]) => `  ${name.padEnd(12)} ${s.about}`);
  return `weft-demo — the bookinfo-like demo of the Weft mesh (docs/demo.md)

Usage: weft-demo <command> [flags]

Commands:
${services.join('\n')}
  traffic      a steady stream of requests to productpage with a summary line every few seconds

Service flags:
${describeDemoConfig(serviceVars(9080))}

Traffic flags:
${describeDemoConfig(TRAFFIC_VARS)}
`;
}

function onStop(stop: () => Promise<void>): void {
  const handler = (): void => void stop().then(() => process.exit(0));
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

async function runTraffic(argv: readonly string[]): Promise<void> {
  const config = readDemoConfig(TRAFFIC_VARS, argv);
  const generator = new TrafficGenerator({ ...config, write: (line) => process.stdout.write(`${line}\n`) });
  createLogger('demo-traffic').info({ target: config.target, rps: config.rps }, 'traffic started');
  generator.start();
  onStop(() => generator.stop());
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    process.stdout.write(help());
    return;
  }
  if (command === 'traffic') return runTraffic(rest);
  if (!(command in SERVICES)) throw new WeftError('WEFT_ERR_DEMO_USAGE', 'invalid-argument', `unknown command "${command}" (try --help)`);
  const service = await runService(command as ServiceName, rest);
  onStop(() => service.close());
}

/** Bad flags, environment or command: exit 2 (usage); anything else, such as a port in use: exit 1. */
function isUsageError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (isWeftError(err) && err.kind === 'invalid-argument') || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`weft-demo: ${err.message}\n`);
  process.exit(isUsageError(err) ? 2 : 1);
});
