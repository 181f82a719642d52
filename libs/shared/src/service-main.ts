import { isWeftError } from './errors';
import { createLogger, type Logger } from './logger';

/** A started control-plane process: closed on SIGINT/SIGTERM. */
export interface RunningService {
  close(): Promise<void>;
}

export interface ServiceMain<C, R extends RunningService> {
  /** Process and logger name, e.g. `weft-pilot`; start failures log `<what> failed to start`. */
  readonly name: string;
  readonly what: string;
  /** `--help` text. */
  readonly help: string;
  /** The environment, validated (throws a WeftError naming the variable). */
  readonly readConfig: () => C;
  /** Starts the service; null when the process has done its work and should exit (e.g. `--init`). */
  readonly start: (config: C, log: Logger, argv: readonly string[]) => Promise<R | null>;
  readonly onReady?: (running: R, config: C, log: Logger) => void;
}

/**
 * The one `main` of the NestJS control-plane bins: `--help`; configuration read once (exit 2 with the
 * variable on a bad one); start (exit 1 with the reason); graceful close on SIGINT/SIGTERM.
 */
export async function runServiceMain<C, R extends RunningService>(spec: ServiceMain<C, R>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(spec.help);
    return;
  }
  const log = createLogger(spec.name);
  let config: C;
  try {
    config = spec.readConfig();
  } catch (err) {
    log.fatal({ err: isWeftError(err) ? err.message : err }, 'bad configuration');
    process.exitCode = 2;
    return;
  }
  try {
    const running = await spec.start(config, log, argv);
    if (running === null) return;
    spec.onReady?.(running, config, log);
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      void running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (err) {
    log.fatal({ err: isWeftError(err) ? { code: err.code, message: err.message } : err }, `${spec.what} failed to start`);
    process.exit(1);
  }
}
