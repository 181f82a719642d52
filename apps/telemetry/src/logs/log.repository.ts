import type { Redis } from 'ioredis';
import type { AccessLogRecord } from '@weft/api';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';

export interface LogQuery {
  /** Destination service name; null: the whole mesh. */
  readonly service: string | null;
  /** `503` (exact) or `5xx` (class); null: any. */
  readonly status: string | null;
  /** A response flag (`UF`) the record's flags include; null: any. */
  readonly flag: string | null;
  readonly traceId: string | null;
  readonly limit: number;
}

/** The whole-mesh list keeps this many per-service lists' worth of records. */
const MESH_FACTOR = 10;

function matches(r: AccessLogRecord, q: LogQuery): boolean {
  if (q.status !== null) {
    const s = String(r.status);
    if (/^[1-5]xx$/i.test(q.status) ? s[0] !== q.status[0] : s !== q.status) return false;
  }
  if (q.flag !== null && !r.flags.split(',').includes(q.flag)) return false;
  return q.traceId === null || r.traceId === q.traceId;
}

/**
 * Recent access logs: a capped list per destination service and one for the mesh (newest first),
 * expiring `ttlS` after the last record. Queries filter the capped list in memory.
 */
export class LogRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: TelemetryKeys,
    private readonly perService: number,
    private readonly ttlS: number,
  ) {}

  async store(records: readonly AccessLogRecord[]): Promise<void> {
    if (records.length === 0) return;
    const m = this.redis.multi();
    const touched = new Map<string, number>([[this.keys.logs(null), this.perService * MESH_FACTOR]]);
    for (const r of records) {
      const json = JSON.stringify(r);
      const key = this.keys.logs(r.destination.service);
      m.lpush(key, json).lpush(this.keys.logs(null), json);
      touched.set(key, this.perService);
    }
    for (const [key, cap] of touched) m.ltrim(key, 0, cap - 1).expire(key, this.ttlS);
    const res = await m.exec().catch((cause: unknown) => {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'log store unavailable', { cause });
    });
    if (res === null || res.some(([err]) => err !== null)) throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'log store unavailable');
  }

  async query(q: LogQuery): Promise<AccessLogRecord[]> {
    const key = this.keys.logs(q.service);
    const cap = q.service === null ? this.perService * MESH_FACTOR : this.perService;
    const raw = await this.redis.lrange(key, 0, cap - 1).catch((cause: unknown) => {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'log store unavailable', { cause });
    });
    const out: AccessLogRecord[] = [];
    for (const line of raw) {
      const r = JSON.parse(line) as AccessLogRecord;
      if (matches(r, q)) out.push(r);
      if (out.length >= q.limit) break;
    }
    return out;
  }
}
