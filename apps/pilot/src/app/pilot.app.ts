import { Server, ServerCredentials } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { connectNats, connectRedis } from '@weft/data-access';
import type { Logger } from '@weft/shared';
import { RegistryAdapter } from '../adapters/registry.adapter';
import { startXdsTls, type RunningXdsTls } from './xds-tls';
import type { PilotConfig } from '../config/pilot.config';
import { createPilotHttpApp, type PilotHttpApp } from '../http/pilot-http.app';
import { MeshModel } from '../model';
import { RulesChangePublisher } from '../rules/rules-change.publisher';
import { RulesMetrics } from '../rules/rules.metrics';
import { RulesRepository } from '../rules/rules.repository';
import { RulesService } from '../rules/rules.service';
import { RulesWatcher } from '../rules/rules.watcher';
import { XdsMetrics } from '../server/xds-metrics';
import { XdsServer } from '../server/xds-server';
import { ProxyStatusRpc } from '../status/proxy-status.rpc';
import { RedisSyncStatusStore } from '../status/status.store';
import { ModelProxyConfigSource } from './proxy-config.source';

export interface RunningPilot {
  readonly xdsPort: number;
  /** The mutual-TLS xDS port, or null when no CA is configured (WEFT_PILOT_CA). */
  readonly xdsTlsPort: number | null;
  readonly httpPort: number;
  readonly model: MeshModel;
  close(): Promise<void>;
}

/** How long start-up waits for the registry before serving anyway (readiness stays false until loaded). */
const REGISTRY_WAIT_MS = 10_000;

/**
 * The composition root of one pilot replica: NATS + Redis connections, the mesh model fed by the
 * registry adapter and the rules watcher, the xDS server pushing the model's changes, the status
 * store, and the HTTP edge (rules API, proxy status/config, analyze, /metrics).
 */
export async function startPilot(config: PilotConfig, log: Logger): Promise<RunningPilot> {
  const nats = await connectNats(config.natsUrl, `weft-pilot-${config.replicaId}`);
  const redis = await connectRedis(config.redisUrl, `weft-pilot-${config.replicaId}`);
  const metrics = new Registry();
  const model = new MeshModel({ trustDomain: config.trustDomain });
  const status = new RedisSyncStatusStore(redis, { prefix: config.redisPrefix, replica: config.replicaId, ttlMs: config.statusTtlMs }, log);
  await status.start();
  const xds = new XdsServer({
    provider: model.provider,
    status,
    replica: config.replicaId,
    logger: log,
    metrics: new XdsMetrics(metrics),
    debounce: { quietMs: config.debounceMs, maxMs: config.debounceMaxMs },
    trustDomain: config.trustDomain,
  });
  model.onChange((change) => xds.onMeshChange(change));

  const repo = new RulesRepository(redis, config.redisPrefix);
  const rulesMetrics = new RulesMetrics(metrics);
  const rules = new RulesService(repo, new RulesChangePublisher(nats, config.subjectPrefix, log), log, rulesMetrics);
  const watcher = new RulesWatcher(nats, repo, { subjectPrefix: config.subjectPrefix }, log, rulesMetrics);
  await watcher.start((change) => model.replaceRules(change.documents));

  const registry = new RegistryAdapter(nats, model, log.child({ component: 'registry-adapter' }), config.subjectPrefix);
  const registryLoaded = registry.start();
  await Promise.race([registryLoaded, new Promise((r) => setTimeout(r, REGISTRY_WAIT_MS).unref())]);

  const grpcServer = new Server({ 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_permit_without_calls': 1 });
  xds.addTo(grpcServer);
  const xdsPort = await bindGrpc(grpcServer, `${config.host}:${config.xdsPort}`);
  let tls: RunningXdsTls | null;
  try {
    tls = await startXdsTls(config, xds, log);
  } catch (err) {
    grpcServer.forceShutdown();
    throw err;
  }

  let http: PilotHttpApp;
  try {
    http = await createPilotHttpApp({
      rules,
      status,
      analyze: () => model.analyze(),
      proxyConfig: new ModelProxyConfigSource(model.provider),
      metrics,
      logger: log,
      replica: config.replicaId,
      token: config.token,
      rulesRevision: () => watcher.revision,
      readiness: () => {
        const checks = { registry: registry.ready, rules: watcher.revision !== null, nats: !nats.isClosed(), ...(tls === null ? {} : { certificate: tls.identity.ready }) };
        return { ready: Object.values(checks).every(Boolean), checks };
      },
    });
  } catch (err) {
    grpcServer.forceShutdown();
    tls?.close();
    throw err;
  }
  const httpPort = await http.listen(config.httpPort, config.host);
  const statusRpc = new ProxyStatusRpc(nats, status, config.subjectPrefix, log);
  await statusRpc.start();

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    xds.close();
    await statusRpc.stop();
    await new Promise<void>((r) => grpcServer.tryShutdown(() => r()));
    await tls?.close();
    await http.close();
    registry.close();
    await watcher.stop();
    await status.stop();
    await nats.drain().catch(() => undefined);
    await redis.quit().catch(() => undefined);
  };
  return {
    xdsPort,
    xdsTlsPort: tls?.port ?? null,
    httpPort,
    model,
    close: () => (closing ??= close()),
  };
}

function bindGrpc(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => (err === null ? resolve(port) : reject(err)));
  });
}
