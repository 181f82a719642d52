export * from './registry.schema';
export * from './registry-requests.schema';
export * from './registry-events.schema';
export * from './registry-subjects';
export * from './registry-proto';
