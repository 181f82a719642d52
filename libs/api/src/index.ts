export * from './label-selector';
export * from './registry';
