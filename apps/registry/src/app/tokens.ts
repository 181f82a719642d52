/** Injection token of the replica's root pino logger. */
export const LOGGER = Symbol('LOGGER');
