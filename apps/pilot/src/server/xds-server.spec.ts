import { EventEmitter } from 'node:events';
import { status as GrpcStatus, type Server } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { createLogger } from '@weft/shared';
import { waitFor } from '@weft/testing';
import { TYPE_URL, type DeltaDiscoveryRequest, type DeltaDiscoveryResponse } from '@weft/xds';
import { testNode } from './testing/ads-test-client';
import { MemoryResourceProvider } from './testing/memory-provider';
import { RecordingStatusSink } from './testing/recording-status-sink';
import { XdsMetrics } from './xds-metrics';
import { XdsServer } from './xds-server';

const EDS = TYPE_URL.clusterLoadAssignment;

/** A server-side stream without a network: requests are emitted as 'data', responses recorded. */
class FakeCall extends EventEmitter {
  readonly responses: DeltaDiscoveryResponse[] = [];
  status: { code: number; details: string } | null = null;
  ended = false;

  constructor() {
    super();
    this.on('error', (err: { code: number; details: string }) => {
      this.status = err;
      this.ended = true;
    });
  }

  write(message: DeltaDiscoveryResponse): boolean {
    this.responses.push(message);
    return true;
  }

  end(): void {
    this.ended = true;
  }

  /** A plaintext stream, as on the xDS port without TLS (grpc-js answers {} there). */
  getAuthContext(): Record<string, never> {
    return {};
  }

  request(request: DeltaDiscoveryRequest): void {
    this.emit('data', request);
  }
}

type Handler = (call: FakeCall) => void;

describe('XdsServer (streams without a network)', () => {
  let provider: MemoryResourceProvider;
  let sink: RecordingStatusSink;
  let xds: XdsServer;
  let delta: Handler;

  beforeEach(() => {
    provider = new MemoryResourceProvider();
    sink = new RecordingStatusSink();
    xds = new XdsServer({
      provider,
      status: sink,
      replica: 'pilot-0',
      logger: createLogger('pilot-test', { level: 'silent' }),
      metrics: new XdsMetrics(new Registry()),
      debounce: { quietMs: 1, maxMs: 10 },
      statusIntervalMs: 10,
    });
    const fakeServer = {
      addService: (_service: unknown, impl: Record<string, Handler>) => {
        delta = impl['DeltaAggregatedResources'] as Handler;
      },
    };
    xds.addTo(fakeServer as unknown as Server);
  });

  afterEach(() => xds.close());

  function connect(id: string, subscribe: string[]): FakeCall {
    const call = new FakeCall();
    delta(call);
    call.request({ node: testNode(id, 'weft-proxy'), type_url: EDS, resource_names_subscribe: subscribe });
    return call;
  }

  function ackAll(call: FakeCall): void {
    for (const r of call.responses) call.request({ type_url: r.type_url, response_nonce: r.nonce });
  }

  it('a change to one resource costs work for its subscribers only, among 2000 streams', async () => {
    for (let i = 0; i < 2000; i++) provider.endpoints(`svc-${i}`, ['10.0.0.1']);
    const calls = Array.from({ length: 2000 }, (_, i) => connect(`proxy-${i}`, [`svc-${i}`]));
    calls.forEach(ackAll);
    expect(xds.connections()).toBe(2000);
    const before = provider.resourceCalls;
    xds.onMeshChange(provider.endpoints('svc-42', ['10.0.0.2']));
    await waitFor(() => (calls[42]?.responses.length ?? 0) === 2, { timeoutMs: 10_000, what: 'push to proxy-42' });
    expect(provider.resourceCalls - before).toBe(1);
    expect(calls.map((c, i) => [i, c.responses.length]).filter(([, n]) => n !== 1)).toEqual([[42, 2]]);
  });

  it('a resource the provider cannot build ends that stream with INTERNAL; the others carry on', () => {
    provider.endpoints('good', ['10.0.0.1']);
    const good = connect('proxy-good', ['good']);
    const real = provider.resource.bind(provider);
    jest.spyOn(provider, 'resource').mockImplementation((typeUrl, node, name) => {
      if (name === 'bad') throw new Error('generator bug');
      return real(typeUrl, node, name);
    });
    const bad = connect('proxy-bad', ['bad']);
    expect(bad.status?.code).toBe(GrpcStatus.INTERNAL);
    expect(xds.connections()).toBe(1);
    expect(good.responses).toHaveLength(1);
  });

  it('a quick reconnect of the same proxy keeps its status when the old stream goes', async () => {
    provider.endpoints('a', ['10.0.0.1']);
    const old = connect('proxy-a', ['a']);
    const fresh = connect('proxy-a', ['a']);
    ackAll(fresh);
    old.emit('cancelled');
    expect(xds.connections()).toBe(1);
    expect(sink.disconnects).toEqual([]);
    await waitFor(() => sink.type('proxy-a', 'eds')?.state === 'SYNCED', { timeoutMs: 10_000 });
    fresh.emit('cancelled');
    expect(sink.disconnects).toEqual([{ proxyId: 'proxy-a', replica: 'pilot-0' }]);
  });

  it('status reports are throttled per stream: a burst of ACKs does not flood the sink', async () => {
    for (let i = 0; i < 50; i++) provider.endpoints(`n${i}`, ['10.0.0.1']);
    const call = new FakeCall();
    delta(call);
    call.request({ node: testNode('proxy-a', 'weft-proxy'), type_url: EDS });
    for (let i = 0; i < 50; i++) call.request({ type_url: EDS, resource_names_subscribe: [`n${i}`] });
    ackAll(call);
    await waitFor(() => sink.type('proxy-a', 'eds')?.state === 'SYNCED', { timeoutMs: 10_000 });
    expect(call.responses.length).toBe(50);
    expect(sink.updates.length).toBeLessThan(10);
  });
});
