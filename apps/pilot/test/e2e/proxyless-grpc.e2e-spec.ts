import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type Client,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { register as registerXdsResolver } from '@grpc/grpc-js-xds';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { startPilot, startRegistry, weftctl, type PilotProcess, type Running } from './mesh-harness';

/**
 * A proxyless gRPC client (@grpc/grpc-js with @grpc/grpc-js-xds, bootstrap pointing at pilot) resolves
 * `xds:///echo.grpcmesh.svc.cluster.local:50051` to the registry's endpoints and follows a weighted
 * VirtualService split over DestinationRule subsets — no sidecar involved.
 */
const NS = 'grpcmesh';
const HOST = `echo.${NS}.svc.cluster.local`;
const SERVICE_PORT = 50051;
const identity = (b: Buffer): Buffer => b;
const ECHO: ServiceDefinition = {
  Echo: {
    path: '/weft.test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

async function echoServer(version: string): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(ECHO, { Echo: (_call: unknown, cb: (e: null, r: Buffer) => void) => cb(null, Buffer.from(version)) });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { server, port };
}

function echo(client: Client): Promise<string> {
  return new Promise((resolve, reject) => {
    (client as unknown as { Echo: (req: Buffer, cb: (e: ServiceError | null, r?: Buffer) => void) => void }).Echo(Buffer.alloc(0), (err, res) =>
      err !== null ? reject(err) : resolve(res?.toString() ?? ''),
    );
  });
}

function rules(v1: number, v2: number): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo, namespace: ${NS} }
spec:
  host: echo
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo, namespace: ${NS} }
spec:
  hosts: [echo]
  http:
  - route:
    - { destination: { host: echo, subset: v1 }, weight: ${v1} }
    - { destination: { host: echo, subset: v2 }, weight: ${v2} }
`;
}

describe('proxyless gRPC through pilot (end to end)', () => {
  let infra: TestInfra;
  let registry: Running & { base: string };
  let pilot: PilotProcess;
  const servers: Server[] = [];
  let client: Client | null = null;

  beforeAll(async () => {
    infra = await createTestInfra('proxyless');
    registry = await startRegistry(infra);
    pilot = await startPilot(infra, 'pilot-grpc');
    const put = await fetch(`${registry.base}/v1/namespaces/${NS}/services/echo`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: NS, name: 'echo', ports: [{ name: 'grpc', number: SERVICE_PORT, protocol: 'grpc' }] }),
    });
    expect(put.status).toBeLessThan(300);
    for (const version of ['v1', 'v2']) {
      const { server, port } = await echoServer(version);
      servers.push(server);
      const res = await fetch(`${registry.base}/v1/namespaces/${NS}/services/echo/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `echo-${version}`, address: '127.0.0.1', ports: { grpc: port }, labels: { app: 'echo', version }, ttlSeconds: null }),
      });
      expect(res.status).toBeLessThan(300);
    }
    const applied = await weftctl(pilot.http, ['apply', '-f', '-'], rules(90, 10));
    expect(applied).toMatchObject({ code: 0 });
    process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = JSON.stringify({
      xds_servers: [{ server_uri: pilot.xds, channel_creds: [{ type: 'insecure' }], server_features: ['ignore_resource_deletion'] }],
      node: { id: 'proxyless~127.0.0.1~echo-client.grpcmesh', cluster: 'echo-client', locality: {}, metadata: { NAMESPACE: NS } },
    });
    registerXdsResolver();
  });

  afterAll(async () => {
    client?.close();
    for (const s of servers) s.forceShutdown();
    await pilot?.proc.kill('SIGTERM');
    await registry?.proc.kill('SIGTERM');
    await infra?.close();
  });

  it('resolves xds:///echo to the registry endpoints and follows the 90/10 split', async () => {
    const Ctor = makeGenericClientConstructor(ECHO, 'Echo');
    client = new Ctor(`xds:///${HOST}:${SERVICE_PORT}`, credentials.createInsecure());
    await waitFor(() => echo(client as Client).then(() => true, () => false), { timeoutMs: 20_000, what: 'the first call through xDS' });
    const counts = new Map<string, number>();
    const N = 1000;
    for (let i = 0; i < N; i++) {
      const v = await echo(client);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    // Binomial(1000, 0.1): sd ≈ 9.5 calls; ±3 % of the calls is > 3 sd.
    expect(Math.abs((counts.get('v2') ?? 0) / N - 0.1)).toBeLessThanOrEqual(0.03);
    expect((counts.get('v1') ?? 0) + (counts.get('v2') ?? 0)).toBe(N);
  });

  it('follows a change of the split pushed by pilot (90/10 → 0/100) without failed calls', async () => {
    const c = client as Client;
    const applied = await weftctl(pilot.http, ['apply', '-f', '-'], rules(0, 100));
    expect(applied).toMatchObject({ code: 0 });
    const failures: unknown[] = [];
    // Calls keep flowing while the update arrives; every one must succeed.
    await waitFor(
      async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => echo(c).catch((e: unknown) => (failures.push(e), 'failed'))));
        return results.every((v) => v === 'v2');
      },
      { timeoutMs: 20_000, what: 'every call to reach v2' },
    );
    expect(failures).toEqual([]);
  });
});
