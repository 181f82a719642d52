import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { Pool } from 'undici';
import { withDeadline } from '@weft/testing';
import { loadBootstrap } from '../../src/config';
import { Proxy } from '../../src/proxy';
import { WorkloadIdentity, type IdentityMaterial } from '../../src/tls/workload-identity';
import { metricSum } from './prom-text';
import { bootstrap, cluster, get, httpListener, ROUTER, silent, startUpstream, type Upstream } from './harness';
import { TestCa } from './test-ca';

/**
 * mTLS between two in-process proxies with certificates minted per run by a test CA: STRICT and
 * PERMISSIVE inbound listeners, SPIFFE identity checks on the calling side, secure-context rotation.
 */

const TD = 'spiffe://cluster.local/ns/default/sa';
const PRODUCTPAGE = `${TD}/productpage`;
const REVIEWS = `${TD}/reviews`;
const TLS_T = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3';
const H2_OPTIONS = `
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: { http2_protocol_options: {} }`;

const DOWNSTREAM_TLS = `
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": ${TLS_T}.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificate_sds_secret_configs: [{ name: default }]
            combined_validation_context:
              default_validation_context: {}
              validation_context_sds_secret_config: { name: ROOTCA }`;

function upstreamTls(san: string): string {
  return `
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": ${TLS_T}.UpstreamTlsContext
        sni: outbound_.9080_._.reviews.default.svc.cluster.local
        common_tls_context:
          tls_certificate_sds_secret_configs: [{ name: default }]
          combined_validation_context:
            default_validation_context:
              match_typed_subject_alt_names: [{ san_type: URI, matcher: { exact: "${san}" } }]
            validation_context_sds_secret_config: { name: ROOTCA }`;
}

const INBOUND_FILTERS = `
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: inbound
          http_filters:${ROUTER}
          route_config:
            name: inbound
            virtual_hosts: [{ name: app, domains: ['*'], routes: [{ match: { prefix: / }, route: { cluster: app } }] }]`;

/** An INBOUND listener to the app: STRICT (one TLS chain) or PERMISSIVE (tls + raw_buffer chains, TLS inspector). */
function inboundListener(mode: 'STRICT' | 'PERMISSIVE'): string {
  const tlsChain = `
    - filter_chain_match: { transport_protocol: tls }${DOWNSTREAM_TLS}${INBOUND_FILTERS}`;
  const rawChain = `
    - filter_chain_match: { transport_protocol: raw_buffer }${INBOUND_FILTERS}`;
  const inspector = `
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector }`;
  return `
  - name: inbound
    traffic_direction: INBOUND
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }${mode === 'PERMISSIVE' ? inspector : ''}
    filter_chains:${tlsChain}${mode === 'PERMISSIVE' ? rawChain : ''}`;
}

interface Running {
  readonly proxy: Proxy;
  readonly identity: WorkloadIdentity;
  port(listener: string): number;
}

async function start(yaml: string, material: IdentityMaterial | null): Promise<Running> {
  const identity = new WorkloadIdentity();
  if (material !== null) identity.update(material);
  const parse = (text: string) => loadBootstrap(text, 'tls-test.yaml').snapshot;
  const proxy = new Proxy({
    logger: silent,
    parseConfig: parse,
    accessLog: 'off',
    workload: 'test',
    namespace: 'default',
    drainTimeoutMs: 1000,
    adminPort: 0,
    identity: material === null ? null : identity,
  });
  await proxy.apply(parse(yaml));
  return { proxy, identity, port: (l) => proxy.ports.get(l) as number };
}

/** A raw TLS connection to `port` presenting `material` (or no certificate); resolves once settled. */
async function handshake(port: number, material: IdentityMaterial | null, trust: string): Promise<{ ok: boolean; serial: string }> {
  const socket = tlsConnect({
    host: '127.0.0.1',
    port,
    ca: trust,
    key: material?.keyPem,
    cert: material?.chainPem,
    ALPNProtocols: ['http/1.1'],
    checkServerIdentity: () => undefined,
  });
  socket.on('error', () => undefined);
  // events.once rejects on 'error': a refused handshake settles as a close either way.
  await Promise.race([once(socket, 'secureConnect'), once(socket, 'close')]).catch(() => undefined);
  if (socket.destroyed) return { ok: false, serial: '' };
  const serial = socket.getPeerCertificate().serialNumber;
  // TLS 1.3: a refused client certificate surfaces after the handshake, on the first read.
  socket.write('GET / HTTP/1.1\r\nhost: reviews\r\n\r\n');
  const [first] = (await Promise.race([once(socket, 'data'), once(socket, 'close').then(() => [null])]).catch(() => [null])) as [Buffer | null];
  socket.destroy();
  return { ok: first !== null && first.toString().startsWith('HTTP/1.1 200'), serial };
}

