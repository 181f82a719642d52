import pino from 'pino';
import { Registry } from 'prom-client';
import type { TestInfra } from '@weft/testing';
import { createPilotHttpApp, type PilotHttpApp } from '../../src/http/pilot-http.app';
import type { AnalysisMessage, ProxyConfigSource } from '../../src/http/pilot-http.deps';
import { RulesChangePublisher } from '../../src/rules/rules-change.publisher';
import { RulesMetrics } from '../../src/rules/rules.metrics';
import { RulesRepository } from '../../src/rules/rules.repository';
import { RulesService } from '../../src/rules/rules.service';
import { RedisSyncStatusStore } from '../../src/status/status.store';

export const silentLogger = pino({ level: process.env['WEFT_TEST_LOG_LEVEL'] ?? 'silent' });

/** Pilot's HTTP edge over the suite's real Redis + NATS, on 127.0.0.1 port 0, as the integrator wires it. */
export interface PilotHttpHarness {
  readonly url: string;
  readonly port: number;
  readonly http: PilotHttpApp;
  readonly rules: RulesService;
  readonly repo: RulesRepository;
  readonly status: RedisSyncStatusStore;
  readonly metrics: Registry;
  /** What `GET /v1/analyze` answers (the model's analyze() in production). */
  analysis: AnalysisMessage[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly replica?: string;
  readonly token?: string;
  readonly proxyConfig?: ProxyConfigSource;
}

export async function startPilotHttp(infra: TestInfra, o: HarnessOptions = {}): Promise<PilotHttpHarness> {
  const replica = o.replica ?? 'pilot-test';
  const metrics = new Registry();
  const repo = new RulesRepository(infra.redis, infra.redisPrefix);
  const publisher = new RulesChangePublisher(infra.nats, infra.subjectPrefix, silentLogger);
  const rules = new RulesService(repo, publisher, silentLogger, new RulesMetrics(metrics));
  const status = new RedisSyncStatusStore(infra.redis, { prefix: infra.redisPrefix, replica, ttlMs: 5000, flushMs: 5 }, silentLogger);
  await status.start();
  const harness = { analysis: [] as AnalysisMessage[] };
  const http = await createPilotHttpApp({
    rules,
    status,
    analyze: () => harness.analysis,
    proxyConfig: o.proxyConfig ?? { config: () => [] },
    metrics,
    logger: silentLogger,
    replica,
    token: o.token,
    rulesRevision: () => null,
  });
  const port = await http.listen(0, '127.0.0.1');
  return Object.assign(harness, {
    url: `http://127.0.0.1:${port}`,
    port,
    http,
    rules,
    repo,
    status,
    metrics,
    async close() {
      await http.close();
      await status.stop();
    },
  });
}
