export * from './ads-service';
export * from './proto-root';
export * from './resource-codec';
export * from './type-urls';
