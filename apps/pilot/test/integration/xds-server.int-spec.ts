import { status as GrpcStatus } from '@grpc/grpc-js';
import { Collector, waitFor } from '@weft/testing';
import { TYPE_URL, type DeltaDiscoveryRequest, type DiscoveryRequest, type TypeUrl } from '@weft/xds';
import { register as registerXdsResolver } from '@grpc/grpc-js-xds';
import { AdsSession } from '../../src/server/testing/ads-session';
import { AdsTestClient, deltaNames, removedNames, sotwNames, testNode, type DeltaResponse, type SotwResponse, type StreamEnd } from '../../src/server/testing/ads-test-client';
import { serveProxylessTarget } from '../../src/server/testing/proxyless-resources';
import { startXdsHarness, type XdsHarness } from '../../src/server/testing/xds-harness';

const LDS = TYPE_URL.listener;
const RDS = TYPE_URL.routeConfiguration;
const CDS = TYPE_URL.cluster;
const EDS = TYPE_URL.clusterLoadAssignment;

const WAIT = { timeoutMs: 10_000 };

type Harness = XdsHarness;
type DeltaSession = AdsSession<DeltaDiscoveryRequest, DeltaResponse>;
type SotwSession = AdsSession<DiscoveryRequest, SotwResponse>;

function collectors<T>(): { got: Collector<T>; ended: Collector<StreamEnd>; timeoutMs: number } {
  return { got: new Collector<T>(), ended: new Collector<StreamEnd>(), timeoutMs: WAIT.timeoutMs };
}

function deltaSession(h: Harness, id: string, userAgent = 'weft-proxy'): DeltaSession {
  return new AdsSession((r, e) => h.client.delta(r, e), testNode(id, userAgent, { NAMESPACE: 'shop' }), collectors<DeltaResponse>());
}

function sotwSession(h: Harness, id: string, userAgent = 'gRPC Node Pure JS'): SotwSession {
  return new AdsSession((r, e) => h.client.sotw(r, e), testNode(id, userAgent), collectors<SotwResponse>());
}

const isType = (typeUrl: TypeUrl) => (r: { type_url: string }) => r.type_url === typeUrl;
const carries = (typeUrl: TypeUrl, name: string) => (r: DeltaResponse) => r.type_url === typeUrl && deltaNames(r).includes(name);

function ack(s: DeltaSession, r: DeltaResponse): void {
  s.send({ type_url: r.type_url, response_nonce: r.nonce });
}

function sotwAck(s: SotwSession, r: SotwResponse, names: string[]): void {
  s.send({ type_url: r.type_url, response_nonce: r.nonce, version_info: r.version_info ?? '', resource_names: names });
}

async function metric(h: Harness, line: string): Promise<string> {
  return waitFor(async () => (await h.registry.metrics()).split('\n').find((l) => l.startsWith(line)), { ...WAIT, what: line });
}

