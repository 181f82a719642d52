export * from './connections';
export * from './data-access.module';
export * from './nest-logger';
export * from './leader-lease';
export * from './nats-rpc';