describe('mTLS between proxies', () => {
  const mesh = new TestCa('weft-test-root');
  const other = new TestCa('another-root');
  let app: Upstream;
  let strict: Running;
  let permissive: Running;
  let caller: Running;

  beforeAll(async () => {
    app = await startUpstream('reviews-app');
    const appCluster = cluster('app', [app.port]);
    strict = await start(bootstrap(inboundListener('STRICT'), appCluster), mesh.issue(REVIEWS));
    permissive = await start(bootstrap(inboundListener('PERMISSIVE'), appCluster), mesh.issue(REVIEWS));
    const clusters = [
      cluster('strict', [strict.port('inbound')], upstreamTls(REVIEWS)),
      cluster('strict-h2', [strict.port('inbound')], upstreamTls(REVIEWS) + H2_OPTIONS),
      cluster('permissive', [permissive.port('inbound')], upstreamTls(REVIEWS)),
      cluster('wrong-identity', [strict.port('inbound')], upstreamTls(`${TD}/ratings`)),
      cluster('plaintext-to-strict', [strict.port('inbound')]),
    ].join('');
    const vhosts = ['strict', 'strict-h2', 'permissive', 'wrong-identity', 'plaintext-to-strict']
      .map((c) => `\n            - name: ${c}\n              domains: [${c}]\n              routes: [{ match: { prefix: / }, route: { cluster: ${c} } }]`)
      .join('');
    caller = await start(bootstrap(httpListener('outbound', vhosts), clusters), mesh.issue(PRODUCTPAGE));
  });

  afterAll(async () => {
    await Promise.all([caller, strict, permissive].map((r) => r?.proxy.close()));
    await app?.close();
  });

  it('originates mTLS to a STRICT peer: the app answers, both sides count mutual_tls with the principals', async () => {
    const res = await get(caller.port('outbound'), '/reviews/1', { host: 'strict' });
    expect(res).toMatchObject({ status: 200, body: 'reviews-app' });
    const server = await strict.proxy.metricsText();
    expect(metricSum(server, 'istio_requests_total', 'reporter="destination"', 'connection_security_policy="mutual_tls"', 'source_principal="spiffe://cluster.local/ns/default/sa/productpage"', 'destination_principal="spiffe://cluster.local/ns/default/sa/reviews"')).toBeGreaterThanOrEqual(1);
    const client = await caller.proxy.metricsText();
    expect(metricSum(client, 'istio_requests_total', 'reporter="source"', 'destination_cluster="strict"', 'connection_security_policy="mutual_tls"', 'destination_principal="spiffe://cluster.local/ns/default/sa/reviews"')).toBe(1);
  });

  it('speaks HTTP/2 over mTLS when the cluster asks for it (it offers ALPN h2 only: no agreement, no connection)', async () => {
    const seen = app.seen.length;
    expect(await get(caller.port('outbound'), '/h2', { host: 'strict-h2' })).toMatchObject({ status: 200, body: 'reviews-app' });
    expect(app.seen.length).toBe(seen + 1);
  });

  it('STRICT refuses a plaintext client (directly, and through a proxy cluster without TLS)', async () => {
    await expect(get(strict.port('inbound'), '/')).rejects.toThrow();
    const viaProxy = await get(caller.port('outbound'), '/', { host: 'plaintext-to-strict' });
    expect(viaProxy.status).toBe(503);
  });

  it('STRICT refuses a client certificate from another CA, and no certificate at all; accepts the mesh one', async () => {
    expect((await handshake(strict.port('inbound'), other.issue(PRODUCTPAGE, { roots: mesh.rootPem }), mesh.rootPem)).ok).toBe(false);
    expect((await handshake(strict.port('inbound'), null, mesh.rootPem)).ok).toBe(false);
    expect((await handshake(strict.port('inbound'), mesh.issue(PRODUCTPAGE), mesh.rootPem)).ok).toBe(true);
  });

  it('PERMISSIVE serves plaintext and mTLS on the same port', async () => {
    expect(await get(permissive.port('inbound'), '/plain')).toMatchObject({ status: 200, body: 'reviews-app' });
    expect(await get(caller.port('outbound'), '/tls', { host: 'permissive' })).toMatchObject({ status: 200, body: 'reviews-app' });
    const text = await permissive.proxy.metricsText();
    expect(metricSum(text, 'istio_requests_total', 'reporter="destination"', 'connection_security_policy="none"', 'source_principal="unknown"')).toBe(1);
    expect(metricSum(text, 'istio_requests_total', 'reporter="destination"', 'connection_security_policy="mutual_tls"')).toBe(1);
  });

  it('refuses an upstream presenting the wrong SPIFFE ID: 503 UF naming the expected and presented identities', async () => {
    const seen = app.seen.length;
    const res = await get(caller.port('outbound'), '/', { host: 'wrong-identity' });
    expect(res.status).toBe(503);
    expect(res.headers['x-weft-error']).toMatch(/^WEFT_ERR_PROXY_CONNECT_FAILURE: .*expected cluster\.local\/ns\/default\/sa\/ratings, presented cluster\.local\/ns\/default\/sa\/reviews/);
    expect(app.seen.length).toBe(seen);
    expect(metricSum(await caller.proxy.metricsText(), 'istio_requests_total', 'destination_cluster="wrong-identity"', 'response_flags="UF"')).toBe(1);
  });

  it('a rotated certificate serves new connections while open ones keep working', async () => {
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: mesh.rootPem, ...keyCert(mesh.issue(PRODUCTPAGE)), checkServerIdentity: () => undefined });
    const call = (): Promise<{ status: number; port: number; serial: string }> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: strict.port('inbound'), path: '/', agent }, (res) => {
          res.resume();
          const socket = res.socket as TLSSocket;
          res.on('end', () => resolve({ status: res.statusCode ?? 0, port: socket.localPort ?? 0, serial: socket.getPeerCertificate().serialNumber }));
        });
        req.on('error', reject);
        req.end();
      });
    const before = await call();
    const rotated = mesh.issue(REVIEWS);
    strict.identity.update(rotated);
    const onOldConnection = await call();
    expect(onOldConnection).toEqual({ status: 200, port: before.port, serial: before.serial });
    agent.destroy();
    const fresh = await handshake(strict.port('inbound'), mesh.issue(PRODUCTPAGE), mesh.rootPem);
    expect(fresh.ok).toBe(true);
    expect(fresh.serial).not.toBe(before.serial);
    expect(await get(caller.port('outbound'), '/after-rotation', { host: 'strict' })).toMatchObject({ status: 200 });
  });
});

