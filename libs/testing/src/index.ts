export * from './wait';
export * from './harness';
