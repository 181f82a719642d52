export * from './model/config-model';
export * from './lb/types';