describe('a PeerAuthentication change on a running listener', () => {
  it('PERMISSIVE → STRICT drains open plaintext connections: the next plaintext request is refused', async () => {
    const ca = new TestCa('drain-root');
    const app = await startUpstream('app');
    const appCluster = cluster('app', [app.port]);
    const server = await start(bootstrap(inboundListener('PERMISSIVE'), appCluster), ca.issue(REVIEWS));
    const pool = new Pool(`http://127.0.0.1:${server.port('inbound')}`, { connections: 1 });
    const call = async (): Promise<number> => {
      const res = await pool.request({ path: '/', method: 'GET' });
      await res.body.text();
      return res.statusCode;
    };
    try {
      expect(await call()).toBe(200);
      await server.proxy.apply(loadBootstrap(bootstrap(inboundListener('STRICT'), appCluster), 'strict.yaml').snapshot);
      await expect(call()).rejects.toThrow();
      expect(await handshake(server.port('inbound'), ca.issue(PRODUCTPAGE), ca.rootPem)).toMatchObject({ ok: true });
    } finally {
      await pool.destroy();
      await server.proxy.close();
      await app.close();
    }
  });
});

describe('mTLS config on a proxy without a workload identity (no --ca)', () => {
  it('PERMISSIVE serves plaintext; an mTLS cluster answers 503 UF (no certificate), never plaintext', async () => {
    const app = await startUpstream('app');
    const server = await start(bootstrap(inboundListener('PERMISSIVE'), cluster('app', [app.port])), null);
    const vhost = `\n            - name: all\n              domains: ['*']\n              routes: [{ match: { prefix: / }, route: { cluster: mtls } }]`;
    const caller = await start(bootstrap(httpListener('outbound', vhost), cluster('mtls', [server.port('inbound')], upstreamTls(REVIEWS))), null);
    try {
      expect(await get(server.port('inbound'), '/')).toMatchObject({ status: 200, body: 'app' });
      const res = await get(caller.port('outbound'), '/');
      expect(res.status).toBe(503);
      expect(res.headers['x-weft-error']).toMatch(/WEFT_ERR_PROXY_CONNECT_FAILURE: .*no workload identity/);
      expect(caller.proxy.ready).toBe(true);
    } finally {
      await Promise.all([server.proxy.close(), caller.proxy.close()]);
      await app.close();
    }
  });
});

