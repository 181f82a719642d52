export * from './ca-subjects';
export * from './ca.schema';
