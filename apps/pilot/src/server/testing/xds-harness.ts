import { Server, ServerCredentials } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { createLogger } from '@weft/shared';
import { XdsMetrics } from '../xds-metrics';
import { XdsServer } from '../xds-server';
import { AdsTestClient } from './ads-test-client';
import { MemoryResourceProvider } from './memory-provider';
import { RecordingStatusSink } from './recording-status-sink';

/** An XdsServer on a real grpc-js server (127.0.0.1, port 0) with in-memory twins and a raw client. */
export interface XdsHarness {
  readonly xds: XdsServer;
  readonly provider: MemoryResourceProvider;
  readonly sink: RecordingStatusSink;
  readonly registry: Registry;
  readonly client: AdsTestClient;
  readonly server: Server;
  readonly address: string;
  close(): void;
}

export async function startXdsHarness(): Promise<XdsHarness> {
  const provider = new MemoryResourceProvider();
  const sink = new RecordingStatusSink();
  const registry = new Registry();
  const xds = new XdsServer({
    provider,
    status: sink,
    replica: 'pilot-0',
    logger: createLogger('pilot-test', { level: 'silent' }),
    metrics: new XdsMetrics(registry),
    debounce: { quietMs: 5, maxMs: 50 },
    statusIntervalMs: 20,
  });
  const server = new Server();
  xds.addTo(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err))),
  );
  const address = `127.0.0.1:${port}`;
  const client = new AdsTestClient(address);
  return {
    xds,
    provider,
    sink,
    registry,
    server,
    address,
    client,
    close: () => {
      xds.close();
      client.close();
      server.forceShutdown();
    },
  };
}