function keyCert(m: IdentityMaterial): { key: string; cert: string } {
  return { key: m.keyPem, cert: m.chainPem };
}

/** An app that accepts any Upgrade with 101 and then echoes the raw bytes (the proxies only relay them). */
async function startUpgradeEcho(): Promise<{ server: HttpServer; port: number }> {
  const server = createHttpServer((_req, res) => res.end('no upgrade'));
  server.on('upgrade', (_req, socket: Duplex) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** Sends an Upgrade request through `port`, then `payload`; resolves with everything read until `until` appears. */
async function upgradeAndEcho(port: number, host: string, payload: string, until: string): Promise<string> {
  const socket = netConnect({ host: '127.0.0.1', port });
  let got = '';
  const done = new Promise<string>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('101 Switching Protocols') && got.indexOf('\r\n\r\n') >= 0 && !got.includes(payload)) socket.write(payload);
      if (got.includes(until)) resolve(got);
    });
    socket.once('close', () => resolve(got));
    socket.once('error', reject);
  });
  socket.write(`GET /chat HTTP/1.1\r\nhost: ${host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  try {
    return await withDeadline(done, 10_000, 'the upgraded echo');
  } finally {
    socket.destroy();
  }
}

describe('WebSocket upgrades to a meshed destination', () => {
  const mesh = new TestCa('weft-ws-root');
  let echo: { server: HttpServer; port: number };
  let server: Running;
  let caller: Running;
  const UPGRADES = '          upgrade_configs: [{ upgrade_type: websocket }]';

  beforeAll(async () => {
    echo = await startUpgradeEcho();
    // A STRICT inbound listener (TLS only) with upgrades on: reaching the app proves the relay was mTLS.
    const strictWithUpgrades = inboundListener('STRICT').replace('stat_prefix: inbound', `stat_prefix: inbound\n${UPGRADES}`);
    server = await start(bootstrap(strictWithUpgrades, cluster('app', [echo.port])), mesh.issue(REVIEWS));
    const vhost = `\n            - name: ws\n              domains: [ws]\n              routes: [{ match: { prefix: / }, route: { cluster: ws } }]`;
    caller = await start(bootstrap(httpListener('outbound', vhost, { hcm: UPGRADES }), cluster('ws', [server.port('inbound')], upstreamTls(REVIEWS))), mesh.issue(PRODUCTPAGE));
  });

  afterAll(async () => {
    await Promise.all([caller, server].map((r) => r?.proxy.close()));
    echo?.server.close();
  });

  it('relays the upgraded connection over the cluster\'s mTLS (never plaintext to a STRICT peer)', async () => {
    const got = await upgradeAndEcho(caller.port('outbound'), 'ws', 'ping-over-mtls', 'ping-over-mtls');
    expect(got).toMatch(/^HTTP\/1\.1 101 Switching Protocols/);
    expect(got).toContain('ping-over-mtls');
  });

  it('refuses the upgrade with 503 naming the TLS failure when the peer presents another identity', async () => {
    const wrong = await start(
      bootstrap(httpListener('outbound', `\n            - name: ws\n              domains: [ws]\n              routes: [{ match: { prefix: / }, route: { cluster: ws } }]`, { hcm: UPGRADES }), cluster('ws', [server.port('inbound')], upstreamTls(`${TD}/ratings`))),
      mesh.issue(PRODUCTPAGE),
    );
    try {
      const got = await upgradeAndEcho(wrong.port('outbound'), 'ws', 'never-sent', 'never-sent');
      expect(got).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(got).toMatch(/x-weft-error: WEFT_ERR_PROXY_CONNECT_FAILURE: upstream connect failure in cluster ws: upstream identity mismatch: expected cluster\.local\/ns\/default\/sa\/ratings/);
    } finally {
      await wrong.proxy.close();
    }
  });
});
