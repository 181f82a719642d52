/**
 * How weftctl ends: every failure is a CliError carrying its exit code.
 *   1  the input or request was rejected (bad document, not found, refused token, server error)
 *   2  usage: unknown verb, flag or missing argument
 *   3  pilot is unreachable (or unavailable)
 */
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Extra lines printed after the message (one per issue). */
    readonly details: readonly string[] = [],
    /** The HTTP status pilot answered with, when the error is pilot's answer. */
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, verb?: string): CliError {
  const hint = verb === undefined ? 'weftctl --help' : `weftctl ${verb} --help`;
  return new CliError(`${message}\nSee '${hint}' for usage.`, EXIT_USAGE);
}

export function rejected(message: string, details: readonly string[] = []): CliError {
  return new CliError(message, EXIT_REJECTED, details);
}
