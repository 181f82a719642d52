export * from './telemetry-subjects';
export * from './telemetry-report.schema';
export * from './zipkin-span.schema';
export * from './access-log.schema';
export * from './latency-histogram';
export * from './edge-accumulator';
export * from './tap.schema';
