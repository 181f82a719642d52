export * from './label-selector';
export * from './registry';
export * from './pilot';
export * from './istio';
export * from './ca';
export * from './telemetry';
