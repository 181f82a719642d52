import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Fields never written to a log, whatever component logs them. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'password',
  '*.password',
  'privateKey',
  '*.privateKey',
  'key',
  'csr',
  '*.csr',
];

/**
 * The one root logger of a process: structured JSON on stdout (pino), level from WEFT_LOG_LEVEL.
 * Components take `logger.child({ component })` once at construction, never per request.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  return pino({
    name,
    level: process.env['WEFT_LOG_LEVEL'] ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    ...options,
  });
}
