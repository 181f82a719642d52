import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { accessLogBatch, telemetryLogsSubject, telemetryReportsSubject, telemetrySpansSubject, zipkinSpans } from '@weft/api';
import { connectNats, connectRedis } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import type { TelemetryConfig } from '../config/telemetry.config';
import { createTelemetryHttpApp } from '../http/telemetry-http.app';
import { BatchWriter } from '../ingest/batch-writer';
import { BucketHistograms } from '../ingest/bucket-histograms';
import { IngestMetrics } from '../ingest/ingest.metrics';
import { ListConsumer } from '../ingest/list-consumer';
import { ReportFolder } from '../ingest/report-folder';
import { ReportIngester } from '../ingest/report-ingester';
import { SeriesGuard } from '../ingest/series-guard';
import { LogRepository } from '../logs/log.repository';
import { MeshMetricsRepository } from '../metrics/mesh-metrics.repository';
import { MetricsEndpoint } from '../metrics/metrics-endpoint';
import { TapHub } from '../tap/tap-hub.service';
import { TraceRepository } from '../traces/trace.repository';
import { WindowRepository } from '../windows/window.repository';
import { TelemetryKeys } from './telemetry-keys';

export interface RunningTelemetry {
  readonly httpPort: number;
  readonly ingester: ReportIngester;
  close(): Promise<void>;
}

/** The consumers of one replica: reports (folded, flushed per interval), spans and access logs. */
function consumers(config: TelemetryConfig, nats: NatsConnection, redis: Redis, keys: TelemetryKeys, metrics: IngestMetrics, log: Logger) {
  const hists = new BucketHistograms(`${config.replicaId}.${randomBytes(3).toString('hex')}`);
  const guard = new SeriesGuard(config.maxSeries);
  const ingester = new ReportIngester(
    nats,
    new ReportFolder(keys, config.meshDomain, hists, guard),
    hists,
    new BatchWriter(redis, keys),
    metrics,
    { subject: telemetryReportsSubject(config.subjectPrefix), flushMs: config.flushMs, maxPendingMs: config.maxPendingMs, guard },
    log,
  );
  const traces = new TraceRepository(redis, keys, config.traceTtlS);
  const logs = new LogRepository(redis, keys, config.logsPerService, config.logTtlS);
  const spans = new ListConsumer(nats, telemetrySpansSubject(config.subjectPrefix), 'spans', zipkinSpans, (s) => traces.store(s), metrics, log);
  const accessLogs = new ListConsumer(nats, telemetryLogsSubject(config.subjectPrefix), 'logs', accessLogBatch, (r) => logs.store(r), metrics, log);
  return { ingester, traces, logs, spans, accessLogs };
}

/**
 * The composition root of one telemetry replica: NATS queue-group consumers (reports, spans, logs),
 * the in-memory fold flushed to Redis, and the HTTP edge reading Redis. No prom-client default metrics.
 */
export async function startTelemetry(config: TelemetryConfig, log: Logger): Promise<RunningTelemetry> {
  const nats = await connectNats(config.natsUrl, `weft-telemetry-${config.replicaId}`);
  const redis = await connectRedis(config.redisUrl, `weft-telemetry-${config.replicaId}`);
  const keys = new TelemetryKeys(config.redisPrefix);
  const registry = new Registry();
  const metrics = new IngestMetrics(registry);
  const { ingester, traces, logs, spans, accessLogs } = consumers(config, nats, redis, keys, metrics, log);
  const tap = new TapHub(nats, { subjectPrefix: config.subjectPrefix }, registry, log);
  const http = await createTelemetryHttpApp({
    windows: new WindowRepository(redis, keys),
    metrics: new MetricsEndpoint(new MeshMetricsRepository(redis, keys), registry),
    ingestMetrics: metrics,
    traces,
    logs,
    tap,
    logger: log,
    replica: config.replicaId,
    token: config.token,
    readiness: () => {
      const checks = { nats: !nats.isClosed(), redis: redis.status === 'ready' };
      return { ready: checks.nats && checks.redis, checks };
    },
  }, { nats, redis, keys, subjectPrefix: config.subjectPrefix });
  const httpPort = await http.listen(config.httpPort, config.host);
  ingester.start();
  spans.start();
  accessLogs.start();
  await nats.flush();

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    tap.close();
    await Promise.all([ingester.stop(), spans.stop(), accessLogs.stop()]);
    await http.close();
    await nats.drain().catch(() => undefined);
    await redis.quit().catch(() => undefined);
  };
  return { httpPort, ingester, close: () => (closing ??= close()) };
}
