import type { Redis } from 'ioredis';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';
import type { MeshTotals } from './istio-exposition';

/** Mesh-wide ingest figures, the same whichever replica reads them. */
export interface MeshIngest {
  readonly reports: number;
  readonly records: number;
  readonly dropped: { readonly records: number; readonly spans: number; readonly logs: number };
  /** Reports of proxy boots below the highest number seen that never arrived (or not yet). */
  readonly missingReports: number;
  /** Proxy boots tracked for loss. */
  readonly trackedBoots: number;
}

/** Reads the cumulative totals and loss accounting every replica wrote (one pipeline). */
export class MeshMetricsRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: TelemetryKeys,
  ) {}

  async read(): Promise<{ totals: MeshTotals; ingest: MeshIngest }> {
    const k = this.keys;
    const p = this.redis.pipeline();
    for (const f of ['req', 'dur', 'reqb', 'respb', 'tcp'] as const) p.hgetall(k.totals(f));
    p.hgetall(k.mesh()).hgetall(k.seqReceived()).zrange(k.seqMax(), '0', '-1', 'WITHSCORES');
    const res = await p.exec().catch((cause: unknown) => {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'cannot read totals from Redis', { cause });
    });
    const failed = res?.find(([err]) => err !== null);
    if (res === null || failed !== undefined) {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'cannot read totals from Redis', { cause: failed?.[0] });
    }
    const v = res.map(([, value]) => value);
    const [req, dur, reqb, respb, tcp, mesh, received] = v as Record<string, string>[];
    const totals = { req, dur, reqb, respb, tcp } as MeshTotals;
    const m = (f: string) => Number(mesh?.[f] ?? 0);
    const ingest: MeshIngest = {
      reports: m('reports'),
      records: m('records'),
      dropped: { records: m('dropped.records'), spans: m('dropped.spans'), logs: m('dropped.logs') },
      ...missingReportsOf(received ?? {}, v[7] as string[]),
    };
    return { totals, ingest };
  }
}

/** Reports below each proxy boot's highest number that were never stored (ZRANGE … WITHSCORES of the maxima). */
export function missingReportsOf(received: Record<string, string>, maxWithScores: string[]): { missingReports: number; trackedBoots: number } {
  let missingReports = 0;
  let boots = 0;
  for (let i = 0; i + 1 < maxWithScores.length; i += 2) {
    const id = maxWithScores[i] as string;
    // Per boot: a report delivered twice must not hide one lost elsewhere.
    missingReports += Math.max(0, Number(maxWithScores[i + 1]) + 1 - Number(received[id] ?? 0));
    boots++;
  }
  return { missingReports, trackedBoots: boots };
}
