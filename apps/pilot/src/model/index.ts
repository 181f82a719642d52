export { MeshModel, type MeshModelOptions, type MeshModelStats, type ServiceState } from './mesh-model';
export type { AnalysisMessage } from './analyze';
export * from './xds-contract';
export * from './resource-names';
export { parseAuthority, qualifyHost, serviceFqdn } from './host-names';
