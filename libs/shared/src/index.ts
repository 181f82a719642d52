export * from './errors';
export * from './validation';
export * from './logger';
export * from './env';
export * from './backoff';
export * from './service-main';
export * from './bearer';
