export * from './pilot-subjects';
export * from './pilot-rest.schema';
export * from './rule-kind-names';
