import type { ProxySyncStatus, SyncStatusSink, TypeSyncStatus } from '../../model/xds-contract';

/** SyncStatusSink twin: keeps every update and the latest status per proxy. */
export class RecordingStatusSink implements SyncStatusSink {
  readonly updates: ProxySyncStatus[];
  readonly latest: Map<string, ProxySyncStatus>;
  readonly disconnects: { proxyId: string; replica: string }[];

  constructor() {
    this.updates = [];
    this.latest = new Map();
    this.disconnects = [];
  }

  update(status: ProxySyncStatus): void {
    this.updates.push(status);
    this.latest.set(status.proxyId, status);
  }

  disconnected(proxyId: string, replica: string): void {
    this.disconnects.push({ proxyId, replica });
    this.latest.delete(proxyId);
  }

  /** The latest status of one type of one proxy, or undefined. */
  type(proxyId: string, shortType: string): TypeSyncStatus | undefined {
    return this.latest.get(proxyId)?.types[shortType];
  }
}