describe('XdsServer over gRPC', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startXdsHarness();
  });

  afterEach(() => h.close());

  describe('delta ADS', () => {
    it('wildcard LDS: the first empty request gets every listener; ACK → SYNCED', async () => {
      h.provider.listener('outbound', 15001);
      h.provider.listener('inbound', 15006);
      const s = deltaSession(h, 'proxy-a');
      s.send({ type_url: LDS });
      const first = await s.next(isType(LDS), 'LDS response');
      expect(deltaNames(first)).toEqual(['inbound', 'outbound']);
      expect(first.resources?.[0]?.version).toBe(h.provider.version(LDS, first.resources?.[0]?.name ?? ''));
      ack(s, first);
      const status = await waitFor(() => (h.sink.type('proxy-a', 'lds')?.state === 'SYNCED' ? h.sink.latest.get('proxy-a') : null), WAIT);
      expect(status).toMatchObject({ replica: 'pilot-0', protocol: 'delta', node: { kind: 'weft', namespace: 'shop' } });
      expect(status.types['lds']?.subscribed).toEqual(['*']);
      expect(Object.keys(status.types['lds']?.acked ?? {}).sort()).toEqual(['inbound', 'outbound']);
    });

    it('explicit CDS/EDS subscriptions; an unknown name is answered as removed at once', async () => {
      h.provider.cluster('outbound|80||reviews.shop');
      h.provider.endpoints('outbound|80||reviews.shop', ['10.0.0.1']);
      const s = deltaSession(h, 'proxy-a');
      s.send({ type_url: CDS, resource_names_subscribe: ['outbound|80||reviews.shop', 'outbound|80||ghost.shop'] });
      const cds = await s.next(isType(CDS), 'CDS response');
      expect(deltaNames(cds)).toEqual(['outbound|80||reviews.shop']);
      expect(removedNames(cds)).toEqual(['outbound|80||ghost.shop']);
      s.send({ type_url: EDS, resource_names_subscribe: ['outbound|80||reviews.shop'] });
      expect(deltaNames(await s.next(isType(EDS), 'EDS response'))).toEqual(['outbound|80||reviews.shop']);
    });

    it('a change reaches only its subscribers: the other client receives nothing', async () => {
      h.provider.endpoints('a', ['10.0.0.1']);
      h.provider.endpoints('b', ['10.0.1.1']);
      const one = deltaSession(h, 'proxy-1');
      const two = deltaSession(h, 'proxy-2');
      one.send({ type_url: EDS, resource_names_subscribe: ['a'] });
      two.send({ type_url: EDS, resource_names_subscribe: ['b'] });
      ack(one, await one.next(carries(EDS, 'a'), 'a to proxy-1'));
      ack(two, await two.next(carries(EDS, 'b'), 'b to proxy-2'));
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.2']));
      const pushed = await one.next(carries(EDS, 'a'), 'pushed a');
      expect(pushed.resources?.[0]?.version).toBe(h.provider.version(EDS, 'a'));
      // A later change proxy-2 does watch: once it arrives, the earlier one would have too.
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.1.2']));
      await two.next(carries(EDS, 'b'), 'pushed b');
      expect(two.all(EDS).flatMap(deltaNames)).toEqual(['b', 'b']);
      expect(one.all(EDS).flatMap(deltaNames)).toEqual(['a', 'a']);
    });

    it('never resends an unchanged resource', async () => {
      h.provider.endpoints('a', ['10.0.0.1']);
      h.provider.endpoints('b', ['10.0.1.1']);
      const s = deltaSession(h, 'proxy-a');
      s.send({ type_url: EDS, resource_names_subscribe: ['a', 'b'] });
      ack(s, await s.next(isType(EDS), 'initial EDS'));
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.1'])); // same content, same version
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.1.9']));
      const pushed = await s.next(isType(EDS), 'b pushed');
      expect(deltaNames(pushed)).toEqual(['b']);
      expect(s.all(EDS)).toHaveLength(2);
    });

    it('NACK: status NACK with the message, counted, and the rejected version is not resent', async () => {
      h.provider.endpoints('a', ['10.0.0.1']);
      h.provider.endpoints('b', ['10.0.1.1']);
      const s = deltaSession(h, 'proxy-a');
      s.send({ type_url: EDS, resource_names_subscribe: ['a', 'b'] });
      ack(s, await s.next(isType(EDS), 'initial EDS'));
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.2']));
      const bad = await s.next(carries(EDS, 'a'), 'a pushed');
      s.send({ type_url: EDS, response_nonce: bad.nonce, error_detail: { code: 3, message: 'endpoint rejected' } });
      const eds = await waitFor(() => (h.sink.type('proxy-a', 'eds')?.state === 'NACK' ? h.sink.type('proxy-a', 'eds') : null), WAIT);
      expect(eds.error).toBe('endpoint rejected');
      expect(await metric(h, 'weft_pilot_xds_nacks_total{type="eds"}')).toMatch(/ 1$/);
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.2'])); // the rejected content again
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.1.2']));
      expect(deltaNames(await s.next(isType(EDS), 'b pushed'))).toEqual(['b']);
      expect(s.all(EDS).filter((r) => deltaNames(r).includes('a'))).toHaveLength(2);
    });

    it('unsubscribe: no more updates for the name', async () => {
      h.provider.endpoints('a', ['10.0.0.1']);
      h.provider.endpoints('b', ['10.0.1.1']);
      const s = deltaSession(h, 'proxy-a');
      s.send({ type_url: EDS, resource_names_subscribe: ['a', 'b'] });
      ack(s, await s.next(isType(EDS), 'initial EDS'));
      s.send({ type_url: EDS, resource_names_unsubscribe: ['a'] });
      await waitFor(() => h.sink.type('proxy-a', 'eds')?.subscribed.join() === 'b', WAIT);
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.3']));
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.1.3']));
      expect(deltaNames(await s.next(isType(EDS), 'b pushed'))).toEqual(['b']);
      expect(s.all(EDS)).toHaveLength(2);
    });

    it('reconnect with initial_resource_versions: only what differs is sent, what vanished is removed', async () => {
      for (const name of ['a', 'b', 'c']) h.provider.cluster(name);
      const before = { a: h.provider.version(CDS, 'a') ?? '', b: h.provider.version(CDS, 'b') ?? '', c: h.provider.version(CDS, 'c') ?? '' };
      h.xds.onMeshChange(h.provider.cluster('b', 5));
      h.xds.onMeshChange(h.provider.delete(CDS, 'c'));
      h.provider.cluster('d');
      const s = deltaSession(h, 'proxy-a');
      s.send({ type_url: CDS, initial_resource_versions: before });
      const r = await s.next(isType(CDS), 'CDS after reconnect');
      expect(deltaNames(r)).toEqual(['b', 'd']);
      expect(removedNames(r)).toEqual(['c']);
    });

    it('coalesces changes for a stream whose push is unacknowledged into its next push', async () => {
      for (const name of ['a', 'b', 'c']) h.provider.endpoints(name, ['10.0.0.1']);
      const s = deltaSession(h, 'proxy-a');
      s.send({ type_url: EDS, resource_names_subscribe: ['a', 'b', 'c'] });
      ack(s, await s.next(isType(EDS), 'initial EDS'));
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.2']));
      const first = await s.next(carries(EDS, 'a'), 'a pushed');
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.0.2']));
      h.xds.flush();
      h.xds.onMeshChange(h.provider.endpoints('c', ['10.0.0.2']));
      h.xds.flush();
      ack(s, first);
      const merged = await s.next(isType(EDS), 'merged push');
      expect(deltaNames(merged)).toEqual(['b', 'c']);
      ack(s, merged);
      await waitFor(() => h.sink.type('proxy-a', 'eds')?.state === 'SYNCED', WAIT);
      expect(await metric(h, 'weft_pilot_push_convergence_seconds_count{type="eds"}')).toMatch(/ [1-9]\d*$/);
    });

    it('wildcard CDS: a new cluster is added and a deleted one removed', async () => {
      h.provider.cluster('a');
      h.provider.cluster('b');
      const s = deltaSession(h, 'proxy-a', 'envoy');
      s.send({ type_url: CDS });
      ack(s, await s.next(isType(CDS), 'initial CDS'));
      h.xds.onMeshChange(h.provider.cluster('c'));
      h.xds.onMeshChange(h.provider.delete(CDS, 'a'));
      const r = await s.next(isType(CDS), 'CDS push');
      expect(deltaNames(r)).toEqual(['c']);
      expect(removedNames(r)).toEqual(['a']);
    });
  });

  describe('State of the World ADS', () => {
    it('gRPC-style explicit names: LDS then RDS, version_info and nonces, ACK → SYNCED', async () => {
      h.provider.listener('echo.ns:50051', 50051);
      h.provider.listener('other.ns:80', 80);
      h.provider.route('echo.ns:50051', 'outbound|50051||echo.ns');
      const s = sotwSession(h, 'grpc-client');
      s.send({ type_url: LDS, resource_names: ['echo.ns:50051'] });
      const lds = await s.next(isType(LDS), 'LDS');
      expect(sotwNames(lds)).toEqual(['echo.ns:50051']);
      expect(lds.version_info).not.toBe('');
      expect(lds.nonce).not.toBe('');
      sotwAck(s, lds, ['echo.ns:50051']);
      s.send({ type_url: RDS, resource_names: ['echo.ns:50051'] });
      const rds = await s.next(isType(RDS), 'RDS');
      expect(sotwNames(rds)).toEqual(['echo.ns:50051']);
      expect(rds.nonce).not.toBe(lds.nonce);
      sotwAck(s, rds, ['echo.ns:50051']);
      const status = await waitFor(
        () => (h.sink.type('grpc-client', 'rds')?.state === 'SYNCED' && h.sink.type('grpc-client', 'lds')?.state === 'SYNCED' ? h.sink.latest.get('grpc-client') : null),
        WAIT,
      );
      expect(status).toMatchObject({ protocol: 'sotw', node: { kind: 'grpc' } });
    });

    it('LDS/CDS carry every resource; a deleted one is absent; an ACK gets no response', async () => {
      h.provider.cluster('a');
      h.provider.cluster('b');
      const s = sotwSession(h, 'envoy-1', 'envoy');
      s.send({ type_url: CDS });
      const first = await s.next(isType(CDS), 'CDS');
      expect(sotwNames(first)).toEqual(['a', 'b']);
      sotwAck(s, first, []);
      h.xds.onMeshChange(h.provider.cluster('a', 3));
      const second = await s.next(isType(CDS), 'CDS push');
      expect(sotwNames(second)).toEqual(['a', 'b']);
      expect(second.version_info).not.toBe(first.version_info);
      sotwAck(s, second, []);
      h.xds.onMeshChange(h.provider.delete(CDS, 'b'));
      expect(sotwNames(await s.next(isType(CDS), 'CDS after delete'))).toEqual(['a']);
      expect(s.all(CDS)).toHaveLength(3);
    });

    it('EDS: only requested names, only the changed one on push', async () => {
      for (const name of ['a', 'b', 'c']) h.provider.endpoints(name, ['10.0.0.1']);
      const s = sotwSession(h, 'grpc-client');
      s.send({ type_url: EDS, resource_names: ['a', 'b'] });
      const first = await s.next(isType(EDS), 'EDS');
      expect(sotwNames(first)).toEqual(['a', 'b']);
      sotwAck(s, first, ['a', 'b']);
      h.xds.onMeshChange(h.provider.endpoints('c', ['10.0.0.2']));
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.0.2']));
      expect(sotwNames(await s.next(isType(EDS), 'EDS push'))).toEqual(['b']);
    });

    it('ignores a request with a stale nonce', async () => {
      h.provider.endpoints('a', ['10.0.0.1']);
      h.provider.endpoints('b', ['10.0.0.1']);
      const s = sotwSession(h, 'grpc-client');
      s.send({ type_url: EDS, resource_names: ['a'] });
      const first = await s.next(isType(EDS), 'EDS');
      sotwAck(s, first, ['a']);
      s.send({ type_url: EDS, response_nonce: 'stale-nonce', resource_names: ['a', 'b'] });
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.2']));
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.0.2']));
      expect(sotwNames(await s.next(isType(EDS), 'EDS push'))).toEqual(['a']);
    });

    it('NACK keeps state: status NACK, the rejected version is not resent', async () => {
      h.provider.endpoints('a', ['10.0.0.1']);
      h.provider.endpoints('b', ['10.0.0.1']);
      const s = sotwSession(h, 'grpc-client');
      s.send({ type_url: EDS, resource_names: ['a', 'b'] });
      const first = await s.next(isType(EDS), 'EDS');
      sotwAck(s, first, ['a', 'b']);
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.2']));
      const bad = await s.next(isType(EDS), 'EDS push');
      s.send({ type_url: EDS, response_nonce: bad.nonce, version_info: first.version_info, resource_names: ['a', 'b'], error_detail: { code: 14, message: 'xDS response validation errors: [a]' } });
      const eds = await waitFor(() => (h.sink.type('grpc-client', 'eds')?.state === 'NACK' ? h.sink.type('grpc-client', 'eds') : null), WAIT);
      expect(eds.error).toContain('validation errors');
      h.xds.onMeshChange(h.provider.endpoints('a', ['10.0.0.2']));
      h.xds.onMeshChange(h.provider.endpoints('b', ['10.0.0.2']));
      expect(sotwNames(await s.next(isType(EDS), 'b pushed'))).toEqual(['b']);
    });
  });

  describe('streams', () => {
    it('a first request without a node is refused with INVALID_ARGUMENT', async () => {
      const ended = new Collector<StreamEnd>();
      const stream = h.client.delta(() => undefined, ended.push);
      stream.send({ type_url: LDS });
      const [end] = await ended.count(1, WAIT);
      expect(end?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    });

    it('close() ends every stream with UNAVAILABLE and reports the proxies disconnected', async () => {
      h.provider.listener('outbound', 15001);
      const d = deltaSession(h, 'proxy-a');
      const s = sotwSession(h, 'grpc-client');
      d.send({ type_url: LDS });
      s.send({ type_url: LDS, resource_names: ['outbound'] });
      await d.next(isType(LDS), 'delta LDS');
      await s.next(isType(LDS), 'sotw LDS');
      expect(h.xds.connections()).toBe(2);
      expect(await metric(h, 'weft_pilot_xds_connected_proxies{protocol="delta"}')).toMatch(/ 1$/);
      h.xds.close();
      expect((await d.ended.count(1, WAIT))[0]?.code).toBe(GrpcStatus.UNAVAILABLE);
      expect((await s.ended.count(1, WAIT))[0]?.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(h.xds.connections()).toBe(0);
      expect(h.sink.disconnects.map((d) => d.proxyId).sort()).toEqual(['grpc-client', 'proxy-a']);
    });

    it('a client that goes away is forgotten', async () => {
      h.provider.listener('outbound', 15001);
      const d = deltaSession(h, 'proxy-a');
      d.send({ type_url: LDS });
      await d.next(isType(LDS), 'LDS');
      d.stream.cancel();
      await waitFor(() => h.xds.connections() === 0 && h.sink.disconnects.length === 1, WAIT);
    });
  });

  describe('@grpc/grpc-js-xds client (proxyless smoke)', () => {
    it('resolves xds:///<authority> through LDS, RDS, CDS and EDS from pilot, and its call reaches the endpoint', async () => {
      const port = Number(h.address.split(':')[1]);
      const authority = `pilot.test:${port}`;
      serveProxylessTarget(h.provider, authority, { ip: '127.0.0.1', port }); // the endpoint is pilot itself
      process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = JSON.stringify({
        xds_servers: [{ server_uri: h.address, channel_creds: [{ type: 'insecure' }], server_features: ['ignore_resource_deletion'] }],
        node: { id: 'proxyless-1', cluster: 'smoke', locality: { zone: 'z1' }, metadata: { NAMESPACE: 'shop' } },
      });
      registerXdsResolver();
      const viaXds = new AdsTestClient(`xds:///${authority}`);
      try {
        const s = new AdsSession((r, e) => viaXds.delta(r, e), testNode('via-xds', 'weft-proxy'), collectors<DeltaResponse>());
        s.send({ type_url: LDS, resource_names_subscribe: ['nothing'] });
        await s.next(isType(LDS), 'a response on the stream opened through the xDS-resolved channel');
        const proxyless = await waitFor(() => {
          const st = h.sink.latest.get('proxyless-1');
          return st !== undefined && ['lds', 'rds', 'cds', 'eds'].every((t) => st.types[t]?.state === 'SYNCED') ? st : null;
        }, WAIT);
        expect(proxyless).toMatchObject({ protocol: 'sotw', node: { kind: 'grpc', namespace: 'shop' } });
        expect(proxyless.types['lds']?.subscribed).toEqual([authority]);
      } finally {
        viaXds.close();
      }
    });
  });
});
