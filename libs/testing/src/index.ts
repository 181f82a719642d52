export * from './wait';
export * from './harness';
export * from './process';
export * from './istio-fixtures';
export * from './private-servers';
