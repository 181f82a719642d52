import pino from 'pino';
import { Registry } from 'prom-client';
import type { NatsConnection } from '@nats-io/transport-node';
import { EdgeAccumulator } from '@weft/api';
import { TelemetryKeys } from '../app/telemetry-keys';
import type { BatchWriter } from './batch-writer';
import { BucketHistograms } from './bucket-histograms';
import type { IngestBatch } from './ingest-batch';
import { IngestMetrics } from './ingest.metrics';
import { ReportFolder } from './report-folder';
import { ReportIngester } from './report-ingester';

/** A writer whose Redis is away while `down` is true; records what reached it. */
class FlakyWriter {
  down = true;
  stored = 0;
  reports = 0;
  async write(batch: IngestBatch): Promise<number> {
    if (this.down) throw new Error('redis away');
    this.stored += batch.records;
    this.reports += batch.reports;
    return 0;
  }
}

function setup(maxPendingMs: number) {
  const clock = { t: 1_700_000_000_000 };
  const registry = new Registry();
  const metrics = new IngestMetrics(registry);
  const hists = new BucketHistograms('r');
  const writer = new FlakyWriter();
  const ingester = new ReportIngester(
    {} as NatsConnection,
    new ReportFolder(new TelemetryKeys('t:'), 'cluster.local', hists),
    hists,
    writer as unknown as BatchWriter,
    metrics,
    { subject: 's', flushMs: 1000, maxPendingMs, now: () => clock.t },
    pino({ level: 'silent' }),
  );
  const acc = new EdgeAccumulator({ proxy: { id: 'p', workload: 'w', namespace: 'n' }, now: () => clock.t });
  const publish = (n: number) => {
    for (let i = 0; i < n; i++) {
      acc.add({ reporter: 'destination', source: { workload: 'a', namespace: 'n', principal: null }, destination: { service: 'b', workload: null, namespace: 'n', principal: null }, protocol: 'http', responseCode: 200, grpcStatus: null, responseFlags: '-', requestBytes: 0, responseBytes: 0, connectionSecurityPolicy: 'none', durationMs: 1 });
    }
    ingester.handle(Buffer.from(JSON.stringify(acc.flush())));
  };
  const value = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values.reduce((n, v) => n + v.value, 0);
  return { clock, ingester, writer, publish, value };
}

describe('ReportIngester while Redis is away', () => {
  it('keeps failed flushes and writes them with the next one: nothing lost, nothing counted twice', async () => {
    const { ingester, writer, publish, value } = setup(60_000);
    publish(3);
    await ingester.flush();
    publish(4);
    await ingester.flush();
    expect(await value('weft_telemetry_flushes_total')).toBe(2);
    expect(await value('weft_telemetry_pending_records')).toBe(7);
    writer.down = false;
    await ingester.flush();
    expect({ stored: writer.stored, reports: writer.reports }).toEqual({ stored: 7, reports: 2 });
    expect(await value('weft_telemetry_pending_records')).toBe(0);
    expect(await value('weft_telemetry_records_lost_total')).toBe(0);
  });

  it('drops a batch Redis refused for longer than maxPendingMs, and counts what it held', async () => {
    const { clock, ingester, writer, publish, value } = setup(5_000);
    publish(5);
    await ingester.flush();
    clock.t += 6_000;
    publish(2);
    await ingester.flush();
    expect(await value('weft_telemetry_records_lost_total')).toBe(7);
    expect(await value('weft_telemetry_pending_records')).toBe(0);
    writer.down = false;
    publish(1);
    await ingester.flush();
    expect(writer.stored).toBe(1);
  });

  it('counts malformed reports by reason instead of throwing', async () => {
    const { ingester, value } = setup(5_000);
    ingester.handle(Buffer.from('{'));
    ingester.handle(Buffer.from('{"v":1}'));
    expect(await value('weft_telemetry_messages_invalid_total')).toBe(2);
  });
});
