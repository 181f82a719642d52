import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@weft/shared';

/** Routes NestJS's own log lines into the app's pino logger (no console output). */
export class PinoNestLogger implements LoggerService {
  private readonly pino: Logger;

  constructor(root: Logger) {
    this.pino = root.child({ component: 'nest' });
  }

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? params[params.length - 1] : undefined;
    this.pino[level]({ context }, String(message));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
}
