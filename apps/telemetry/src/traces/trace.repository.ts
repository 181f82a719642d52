import type { ChainableCommander, Redis } from 'ioredis';
import type { ZipkinSpan } from '@weft/api';
import type { TelemetryKeys } from '../app/telemetry-keys';
import { TELEMETRY_ERRORS, telemetryError } from '../app/telemetry-errors';

export interface TraceQuery {
  readonly serviceName: string | null;
  readonly limit: number;
  /** Milliseconds before endTs. */
  readonly lookback: number;
  /** Epoch milliseconds. */
  readonly endTs: number;
}

function spanMs(s: ZipkinSpan, now: number): number {
  return s.timestamp === undefined ? now : Math.floor(s.timestamp / 1000);
}

function servicesOf(s: ZipkinSpan): string[] {
  const out: string[] = [];
  if (s.localEndpoint?.serviceName) out.push(s.localEndpoint.serviceName.toLowerCase());
  return out;
}

/**
 * Traces in Redis, kept `ttlS` after their last span: a list of span JSON per trace id, and trace ids
 * indexed by time (all, and per local service name) for the Zipkin v2 query API.
 */
export class TraceRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: TelemetryKeys,
    private readonly ttlS: number,
  ) {}

  async store(spans: readonly ZipkinSpan[], now = Date.now()): Promise<void> {
    const byTrace = new Map<string, ZipkinSpan[]>();
    for (const s of spans) {
      const list = byTrace.get(s.traceId);
      if (list === undefined) byTrace.set(s.traceId, [s]);
      else list.push(s);
    }
    const m = this.redis.multi();
    const indexes = new Set<string>([this.keys.traceIndex(null)]);
    for (const [traceId, list] of byTrace) {
      const key = this.keys.trace(traceId);
      m.rpush(key, ...list.map((s) => JSON.stringify(s))).expire(key, this.ttlS);
      const at = Math.max(...list.map((s) => spanMs(s, now)));
      m.zadd(this.keys.traceIndex(null), 'GT', at, traceId);
      for (const svc of new Set(list.flatMap(servicesOf))) {
        m.zadd(this.keys.traceIndex(svc), 'GT', at, traceId).zadd(this.keys.traceServices(), 'GT', now, svc);
        indexes.add(this.keys.traceIndex(svc));
      }
    }
    this.indexNames(m, spans, now, indexes);
    const oldest = now - this.ttlS * 1000;
    for (const idx of [...indexes, this.keys.traceServices()]) m.zremrangebyscore(idx, '-inf', `(${oldest}`).expire(idx, this.ttlS);
    await this.exec(m);
  }

  /** Span names and remote service names per local service (Zipkin's `/spans`, `/remoteServices`). */
  private indexNames(m: ChainableCommander, spans: readonly ZipkinSpan[], now: number, indexes: Set<string>): void {
    for (const s of spans) {
      const local = s.localEndpoint?.serviceName?.toLowerCase();
      if (local === undefined || local === '') continue;
      const remote = s.remoteEndpoint?.serviceName?.toLowerCase();
      if (s.name !== undefined && s.name !== '') {
        m.zadd(this.keys.traceNames('names', local), now, s.name.toLowerCase());
        indexes.add(this.keys.traceNames('names', local));
      }
      if (remote !== undefined && remote !== '') {
        m.zadd(this.keys.traceNames('remote', local), now, remote);
        indexes.add(this.keys.traceNames('remote', local));
      }
    }
  }

  /** Span names (`names`) or remote services (`remote`) of a service seen within the TTL, sorted. */
  async names(kind: 'names' | 'remote', service: string, now = Date.now()): Promise<string[]> {
    const names = await this.redis.zrangebyscore(this.keys.traceNames(kind, service.toLowerCase()), now - this.ttlS * 1000, '+inf');
    return names.sort();
  }

  async services(now = Date.now()): Promise<string[]> {
    const names = await this.redis.zrangebyscore(this.keys.traceServices(), now - this.ttlS * 1000, '+inf');
    return names.sort();
  }

  async traces(q: TraceQuery): Promise<ZipkinSpan[][]> {
    const index = this.keys.traceIndex(q.serviceName === null ? null : q.serviceName.toLowerCase());
    const ids = await this.redis.zrevrangebyscore(index, q.endTs, q.endTs - q.lookback, 'LIMIT', 0, q.limit);
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.lrange(this.keys.trace(id), 0, -1);
    const res = (await this.exec(p)) as string[][];
    return res.map(parseSpans).filter((t) => t.length > 0);
  }

  /** The spans of a trace (empty when unknown or expired). */
  async trace(traceId: string): Promise<ZipkinSpan[]> {
    return parseSpans(await this.redis.lrange(this.keys.trace(traceId.toLowerCase()), 0, -1));
  }

  private async exec(m: ChainableCommander): Promise<unknown[]> {
    const res = await m.exec().catch((cause: unknown) => {
      throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'trace store unavailable', { cause });
    });
    const failed = res?.find(([err]) => err !== null);
    if (res === null || failed !== undefined) throw telemetryError(TELEMETRY_ERRORS.storeUnavailable, 'unavailable', 'trace store unavailable', { cause: failed?.[0] });
    return res.map(([, v]) => v);
  }
}

/** Stored span JSON → spans, identical duplicates (a re-sent batch) once. */
function parseSpans(raw: readonly string[]): ZipkinSpan[] {
  return [...new Set(raw)].map((s) => JSON.parse(s) as ZipkinSpan);
}
